package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/probe"
	"github.com/syscope/syscope/internal/testvm"
	"github.com/syscope/syscope/vsyscall"
)

// workloadSource is scwork, the scripted workload of TestLiveWorkload: it
// opens, writes and reads a file, makes a TCP connection on loopback,
// forks and execs /bin/echo with distinctive arguments, then runs vsysread.
// It prints what the test checks: the fd, the ports, the pids.
const workloadSource = `#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[64];
	if (argc != 3)
		return 2;
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 3;
	if (write(fd, "syscope e2e data\n", 17) != 17 || lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, sizeof buf) != 17)
		return 4;
	close(fd);
	printf("fd=%d\n", fd);

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &len))
		return 5;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa))
		return 6;
	struct sockaddr_in ca;
	len = sizeof ca;
	getsockname(c, (struct sockaddr *)&ca, &len);
	int a = accept(l, NULL, NULL);
	if (a < 0 || write(c, "ping", 4) != 4 || read(a, buf, 4) != 4)
		return 7;
	printf("connect fd=%d client=%d server=%d\n", c, ntohs(ca.sin_port), ntohs(sa.sin_port));
	close(a);
	close(c);
	close(l);
	fflush(stdout);

	int status;
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/echo", "/bin/echo", "syscope-e2e-arg", "second arg", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("echo pid=%d status=%d\n", pid, status);
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		execl(argv[2], "vsysread", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("vsysread pid=%d signaled=%d sig=%d\n", pid, WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}
`

// vsysreadSource calls time() through the vsyscall page, which kernels
// emulate (one page fault) unless vsyscall=none, then reads the page,
// which only vsyscall=emulate allows: under xonly (the default) it dies
// of SIGSEGV.
const vsysreadSource = `#include <stdio.h>
#include <time.h>

int main(void)
{
	time_t t = ((time_t(*)(time_t *))0xffffffffff600400)(NULL);
	printf("time %ld\n", (long)t);
	fflush(stdout);
	volatile unsigned char *page = (volatile unsigned char *)0xffffffffff600800;
	printf("byte %d\n", page[0]);
	return 0;
}
`

// TestLiveWorkload is the end-to-end test of live capture on this
// machine's kernel: syscope -w FILE --page-faults, the real command in a
// process of its own, records a scripted workload and stops on SIGINT;
// then syscope -r FILE must show the open with its path, flags and fd, the
// connect with its tuple, the execve with its arguments, the vsyscall page
// faults with their decoded flags, the SIGSEGV and the exit of the program
// that read the page; and sysdig -r FILE must print the same lines.
// SYSCOPE_KEEP_CAPTURE=PATH keeps a copy of the capture for a look.
func TestLiveWorkload(t *testing.T) {
	needRoot(t)
	host, err := vsyscall.DetectHost()
	if err != nil {
		t.Fatal(err)
	}
	// Under xonly (the default of current kernels) the call is emulated
	// and the read faults; under none the call faults already. Under
	// emulate nothing crashes.
	if host.Mode != vsyscall.ModeXonly && host.Mode != vsyscall.ModeNone {
		msg := fmt.Sprintf("the vsyscall page is in mode %q here: reading it does not crash", host.Mode)
		if inCI {
			t.Fatal(msg + " (CI machines run xonly)")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	work, vsysread := filepath.Join(dir, "scwork"), filepath.Join(dir, "vsysread")
	for prog, src := range map[string]string{work: workloadSource, vsysread: vsysreadSource} {
		if err := testvm.CompileStatic(ctx, src, prog); err != nil {
			if errors.Is(err, testvm.ErrNoCompiler) {
				t.Skip(err)
			}
			t.Fatal(err)
		}
	}

	out := filepath.Join(dir, "live.scap")
	stop := startSyscope(t, nil, probe.Options{PageFaults: true}, "-w", out, "--page-faults")
	data := filepath.Join(dir, "e2e-data.txt")
	wl, err := exec.Command(work, data, vsysread).CombinedOutput()
	if err != nil {
		stop()
		t.Fatalf("the workload failed: %v\n%s", err, wl)
	}
	// Leave syscope time to read the last events before stopping it.
	time.Sleep(500 * time.Millisecond)
	stderr := stop()
	t.Logf("workload: %s", wl)
	if fi, err := os.Stat(out); err == nil {
		t.Logf("capture: %d bytes; syscope's stderr: %q", fi.Size(), stderr)
	}

	// The children's output comes between the workload's lines.
	var fd, cport, sport, echoPID, vsysPID, signaled, sig int
	for _, f := range []struct {
		format string
		args   []any
	}{
		{"fd=%d", []any{&fd}},
		{"connect fd=%d client=%d server=%d", []any{new(int), &cport, &sport}},
		{"echo pid=%d status=0", []any{&echoPID}},
		{"vsysread pid=%d signaled=%d sig=%d", []any{&vsysPID, &signaled, &sig}},
	} {
		found := false
		for _, line := range strings.Split(string(wl), "\n") {
			if n, _ := fmt.Sscanf(line, f.format, f.args...); n == len(f.args) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("the workload printed no line %q:\n%s", f.format, wl)
		}
	}
	if signaled != 1 || sig != 11 {
		t.Fatalf("vsysread was not killed by SIGSEGV (signaled=%d sig=%d): is the vsyscall page readable here?", signaled, sig)
	}

	// The relevant lines: the workload's own events, filtered both ways.
	flt := "proc.name in (scwork, echo, vsysread) and evt.type in (openat, connect, execve, page_fault, signaldeliver, procexit)"
	if keep := os.Getenv("SYSCOPE_KEEP_CAPTURE"); keep != "" {
		if b, err := os.ReadFile(out); err == nil {
			os.WriteFile(keep, b, 0o600)
		}
	}
	r := runSyscope("-r", out, flt)
	if r.code != 0 {
		t.Fatalf("syscope -r: exit %d: %s", r.code, r.stderr)
	}
	prefix := `(?m)^\d+ \d\d:\d\d:\d\d\.\d{9} \d+ `
	readFault := "" // under none, the call crashes before the read
	if host.Mode == vsyscall.ModeXonly {
		readFault = prefix + fmt.Sprintf(`vsysread \(%d\) > page_fault addr=FFFFFFFFFF600800 ip=[0-9A-F]+ error=\d+\((PAGE_NOT_PRESENT|PROTECTION_VIOLATION)\|READ_ACCESS\|USER_FAULT\) $`, vsysPID)
	}
	tuple := fmt.Sprintf(`127\.0\.0\.1:%d->127\.0\.0\.1:%d`, cport, sport)
	wants := []string{
		// The open: path, flags and fd.
		prefix + `scwork \(\d+\) < openat fd=` + fmt.Sprint(fd) + `\(<f>` + regexp.QuoteMeta(data) + `\) dirfd=-100\(AT_FDCWD\) name=` +
			regexp.QuoteMeta(data) + ` flags=263\(O_TRUNC\|O_CREAT\|O_RDWR\) mode=0600 dev=[0-9A-F]+ $`,
		// The connect with its tuple.
		prefix + `scwork \(\d+\) < connect res=0 tuple=` + tuple + ` $`,
		// The exec with its arguments.
		prefix + fmt.Sprintf(`echo \(%d\) < execve res=0 exe=/bin/echo args=syscope-e2e-arg\.second arg\. tid=%d\(echo\) pid=%[1]d\(echo\) ptid=\d+\(scwork\) `, echoPID, echoPID),
		prefix + fmt.Sprintf(`vsysread \(%d\) < execve res=0 exe=vsysread args= tid=%[1]d\(vsysread\) `, vsysPID),
		// The emulated call of time(), then the read of the page.
		prefix + fmt.Sprintf(`vsysread \(%d\) > page_fault addr=FFFFFFFFFF600400 ip=FFFFFFFFFF600400 error=\d+\([A-Z_|]*INSTRUCTION_FETCH[A-Z_|]*\) $`, vsysPID),
		readFault,
		prefix + fmt.Sprintf(`vsysread \(%d\) > signaldeliver spid=0 dpid=%[1]d\(vsysread\) sig=11\(SIGSEGV\) $`, vsysPID),
		prefix + fmt.Sprintf(`vsysread \(%d\) > procexit status=11 ret=0 sig=11\(SIGSEGV\) core=0 $`, vsysPID),
	}
	var lines [][]byte
	for _, w := range wants {
		if w == "" {
			continue
		}
		m := regexp.MustCompile(w).Find(r.stdout)
		if m == nil {
			t.Errorf("syscope -r has no line matching\n  %s", w)
			continue
		}
		lines = append(lines, m)
	}
	if t.Failed() {
		t.Fatalf("syscope -r %s %q prints:\n%s\nsyscope -w's stderr: %s", out, flt, r.stdout, stderr)
	}
	for _, l := range lines {
		t.Logf("%s", l)
	}
	if sd := sysdigPath(t); sd != "" {
		s := runSysdig(t, sd, "-r", out, flt)
		if s.code != 0 {
			t.Fatalf("sysdig -r: exit %d: %s", s.code, s.stderr)
		}
		for _, l := range lines {
			if !bytes.Contains(s.stdout, l) {
				t.Errorf("sysdig -r does not print\n  %s", l)
			}
		}
		if d := firstDiff(s.stdout, r.stdout); d != "" {
			t.Errorf("sysdig -r %q differs from syscope at %s", flt, d)
		}
	}
}

// startSyscope runs syscope ARGS (the test binary as syscope) with env
// added to its environment and waits until its probe is attached with
// opts; stop sends SIGINT, waits for it to exit 0 and returns its
// standard error.
func startSyscope(t *testing.T, env []string, opts probe.Options, args ...string) (stop func() string) {
	t.Helper()
	r := launchSyscope(t, env, opts, args...)
	return func() string {
		t.Helper()
		r.signal(syscall.SIGINT)
		return r.wait()
	}
}

// syscopeRun is a syscope process started by launchSyscope.
type syscopeRun struct {
	t       *testing.T
	cmd     *exec.Cmd
	args    []string
	stderr  bytes.Buffer // read once done has said it exited
	done    chan error
	stopped bool // wait was called: the cleanup leaves the process alone
}

// launchSyscope starts syscope ARGS (the test binary as syscope) with env
// added to its environment and returns once its probe is attached with
// opts. The test's cleanup kills it if wait was not called.
func launchSyscope(t *testing.T, env []string, opts probe.Options, args ...string) *syscopeRun {
	t.Helper()
	r := &syscopeRun{t: t, cmd: exec.Command(os.Args[0], args...), args: args, done: make(chan error, 1)}
	r.cmd.Env = append(append(os.Environ(), "SYSCOPE_TEST_MAIN=1"), env...)
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	want := len(probe.Tracepoints(opts))
	deadline := time.Now().Add(time.Minute)
	for n := 0; n < want; n = countLinks(r.cmd.Process.Pid) {
		select {
		case err := <-r.done:
			t.Fatalf("syscope %s exited before its probe was attached: %v\n%s", strings.Join(args, " "), err, r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.cmd.Process.Kill()
			<-r.done
			t.Fatalf("syscope's probe was not attached after a minute (%d of %d links)\n%s", n, want, r.stderr.String())
		}
	}
	t.Cleanup(func() {
		if !r.stopped {
			r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

func (r *syscopeRun) signal(sig os.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signal syscope: %v", err)
	}
}

// wait waits for syscope to exit 0, by itself or after signal, and returns
// its standard error.
func (r *syscopeRun) wait() string {
	r.t.Helper()
	r.stopped = true
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Fatalf("syscope %s: %v\n%s", strings.Join(r.args, " "), err, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
		r.t.Fatalf("syscope %s did not exit within 30 s\n%s", strings.Join(r.args, " "), r.stderr.String())
	}
	return r.stderr.String()
}

// countLinks counts the BPF links process pid holds: one per attached
// tracepoint.
func countLinks(pid int) int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && target == "anon_inode:bpf_link" {
			n++
		}
	}
	return n
}
