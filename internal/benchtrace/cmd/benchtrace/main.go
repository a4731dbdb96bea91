// Command benchtrace builds a large capture for benchmarks (see package
// benchtrace): the metadata of the first input, then the events of all
// inputs, over and over, in one section, until it holds at least -n
// events.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/syscope/syscope/internal/benchtrace"
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

func build(out string, n int, names []string) error {
	var inputs [][]byte
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err := benchtrace.Build(bw, n, inputs); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
