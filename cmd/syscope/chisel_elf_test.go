package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// A testSym is a function symbol of crasherSyms.
type testSym struct {
	name        string
	value, size uint64
}

// crasherSyms makes a static x86-64 executable like crasher, with code
// as given (no exit appended) and a .symtab naming syms, so its stack
// symbolizes.
func crasherSyms(code []byte, syms []testSym) []byte {
	const ehsize, phsize, shsize, symsize = 64, 56, 64, 24
	textOff := uint64(ehsize + phsize)
	var symtab, strtab bytes.Buffer
	strtab.WriteByte(0)
	binary.Write(&symtab, binary.LittleEndian, elf.Sym64{})
	for _, s := range syms {
		binary.Write(&symtab, binary.LittleEndian, elf.Sym64{
			Name: uint32(strtab.Len()), Info: byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_FUNC),
			Shndx: 1, Value: s.value, Size: s.size,
		})
		strtab.WriteString(s.name)
		strtab.WriteByte(0)
	}
	shstr := "\x00.text\x00.symtab\x00.strtab\x00.shstrtab\x00"
	symOff := textOff + uint64(len(code))
	strOff := symOff + uint64(symtab.Len())
	shstrOff := strOff + uint64(strtab.Len())
	shOff := (shstrOff + uint64(len(shstr)) + 7) &^ 7
	size := shOff + 5*shsize
	var b bytes.Buffer
	hdr := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: 1,
		Entry: crasherBase + textOff, Phoff: ehsize, Shoff: shOff, Ehsize: ehsize,
		Phentsize: phsize, Phnum: 1, Shentsize: shsize, Shnum: 5, Shstrndx: 4,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = 1
	binary.Write(&b, binary.LittleEndian, hdr)
	binary.Write(&b, binary.LittleEndian, elf.Prog64{
		Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X),
		Vaddr: crasherBase, Paddr: crasherBase, Filesz: size, Memsz: size, Align: 0x1000,
	})
	b.Write(code)
	b.Write(symtab.Bytes())
	b.Write(strtab.Bytes())
	b.WriteString(shstr)
	for uint64(b.Len()) < shOff {
		b.WriteByte(0)
	}
	text := crasherBase + textOff
	for _, sh := range []elf.Section64{
		{},
		{Name: 1, Type: uint32(elf.SHT_PROGBITS), Flags: uint64(elf.SHF_ALLOC | elf.SHF_EXECINSTR), Addr: text, Off: textOff, Size: uint64(len(code)), Addralign: 1},
		{Name: 7, Type: uint32(elf.SHT_SYMTAB), Off: symOff, Size: uint64(symtab.Len()), Link: 3, Info: 1, Addralign: 8, Entsize: symsize},
		{Name: 15, Type: uint32(elf.SHT_STRTAB), Off: strOff, Size: uint64(strtab.Len()), Addralign: 1},
		{Name: 23, Type: uint32(elf.SHT_STRTAB), Off: shstrOff, Size: uint64(len(shstr)), Addralign: 1},
	} {
		binary.Write(&b, binary.LittleEndian, sh)
	}
	return b.Bytes()
}

// crashCall is a program whose main calls deref, which reads address 8:
// its report's stack must read "#0 deref (crash_call)  #1 main+5
// (crash_call)".
func crashCall() []byte {
	const text = crasherBase + 64 + 56
	main := []byte{0xe8, 9, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05} // call deref; exit(0)
	deref := []byte{0x48, 0x8b, 0x04, 0x25, 8, 0, 0, 0, 0xc3}                   // mov rax,[8]; ret
	return crasherSyms(append(main, deref...), []testSym{
		{"main", text, uint64(len(main))},
		{"deref", text + uint64(len(main)), uint64(len(deref))},
	})
}
