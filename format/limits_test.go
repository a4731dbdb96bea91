package format

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
)

// The limits scenario checks what sinsp cuts to the size of its string
// buffers: long paths, fd names and fd lists before and after a large
// buffer has grown them. testdata/limits.scap is written with
// -write-scap, and testdata/limits.TAG.out are sysdig's output for it.

func limitsWorld() world {
	long := "/" + strings.Repeat("n", 1021)
	return world{
		procs: []tproc{
			{tid: 7, pid: 7, ptid: 1, comm: "long", exe: "long", cwd: "/" + strings.Repeat("c", 600) + "/",
				vtid: 7, vpid: 7,
				fds: []tfd{
					{fd: 3, typ: 16, name: long, sname: long},
					{fd: 4, typ: 16, name: long[:1020], sname: long[:1020]},
					{fd: 5, typ: 16, name: long[:1019], sname: long[:1019]},
				}},
		},
	}
}

func limitsEvents() []tev {
	var evs []tev
	ts := uint64(baseTS)
	add := func(code tevCode, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: 7, code: code, params: params})
	}
	path := "/" + strings.Repeat("p", 1500)
	rel := strings.Repeat("r", 700)
	var fds []int64
	for i := 0; i < 300; i++ {
		fds = append(fds, int64(i), 1)
	}
	add(cStatX, pI64(0), pStr(path))
	add(cStatX, pI64(0), pStr(rel))
	add(cWriteE, pI64(3), pU32(1))
	add(cWriteE, pI64(4), pU32(1))
	add(cWriteE, pI64(5), pU32(1))
	add(cPollE, pFDList(fds...), pI64(0))
	add(cMountX, pI64(0), pStr(strings.Repeat("d", 2000)), pStr(path), pStr("t"), pU32(0))
	add(cStatX, pI64(0), pStr(path))
	add(cReadX, pI64(5000), bytes.Repeat([]byte("x"), 5000))
	add(cStatX, pI64(0), pStr(path+path))
	add(cPollE, pFDList(fds...), pI64(0))
	return evs
}

type tevCode = event.Code

func TestLimits(t *testing.T) {
	w := limitsWorld()
	evs := limitsEvents()
	if *writeScap {
		if err := os.WriteFile("testdata/limits.scap", w.scapFile(evs), 0o644); err != nil {
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
			st := w.state()
			p := newPrinter(&buf, st, opt)
			for i, ev := range evs {
				e := ev.decode(t, uint64(i+1))
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
