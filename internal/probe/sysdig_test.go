//go:build linux && amd64

package probe

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// TestSysdigReadsCapture writes what the probe captures, with the /proc
// state ScanProc reads, into a capture file, and has sysdig 0.29.3 read it:
// every event the probe sends must be one sysdig knows, with its
// parameters, so that sysdig prints the workload as it happened.
func TestSysdigReadsCapture(t *testing.T) {
	sysdig, err := exec.LookPath("sysdig")
	if err != nil {
		if inCI() {
			t.Fatal("sysdig is not installed (CI installs Debian's sysdig 0.29.3)")
		}
		t.Skip("sysdig is not installed: apt-get install sysdig")
	}
	p := openProbe(t, Options{})
	procs, fds, users, groups, err := ScanProc()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	meta := &scap.Meta{
		Machine: &scap.MachineInfo{NumCPUs: uint32(len(p.rings)), Hostname: host, MaxPID: 4194304},
		Users:   users, Groups: groups, Procs: procs, FDs: fds,
	}

	var events []*event.Event
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for {
			ev, _, err := p.Next()
			if err != nil {
				done <- err
				return
			}
			events = append(events, ev.Clone())
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
		}
	}()

	// The workload: a shell that reads a file, and a TCP connection.
	dir := t.TempDir()
	data := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(data, []byte("hello from syscope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/bin/sh", "-c", "cat "+data+" >/dev/null; ls "+dir+" >/dev/null").CombinedOutput(); err != nil {
		t.Fatalf("workload: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	if c, err := net.Dial("tcp4", ln.Addr().String()); err == nil {
		c.Write([]byte("x"))
		c.Close()
	}
	tid := exercise(dir)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := p.Stats()

	capture := filepath.Join(dir, "live.scap")
	if keep := os.Getenv("SYSCOPE_PROBE_CAPTURE"); keep != "" {
		capture = keep // to look at it afterwards
		t.Logf("exercise thread %d", tid)
	}
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	w := scap.NewWriter(f, scap.WriterOptions{})
	if err := w.WriteMeta(meta); err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Logf("%d events, %d processes, stats %+v", len(events), len(procs), st)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, sysdig, "-r", capture)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("sysdig -r: %v\n%s", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Errorf("sysdig -r wrote to stderr:\n%s", errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < len(events)/2 {
		t.Errorf("sysdig printed %d lines for %d events", len(lines), len(events))
	}
	for _, want := range []string{
		"> execve filename=/bin/sh",
		"< execve res=0 exe=cat args=" + data,
		"< openat fd=3(<f>" + data + ")",
		"< read res=19 data=hello from syscope",
		"> switch next=",
		"> procexit status=0 ret=0 sig=0 core=0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("sysdig's output lacks %q", want)
		}
	}
	// Go connects without blocking: res is 0 or -115(EINPROGRESS).
	connected := false
	for _, l := range lines {
		if strings.Contains(l, "< connect res=") && strings.Contains(l, "tuple=127.0.0.1:") &&
			strings.Contains(l, "->"+ln.Addr().String()) {
			connected = true
		}
	}
	if !connected {
		t.Errorf("sysdig's output lacks the connect exit with the tuple ->%s", ln.Addr())
	}
	// The exercise thread's calls, as sysdig prints them.
	ex, err := exec.CommandContext(ctx, sysdig, "-r", capture, fmt.Sprintf("thread.tid=%d", tid)).Output()
	if err != nil {
		t.Fatalf("sysdig -r %s thread.tid=%d: %v", capture, tid, err)
	}
	for _, want := range exerciseWant(dir) {
		found := false
		for _, l := range strings.Split(string(ex), "\n") {
			all := true
			for _, part := range want {
				all = all && strings.Contains(l, part)
			}
			if all {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("sysdig shows no line of the exercise thread with %q", want)
		}
	}
	if t.Failed() {
		var b strings.Builder
		for _, l := range lines {
			if strings.Contains(l, "cat") || strings.Contains(l, " sh ") {
				fmt.Fprintln(&b, l)
			}
		}
		t.Logf("sysdig's lines of sh and cat:\n%s", b.String())
	}
}
