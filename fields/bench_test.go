package fields

import (
	"io"
	"os"
	"testing"

	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// loadCtxs reads a trace through the pipeline and keeps a Ctx for every
// event sysdig prints, with a copy of the event. The threads and fds the
// Ctxs point to are the state's at the end of the trace.
func loadCtxs(tb testing.TB, trace string) []Ctx {
	tb.Helper()
	fh, err := os.Open(tracePath(trace))
	if err != nil {
		if inCI {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	defer fh.Close()
	st := state.New()
	cp := NewCapture()
	rd, err := scap.NewReader(fh, cp.Sink(st.Sink()))
	if err != nil {
		tb.Fatal(err)
	}
	pr := format.NewPrinter(io.Discard, st, format.Options{})
	var ctxs []Ctx
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatal(err)
		}
		st.Apply(ev)
		cp.Observe(ev, st)
		pr.Observe(ev)
		if pr.Skipped(ev) {
			continue
		}
		c := Ctx{R: pr.Renderer()}
		cp.Fill(&c, ev.Clone(), st, pr.Thread(ev))
		ctxs = append(ctxs, c)
	}
	return ctxs
}

const commonFormat = "%evt.num %proc.name (%thread.tid) %evt.type %fd.name"

// TestNoAllocs checks that the common fields format and extract without
// allocating.
func TestNoAllocs(t *testing.T) {
	ctxs := loadCtxs(t, curl)
	f, err := NewFormat("*"+commonFormat, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var exs []Extractor
	for _, name := range []string{"evt.num", "proc.name", "thread.tid", "evt.type", "fd.name", "evt.failed", "fd.sport"} {
		ex, _, _, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		exs = append(exs, ex)
	}
	buf := make([]byte, 0, 4096)
	vals := make([]Value, 0, 16)
	run := func() {
		for i := range ctxs {
			buf, _ = f.Append(buf[:0], &ctxs[i])
			for _, ex := range exs {
				vals = ex.Extract(&ctxs[i], vals[:0])
			}
		}
	}
	run() // grow the buffers
	if n := testing.AllocsPerRun(10, run); n != 0 {
		t.Errorf("%v allocations per pass over %d events", n, len(ctxs))
	}
}

// BenchmarkFormat formats the common fields of curl_google's events.
func BenchmarkFormat(b *testing.B) {
	ctxs := loadCtxs(b, curl)
	f, err := NewFormat("*"+commonFormat, FormatOptions{})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &ctxs[i%len(ctxs)]
		buf, _ = f.Append(buf[:0], c)
	}
}

// BenchmarkFormatJSON is BenchmarkFormat with -j.
func BenchmarkFormatJSON(b *testing.B) {
	ctxs := loadCtxs(b, curl)
	f, err := NewFormat("*"+commonFormat, FormatOptions{JSON: true})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf, _ = f.Append(buf[:0], &ctxs[i%len(ctxs)])
	}
}

// BenchmarkExtract extracts each common field once per event, as a
// filter does.
func BenchmarkExtract(b *testing.B) {
	ctxs := loadCtxs(b, curl)
	var exs []Extractor
	for _, name := range []string{"evt.num", "proc.name", "thread.tid", "evt.type", "fd.name"} {
		ex, _, _, err := Parse(name)
		if err != nil {
			b.Fatal(err)
		}
		exs = append(exs, ex)
	}
	vals := make([]Value, 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &ctxs[i%len(ctxs)]
		for _, ex := range exs {
			vals = ex.Extract(c, vals[:0])
		}
	}
}
