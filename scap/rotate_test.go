package scap_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/syscope/syscope/scap"
)

// rotate copies data (n times over) through a Rotator and returns the
// files it wrote.
func rotate(t *testing.T, data []byte, times int, opt scap.RotateOptions) []string {
	t.Helper()
	rec := &scap.Recorder{}
	opt.Meta = func() *scap.Meta { m := rec.Meta; return &m }
	r := scap.NewRotator(opt)
	for i := 0; i < times; i++ {
		rec.Reset()
		rd, err := scap.NewReader(bytes.NewReader(data), rec)
		if err != nil {
			t.Fatal(err)
		}
		for {
			ev, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := r.WriteEvent(ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return r.Names()
}

func countEvents(t *testing.T, name string) (n int, first, last uint64) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := scap.NewReader(f, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n == 0 {
			first = ev.TS
		}
		last = ev.TS
		n++
	}
}

func checkSysdigReads(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath("sysdig"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig is not installed: .ci/run installs it")
		}
		return
	}
	if out, err := exec.Command("sysdig", "-r", name, "-q").CombinedOutput(); err != nil {
		t.Fatalf("sysdig -r %s: %v\n%s", name, err, out)
	}
}

func TestRotateSize(t *testing.T) {
	data := loadTraces(t)["psp_run_as_user_0_container"]
	dir := t.TempDir()
	base := filepath.Join(dir, "out.scap")
	// About 5 MB in all, 1 MB a file, a ring of 3 names.
	times := 5*1000000/len(data) + 1
	names := rotate(t, data, times, scap.RotateOptions{Base: base, SizeMB: 1, Files: 3})
	if len(names) < 4 {
		t.Fatalf("%d files for ~5 MB at 1 MB each: %v", len(names), names)
	}
	for i, n := range names {
		want := base + string(rune('0'+i%3))
		if n != want {
			t.Fatalf("file %d is %s, want %s", i, n, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("%d files left, want 3 (the ring)", len(entries))
	}
	total := 0
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
		// A file passes 1 MB by at most one event.
		if st.Size() > 1000000+70000 {
			t.Errorf("%s has %d bytes", p, st.Size())
		}
		n, _, _ := countEvents(t, p)
		total += n
		checkSysdigReads(t, p)
	}
	if total == 0 {
		t.Fatal("no events in the ring")
	}
}

func TestRotateSeconds(t *testing.T) {
	data := loadTraces(t)["psp_run_as_user_0_container"]
	dir := t.TempDir()
	names := rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir, "cap"), Seconds: 1})
	if len(names) < 2 {
		t.Fatalf("a trace spanning seconds gave %d files", len(names))
	}
	for i, n := range names {
		if filepath.Base(n) != "cap"+string(rune('0'+i)) {
			t.Fatalf("file %d is named %s", i, n)
		}
		c, first, last := countEvents(t, n)
		if c == 0 || last/1e9-first/1e9 >= 1 && last/1e9-first/1e9 > 1 {
			t.Errorf("%s: %d events from %d to %d", n, c, first, last)
		}
		checkSysdigReads(t, n)
	}
	// With strftime conversions the names are times.
	names = rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir, "t-%H%M%S.scap"), Seconds: 1, Files: 2})
	entries, _ := filepath.Glob(filepath.Join(dir, "t-*.scap"))
	if len(entries) != 2 || len(names) < 2 {
		t.Fatalf("ring of 2 timed files: wrote %v, left %v", names, entries)
	}
}
