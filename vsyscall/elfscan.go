package vsyscall

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// A Finding is one instruction that calls or jumps into the vsyscall page.
type Finding struct {
	// File names the ELF file: a path on disk, or for a file inside an
	// archive "ARCHIVE:/path" or "ARCHIVE[LAYER]:/path".
	File string `json:"file"`
	// Function is the symbol at or below Addr ("" when the file has no
	// symbols there) and Offset is Addr's distance from it.
	Function string `json:"function,omitempty"`
	Offset   uint64 `json:"offset"`
	// Addr is the address of the call or jump, as linked.
	Addr uint64 `json:"addr"`
	// Inst is the instruction in AT&T syntax; for a call through a
	// register it is preceded by the instruction that loaded the
	// register: "mov $0xffffffffff600400,%rax; call *%rax".
	Inst string `json:"inst"`
	// Target is the address in the vsyscall page that is called.
	Target uint64 `json:"target"`
	// Entry is "gettimeofday", "time" or "getcpu", or "" for an address
	// that is none of the three entry points.
	Entry string `json:"entry"`
	// Verdict says what the call does under each vsyscall mode.
	Verdict string `json:"verdict"`
}

// Location is the function and offset, "old_time+0x8", or the bare
// address when no symbol covers it.
func (f Finding) Location() string {
	if f.Function == "" {
		return fmt.Sprintf("%#x", f.Addr)
	}
	if f.Offset == 0 {
		return f.Function
	}
	return fmt.Sprintf("%s+%#x", f.Function, f.Offset)
}

// String is the form the scan command prints: the file, function,
// address, instruction and entry on one line, the verdict indented on the
// next.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s (%#x): %s -> vsyscall %s\n    %s",
		f.File, f.Location(), f.Addr, f.Inst, entryLabel(f.Target), f.Verdict)
}

// ErrNotELF is returned by ScanELF for input that does not start with the
// ELF magic.
var ErrNotELF = errors.New("not an ELF file")

// maxRegion bounds how much executable code ScanELF reads from one section
// or segment; nothing real is near it, and it keeps garbage headers from
// asking for absurd amounts of memory.
const maxRegion = 1 << 30

// isELF reports whether b starts with the ELF magic.
func isELF(b []byte) bool { return len(b) >= 4 && string(b[:4]) == elf.ELFMAG }

// ScanELF finds the calls and jumps into the vsyscall page in the
// executable code of the ELF file r, naming the file name in the findings.
// Files for other machines than x86-64 have no findings. It returns
// ErrNotELF for input that is not ELF at all, and an error for an ELF file
// whose headers are damaged.
func ScanELF(r io.ReaderAt, name string) ([]Finding, error) {
	var magic [4]byte
	if n, _ := r.ReadAt(magic[:], 0); n < 4 || !isELF(magic[:]) {
		return nil, ErrNotELF
	}
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, trimELFErr(err))
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return nil, nil
	}
	s := &elfScan{f: f, name: name}
	for _, reg := range execRegions(f) {
		if err := s.scanRegion(reg); err != nil {
			return s.findings, fmt.Errorf("%s: %w", name, err)
		}
	}
	sort.Slice(s.findings, func(i, j int) bool { return s.findings[i].Addr < s.findings[j].Addr })
	return s.findings, nil
}

// trimELFErr drops debug/elf's "elf: " prefix, the path being enough.
func trimELFErr(err error) error {
	if msg := err.Error(); strings.HasPrefix(msg, "elf: ") {
		return errors.New(msg[len("elf: "):])
	}
	return err
}

// A region is a run of executable code: a section, or a segment when the
// file has no section headers.
type region struct {
	addr    uint64 // link-time address of the first byte
	section int    // section index, -1 for a segment
	open    func() ([]byte, error)
	size    uint64
}

// execRegions lists the executable sections, or the executable loadable
// segments of a file without section headers.
func execRegions(f *elf.File) []region {
	var regs []region
	for i, sec := range f.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		regs = append(regs, region{addr: sec.Addr, section: i, open: sec.Data, size: sec.Size})
	}
	if len(f.Sections) > 0 {
		return regs
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_X == 0 {
			continue
		}
		p := p
		regs = append(regs, region{addr: p.Vaddr, section: -1, size: p.Filesz, open: func() ([]byte, error) {
			return io.ReadAll(p.Open())
		}})
	}
	return regs
}

type elfScan struct {
	f        *elf.File
	name     string
	findings []Finding
	syms     []elf.Symbol // function symbols sorted by value; loaded on the first finding
	symsRead bool
	seen     map[uint64]bool
}

func (s *elfScan) scanRegion(reg region) error {
	if reg.size == 0 {
		return nil
	}
	if reg.size > maxRegion {
		return fmt.Errorf("executable region at %#x: size %d is implausible", reg.addr, reg.size)
	}
	code, err := reg.open()
	if err != nil {
		return fmt.Errorf("reading executable region at %#x: %w", reg.addr, trimELFErr(err))
	}
	for _, w := range windows(candidates(code, reg.addr), len(code)) {
		for _, hit := range analyze(code[w.start:w.end], reg.addr+uint64(w.start)) {
			s.add(hit, reg)
		}
	}
	return nil
}

// A window is a stretch of code to disassemble around candidates.
type window struct{ start, end int }

// Disassembly of a window starts this many bytes before the first
// candidate, so that the linear sweep has found the instruction boundaries
// by the time it reaches it (x86 code resynchronizes within a few
// instructions), and runs this far past the last one, far enough to meet
// the indirect call after a constant load.
const (
	windowBefore = 4096
	windowAfter  = 512
)

// windows merges the disassembly windows around the sorted candidate
// offsets.
func windows(cands []int, n int) []window {
	var ws []window
	for _, c := range cands {
		start := max(c-windowBefore, 0)
		end := min(c+windowAfter, n)
		if len(ws) > 0 && start <= ws[len(ws)-1].end {
			ws[len(ws)-1].end = max(ws[len(ws)-1].end, end)
			continue
		}
		ws = append(ws, window{start, end})
	}
	return ws
}

// candidates finds, without disassembling, the offsets in code that may
// belong to an instruction reaching the vsyscall page: a 32-bit immediate
// or displacement that sign-extends to an address in the page (the bytes
// xx 0x 60 ff, also the low half of a 64-bit immediate), or a direct call,
// jump or conditional jump whose 32-bit relative target is in the page.
// Most code has none, and only the windows around candidates are
// disassembled. The offsets are sorted.
func candidates(code []byte, addr uint64) []int {
	var out []int
	for i := 0; ; {
		j := bytes.Index(code[i:], []byte{0x60, 0xff})
		if j < 0 {
			break
		}
		i += j
		if i >= 2 && code[i-1]&0xf0 == 0 {
			out = append(out, i-2)
		}
		i++
	}
	// A rel32 reaches 2 GiB either way, and the page sits 10 MiB below
	// 2^64: only code in the low 2 GiB of the address space (or in the
	// top 4 GiB, kernel code) can call it directly.
	if addr < 1<<31 || addr >= PageStart-1<<32 {
		for i := 0; i+5 <= len(code); i++ {
			op := code[i]
			if op != 0xe8 && op != 0xe9 && op != 0x0f {
				continue
			}
			rel := i + 1
			if op == 0x0f {
				if i+6 > len(code) || code[i+1]&0xf0 != 0x80 {
					continue
				}
				rel = i + 2
			}
			next := addr + uint64(rel+4)
			target := next + uint64(int64(int32(binary.LittleEndian.Uint32(code[rel:]))))
			if InPage(target) {
				out = append(out, i)
			}
		}
		sort.Ints(out)
	}
	return out
}

// A hit is an instruction, found by analyze, that reaches the page.
type hit struct {
	addr   uint64 // address of the call or jump
	inst   string // its text, with the load that set its register
	target uint64
}

// The state of one general-purpose register during analyze: whether it
// holds an address in the vsyscall page, which, and which instruction put
// it there.
type regVal struct {
	ok   bool
	val  uint64
	load string
}

// analyze disassembles code, linked at addr, in a linear sweep and returns
// its calls and jumps into the vsyscall page: direct ones (call/jmp/jcc to
// an absolute target in the page), and indirect ones through a register
// that an earlier instruction in the same straight run of code loaded with
// an address in the page (mov or movabs of the constant, lea of an absolute
// address, or a copy of such a register). Undecodable bytes are skipped one
// at a time.
func analyze(code []byte, addr uint64) []hit {
	var regs [16]regVal
	var hits []hit
	for off := 0; off < len(code); {
		pc := addr + uint64(off)
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil || inst.Len == 0 {
			off++
			continue
		}
		off += inst.Len
		next := pc + uint64(inst.Len)
		switch inst.Op {
		case x86asm.CALL, x86asm.JMP, x86asm.JA, x86asm.JAE, x86asm.JB, x86asm.JBE,
			x86asm.JE, x86asm.JG, x86asm.JGE, x86asm.JL, x86asm.JLE, x86asm.JNE,
			x86asm.JNO, x86asm.JNP, x86asm.JNS, x86asm.JO, x86asm.JP, x86asm.JS:
			switch a := inst.Args[0].(type) {
			case x86asm.Rel:
				if t := next + uint64(int64(a)); InPage(t) {
					hits = append(hits, hit{pc, fmt.Sprintf("%s %#x", mnemonic(inst.Op), t), t})
				}
			case x86asm.Reg:
				if i, ok := gpr64(a); ok && regs[i].ok {
					hits = append(hits, hit{pc, fmt.Sprintf("%s; %s *%%%s", regs[i].load, mnemonic(inst.Op), regName(a)), regs[i].val})
				}
			}
			if inst.Op == x86asm.CALL {
				// The callee may change every caller-saved register.
				for _, r := range []int{0, 1, 2, 6, 7, 8, 9, 10, 11} {
					regs[r] = regVal{}
				}
			} else if inst.Op == x86asm.JMP {
				regs = [16]regVal{}
			}
			continue
		case x86asm.RET, x86asm.LRET, x86asm.IRET, x86asm.IRETQ, x86asm.UD2, x86asm.HLT, x86asm.INT:
			regs = [16]regVal{}
			continue
		case x86asm.SYSCALL, x86asm.CPUID, x86asm.RDTSC, x86asm.RDTSCP, x86asm.MUL, x86asm.DIV,
			x86asm.IDIV, x86asm.CQO, x86asm.CDQ, x86asm.CDQE, x86asm.CWD, x86asm.CBW, x86asm.CWDE,
			x86asm.XGETBV, x86asm.RDMSR, x86asm.RDPMC, x86asm.CMPXCHG, x86asm.CMPXCHG16B, x86asm.LODSQ:
			// Instructions that write rax, rcx or rdx without naming them
			// first.
			regs[0], regs[1], regs[2], regs[11] = regVal{}, regVal{}, regVal{}, regVal{}
		case x86asm.IMUL:
			if inst.Args[1] == nil {
				regs[0], regs[2] = regVal{}, regVal{}
			}
		}
		dst, ok := inst.Args[0].(x86asm.Reg)
		if !ok {
			continue
		}
		di, isGPR := gprIndex(dst)
		if !isGPR {
			continue
		}
		switch inst.Op {
		case x86asm.CMP, x86asm.TEST, x86asm.PUSH, x86asm.BT:
			// Read their first operand only.
			continue
		case x86asm.XCHG:
			if src, ok := inst.Args[1].(x86asm.Reg); ok {
				if si, ok := gprIndex(src); ok {
					regs[si] = regVal{}
				}
			}
		}
		v := regVal{}
		if _, full := gpr64(dst); full {
			switch inst.Op {
			case x86asm.MOV:
				switch src := inst.Args[1].(type) {
				case x86asm.Imm:
					if InPage(uint64(src)) {
						v = regVal{true, uint64(src), fmt.Sprintf("mov $%#x,%%%s", uint64(src), regName(dst))}
					}
				case x86asm.Reg:
					if si, ok := gpr64(src); ok {
						v = regs[si]
					}
				}
			case x86asm.LEA:
				if m, ok := inst.Args[1].(x86asm.Mem); ok && m.Base == 0 && m.Index == 0 && InPage(uint64(m.Disp)) {
					v = regVal{true, uint64(m.Disp), fmt.Sprintf("lea %#x,%%%s", uint64(m.Disp), regName(dst))}
				}
			}
		}
		regs[di] = v
	}
	return hits
}

// gprIndex maps any general-purpose register (8, 16, 32 or 64 bits) to its
// number, 0 (rax) to 15 (r15). The 8-bit high registers (ah...) map to the
// register they are part of.
func gprIndex(r x86asm.Reg) (int, bool) {
	switch {
	case r >= x86asm.RAX && r <= x86asm.R15:
		return int(r - x86asm.RAX), true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return int(r - x86asm.EAX), true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return int(r - x86asm.AX), true
	case r >= x86asm.AL && r <= x86asm.BL:
		return int(r - x86asm.AL), true
	case r >= x86asm.AH && r <= x86asm.BH:
		return int(r - x86asm.AH), true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return int(r-x86asm.SPB) + 4, true
	}
	return 0, false
}

// gpr64 is gprIndex for the 64-bit registers only.
func gpr64(r x86asm.Reg) (int, bool) {
	if r >= x86asm.RAX && r <= x86asm.R15 {
		return int(r - x86asm.RAX), true
	}
	return 0, false
}

func regName(r x86asm.Reg) string { return strings.ToLower(r.String()) }

func mnemonic(op x86asm.Op) string { return strings.ToLower(op.String()) }

// add records a hit as a finding, naming its function.
func (s *elfScan) add(h hit, reg region) {
	if s.seen == nil {
		s.seen = map[uint64]bool{}
	}
	if s.seen[h.addr] {
		return
	}
	s.seen[h.addr] = true
	fn, off := s.symbolize(h.addr, reg.section)
	s.findings = append(s.findings, Finding{
		File:     s.name,
		Function: fn,
		Offset:   off,
		Addr:     h.addr,
		Inst:     h.inst,
		Target:   h.target,
		Entry:    EntryName(h.target),
		Verdict:  Verdict(h.target),
	})
}

// symbolize names the function symbol at or below addr, from .symtab and
// .dynsym. In a relocatable file every section starts at address 0, so only
// symbols of the region's own section count there.
func (s *elfScan) symbolize(addr uint64, section int) (string, uint64) {
	if !s.symsRead {
		s.symsRead = true
		syms, _ := s.f.Symbols()
		dyn, _ := s.f.DynamicSymbols()
		for _, sym := range append(syms, dyn...) {
			t := elf.ST_TYPE(sym.Info)
			if sym.Name == "" || sym.Section == elf.SHN_UNDEF || sym.Section >= elf.SHN_LORESERVE ||
				(t != elf.STT_FUNC && t != elf.STT_GNU_IFUNC && t != elf.STT_NOTYPE) {
				continue
			}
			s.syms = append(s.syms, sym)
		}
		sort.SliceStable(s.syms, func(i, j int) bool { return s.syms[i].Value < s.syms[j].Value })
	}
	rel := s.f.Type == elf.ET_REL
	i := sort.Search(len(s.syms), func(i int) bool { return s.syms[i].Value > addr })
	var best *elf.Symbol
	for i--; i >= 0; i-- {
		sym := &s.syms[i]
		if rel && int(sym.Section) != section {
			continue
		}
		if best != nil && sym.Value != best.Value {
			break
		}
		// Among symbols at the same address prefer a function to a
		// label, and a global name to a local one.
		if best == nil || better(sym, best) {
			best = sym
		}
	}
	if best == nil {
		return "", 0
	}
	return best.Name, addr - best.Value
}

func better(a, b *elf.Symbol) bool {
	af, bf := elf.ST_TYPE(a.Info) != elf.STT_NOTYPE, elf.ST_TYPE(b.Info) != elf.STT_NOTYPE
	if af != bf {
		return af
	}
	ag, bg := elf.ST_BIND(a.Info) == elf.STB_GLOBAL, elf.ST_BIND(b.Info) == elf.STB_GLOBAL
	return ag && !bg
}
