// Package benchtrace builds large captures for benchmarks: the metadata
// of the first input, then the events of all inputs, over and over, in
// one section, until it holds at least n events. A capture of one
// section is what a long real capture looks like; concatenating whole
// files instead makes readers spend most of their time on process tables.
package benchtrace

import (
	"bytes"
	"fmt"
	"io"

	"github.com/syscope/syscope/scap"
)

// Build writes to out a capture of at least n events made from inputs,
// the contents of capture files (plain or gzip-compressed), and returns
// the number of events written.
func Build(out io.Writer, n int, inputs [][]byte) (int, error) {
	w := scap.NewWriter(out, scap.WriterOptions{})
	written := 0
	for pass := 0; written < n; pass++ {
		before := written
		for i, in := range inputs {
			rec := &scap.Recorder{}
			rd, err := scap.NewReader(bytes.NewReader(in), rec)
			if err != nil {
				return written, fmt.Errorf("input %d: %w", i, err)
			}
			for {
				ev, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					return written, fmt.Errorf("input %d: %w", i, err)
				}
				if pass == 0 && i == 0 && rec.Fresh {
					if err := w.WriteMeta(&rec.Meta); err != nil {
						return written, err
					}
					rec.Fresh = false
				}
				if err := w.WriteEvent(ev); err != nil {
					return written, err
				}
				written++
			}
		}
		if written == before {
			return written, fmt.Errorf("the inputs hold no event")
		}
	}
	return written, w.Close()
}
