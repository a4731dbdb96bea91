//go:build linux && amd64

package probe

import (
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
)

func TestSyscallCodes(t *testing.T) {
	codes, err := syscallCodes()
	if err != nil {
		t.Fatal(err)
	}
	filled, err := filledSyscalls()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for nr, ok := range filled {
		if !ok {
			continue
		}
		n++
		if len(codes[nr]) == 0 {
			t.Errorf("syscall %d (%s) has a filler but no event code is named after it: add it to nameAliases",
				nr, event.NativeSyscallName(uint16(nr)))
		}
		for _, c := range codes[nr] {
			if event.Lookup(c).Name == "syscall" {
				t.Errorf("syscall %d (%s) has a filler but maps to the generic events", nr, event.NativeSyscallName(uint16(nr)))
			}
		}
	}
	if n < 100 {
		t.Errorf("the probe has fillers for %d syscalls; it had 112", n)
	}
	names := func(nr int) map[string]bool {
		m := map[string]bool{}
		for _, c := range codes[nr] {
			m[event.Lookup(c).Name] = true
		}
		return m
	}
	for _, tc := range []struct {
		nr   int
		want string
	}{{257, "openat"}, {0, "read"}, {17, "pread"}, {293, "pipe"}, {33, "dup"}, {288, "accept"}, {110, "syscall"}, {39, "syscall"}} {
		if !names(tc.nr)[tc.want] {
			t.Errorf("syscall %d (%s): codes named %v, want %q among them", tc.nr, event.NativeSyscallName(uint16(tc.nr)), names(tc.nr), tc.want)
		}
	}
}

func TestSyscallsFor(t *testing.T) {
	keeps := func(expr string) func(int) bool {
		t.Helper()
		f, err := filter.Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		types, _ := f.EventTypes()
		keep, err := SyscallsFor(types, nil)
		if err != nil {
			t.Fatal(err)
		}
		return keep
	}
	// Filters that may match any event keep every syscall.
	for _, expr := range []string{"proc.name=cat", "evt.type!=openat", "evt.type=openat or fd.num=3"} {
		if keeps(expr) != nil {
			t.Errorf("%q: the probe filters syscalls, but the filter may match any event", expr)
		}
	}
	const (
		read, write, openat, close, getppid, getpid, futex, execve, clone, sendto = 0, 1, 257, 3, 110, 39, 202, 59, 56, 44
	)
	for _, tc := range []struct {
		expr       string
		keep, drop []int
	}{
		// getppid and getpid are generic events: which one the filter
		// names is not known from the event codes.
		{"evt.type=getppid", []int{getppid, getpid, openat, close, execve, clone, sendto}, []int{read, write, futex}},
		{"evt.type=read and proc.name=cat", []int{read, openat, close}, []int{write, getppid, futex}},
		{"evt.type in (read, write)", []int{read, write}, []int{futex, getppid}},
		{"evt.type=procexit", []int{openat, execve}, []int{read, getppid}},
		{"not evt.type=read", []int{write, getppid, futex}, []int{read}},
	} {
		keep := keeps(tc.expr)
		if keep == nil {
			t.Errorf("%q keeps every syscall", tc.expr)
			continue
		}
		for _, nr := range tc.keep {
			if !keep(nr) {
				t.Errorf("%q drops syscall %s", tc.expr, event.NativeSyscallName(uint16(nr)))
			}
		}
		for _, nr := range tc.drop {
			if keep(nr) {
				t.Errorf("%q keeps syscall %s", tc.expr, event.NativeSyscallName(uint16(nr)))
			}
		}
	}
}

func TestNarrow(t *testing.T) {
	narrow := func(expr string, opts Options) Options {
		t.Helper()
		f, err := filter.Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		types, _ := f.EventTypes()
		o, err := Narrow(opts, types, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := narrow("evt.type=getppid", Options{PageFaults: true, Snaplen: 99})
	if o.Syscalls == nil || o.Syscalls(0) || !o.Syscalls(110) || !o.NoSchedSwitch || o.PageFaults || o.Snaplen != 99 {
		t.Errorf("evt.type=getppid: %+v", o)
	}
	o = narrow("evt.type in (page_fault, switch)", Options{PageFaults: true})
	if o.Syscalls == nil || o.Syscalls(0) || o.NoSchedSwitch || !o.PageFaults {
		t.Errorf("evt.type in (page_fault, switch): %+v", o)
	}
	o = narrow("proc.name=cat", Options{PageFaults: true})
	if o.Syscalls != nil || o.NoSchedSwitch || !o.PageFaults {
		t.Errorf("proc.name=cat: %+v", o)
	}
	// An earlier Syscalls condition still applies.
	o = narrow("evt.type=read", Options{Syscalls: func(nr int) bool { return nr != 257 }})
	if o.Syscalls == nil || !o.Syscalls(0) || o.Syscalls(257) || !o.Syscalls(3) || o.Syscalls(1) {
		t.Errorf("evt.type=read with a Syscalls condition: read %v openat %v close %v write %v", o.Syscalls(0), o.Syscalls(257), o.Syscalls(3), o.Syscalls(1))
	}
}

func TestSyscallsForGeneric(t *testing.T) {
	f, err := filter.Compile("evt.type=getppid")
	if err != nil {
		t.Fatal(err)
	}
	types, _ := f.EventTypes()
	getppidID, _ := event.NativeSyscallID(110)
	keep, err := SyscallsFor(types, func(id uint16) bool { return id == getppidID })
	if err != nil {
		t.Fatal(err)
	}
	// getppid kept, getpid (generic too) dropped, the state kept.
	for nr, want := range map[int]bool{110: true, 39: false, 0: false, 257: true, 59: true} {
		if keep(nr) != want {
			t.Errorf("syscall %s: kept %v, want %v", event.NativeSyscallName(uint16(nr)), keep(nr), want)
		}
	}
}
