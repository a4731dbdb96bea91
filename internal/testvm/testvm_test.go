package testvm

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readNewc parses a newc cpio archive into name -> (mode, data).
func readNewc(t *testing.T, b []byte) map[string]struct {
	mode uint32
	data string
} {
	t.Helper()
	out := map[string]struct {
		mode uint32
		data string
	}{}
	align := func(n int) int { return (n + 3) &^ 3 }
	for off := 0; ; {
		if off+110 > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("bad header at %d", off)
		}
		field := func(i int) int {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return int(v)
		}
		mode, size, namesize := uint32(field(1)), field(6), field(11)
		name := string(b[off+110 : off+110+namesize-1])
		off = align(off + 110 + namesize)
		data := string(b[off : off+size])
		off = align(off + size)
		if name == "TRAILER!!!" {
			return out
		}
		out[name] = struct {
			mode uint32
			data string
		}{mode, data}
	}
}

func TestBuildInitramfs(t *testing.T) {
	if _, err := findBusybox(); err != nil {
		if InCI() {
			if err := Install(context.Background()); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Skip(err)
		}
	}
	dir := t.TempDir()
	host := filepath.Join(dir, "prog")
	if err := os.WriteFile(host, []byte("#!/bin/sh\necho hi\n"), 0o751); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "initrd.gz")
	if err := BuildInitramfs(dst, map[string]string{"/opt/x/prog": host}, "echo script"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	ents := readNewc(t, raw)
	for name, want := range map[string]uint32{
		"opt":          sIFDIR | 0o755,
		"opt/x":        sIFDIR | 0o755,
		"opt/x/prog":   sIFREG | 0o751,
		"init":         sIFREG | 0o755,
		"bin/busybox":  sIFREG | 0o755,
		"bin/sh":       sIFLNK | 0o777,
		"dev/console":  sIFCHR | 0o600,
		"script.sh":    sIFREG | 0o755,
		"sys":          sIFDIR | 0o755,
		"proc":         sIFDIR | 0o755,
		"usr/sbin":     sIFDIR | 0o755,
		"etc/passwd":   sIFREG | 0o644,
		"dev/null":     sIFCHR | 0o666,
		"root":         sIFDIR | 0o755,
		"tmp":          sIFDIR | 0o755,
		"run":          sIFDIR | 0o755,
		"mnt":          sIFDIR | 0o755,
		"usr/bin":      sIFDIR | 0o755,
		"sbin":         sIFDIR | 0o755,
		"usr":          sIFDIR | 0o755,
		"dev":          sIFDIR | 0o755,
		"etc":          sIFDIR | 0o755,
		"bin":          sIFDIR | 0o755,
		"opt/x/../x/.": 0, // not there: names are clean
	} {
		got, ok := ents[name]
		if want == 0 {
			if ok {
				t.Errorf("%s is in the archive", name)
			}
			continue
		}
		if !ok || got.mode != want {
			t.Errorf("%s: mode %o (present %v), want %o", name, got.mode, ok, want)
		}
	}
	if ents["opt/x/prog"].data != "#!/bin/sh\necho hi\n" || ents["script.sh"].data != "echo script" || ents["bin/sh"].data != "busybox" {
		t.Errorf("contents differ: %q %q %q", ents["opt/x/prog"].data, ents["script.sh"].data, ents["bin/sh"].data)
	}
	// The archive is what busybox cpio reads, too.
	cmd := exec.Command("busybox", "cpio", "-t")
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("busybox cpio -t: %v", err)
	}
	if !strings.Contains(string(out), "opt/x/prog\n") || !strings.Contains(string(out), "dev/console\n") {
		t.Errorf("busybox cpio -t lists:\n%s", out)
	}
	if err := BuildInitramfs(dst, map[string]string{"relative": host}, ""); err == nil {
		t.Error("a relative guest path was accepted")
	}
}

func TestParseConsole(t *testing.T) {
	text := "boot noise\n" + beginMarker + "\nline 1\nline 2\n" + endMarker + "7@@\n[ 1.0] reboot\n"
	out, status, found := parseConsole(text)
	if !found || status != 7 || out != "line 1\nline 2\n" {
		t.Errorf("got %q %d %v", out, status, found)
	}
	if _, _, found := parseConsole("no markers\n"); found {
		t.Error("found without markers")
	}
	if out, _, found := parseConsole(beginMarker + "\npartial\n"); found || out != "partial\n" {
		t.Errorf("unfinished: %q %v", out, found)
	}
}

// TestRun boots the 6.1 guest once: the script sees the mounts, its files
// and the kernel command line, and its exit status comes back.
func TestRun(t *testing.T) {
	Require(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("payload\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var log bytes.Buffer
	out, err := Run(context.Background(), Config{
		Cmdline: "vsyscall=none",
		Files:   map[string]string{"/data/file": data},
		Script: `uname -r
cat /data/file
cat /proc/cmdline
grep -c vsyscall /proc/self/maps
ls /sys/kernel/tracing/events/exceptions/page_fault_user/format
exit 3`,
		Log: &log,
	})
	t.Logf("boot took %v", time.Since(start).Round(time.Millisecond))
	var se *ScriptError
	if !errors.As(err, &se) || se.Status != 3 {
		t.Fatalf("err = %v, want exit status 3\noutput:\n%s\nconsole:\n%s", err, out, tail(log.String(), 40))
	}
	for _, want := range []string{"6.1.", "payload\n", "vsyscall=none", "\n0\n", "page_fault_user/format\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCompileStatic(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "hello")
	err := CompileStatic(ctx, "#include <stdio.h>\nint main(void) { puts(\"hello static\"); return 3; }\n", out)
	if errors.Is(err, ErrNoCompiler) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !IsStatic(out) {
		t.Fatalf("%s is not static", out)
	}
	msg, err := exec.Command(out).Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || string(msg) != "hello static\n" {
		t.Fatalf("running it: %v %q", err, msg)
	}
	if err := CompileStatic(ctx, "int main(void) { return undeclared; }\n", out); err == nil || !strings.Contains(err.Error(), "undeclared") {
		t.Errorf("a program that does not compile: %v", err)
	}
}
