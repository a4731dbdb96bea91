package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the real sysdig")

func TestMain(m *testing.M) {
	// The test binary doubles as syscope for tests that need a process
	// of their own (signals).
	if os.Getenv("SYSCOPE_TEST_MAIN") == "1" {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	// Both programs print times in the local time zone: pin it. sysdig
	// gets the same in its environment.
	os.Setenv("TZ", "UTC")
	flag.Parse()
	code := m.Run()
	if err := saveMeta(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// inCI is set by CI: there, nothing may be skipped for want of sysdig or
// the trace files.
var inCI = os.Getenv("CI") == "true"

// tracesDir finds the real trace files: $SYSCOPE_TRACES, or shared/traces
// beside the repository root.
func tracesDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		dir = filepath.Join(repoRoot(tb), "..", "shared", "traces")
	}
	if _, err := os.Stat(dir); err != nil {
		if inCI {
			tb.Fatalf("trace files not found (set SYSCOPE_TRACES): %v", err)
		}
		tb.Skipf("trace files not found (set SYSCOPE_TRACES): %v", err)
	}
	return dir
}

func repoRoot(tb testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for root := wd; ; {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root
		}
		parent := filepath.Dir(root)
		if parent == root {
			tb.Fatalf("no go.mod above %s", wd)
		}
		root = parent
	}
}

// traceNames lists the trace files by base name, sorted.
func traceNames(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(tracesDir(tb), "*.scap"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no trace files (%v)", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".scap"))
	}
	sort.Strings(names)
	return names
}

func tracePath(tb testing.TB, name string) string {
	return filepath.Join(tracesDir(tb), name+".scap")
}

// result is what one run of either program gave.
type result struct {
	stdout []byte
	stderr string
	code   int
}

// runSyscope runs syscope in-process.
func runSyscope(args ...string) result {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return result{out.Bytes(), errb.String(), code}
}

// sysdigPath is the real sysdig, or "" when it is not installed.
func sysdigPath(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("sysdig")
	if err != nil {
		if _, err2 := os.Stat("/usr/bin/sysdig"); err2 == nil {
			return "/usr/bin/sysdig"
		}
		if inCI {
			tb.Fatalf("sysdig is not installed (apt-get install sysdig): %v", err)
		}
		return ""
	}
	return p
}

// runSysdig runs the real sysdig with TZ=UTC.
func runSysdig(tb testing.TB, path string, args ...string) result {
	tb.Helper()
	cmd := exec.Command(path, args...)
	cmd.Args[0] = "sysdig" // as getopt's messages name it
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			tb.Fatalf("running sysdig %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{out.Bytes(), errb.String(), code}
}

// elapsedRE matches the line of -v's statistics that holds timings.
var elapsedRE = regexp.MustCompile(`(?m)^Elapsed time: [0-9.]+, Captured Events: ([0-9]+), [-0-9.a-z]+ eps$`)

// normStderr removes what legitimately differs between runs and between
// the two programs: timings, and the program name that prefixes getopt's
// messages.
func normStderr(s string) string {
	s = elapsedRE.ReplaceAllString(s, "Elapsed time: *, Captured Events: $1, * eps")
	s = strings.ReplaceAll(s, "sysdig: ", "PROG: ")
	s = strings.ReplaceAll(s, prog+": ", "PROG: ")
	return s
}

// firstDiff describes where two outputs first differ, briefly.
func firstDiff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	wl := bytes.SplitAfter(want, []byte("\n"))
	gl := bytes.SplitAfter(got, []byte("\n"))
	for i := 0; ; i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return fmt.Sprintf("line %d (of %d wanted, %d got):\n  want: %s\n  got:  %s",
				i+1, len(wl), len(gl), clip(w), clip(g))
		}
	}
}

func clip(b []byte) string {
	if b == nil {
		return "<end of output>"
	}
	const max = 300
	s := fmt.Sprintf("%q", b)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}

// compare lists how got differs from want; what names want.
func compare(what string, want, got result) []string {
	var probs []string
	if d := firstDiff(want.stdout, got.stdout); d != "" {
		probs = append(probs, fmt.Sprintf("stdout differs from %s at %s", what, d))
	}
	if w, g := normStderr(want.stderr), normStderr(got.stderr); w != g {
		probs = append(probs, fmt.Sprintf("stderr differs from %s at %s", what, firstDiff([]byte(w), []byte(g))))
	}
	if want.code != got.code {
		probs = append(probs, fmt.Sprintf("exit code %d, %s exits with %d", got.code, what, want.code))
	}
	return probs
}

// Golden files: testdata/golden/NAME.out.gz holds sysdig's stdout for
// case NAME, and testdata/golden/meta.txt its exit code and (normalized)
// stderr for every case.

func goldenDir(tb testing.TB) string {
	return filepath.Join(repoRoot(tb), "cmd", "syscope", "testdata", "golden")
}

var (
	metaMu     sync.Mutex
	metaLoaded bool
	meta       = map[string]metaEntry{}
	metaDirty  bool
	metaPath   string
)

type metaEntry struct {
	code   int
	stderr string
}

func loadMeta(tb testing.TB) {
	metaMu.Lock()
	defer metaMu.Unlock()
	if metaLoaded {
		return
	}
	metaLoaded = true
	metaPath = filepath.Join(goldenDir(tb), "meta.txt")
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return
	}
	// Each entry: "NAME CODE LEN\n" followed by LEN bytes of stderr.
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			tb.Fatalf("%s: truncated", metaPath)
		}
		var name string
		var code, n int
		if _, err := fmt.Sscanf(string(b[:nl]), "%s %d %d", &name, &code, &n); err != nil || nl+1+n > len(b) {
			tb.Fatalf("%s: bad entry %q", metaPath, b[:nl])
		}
		meta[name] = metaEntry{code, string(b[nl+1 : nl+1+n])}
		b = b[nl+1+n:]
	}
}

func saveMeta() error {
	metaMu.Lock()
	defer metaMu.Unlock()
	if !metaDirty {
		return nil
	}
	names := make([]string, 0, len(meta))
	for n := range meta {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		e := meta[n]
		fmt.Fprintf(&b, "%s %d %d\n%s", n, e.code, len(e.stderr), e.stderr)
	}
	return os.WriteFile(metaPath, b.Bytes(), 0o644)
}

// readGolden returns the golden result of case name, or false.
func readGolden(t *testing.T, name string) (result, bool) {
	t.Helper()
	loadMeta(t)
	metaMu.Lock()
	e, ok := meta[name]
	metaMu.Unlock()
	if !ok {
		return result{}, false
	}
	f, err := os.Open(filepath.Join(goldenDir(t), name+".out.gz"))
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	return result{out, e.stderr, e.code}, true
}

// writeGolden stores sysdig's result for case name.
func writeGolden(t *testing.T, name string, r result) {
	t.Helper()
	loadMeta(t)
	dir := goldenDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(r.stdout)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name+".out.gz"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	metaMu.Lock()
	meta[name] = metaEntry{r.code, normStderr(r.stderr)}
	metaDirty = true
	metaMu.Unlock()
}

// check runs one conformance case: syscope's result must equal the real
// sysdig's (when installed) and the golden file's (when present). With
// -update, the golden file is rewritten from sysdig first. A case listed
// in testdata/known_failures.txt is skipped, with the difference, while it
// fails, and fails once it passes, so that the list only shrinks.
func check(t *testing.T, golden string, args []string, got result) {
	t.Helper()
	sd := sysdigPath(t)
	var live result
	if sd != "" {
		live = runSysdig(t, sd, args...)
		if *update {
			writeGolden(t, golden, live)
		}
	} else if *update {
		t.Fatal("-update needs the real sysdig")
	}
	g, haveGolden := readGolden(t, golden)
	if sd == "" && !haveGolden {
		t.Fatalf("neither sysdig nor a golden file for %s", golden)
	}
	var probs []string
	if sd != "" {
		probs = compare("sysdig", live, got)
	}
	if haveGolden {
		if sd != "" && (!bytes.Equal(g.stdout, live.stdout) || g.code != live.code || g.stderr != normStderr(live.stderr)) {
			t.Errorf("golden file %s differs from the installed sysdig: rerun with -update", golden)
		}
		if len(probs) == 0 {
			probs = compare("golden "+golden, g, got)
		}
	} else if inCI {
		t.Errorf("no golden file for %s: run go test ./cmd/syscope -update", golden)
	}
	if reason, known := knownFailure(t, golden); known {
		if len(probs) == 0 {
			t.Errorf("%s passes now: remove it from testdata/known_failures.txt", golden)
			return
		}
		t.Skipf("known failure (%s): %s", reason, probs[0])
	}
	for _, p := range probs {
		t.Error(p)
	}
}

var (
	knownOnce sync.Once
	known     map[string]string
)

// knownFailure reports whether case name is listed in
// testdata/known_failures.txt ("NAME  # why" per line), and why.
func knownFailure(tb testing.TB, name string) (string, bool) {
	knownOnce.Do(func() {
		known = map[string]string{}
		b, err := os.ReadFile(filepath.Join(repoRoot(tb), "cmd", "syscope", "testdata", "known_failures.txt"))
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			n, why, _ := strings.Cut(line, "#")
			n = strings.TrimSpace(n)
			if n != "" {
				known[n] = strings.TrimSpace(why)
			}
		}
	})
	why, ok := known[name]
	return why, ok
}

// eachEvent reads the capture file at path to its end, calling fn with
// each event, and returns how many there were; a reading error fails the
// test.
func eachEvent(t *testing.T, path string, fn func(*event.Event)) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := scap.NewReader(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	n := 0
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatalf("%s: after %d events: %v", path, n, err)
		}
		n++
		fn(ev)
	}
	return n
}

// needRoot skips a test of live capture when not root, or fails it in CI,
// which is root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if inCI {
			t.Fatal("live capture needs root, which CI has")
		}
		t.Skip("live capture needs root")
	}
}

// gzipped is b compressed as gzip.
func gzipped(b []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}
