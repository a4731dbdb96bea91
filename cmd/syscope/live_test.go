package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/probe"
)

// TestLiveCapture captures the running system with the eBPF probe into a
// file while a workload opens a known file, stops the capture with
// SIGINT, and checks that both syscope and the real sysdig read the open
// with its path, fd and process name from the file.
func TestLiveCapture(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "live.scap")
	stop := startSyscope(t, nil, probe.Options{}, "-w", out, "evt.type in (openat, open, execve, procexit) or proc.name=cat")
	target := filepath.Join(dir, "marker-file")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		exec.Command("cat", target).Run()
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	r := runSyscope("-r", out, "-p", "%proc.name %evt.type %fd.name %fd.num", "evt.type=openat and evt.dir=< and fd.name="+target)
	if r.code != 0 || !strings.Contains(string(r.stdout), "cat openat "+target) {
		t.Fatalf("syscope -r of the live capture: exit %d, %q %s", r.code, r.stdout, r.stderr)
	}
	if sd := sysdigPath(t); sd != "" {
		s := runSysdig(t, sd, "-r", out, "-p", "%proc.name %evt.type %fd.name %fd.num", "evt.type=openat and evt.dir=< and fd.name="+target)
		if s.code != 0 || !bytes.Equal(s.stdout, r.stdout) {
			t.Fatalf("sysdig reads the live capture differently: exit %d\nsysdig:  %q\nsyscope: %q", s.code, s.stdout, r.stdout)
		}
	}
}
