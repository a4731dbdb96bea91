//go:build 386 || amd64

package probe

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/syscope/syscope/event"
)

// TestEventHeaderLayout compares the event header the C code writes (struct
// event_header, read from the compiled object's BTF) with what package
// event decodes, so that the two cannot drift apart unnoticed.
func TestEventHeaderLayout(t *testing.T) {
	spec, err := loadProbe()
	if err != nil {
		t.Fatal(err)
	}
	var hdr *btf.Struct
	if err := spec.Types.TypeByName("event_header", &hdr); err != nil {
		t.Fatalf("the object has no struct event_header: %v", err)
	}
	if hdr.Size != event.HeaderLen {
		t.Errorf("struct event_header is %d bytes, package event's header %d", hdr.Size, event.HeaderLen)
	}
	want := []struct {
		name string
		off  uint32
		size uint32
	}{
		{"ts", 0, 8}, {"tid", 8, 8}, {"len", 16, 4}, {"type", 20, 2}, {"nparams", 22, 4},
	}
	if len(hdr.Members) != len(want) {
		t.Fatalf("struct event_header has %d members, want %d", len(hdr.Members), len(want))
	}
	raw := make([]byte, 64)
	for i, w := range want {
		m := hdr.Members[i]
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			t.Fatal(err)
		}
		if m.Name != w.name || m.Offset.Bytes() != w.off || uint32(size) != w.size {
			t.Errorf("member %d is %s at %d (%d bytes), want %s at %d (%d bytes)",
				i, m.Name, m.Offset.Bytes(), size, w.name, w.off, w.size)
		}
	}
	// An event written at the C offsets decodes to the same values.
	off := func(name string) uint32 {
		for _, m := range hdr.Members {
			if m.Name == name {
				return m.Offset.Bytes()
			}
		}
		t.Fatalf("no member %s", name)
		return 0
	}
	binary.LittleEndian.PutUint64(raw[off("ts"):], 0x1122334455667788)
	binary.LittleEndian.PutUint64(raw[off("tid"):], 4242)
	binary.LittleEndian.PutUint32(raw[off("len"):], event.HeaderLen+2+8)
	binary.LittleEndian.PutUint16(raw[off("type"):], 5) // close exit: res
	binary.LittleEndian.PutUint32(raw[off("nparams"):], 1)
	binary.LittleEndian.PutUint16(raw[event.HeaderLen:], 8)
	binary.LittleEndian.PutUint64(raw[event.HeaderLen+2:], ^uint64(8)) // -9
	var ev event.Event
	if err := ev.Decode(raw); err != nil {
		t.Fatal(err)
	}
	if ev.TS != 0x1122334455667788 || ev.TID != 4242 || ev.Type != 5 || ev.NParams() != 1 ||
		event.Int(ev.Param(0)) != -9 || len(ev.Raw) != event.HeaderLen+10 {
		t.Errorf("decoded %+v", ev)
	}
}

// TestSyscallTablesMatch checks that every syscall with an enter filler
// has an exit filler and the reverse: sysdig pairs enter and exit events
// by type, and a generic enter with a specific exit would confuse it.
func TestSyscallTablesMatch(t *testing.T) {
	spec, err := loadProbe()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(name string) map[uint32]bool {
		out := map[uint32]bool{}
		for _, kv := range spec.Maps[name].Contents {
			out[kv.Key.(uint32)] = true
		}
		return out
	}
	enter, exit := keys("enter_progs"), keys("exit_progs")
	for nr := range enter {
		if !exit[nr] {
			t.Errorf("syscall %d (%s) has an enter filler but no exit filler", nr, event.NativeSyscallName(uint16(nr)))
		}
	}
	for nr := range exit {
		if !enter[nr] {
			t.Errorf("syscall %d (%s) has an exit filler but no enter filler", nr, event.NativeSyscallName(uint16(nr)))
		}
	}
	if len(enter) < 90 {
		t.Errorf("only %d syscalls decoded", len(enter))
	}
	t.Logf("%d syscalls decoded", len(enter))
}

// TestSyscallNumbers checks bpf/syscalls.h against package event's x86_64
// syscall names: a wrong number would route a syscall to another's filler.
func TestSyscallNumbers(t *testing.T) {
	b, err := os.ReadFile("../../bpf/syscalls.h")
	if err != nil {
		t.Skipf("no bpf/ beside the package: %v", err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "#define" || !strings.HasPrefix(f[1], "__NR_") {
			continue
		}
		nr, err := strconv.Atoi(f[2])
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if name := event.NativeSyscallName(uint16(nr)); name != strings.TrimPrefix(f[1], "__NR_") {
			t.Errorf("%s, but syscall %d is %q", line, nr, name)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d syscall numbers in bpf/syscalls.h", n)
	}
}
