package container_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// inCI is set by CI, where nothing may be skipped for want of a tool.
var inCI = os.Getenv("CI") == "true"

var installMu sync.Mutex

// need makes sure the commands are there, installing their Debian
// packages when they are not and we are root. In CI a command that cannot
// be had fails the test; elsewhere it skips it.
func need(t *testing.T, pkgs map[string]string) {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	var missing []string
	for cmd, pkg := range pkgs {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return
	}
	fail := t.Skipf
	if inCI {
		fail = t.Fatalf
	}
	if os.Geteuid() != 0 {
		fail("missing %v and not root to install them", missing)
		return
	}
	t.Logf("installing %v", missing)
	args := append([]string{"install", "-y", "-q"}, missing...)
	cmd := exec.Command("apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		// The package lists may be missing or stale.
		if out2, err2 := exec.Command("apt-get", "update", "-q").CombinedOutput(); err2 != nil {
			fail("apt-get update: %v\n%s", err2, out2)
			return
		}
		cmd = exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err = cmd.CombinedOutput(); err != nil {
			fail("apt-get install %v: %v\n%s", missing, err, tail(out))
			return
		}
	}
	for cmd, pkg := range pkgs {
		if _, err := exec.LookPath(cmd); err != nil {
			fail("%s still missing after installing %s", cmd, pkg)
		}
	}
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}

// tracesDir finds the real trace files: $SYSCOPE_TRACES, or shared/traces
// beside the repository.
func tracesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		root := wd
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				t.Fatalf("no go.mod above %s", wd)
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "traces")
	}
	if _, err := os.Stat(dir); err != nil {
		if inCI {
			t.Fatalf("trace files not found (set SYSCOPE_TRACES): %v", err)
		}
		t.Skipf("trace files not found (set SYSCOPE_TRACES): %v", err)
	}
	return dir
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(out))
	}
	return strings.TrimSpace(string(out))
}
