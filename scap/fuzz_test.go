package scap_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/syscope/syscope/scap"
)

// countSink receives metadata and touches every field it is given, so that
// the fuzzer reaches the metadata parsers with a sink attached.
type countSink struct{ n, bytes int }

func (s *countSink) Machine(m *scap.MachineInfo) { s.n++; s.bytes += len(m.Hostname) }
func (s *countSink) Process(p *scap.Process) {
	s.n++
	s.bytes += len(p.Comm) + len(p.Exe) + len(p.ExePath) + len(p.Cwd) + len(p.Root)
	for _, l := range [][]string{p.Args, p.Env, p.Cgroups} {
		for _, a := range l {
			s.bytes += len(a)
		}
	}
}
func (s *countSink) FD(tid int64, f *scap.FDInfo) { s.n++; s.bytes += len(f.Name) }
func (s *countSink) User(u *scap.User)            { s.n++; s.bytes += len(u.Name) + len(u.Home) + len(u.Shell) }
func (s *countSink) Group(g *scap.Group)          { s.n++; s.bytes += len(g.Name) }
func (s *countSink) Interfaces(l []scap.Interface) {
	s.n++
	for _, it := range l {
		s.bytes += len(it.Name)
	}
}

// FuzzReader feeds arbitrary bytes to the reader, which must read them to
// the end or to an error without panicking, return only *scap.Error
// errors, keep every parameter inside its event, and allocate in
// proportion to what it read, never what a length field claims.
func FuzzReader(f *testing.F) {
	names := tracePaths(f)
	// Small seeds: the fuzzer mutates, and minimizes, small inputs much
	// faster. From each trace: the blocks that fit in 16 KiB (skipping the
	// large process list), and its first 4 KiB (a cut process list).
	for _, n := range names {
		data := gunzipFile(f, n)
		var seed []byte
		for _, b := range blocksOf(f, data) {
			if len(seed)+b.end-b.start <= 16<<10 {
				seed = append(seed, data[b.start:b.end]...)
			}
		}
		f.Add(seed)
		f.Add(data[:min(len(data), 4096)])
	}
	// One compressed seed, to reach the gzip path.
	raw, err := os.ReadFile(names[0])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(sectionHeader(0x1A2B3C4D))
	zw.Close()
	f.Add(gz.Bytes())
	f.Add(sectionHeader(0x1A2B3C4D))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var sink countSink
		res := readAll(t, data, &sink)
		runtime.ReadMemStats(&after)
		read := max(int64(len(data)), res.off) // res.off counts decompressed bytes
		alloc := after.TotalAlloc - before.TotalAlloc
		if limit := uint64(32<<20 + 64*read); alloc > limit {
			t.Fatalf("allocated %d bytes for %d bytes of input (limit %d)", alloc, read, limit)
		}
	})
}

// FuzzMapped reads arbitrary bytes both from a mapped file and as a
// stream: the events, metadata, errors and offsets must be the same, and
// a plain copy by runs of blocks (NextRun) must write what a copy block
// by block writes.
func FuzzMapped(f *testing.F) {
	names := tracePaths(f)
	for _, n := range names {
		data := gunzipFile(f, n)
		f.Add(data[:min(len(data), 8192)])
	}
	f.Add(sectionHeader(0x1A2B3C4D))
	restore := scap.MapAll()
	f.Cleanup(restore)
	path := filepath.Join(f.TempDir(), "f.scap")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || data[0] == 0x1f && data[1] == 0x8b {
			return // not mapped
		}
		got, _ := mappedTranscript(t, path, data, 0)
		if want := transcript(t, data, false); got != want {
			t.Fatalf("mapped reading differs:\nmapped: %q\nstream: %q", got, want)
		}
		if strings.HasPrefix(got, "NewReader: ") {
			return
		}
		want, _, werr := copyEventsErr(data)
		var out bytes.Buffer
		cerr, _ := copyRunsQuiet(path, &out, 200)
		if (werr == nil) != (cerr == nil) || werr == nil && !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("a copy by runs differs: error %v against %v, %d bytes against %d", cerr, werr, out.Len(), len(want))
		}
	})
}
