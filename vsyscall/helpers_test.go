package vsyscall

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/syscope/syscope/internal/testvm"

	"github.com/syscope/syscope/internal/elftest"
)

// testMainEnv makes the test binary act as the syscope command: the VM
// tests copy it into the guest and run "/syscope vsyscall ..." with it set.
const testMainEnv = "SYSCOPE_VSYSCALL_TEST_MAIN"

var buildDir string

func TestMain(m *testing.M) {
	if os.Getenv(testMainEnv) == "1" {
		// Wired like cmd/syscope: "vsyscall ARGS" and "bench time ARGS".
		args := os.Args[1:]
		if len(args) > 0 && args[0] == "bench" {
			if len(args) > 1 && args[1] == "time" {
				args = args[1:]
			}
			os.Exit(BenchTimeMain(args[1:], os.Stdout, os.Stderr))
		}
		if len(args) > 0 && args[0] == "vsyscall" {
			args = args[1:]
		}
		os.Exit(Main(args, os.Stdout, os.Stderr))
	}
	dir, err := os.MkdirTemp("", "syscope-vsyscall-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// need makes sure a command is installed: in CI it installs the Debian
// package when missing (and fails if it cannot); elsewhere it skips.
func need(t testing.TB, command string, pkgs ...string) {
	t.Helper()
	if _, err := exec.LookPath(command); err == nil {
		return
	}
	if !testvm.InCI() {
		t.Skipf("%s is not installed (apt-get install %s; CI installs it)", command, strings.Join(pkgs, " "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := testvm.AptInstall(ctx, pkgs...); err != nil {
		t.Fatalf("installing %s: %v", strings.Join(pkgs, " "), err)
	}
	if _, err := exec.LookPath(command); err != nil {
		t.Fatalf("%s still missing after installing %s", command, strings.Join(pkgs, " "))
	}
}

var (
	buildMu sync.Mutex
	builds  = map[string]string{}
)

// buildC compiles testdata/SRC.c with gcc and the flags, once per test
// binary, and returns the executable's path.
func buildC(t testing.TB, src string, flags ...string) string {
	t.Helper()
	need(t, "gcc", "gcc", "libc6-dev")
	key := src + " " + strings.Join(flags, " ")
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := builds[key]; ok {
		return p
	}
	name := src + strings.NewReplacer(" ", "", "-", "_").Replace(strings.Join(flags, ""))
	out := filepath.Join(buildDir, name)
	args := append([]string{"-O2", "-g0", "-o", out, filepath.Join("testdata", src+".c")}, flags...)
	if msg, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	builds[key] = out
	return out
}

// A testSym is a function symbol for buildELF.
type testSym = elftest.Sym

// buildELF makes a minimal x86-64 executable: one PT_LOAD segment and one
// .text section holding code at addr, with a .symtab naming syms. With
// noSections it has no section headers at all.
func buildELF(code []byte, addr uint64, syms []testSym, noSections bool) []byte {
	return elftest.Exec(code, elftest.Options{Addr: addr, Sections: !noSections, Syms: syms})
}

// tarOf makes a tar archive of name -> contents (mode 0755 files).
func tarOf(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		data := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bookwormRoot returns a Debian 12 minbase root filesystem made by
// debootstrap, cached in /var/tmp/syscope-bookworm/DATE so that test runs
// of the same day share it (older ones are removed).
func bookwormRoot(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("debootstraps a Debian rootfs (about a minute the first time a day): skipped with -short")
	}
	need(t, "debootstrap", "debootstrap")
	const cache = "/var/tmp/syscope-bookworm"
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(cache, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	day := time.Now().UTC().Format("20060102")
	root := filepath.Join(cache, day)
	if _, err := os.Stat(filepath.Join(root, ".complete")); err == nil {
		return root
	}
	old, _ := filepath.Glob(filepath.Join(cache, "2*"))
	for _, o := range old {
		os.RemoveAll(o)
	}
	mirror := debianMirror()
	tmp := root + ".tmp"
	os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "bookworm", tmp, mirror).CombinedOutput()
	if err != nil {
		t.Fatalf("debootstrap --variant=minbase bookworm %s %s: %v\n%s", tmp, mirror, err, lastLines(string(out), 20))
	}
	t.Logf("debootstrap took %v", time.Since(start).Round(time.Second))
	if err := os.Rename(tmp, root); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

var (
	uriRE = regexp.MustCompile(`(?m)^\s*URIs:\s*(\S+)`)
	debRE = regexp.MustCompile(`(?m)^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s`)
)

// debianMirror reads the Debian mirror from apt's sources, the one that
// carries bookworm (not -security), as apt is set up to reach it.
func debianMirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append([]string{"/etc/apt/sources.list"}, files...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, stanza := range strings.Split(string(b), "\n\n") {
			if m := uriRE.FindStringSubmatch(stanza); m != nil && regexp.MustCompile(`(?m)^\s*Suites:.*\bbookworm\b`).MatchString(stanza) && !strings.Contains(m[1], "security") {
				return m[1]
			}
			if m := debRE.FindStringSubmatch(stanza); m != nil && !strings.Contains(m[1], "security") {
				return m[1]
			}
		}
	}
	return "http://deb.debian.org/debian"
}

func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
