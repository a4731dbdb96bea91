package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDispatch checks that the subcommands sysdig lacks reach their
// packages and that everything else is sysdig's command line.
func TestDispatch(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"vsyscall"}, &out, &errb); code != 0 {
		t.Fatalf("syscope vsyscall: exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "vsyscall mode: ") {
		t.Errorf("syscope vsyscall printed %q", out.String())
	}
	out.Reset()
	errb.Reset()
	if code := dispatch([]string{"bench"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "bench time") {
		t.Errorf("syscope bench: exit %d, stderr %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := dispatch([]string{"--version"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "version") {
		t.Errorf("syscope --version: exit %d, %q", code, out.String())
	}
}
