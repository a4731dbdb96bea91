package crash

import (
	"bytes"
	"debug/elf"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
)

func TestParseMaps(t *testing.T) {
	maps := []byte(`00400000-00401000 r--p 00000000 08:01 1179878 /usr/bin/cat
00401000-00405000 r-xp 00001000 08:01 1179878 /usr/bin/cat
7ff9902e6000-7ff99047b000 r-xp 00026000 08:01 786716 /lib/x86_64-linux-gnu/libc-2.24.so
7ffd268c7000-7ffd268e8000 rw-p 00000000 00:00 0 [stack]
7ffd2693d000-7ffd2693f000 r-xp 00000000 00:00 0 [vdso]
garbage line
`)
	got := parseMaps(maps)
	want := []mapping{
		{0x401000, 0x405000, 0x1000, "/usr/bin/cat"},
		{0x7ff9902e6000, 0x7ff99047b000, 0x26000, "/lib/x86_64-linux-gnu/libc-2.24.so"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mapping %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestFormatFrames(t *testing.T) {
	got := FormatFrames([]string{"0xffffffffff600400", "time+13 (libc.so.6)", "f (a)", "f (a)", "f (a)", "main (bash)"})
	want := "#0 0xffffffffff600400  #1 time+13 (libc.so.6)  #2 f (a) (3 times)  #5 main (bash)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDecodeStack(t *testing.T) {
	s := decodeStack(tracetest.U64(0xffffffffff600400), tracetest.U64(0x7ffd00000000), append(tracetest.U64(1), tracetest.U64(2)...))
	if s.IP != 0xffffffffff600400 || s.SP != 0x7ffd00000000 || len(s.Words) != 2 || s.Words[1] != 2 {
		t.Fatalf("%+v", s)
	}
	if s := decodeStack(nil, []byte{1}, []byte{1, 2, 3}); s.IP != 0 || s.SP != 0 || len(s.Words) != 0 {
		t.Fatalf("short values: %+v", s)
	}
}

// FuzzAnalyzer feeds arbitrary events (and maps) to the analyzer: it must
// never panic, whatever the parameters claim.
func FuzzAnalyzer(f *testing.F) {
	f.Add(raw(1, 5, evPageFaultE, tracetest.U64(0xffffffffff600400), tracetest.U64(0xffffffffff600400), tracetest.U32(154)), []byte("00400000-00401000 r-xp 00000000 08:01 1 /bin/x\n"))
	f.Add(raw(1, 5, evSignalDeliverE, tracetest.U64(0), tracetest.U64(5), tracetest.U8(11)), []byte{})
	f.Add(raw(1, 5, evProcExit1E, tracetest.U64(11), tracetest.U64(0), tracetest.U8(11), tracetest.U8(0)), []byte{})
	f.Fuzz(func(t *testing.T, data, maps []byte) {
		parseMaps(maps)
		f := newFeeder(t, "")
		for len(data) >= 26 {
			var e event.Event
			if err := e.Decode(data); err != nil {
				return
			}
			n := len(e.Raw)
			e.Num = 1
			f.st.Apply(&e)
			f.a.Observe(&e)
			data = data[n:]
		}
		var b bytes.Buffer
		f.a.Report(&b)
	})
}

// The symbolizer names an address in a mapping of an ELF file from the
// file's symbols: here the C library (its .dynsym), mapped at an
// arbitrary address. (go test strips its own binary, so that will not do.)
func TestSymbolizeMapping(t *testing.T) {
	lib := "/lib/x86_64-linux-gnu/libc.so.6"
	ef, err := openELF(lib)
	if err != nil {
		t.Fatalf("a Debian system has %s: %v", lib, err)
	}
	var sym elf.Symbol
	for _, s := range ef.funcs {
		if s.Name == "__libc_start_main" && s.Size > 8 {
			sym = s
		}
	}
	if sym.Value == 0 {
		t.Fatalf("%s has no __libc_start_main among its %d functions", lib, len(ef.funcs))
	}
	// The file offset of the function, and a mapping of the file's
	// segment holding it at 0x7f0000000000.
	var seg elf.ProgHeader
	for _, l := range ef.loads {
		if sym.Value >= l.Vaddr && sym.Value < l.Vaddr+l.Filesz {
			seg = l
		}
	}
	const base = 0x7f0000000000
	m := mapping{start: base, end: base + seg.Filesz, off: seg.Off, path: lib}
	s := newSymbolizer(false, 1, "", []mapping{m}, true)
	addr := base + (sym.Value - seg.Vaddr) + 7
	f, ok := s.frame(addr)
	if want := "__libc_start_main+7 (libc.so.6)"; !ok || f != want {
		t.Errorf("frame(%#x) = %q, %v; want %q", addr, f, ok, want)
	}
	// The function's first byte is a pointer to it, not a return address.
	if !s.funcStart(base + sym.Value - seg.Vaddr) {
		t.Error("a function's first byte is not taken for a function pointer")
	}
	if _, ok := s.frame(0x1000); ok {
		t.Error("an address outside every mapping was named")
	}
}
