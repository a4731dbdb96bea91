package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/internal/probe"
	"github.com/syscope/syscope/internal/testvm"
)

// filterWorkSource is scfilt: per round, one getppid, then an open, 100
// reads and a close of /etc/hostname.
const filterWorkSource = `#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	char buf[16];
	for (int i = 0; i < 1000; i++) {
		getppid();
		int fd = open("/etc/hostname", O_RDONLY);
		for (int j = 0; j < 100; j++)
			pread(fd, buf, sizeof buf, 0);
		close(fd);
	}
	return 0;
}
`

var driverEventsRE = regexp.MustCompile(`(?m)^Driver Events:(\d+)$`)

// TestLiveFilterInKernel checks that the filter's event types are pushed
// into the probe: with evt.type=getppid, a capture of a getppid, open,
// read and close workload holds its getppids, its opens and closes only as
// state (they change the fd table; sysdig keeps them whatever its filter),
// no reads, and the probe builds far fewer events than without the filter.
func TestLiveFilterInKernel(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	work := filepath.Join(dir, "scfilt")
	if err := testvm.CompileStatic(ctx, filterWorkSource, work); err != nil {
		if errors.Is(err, testvm.ErrNoCompiler) {
			t.Skip(err)
		}
		t.Fatal(err)
	}

	// capture runs the workload under syscope -v -w FILE ARGS and returns
	// the probe's event count and the workload's pid.
	capture := func(out string, opts probe.Options, args ...string) (uint64, int) {
		t.Helper()
		stop := startSyscope(t, nil, opts, append([]string{"-v", "-w", out}, args...)...)
		cmd := exec.Command(work)
		if msg, err := cmd.CombinedOutput(); err != nil {
			stop()
			t.Fatalf("the workload failed: %v %s", err, msg)
		}
		time.Sleep(300 * time.Millisecond)
		stderr := stop()
		m := driverEventsRE.FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("syscope -v printed no driver event count: %q", stderr)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		return n, cmd.Process.Pid
	}
	filtered := filepath.Join(dir, "filtered.scap")
	nf, pid := capture(filtered, probe.Options{NoSchedSwitch: true}, "evt.type=getppid")
	all, _ := capture(filepath.Join(dir, "all.scap"), probe.Options{})
	t.Logf("probe events: %d with evt.type=getppid, %d without a filter", nf, all)
	// Other work on the machine adds the same events to both counts,
	// which on a loaded machine brings the ratio down: half is enough to
	// tell a filter in the kernel from none.
	if nf*2 > all {
		t.Errorf("with evt.type=getppid the probe built %d events, without a filter %d: the filter is not pushed into the kernel", nf, all)
	}

	// What the filtered file holds of the workload, by event name and
	// whether it is a state-only event.
	counts := map[string]int{}
	eachEvent(t, filtered, func(ev *event.Event) {
		if ev.TID != int64(pid) {
			return
		}
		name := ev.Name()
		if name == "syscall" { // a generic event: the syscall's name
			name = event.SyscallName(event.U16(ev.Param(0)))
		}
		if ev.Flags&event.FlagStateOnly != 0 {
			name += " (state)"
		}
		counts[name]++
	})
	t.Logf("the workload's events in the filtered file: %v", counts)
	for name, want := range map[string]int{"getppid": 2000, "openat (state)": 2000, "close (state)": 2000} {
		if counts[name] != want {
			t.Errorf("%d %s events of the workload, want %d", counts[name], name, want)
		}
	}
	for name := range counts {
		if strings.HasPrefix(name, "pread") || strings.HasPrefix(name, "read") {
			t.Errorf("the filtered capture holds %d %s events", counts[name], name)
		}
	}

	// Read back, it prints the getppids and nothing else.
	res := runSyscope("-r", filtered, "-p", "%evt.type %evt.dir", "proc.pid="+strconv.Itoa(pid))
	if res.code != 0 || strings.Count(string(res.stdout), "\n") != 2000 ||
		strings.Count(string(res.stdout), "getppid >\n") != 1000 || strings.Count(string(res.stdout), "getppid <\n") != 1000 {
		t.Errorf("syscope -r of the filtered capture: exit %d, %d lines: %.300q", res.code, strings.Count(string(res.stdout), "\n"), res.stdout)
	}
}

// TestGenericMatcher checks which generic syscalls a filter keeps in the
// kernel: the event codes alone cannot tell getppid from getpid.
func TestGenericMatcher(t *testing.T) {
	id := func(nr uint16) uint16 {
		id, ok := event.NativeSyscallID(nr)
		if !ok {
			t.Fatalf("no PPM_SC code for syscall %d", nr)
		}
		return id
	}
	getppid, getpid, madvise := id(110), id(39), id(28)
	for _, tc := range []struct {
		expr                    string
		getppid, getpid, madvis bool
	}{
		{"evt.type=getppid", true, false, false},
		{"evt.type!=getppid", false, true, true},
		{"evt.type in (getpid, getppid) and proc.name=x", true, true, false},
		{"not (evt.type=getppid or proc.name=x)", false, true, true},
		{"evt.type=getppid or proc.name=x", true, true, true},
		{"(evt.type=open or evt.type=getpid) and not evt.type=madvise", false, true, false},
		{"evt.type startswith getp", true, true, false},
	} {
		f, err := filter.Compile(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		m := genericMatcher(f)
		if m == nil {
			t.Fatalf("%q: no matcher", tc.expr)
		}
		if m(getppid) != tc.getppid || m(getpid) != tc.getpid || m(madvise) != tc.madvis {
			t.Errorf("%q keeps getppid %v, getpid %v, madvise %v; want %v %v %v", tc.expr,
				m(getppid), m(getpid), m(madvise), tc.getppid, tc.getpid, tc.madvis)
		}
	}
}
