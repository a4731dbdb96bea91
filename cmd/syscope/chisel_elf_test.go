package main

import "github.com/syscope/syscope/internal/elftest"

// crashCall is a program whose main calls deref, which reads address 8:
// its report's stack must read "#0 deref (crash_call)  #1 main+5
// (crash_call)". It has a .symtab, so its stack symbolizes.
func crashCall() []byte {
	const text = crasherBase + elftest.CodeOffset
	main := []byte{0xe8, 9, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05} // call deref; exit(0)
	deref := []byte{0x48, 0x8b, 0x04, 0x25, 8, 0, 0, 0, 0xc3}                   // mov rax,[8]; ret
	return elftest.Exec(append(main, deref...), elftest.Options{
		Addr: text, WholeFile: true, Sections: true,
		Syms: []elftest.Sym{
			{Name: "main", Value: text, Size: uint64(len(main))},
			{Name: "deref", Value: text + uint64(len(main)), Size: uint64(len(deref))},
		},
	})
}
