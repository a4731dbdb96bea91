package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/syscope/syscope/internal/benchtrace"
)

// longTrace builds, once per test, a plain capture of about n events from
// two real traces: long enough (over a MiB) for syscope to map it.
func longTrace(t *testing.T, n int) string {
	t.Helper()
	var inputs [][]byte
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		b, err := os.ReadFile(tracePath(t, name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	var buf bytes.Buffer
	if _, err := benchtrace.Build(&buf, n, inputs); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 2<<20 {
		t.Fatalf("the trace has %d bytes, too few to be mapped", buf.Len())
	}
	path := filepath.Join(t.TempDir(), "big.scap")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadMapped checks, against the real sysdig, what syscope prints
// and writes for a file long enough to be read through a mapping (the
// real traces are all shorter).
func TestReadMapped(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	path := longTrace(t, 50000)
	for _, args := range [][]string{
		{},
		// Filters on the thread's identity alone, whose verdicts are
		// kept per thread, and for the events without one (this
		// trace's second part has threads in no process table, and
		// switches of unknown threads).
		{"proc.name=bash"},
		{"proc.name!=bash"},
		{"-p", "%evt.num %evt.type %proc.name", "not proc.name=bash and proc.name!=sh"},
		// -p with no field that reads the threads' last events, and
		// with some.
		{"-p", "%evt.num %proc.name"},
		{"-p", "%evt.num %evt.latency %fd.num %proc.name", "proc.name=curl"},
		{"-p", "%evt.num %proc.name %fd.name %evt.args", "evt.type in (open, read, close, execve)"},
		{"-j", "evt.type=switch"},
	} {
		a := append([]string{"-r", path}, args...)
		want := runSysdig(t, sd, a...)
		got := runSyscope(a...)
		for _, d := range compare("syscope "+filepath.Base(path)+" "+join(args), want, got) {
			t.Error(d)
		}
	}
	// And a copy, whole and filtered: sysdig reads it as the original.
	// The filter is not on proc.name: in this made-up trace the second
	// trace's threads are in no process table, and sysdig names the
	// next thread of a switch "<NA>" when it saw events of it, which a
	// filtered copy drops. TestWriteRoundTrip filters on names on the
	// real traces.
	for _, flt := range []string{"", "evt.type in (open, openat, read, close) and fd.name exists"} {
		out := filepath.Join(t.TempDir(), "out.scap")
		a := []string{"-r", path, "-w", out}
		if flt != "" {
			a = append(a, flt)
		}
		if r := runSyscope(a...); r.code != 0 {
			t.Fatalf("syscope %v: exit %d: %s", a, r.code, r.stderr)
		}
		// A filtered copy holds fewer events: numbers differ, all
		// else must not (as in TestWriteRoundTrip).
		with := func(file string) []string {
			if flt == "" {
				return []string{"-r", file}
			}
			return []string{"-r", file, "-p", noNum, flt}
		}
		want := runSysdig(t, sd, with(path)...)
		got := runSysdig(t, sd, with(out)...)
		for _, d := range compare("sysdig -r of syscope -w "+flt, want, got) {
			t.Error(d)
		}
	}
}

func join(args []string) string {
	var b bytes.Buffer
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(a))
	}
	return b.String()
}

// TestReadCutShort cuts a mapped file short while syscope reads it (as
// when a capture is started again under the same name): syscope prints
// the events before the cut, then a one-line error with the offset, and
// exits 1; no crash.
func TestReadCutShort(t *testing.T) {
	path := longTrace(t, 50000)
	whole := runSyscope("-r", path)
	if whole.code != 0 {
		t.Fatalf("syscope -r: exit %d: %s", whole.code, whole.stderr)
	}
	cmd := exec.Command(os.Args[0], "-r", path)
	cmd.Env = append(os.Environ(), "SYSCOPE_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// syscope now waits on the pipe, well before the middle of the file.
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(stdout, first); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := fi.Size() / 2 &^ 4095 // at a page: what lies past it faults
	if err := os.Truncate(path, cut); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(stdout)
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("syscope exited with %v, want status 1; stderr:\n%s", err, stderr.String())
	}
	re := regexp.MustCompile(`^syscope: \S+: offset (\d+): the file was cut short while it was read\n$`)
	m := re.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("stderr: %q, want one line saying the file was cut short", stderr.String())
	}
	if off, _ := strconv.ParseInt(m[1], 10, 64); off > cut || off < cut-(64<<10) {
		t.Errorf("the error is at offset %d, the file was cut at %d", off, cut)
	}
	out := append(first, rest...)
	if len(out) == 0 || out[len(out)-1] != '\n' {
		t.Fatalf("the output does not end with a whole line")
	}
	// Every event up to the cut was printed, as reading the whole file
	// prints it.
	if !bytes.HasPrefix(whole.stdout, out) || len(out) == len(whole.stdout) {
		t.Fatalf("the output before the cut (%d bytes) is not the start of the whole file's (%d bytes)", len(out), len(whole.stdout))
	}
}
