package event

// CodeUserStack is syscope's own event, userstack: the instruction
// pointer, the stack pointer and the words on top of the user stack of a
// thread receiving a fatal signal (see bpf/stack.h). It is not in the
// generated table: its code is far beyond every code sysdig 0.29.3 knows
// (336) and libs knows (454 today), so sysdig's reader skips it and reads
// the rest of a file unchanged, and libs adding codes will not collide
// with it for a long time. See COMPAT.md.
const CodeUserStack Code = 0x7f00

// userStackInfo describes CodeUserStack. It touches no state.
var userStackInfo = Info{
	Name:     "userstack",
	Category: CatOther,
	Flags:    FlagSkipParseReset,
	Params: []Param{
		{Name: "ip", Type: PTUint64, Fmt: PFHex, DirFD: -1},
		{Name: "sp", Type: PTUint64, Fmt: PFHex, DirFD: -1},
		{Name: "stack", Type: PTByteBuf, Fmt: PFNA, DirFD: -1},
	},
}

// lookupOwn returns the description of one of syscope's own codes, or nil.
func lookupOwn(c Code) *Info {
	if c == CodeUserStack {
		return &userStackInfo
	}
	return nil
}
