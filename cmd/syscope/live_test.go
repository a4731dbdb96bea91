package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLiveCapture captures the running system with the eBPF probe into a
// file while a workload opens a known file, stops the capture with
// SIGINT, and checks that both syscope and the real sysdig read the open
// with its path, fd and process name from the file.
func TestLiveCapture(t *testing.T) {
	if os.Geteuid() != 0 {
		if inCI {
			t.Fatal("live capture needs root, which CI has")
		}
		t.Skip("live capture needs root")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "live.scap")
	cmd := exec.Command(os.Args[0], "-w", out, "evt.type in (openat, open, execve, procexit) or proc.name=cat")
	cmd.Env = append(os.Environ(), "SYSCOPE_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "marker-file")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The probe takes about a second to load; keep opening until then.
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		exec.Command("cat", target).Run()
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("syscope -w: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("syscope did not stop on SIGINT")
	}
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
