package vsyscall

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testvm"
)

// guestScript runs, in the 6.1 guest, the vsyscall command, the time()
// benchmark, a scan, and the static test program, each section ending with
// its exit status. /syscope takes the arguments cmd/syscope does.
const guestScript = `export ` + testMainEnv + `=1
echo "== mode"; /syscope vsyscall; echo "== rc $?"
echo "== bench"; /syscope bench time -d 100ms; echo "== rc $?"
echo "== scan"; /syscope vsyscall scan /oldtime; echo "== rc $?"
echo "== oldtime"; /oldtime; echo "== rc $?"
echo "== dmesg"; dmesg | grep -i vsyscall; echo "== rc $?"
`

var sectionRE = regexp.MustCompile(`(?s)== (\w+)\n(.*?)== rc (\d+)\n`)

// guestSections splits the script's output into name -> (output, status).
func guestSections(out string) map[string][2]string {
	m := map[string][2]string{}
	for _, s := range sectionRE.FindAllStringSubmatch(out, -1) {
		m[s[1]] = [2]string{s[2], s[3]}
	}
	return m
}

// syscopeForGuest returns a static binary that runs as syscope when
// testMainEnv is set: this test binary if it is static, else one built
// from ./internal/vscmd with CGO_ENABLED=0.
func syscopeForGuest(t *testing.T) string {
	self, err := os.Executable()
	if err == nil && testvm.IsStatic(self) {
		return self
	}
	out := filepath.Join(buildDir, "syscope-static")
	cmd := exec.Command("go", "build", "-o", out, "./internal/vscmd")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./internal/vscmd: %v\n%s", err, msg)
	}
	return out
}

// TestGuest61 boots Debian's 6.1 kernel twice. Under vsyscall=none the
// command reports none, the vsyscall benchmark path crashes while the vDSO
// and syscall paths give numbers, and the static program that calls
// 0xffffffffff600400 dies with SIGSEGV (status 139), as the redis:2.8.22
// container did. Under vsyscall=emulate all three paths give numbers and
// the program runs.
func TestGuest61(t *testing.T) {
	testvm.Require(t)
	files := map[string]string{
		"/syscope": syscopeForGuest(t),
		"/oldtime": buildC(t, "oldtime", "-static"),
	}
	for _, mode := range []Mode{ModeNone, ModeEmulate} {
		t.Run(string(mode), func(t *testing.T) {
			start := time.Now()
			out, err := testvm.Run(context.Background(), testvm.Config{
				Cmdline: "vsyscall=" + string(mode),
				Files:   files,
				Script:  guestScript,
			})
			t.Logf("guest (vsyscall=%s) ran in %v:\n%s", mode, time.Since(start).Round(time.Millisecond), out)
			var se *testvm.ScriptError
			if err != nil && !errors.As(err, &se) {
				t.Fatal(err)
			}
			sec := guestSections(out)
			if s := sec["mode"]; s[1] != "0" || !strings.HasPrefix(s[0], "vsyscall mode: "+string(mode)+"\n") ||
				!strings.Contains(s[0], "kernel command line: vsyscall="+string(mode)) {
				t.Errorf("mode section: %q", s)
			}
			bench := sec["bench"]
			if bench[1] != "0" {
				t.Errorf("bench exit %s", bench[1])
			}
			vdso := regexp.MustCompile(`(?m)^  vDSO +__vdso_\w+ +[0-9.]+[kMG]? calls/s`)
			sys := regexp.MustCompile(`(?m)^  syscall +SYS_time +[0-9.]+[kMG]? calls/s .* slower than vDSO$`)
			if !vdso.MatchString(bench[0]) || !sys.MatchString(bench[0]) {
				t.Errorf("bench: no numbers for vDSO and syscall:\n%s", bench[0])
			}
			vsys := regexp.MustCompile(`(?m)^  vsyscall +call 0xffffffffff600400 +[0-9.]+[kMG]? calls/s .* slower than vDSO$`)
			scan, prog := sec["scan"], sec["oldtime"]
			if scan[1] != "1" || !strings.Contains(scan[0], "/oldtime: old_time+0x") {
				t.Errorf("scan in the guest: %q", scan)
			}
			switch mode {
			case ModeNone:
				if !strings.Contains(bench[0], "  vsyscall  call 0xffffffffff600400  crashes (SIGSEGV): this kernel runs vsyscall=none\n") {
					t.Errorf("bench: vsyscall path not reported as crashing:\n%s", bench[0])
				}
				if prog[1] != "139" || strings.Contains(prog[0], "old_time:") {
					t.Errorf("oldtime under none: status %s, output %q; want SIGSEGV (139)", prog[1], prog[0])
				}
				if !strings.Contains(sec["dmesg"][0], "vsyscall attempted with vsyscall=none") {
					t.Errorf("kernel log: %q", sec["dmesg"][0])
				}
			case ModeEmulate:
				if !vsys.MatchString(bench[0]) || !strings.Contains(bench[0], "ratios: syscall/vDSO = ") || !strings.Contains(bench[0], "vsyscall/vDSO = ") {
					t.Errorf("bench: no number for the vsyscall path:\n%s", bench[0])
				}
				if prog[1] != "0" || !strings.Contains(prog[0], "old_time: ") || !strings.Contains(prog[0], "old_getcpu: 0\n") {
					t.Errorf("oldtime under emulate: status %s, output %q", prog[1], prog[0])
				}
			}
		})
	}
}
