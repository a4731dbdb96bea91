package elftest

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// CodeOffset is where the code starts in the file: after the ELF header
// and the one program header.
const CodeOffset = 64 + 56

// A Sym is a function symbol of the .symtab.
type Sym struct {
	Name        string
	Value, Size uint64
}

// Options describe the executable.
type Options struct {
	// Addr is the address of the code, and the entry point.
	Addr uint64
	// WholeFile maps the whole file from offset 0 at Addr-CodeOffset,
	// as a kernel can load it (Addr-CodeOffset page-aligned); otherwise
	// the segment maps the code alone at Addr.
	WholeFile bool
	// Sections adds section headers: .text, and .symtab naming Syms.
	Sections bool
	Syms     []Sym
}

// Exec returns the executable of code.
func Exec(code []byte, o Options) []byte {
	const ehsize, phsize, shsize, symsize = 64, 56, 64, 24
	var symtab, strtab bytes.Buffer
	strtab.WriteByte(0)
	binary.Write(&symtab, binary.LittleEndian, elf.Sym64{})
	for _, s := range o.Syms {
		binary.Write(&symtab, binary.LittleEndian, elf.Sym64{
			Name: uint32(strtab.Len()), Info: byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_FUNC),
			Shndx: 1, Value: s.Value, Size: s.Size,
		})
		strtab.WriteString(s.Name)
		strtab.WriteByte(0)
	}
	const shstr = "\x00.text\x00.symtab\x00.strtab\x00.shstrtab\x00"
	symOff := uint64(CodeOffset + len(code))
	strOff := symOff + uint64(symtab.Len())
	shstrOff := strOff + uint64(strtab.Len())
	shOff := (shstrOff + uint64(len(shstr)) + 7) &^ 7
	size := uint64(CodeOffset + len(code))
	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: 1,
		Entry: o.Addr, Phoff: ehsize, Ehsize: ehsize, Phentsize: phsize, Phnum: 1,
	}
	if o.Sections {
		hdr.Shoff, hdr.Shentsize, hdr.Shnum, hdr.Shstrndx = shOff, shsize, 5, 4
		size = shOff + 5*shsize
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = 1
	seg := elf.Prog64{
		Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X),
		Off: CodeOffset, Vaddr: o.Addr, Paddr: o.Addr,
		Filesz: uint64(len(code)), Memsz: uint64(len(code)), Align: 0x1000,
	}
	if o.WholeFile {
		seg.Off, seg.Vaddr, seg.Paddr = 0, o.Addr-CodeOffset, o.Addr-CodeOffset
		seg.Filesz, seg.Memsz = size, size
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, hdr)
	binary.Write(&b, binary.LittleEndian, seg)
	b.Write(code)
	if !o.Sections {
		return b.Bytes()
	}
	b.Write(symtab.Bytes())
	b.Write(strtab.Bytes())
	b.WriteString(shstr)
	for uint64(b.Len()) < shOff {
		b.WriteByte(0)
	}
	for _, sh := range []elf.Section64{
		{},
		{Name: 1, Type: uint32(elf.SHT_PROGBITS), Flags: uint64(elf.SHF_ALLOC | elf.SHF_EXECINSTR), Addr: o.Addr, Off: CodeOffset, Size: uint64(len(code)), Addralign: 16},
		{Name: 7, Type: uint32(elf.SHT_SYMTAB), Off: symOff, Size: uint64(symtab.Len()), Link: 3, Info: 1, Addralign: 8, Entsize: symsize},
		{Name: 15, Type: uint32(elf.SHT_STRTAB), Off: strOff, Size: uint64(strtab.Len()), Addralign: 1},
		{Name: 23, Type: uint32(elf.SHT_STRTAB), Off: shstrOff, Size: uint64(len(shstr)), Addralign: 1},
	} {
		binary.Write(&b, binary.LittleEndian, sh)
	}
	return b.Bytes()
}
