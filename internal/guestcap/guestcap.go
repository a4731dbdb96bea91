package guestcap

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/probe"
	"github.com/syscope/syscope/internal/testvm"
)

// Program is the name of the crashing program in the guest (its
// proc.name), and GuestFile where the capture is written there.
const (
	Program   = "oldtime"
	GuestFile = "/tmp/cap.scap"
)

// programSource is /oldtime: one call of time() through the vsyscall
// page, as glibc 2.13 made it. Under vsyscall=none it dies of SIGSEGV at
// that call, with an instruction fetch fault at 0xffffffffff600400.
const programSource = `#include <stdio.h>
#include <time.h>

__attribute__((noinline)) static time_t old_time(void)
{
	return ((time_t(*)(time_t *))0xffffffffff600400)(NULL);
}

int main(void)
{
	printf("old_time: %ld\n", (long)old_time());
	return 0;
}
`

// Markers framing the capture on the console.
const (
	beginCapture = "@@GUESTCAP-BEGIN@@"
	endCapture   = "@@GUESTCAP-END@@"
)

// A Capture is what one boot made.
type Capture struct {
	// Path is the capture file on the host.
	Path string
	// Console is the guest script's output: syscope's messages, the
	// program's exit status ("oldtime exit=139") and the capture's
	// base64 text.
	Console string
}

// Config says what to boot and run. Every field is required.
type Config struct {
	Kernel  string // the bzImage (testvm.Kernel)
	Syscope string // a static syscope binary
	Program string // the static program that calls the vsyscall page
	Out     string // where to write the capture on the host
}

// Make boots cfg.Kernel with vsyscall=none, captures with
// "syscope -w GuestFile --page-faults" while cfg.Program runs and crashes,
// and writes the capture to cfg.Out. It checks that the program died of
// SIGSEGV (exit status 139) and that syscope exited 0.
func Make(ctx context.Context, cfg Config) (*Capture, error) {
	out, err := testvm.Run(ctx, testvm.Config{
		Kernel:  cfg.Kernel,
		Cmdline: "vsyscall=none",
		Files:   map[string]string{"/syscope": cfg.Syscope, "/" + Program: cfg.Program},
		Script:  script(),
		Timeout: 8 * time.Minute,
	})
	c := &Capture{Path: cfg.Out, Console: out}
	if err != nil {
		return c, fmt.Errorf("guest capture: %w\n%s", err, clip(out))
	}
	if !strings.Contains(out, Program+" exit=139\n") {
		return c, fmt.Errorf("guest capture: %s did not die of SIGSEGV (exit 139)\n%s", Program, clip(out))
	}
	data, err := decode(out)
	if err != nil {
		return c, fmt.Errorf("guest capture: %w\n%s", err, clip(out))
	}
	if err := os.WriteFile(cfg.Out, data, 0o644); err != nil {
		return c, err
	}
	return c, nil
}

// script is the guest's test script. It waits until syscope holds one BPF
// link per tracepoint (the probe is attached, so events are kept from then
// on), runs the program, leaves syscope a moment to read the events, and
// stops it with SIGINT as a user's Ctrl-C would.
func script() string {
	links := len(probe.Tracepoints(probe.Options{PageFaults: true}))
	return testvm.StartSyscope("/syscope -w "+GuestFile+" --page-faults >/tmp/syscope.log 2>&1", "/tmp/syscope.log", links) +
		fmt.Sprintf(`/%[1]s
echo "%[1]s exit=$?"
`, Program) + testvm.StopSyscope("/tmp/syscope.log") + fmt.Sprintf(`[ $rc = 0 ] || exit 1
ls -l %[1]s
echo %[2]s
gzip -c %[1]s | base64
echo %[3]s
`, GuestFile, beginCapture, endCapture)
}

// decode takes the capture out of the console text.
func decode(out string) ([]byte, error) {
	_, rest, ok := strings.Cut(out, beginCapture+"\n")
	if !ok {
		return nil, errors.New("no capture on the console")
	}
	text, _, ok := strings.Cut(rest, endCapture)
	if !ok {
		return nil, errors.New("the capture on the console has no end marker")
	}
	gz, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, fmt.Errorf("decode the capture's base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("decompress the capture: %w", err)
	}
	data, err := io.ReadAll(zr) // gzip's CRC catches a damaged transfer
	if err != nil {
		return nil, fmt.Errorf("decompress the capture: %w", err)
	}
	return data, nil
}

func clip(s string) string {
	const max = 6000
	if i := strings.Index(s, beginCapture); i >= 0 {
		s = s[:i] + "[capture]\n"
	}
	if len(s) > max {
		s = "...\n" + s[len(s)-max:]
	}
	return s
}

var (
	once     sync.Once
	onceErr  error
	onceSkip string
	oncePath string
)

// VsyscallCrash returns the path of a capture made by Make, with the
// syscope of this repository (built with CGO_ENABLED=0) and the program
// above (compiled by testvm.CompileStatic). It skips or fails t as
// testvm.Require does when qemu, busybox or the kernel cannot be had (in
// CI it installs them, and a C compiler), and fails t if the capture
// fails. The file is shared: do not modify it.
//
// The capture is made once per test process, and kept in testvm.CacheDir
// under a name made from the hashes of both binaries and the kernel, so
// that the tests of other packages, and later runs, reuse it.
func VsyscallCrash(t testing.TB) string {
	t.Helper()
	kernel := testvm.Require(t)
	once.Do(func() { oncePath, onceSkip, onceErr = vsyscallCrash(kernel) })
	if onceSkip != "" {
		if testvm.InCI() {
			t.Fatal(onceSkip)
		}
		t.Skip(onceSkip)
	}
	if onceErr != nil {
		t.Fatal(onceErr)
	}
	return oncePath
}

// ConsolePath is where VsyscallCrash keeps, beside the capture at path,
// how long the boot took and what the guest printed (without the capture's
// text).
func ConsolePath(path string) string { return strings.TrimSuffix(path, ".scap") + ".console" }

func vsyscallCrash(kernel string) (path, skip string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "syscope-guestcap-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(dir)
	syscope := filepath.Join(dir, "syscope")
	if err := buildSyscope(ctx, syscope); err != nil {
		return "", "", err
	}
	prog := filepath.Join(dir, Program)
	if err := testvm.CompileStatic(ctx, programSource, prog); err != nil {
		if errors.Is(err, testvm.ErrNoCompiler) {
			return "", err.Error(), nil
		}
		return "", "", err
	}
	h := sha256.New()
	for _, p := range []string{syscope, prog, kernel} {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", "", err
		}
		h.Write(b)
	}
	path = filepath.Join(testvm.CacheDir, "guestcap-"+hex.EncodeToString(h.Sum(nil))[:16]+".scap")
	unlock, err := lock(filepath.Join(testvm.CacheDir, "guestcap.lock"))
	if err != nil {
		return "", "", err
	}
	defer unlock()
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return path, "", nil
	}
	tmp := path + ".tmp"
	start := time.Now()
	c, err := Make(ctx, Config{Kernel: kernel, Syscope: syscope, Program: prog, Out: tmp})
	if err != nil {
		os.Remove(tmp)
		return "", "", err
	}
	// The guest's messages, for whoever wonders how the file was made.
	log := fmt.Sprintf("boot and capture: %.1f s\n%s", time.Since(start).Seconds(), clip(c.Console))
	if err := os.WriteFile(ConsolePath(path), []byte(log), 0o644); err != nil {
		return "", "", err
	}
	return path, "", os.Rename(tmp, path)
}

// lock takes an exclusive lock on the file p.
func lock(p string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// buildSyscope builds ./cmd/syscope statically into out.
func buildSyscope(ctx context.Context, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("no go command to build syscope: %w", err)
	}
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", out, "./cmd/syscope")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build a static syscope: %v\n%s", err, msg)
	}
	return nil
}

// moduleRoot is the directory of go.mod above the working directory (a
// test runs in its package's directory).
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}
