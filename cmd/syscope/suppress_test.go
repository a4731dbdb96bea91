package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/probe"
)

// TestSuppressLikeSysdig checks -U against the real sysdig on every
// trace: the events of the processes named (and of their children, from
// their clone or execve on) are gone, uncounted, from what either prints,
// from -v's count and from what -w writes.
func TestSuppressLikeSysdig(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	dir := t.TempDir()
	fewer := 0
	for _, name := range traceNames(t) {
		path := tracePath(t, name)
		for _, args := range [][]string{
			{"-U", "curl"},
			{"-U", "bash", "-U", "sh", "-j"},
			{"-U", "nginx", "-U", "ls", "-p", "%evt.num %proc.name %fd.name", "evt.type!=switch"},
			{"-U", "curl", "-U", "bash", "-v", "-q"},
			{"-U", "bash", "-S", "-n", "300"},
		} {
			a := append([]string{"-r", path}, args...)
			want := runSysdig(t, sd, a...)
			got := runSyscope(a...)
			if d := firstDiff(want.stdout, got.stdout); d != "" || got.code != want.code || normStderr(got.stderr) != normStderr(want.stderr) {
				t.Errorf("%s %q: exit %d, sysdig %d; stderr %q, sysdig %q; %s", name, args, got.code, want.code, got.stderr, want.stderr, d)
			}
			if args[1] == "curl" && len(args) == 2 && len(got.stdout) < len(runSyscope("-r", path).stdout) {
				fewer++
			}
		}
		// What -w writes is what sysdig prints with -U.
		out := filepath.Join(dir, name+".scap")
		if r := runSyscope("-r", path, "-U", "bash", "-U", "sh", "-U", "curl", "-w", out); r.code != 0 {
			t.Fatalf("%s -w: exit %d: %s", name, r.code, r.stderr)
		}
		want := runSysdig(t, sd, "-r", path, "-U", "bash", "-U", "sh", "-U", "curl")
		if got := runSysdig(t, sd, "-r", out); !bytes.Equal(got.stdout, want.stdout) {
			t.Errorf("%s: sysdig reads the -U file otherwise: %s", name, firstDiff(want.stdout, got.stdout))
		}
	}
	if fewer == 0 {
		t.Errorf("-U curl suppressed nothing in any trace")
	}

	// More than 32 comms: sysdig names the 33rd in its (sorted) order.
	args := []string{"-r", tracePath(t, "curl_google")}
	for i := 1; i <= 33; i++ {
		args = append(args, "-U", fmt.Sprint("c", i))
	}
	want, got := runSysdig(t, sd, args...), runSyscope(args...)
	if got.stderr != want.stderr || got.code != want.code || got.code == 0 {
		t.Errorf("33 comms: stderr %q, exit %d; sysdig %q, exit %d", got.stderr, got.code, want.stderr, want.code)
	}
}

// TestLiveSuppress checks -U on a live capture: a program started under a
// shell while syscope captures leaves no event in what it writes, its
// shell does; and without -U it is there.
func TestLiveSuppress(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "syscope-supp")
	b, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, b, 0o755); err != nil {
		t.Fatal(err)
	}
	count := func(args ...string) (ofProg, ofShell int, stderr string) {
		t.Helper()
		out := filepath.Join(dir, "live.scap")
		stop := startSyscope(t, nil, probe.Options{}, append([]string{"-v", "-w", out}, args...)...)
		if msg, err := exec.Command("/bin/sh", "-c", prog+"; "+prog).CombinedOutput(); err != nil {
			stop()
			t.Fatalf("%s: %v %s", prog, err, msg)
		}
		time.Sleep(300 * time.Millisecond)
		stderr = stop()
		r := runSyscope("-r", out, "-p", "%proc.name", "proc.name in (syscope-supp, sh)")
		if r.code != 0 {
			t.Fatalf("syscope -r %s: exit %d: %s", out, r.code, r.stderr)
		}
		for _, l := range bytes.Split(r.stdout, []byte("\n")) {
			switch string(l) {
			case "syscope-supp":
				ofProg++
			case "sh":
				ofShell++
			}
		}
		return ofProg, ofShell, stderr
	}
	p, s, stderr := count("-U", "syscope-supp")
	if p != 0 || s == 0 || !strings.Contains(stderr, "Suppressed by Comm:") {
		t.Errorf("-U syscope-supp: %d events of it, %d of its shell; stderr %q", p, s, stderr)
	}
	if p, s, _ := count(); p == 0 || s == 0 {
		t.Errorf("without -U: %d events of syscope-supp, %d of its shell", p, s)
	}
}
