package scap_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/scap"
)

// logSink writes down every call it receives, in order.
type logSink struct{ b strings.Builder }

func (l *logSink) Machine(m *scap.MachineInfo) { fmt.Fprintf(&l.b, "machine %+v\n", *m) }
func (l *logSink) Process(p *scap.Process)     { fmt.Fprintf(&l.b, "proc %+v\n", *p) }
func (l *logSink) FD(tid int64, f *scap.FDInfo) {
	fmt.Fprintf(&l.b, "fd %d %+v\n", tid, *f)
}
func (l *logSink) User(u *scap.User)                { fmt.Fprintf(&l.b, "user %+v\n", *u) }
func (l *logSink) Group(g *scap.Group)              { fmt.Fprintf(&l.b, "group %+v\n", *g) }
func (l *logSink) Interfaces(list []scap.Interface) { fmt.Fprintf(&l.b, "ifaces %+v\n", list) }
func (l *logSink) NewSection()                      { l.b.WriteString("section\n") }

// transcript reads data to its end or first error, through the pipe or
// not, and writes down everything the reader gave: sink calls, events
// with their offsets, the error and the final offset.
func transcript(t *testing.T, data []byte, piped bool) string {
	t.Helper()
	sink := &logSink{}
	rd, err := scap.NewReader(bytes.NewReader(data), sink)
	if err != nil {
		return "NewReader: " + err.Error()
	}
	defer rd.Close()
	if piped {
		scap.ReadAhead(rd)
	}
	return transcribe(rd, sink)
}

// transcribe is transcript's reading, from rd.
func transcribe(rd *scap.Reader, sink *logSink) string {
	for {
		ev, err := rd.Next()
		if err != nil {
			fmt.Fprintf(&sink.b, "end %v at %d, %d sections", err, rd.Offset(), rd.Sections())
			return sink.b.String()
		}
		fmt.Fprintf(&sink.b, "ev %d cpu %d flags %d v1 %v %x params %d end %d\n", ev.Num, ev.CPU, ev.Flags, ev.V1, ev.Raw, ev.NParams(), rd.Offset())
		for i := 0; i < ev.NParams(); i++ {
			fmt.Fprintf(&sink.b, " %x", ev.Param(i))
		}
	}
}

// TestPipe checks that the pipe's goroutine reads as the reader does on
// its own: the same events, offsets, metadata and errors, for every
// trace, the traces one after another, and cuts and damage of them.
func TestPipe(t *testing.T) {
	sameReading(t, "piped", func(data []byte) string { return transcript(t, data, true) })
}

// sameReading checks that read gives the transcript of the plain
// reader for every trace, the traces one after another, and cuts and
// damage of them.
func sameReading(t *testing.T, how string, read func([]byte) string) {
	t.Helper()
	traces := loadTraces(t)
	var names []string
	for n := range traces {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []byte
	check := func(name string, data []byte) {
		t.Helper()
		want := transcript(t, data, false)
		got := read(data)
		if got != want {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			lo := max(0, i-200)
			t.Errorf("%s: %s reading differs at byte %d:\n%s: %q\nalone: %q", name, how, i, how, got[lo:min(len(got), i+200)], want[lo:min(len(want), i+200)])
		}
	}
	for _, n := range names {
		data := traces[n]
		all = append(all, data...)
		check(n, data)
		bs := blocksOf(t, data)
		// Cuts inside and at the edges of a few blocks, and a lying
		// length.
		for _, k := range []int{len(bs) / 3, len(bs) / 2, len(bs) - 1} {
			b := bs[k]
			for _, at := range []int{b.start, b.start + 5, b.start + 9, b.end - 1} {
				check(fmt.Sprintf("%s cut at %d", n, at), data[:at])
			}
			check(fmt.Sprintf("%s length of block %d", n, k), damaged(data, func(d []byte) []byte {
				d[b.start+4] ^= 0x40
				return d
			}))
		}
	}
	// Long enough for several batches, with sections one after another.
	big := bytes.Repeat(all, 3)
	check("all traces three times", big)
	check("all traces three times, cut", big[:len(big)-len(big)/7])
}

// TestPipeClose checks that a Reader left in the middle of a long file
// stops its goroutine when closed.
func TestPipeClose(t *testing.T) {
	traces := loadTraces(t)
	var all []byte
	for _, d := range traces {
		all = append(all, d...)
	}
	big := bytes.Repeat(all, 4)
	before := runtime.NumGoroutine()
	rd, err := scap.NewReader(bytes.NewReader(big), nil)
	if err != nil {
		t.Fatal(err)
	}
	scap.ReadAhead(rd)
	for range 100 {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	}
	rd.Close()
	rd.Close() // twice is fine
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after Close, %d before the reader", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPipeStream checks that events read from a stream that stalls (a
// pipe from a live capture) are handed over without waiting for more
// bytes: the pipe does not hold back a batch it has started.
func TestPipeStream(t *testing.T) {
	traces := loadTraces(t)
	data := traces["curl_google"]
	bs := blocksOf(t, data)
	cut := bs[len(bs)*2/3].start // a block boundary
	events := 0
	for _, b := range bs {
		if b.start < cut && isEventBlock(b.typ) {
			events++
		}
	}
	pr, pw := io.Pipe()
	release := make(chan struct{})
	go func() {
		pw.Write(data[:cut])
		<-release
		pw.Write(data[cut:])
		pw.Close()
	}()
	defer close(release)
	rd, err := scap.NewReader(pr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	scap.ReadAhead(rd)
	got := make(chan int)
	go func() {
		n := 0
		for n < events {
			if _, err := rd.Next(); err != nil {
				break
			}
			n++
		}
		got <- n
	}()
	select {
	case n := <-got:
		if n != events {
			t.Fatalf("%d events before the stall, want %d", n, events)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the events before the stall are held back")
	}
}

// TestEventsBreak: a range over Events that stops early consumes no more
// than it was given, and Next goes on from there; ranging again goes on
// too. (The end of the file and damage are those of every test reading
// through Events, TestTruncated's cuts among them.)
func TestEventsBreak(t *testing.T) {
	for name, data := range loadTraces(t) {
		rd, err := scap.NewReader(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		var nums []uint64
		for ev, err := range rd.Events() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if nums = append(nums, ev.Num); len(nums) == 3 {
				break
			}
		}
		ev, err := rd.Next()
		if err != nil {
			t.Fatalf("%s: Next after a range stopped at 3 events: %v", name, err)
		}
		nums = append(nums, ev.Num)
		for ev, err := range rd.Events() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			nums = append(nums, ev.Num)
		}
		for i, n := range nums {
			if n != uint64(i+1) {
				t.Fatalf("%s: event %d of the reading is number %d", name, i+1, n)
			}
		}
	}
}
