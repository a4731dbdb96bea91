package main

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestRotatedFilesContainers rotates a capture with containers (-G 1
// cuts it into one file per second) and reads every file after the first
// with sysdig: each starts with the container events, so the events in
// the container print its name and image as they do in the whole
// capture.
func TestRotatedFilesContainers(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	in := tracePath(t, "psp_run_as_user_0_container")
	const format = "*%evt.rawtime %thread.tid %proc.name %container.id %container.name %container.image"
	whole := runSysdig(t, sd, "-r", in, "-p", format)
	if whole.code != 0 {
		t.Fatalf("sysdig -r %s: exit %d: %s", in, whole.code, whole.stderr)
	}
	known := map[string]bool{}
	for _, l := range strings.Split(string(whole.stdout), "\n") {
		known[l] = true
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "out.scap")
	if r := runSyscope("-r", in, "-G", "1", "-w", base); r.code != 0 {
		t.Fatalf("syscope -G 1 -w: exit %d: %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(base + "*")
	sort.Strings(files)
	if len(files) < 3 {
		t.Fatalf("%d files, want one per second of the capture", len(files))
	}
	inContainer := 0
	for _, f := range files[1:] {
		r := runSysdig(t, sd, "-r", f, "-p", format)
		if r.code != 0 {
			t.Fatalf("sysdig -r %s: exit %d: %s", f, r.code, r.stderr)
		}
		for _, l := range bytes.Split(bytes.TrimSuffix(r.stdout, []byte("\n")), []byte("\n")) {
			if !known[string(l)] {
				t.Errorf("%s: %q is not as in the whole capture", filepath.Base(f), l)
				break
			}
			if bytes.Contains(l, []byte(" hopeful_taussig nginx")) {
				inContainer++
			}
		}
	}
	if inContainer == 0 {
		t.Errorf("no event of a later file shows its container's name and image")
	}
}
