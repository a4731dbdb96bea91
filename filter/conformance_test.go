package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

var update = flag.Bool("update", false, "rewrite testdata/conformance.json from the real sysdig")

// inCI is set by CI: there, nothing may be skipped for want of sysdig or
// the trace files.
var inCI = os.Getenv("CI") == "true"

// confFilters are run on every trace by sysdig 0.29.3 and by syscope; the
// event numbers they select must be the same. Together they use every
// operator sysdig 0.29.3 parses (intersects, which it cannot parse, and
// the later ==, iglob, bcontains, bstartswith and regex are in TestMatch
// and TestDifferences), and, or, not, parentheses, quotes and escapes,
// and fields of every kind.
var confFilters = []string{
	// Strings.
	`proc.name=curl`,
	`proc.name!=curl`,
	`proc.name=cat`,
	`proc.name<d`,
	`proc.name<=curl`,
	`proc.name>curl`,
	`proc.name>=nginx`,
	`proc.name glob c*`,
	`proc.name glob '[a-c]*'`,
	`proc.name glob 'c?t'`,
	`proc.name contains 'ur'`,
	`fd.name glob '/etc/*'`,
	`fd.name glob *.so*`,
	`fd.name glob "/lib/*/libc*"`,
	`fd.name pmatch (/etc, /usr)`,
	`fd.name pmatch (/lib)`,
	`fd.name pmatch (etc)`,
	`fd.name contains /etc`,
	`fd.name icontains /ETC`,
	`fd.name startswith /usr/lib`,
	`fd.name endswith .so.6`,
	`fd.name endswith "cache"`,
	`fd.name="/etc/ld.so.cache"`,
	`fd.name='/etc/ld.so.cache'`,
	`fd.name in (/etc/ld.so.cache, /lib/x86_64-linux-gnu/libc.so.6)`,
	`fd.directory=/etc`,
	`fd.filename=passwd`,
	`fd.type=ipv4`,
	`fd.type in (ipv6, ipv4)`,
	`fd.typechar=f`,
	`fd.l4proto=udp`,
	`proc.args contains google`,
	`proc.args contains "-6 http"`,
	`proc.args=''`,
	`proc.cmdline contains -6`,
	`proc.exe endswith curl`,
	`proc.pname=bash`,
	`user.name=root`,
	`container.id=host`,
	`container.id!=host`,
	`container.name exists`,
	`container.image contains nginx`,
	`evt.category=file`,
	`evt.category in (net, file)`,
	`evt.res=ENOENT`,
	`evt.res!=SUCCESS`,
	`evt.arg.name contains /etc`,
	// Ancestors: one of them must match, != included.
	`proc.aname=bash`,
	`proc.aname!=bash`,
	`proc.aname[1]=bash`,
	`proc.aname in (sshd, bash)`,
	`proc.apid=1`,
	// Event types and directions.
	`evt.type=open`,
	`evt.type=openat or evt.type=open`,
	`evt.type in (open, close)`,
	`evt.type in (openat,read,write)`,
	`evt.type=madvise`,
	`not evt.type=open`,
	`evt.type!=open`,
	`not evt.dir=<`,
	`evt.dir=>`,
	`evt.dir = '<'`,
	`evt.type=execve and evt.dir=<`,
	// Numbers.
	`evt.num>250 and evt.num<260`,
	`evt.num in (211, 212, 1000)`,
	`evt.num<=215`,
	`evt.num>=3790`,
	`evt.cpu=0`,
	`evt.cpu!=0`,
	`proc.pid=17497`,
	`proc.pid!=17497`,
	`thread.tid>0`,
	`user.uid=0`,
	`user.uid!=0`,
	`evt.arg.fd exists`,
	`evt.arg.fd=3`,
	`evt.arg.fd>=3`,
	`evt.arg[0] exists`,
	`evt.rawarg.fd=3`,
	`evt.rawarg.res<0`,
	`evt.rawres<0`,
	`evt.rawres>=0 and evt.type=read`,
	`evt.latency>100000`,
	`evt.latency<=1000`,
	// Booleans.
	`evt.failed=true`,
	`evt.failed=false`,
	`evt.failed!=true`,
	`evt.is_io=true`,
	`evt.is_io_read=true`,
	`fd.is_server=true`,
	// Buffers.
	`evt.buffer contains GET`,
	`evt.buffer contains HTTP`,
	`evt.buffer contains "GET /"`,
	`evt.buffer startswith GET`,
	`evt.buffer exists`,
	// Networks, addresses, ports: fd.net, fd.ip and fd.port match either
	// end, and with != neither.
	`fd.net=127.0.0.0/8`,
	`fd.net=10.0.0.0/8`,
	`fd.net!=127.0.0.0/8`,
	`fd.net in (127.0.0.0/8, 10.0.0.0/8)`,
	`fd.net=2001:4860:4860::8888`,
	`fd.net=2001:4860::`,
	`fd.net!=2001:4860::`,
	`fd.snet=2001:4860::`,
	`fd.cnet=2001:db8:ffff:ff00::`,
	`fd.rnet=10.0.0.0/8`,
	`fd.lnet!=127.0.0.0/8`,
	`fd.ip=127.0.0.1`,
	`fd.ip!=127.0.0.1`,
	`fd.sip=127.0.0.1`,
	`fd.cip exists`,
	`fd.port=80`,
	`fd.port=http`,
	`fd.port!=53`,
	`fd.port<100`,
	`fd.port>=1024`,
	`fd.port in (53, 80)`,
	`fd.sport=80`,
	`fd.cport>30000`,
	// Logic.
	`evt.type=open and fd.name contains /etc and evt.failed=true`,
	`evt.type=open and fd.name contains /etc`,
	`evt.type=close and not evt.failed=true`,
	`(evt.type=open or evt.type=openat) and fd.name contains /etc`,
	`evt.type=read and (fd.type=ipv4 or fd.type=ipv6)`,
	`not (evt.type=read or evt.type=write)`,
	`not (proc.name=curl and evt.dir=<)`,
	`proc.name=curl and not fd.name exists`,
	`((evt.type=close))`,
	`evt.type=close and (not evt.failed=true) and ((fd.num>=0))`,
	`not evt.type=open and not evt.type=close and (evt.dir=> or evt.num<300)`,
	"evt.type=open\tand\nproc.name=curl",
	// Quotes and escapes.
	`proc.name=cu\x72l`,
	`proc.name="cu\x72l"`,
	`fd.name contains "\x2fetc"`,
	`proc.name='curl'`,
	`proc.name="curl" or proc.name='cat'`,
	`fd.name contains "ld.so"`,
}

// confErrors are filters sysdig 0.29.3 rejects; syscope must too.
var confErrors = []string{
	`evt.num contains 3`,
	`evt.type=nosuch`,
	`evt.type in (open, nosuch)`,
	`fd.net=notanip`,
	`fd.port=notaport`,
	`evt.num=abc`,
	`evt.failed=yes`,
	`nosuch.field=3`,
	`proc.nam=curl`,
	`proc.name="curl`,
	`proc.name=curl and`,
	`(proc.name=curl`,
	`evt.latency>10xs`,
	`fd.ip>1.2.3.4`,
}

// tracesDir finds the real trace files: $SYSCOPE_TRACES, or shared/traces
// beside the repository root.
func tracesDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "traces")
	}
	if _, err := os.Stat(dir); err != nil {
		if inCI {
			tb.Fatalf("trace files not found (set SYSCOPE_TRACES): %v", err)
		}
		tb.Skipf("trace files not found (set SYSCOPE_TRACES): %v", err)
	}
	return dir
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

// sysdigPath is the real sysdig, or "" when it is not installed.
func sysdigPath(tb testing.TB) string {
	if p, err := exec.LookPath("sysdig"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/sysdig"); err == nil {
		return "/usr/bin/sysdig"
	}
	if inCI {
		tb.Fatalf("sysdig is not installed (apt-get install sysdig)")
	}
	return ""
}

// A result is what a filter selects in a trace: the event numbers, as
// ranges ("211-215,300"), or "error" when the filter is rejected.
const errResult = "error"

func ranges(nums []uint64) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(nums[i], 10))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(nums[j], 10))
		}
		i = j + 1
	}
	return b.String()
}

// runSysdig returns what sysdig selects.
func runSysdig(sd, trace, filter string) (string, error) {
	cmd := exec.Command(sd, "-r", trace, "-p", "%evt.num", filter)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && errb.Len() > 0 {
		return errResult, nil
	}
	if err != nil {
		return "", fmt.Errorf("sysdig -r %s %q: %v: %s", trace, filter, err, errb.String())
	}
	var nums []uint64
	for _, l := range strings.Fields(out.String()) {
		n, err := strconv.ParseUint(l, 10, 64)
		if err != nil {
			return "", fmt.Errorf("sysdig -r %s %q printed %q", trace, filter, l)
		}
		nums = append(nums, n)
	}
	return ranges(nums), nil
}

// isContainerEvent reports whether c is a container event, which sinsp
// consumes, unseen, while the file starts with them.
func isContainerEvent(c event.Code) bool {
	in := event.Lookup(c)
	return in != nil && in.Name == "container"
}

// runSyscope returns what each filter selects in a trace, reading it once
// through the reader and state engine as syscope -r does, and skipping
// what sysdig does not show: state-only events, internal ones, and the
// container events the file starts with.
func runSyscope(tb testing.TB, trace string, filters []string) map[string]string {
	tb.Helper()
	res := make(map[string]string, len(filters))
	compiled := make([]*Filter, len(filters))
	nums := make([][]uint64, len(filters))
	for i, s := range filters {
		f, err := Compile(s)
		if err != nil {
			res[s] = errResult
			continue
		}
		compiled[i] = f
	}
	fh, err := os.Open(trace)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	st := state.New()
	// The pipeline of the command: fields.Capture keeps what sinsp knows
	// of each thread's last event (latency, fd), and the interfaces.
	cp := fields.NewCapture()
	rd, err := scap.NewReader(fh, cp.Sink(st.Sink()))
	if err != nil {
		tb.Fatal(err)
	}
	var ctx fields.Ctx
	started := false
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatalf("%s: %v", trace, err)
		}
		st.Apply(ev)
		cp.Observe(ev, st)
		if isContainerEvent(ev.Type) {
			if !started {
				continue
			}
		} else {
			started = true
		}
		if ev.Flags&event.FlagStateOnly != 0 || event.Category029(ev.Type)&event.CatInternal != 0 {
			continue
		}
		cp.Fill(&ctx, ev, st, nil)
		for i, f := range compiled {
			if f != nil && f.Match(&ctx) {
				nums[i] = append(nums[i], ev.Num)
			}
		}
	}
	for i, f := range compiled {
		if f != nil {
			res[filters[i]] = ranges(nums[i])
		}
	}
	return res
}

const goldenFile = "testdata/conformance.json"

// golden maps trace name, then filter, to the result sysdig gave.
type golden map[string]map[string]string

func loadGolden(tb testing.TB) golden {
	g := golden{}
	b, err := os.ReadFile(goldenFile)
	if errors.Is(err, os.ErrNotExist) {
		return g
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatalf("%s: %v", goldenFile, err)
	}
	return g
}

// sysdigResults runs sysdig for every trace and filter, a few at a time.
func sysdigResults(tb testing.TB, sd string, traces, filters []string) golden {
	type job struct{ trace, filter string }
	jobs := make(chan job)
	g := golden{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, err := runSysdig(sd, filepath.Join(tracesDir(tb), j.trace+".scap"), j.filter)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if g[j.trace] == nil {
					g[j.trace] = map[string]string{}
				}
				g[j.trace][j.filter] = r
				mu.Unlock()
			}
		}()
	}
	for _, tr := range traces {
		for _, f := range filters {
			jobs <- job{tr, f}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
	return g
}

// TestConformance runs the filters on the real traces with sysdig 0.29.3
// and with syscope, and compares the event numbers they select. Without
// sysdig (or with -short) it compares with the results sysdig gave before,
// kept in testdata/conformance.json; -update rewrites those.
func TestConformance(t *testing.T) {
	if defaultParse == nil && !*update {
		if inCI {
			t.Fatal("no field catalog")
		}
		t.Skip("no field catalog yet (fields.Parse)")
	}
	traces := traceNames(t)
	filters := append(slices.Clone(confFilters), confErrors...)
	gold := loadGolden(t)
	want := gold
	sd := sysdigPath(t)
	switch {
	case *update && sd == "":
		t.Fatal("-update needs sysdig")
	case sd != "" && (!testing.Short() || *update):
		want = sysdigResults(t, sd, traces, filters)
	default:
		t.Logf("comparing with %s, not with sysdig", goldenFile)
	}
	if *update {
		b, err := json.MarshalIndent(want, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if defaultParse == nil {
		if inCI {
			t.Fatal("no field catalog")
		}
		t.Skip("no field catalog yet (fields.Parse)")
	}
	known := knownFailures(t)
	failing := map[string]bool{} // known failures that still fail
	var cases, passed int
	rejected := map[string]bool{} // confErrors sysdig rejects somewhere
	for _, tr := range traces {
		t.Run(tr, func(t *testing.T) {
			got := runSyscope(t, filepath.Join(tracesDir(t), tr+".scap"), filters)
			for _, f := range filters {
				w, ok := want[tr][f]
				if !ok {
					t.Errorf("%q: no result from sysdig in %s (run with -update)", f, goldenFile)
					continue
				}
				if g, ok := gold[tr][f]; !*update && (!ok || g != w) {
					t.Errorf("%q: sysdig gives %s but %s has %s (run with -update)", f, clip(w), goldenFile, clip(g))
				}
				cases++
				if slices.Contains(confErrors, f) {
					// sysdig rejects some filters only when it first
					// evaluates them (fd.ip>1.2.3.4 on an IP socket),
					// so not for every trace; syscope always does.
					if w == errResult {
						rejected[f] = true
					}
					if got[f] != errResult {
						t.Errorf("%q: syscope accepts it (%s); sysdig rejects it", f, clip(got[f]))
						continue
					}
					passed++
					continue
				}
				if got[f] != w {
					if why, ok := known[f]; ok {
						failing[f] = true
						t.Logf("%q: known failure (%s): %s", f, why, diff(w, got[f]))
						continue
					}
					t.Errorf("%q: %s", f, diff(w, got[f]))
					continue
				}
				passed++
			}
		})
	}
	for _, f := range confErrors {
		if !rejected[f] {
			t.Errorf("%q: sysdig accepts it on every trace", f)
		}
	}
	for f := range known {
		if !failing[f] {
			t.Errorf("%q passes now: remove it from %s", f, knownFile)
		}
	}
	t.Logf("%d of %d cases (%d filters, %d traces) agree with sysdig", passed, cases, len(filters), len(traces))
}

// expand turns ranges back into event numbers.
func expand(r string) map[uint64]bool {
	m := map[uint64]bool{}
	for _, part := range strings.Split(r, ",") {
		if part == "" {
			continue
		}
		lo, hi, _ := strings.Cut(part, "-")
		a, _ := strconv.ParseUint(lo, 10, 64)
		b := a
		if hi != "" {
			b, _ = strconv.ParseUint(hi, 10, 64)
		}
		for n := a; n <= b; n++ {
			m[n] = true
		}
	}
	return m
}

// diff says how what syscope selects differs from what sysdig does.
func diff(want, got string) string {
	if want == errResult || got == errResult {
		return fmt.Sprintf("sysdig: %s; syscope: %s", clip(want), clip(got))
	}
	w, g := expand(want), expand(got)
	var only [2][]uint64
	for n := range w {
		if !g[n] {
			only[0] = append(only[0], n)
		}
	}
	for n := range g {
		if !w[n] {
			only[1] = append(only[1], n)
		}
	}
	slices.Sort(only[0])
	slices.Sort(only[1])
	return fmt.Sprintf("%d events: only sysdig selects %s; only syscope %s", len(w), clip(ranges(only[0])), clip(ranges(only[1])))
}

const knownFile = "testdata/known_failures.txt"

// knownFailures reads testdata/known_failures.txt: filters known to
// select other events than sysdig's, one per line with the reason after
// " # ". Their differences are logged, not failed, and the test fails
// once they pass on every trace, so that the list only shrinks.
func knownFailures(tb testing.TB) map[string]string {
	b, err := os.ReadFile(knownFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f, why, _ := strings.Cut(l, " # ")
		f = strings.TrimSpace(f)
		if !slices.Contains(confFilters, f) {
			tb.Errorf("%s: %q is not a conformance filter", knownFile, f)
		}
		m[f] = strings.TrimSpace(why)
	}
	return m
}

func clip(s string) string {
	if s == "" {
		return "(nothing)"
	}
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
