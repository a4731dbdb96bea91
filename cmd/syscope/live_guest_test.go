package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"

	"github.com/syscope/syscope/internal/guestcap"
)

// TestLiveGuestVsyscall reads the capture guestcap makes on Debian's Linux
// 6.1 under qemu, booted with vsyscall=none, where a static program calls
// time() through the vsyscall page: the capture must show the instruction
// fetch fault at FFFFFFFFFF600400, the delivery of SIGSEGV and the exit
// with status 11, and the real sysdig must print the same lines.
func TestLiveGuestVsyscall(t *testing.T) {
	path := guestcap.VsyscallCrash(t)
	if b, err := os.ReadFile(guestcap.ConsolePath(path)); err == nil {
		t.Logf("made by the guest:\n%s", b)
	}
	const flt = "proc.name=" + guestcap.Program + " and evt.type in (execve, page_fault, signaldeliver, procexit)"
	r := runSyscope("-r", path, flt)
	if r.code != 0 {
		t.Fatalf("syscope -r %s: exit %d: %s", path, r.code, r.stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\d+ \d\d:\d\d:\d\d\.\d{9} 0 oldtime \((\d+)\) < execve res=0 exe=/oldtime args= tid=\d+\(oldtime\) pid=\d+\(oldtime\) ptid=\d+\(sh\) `),
		regexp.MustCompile(`(?m)^\d+ \d\d:\d\d:\d\d\.\d{9} 0 oldtime \(\d+\) > page_fault addr=FFFFFFFFFF600400 ip=FFFFFFFFFF600400 error=154\(PAGE_NOT_PRESENT\|READ_ACCESS\|USER_FAULT\|INSTRUCTION_FETCH\) $`),
		regexp.MustCompile(`(?m)^\d+ \d\d:\d\d:\d\d\.\d{9} 0 oldtime \((\d+)\) > signaldeliver spid=0 dpid=(\d+)\(oldtime\) sig=11\(SIGSEGV\) $`),
		regexp.MustCompile(`(?m)^\d+ \d\d:\d\d:\d\d\.\d{9} 0 oldtime \(\d+\) > procexit status=11 ret=0 sig=11\(SIGSEGV\) core=0 $`),
	} {
		m := want.Find(r.stdout)
		if m == nil {
			t.Errorf("syscope -r of the guest capture has no line matching %s; it prints:\n%s", want, r.stdout)
			continue
		}
		t.Logf("%s", m)
	}
	// The fault comes before the signal, and the signal before the exit.
	if !regexp.MustCompile(`(?s)page_fault addr=FFFFFFFFFF600400 .*signaldeliver .*sig=11\(SIGSEGV\) .*procexit status=11 `).Match(r.stdout) {
		t.Errorf("the fault, the signal and the exit are out of order:\n%s", r.stdout)
	}
	if sd := sysdigPath(t); sd != "" {
		s := runSysdig(t, sd, "-r", path, flt)
		if s.code != 0 || !bytes.Equal(s.stdout, r.stdout) {
			t.Errorf("sysdig -r of the guest capture differs: exit %d %s\n%s", s.code, s.stderr, firstDiff(s.stdout, r.stdout))
		}
	}
}
