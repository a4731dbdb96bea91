package crash

import (
	"fmt"

	"github.com/syscope/syscope/vsyscall"
)

// The page fault error bits of the event table (PPM_PF_*), as the
// page_fault event's error parameter carries them.
const (
	pfProtection = 0x1
	pfNotPresent = 0x2
	pfWrite      = 0x4
	pfRead       = 0x8
	pfUser       = 0x10
	pfReserved   = 0x40
	pfFetch      = 0x80
)

// Fault is a user page fault: the address touched, the instruction
// pointer and the error bits (PPM_PF_*).
type Fault struct {
	Addr, IP uint64
	Flags    uint32
}

// nullLimit bounds the addresses taken for a NULL pointer dereference:
// the first pages, which Linux never maps (vm.mmap_min_addr is 64 KiB on
// most distributions; a field far into a NULL struct lands below that).
const nullLimit = 64 << 10

// The top of the x86-64 user address space, where the kernel places the
// main stack (below it, by up to the ASLR offset and the stack's size).
const (
	userTop       = 0x800000000000
	stackRegionLo = 0x7ff000000000
)

// Cause explains, in one sentence, why a fault followed by the fatal
// signal sig killed the program called comm. mode is the host's vsyscall
// mode when known (a live capture), "" for a capture file. sp is the
// user stack pointer at the fault when the probe recorded it, or 0.
func Cause(comm string, f Fault, sig uint8, mode vsyscall.Mode, sp uint64) string {
	fetch := f.Flags&pfFetch != 0
	prot := f.Flags&pfProtection != 0
	write := f.Flags&pfWrite != 0
	switch {
	case vsyscall.InPage(f.Addr) && fetch:
		entry := "the legacy vsyscall page"
		if name := vsyscall.EntryName(f.Addr); name != "" {
			entry = fmt.Sprintf("%s() in the legacy vsyscall page", name)
		}
		switch mode {
		case vsyscall.ModeNone:
			return fmt.Sprintf("%s called %s at %#x and this host runs with vsyscall=none, which does not map that page, so the call faulted and the kernel killed it with %s: its C library predates the vDSO (an old glibc or image); run it on a newer base image, or boot the host with vsyscall=emulate.", comm, entry, f.Addr, sigName(sig))
		case "":
			if !prot {
				return fmt.Sprintf("%s called %s at %#x and the page was not mapped (PAGE_NOT_PRESENT): the host that made this capture runs with vsyscall=none, so a program whose C library predates the vDSO (an old glibc or image) dies with %s there; run it on a newer base image, or boot the host with vsyscall=emulate.", comm, entry, f.Addr, sigName(sig))
			}
			return fmt.Sprintf("%s called %s at %#x and the kernel refused to emulate the call (a vsyscall=xonly or emulate host kills only calls that are not at an entry point or that seccomp forbids), so it died with %s.", comm, entry, f.Addr, sigName(sig))
		default:
			return fmt.Sprintf("%s called %s at %#x, which this host (vsyscall=%s) emulates only at its three entry points and outside seccomp filters, and the kernel killed it with %s.", comm, entry, f.Addr, mode, sigName(sig))
		}
	case vsyscall.InPage(f.Addr):
		return fmt.Sprintf("%s read the legacy vsyscall page at %#x as data, which current kernels do not allow (vsyscall=xonly or none), so it died with %s.", comm, f.Addr, sigName(sig))
	case f.Addr < nullLimit && !prot:
		if fetch {
			return fmt.Sprintf("%s called a NULL function pointer (jumped to %#x) and died with %s.", comm, f.Addr, sigName(sig))
		}
		return fmt.Sprintf("%s dereferenced a NULL pointer (%s address %#x at ip %#x) and died with %s.", comm, access(write), f.Addr, f.IP, sigName(sig))
	case !prot && isStack(f.Addr, sp):
		return fmt.Sprintf("%s overflowed its stack: it touched %#x, below the end of its stack, and died with %s (deep or infinite recursion, or a huge local array).", comm, f.Addr, sigName(sig))
	case prot && fetch:
		return fmt.Sprintf("%s executed code at %#x in a mapping that is not executable (data, heap or stack) and died with %s: a corrupted function pointer or return address.", comm, f.Addr, sigName(sig))
	case prot && write:
		return fmt.Sprintf("%s wrote to a read-only mapping at %#x (a string literal, constant data or code) and died with %s.", comm, f.Addr, sigName(sig))
	case prot:
		return fmt.Sprintf("%s read %#x in a mapping that does not allow reading and died with %s.", comm, f.Addr, sigName(sig))
	case f.Addr >= userTop:
		return fmt.Sprintf("%s touched %#x, a kernel address, and died with %s: a corrupted pointer.", comm, f.Addr, sigName(sig))
	}
	if fetch {
		return fmt.Sprintf("%s jumped to %#x, which nothing is mapped at, and died with %s: a corrupted function pointer or return address.", comm, f.Addr, sigName(sig))
	}
	return fmt.Sprintf("%s %s %#x, which nothing is mapped at (ip %#x), and died with %s: a wild or dangling pointer.", comm, accessVerb(write), f.Addr, f.IP, sigName(sig))
}

// Kind names the kind of fault in a few words, as Cause tells it.
func Kind(f Fault, sp uint64) string {
	fetch := f.Flags&pfFetch != 0
	prot := f.Flags&pfProtection != 0
	write := f.Flags&pfWrite != 0
	switch {
	case vsyscall.InPage(f.Addr) && fetch:
		return "a call into the legacy vsyscall page"
	case vsyscall.InPage(f.Addr):
		return "a read of the legacy vsyscall page"
	case f.Addr < nullLimit && !prot && fetch:
		return "a call through a NULL function pointer"
	case f.Addr < nullLimit && !prot:
		return "a NULL pointer dereference"
	case !prot && isStack(f.Addr, sp):
		return "a stack overflow"
	case prot && fetch:
		return "executing a non-executable page"
	case prot && write:
		return "a write to a read-only mapping"
	case prot:
		return "a read of an unreadable mapping"
	case f.Addr >= userTop:
		return "an access to a kernel address"
	case fetch:
		return "a jump to unmapped memory"
	}
	return "an access to unmapped memory"
}

// isStack tells whether a fault at addr looks like running off the end of
// the stack: just below the stack pointer when the probe recorded it,
// otherwise in the region at the top of user space where the kernel puts
// the main stack.
func isStack(addr, sp uint64) bool {
	if sp != 0 {
		return addr < sp+4096 && sp-addr < 1<<20
	}
	return addr >= stackRegionLo && addr < userTop
}

func access(write bool) string {
	if write {
		return "writing"
	}
	return "reading"
}

func accessVerb(write bool) string {
	if write {
		return "wrote to"
	}
	return "read"
}

// FlagNames renders the error bits as sysdig prints them.
func FlagNames(v uint32) string {
	names := []struct {
		s string
		b uint32
	}{{"PROTECTION_VIOLATION", pfProtection}, {"PAGE_NOT_PRESENT", pfNotPresent}, {"WRITE_ACCESS", pfWrite}, {"READ_ACCESS", pfRead}, {"USER_FAULT", pfUser}, {"SUPERVISOR_FAULT", 0x20}, {"RESERVED_PAGE", pfReserved}, {"INSTRUCTION_FETCH", pfFetch}}
	s := ""
	for _, n := range names {
		if v&n.b != 0 {
			if s != "" {
				s += "|"
			}
			s += n.s
		}
	}
	return s
}
