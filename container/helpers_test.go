package container_test

import (
	"os"
	"path/filepath"
	"testing"
)

// inCI is set by CI, where nothing may be skipped for want of a tool.
var inCI = os.Getenv("CI") == "true"

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
