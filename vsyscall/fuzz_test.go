package vsyscall

import (
	"bytes"
	"compress/gzip"
	"context"
	"testing"
)

func seedELF() []byte {
	const base = 0x401000
	code := cat(nop4, movRAX(0xff600400), callRAX, ret, relTo([]byte{0xe8}, base+14, AddrGetcpu), ret)
	return buildELF(code, base, []testSym{{Name: "old_time", Value: base, Size: 14}, {Name: "direct", Value: base + 14, Size: 6}}, false)
}

// FuzzScanELF: any input gives findings or an error, never a panic, and a
// finding is always a call into the page.
func FuzzScanELF(f *testing.F) {
	elf := seedELF()
	f.Add(elf)
	f.Add(buildELF(cat(movabsRAX(AddrTime), jmpRAX), 0x1000, nil, true))
	f.Add(elf[:64])
	f.Add(elf[:200])
	f.Add([]byte("\x7fELF"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		findings, _ := ScanELF(bytes.NewReader(data), "fuzz")
		for _, fd := range findings {
			if !InPage(fd.Target) || fd.Inst == "" || fd.File != "fuzz" {
				t.Fatalf("bad finding %+v", fd)
			}
			_ = fd.String()
		}
	})
}

// FuzzScanArchive: the tar and gzip handling of image archives never
// panics.
func FuzzScanArchive(f *testing.F) {
	elf := seedELF()
	layer := tarOf(f, map[string][]byte{"bin/x": elf, "etc/y": []byte("y")})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(layer)
	zw.Close()
	f.Add(tarOf(f, map[string][]byte{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.tar": layer, "manifest.json": []byte("[]")}))
	f.Add(tarOf(f, map[string][]byte{"blobs/sha256/00": gz.Bytes()}))
	f.Add(gz.Bytes())
	f.Add(layer[:700])
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newScanner(context.Background(), "fuzz", ScanOptions{Jobs: 1, MaxFileSize: 1 << 20})
		_ = s.scanArchive(bytes.NewReader(data), "fuzz", "", 0)
		s.wait()
	})
}

// FuzzAnalyze: the disassembly of arbitrary bytes never panics, and every
// instruction it reports was flagged by the prefilter's windows.
func FuzzAnalyze(f *testing.F) {
	f.Add(cat(movRAX(0xff600400), callRAX), uint64(0x401000))
	f.Add(relTo([]byte{0xe8}, 0x1000, AddrTime), uint64(0x1000))
	f.Fuzz(func(t *testing.T, code []byte, addr uint64) {
		if len(code) > windowAfter {
			code = code[:windowAfter]
		}
		hits := analyze(code, addr)
		if len(hits) > 0 && len(candidates(code, addr)) == 0 {
			t.Fatalf("hits %v without candidates in %x at %#x", hits, code, addr)
		}
	})
}
