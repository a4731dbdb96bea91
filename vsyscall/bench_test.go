package vsyscall

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBenchTime runs the benchmark on this host: the vDSO and syscall
// paths give numbers, and the vsyscall path gives a number or, under
// vsyscall=none, a crash.
func TestBenchTime(t *testing.T) {
	if !benchSupported {
		t.Skip("amd64 only")
	}
	host, err := DetectHost()
	if err != nil {
		t.Fatal(err)
	}
	results := RunBenchTime(context.Background(), BenchOptions{Duration: 50 * time.Millisecond})
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Path, r.Err)
			continue
		}
		if r.Path == PathVsyscall && host.Mode == ModeNone {
			if !r.Crashed {
				t.Errorf("vsyscall path did not crash under vsyscall=none: %+v", r)
			}
			continue
		}
		if r.Crashed || r.Calls <= 0 || r.Rate() <= 0 || r.Elapsed < 50*time.Millisecond {
			t.Errorf("%s: %+v", r.Path, r)
		}
	}
	if results[0].Via != "__vdso_time" && results[0].Via != "__vdso_clock_gettime" {
		t.Errorf("vDSO path called %q", results[0].Via)
	}
	// The vDSO is the fast path.
	if results[0].Rate() < results[1].Rate() {
		t.Errorf("vDSO (%.0f/s) slower than the syscall (%.0f/s)", results[0].Rate(), results[1].Rate())
	}
	var out, errb bytes.Buffer
	if rc := Main([]string{"bench", "-d", "50ms"}, &out, &errb); rc != 0 {
		t.Fatalf("bench exit %d: %s", rc, errb.String())
	}
	t.Logf("syscope bench time -d 50ms:\n%s", out.String())
	if !strings.Contains(out.String(), "vDSO      __vdso_") || !strings.Contains(out.String(), "ratios: syscall/vDSO = ") {
		t.Errorf("report:\n%s", out.String())
	}
	for _, args := range [][]string{{"-d", "x"}, {"--path", "bogus"}, {"-q"}} {
		if rc := BenchTimeMain(args, &out, &errb); rc != 2 {
			t.Errorf("%q: exit %d", args, rc)
		}
	}
}

func TestWriteBench(t *testing.T) {
	results := []PathResult{
		{Path: PathVDSO, Via: "__vdso_time", Calls: 100_000_000, Elapsed: time.Second},
		{Path: PathSyscall, Via: "SYS_time", Calls: 5_000_000, Elapsed: time.Second},
		{Path: PathVsyscall, Crashed: true},
	}
	var b bytes.Buffer
	writeBench(&b, &HostInfo{Mode: ModeNone, Release: "6.1.0"}, time.Second, results)
	want := `time() calls per second, each path measured for 1s in its own process (kernel 6.1.0, vsyscall=none)
  vDSO      __vdso_time                 100.00M calls/s     10.0ns/call
  syscall   SYS_time                      5.00M calls/s    200.0ns/call   20.0x slower than vDSO
  vsyscall  call 0xffffffffff600400  crashes (SIGSEGV): this kernel runs vsyscall=none
ratios: syscall/vDSO = 0.0500 (1/20.0)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	results[2] = PathResult{Path: PathVsyscall, Via: "call 0xffffffffff600400", Calls: 500_000, Elapsed: time.Second}
	writeBench(&b, &HostInfo{Mode: ModeEmulate}, time.Second, results)
	if !strings.Contains(b.String(), "200.0x slower than vDSO") || !strings.Contains(b.String(), "vsyscall/vDSO = 0.0050 (1/200.0)") ||
		!strings.Contains(b.String(), "note: under vsyscall=emulate every call") {
		t.Errorf("emulate:\n%s", b.String())
	}
	b.Reset()
	results[0] = PathResult{Path: PathVDSO, Err: errors.New("vdso path: no vDSO")}
	writeBench(&b, &HostInfo{Mode: ModeXonly}, time.Second, results)
	if !strings.Contains(b.String(), "failed: vdso path: no vDSO") || strings.Contains(b.String(), "slower") {
		t.Errorf("no vDSO:\n%s", b.String())
	}
}

func TestFindVDSOSymbol(t *testing.T) {
	fn, name, err := findVDSOSymbol("__vdso_time", "__vdso_clock_gettime")
	if err != nil {
		t.Fatal(err)
	}
	if fn == 0 || (name != "__vdso_time" && name != "__vdso_clock_gettime") {
		t.Errorf("%#x %s", fn, name)
	}
	if _, _, err := findVDSOSymbol("no_such_symbol"); err == nil || !strings.Contains(err.Error(), "the vDSO has none of no_such_symbol") {
		t.Errorf("missing symbol: %v", err)
	}
}
