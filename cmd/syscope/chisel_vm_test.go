//go:build linux && amd64

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testvm"
)

// guestCrashScript runs syscope -c crashes live in the guest, waits until
// the probe is attached (its count of BPF links stops growing), runs
// oldtime, and stops syscope with SIGINT, which prints the report.
var guestCrashScript = `
ip link set lo up
uname -r` +
	testvm.StartSyscope("/syscope -c crashes proc.name=oldtime >/tmp/report.txt 2>/tmp/syscope.log", "/tmp/syscope.log", 0) + `/oldtime
echo "oldtime exit=$?"
` + testvm.StopSyscope("/tmp/syscope.log") + `echo "== report"
cat /tmp/report.txt
echo "== end"
`

// TestCrashReportLinux61 is issue 7's check: on Debian's 6.1 kernel under
// qemu with vsyscall=none, a static program calling time() through
// 0xffffffffff600400 runs while syscope -c crashes captures; the report
// names it, SIGSEGV, exit status 11, the fault at FFFFFFFFFF600400 with
// INSTRUCTION_FETCH, the frames down to the caller of time() and the
// cause in one sentence.
func TestCrashReportLinux61(t *testing.T) {
	kernel := testvm.Require(t)
	if _, err := exec.LookPath("gcc"); err != nil {
		if !testvm.InCI() {
			t.Skip("gcc is not installed (apt-get install gcc libc6-dev; CI installs it)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := testvm.AptInstall(ctx, "gcc", "libc6-dev"); err != nil {
			t.Fatalf("installing gcc: %v", err)
		}
	}
	dir := t.TempDir()
	oldtime := filepath.Join(dir, "oldtime")
	if out, err := exec.Command("gcc", "-static", "-O1", "-o", oldtime, filepath.Join("testdata", "oldtime.c")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "syscope")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build a static syscope: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := testvm.Run(ctx, testvm.Config{
		Kernel:  kernel,
		Cmdline: "vsyscall=none",
		Files:   map[string]string{"/syscope": bin, "/oldtime": oldtime},
		Script:  guestCrashScript,
		Timeout: 8 * time.Minute,
	})
	t.Logf("guest output:\n%s", out)
	if err != nil {
		t.Fatalf("the guest run failed: %v", err)
	}
	if !strings.Contains(out, "6.1.") || !strings.Contains(out, "oldtime exit=139") {
		t.Fatal("the guest did not run oldtime on Linux 6.1 to its crash")
	}
	rep := out[strings.Index(out, "== report"):]
	for _, want := range []string{
		"oldtime (/oldtime) died 1 time:",
		"SIGSEGV, exit status 11",
		"fault: addr=FFFFFFFFFF600400 ip=FFFFFFFFFF600400 error=154(PAGE_NOT_PRESENT|READ_ACCESS|USER_FAULT|INSTRUCTION_FETCH)",
		"cause: oldtime called time() in the legacy vsyscall page at 0xffffffffff600400 and this host runs with vsyscall=none",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// #0 is the vsyscall entry, #1 the caller of time(): main.
	if !regexp.MustCompile(`stack: #0 0xffffffffff600400  #1 main\+\d+ \(oldtime\)`).MatchString(rep) {
		t.Errorf("the report's stack does not go from 0xffffffffff600400 to main")
	}
}
