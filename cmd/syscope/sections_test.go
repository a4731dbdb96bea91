package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSections compares syscope with sysdig on files made of several
// captures one after another (cat a.scap b.scap > ab.scap), which both
// read: sinsp restarts at each new section, with the new section's
// thread table, and consumes the container events the section begins
// with without counting them. Every trace once, then every trace twice
// in a row, in the modes where the restart shows.
func TestSections(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("sysdig is not installed")
	}
	names, err := filepath.Glob(filepath.Join(tracesDir(t), "*.scap"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no traces: %v", err)
	}
	var once, twice []byte
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		once = append(once, raw...)
		twice = append(append(twice, raw...), raw...)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
	}{{"once", once}, {"twice", twice}} {
		path := filepath.Join(dir, c.name+".scap")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, mode := range [][]string{nil, {"-j"}, {"-pc"}, {"-tr"}, {"-td"}, {"-S"}} {
			args := append([]string{"-r", path}, mode...)
			t.Run(c.name+"/"+strings.Join(mode, ""), func(t *testing.T) {
				want := runSysdig(t, sd, args...)
				got := runSyscope(args...)
				for _, p := range compare("sysdig", want, got) {
					t.Error(p)
				}
			})
		}
	}
}
