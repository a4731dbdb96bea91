// Command benchtrace builds a large capture for benchmarks: the metadata
// of the first input, then the events of all inputs, over and over, in
// one section, until it holds at least -n events. A capture of one
// section is what a long real capture looks like; concatenating whole
// files instead makes readers spend most of their time on process tables.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/syscope/syscope/scap"
)

func main() {
	out := flag.String("o", "", "output file")
	n := flag.Int("n", 1000000, "at least this many events")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchtrace -o OUT [-n EVENTS] TRACE...")
		os.Exit(2)
	}
	if err := build(*out, *n, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchtrace:", err)
		os.Exit(1)
	}
}

func build(out string, n int, inputs []string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := scap.NewWriter(f, scap.WriterOptions{})
	written := 0
	for pass := 0; written < n; pass++ {
		for i, in := range inputs {
			rec := &scap.Recorder{}
			r, err := os.Open(in)
			if err != nil {
				return err
			}
			rd, err := scap.NewReader(r, rec)
			if err != nil {
				r.Close()
				return fmt.Errorf("%s: %w", in, err)
			}
			for {
				ev, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					r.Close()
					return fmt.Errorf("%s: %w", in, err)
				}
				if pass == 0 && i == 0 && rec.Fresh {
					if err := w.WriteMeta(&rec.Meta); err != nil {
						return err
					}
					rec.Fresh = false
				}
				if err := w.WriteEvent(ev); err != nil {
					return err
				}
				written++
			}
			r.Close()
		}
	}
	return w.Close()
}
