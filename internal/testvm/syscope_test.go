package testvm

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStartSyscope runs the script parts with the host's shell (busybox's
// when there is one, as in the guest): both kinds of wait are valid shell,
// and a syscope that exits before it is attached ends the script with its
// status and its log. The attached case needs a probe: the guest tests
// (TestCrashReportLinux61, TestLiveGuestVsyscall) run it.
func TestStartSyscope(t *testing.T) {
	sh := []string{"sh"}
	if bb, err := exec.LookPath("busybox"); err == nil {
		sh = []string{bb, "sh"}
	}
	log := t.TempDir() + "/log"
	for _, links := range []int{0, 8} {
		script := StartSyscope(`sh -c 'echo no probe >&2; exit 3' 2>`+log, log, links) + "echo not reached\n" + StopSyscope(log)
		if out, err := exec.Command(sh[0], append(sh[1:], "-n", "-c", script)...).CombinedOutput(); err != nil {
			t.Fatalf("links=%d: sh -n: %v\n%s\n%s", links, err, out, script)
		}
		out, err := exec.Command(sh[0], append(sh[1:], "-c", script)...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("links=%d: exit %v, want 1", links, err)
		}
		if want := "syscope exited with status 3 before the probe was attached:\nno probe\n"; string(out) != want {
			t.Errorf("links=%d: printed %q, want %q", links, out, want)
		}
	}
	if s := StartSyscope("/syscope", "/tmp/log", 8); !strings.Contains(s, `[ "$links" -ge 8 ]`) {
		t.Errorf("links=8 does not wait for 8 links:\n%s", s)
	}
}
