package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Damaged input, end to end: syscope must print every event before the
// damage exactly as for the undamaged file, then exactly one line on
// stderr naming the file and the byte offset, and exit 1, without
// panicking and without allocating what a lying length asks for.

// errLineRE is the one line syscope prints for a damaged file.
var errLineRE = regexp.MustCompile(`^syscope: (.+): offset ([0-9]+): [^\n]+\n$`)

func gunzip(tb testing.TB, raw []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// layout is what the reader finds in an undamaged, decompressed file.
type layout struct {
	data   []byte
	starts []int    // block start offsets, and the file's length last
	ends   []int64  // for each event, the offset where its block ends
	nums   []uint64 // for each event, its number
	lines  [][]byte // syscope's default output, line by line
}

func loadLayout(t *testing.T, name string) *layout {
	t.Helper()
	raw, err := os.ReadFile(tracePath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	l := &layout{data: gunzip(t, raw)}
	for p := 0; p < len(l.data); {
		l.starts = append(l.starts, p)
		p += int(binary.LittleEndian.Uint32(l.data[p+4:]))
	}
	l.starts = append(l.starts, len(l.data))
	rd, err := scap.NewReader(bytes.NewReader(l.data), nil)
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatal(err)
		}
		l.ends = append(l.ends, rd.Offset())
		l.nums = append(l.nums, ev.Num)
	}
	full := l.run(t, l.data)
	if full.code != 0 || full.stderr != "" {
		t.Fatalf("undamaged %s: exit %d, stderr %q", name, full.code, full.stderr)
	}
	l.lines = bytes.SplitAfter(full.stdout, []byte("\n"))
	return l
}

// run runs syscope on data, written to a temporary file.
func (l *layout) run(t *testing.T, data []byte, args ...string) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "damaged.scap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return runSyscope(append([]string{"-r", path}, args...)...)
}

// prefix is syscope's output for the events whose blocks end by offset p:
// the lines whose event number is at most that of the last such event.
func (l *layout) prefix(p int) []byte {
	k := sort.Search(len(l.ends), func(i int) bool { return l.ends[i] > int64(p) })
	var last uint64
	if k > 0 {
		last = l.nums[k-1]
	}
	var b []byte
	for _, line := range l.lines {
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			break
		}
		n, err := strconv.ParseUint(string(line[:sp]), 10, 64)
		if err != nil || n > last {
			break
		}
		b = append(b, line...)
	}
	return b
}

// blockAt returns the start of the block holding offset p, and whether p
// is a block boundary.
func (l *layout) blockAt(p int) (int, bool) {
	i := sort.SearchInts(l.starts, p)
	if i < len(l.starts) && l.starts[i] == p {
		return p, true
	}
	return l.starts[i-1], false
}

// checkDamaged checks a run on damaged input whose damage starts in the
// block at offset blk, everything before offset good being intact.
func (l *layout) checkDamaged(t *testing.T, r result, good, blk int) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	m := errLineRE.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr is not one line naming the file and offset: %q", r.stderr)
	}
	if filepath.Base(m[1]) != "damaged.scap" {
		t.Errorf("stderr names %q, not the file", m[1])
	}
	if m[2] != strconv.Itoa(blk) {
		t.Errorf("stderr names offset %s, want %d: %q", m[2], blk, r.stderr)
	}
	if d := firstDiff(l.prefix(good), r.stdout); d != "" {
		t.Errorf("stdout is not the undamaged output's prefix: %s", d)
	}
}

func TestBadInputNotScap(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":   {},
		"text":    []byte("hello, world\n"),
		"gzipped": gzipped([]byte("not a capture\n")),
		"zeros":   make([]byte, 100),
	} {
		t.Run(name, func(t *testing.T) {
			l := &layout{}
			r := l.run(t, data)
			l.checkDamaged(t, r, 0, 0)
		})
	}
}

func TestBadInputTruncated(t *testing.T) {
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		t.Run(name, func(t *testing.T) {
			l := loadLayout(t, name)
			var cuts []int
			for p := 1; p < len(l.data); p += 2003 {
				cuts = append(cuts, p)
			}
			for i, s := range l.starts {
				if i < 6 || i%97 == 0 || i > len(l.starts)-4 {
					for _, d := range []int{-1, 0, 1, 8, 10, 30} {
						if p := s + d; p > 0 && p < len(l.data) {
							cuts = append(cuts, p)
						}
					}
				}
			}
			for _, p := range cuts {
				r := l.run(t, l.data[:p])
				blk, boundary := l.blockAt(p)
				if boundary && p >= l.starts[1] {
					// The file just ends there.
					if r.code != 0 || r.stderr != "" {
						t.Fatalf("cut at block boundary %d: exit %d, stderr %q", p, r.code, r.stderr)
					}
					if d := firstDiff(l.prefix(p), r.stdout); d != "" {
						t.Fatalf("cut at %d: %s", p, d)
					}
					continue
				}
				l.checkDamaged(t, r, p, blk)
				if t.Failed() {
					t.Fatalf("(cut at %d of %d)", p, len(l.data))
				}
			}
		})
	}
}

// TestBadInputTruncatedGzip cuts the compressed file: the output must be a
// prefix of the whole output, followed by one line on stderr.
func TestBadInputTruncatedGzip(t *testing.T) {
	raw, err := os.ReadFile(tracePath(t, "curl_google"))
	if err != nil {
		t.Fatal(err)
	}
	l := loadLayout(t, "curl_google")
	full := bytes.Join(l.lines, nil)
	for p := 10; p < len(raw)-8; p += 1009 {
		r := l.run(t, raw[:p])
		if r.code != 1 || !errLineRE.MatchString(r.stderr) {
			t.Fatalf("cut at %d: exit %d, stderr %q", p, r.code, r.stderr)
		}
		if !bytes.HasPrefix(full, r.stdout) || (len(r.stdout) > 0 && r.stdout[len(r.stdout)-1] != '\n') {
			t.Fatalf("cut at %d: stdout is not a prefix of whole lines of the full output", p)
		}
	}
}

// TestBadInputAbsurdLength appends to the first blocks of a file a block
// whose length claims up to 4 GiB.
func TestBadInputAbsurdLength(t *testing.T) {
	l := loadLayout(t, "curl_google")
	cut := l.starts[len(l.starts)/2]
	base := l.run(t, l.data[:cut])
	for _, tc := range []struct {
		name   string
		typ    uint32
		length uint32
	}{
		{"event", 0x204, 0xFFFFFFF0},
		{"proclist", 0x215, 0xFFFFFFF0},
		{"proclist_500MiB", 0x215, 500 << 20},
		{"large_event_250MiB", 0x221, 250 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blk := make([]byte, 8, 1024)
			binary.LittleEndian.PutUint32(blk[0:], tc.typ)
			binary.LittleEndian.PutUint32(blk[4:], tc.length)
			blk = append(blk, bytes.Repeat([]byte{0x5A}, 1016)...)
			data := append(append([]byte(nil), l.data[:cut]...), blk...)
			path := filepath.Join(t.TempDir(), "damaged.scap")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			var r result
			var a, b runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&a)
			r = runSyscope("-r", path)
			runtime.ReadMemStats(&b)
			l.checkDamaged(t, r, cut, cut)
			if !bytes.Equal(r.stdout, base.stdout) {
				t.Errorf("output differs from that of the file cut before the block")
			}
			// The whole run, state and printing included, of a file of
			// 70 KiB: a few MiB, nowhere near what the block claims.
			if alloc := b.TotalAlloc - a.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}

// TestBadInputParamOverrun damages an event's parameter lengths so that
// they run past its block.
func TestBadInputParamOverrun(t *testing.T) {
	for _, name := range []string{"curl_google", "psp_run_as_user_0_container"} {
		t.Run(name, func(t *testing.T) {
			l := loadLayout(t, name)
			// The 200th event block with parameters.
			n := 0
			for _, s := range l.starts[:len(l.starts)-1] {
				typ := binary.LittleEndian.Uint32(l.data[s:])
				if typ != 0x204 && typ != 0x216 {
					continue
				}
				ev := s + 8 + 2
				if typ == 0x216 && binary.LittleEndian.Uint32(l.data[ev+22:]) == 0 {
					continue
				}
				info := event.Lookup(event.Code(binary.LittleEndian.Uint16(l.data[ev+20:])))
				if typ == 0x204 && (info == nil || len(info.Params) == 0) {
					continue
				}
				n++
				if n < 200 {
					continue
				}
				hl := 26
				if typ == 0x204 {
					hl = 22
				}
				data := append([]byte(nil), l.data...)
				binary.LittleEndian.PutUint16(data[ev+hl:], 0xFFFF)
				r := l.run(t, data)
				l.checkDamaged(t, r, s, s)
				return
			}
			t.Fatal("no event to damage")
		})
	}
}

// TestBadInputTruncatedVsSysdig checks a few cuts against the real sysdig,
// which also prints the events before the damage and exits with 1 (its
// message differs by design).
func TestBadInputTruncatedVsSysdig(t *testing.T) {
	sd := sysdigPath(t)
	if sd == "" {
		t.Skip("needs sysdig")
	}
	l := loadLayout(t, "curl_google")
	for _, p := range []int{1, 27, 5000, l.starts[3] + 5, l.starts[60], l.starts[60] + 3, 80001, 100000, 120007, len(l.data) - 1} {
		path := filepath.Join(t.TempDir(), "damaged.scap")
		if err := os.WriteFile(path, l.data[:p], 0o644); err != nil {
			t.Fatal(err)
		}
		want := runSysdig(t, sd, "-r", path)
		got := runSyscope("-r", path)
		if d := firstDiff(want.stdout, got.stdout); d != "" || want.code != got.code {
			t.Errorf("cut at %d: exit %d, sysdig %d; stdout: %s", p, got.code, want.code, d)
		}
	}
}
