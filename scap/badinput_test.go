package scap_test

// Damaged and hostile input: the reader must return every event before the
// damage, then one *scap.Error naming the offset of the damaged block,
// without panicking and without allocating what a lying length asks for.

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// tracesDir finds the real trace files: $SYSCOPE_TRACES, or shared/traces
// beside the repository. Without them the test fails in CI and is skipped
// elsewhere.
func tracesDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			tb.Fatal(err)
		}
		root := wd
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				tb.Fatalf("no go.mod above %s", wd)
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "traces")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("trace files not found (set SYSCOPE_TRACES): %v", err)
		}
		tb.Skipf("trace files not found (set SYSCOPE_TRACES): %v", err)
	}
	return dir
}

// tracePaths returns the paths of every trace file, in order; none is a
// failure.
func tracePaths(tb testing.TB) []string {
	tb.Helper()
	dir := tracesDir(tb)
	names, err := filepath.Glob(filepath.Join(dir, "*.scap"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no trace files in %s (%v)", dir, err)
	}
	return names
}

// loadTraces returns every trace file, decompressed, by base name.
func loadTraces(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, n := range tracePaths(tb) {
		out[strings.TrimSuffix(filepath.Base(n), ".scap")] = gunzipFile(tb, n)
	}
	return out
}

func gunzipFile(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return raw
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return data
}

// block is one block of a well-formed file, found by walking the lengths.
type block struct {
	start, end int
	typ        uint32
}

func blocksOf(tb testing.TB, data []byte) []block {
	tb.Helper()
	var bs []block
	for p := 0; p < len(data); {
		if len(data)-p < 12 {
			tb.Fatalf("trailing %d bytes at %d", len(data)-p, p)
		}
		typ := binary.LittleEndian.Uint32(data[p:])
		n := int(binary.LittleEndian.Uint32(data[p+4:]))
		if n < 12 || p+n > len(data) {
			tb.Fatalf("bad block length %d at %d", n, p)
		}
		bs = append(bs, block{p, p + n, typ})
		p += n
	}
	return bs
}

func isEventBlock(t uint32) bool {
	switch t {
	case 0x204, 0x208, 0x216, 0x217, 0x221, 0x222, 0x8010ABCD:
		return true
	}
	return false
}

// readResult is what reading a whole input gave.
type readResult struct {
	ends   []int64 // for each event, the reader's offset after it: the end of its block
	err    error   // nil at a clean end of file
	newErr bool    // the error came from NewReader
	off    int64   // bytes of the (decompressed) stream the reader consumed
}

// readAll reads data to its end or first error, checking the invariants
// that hold for any input: no panic, errors are *scap.Error, every
// parameter lies inside its event.
func readAll(tb testing.TB, data []byte, sink scap.Sink) (res readResult) {
	tb.Helper()
	defer func() {
		// A panic fails this case alone, with its stack.
		if r := recover(); r != nil {
			tb.Fatalf("panic reading %d bytes: %v\n%s", len(data), r, debug.Stack())
		}
	}()
	rd, err := scap.NewReader(bytes.NewReader(data), sink)
	if err != nil {
		res.err, res.newErr = err, true
		checkErr(tb, err)
		return res
	}
	defer func() { res.off = rd.Offset() }()
	for ev, err := range rd.Events() {
		if err != nil {
			res.err = err
			checkErr(tb, err)
			return res
		}
		checkEvent(tb, ev)
		res.ends = append(res.ends, rd.Offset())
		if len(res.ends) > len(data) {
			tb.Fatalf("more events (%d) than input bytes (%d)", len(res.ends), len(data))
		}
	}
	return res
}

func checkErr(tb testing.TB, err error) {
	tb.Helper()
	var se *scap.Error
	if !errors.As(err, &se) {
		tb.Fatalf("error %v (%T) is not a *scap.Error", err, err)
	}
	if se.Offset < 0 {
		tb.Fatalf("error %v has a negative offset", err)
	}
	if !strings.Contains(err.Error(), "offset") {
		tb.Fatalf("error %q does not name its offset", err)
	}
}

func checkEvent(tb testing.TB, ev *event.Event) {
	tb.Helper()
	if ev.Info == nil {
		tb.Fatalf("event %d of type %d has no Info", ev.Num, ev.Type)
	}
	if ev.NParams() < 0 || ev.NParams() > event.MaxParams {
		tb.Fatalf("event %d claims %d parameters", ev.Num, ev.NParams())
	}
	total := 0
	for i := 0; i < ev.NParams(); i++ {
		total += len(ev.Param(i))
	}
	if total > len(ev.Raw) {
		tb.Fatalf("event %d: parameters of %d bytes in an event of %d", ev.Num, total, len(ev.Raw))
	}
	_ = ev.Param(ev.NParams())
	_ = ev.Param(-1)
	_ = ev.Name()
}

func TestEmptyFile(t *testing.T) {
	res := readAll(t, nil, nil)
	if !res.newErr || !errors.Is(res.err, scap.ErrNotScap) {
		t.Fatalf("empty file: got %v, want a NewReader error wrapping ErrNotScap", res.err)
	}
}

func TestNotScap(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("hello, this is not a capture file\n"))
	zw.Close()
	inputs := map[string][]byte{
		"text":          []byte("hello, this is not a capture file\n"),
		"one byte":      {0x0a},
		"seven bytes":   {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0},
		"elf":           append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 120)...),
		"gzipped text":  gz.Bytes(),
		"gzip header":   gz.Bytes()[:10],
		"pcap":          {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0},
		"zeros":         make([]byte, 4096),
		"section magic": sectionHeader(0x4D3C2B1A), // big-endian magic
	}
	for name, data := range inputs {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			res := readAll(t, data, nil)
			if res.err == nil {
				t.Fatalf("read %d events and no error", len(res.ends))
			}
			if !res.newErr {
				t.Fatalf("NewReader accepted it; Next failed with %v", res.err)
			}
		})
	}
}

// sectionHeader builds a section header block with the given magic.
func sectionHeader(magic uint32) []byte {
	b := make([]byte, 28)
	binary.LittleEndian.PutUint32(b[0:], 0x0A0D0D0A)
	binary.LittleEndian.PutUint32(b[4:], 28)
	binary.LittleEndian.PutUint32(b[8:], magic)
	binary.LittleEndian.PutUint16(b[12:], 1)
	binary.LittleEndian.PutUint16(b[14:], 2)
	binary.LittleEndian.PutUint64(b[16:], ^uint64(0))
	binary.LittleEndian.PutUint32(b[24:], 28)
	return b
}

// TestTruncated cuts every trace at many positions: every byte of the
// smallest, and for the others a stride plus positions around a sample of
// block boundaries. At a block boundary the file simply ends;
// anywhere else the reader must return the events of the complete blocks
// and then an error naming the offset of the cut block.
func TestTruncated(t *testing.T) {
	traces := loadTraces(t)
	smallest := ""
	for name, data := range traces {
		if smallest == "" || len(data) < len(traces[smallest]) {
			smallest = name
		}
	}
	names := make([]string, 0, len(traces))
	for n := range traces {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		data := traces[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			full := readAll(t, data, nil)
			if full.err != nil {
				t.Fatalf("undamaged file: %v", full.err)
			}
			bs := blocksOf(t, data)
			var cuts []int
			if name == smallest && !testing.Short() {
				for p := 0; p < len(data); p++ {
					cuts = append(cuts, p)
				}
			} else {
				for p := 0; p < len(data); p += 509 {
					cuts = append(cuts, p)
				}
				// Around the boundaries of the first blocks (the metadata),
				// the last ones, and a sample between: inside the block
				// header, the event header and the parameter lengths.
				for i, b := range bs {
					if i > 8 && i%40 != 0 && i < len(bs)-4 {
						continue
					}
					for _, d := range []int{-2, -1, 0, 1, 2, 4, 7, 8, 9, 12, 16, 20, 24, 26, 28, 30, 34} {
						if p := b.start + d; p >= 0 && p < len(data) {
							cuts = append(cuts, p)
						}
					}
				}
			}
			for _, p := range cuts {
				checkCut(t, data[:p], bs, full.ends)
			}
		})
	}
}

// checkCut reads a prefix of a file whose blocks and event ends are known.
func checkCut(t *testing.T, cut []byte, bs []block, ends []int64) {
	t.Helper()
	p := len(cut)
	res := readAll(t, cut, nil)
	want := sort.Search(len(ends), func(i int) bool { return ends[i] > int64(p) })
	if len(res.ends) != want {
		t.Fatalf("cut at %d: read %d events, want %d (error %v)", p, len(res.ends), want, res.err)
	}
	i := sort.Search(len(bs), func(i int) bool { return bs[i].end > p })
	atBoundary := p == 0 || (i < len(bs) && bs[i].start == p)
	if p == 0 || i == 0 {
		// No complete section header: not a capture file.
		if !res.newErr {
			t.Fatalf("cut at %d: want a NewReader error, got %v", p, res.err)
		}
		return
	}
	if atBoundary {
		if res.err != nil {
			t.Fatalf("cut at block boundary %d: %v", p, res.err)
		}
		return
	}
	var se *scap.Error
	if !errors.As(res.err, &se) {
		t.Fatalf("cut at %d inside block %d..%d: no error", p, bs[i].start, bs[i].end)
	}
	if se.Offset != int64(bs[i].start) {
		t.Fatalf("cut at %d inside block %d..%d: error names offset %d: %v", p, bs[i].start, bs[i].end, se.Offset, res.err)
	}
}

// TestTruncatedGzip cuts the compressed files: the reader must stop with
// a *scap.Error after a prefix of the events.
func TestTruncatedGzip(t *testing.T) {
	dir := tracesDir(t)
	for _, name := range []string{"curl_google", "ping_sendto"} {
		raw, err := os.ReadFile(filepath.Join(dir, name+".scap"))
		if err != nil {
			t.Fatal(err)
		}
		full := readAll(t, raw, nil)
		if full.err != nil {
			t.Fatalf("%s: %v", name, full.err)
		}
		for p := 1; p < len(raw)-8; p += 97 {
			res := readAll(t, raw[:p], nil)
			if res.err == nil {
				t.Fatalf("%s cut at %d of %d compressed bytes: no error", name, p, len(raw))
			}
			if len(res.ends) > len(full.ends) {
				t.Fatalf("%s cut at %d: %d events, more than the %d of the whole file", name, p, len(res.ends), len(full.ends))
			}
			for k := range res.ends {
				if res.ends[k] != full.ends[k] {
					t.Fatalf("%s cut at %d: event %d ends at %d, not %d", name, p, k+1, res.ends[k], full.ends[k])
				}
			}
		}
	}
}

// damaged returns a copy of data with f applied to it.
func damaged(data []byte, f func(b []byte) []byte) []byte {
	return f(append([]byte(nil), data...))
}

// totalAlloc measures the bytes allocated by f.
func totalAlloc(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestAbsurdLength puts, after some events, a block whose length asks for
// up to 4 GiB while the file holds a few bytes more: the reader must
// report it at that block's offset and allocate no more than it read.
func TestAbsurdLength(t *testing.T) {
	traces := loadTraces(t)
	for _, name := range []string{"curl_google", "ping_sendto"} {
		data := traces[name]
		bs := blocksOf(t, data)
		full := readAll(t, data, nil)
		// Cut after the 20th event block.
		var cut int
		nev := 0
		for _, b := range bs {
			if isEventBlock(b.typ) {
				nev++
				if nev == 20 {
					cut = b.end
					break
				}
			}
		}
		wantEvents := sort.Search(len(full.ends), func(i int) bool { return full.ends[i] > int64(cut) })
		evType := bs[len(bs)-1].typ
		for _, tc := range []struct {
			name   string
			typ    uint32
			length uint32
		}{
			{"event_4GiB", evType, 0xFFFFFFF0},
			{"event_1MiB", evType, 1 << 20},
			{"proclist_4GiB", 0x215, 0xFFFFFFF0},
			{"proclist_500MiB", 0x215, 500 << 20},
			{"fdlist_500MiB", 0x218, 500 << 20},
			{"large_event_250MiB", 0x221, 250 << 20},
			{"unknown_block_500MiB", 0x7777, 500 << 20},
			{"short", evType, 11},
			{"zero", 0x215, 0},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				hdr := make([]byte, 8, 8+4096)
				binary.LittleEndian.PutUint32(hdr[0:], tc.typ)
				binary.LittleEndian.PutUint32(hdr[4:], tc.length)
				hdr = append(hdr, bytes.Repeat([]byte{0xA5}, 4096)...)
				in := append(append([]byte(nil), data[:cut]...), hdr...)
				var res readResult
				alloc := totalAlloc(func() { res = readAll(t, in, nil) })
				if len(res.ends) != wantEvents {
					t.Errorf("read %d events, want %d", len(res.ends), wantEvents)
				}
				var se *scap.Error
				if !errors.As(res.err, &se) {
					t.Fatalf("no error: %v", res.err)
				}
				if se.Offset != int64(cut) {
					t.Errorf("error names offset %d, want %d: %v", se.Offset, cut, res.err)
				}
				if limit := uint64(8 << 20); alloc > limit {
					t.Errorf("allocated %d bytes reading %d, more than %d", alloc, len(in), limit)
				}
			})
		}
	}
}

// TestParamOverrun damages one event's parameter lengths, or its own
// length, so that they run past its block.
func TestParamOverrun(t *testing.T) {
	traces := loadTraces(t)
	for _, name := range []string{"curl_google", "ping_sendto", "psp_privileged", "cat_write"} {
		data := traces[name]
		bs := blocksOf(t, data)
		full := readAll(t, data, nil)
		// The 30th event block with at least one parameter.
		var target block
		nev := 0
		for _, b := range bs {
			if !isEventBlock(b.typ) {
				continue
			}
			if lenOff(b, data, 0) < 0 {
				continue
			}
			nev++
			if nev == 30 {
				target = b
				break
			}
		}
		if target.end == 0 {
			t.Fatalf("%s: no suitable event", name)
		}
		wantEvents := sort.Search(len(full.ends), func(i int) bool { return full.ends[i] > int64(target.start) })
		for _, tc := range []struct {
			name string
			f    func(b []byte) []byte
		}{
			{"param0_0xFFFF", func(b []byte) []byte {
				binary.LittleEndian.PutUint16(b[lenOff(target, data, 0):], 0xFFFF)
				return b
			}},
			{"param0_past_block", func(b []byte) []byte {
				binary.LittleEndian.PutUint16(b[lenOff(target, data, 0):], uint16(target.end-target.start))
				return b
			}},
			{"evlen_0xFFFFFFFF", func(b []byte) []byte {
				binary.LittleEndian.PutUint32(b[evOff(target, data)+16:], 0xFFFFFFFF)
				return b
			}},
			{"evlen_too_short", func(b []byte) []byte {
				binary.LittleEndian.PutUint32(b[evOff(target, data)+16:], 3)
				return b
			}},
			{"evlen_inside_header", func(b []byte) []byte {
				// Long enough for a V1 header, not for a V2 one.
				binary.LittleEndian.PutUint32(b[evOff(target, data)+16:], 24)
				return b
			}},
			{"nparams_huge", func(b []byte) []byte {
				if target.typ == 0x204 || target.typ == 0x208 {
					// V1 events have no parameter count: make the lengths
					// add up to one byte more than the event.
					o := lenOff(target, data, 0)
					binary.LittleEndian.PutUint16(b[o:], binary.LittleEndian.Uint16(b[o:])+1)
					return b
				}
				binary.LittleEndian.PutUint32(b[evOff(target, data)+22:], 0xFFFFFFF)
				return b
			}},
			{"block_shorter_than_header", func(b []byte) []byte {
				// A block of 16 bytes, then the rest of the old block is
				// read as the next block.
				binary.LittleEndian.PutUint32(b[target.start+4:], 16)
				return b
			}},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				in := damaged(data, tc.f)
				res := readAll(t, in, nil)
				if len(res.ends) != wantEvents {
					t.Errorf("read %d events, want %d (error %v)", len(res.ends), wantEvents, res.err)
				}
				var se *scap.Error
				if !errors.As(res.err, &se) {
					t.Fatalf("no error after %d events", len(res.ends))
				}
				if se.Offset != int64(target.start) {
					t.Errorf("error names offset %d, want %d: %v", se.Offset, target.start, res.err)
				}
			})
		}
	}
}

// evOff is the offset of the event header inside an event block.
func evOff(b block, data []byte) int {
	switch b.typ {
	case 0x208, 0x217, 0x222:
		return b.start + 8 + 6
	}
	return b.start + 8 + 2
}

// lenOff is the offset of the length of parameter i of an event block, or
// -1 when the event has no such parameter.
func lenOff(b block, data []byte, i int) int {
	ev := evOff(b, data)
	hl := 26
	if b.typ == 0x204 || b.typ == 0x208 {
		hl = 22
		info := event.Lookup(event.Code(binary.LittleEndian.Uint16(data[ev+20:])))
		if info == nil || len(info.Params) <= i {
			return -1
		}
	} else if int(binary.LittleEndian.Uint32(data[ev+22:])) <= i {
		return -1
	}
	return ev + hl + 2*i
}
