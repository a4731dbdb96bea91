package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/syscope/syscope/scap"
)

// BenchmarkReadPrint runs the whole pipeline of syscope -r (read,
// decompress, state, print in the default format) on two trace files held
// in memory, writing to io.Discard. Run it with
// go test -bench . -benchmem ./cmd/syscope.
func BenchmarkReadPrint(b *testing.B) {
	var files [][]byte
	events := 0
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		raw, err := os.ReadFile(tracePath(b, name))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, raw)
		rd, err := scap.NewReader(bytes.NewReader(raw), nil)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rd.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			events++
		}
	}
	cfg := &config{timeType: 'h'}
	opt, err := printerOptions(cfg)
	if err != nil {
		b.Fatal(err)
	}
	out := bufio.NewWriterSize(io.Discard, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range files {
			if err := process(cfg, opt, "bench", bytes.NewReader(raw), out, io.Discard, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
