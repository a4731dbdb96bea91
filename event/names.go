package event

// KnownTo029 reports whether sysdig 0.29.3 knows event code c, i.e. c is
// below its PPM_EVENT_MAX. Its capture reader silently skips events with
// other codes. Unused placeholder codes (names like "NA1") are known: 0.29.3
// processes and prints them like any other event.
func KnownTo029(c Code) bool { return int(c) < numCodes029 }

// Category029 returns the category sysdig 0.29.3 gives code c (it has no
// source bits such as CatSyscall), or CatUnknown if 0.29.3 does not know c.
func Category029(c Code) Category {
	if !KnownTo029(c) {
		return CatUnknown
	}
	return categories029[c]
}

// Flags029 returns the flags sysdig 0.29.3 gives code c (they may include
// FlagDropSimpleCons and never FlagConverterManaged), or 0 if 0.29.3 does
// not know c.
func Flags029(c Code) Flags {
	if !KnownTo029(c) {
		return 0
	}
	return flags029[c]
}

// ParseFlags returns the flags that decide how sysdig's parser treats
// events of code c: 0.29.3's for the codes it knows, so that old captures
// build the same state, and the table's for newer codes (0 for a code the
// table does not know).
func ParseFlags(c Code) Flags {
	if KnownTo029(c) {
		return flags029[c]
	}
	if info := Lookup(c); info != nil {
		return info.Flags
	}
	return 0
}

// SyscallName returns the name sysdig 0.29.3 gives the PPM_SC syscall
// code id, the value of a PT_SYSCALLID parameter (e.g. the ID of the
// generic "syscall" events 0/1). Code 0 is "<unknown>". It returns "" for
// codes 0.29.3 does not know, for which it prints "<unknown syscall>".
func SyscallName(id uint16) string {
	if int(id) >= len(syscallNames029) {
		return ""
	}
	return syscallNames029[id]
}

// NativeSyscallName returns the name of x86_64 syscall number nr, or "" if
// there is none.
func NativeSyscallName(nr uint16) string {
	if int(nr) >= len(nativeSyscallNames) {
		return ""
	}
	return nativeSyscallNames[nr]
}

// NativeSyscallID returns the PPM_SC code sysdig 0.29.3's driver reports
// for x86_64 syscall number nr (the ID of a generic event), and false if
// 0.29.3 does not route nr, in which case its driver reports 0.
func NativeSyscallID(nr uint16) (uint16, bool) {
	if int(nr) >= len(nativeSyscallIDs029) || nativeSyscallIDs029[nr] == 0 {
		return 0, false
	}
	return nativeSyscallIDs029[nr], true
}

// ErrnoName returns the name sysdig 0.29.3 prints for the error value e
// of a PT_ERRNO (or negative PT_FD) parameter, which is the negated errno:
// ErrnoName(-2) is "ENOENT". Like sinsp it truncates e to 32 bits. It
// returns "" for values that have no name, including every e >= 0 (sysdig
// prints no name for those either).
func ErrnoName(e int64) string {
	n := -int64(int32(e))
	if n <= 0 || n >= int64(len(errnoNames029)) {
		return ""
	}
	return errnoNames029[n]
}

// SignalName returns the name sysdig 0.29.3 prints for signal number sig
// (a PT_SIGTYPE parameter), e.g. "SIGSEGV", or "" if it prints none.
func SignalName(sig uint8) string {
	if int(sig) >= len(signalNames029) {
		return ""
	}
	return signalNames029[sig]
}
