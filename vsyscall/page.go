package vsyscall

import "fmt"

// The legacy vsyscall page: one page at a fixed address at the top of every
// x86-64 process's address space.
const (
	PageStart = 0xffffffffff600000 // first byte of the page
	PageEnd   = 0xffffffffff601000 // first byte after the page
)

// The three entry points of the page, 1024 bytes apart.
const (
	AddrGettimeofday = PageStart + 0x000
	AddrTime         = PageStart + 0x400
	AddrGetcpu       = PageStart + 0x800
)

// InPage reports whether addr is inside the vsyscall page.
func InPage(addr uint64) bool { return addr >= PageStart && addr < PageEnd }

// EntryName names the vsyscall entry at addr: "gettimeofday", "time" or
// "getcpu", or "" when addr is not one of the three entry points.
func EntryName(addr uint64) string {
	switch addr {
	case AddrGettimeofday:
		return "gettimeofday"
	case AddrTime:
		return "time"
	case AddrGetcpu:
		return "getcpu"
	}
	return ""
}

// VerdictEntry is what happens to a call into one of the three vsyscall
// entry points, for each mode a kernel can run in.
const VerdictEntry = "crashes (SIGSEGV) under vsyscall=none; traps into the kernel (emulated, ~100x slower) under xonly and emulate; runs natively under native"

// Verdict says what happens to a call or jump to addr, in the vsyscall page,
// under each vsyscall mode.
func Verdict(addr uint64) string {
	if EntryName(addr) != "" {
		return VerdictEntry
	}
	return fmt.Sprintf("crashes (SIGSEGV) under vsyscall=none, xonly and emulate (%#x is not one of the entry points the kernel emulates); under native it runs whatever bytes are there", addr)
}

// entryLabel is the entry's name for output: "time()" or "offset 0x123".
func entryLabel(addr uint64) string {
	if n := EntryName(addr); n != "" {
		return n + "()"
	}
	return fmt.Sprintf("offset %#x (no entry point)", addr-PageStart)
}
