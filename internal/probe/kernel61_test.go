//go:build linux && amd64

package probe

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testvm"
)

// TestLiveOnLinux61 runs the live tests again on a second, stock kernel:
// Debian 12's Linux 6.1 under qemu. It has the layouts this machine's 6.18
// lacks (mm_struct's rss_stat as atomics, kernfs_node.parent), so it
// checks the probe's CO-RE fallbacks really load and work.
func TestLiveOnLinux61(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("inside a child")
	}
	kernel := testvm.Require(t)
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build a static test binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "probe.test")
	build := exec.Command(gobin, "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build a static test binary: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := testvm.Run(ctx, testvm.Config{
		Kernel:  kernel,
		Cmdline: "vsyscall=xonly",
		Files:   map[string]string{"/probe.test": bin},
		Script: "ip link set lo up; uname -r; CI=true /probe.test -test.v -test.count=1 " +
			"-test.run '^(TestLiveCapture|TestScanProc)$'",
		Timeout: 8 * time.Minute,
	})
	t.Logf("guest output:\n%s", out)
	if err != nil {
		t.Fatalf("the live tests failed on Linux 6.1: %v", err)
	}
	if !strings.Contains(out, "6.1.") || !strings.Contains(out, "--- PASS: TestLiveCapture") {
		t.Fatal("the guest did not run the live tests on Linux 6.1")
	}
}
