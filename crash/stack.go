package crash

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/syscope/syscope/vsyscall"
)

// Stack is what the probe recorded of a thread's user stack when a fatal
// signal reached it (the userstack event): the instruction pointer, the
// stack pointer and the words on top of the stack.
type Stack struct {
	IP, SP uint64
	Words  []uint64
}

// decodeStack reads the userstack event's parameters.
func decodeStack(ip, sp, words []byte) Stack {
	s := Stack{IP: leU64(ip), SP: leU64(sp)}
	for i := 0; i+8 <= len(words); i += 8 {
		s.Words = append(s.Words, binary.LittleEndian.Uint64(words[i:]))
	}
	return s
}

func leU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// mapping is an executable file mapping of a process.
type mapping struct {
	start, end, off uint64
	path            string
}

// parseMaps reads the executable file mappings of /proc/PID/maps.
func parseMaps(data []byte) []mapping {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || len(f[1]) < 3 || f[1][2] != 'x' || !strings.HasPrefix(f[5], "/") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		o, err3 := strconv.ParseUint(f[2], 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, mapping{start: s, end: e, off: o, path: strings.Join(f[5:], " ")})
	}
	return out
}

// elfFile is what symbolizing needs of one ELF file.
type elfFile struct {
	typ   elf.Type
	loads []elf.ProgHeader // PT_LOAD segments
	funcs []elf.Symbol     // function symbols, by address
}

// openELF reads the segments and function symbols (.symtab, else
// .dynsym) of the ELF file at p.
func openELF(p string) (*elfFile, error) {
	f, err := elf.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening %s for its symbols: %w", p, err)
	}
	defer f.Close()
	ef := &elfFile{typ: f.Type}
	for _, pr := range f.Progs {
		if pr.Type == elf.PT_LOAD {
			ef.loads = append(ef.loads, pr.ProgHeader)
		}
	}
	syms, _ := f.Symbols()
	dyn, _ := f.DynamicSymbols()
	for _, s := range append(syms, dyn...) {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 {
			ef.funcs = append(ef.funcs, s)
		}
	}
	sort.Slice(ef.funcs, func(i, j int) bool { return ef.funcs[i].Value < ef.funcs[j].Value })
	return ef, nil
}

// vaddrOfOffset turns a file offset into the address the file's program
// headers give it.
func (ef *elfFile) vaddrOfOffset(off uint64) (uint64, bool) {
	for _, l := range ef.loads {
		if off >= l.Off && off < l.Off+l.Filesz {
			return off - l.Off + l.Vaddr, true
		}
	}
	return 0, false
}

// executableAt reports whether vaddr is in an executable segment.
func (ef *elfFile) executableAt(vaddr uint64) bool {
	for _, l := range ef.loads {
		if l.Flags&elf.PF_X != 0 && vaddr >= l.Vaddr && vaddr < l.Vaddr+l.Memsz {
			return true
		}
	}
	return false
}

// symbol names vaddr as "name+off" ("name" at its start), or "".
func (ef *elfFile) symbol(vaddr uint64) string {
	i := sort.Search(len(ef.funcs), func(i int) bool { return ef.funcs[i].Value > vaddr }) - 1
	for ; i >= 0; i-- {
		s := ef.funcs[i]
		if vaddr < s.Value+s.Size || (s.Size == 0 && vaddr-s.Value < 1<<16) {
			if vaddr == s.Value {
				return s.Name
			}
			return fmt.Sprintf("%s+%d", s.Name, vaddr-s.Value)
		}
		if s.Value < vaddr && s.Size != 0 {
			break
		}
	}
	return ""
}

// symbolizer turns addresses of one process into frames, from its
// executable mappings (when known) and its ELF files, read through root
// (the process's /proc/PID/root when live, so a container's own files).
type symbolizer struct {
	root  string
	maps  []mapping
	exe   string // the executable's path inside root
	files map[string]*elfFile
	// onHost is set for a process outside containers, whose files can
	// also be read from our own root.
	onHost bool
}

func (s *symbolizer) file(p string) *elfFile {
	if ef, ok := s.files[p]; ok {
		return ef
	}
	ef, err := openELF(filepath.Join(s.root, p))
	if err != nil && s.root != "/" && s.onHost {
		// The process has gone with its root while we read it: on the
		// host its root is ours.
		ef, err = openELF(p)
	}
	if err != nil {
		ef = nil
	}
	s.files[p] = ef
	return ef
}

// frame names addr when it points into an executable file mapping:
// "func+off (file)" or "0xADDR (file+0xOFF)"; ok is false otherwise.
func (s *symbolizer) frame(addr uint64) (string, bool) {
	raw := ""
	for _, m := range s.maps {
		if addr < m.start || addr >= m.end {
			continue
		}
		off := addr - m.start + m.off
		base := path.Base(m.path)
		if ef := s.file(m.path); ef != nil {
			if va, ok := ef.vaddrOfOffset(off); ok {
				if name := ef.symbol(va); name != "" {
					return fmt.Sprintf("%s (%s)", name, base), true
				}
			}
		}
		raw = fmt.Sprintf("%#x (%s+%#x)", addr, base, off)
		break
	}
	if raw != "" {
		// The mapping's file could not be read (the process is gone
		// with its root) or has no symbol there: a fixed-address
		// executable may still name it.
		if f, ok := s.exeFrame(addr); ok && !strings.HasPrefix(f, "0x") {
			return f, true
		}
		return raw, true
	}
	return s.exeFrame(addr)
}

// exeFrame names addr from the executable alone, when it is one that runs
// at fixed addresses.
func (s *symbolizer) exeFrame(addr uint64) (string, bool) {
	if s.exe != "" {
		// Not in a known mapping (a capture file, or the process is
		// gone): a fixed-address executable (ET_EXEC, static ones
		// included) runs at the addresses its program headers give.
		if ef := s.file(s.exe); ef != nil && ef.typ == elf.ET_EXEC && ef.executableAt(addr) {
			if name := ef.symbol(addr); name != "" {
				return fmt.Sprintf("%s (%s)", name, path.Base(s.exe)), true
			}
			return fmt.Sprintf("%#x (%s)", addr, path.Base(s.exe)), true
		}
	}
	return "", false
}

// funcStart reports whether addr is the first byte of a known function.
func (s *symbolizer) funcStart(addr uint64) bool {
	f, ok := s.frame(addr)
	return ok && !strings.Contains(f, "+") && !strings.HasPrefix(f, "0x")
}

// Frames lists the stack as frames: #0 the instruction pointer, then
// each word of the stack that points into executable code of a file the
// process had mapped (return addresses, and some stale ones: the probe
// copies words, it does not walk frames).
func (s *symbolizer) Frames(st Stack) []string {
	var out []string
	ip := fmt.Sprintf("%#x", st.IP)
	if vsyscall.InPage(st.IP) {
		ip = fmt.Sprintf("%#x", st.IP)
	} else if f, ok := s.frame(st.IP); ok {
		ip = f
	}
	out = append(out, ip)
	for _, w := range st.Words {
		// A return address follows a call, so it is never a function's
		// first byte: such a word is a function pointer, not a frame.
		if s.funcStart(w) {
			continue
		}
		if f, ok := s.frame(w); ok {
			out = append(out, f)
		}
	}
	return out
}

// newSymbolizer prepares the symbolizer of process pid: live, it reads
// the process's memory map and files through /proc/PID; otherwise it uses
// the mappings tracked from its mmap calls and reads the files, and exe,
// from the root filesystem.
func newSymbolizer(live bool, pid int64, exe string, tracked []mapping, onHost bool) *symbolizer {
	s := &symbolizer{root: "/", exe: exe, maps: tracked, files: map[string]*elfFile{}, onHost: onHost}
	if live {
		proc := fmt.Sprintf("/proc/%d", pid)
		if data, err := os.ReadFile(proc + "/maps"); err == nil {
			s.maps = parseMaps(data)
			s.root = proc + "/root"
			// The process is dying: open its files now, while its root
			// is still there to open them through.
			for _, m := range s.maps {
				s.file(m.path)
			}
			if exe != "" {
				s.file(exe)
			}
		}
	}
	return s
}

// FormatFrames writes frames as the report shows them, on one line:
// "#0 0xffffffffff600400  #1 time+13 (libc.so.6)  #2 main (bash)".
func FormatFrames(frames []string) string {
	var b strings.Builder
	for i := 0; i < len(frames); {
		// A run of one frame (recursion) prints once, with its count.
		n := 1
		for i+n < len(frames) && i > 0 && frames[i+n] == frames[i] {
			n++
		}
		if i > 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "#%d %s", i, frames[i])
		if n > 1 {
			fmt.Fprintf(&b, " (%d times)", n)
		}
		i += n
	}
	return b.String()
}
