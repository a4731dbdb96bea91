//go:build linux && amd64

package probe

import (
	"fmt"
	"sync"

	"github.com/syscope/syscope/event"
)

// Narrow returns opts with only what can produce an event of the codes
// types says may match (types[c] true, or c at or above len(types)):
// types is what filter.Filter.EventTypes returns. It keeps a syscall when
// one of the event codes the probe sends for it may match, and always the
// syscalls that change state (StateSyscall, and those with an event sysdig
// 0.29.3 flags as modifying state), as sysdig keeps them whatever its
// filter, so that the state engine still follows processes and fds. It
// leaves out context switches and page faults when neither their codes may
// match (they change no state sysdig tracks in a file). opts.Syscalls, if
// set, is kept as a further condition.
//
// The codes of generic events do not tell one syscall from another:
// generic, when not nil, says whether a generic event of the syscall with
// sysdig's PPM_SC code id (event.SyscallName) may match, so that
// evt.type=getppid keeps getppid and not every syscall sent as a generic
// event.
func Narrow(opts Options, types []bool, generic func(id uint16) bool) (Options, error) {
	keep, err := SyscallsFor(types, generic)
	if err != nil {
		return opts, err
	}
	if keep != nil {
		if prev := opts.Syscalls; prev != nil {
			opts.Syscalls = func(nr int) bool { return keep(nr) && prev(nr) }
		} else {
			opts.Syscalls = keep
		}
	}
	named := func(name string) bool {
		for c := 0; c < event.NumCodes(); c++ {
			if in := event.Lookup(event.Code(c)); in != nil && in.Name == name && mayMatch(types, event.Code(c)) {
				return true
			}
		}
		return false
	}
	if !named("switch") {
		opts.NoSchedSwitch = true
	}
	if !named("page_fault") {
		opts.PageFaults = false
	}
	return opts, nil
}

func mayMatch(types []bool, c event.Code) bool { return int(c) >= len(types) || types[c] }

// SyscallsFor is the Syscalls filter of Narrow: nil, meaning every
// syscall, when it would keep them all.
//
// The probe sends a syscall either as an event of its own (openat: the
// codes named "openat") or as a generic event (the codes named
// "syscall"); which, the embedded probe's table of fillers says. A
// syscall whose codes cannot be told is kept.
func SyscallsFor(types []bool, generic func(id uint16) bool) (func(nr int) bool, error) {
	codes, err := syscallCodes()
	if err != nil {
		return nil, err
	}
	filled, err := filledSyscalls()
	if err != nil {
		return nil, err
	}
	var keep [syscallTableSize]bool
	all := true
	for nr := range keep {
		list := codes[nr]
		keep[nr] = StateSyscall(nr) || len(list) == 0
		for _, c := range list {
			if keep[nr] {
				break
			}
			keep[nr] = mayMatch(types, c) || event.Flags029(c)&event.FlagModifiesState != 0
		}
		if keep[nr] && !StateSyscall(nr) && generic != nil && !filled[nr] {
			// What the probe sends as the event's id.
			id, _ := event.NativeSyscallID(uint16(nr))
			keep[nr] = generic(id)
		}
		all = all && keep[nr]
	}
	if all {
		return nil, nil
	}
	return func(nr int) bool { return nr < 0 || nr >= len(keep) || keep[nr] }, nil
}

// nameAliases are the event names of syscalls whose events are named
// after another syscall (dup2 sends dup's events), or after sysdig's name
// for the syscall (pread64 is "pread").
var nameAliases = map[string][]string{
	"pread64":       {"pread"},
	"pwrite64":      {"pwrite"},
	"pipe2":         {"pipe"},
	"dup2":          {"dup"},
	"dup3":          {"dup"},
	"eventfd2":      {"eventfd"},
	"signalfd4":     {"signalfd"},
	"inotify_init1": {"inotify_init"},
	"prlimit64":     {"prlimit"},
	"umount2":       {"umount"},
	"accept4":       {"accept"},
	"renameat2":     {"renameat"},
	"tkill":         {"kill"},
	"tgkill":        {"kill"},
	"getdents64":    {"getdents"},
	"clone3":        {"clone"},
	"execveat":      {"execve"},
	"ppoll":         {"poll"},
	"preadv":        {"readv"},
	"pwritev":       {"writev"},
	"symlinkat":     {"symlink"},
}

var codesOnce struct {
	sync.Once
	codes [][]event.Code
	err   error
}

// syscallCodes returns, for each syscall number, the event codes the
// probe may send for it: those named like the syscall when the probe has
// a filler for it, the generic codes otherwise. An entry is empty when no
// code could be found for a syscall that has a filler.
func syscallCodes() ([][]event.Code, error) {
	codesOnce.Do(func() {
		filled, err := filledSyscalls()
		if err != nil {
			codesOnce.err = err
			return
		}
		byName := map[string][]event.Code{}
		for c := 0; c < event.NumCodes(); c++ {
			if in := event.Lookup(event.Code(c)); in != nil {
				byName[in.Name] = append(byName[in.Name], event.Code(c))
			}
		}
		codes := make([][]event.Code, syscallTableSize)
		for nr := range codes {
			if !filled[nr] {
				codes[nr] = byName["syscall"]
				continue
			}
			name := event.NativeSyscallName(uint16(nr))
			names := append([]string{name}, nameAliases[name]...)
			if id, ok := event.NativeSyscallID(uint16(nr)); ok {
				names = append(names, event.SyscallName(id))
			}
			seen := map[string]bool{}
			for _, n := range names {
				if n != "" && !seen[n] {
					seen[n] = true
					codes[nr] = append(codes[nr], byName[n]...)
				}
			}
		}
		codesOnce.codes = codes
	})
	return codesOnce.codes, codesOnce.err
}

var filledOnce struct {
	sync.Once
	filled []bool
	err    error
}

// filledSyscalls reports which syscall numbers the embedded probe has a
// filler for: the entries of its enter_progs table.
func filledSyscalls() ([]bool, error) {
	filledOnce.Do(func() { filledOnce.filled, filledOnce.err = readFilled() })
	return filledOnce.filled, filledOnce.err
}

func readFilled() ([]bool, error) {
	spec, err := loadProbe()
	if err != nil {
		return nil, fmt.Errorf("read the embedded probe: %w", err)
	}
	m := spec.Maps["enter_progs"]
	if m == nil {
		return nil, fmt.Errorf("the embedded probe has no enter_progs table")
	}
	filled := make([]bool, syscallTableSize)
	for _, kv := range m.Contents {
		nr, ok := kv.Key.(uint32)
		if !ok || int(nr) >= len(filled) {
			return nil, fmt.Errorf("the embedded probe's enter_progs has a key %v", kv.Key)
		}
		filled[nr] = true
	}
	return filled, nil
}
