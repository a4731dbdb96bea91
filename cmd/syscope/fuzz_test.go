package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzPipeline runs the whole of syscope -r (reader, state engine,
// printer) on arbitrary input, in several output modes: it must never
// panic, and must end either cleanly or with one *exitError. Run it with
// go test ./cmd/syscope -run '^$' -fuzz FuzzPipeline.
func FuzzPipeline(f *testing.F) {
	for _, name := range traceNames(f) {
		raw, err := os.ReadFile(tracePath(f, name))
		if err != nil {
			f.Fatal(err)
		}
		data := gunzip(f, raw)
		// The blocks that fit in 64 KiB: small seeds fuzz faster.
		var seed []byte
		for p := 0; p+8 <= len(data); {
			n := int(binary.LittleEndian.Uint32(data[p+4:]))
			if n < 12 || p+n > len(data) {
				break
			}
			if len(seed)+n <= 64<<10 {
				seed = append(seed, data[p:p+n]...)
			}
			p += n
		}
		f.Add(seed, uint8(0))
	}
	modes := []config{
		{timeType: 'h'},
		{timeType: 'd', json: true, buf: bufHexASCII},
		{timeType: 'r', format: "c", buf: bufASCII, verbose: true},
		{timeType: 'D', buf: bufBase64, summary: true},
		{timeType: 'a', json: true, buf: bufHex},
		{timeType: 'h', suppress: []string{"curl", "bash", "sh"}, portNames: true},
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		cfg := modes[int(mode)%len(modes)]
		opt, err := printerOptions(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		var sum *summary
		if cfg.summary {
			sum = newSummary()
		}
		out := bufio.NewWriter(io.Discard)
		err = process(&cfg, opt, "fuzz", bytes.NewReader(data), out, io.Discard, sum)
		var xe *exitError
		if err != nil && !errors.As(err, &xe) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if sum != nil {
			sum.print(out)
		}
	})
}
