package crash

import (
	"bytes"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
	"github.com/syscope/syscope/vsyscall"
)

// raw encodes an event as the probe and V2 blocks carry it.
func raw(ts uint64, tid int64, code event.Code, params ...[]byte) []byte {
	b := tracetest.Event{TS: ts, TID: tid, Code: code, Params: params}.Raw()
	return b
}

// feeder applies events to a state and an analyzer, numbering them.
type feeder struct {
	t   *testing.T
	st  *state.State
	a   *Analyzer
	num uint64
	ts  uint64
}

func newFeeder(t *testing.T, mode vsyscall.Mode, procs ...scap.Process) *feeder {
	st := state.New()
	sink := st.Sink()
	for i := range procs {
		sink.Process(&procs[i])
	}
	return &feeder{t: t, st: st, a: New(st, Options{Mode: mode, Last: 4}), num: 119000, ts: 1516150445138000000}
}

func (f *feeder) feed(tid int64, code event.Code, params ...[]byte) {
	f.t.Helper()
	var e event.Event
	if err := e.Decode(raw(f.ts, tid, code, params...)); err != nil {
		f.t.Fatal(err)
	}
	f.num++
	f.ts += 1000
	e.Num = f.num
	e.CPU = 3
	f.st.Apply(&e)
	f.a.Observe(&e)
}

// The story of the seed: bash in an old image calls time() through the
// vsyscall page on a vsyscall=none host, faults, gets SIGSEGV and exits
// with status 11; it happens twice.
func TestVsyscallDeath(t *testing.T) {
	f := newFeeder(t, "", scap.Process{TID: 68255, PID: 68255, PTID: 1, Comm: "entrypoint.sh", Exe: "/bin/bash", ExePath: "/bin/bash"},
		scap.Process{TID: 68300, PID: 68300, PTID: 1, Comm: "entrypoint.sh", Exe: "/bin/bash", ExePath: "/bin/bash"})
	for _, tid := range []int64{68255, 68300} {
		f.feed(tid, 26)                                                                                        // getuid enter
		f.feed(tid, 27, tracetest.U32(0))                                                                      // getuid exit
		f.feed(tid, evPageFaultE, tracetest.U64(0x7f0000001000), tracetest.U64(0x400000), tracetest.U32(0x1a)) // a harmless minor fault
		f.feed(tid, evPageFaultE, tracetest.U64(0xffffffffff600400), tracetest.U64(0xffffffffff600400), tracetest.U32(154))
		f.feed(tid, evSignalDeliverE, tracetest.U64(0), tracetest.U64(uint64(tid)), tracetest.U8(11))
		f.feed(tid, evProcExit1E, tracetest.U64(11), tracetest.U64(0), tracetest.U8(11), tracetest.U8(0))
	}
	d := f.a.Deaths()
	if len(d) != 2 {
		t.Fatalf("%d deaths, want 2", len(d))
	}
	if d[0].Signal != 11 || d[0].Status != 11 || d[0].Fault == nil || d[0].Fault.Addr != 0xffffffffff600400 {
		t.Fatalf("first death: %+v", d[0])
	}
	var b bytes.Buffer
	if err := f.a.Report(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"2 processes died from a signal: 2 on the host.",
		"\nhost\n",
		"entrypoint.sh (/bin/bash) died 2 times, restarted 1 time:",
		"SIGSEGV, exit status 11 (a shell shows 139)",
		"fault: addr=FFFFFFFFFF600400 ip=FFFFFFFFFF600400 error=154(PAGE_NOT_PRESENT|READ_ACCESS|USER_FAULT|INSTRUCTION_FETCH)",
		"cause: entrypoint.sh called time() in the legacy vsyscall page at 0xffffffffff600400 and the page was not mapped",
		"> page_fault addr=FFFFFFFFFF600400 ip=FFFFFFFFFF600400 error=154(PAGE_NOT_PRESENT|READ_ACCESS|USER_FAULT|INSTRUCTION_FETCH)",
		"> signaldeliver spid=0 dpid=68300(entrypoint.sh) sig=11(SIGSEGV)",
		"pid 68255 at 00:54:05.138005000: SIGSEGV, exit status 11",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The run of page faults keeps only its last one: 4 lines kept, the
	// minor fault pushed out by the one that killed.
	if strings.Contains(out, "addr=7F0000001000") {
		t.Errorf("a run of page faults kept more than its last:\n%s", out)
	}
	t.Log("\n" + out)
}

func TestCauses(t *testing.T) {
	for _, c := range []struct {
		name string
		f    Fault
		mode vsyscall.Mode
		want string
	}{
		{"vsyscall none", Fault{0xffffffffff600400, 0xffffffffff600400, 154}, vsyscall.ModeNone, "this host runs with vsyscall=none"},
		{"vsyscall read", Fault{0xffffffffff600000, 0x401000, pfProtection | pfRead | pfUser}, vsyscall.ModeXonly, "read the legacy vsyscall page at 0xffffffffff600000 as data"},
		{"null read", Fault{0x8, 0x401000, pfNotPresent | pfRead | pfUser}, "", "dereferenced a NULL pointer (reading address 0x8"},
		{"null call", Fault{0, 0, pfNotPresent | pfRead | pfUser | pfFetch}, "", "called a NULL function pointer"},
		{"stack", Fault{0x7ffd26800ff8, 0x401000, pfNotPresent | pfWrite | pfUser}, "", "overflowed its stack"},
		{"read-only", Fault{0x402000, 0x401000, pfProtection | pfWrite | pfUser}, "", "wrote to a read-only mapping at 0x402000"},
		{"nx", Fault{0x7f1234000000, 0x7f1234000000, pfProtection | pfRead | pfUser | pfFetch}, "", "executed code at 0x7f1234000000 in a mapping that is not executable"},
		{"wild", Fault{0x5555deadbeef, 0x401000, pfNotPresent | pfRead | pfUser}, "", "which nothing is mapped at"},
	} {
		got := Cause("prog", c.f, 11, c.mode, 0)
		if !strings.Contains(got, c.want) || !strings.HasSuffix(got, ".") || strings.Count(got, ". ") > 0 {
			t.Errorf("%s: %q, want one sentence with %q", c.name, got, c.want)
		}
	}
}

// A process killed by SIGKILL from outside: no fault, but a death; and a
// process exiting normally is no death.
func TestKillAndNormalExit(t *testing.T) {
	f := newFeeder(t, "", scap.Process{TID: 10, PID: 10, PTID: 1, Comm: "sleep", Exe: "sleep"},
		scap.Process{TID: 11, PID: 11, PTID: 1, Comm: "true", Exe: "true"},
		scap.Process{TID: 12, PID: 12, PTID: 1, Comm: "abort", Exe: "abort"})
	f.feed(10, evSignalDeliverE, tracetest.U64(1), tracetest.U64(10), tracetest.U8(9))
	f.feed(10, evProcExit1E, tracetest.U64(9), tracetest.U64(0), tracetest.U8(9), tracetest.U8(0))
	f.feed(11, evProcExit1E, tracetest.U64(0), tracetest.U64(0), tracetest.U8(0), tracetest.U8(0))
	f.feed(12, evProcExitE, tracetest.U64(6|0x80)) // the old procexit: status only
	d := f.a.Deaths()
	if len(d) != 2 || d[0].Signal != 9 || d[0].Fault != nil || d[1].Signal != 6 || !d[1].Core {
		t.Fatalf("deaths: %+v", d)
	}
}

// Kind and Cause agree on what a fault is.
func TestKinds(t *testing.T) {
	for _, c := range []struct {
		f    Fault
		want string
	}{
		{Fault{0xffffffffff600400, 0xffffffffff600400, 154}, "a call into the legacy vsyscall page"},
		{Fault{0x8, 0x401000, pfNotPresent | pfRead | pfUser}, "a NULL pointer dereference"},
		{Fault{0x7ffd26800ff8, 0x401000, pfNotPresent | pfWrite | pfUser}, "a stack overflow"},
		{Fault{0x402000, 0x401000, pfProtection | pfWrite | pfUser}, "a write to a read-only mapping"},
		{Fault{0x7f1234000000, 0x7f1234000000, pfProtection | pfRead | pfUser | pfFetch}, "executing a non-executable page"},
	} {
		if got := Kind(c.f, 0); got != c.want {
			t.Errorf("Kind(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// Deaths group by container, named with its image from the container
// event, the host first; restarts count per program and container.
func TestContainerGroups(t *testing.T) {
	const id = "4f9b2c1d7e8a"
	full := id + "0123456789abcdef0123456789abcdef0123456789abcdef0123"
	cg := []string{"cpuset=/docker/" + full, "memory=/docker/" + full}
	f := newFeeder(t, "",
		scap.Process{TID: 100, PID: 100, PTID: 1, Comm: "entrypoint.sh", Exe: "/bin/bash", Cgroups: cg},
		scap.Process{TID: 101, PID: 101, PTID: 1, Comm: "entrypoint.sh", Exe: "/bin/bash", Cgroups: cg},
		scap.Process{TID: 102, PID: 102, PTID: 1, Comm: "entrypoint.sh", Exe: "/bin/bash"})
	f.feed(-1, 272, []byte(`{"container":{"id":"`+id+`","type":0,"name":"redis-1","image":"redis:2.8.22"}}`+"\x00"))
	for _, tid := range []int64{100, 101, 102} {
		f.feed(tid, evPageFaultE, tracetest.U64(0xffffffffff600400), tracetest.U64(0xffffffffff600400), tracetest.U32(154))
		f.feed(tid, evSignalDeliverE, tracetest.U64(0), tracetest.U64(uint64(tid)), tracetest.U8(11))
		f.feed(tid, evProcExit1E, tracetest.U64(11), tracetest.U64(0), tracetest.U8(11), tracetest.U8(0))
	}
	var b bytes.Buffer
	if err := f.a.Report(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	h := strings.Index(out, "\nhost\n")
	c := strings.Index(out, "\ncontainer redis-1 ("+id+"), image redis:2.8.22\n  entrypoint.sh (/bin/bash) died 2 times, restarted 1 time:")
	if h < 0 || c < 0 || h > c || !strings.HasPrefix(out, "3 processes died from a signal: 1 on the host, 2 in 1 container.") {
		t.Fatalf("report:\n%s", out)
	}
}
