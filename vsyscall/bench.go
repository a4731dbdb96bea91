package vsyscall

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// The paths through which the benchmark calls time().
const (
	PathVDSO     = "vdso"
	PathSyscall  = "syscall"
	PathVsyscall = "vsyscall"
)

// AllPaths lists the benchmark's paths in the order it runs them.
var AllPaths = []string{PathVDSO, PathSyscall, PathVsyscall}

// BenchOptions tunes BenchTime.
type BenchOptions struct {
	// Duration is how long each path is measured; 0 means 300ms.
	Duration time.Duration
	// Paths selects paths among AllPaths; nil means all of them.
	Paths []string
}

// A PathResult is the measure of one path, made in a child process.
type PathResult struct {
	Path    string        `json:"path"`
	Via     string        `json:"via"` // what was called: "__vdso_time", "SYS_time", ...
	Calls   int64         `json:"calls"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Crashed is set when the child died of SIGSEGV (the vsyscall path
	// under vsyscall=none).
	Crashed bool `json:"crashed,omitempty"`
	// Err is any other failure of the child.
	Err error `json:"-"`
}

// Rate is the calls per second.
func (r PathResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// benchEnv, when set, makes the process a benchmark child: the package's
// init measures one path and exits (see init below). Its value is
// "PATH DURATION".
const benchEnv = "SYSCOPE_VSYSCALL_BENCH_CHILD"

func init() {
	if v, ok := os.LookupEnv(benchEnv); ok {
		os.Exit(benchChild(v, os.Stdout, os.Stderr))
	}
}

// vsyscallTimeAddr is the vsyscall time() entry, held in a variable so that
// no instruction of this program loads the constant before calling it: a
// scan of the syscope binary finds nothing.
var vsyscallTimeAddr uintptr = AddrTime

// benchChild measures one path and prints "calls N ns N value N via WHAT".
func benchChild(spec string, stdout, stderr io.Writer) int {
	path, durStr, _ := strings.Cut(spec, " ")
	d, err := time.ParseDuration(durStr)
	if err != nil || d <= 0 {
		d = 300 * time.Millisecond
	}
	if !benchSupported {
		fmt.Fprintln(stderr, "the time() benchmark needs an amd64 machine")
		return 2
	}
	runtime.LockOSThread()
	var loop func(n int64) int64
	var via string
	switch path {
	case PathVDSO:
		fn, name, err := findVDSOSymbol("__vdso_time", "__vdso_clock_gettime")
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		via = name
		if name == "__vdso_time" {
			loop = func(n int64) int64 { return callLoop1(fn, n) }
		} else {
			loop = func(n int64) int64 { return clockLoop(fn, n) }
		}
	case PathSyscall:
		via = "SYS_time"
		loop = syscallLoop
	case PathVsyscall:
		via = fmt.Sprintf("call %#x", vsyscallTimeAddr)
		// Die of the SIGSEGV like a C program would, without a core
		// file, instead of the Go runtime's crash report.
		_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
		var sa [4]uint64 // struct sigaction, all zero: SIG_DFL
		if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGSEGV), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0); e != 0 {
			fmt.Fprintf(stderr, "resetting the SIGSEGV handler: %v\n", e)
			return 2
		}
		loop = func(n int64) int64 { return callLoop1(vsyscallTimeAddr, n) }
	default:
		fmt.Fprintf(stderr, "unknown benchmark path %q\n", path)
		return 2
	}
	// Warm up, and check that the answer is the time.
	v := loop(1)
	if now := time.Now().Unix(); v < now-5 || v > now+5 {
		fmt.Fprintf(stderr, "%s returned %d, not the time (%d)\n", via, v, now)
		return 2
	}
	var calls int64
	var elapsed time.Duration
	for n := int64(64); elapsed < d; {
		t0 := time.Now()
		v = loop(n)
		dt := time.Since(t0)
		calls += n
		elapsed += dt
		if dt < 20*time.Millisecond && n < 1<<32 {
			n *= 2
		}
	}
	fmt.Fprintf(stdout, "calls %d ns %d value %d via %s\n", calls, elapsed.Nanoseconds(), v, via)
	return 0
}

// findVDSOSymbol finds the first of names among the vDSO's dynamic symbols
// and returns its address in this process. The vDSO's address comes from
// AT_SYSINFO_EHDR in /proc/self/auxv, its size from /proc/self/maps, and
// its bytes from /proc/self/mem.
func findVDSOSymbol(names ...string) (uintptr, string, error) {
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 0, "", fmt.Errorf("reading the auxiliary vector: %w", err)
	}
	const atSysinfoEhdr = 33
	var base uint64
	for i := 0; i+16 <= len(auxv); i += 16 {
		if binary.LittleEndian.Uint64(auxv[i:]) == atSysinfoEhdr {
			base = binary.LittleEndian.Uint64(auxv[i+8:])
		}
	}
	if base == 0 {
		return 0, "", errors.New("no vDSO: the auxiliary vector has no AT_SYSINFO_EHDR")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, "", fmt.Errorf("reading the memory map: %w", err)
	}
	size := uint64(0)
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != "[vdso]" {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		l, err1 := strconv.ParseUint(lo, 16, 64)
		h, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && l == base && h > l {
			size = h - l
		}
	}
	if size == 0 {
		return 0, "", fmt.Errorf("no [vdso] mapping at %#x in /proc/self/maps", base)
	}
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		return 0, "", fmt.Errorf("reading the vDSO: %w", err)
	}
	defer mem.Close()
	img := make([]byte, size)
	if _, err := mem.ReadAt(img, int64(base)); err != nil {
		return 0, "", fmt.Errorf("reading the vDSO: %w", err)
	}
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		return 0, "", fmt.Errorf("parsing the vDSO: %w", trimELFErr(err))
	}
	var bias uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			bias = p.Vaddr - p.Off
			break
		}
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		return 0, "", fmt.Errorf("reading the vDSO's symbols: %w", trimELFErr(err))
	}
	for _, name := range names {
		for _, s := range syms {
			if s.Name == name && s.Value != 0 && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
				return uintptr(base + s.Value - bias), name, nil
			}
		}
	}
	return 0, "", fmt.Errorf("the vDSO has none of %s", strings.Join(names, ", "))
}

// RunBenchTime measures each path in a child process (a re-execution of
// this program) and returns the results in the order of opts.Paths.
func RunBenchTime(ctx context.Context, opts BenchOptions) []PathResult {
	d := opts.Duration
	if d <= 0 {
		d = 300 * time.Millisecond
	}
	paths := opts.Paths
	if len(paths) == 0 {
		paths = AllPaths
	}
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if p, err := os.Executable(); err == nil {
			exe = p
		}
	}
	var out []PathResult
	for _, path := range paths {
		out = append(out, runChild(ctx, exe, path, d))
	}
	return out
}

func runChild(ctx context.Context, exe, path string, d time.Duration) PathResult {
	res := PathResult{Path: path}
	ctx, cancel := context.WithTimeout(ctx, 20*d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Args = []string{os.Args[0]}
	cmd.Env = append(os.Environ(), benchEnv+"="+path+" "+d.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGSEGV {
			res.Crashed = true
			return res
		}
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		res.Err = fmt.Errorf("%s path: %s", path, msg)
		return res
	}
	var ns, value int64
	line := strings.TrimSpace(stdout.String())
	head, via, ok := strings.Cut(line, " via ")
	if _, err := fmt.Sscanf(head, "calls %d ns %d value %d", &res.Calls, &ns, &value); err != nil || !ok {
		res.Err = fmt.Errorf("%s path: unexpected output %q", path, line)
		return res
	}
	res.Via = via
	res.Elapsed = time.Duration(ns)
	return res
}

// BenchTime runs the time() benchmark and prints its report: calls per
// second through the vDSO, the syscall instruction and the vsyscall page,
// and the ratios to the vDSO. Exit status 0, or 2 when a path failed for
// another reason than the vsyscall page being disabled.
func BenchTime(stdout, stderr io.Writer, opts BenchOptions) int {
	host, err := DetectHost()
	if err != nil {
		fmt.Fprintf(stderr, "syscope: %v\n", err)
		return 2
	}
	d := opts.Duration
	if d <= 0 {
		d = 300 * time.Millisecond
	}
	results := RunBenchTime(context.Background(), BenchOptions{Duration: d, Paths: opts.Paths})
	writeBench(stdout, host, d, results)
	status := 0
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "syscope: %v\n", r.Err)
			status = 2
		}
	}
	return status
}

var pathLabels = map[string]string{
	PathVDSO:     "vDSO",
	PathSyscall:  "syscall",
	PathVsyscall: "vsyscall",
}

func writeBench(w io.Writer, host *HostInfo, d time.Duration, results []PathResult) {
	fmt.Fprintf(w, "time() calls per second, each path measured for %v in its own process (kernel %s, vsyscall=%s)\n", d, host.Release, host.Mode)
	var vdso float64
	for _, r := range results {
		if r.Path == PathVDSO && r.Err == nil && !r.Crashed {
			vdso = r.Rate()
		}
	}
	for _, r := range results {
		label := fmt.Sprintf("%-9s", pathLabels[r.Path])
		via := r.Via
		if via == "" {
			switch r.Path {
			case PathVsyscall:
				via = fmt.Sprintf("call %#x", uint64(AddrTime))
			case PathSyscall:
				via = "SYS_time"
			}
		}
		switch {
		case r.Crashed && r.Path == PathVsyscall && host.Mode == ModeNone:
			fmt.Fprintf(w, "  %s %-24s crashes (SIGSEGV): this kernel runs vsyscall=none\n", label, via)
		case r.Crashed:
			fmt.Fprintf(w, "  %s %-24s crashes (SIGSEGV)\n", label, via)
		case r.Err != nil:
			fmt.Fprintf(w, "  %s %-24s failed: %v\n", label, via, r.Err)
		default:
			rate := r.Rate()
			line := fmt.Sprintf("  %s %-24s %10s calls/s %10s/call", label, via, humanRate(rate), humanNS(1e9/rate))
			if r.Path != PathVDSO && vdso > 0 && rate > 0 {
				line += fmt.Sprintf("   %.1fx slower than vDSO", vdso/rate)
			}
			fmt.Fprintln(w, line)
		}
	}
	var ratios []string
	for _, r := range results {
		if r.Path != PathVDSO && vdso > 0 && r.Err == nil && !r.Crashed && r.Rate() > 0 {
			ratios = append(ratios, fmt.Sprintf("%s/vDSO = %.4f (1/%.1f)", pathLabels[r.Path], r.Rate()/vdso, vdso/r.Rate()))
		}
	}
	if len(ratios) > 0 {
		fmt.Fprintf(w, "ratios: %s\n", strings.Join(ratios, ", "))
	}
	for _, r := range results {
		if r.Path != PathVsyscall || r.Err != nil || r.Crashed {
			continue
		}
		switch host.Mode {
		case ModeXonly, ModeEmulate:
			fmt.Fprintf(w, "note: under vsyscall=%s every call to the vsyscall page page-faults into the kernel, which emulates time()\n", host.Mode)
		case ModeNative:
			fmt.Fprintln(w, "note: under vsyscall=native the vsyscall page runs a real syscall instruction")
		}
	}
}

func humanRate(r float64) string {
	switch {
	case r >= 1e9:
		return fmt.Sprintf("%.2fG", r/1e9)
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.2fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

func humanNS(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2fµs", ns/1e3)
	}
	return fmt.Sprintf("%.1fns", ns)
}
