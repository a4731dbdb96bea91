package testvm

import (
	"context"
	"os"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI (CI=true), where a missing tool
// must be installed, and a test that cannot get it fails instead of
// skipping.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require prepares a test that boots a VM: it skips the test under
// -short; installs qemu and busybox-static when missing and in CI (or when
// SYSCOPE_TESTVM_INSTALL=1); then fetches the kernel. What cannot be had
// fails the test in CI and skips it elsewhere. It returns the kernel's
// path.
func Require(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("boots a VM under qemu (10-30 s): skipped with -short")
	}
	unavailable := func(format string, args ...any) {
		t.Helper()
		if InCI() {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if missing := Missing(); len(missing) > 0 {
		if !InCI() && os.Getenv("SYSCOPE_TESTVM_INSTALL") != "1" {
			t.Skipf("missing %v (set CI=true or SYSCOPE_TESTVM_INSTALL=1 to install them)", missing)
		}
		if err := Install(ctx); err != nil {
			unavailable("installing %v: %v", missing, err)
		}
	}
	k, err := Kernel(ctx)
	if err != nil {
		unavailable("getting the 6.1 kernel: %v", err)
	}
	return k
}
