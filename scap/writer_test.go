package scap_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// copyTrace reads data and writes it again with w, a new section wherever
// the input had new metadata, as `syscope -r in -w out` does.
func copyTrace(tb testing.TB, data []byte, w *scap.Writer) {
	tb.Helper()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		tb.Fatal(err)
	}
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if rec.Fresh {
			if err := w.WriteMeta(&rec.Meta); err != nil {
				tb.Fatal(err)
			}
			rec.Fresh = false
			rec.Reset()
		}
		if err := w.WriteEvent(ev); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

type evSum struct {
	num, ts uint64
	tid     int64
	typ     event.Code
	cpu     uint16
	flags   uint32
	params  []string
}

func summarize(tb testing.TB, data []byte) []evSum {
	tb.Helper()
	rd, err := scap.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var out []evSum
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		s := evSum{ev.Num, ev.TS, ev.TID, ev.Type, ev.CPU, ev.Flags, nil}
		for i := 0; i < ev.NParams(); i++ {
			s.params = append(s.params, string(ev.Param(i)))
		}
		out = append(out, s)
	}
}

func sysdigOutput(tb testing.TB, file string) []byte {
	tb.Helper()
	cmd := exec.Command("sysdig", "-r", file)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("sysdig -r %s: %v", file, err)
	}
	return out
}

// TestWriteRoundTrip writes every real trace again, plain and gzip, and
// checks that our reader sees the same events and that the real sysdig
// prints the copy exactly as it prints the original.
func TestWriteRoundTrip(t *testing.T) {
	traces := loadTraces(t)
	_, err := exec.LookPath("sysdig")
	haveSysdig := err == nil
	if !haveSysdig && os.Getenv("CI") == "true" {
		t.Fatal("sysdig is not installed: .ci/run installs it")
	}
	dir := t.TempDir()
	for name, data := range traces {
		for _, gz := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "/plain", true: "/gzip"}[gz], func(t *testing.T) {
				var buf bytes.Buffer
				copyTrace(t, data, scap.NewWriter(&buf, scap.WriterOptions{Compress: gz}))
				got := buf.Bytes()
				if gz && (len(got) < 2 || got[0] != 0x1f || got[1] != 0x8b) {
					t.Fatal("compressed copy is not gzip")
				}
				a, b := summarize(t, data), summarize(t, got)
				if len(a) != len(b) {
					t.Fatalf("copy has %d events, original %d", len(b), len(a))
				}
				for i := range a {
					x, y := a[i], b[i]
					same := x.num == y.num && x.ts == y.ts && x.tid == y.tid && x.typ == y.typ && x.cpu == y.cpu && x.flags == y.flags && len(x.params) == len(y.params)
					for j := 0; same && j < len(x.params); j++ {
						same = x.params[j] == y.params[j]
					}
					if !same {
						t.Fatalf("event %d differs:\n orig %+v\n copy %+v", i+1, x, y)
					}
				}
				if !haveSysdig {
					t.Skip("sysdig not installed: compared with our reader only")
				}
				orig := filepath.Join(dir, name+".orig.scap")
				cp := filepath.Join(dir, name+".copy.scap")
				if err := os.WriteFile(orig, data, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(cp, got, 0o600); err != nil {
					t.Fatal(err)
				}
				want, have := sysdigOutput(t, orig), sysdigOutput(t, cp)
				if !bytes.Equal(want, have) {
					wl, hl := bytes.Split(want, []byte("\n")), bytes.Split(have, []byte("\n"))
					for i := 0; i < len(wl) && i < len(hl); i++ {
						if !bytes.Equal(wl[i], hl[i]) {
							t.Fatalf("sysdig prints the copy differently at line %d:\n orig %s\n copy %s", i+1, wl[i], hl[i])
						}
					}
					t.Fatalf("sysdig prints %d lines for the copy, %d for the original", len(hl), len(wl))
				}
			})
		}
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	buf bytes.Buffer
	n   int
}

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errDiskFull
	}
	return f.buf.Write(p)
}

// TestWriteError checks that a failing write surfaces and that what was
// written before it is a readable capture.
func TestWriteError(t *testing.T) {
	data := loadTraces(t)["curl_google"]
	fw := &failAfter{n: len(data) / 2}
	w := scap.NewWriter(fw, scap.WriterOptions{})
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for werr == nil {
		ev, err := rd.Next()
		if err == io.EOF {
			werr = w.Close()
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Fresh {
			werr = w.WriteMeta(&rec.Meta)
			rec.Fresh = false
			rec.Reset()
		}
		if werr == nil {
			werr = w.WriteEvent(ev)
		}
		if werr == nil && ev.Num%7 == 0 {
			werr = w.Flush()
		}
	}
	if !errors.Is(werr, errDiskFull) {
		t.Fatalf("write error = %v, want disk full", werr)
	}
	// What reached the file is whole blocks: it reads to its end.
	rd2, err := scap.NewReader(bytes.NewReader(fw.buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := rd2.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d events: %v", n, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no events survived")
	}
}
