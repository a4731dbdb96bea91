package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/elftest"
	"github.com/syscope/syscope/internal/probe"
)

// crasherBase is where crasher maps its one segment: the whole file, so
// the code starts at crasherBase plus the headers' size.
const crasherBase = 0x400000

// crasher makes a static x86-64 executable of code followed by exit(0):
// no compiler needed, and the crash is exactly the instruction asked for.
func crasher(code []byte) []byte {
	code = append(append([]byte{}, code...), 0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05) // mov eax,60; xor edi,edi; syscall
	return elftest.Exec(code, elftest.Options{Addr: crasherBase + elftest.CodeOffset, WholeFile: true})
}

// The crashers, by the cause the report must give. Names are their comm.
var crashers = []struct {
	name  string
	code  []byte
	cause string
}{
	// movabs rax, [0xffffffffff600000]: reading the vsyscall page, which
	// xonly and none forbid.
	{"crash_vsread", []byte{0x48, 0xa1, 0, 0, 0x60, 0xff, 0xff, 0xff, 0xff, 0xff}, "read the legacy vsyscall page at 0xffffffffff600000 as data"},
	// mov rax, [8]
	{"crash_null", []byte{0x48, 0x8b, 0x04, 0x25, 8, 0, 0, 0}, "dereferenced a NULL pointer (reading address 0x8"},
	// mov byte [0x400000], 0: a write to its own code.
	{"crash_rowrite", []byte{0xc6, 0x04, 0x25, 0, 0, 0x40, 0, 0}, "wrote to a read-only mapping at 0x400000"},
	// call $: recursion without end.
	{"crash_stack", []byte{0xe8, 0xfb, 0xff, 0xff, 0xff}, "overflowed its stack"},
	// main calls deref, which reads address 8 (see crashCall).
	{"crash_call", nil, "dereferenced a NULL pointer (reading address 0x8"},
	// mov rax, rsp; jmp rax: executing the stack.
	{"crash_nx", []byte{0x48, 0x89, 0xe0, 0xff, 0xe0}, "in a mapping that is not executable"},
}

// TestCrashesLive captures this host with page faults while programs
// crash in five ways, then checks the crash report over the file: each
// program, SIGSEGV, status 11, its restarts and its cause.
func TestCrashesLive(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	for _, c := range crashers {
		prog := crasher(c.code)
		if c.name == "crash_call" {
			prog = crashCall()
		}
		if err := os.WriteFile(filepath.Join(dir, c.name), prog, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "crashes.scap")
	// Once the probe is attached, crash a few times, which the report
	// counts as restarts.
	stop := startSyscope(t, nil, probe.Options{PageFaults: true}, "-w", out, "--page-faults", "proc.name startswith crash_")
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range crashers {
			err := exec.Command(filepath.Join(dir, c.name)).Run()
			var xe *exec.ExitError
			if !errors.As(err, &xe) || xe.Sys().(syscall.WaitStatus).Signal() != syscall.SIGSEGV {
				t.Fatalf("%s: want death by SIGSEGV, got %v", c.name, err)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	r := runSyscope("-r", out, "-c", "crashes")
	if r.code != 0 {
		t.Fatalf("syscope -r -c crashes: exit %d: %s", r.code, r.stderr)
	}
	rep := string(r.stdout)
	t.Log("\n" + rep)
	// The user stack, symbolized from the program's .symtab.
	if !strings.Contains(rep, "stack: #0 deref (crash_call)  #1 main+5 (crash_call)\n") {
		t.Errorf("the report lacks crash_call's stack")
	}
	for _, c := range crashers {
		i := strings.Index(rep, "  "+c.name+" ")
		if i < 0 {
			t.Errorf("the report does not name %s", c.name)
			continue
		}
		sect := rep[i:]
		if j := strings.Index(sect[2:], "\n  crash_"); j >= 0 {
			sect = sect[:j+2]
		}
		for _, want := range []string{"restarted", "SIGSEGV, exit status 11", "fault: addr=", "cause: " + c.name + " ", c.cause, "> signaldeliver", "> procexit status=11"} {
			if !strings.Contains(sect, want) {
				t.Errorf("%s: the report lacks %q:\n%s", c.name, want, sect)
			}
		}
	}
}
