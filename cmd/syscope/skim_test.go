package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/filter"
)

// TestSkim checks that skipping the parameters of the events a filter
// can never match changes nothing: each filter on event types gives the
// output of the same filter with a check that is always true but asks
// for fd.num, which turns skimming off.
func TestSkim(t *testing.T) {
	cases := [][]string{
		{"evt.type=open"},
		{"evt.type in (open, openat, close) and proc.name!=bash"},
		{"-p", "%evt.num %evt.latency %proc.name %fd.name %evt.args", "evt.type in (connect, sendto, switch)"},
		{"-j", "evt.type=execve or evt.type=clone"},
		{"-t", "d", "evt.type=switch"},
		{"-p", "%evt.num %evt.type %evt.info", "evt.type=brk or evt.type=mmap"},
	}
	dir := t.TempDir()
	for _, name := range traceNames(t) {
		in := tracePath(t, name)
		for _, c := range cases {
			if f, err := filter.Compile(c[len(c)-1]); err != nil || skimSet(f, &config{filter: c[len(c)-1]}) == nil {
				t.Fatalf("%q skims nothing (%v)", c[len(c)-1], err)
			}
			args := append([]string{"-r", in}, c...)
			got := runSyscope(args...)
			args[len(args)-1] = "(" + c[len(c)-1] + ") and (fd.num exists or not fd.num exists)"
			want := runSyscope(args...)
			if d := firstDiff(want.stdout, got.stdout); d != "" || want.code != got.code || !bytes.Equal(want.stdout, got.stdout) {
				t.Errorf("%s %q: exit %d/%d: %s", name, c, want.code, got.code, d)
			}
		}
		// -w keeps the events that change state and those that match.
		a, b := filepath.Join(dir, "a.scap"), filepath.Join(dir, "b.scap")
		runSyscope("-r", in, "-w", a, "evt.type=open")
		runSyscope("-r", in, "-w", b, "evt.type=open and (fd.num exists or not fd.num exists)")
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if !bytes.Equal(da, db) {
			t.Errorf("%s: -w evt.type=open writes other bytes when skimming", name)
		}
	}
}
