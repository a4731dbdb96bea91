package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/syscope/syscope/crash"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
	"github.com/syscope/syscope/vsyscall"
)

// The chisels syscope has, written in Go rather than Lua. sysdig 0.29.3
// takes -c NAME (or --chisel NAME); a chisel replaces the printing of the
// events with its own output, and -c l or --list-chisels lists them.
var chisels = []struct{ name, category, desc string }{
	{"crashes", "Errors", "Processes that died from a signal, grouped by container and image, with restart counts, exit statuses, the last events before each death and, after a page fault, its cause (vsyscall page, NULL pointer, stack overflow, read-only or non-executable memory)."},
}

// chiselRunner is a chisel at work: it sees every event the filter keeps,
// after the state has applied it, and writes its output at the end.
type chiselRunner interface {
	Observe(*event.Event)
	Report(io.Writer) error
}

// parseChisel handles -c NAME. done is true when the option did all there
// was to do (-c l lists the chisels).
func parseChisel(cfg *config, name string, out *bufio.Writer) (done bool, err error) {
	if name == "l" {
		listChisels(out)
		return true, nil
	}
	for _, c := range chisels {
		if c.name == name {
			if cfg.chisel != "" && cfg.chisel != name {
				return false, unsupported("more than one chisel")
			}
			cfg.chisel = name
			// A crash is explained from the page fault before it.
			cfg.pageFaults = true
			return false, nil
		}
	}
	// sysdig looks for NAME, then NAME.lua, in its chisel directories,
	// and says this when none exists.
	return false, &exitError{msg: "can't open file " + name, code: 1, thrown: true}
}

// listChisels prints the chisels as sysdig's -cl does: by category.
func listChisels(out *bufio.Writer) {
	cat := ""
	for _, c := range chisels {
		if c.category != cat {
			cat = c.category
			fmt.Fprintf(out, "\nCategory: %s\n", cat)
			fmt.Fprintf(out, "%s\n", dashes(len("Category: ")+len(cat)))
		}
		fmt.Fprintf(out, "%-20s %s\n", c.name, c.desc)
	}
	fmt.Fprintf(out, "\nUse the -i flag to get detailed information about a specific chisel\n")
}

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}

// newChisel starts the chisel the command line asks for, or returns nil.
// live tells whether the events come from this host now.
func newChisel(cfg *config, st *state.State, live bool) chiselRunner {
	if cfg.chisel != "crashes" {
		return nil
	}
	opt := crash.Options{Live: live}
	if live {
		if h, err := vsyscall.DetectHost(); err == nil {
			opt.Mode = h.Mode
		}
	}
	return crash.New(st, opt)
}

// ownEvent handles an event of syscope's own (event.CodeUserStack): -w
// keeps it, the chisel reads it.
func ownEvent(ev *event.Event, w *captureWriter, ck chiselRunner) error {
	if w != nil {
		if err := w.rot.WriteEvent(ev); err != nil {
			return err
		}
	}
	if ck != nil {
		ck.Observe(ev)
	}
	return nil
}
