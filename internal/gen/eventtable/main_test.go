package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestUpToDate regenerates the event table from $LIBS and compares it with
// the files in package event. It is skipped without LIBS.
func TestUpToDate(t *testing.T) {
	libs := os.Getenv("LIBS")
	if libs == "" {
		t.Skip("LIBS not set")
	}
	g := &gen{repo: libs, head: "HEAD"}
	var outs []map[string][]byte
	for i := 0; i < 2; i++ {
		h, err := g.load("HEAD", false)
		if err != nil {
			t.Fatal(err)
		}
		o, err := g.load("e5c53d64", true)
		if err != nil {
			t.Fatal(err)
		}
		files, err := build(h, o)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, files)
	}
	for name, b := range outs[0] {
		if !bytes.Equal(b, outs[1][name]) {
			t.Errorf("%s: output not deterministic", name)
		}
		have, err := os.ReadFile(filepath.Join("..", "..", "..", "event", name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Equal(have, b) {
			t.Errorf("event/%s is out of date: run LIBS=%s go generate ./event", name, libs)
		}
	}
}
