package format

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
)

// The limits scenario checks what sinsp cuts to the size of its string
// buffers: long paths, fd names and fd lists before and after a large
// buffer has grown them. testdata/limits.scap is written with
// -write-scap, and testdata/limits.TAG.out are sysdig's output for it.

func limitsWorld() tracetest.World {
	long := "/" + strings.Repeat("n", 1021)
	return tracetest.World{
		Procs: []tracetest.Proc{
			{TID: 7, PID: 7, PTID: 1, Comm: "long", Exe: "long", Cwd: "/" + strings.Repeat("c", 600) + "/",
				VTID: 7, VPID: 7,
				FDs: []tracetest.FD{
					{Num: 3, Type: 16, Name: long, StateName: long},
					{Num: 4, Type: 16, Name: long[:1020], StateName: long[:1020]},
					{Num: 5, Type: 16, Name: long[:1019], StateName: long[:1019]},
				}},
		},
	}
}

func limitsEvents() []tracetest.Event {
	var evs []tracetest.Event
	ts := uint64(baseTS)
	add := func(code tevCode, params ...[]byte) {
		ts += 1000
		evs = append(evs, tracetest.Event{TS: ts, TID: 7, Code: code, Params: params})
	}
	path := "/" + strings.Repeat("p", 1500)
	rel := strings.Repeat("r", 700)
	var fds []int64
	for i := 0; i < 300; i++ {
		fds = append(fds, int64(i), 1)
	}
	add(cStatX, tracetest.I64(0), tracetest.Str(path))
	add(cStatX, tracetest.I64(0), tracetest.Str(rel))
	add(cWriteE, tracetest.I64(3), tracetest.U32(1))
	add(cWriteE, tracetest.I64(4), tracetest.U32(1))
	add(cWriteE, tracetest.I64(5), tracetest.U32(1))
	add(cPollE, tracetest.FDList(fds...), tracetest.I64(0))
	add(cMountX, tracetest.I64(0), tracetest.Str(strings.Repeat("d", 2000)), tracetest.Str(path), tracetest.Str("t"), tracetest.U32(0))
	add(cStatX, tracetest.I64(0), tracetest.Str(path))
	add(cReadX, tracetest.I64(5000), bytes.Repeat([]byte("x"), 5000))
	add(cStatX, tracetest.I64(0), tracetest.Str(path+path))
	add(cPollE, tracetest.FDList(fds...), tracetest.I64(0))
	return evs
}

type tevCode = event.Code

func TestLimits(t *testing.T) {
	w := limitsWorld()
	evs := limitsEvents()
	if *writeScap {
		if err := os.WriteFile("testdata/limits.scap", w.ScapFile(evs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		tag string
		opt Options
	}{{"x", Options{}}, {"v", Options{Verbose: true}}, {"X", Options{Buffer: BufHexASCII}}} {
		t.Run(m.tag, func(t *testing.T) {
			want, err := os.ReadFile("testdata/limits." + m.tag + ".out")
			if err != nil {
				t.Skip(err)
			}
			var buf bytes.Buffer
			opt := m.opt
			tz := 0
			opt.TZOffset = &tz
			st := worldState(w)
			p := newPrinter(&buf, st, opt)
			for i, ev := range evs {
				e := ev.Decode(t, uint64(i+1))
				st.apply(e)
				p.Observe(e)
				if err := p.Print(e); err != nil {
					t.Fatal(err)
				}
			}
			p.Flush()
			compareLines(t, buf.String(), string(want))
		})
	}
}
