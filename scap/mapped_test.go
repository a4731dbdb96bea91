package scap_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/syscope/syscope/internal/benchtrace"
	"github.com/syscope/syscope/scap"
)

// mappedTranscript writes file to path, reads it back from offset skip
// through a mapping, and returns the transcript (as transcript's) and how
// much of the file the reader gave back. A file that NewReader does not
// map is a failure, unless it is gzip-compressed.
func mappedTranscript(t testing.TB, path string, file []byte, skip int64) (string, int) {
	t.Helper()
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(skip, 0); err != nil {
		t.Fatal(err)
	}
	sink := &logSink{}
	rd, err := scap.NewReader(f, sink)
	if err != nil {
		return "NewReader: " + err.Error(), 0
	}
	defer rd.Close()
	if !rd.Mapped() {
		if data := file[skip:]; len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Fatalf("a file of %d bytes was not mapped", len(data))
		}
	}
	got := transcribe(rd, sink)
	return got, scap.Released(rd)
}

// TestMapped checks that reading a file through a mapping gives what
// reading it as a stream gives: events, offsets, metadata and errors, for
// every trace, and cuts and damage of them.
func TestMapped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	defer scap.MapAll()()
	dir := t.TempDir()
	n := 0
	sameReading(t, "mapped", func(data []byte) string {
		n++
		got, _ := mappedTranscript(t, filepath.Join(dir, "f.scap"), data, 0)
		return got
	})
	if n == 0 {
		t.Fatal("no file read")
	}
}

// TestMappedOffset checks that a file opened past its start is mapped
// from where it stands.
func TestMappedOffset(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	defer scap.MapAll()()
	data := loadTraces(t)["curl_google"]
	got, _ := mappedTranscript(t, filepath.Join(t.TempDir(), "f.scap"), append([]byte("junk"), data...), 4)
	if want := transcript(t, data, false); got != want {
		t.Fatal("reading from an offset differs from reading the file alone")
	}
}

// TestMappedBlocks checks that NextBlock through a mapping hands out the
// same events and blocks as through a stream.
func TestMappedBlocks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	defer scap.MapAll()()
	dir := t.TempDir()
	blocks := func(rd *scap.Reader) string {
		var b strings.Builder
		for {
			ev, blk, err := rd.NextBlock()
			if err != nil {
				fmt.Fprintf(&b, "end %v at %d", err, rd.Offset())
				return b.String()
			}
			fmt.Fprintf(&b, "ev %d %x blk %x\n", ev.Num, ev.Raw, blk)
		}
	}
	for name, data := range loadTraces(t) {
		rd, err := scap.NewReader(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := blocks(rd)
		rd.Close()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rd, err = scap.NewReader(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !rd.Mapped() {
			t.Fatalf("%s: not mapped", name)
		}
		if got := blocks(rd); got != want {
			t.Errorf("%s: NextBlock through a mapping differs", name)
		}
		rd.Close()
		f.Close()
	}
}

// TestMappedRelease checks that the pages of a long mapped file are
// given back behind the reading, so that its size does not count as
// memory, and that the events read stay whole.
func TestMappedRelease(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	var all []byte
	for _, d := range loadTraces(t) {
		all = append(all, d...)
	}
	data := bytes.Repeat(all, 1+(12<<20)/len(all))
	got, released := mappedTranscript(t, filepath.Join(t.TempDir(), "long.scap"), data, 0)
	if released < len(data)/2 {
		t.Errorf("%d of %d bytes given back", released, len(data))
	}
	if want := transcript(t, data, false); got != want {
		t.Error("reading with pages given back differs from reading the file as a stream")
	}
}

// BenchmarkReadMapped reads a plain capture of a million events in one
// section (as scripts/bench-read.sh builds) through a mapping, decoding
// every event, as syscope -r does: events/s.
//
//	go test -run '^$' -bench ReadMapped ./scap
func BenchmarkReadMapped(b *testing.B) {
	traces := loadTraces(b)
	var big bytes.Buffer
	if _, err := benchtrace.Build(&big, 1000000, [][]byte{traces["curl_google"], traces["psp_run_as_user_0_container"]}); err != nil {
		b.Fatal(err)
	}
	data := big.Bytes()
	path := filepath.Join(b.TempDir(), "big.scap")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	events := 0
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rd, err := scap.NewReader(f, nil)
		if err != nil {
			b.Fatal(err)
		}
		events = 0
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
			events++
		}
		rd.Close()
		f.Close()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
