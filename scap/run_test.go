package scap_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"

	"github.com/syscope/syscope/scap"
)

// copyRuns copies the file at path with NextRun where it can and
// NextBlock elsewhere, as a plain copy does, to dst; it returns the
// error that ended the copy (nil at the end of the file) and how many
// events went in runs.
func copyRuns(t *testing.T, path string, dst io.Writer, max int) (error, int) {
	t.Helper()
	err, inRuns := copyRunsQuiet(path, dst, max)
	var fe *scap.Error
	if errors.As(err, &fe) {
		t.Fatal(err)
	}
	return err, inRuns
}

// copyRunsQuiet is copyRuns, which returns a reading error too.
func copyRunsQuiet(path string, dst io.Writer, max int) (error, int) {
	f, err := os.Open(path)
	if err != nil {
		return err, 0
	}
	defer f.Close()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(f, rec)
	if err != nil {
		return err, 0
	}
	defer rd.Close()
	if !rd.Mapped() {
		return errors.New("not mapped"), 0
	}
	w := scap.NewWriter(dst, scap.WriterOptions{})
	inRuns := 0
	for {
		if !rec.Fresh {
			if run, n := rd.NextRun(max, nil); n > 0 {
				inRuns += n
				if err := w.WriteEventRun(run, n); err != nil {
					return err, inRuns
				}
				continue
			}
		}
		ev, blk, err := rd.NextBlock()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err, inRuns
		}
		if rec.Fresh {
			if err := w.WriteMeta(&rec.Meta); err != nil {
				return err, inRuns
			}
			rec.Fresh = false
		}
		if err := w.WriteEventBlock(ev, blk); err != nil {
			return err, inRuns
		}
	}
	return w.Close(), inRuns
}

// TestCopyRuns checks that a copy made of runs of blocks writes the bytes
// a copy block by block writes, for every trace and for the traces one
// after another many times (runs longer than the writer's buffer, written
// without it).
func TestCopyRuns(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	defer scap.MapAll()()
	traces := loadTraces(t)
	var names []string
	var all []byte
	for n := range traces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		all = append(all, traces[n]...)
	}
	dir := t.TempDir()
	check := func(name string, data []byte, max int) {
		path := filepath.Join(dir, "in.scap")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		want, taken := copyEvents(t, data, true)
		var got bytes.Buffer
		err, inRuns := copyRuns(t, path, &got, max)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if inRuns == 0 && taken > 0 {
			// (Old files' V1 blocks are rewritten, never taken.)
			t.Errorf("%s: no event went in a run", name)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: a copy by runs of %d bytes differs from a copy block by block (%d and %d bytes)", name, max, got.Len(), len(want))
		}
	}
	for _, n := range names {
		check(n, traces[n], 1<<20)
		check(n, traces[n], 100)
	}
	check("all traces four times", bytes.Repeat(all, 4), 1<<20)
}

// TestCopyRunsDiskFull fills the disk in the middle of a long run: the
// error says so, and the file ends with a whole block.
func TestCopyRunsDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	defer scap.MapAll()()
	var all []byte
	for _, d := range loadTraces(t) {
		all = append(all, d...)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.scap")
	if err := os.WriteFile(in, bytes.Repeat(all, 4), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.scap")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err, _ = copyRuns(t, in, &fullFile{File: f, n: 3 << 20}, 1<<20)
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("copy error = %v, want disk full", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := readPrefix(t, got, false); n == 0 {
		t.Fatal("no event survived")
	}
}
