package crash

import (
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
)

// BenchmarkObserve measures the analyzer's cost per event on a mix of a
// syscall pair and a page fault, the bulk of what it sees.
func BenchmarkObserve(b *testing.B) {
	t := &testing.T{}
	f := newFeeder(t, "", scap.Process{TID: 10, PID: 10, PTID: 1, Comm: "bash", Exe: "/bin/bash"})
	var evs [3]event.Event
	for i, r := range [][]byte{
		raw(1, 10, 26),
		raw(2, 10, 27, tracetest.U32(0)),
		raw(3, 10, evPageFaultE, tracetest.U64(0x7f0000001000), tracetest.U64(0x400000), tracetest.U32(0x1a)),
	} {
		if err := evs[i].Decode(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := &evs[i%3]
		e.Num = uint64(i)
		f.st.Apply(e)
		f.a.Observe(e)
	}
}
