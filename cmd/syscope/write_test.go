package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
)

// noNum is the default line without evt.num: a filtered capture holds
// fewer events, so numbers differ from the original's, all else must not.
const noNum = "%evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info"

// TestWriteRoundTrip writes every trace with -w (plain and -z, with and
// without a filter) and checks that the real sysdig prints our file
// exactly as it prints the original with the same filter, and that
// syscope does too.
func TestWriteRoundTrip(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	dir := t.TempDir()
	filters := []string{"", "proc.name=curl or proc.name=bash", "evt.type in (open, openat, close, connect, read, write) and fd.name exists", "fd.name contains /etc"}
	for _, name := range traceNames(t) {
		in := tracePath(t, name)
		for _, z := range []bool{false, true} {
			for fi, flt := range filters {
				out := filepath.Join(dir, name+".scap")
				os.Remove(out)
				args := []string{"-r", in, "-w", out}
				if z {
					args = append(args, "-z")
				}
				if flt != "" {
					args = append(args, flt)
				}
				if r := runSyscope(args...); r.code != 0 || len(r.stdout) != 0 {
					t.Fatalf("syscope %v: exit %d, stdout %q, stderr %s", args, r.code, r.stdout, r.stderr)
				}
				st, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, want 0600", out, st.Mode().Perm())
				}
				head := make([]byte, 2)
				f, _ := os.Open(out)
				io.ReadFull(f, head)
				f.Close()
				if isGz := head[0] == 0x1f && head[1] == 0x8b; isGz != z {
					t.Errorf("%s: gzip %v, want %v", out, isGz, z)
				}
				fmtArgs := []string{"-p", noNum}
				if flt == "" {
					fmtArgs = nil // all events kept: the default line, numbers included
				}
				with := func(file string) []string {
					a := append([]string{"-r", file}, fmtArgs...)
					if flt != "" {
						a = append(a, flt)
					}
					return a
				}
				want := runSysdig(t, sd, with(in)...)
				got := runSysdig(t, sd, with(out)...)
				ours := runSyscope(with(out)...)
				label := name + map[bool]string{false: "", true: " -z"}[z] + " filter " + string(rune('0'+fi))
				if d := firstDiff(want.stdout, got.stdout); d != "" {
					t.Errorf("%s: sysdig reads our copy differently: %s", label, d)
				}
				if d := firstDiff(want.stdout, ours.stdout); d != "" {
					t.Errorf("%s: syscope reads our copy differently: %s", label, d)
				}
			}
		}
	}
}

// TestWriteInterrupted stops a running capture write with SIGINT and with
// SIGTERM and checks that the file reads to its end.
func TestWriteInterrupted(t *testing.T) {
	raw, err := os.ReadFile(tracePath(t, "psp_run_as_user_0_container"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "in")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.scap")
			cmd := exec.Command(os.Args[0], "-r", fifo, "-w", out)
			cmd.Env = append(os.Environ(), "SYSCOPE_TEST_MAIN=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Half the capture, then the writer stalls as a live
			// capture would, and the signal comes.
			if _, err := w.Write(data[:len(data)/2]); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			cmd.Process.Signal(sig)
			// The reader is blocked on the pipe: one more block wakes it.
			w.Write(data[len(data)/2 : len(data)/2+4096])
			w.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("syscope did not stop on " + sig.String())
			}
			n := eachEvent(t, out, func(*event.Event) {})
			if n == 0 {
				t.Fatalf("no events kept (stderr %s)", stderr.String())
			}
			if strings.Contains(stderr.String(), "panic") {
				t.Fatal(stderr.String())
			}
		})
	}
}

// TestWriteError checks that a capture to a place it cannot write says so
// and fails.
func TestWriteError(t *testing.T) {
	r := runSyscope("-r", tracePath(t, "curl_google"), "-w", "/nonexistent/dir/out.scap")
	if r.code == 0 || !strings.Contains(r.stderr, "/nonexistent/dir/out.scap") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		r := runSyscope("-r", tracePath(t, "psp_run_as_user_0_container"), "-w", "/dev/full")
		if r.code == 0 || !strings.Contains(r.stderr, "no space left") {
			t.Fatalf("/dev/full: exit %d, stderr %q", r.code, r.stderr)
		}
	}
}

// TestFatfile checks that -F (sysdig's fatfile mode, which keeps the
// events that change state in a filtered -w) writes what syscope writes
// without it: it always keeps them.
func TestFatfile(t *testing.T) {
	dir := t.TempDir()
	in := tracePath(t, "curl_google")
	var files [2][]byte
	for i, args := range [][]string{{}, {"-F"}} {
		out := filepath.Join(dir, fmt.Sprint(i, ".scap"))
		if r := runSyscope(append([]string{"-r", in, "-w", out, "evt.type=open"}, args...)...); r.code != 0 {
			t.Fatalf("%q: exit %d: %s", args, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("-F wrote another file (%d bytes, %d without)", len(files[1]), len(files[0]))
	}
}
