package main

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

// TestRotateEventsLikeSysdig checks -e against the real sysdig: a new file
// every that many events (one fewer in the first), as many files as sysdig
// makes, named alike; and sysdig reads each of syscope's files, whose
// events together print as the whole capture's. (sysdig 0.29.3 cannot read
// the files it writes from these traces itself: "corrupted interface
// list".) With a filter, the count is of the matching events: sysdig
// counts the internal events it writes too (procinfo), which syscope
// leaves out of a filtered file, so there the files are not compared.
func TestRotateEventsLikeSysdig(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	const format = "*%evt.rawtime %thread.tid %proc.name %evt.type %container.name %fd.name"
	for _, tc := range []struct {
		trace string
		args  []string
	}{
		{"curl_google", []string{"-e", "512"}}, // the trace has 1,536 events: 4 files, not 3
		{"curl_google", []string{"-e", "0x10", "evt.type=open"}},
		{"psp_run_as_user_0_container", []string{"-e", "1000"}},
	} {
		in := tracePath(t, tc.trace)
		dir := t.TempDir()
		ours, theirs := filepath.Join(dir, "ours.scap"), filepath.Join(dir, "theirs.scap")
		if r := runSyscope(append([]string{"-r", in, "-w", ours}, tc.args...)...); r.code != 0 {
			t.Fatalf("%s %q: exit %d: %s", tc.trace, tc.args, r.code, r.stderr)
		}
		if r := runSysdig(t, sd, append([]string{"-r", in, "-w", theirs}, tc.args...)...); r.code != 0 {
			t.Fatalf("sysdig %s %q: exit %d: %s", tc.trace, tc.args, r.code, r.stderr)
		}
		o, _ := filepath.Glob(ours + "*")
		s, _ := filepath.Glob(theirs + "*")
		flt := ""
		if a := tc.args; len(a) > 2 {
			flt = a[2]
		}
		if len(o) < 2 || flt == "" && len(o) != len(s) {
			t.Fatalf("%s %q: %d files, sysdig %d", tc.trace, tc.args, len(o), len(s))
		}
		whole := runSysdig(t, sd, "-r", in, "-p", format, flt)
		var got []byte
		for i := range o {
			f := fmt.Sprint(ours, i)
			r := runSysdig(t, sd, "-r", f, "-p", format)
			if r.code != 0 {
				t.Fatalf("sysdig -r %s: exit %d: %s", f, r.code, r.stderr)
			}
			got = append(got, r.stdout...)
			if flt == "" {
				continue
			}
			// Every matching event prints: a file holds -e of them, the
			// first one fewer, the last what is left.
			n := bytes.Count(r.stdout, []byte("\n"))
			if want := 16 - firstFile(i); i < len(o)-1 && n != want || i == len(o)-1 && (n == 0 || n > want) {
				t.Errorf("%s: %d matching events, want %d", f, n, want)
			}
		}
		if !bytes.Equal(got, whole.stdout) {
			t.Errorf("%s %q: the files print other events than the whole capture: %s", tc.trace, tc.args,
				firstDiff(whole.stdout, got))
		}
	}
}

// firstFile is 1 for the first file, which holds one event fewer.
func firstFile(i int) int {
	if i == 0 {
		return 1
	}
	return 0
}

// TestParseUlong checks -e's parsing against what C's strtoul(s, NULL, 0)
// gives.
func TestParseUlong(t *testing.T) {
	for s, want := range map[string]uint64{
		"100": 100, " \t12": 12, "+7": 7, "12abc": 12, "0x10": 16, "0X1f": 31,
		"010": 8, "08": 0, "0": 0, "0x": 0, "0xg": 0, "abc": 0, "": 0,
		"-1": math.MaxUint64, "-0x10": math.MaxUint64 - 15,
		"18446744073709551615": math.MaxUint64, "18446744073709551616": math.MaxUint64,
		"99999999999999999999999": math.MaxUint64,
	} {
		if got := parseUlong(s); got != want {
			t.Errorf("parseUlong(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestParseU64 checks -n's parsing: sscanf("%lu%c") == 1, a decimal
// number and nothing after it.
func TestParseU64(t *testing.T) {
	for s, want := range map[string]uint64{" 5": 5, "+7": 7, "-1": math.MaxUint64, "99999999999999999999": math.MaxUint64} {
		if got, err := parseU64(s); err != nil || got != want {
			t.Errorf("parseU64(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "12abc", "0x10", "5 ", "+", "--1"} {
		if got, err := parseU64(s); err == nil {
			t.Errorf("parseU64(%q) = %d, want an error", s, got)
		}
	}
}
