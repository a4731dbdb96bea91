package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/syscope/syscope/internal/benchtrace"
)

// bigTraceCopies is how many copies of the dense traces the in-memory
// trace of BenchmarkReadBig holds: about 100,000 printed events, 11 MB.
const bigTraceCopies = 20

// bigTrace is a plain trace held in memory: decompressed copies of the
// two traces with the most events per byte, one after another (a file
// may hold several sections), as scripts/bench-read.sh builds on disk.
// It returns the trace and the number of events the default output
// prints for it.
func bigTrace(b *testing.B) ([]byte, int) {
	b.Helper()
	var unit []byte
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		f, err := os.Open(tracePath(b, name))
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		unit = append(unit, raw...)
	}
	trace := bytes.Repeat(unit, bigTraceCopies)
	return trace, countEvents(b, trace)
}

// countEvents is the number of events the default output prints for
// trace: -j prints one line per event.
func countEvents(b *testing.B, trace []byte) int {
	b.Helper()
	var lines lineCounter
	out := bufio.NewWriter(&lines)
	cfg := &config{timeType: 'h', json: true}
	opt, err := printerOptions(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := process(cfg, opt, "bench", bytes.NewReader(trace), out, io.Discard, nil); err != nil {
		b.Fatal(err)
	}
	out.Flush()
	return int(lines)
}

type lineCounter int

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// BenchmarkReadBig runs syscope -r's whole pipeline (read, state, print)
// on a plain trace of about 100,000 events held in memory (and, for gzip,
// the same trace gzip-compressed), writing to io.Discard, and reports
// printed events per second and heap allocations per printed event; MB/s
// is of the plain trace. Run it with
//
//	go test -run '^$' -bench ReadBig -benchmem ./cmd/syscope
func BenchmarkReadBig(b *testing.B) {
	trace, events := bigTrace(b)
	var zbuf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zbuf, gzip.BestSpeed)
	zw.Write(trace)
	zw.Close()
	for _, m := range []struct {
		name string
		cfg  config
		gz   bool
	}{
		{"default", config{timeType: 'h'}, false},
		{"json", config{timeType: 'h', json: true}, false},
		{"container", config{timeType: 'h', format: "c"}, false},
		{"gzip", config{timeType: 'h'}, true},
	} {
		b.Run(m.name, func(b *testing.B) {
			cfg := m.cfg
			opt, err := printerOptions(&cfg)
			if err != nil {
				b.Fatal(err)
			}
			out := bufio.NewWriterSize(io.Discard, 64<<10)
			in := trace
			if m.gz {
				in = zbuf.Bytes()
			}
			b.SetBytes(int64(len(trace)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := process(&cfg, opt, "bench", bytes.NewReader(in), out, io.Discard, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			n := float64(events) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/event")
		})
	}
}

// BenchmarkReadEvents is BenchmarkReadBig on one section: the process
// tables of curl_google once, then its events 50 times over, so that the
// numbers are those of events alone, metadata aside. allocs/event is
// what the state engine keeps (new fds, names), not the pipeline's cost.
func BenchmarkReadEvents(b *testing.B) {
	f, err := os.Open(tracePath(b, "curl_google"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	// The offset of the first event block.
	first := 0
	for first+8 <= len(raw) {
		typ := binary.LittleEndian.Uint32(raw[first:])
		if typ == 0x204 || typ == 0x208 || typ == 0x216 || typ == 0x217 || typ == 0x221 || typ == 0x222 {
			break
		}
		first += int(binary.LittleEndian.Uint32(raw[first+4:]))
	}
	if first >= len(raw) {
		b.Fatal("no event block")
	}
	trace := append(raw[:first:first], bytes.Repeat(raw[first:], 50)...)
	runModes(b, trace, countEvents(b, trace))
}

// BenchmarkReadOne runs each mode of scripts/bench-read.sh on the shape
// of trace it measures: one section of about 200,000 events (the events
// of curl_google and psp_run_as_user_0_container over and over, after the
// first one's tables), written by syscope's writer, read from a file.
// events/s counts the events the default output prints. Profile a mode
// with
//
//	go test -run '^$' -bench 'ReadOne/filter' -cpuprofile cpu.out ./cmd/syscope
func BenchmarkReadOne(b *testing.B) {
	var inputs [][]byte
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		raw, err := os.ReadFile(tracePath(b, name))
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, raw)
	}
	var tb bytes.Buffer
	if _, err := benchtrace.Build(&tb, 200000, inputs); err != nil {
		b.Fatal(err)
	}
	trace := tb.Bytes()
	runModes(b, trace, countEvents(b, trace))
}

// runModes runs each of benchModes on trace, written to a file, and reports
// printed events (events of them) per second and heap allocations per
// event.
func runModes(b *testing.B, trace []byte, events int) {
	// From a file, as syscope -r reads one: mapped when it is long.
	path := filepath.Join(b.TempDir(), "trace.scap")
	if err := os.WriteFile(path, trace, 0o600); err != nil {
		b.Fatal(err)
	}
	for _, m := range benchModes {
		b.Run(m.name, func(b *testing.B) {
			cfg := m.cfg
			if cfg.write != "" {
				cfg.write = filepath.Join(b.TempDir(), cfg.write)
			}
			opt, err := printerOptions(&cfg)
			if err != nil {
				b.Fatal(err)
			}
			out := bufio.NewWriterSize(io.Discard, 64<<10)
			b.SetBytes(int64(len(trace)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				err = process(&cfg, opt, "bench", f, out, io.Discard, nil)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			n := float64(events) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/event")
		})
	}
}

// benchModes are the modes of scripts/bench-read.sh, and -q.
var benchModes = []struct {
	name string
	cfg  config
}{
	{"default", config{timeType: 'h'}},
	{"json", config{timeType: 'h', json: true}},
	{"quiet", config{timeType: 'h', quiet: true}},
	{"filter", config{timeType: 'h', filter: "proc.name=bash"}},
	{"format", config{timeType: 'h', format: "%evt.num %proc.name"}},
	{"write", config{timeType: 'h', write: "out.scap"}},
}
