package probe

import (
	"os"
	"testing"
)

// childEnv makes the test binary, re-executed, act as a child process of
// a test instead of running tests (see vsyscallChild).
const childEnv = "SYSCOPE_PROBE_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		runChild(role) // does not return
	}
	os.Exit(m.Run())
}

// inCI reports whether the tests run in CI, where live capture must work.
func inCI() bool { return os.Getenv("CI") == "true" }
