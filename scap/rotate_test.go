package scap_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// rotate copies data (times times over) through a Rotator, with each new
// file starting with a snapshot of the state, and returns the files it
// wrote and the events it was given.
func rotate(t *testing.T, data []byte, times int, opt scap.RotateOptions) (names []string, n int) {
	t.Helper()
	st := state.New()
	opt.Meta = st.Snapshot
	r := scap.NewRotator(opt)
	for i := 0; i < times; i++ {
		rd, err := scap.NewReader(bytes.NewReader(data), st.Sink())
		if err != nil {
			t.Fatal(err)
		}
		for ev, err := range rd.Events() {
			if err != nil {
				t.Fatal(err)
			}
			st.Apply(ev)
			if err := r.WriteEvent(ev); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return r.Names(), n
}

type fileEvents struct {
	n           int
	first, last uint64 // timestamps
	ts          []uint64
}

func readFile(t *testing.T, name string) fileEvents {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := scap.NewReader(f, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var fe fileEvents
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fe.n == 0 {
			fe.first = ev.TS
		}
		fe.last = ev.TS
		fe.ts = append(fe.ts, ev.TS)
		fe.n++
	}
	return fe
}

// checkSysdigReads runs sysdig on a file: it must read it to its end
// without a complaint.
func checkSysdigReads(t *testing.T, name string) {
	t.Helper()
	if !haveSysdig(t) {
		return
	}
	cmd := exec.Command("sysdig", "-r", name, "-q")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("sysdig -r %s: %v\n%s", name, err, stderr.Bytes())
	}
}

func checkMode(t *testing.T, name string) {
	t.Helper()
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", name, st.Mode().Perm())
	}
}

func traceTS(t *testing.T, data []byte, times int) []uint64 {
	var ts []uint64
	for _, e := range summarize(t, data) {
		ts = append(ts, e.ts)
	}
	all := ts
	for i := 1; i < times; i++ {
		all = append(all, ts...)
	}
	return all
}

// TestRotateSize checks -C: a new file once the current one holds more
// than the limit, named with the counter padded to the digits of -W, in a
// ring of -W names; every file readable, plain or compressed.
func TestRotateSize(t *testing.T) {
	data := loadTraces(t)["psp_run_as_user_0_container"]
	times := 5*1000000/len(data) + 1 // about 5 MB
	for _, tc := range []struct {
		name     string
		files    int
		compress bool
		names    func(i int) string
	}{
		{"ring of 3", 3, false, func(i int) string { return fmt.Sprint(i % 3) }},
		{"ring of 10", 10, false, func(i int) string { return fmt.Sprintf("%02d", i%10) }},
		{"no ring", 0, false, func(i int) string { return fmt.Sprint(i) }},
		{"no ring, gzip", 0, true, func(i int) string { return fmt.Sprint(i) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			base := filepath.Join(dir, "out.scap")
			opt := scap.RotateOptions{Base: base, SizeMB: 1, Files: tc.files, Compress: tc.compress}
			src, chunk, n := data, 1000000, times // n: copies of the trace
			if tc.compress {
				// A megabyte of gzip holds about six of capture.
				n = 25 * 1000000 / len(data)
			}
			names, total := rotate(t, src, n, opt)
			if len(names) < 3 {
				t.Fatalf("%d files: %v", len(names), names)
			}
			for i, name := range names {
				if want := base + tc.names(i); name != want {
					t.Fatalf("file %d is %s, want %s", i, name, want)
				}
			}
			left, _ := filepath.Glob(filepath.Join(dir, "*"))
			sort.Strings(left)
			if tc.files > 0 && len(left) != min(tc.files, len(names)) || tc.files == 0 && len(left) != len(names) {
				t.Fatalf("%d files left of %d written: %v", len(left), len(names), left)
			}
			// The files left are the last ones written, their events
			// the input's last, in order.
			want := traceTS(t, src, n)
			var got []uint64
			first := len(names) - len(left)
			for i := first; i < len(names); i++ {
				name := names[i]
				checkMode(t, name)
				st, _ := os.Stat(name)
				// A file passes the limit by at most one event; a
				// compressed one also by what the compressor held.
				slack := int64(70000)
				if tc.compress {
					slack = 300000
				}
				if st.Size() > int64(chunk)+slack {
					t.Errorf("%s has %d bytes", name, st.Size())
				}
				if i < len(names)-1 && st.Size() <= int64(chunk) {
					t.Errorf("%s has %d bytes, and yet a new file was started", name, st.Size())
				}
				got = append(got, readFile(t, name).ts...)
			}
			if first == 0 && len(got) != total || !reflect.DeepEqual(got, want[len(want)-len(got):]) {
				t.Fatalf("the files hold %d events, not the last of the %d written", len(got), total)
			}
			checkSysdigReads(t, names[len(names)-1])
			checkSysdigReads(t, names[len(names)-2])
		})
	}
}

// TestRotateSeconds checks -G: a new file once an event comes -G seconds
// after the one that opened the current file, named with a counter, or
// by strftime when the name has conversions; with -W, a ring.
func TestRotateSeconds(t *testing.T) {
	data := loadTraces(t)["psp_run_as_user_0_container"]
	dir := t.TempDir()
	names, total := rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir, "cap"), Seconds: 1})
	if len(names) < 3 {
		t.Fatalf("a trace spanning seconds gave %d files", len(names))
	}
	sum := 0
	var prevLast uint64
	for i, n := range names {
		if filepath.Base(n) != fmt.Sprint("cap", i) {
			t.Fatalf("file %d is named %s", i, n)
		}
		fe := readFile(t, n)
		sum += fe.n
		for _, ts := range fe.ts {
			if ts/1e9-fe.first/1e9 >= 1 {
				t.Errorf("%s starts at %d and holds an event at %d", n, fe.first, ts)
			}
		}
		if i > 0 && fe.first/1e9-prevLast/1e9 < 1 && fe.first/1e9 == prevLast/1e9 {
			t.Errorf("%s starts in the second the file before ends", n)
		}
		prevLast = fe.last
		checkMode(t, n)
		checkSysdigReads(t, n)
	}
	if sum != total {
		t.Fatalf("%d events in the files, %d written", sum, total)
	}

	// A ring of 2 counter names: cap0, cap1, cap0...
	dir2 := t.TempDir()
	names, _ = rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir2, "cap"), Seconds: 1, Files: 2})
	for i, n := range names {
		if filepath.Base(n) != fmt.Sprint("cap", i%2) {
			t.Fatalf("file %d of a ring of 2 is %s", i, n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir2, "*")); len(left) != 2 {
		t.Fatalf("ring of 2 left %v", left)
	}

	// strftime names, in local time, with a ring of 2: the older files
	// are removed.
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.UTC
	dir3 := t.TempDir()
	names, _ = rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir3, "t-%Y%m%d-%H%M%S.scap"), Seconds: 1, Files: 2})
	left, _ := filepath.Glob(filepath.Join(dir3, "t-*.scap"))
	if len(left) != 2 || len(names) < 3 {
		t.Fatalf("ring of 2 timed files: wrote %v, left %v", names, left)
	}
	sort.Strings(left)
	for i, n := range left {
		if n != names[len(names)-2+i] {
			t.Fatalf("left %v, not the last two of %v", left, names)
		}
		fe := readFile(t, n)
		if want := time.Unix(int64(fe.first/1e9), 0).UTC().Format("t-20060102-150405.scap"); filepath.Base(n) != want {
			t.Errorf("file starting at %d is named %s, want %s", fe.first, filepath.Base(n), want)
		}
	}

	// -G and -C together: the -G counter, then the -C one (sysdig's
	// naming: cap00, cap11, ...).
	dir4 := t.TempDir()
	names, _ = rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir4, "cap"), Seconds: 1, SizeMB: 100})
	for i, n := range names {
		if filepath.Base(n) != fmt.Sprintf("cap%d%d", i, i) {
			t.Fatalf("file %d with -G and -C is %s", i, n)
		}
	}
}

// TestRotateEvents checks -e: files of that many events, named with a
// counter.
func TestRotateEvents(t *testing.T) {
	data := loadTraces(t)["curl_google"]
	dir := t.TempDir()
	names, total := rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir, "ev.scap"), Events: 500, SizeMB: 5})
	// sysdig's count puts 499 events in the first file, 500 in the next.
	if want := (total + 1 + 499) / 500; len(names) != want {
		t.Fatalf("%d events in %d files, want %d", total, len(names), want)
	}
	for i, n := range names {
		if filepath.Base(n) != fmt.Sprint("ev.scap", i) {
			t.Fatalf("file %d is named %s", i, n)
		}
		want := 500
		if i == 0 {
			want = 499
		}
		if i == len(names)-1 {
			want = total - 500*i + 1
		}
		if got := readFile(t, n).n; got != want {
			t.Errorf("%s holds %d events, want %d", n, got, want)
		}
		checkSysdigReads(t, n)
	}
}

// TestRotatedFilesPrint checks that sysdig prints the events of each
// rotated file as it prints them in the whole trace: every file starts
// with what the state knew then.
func TestRotatedFilesPrint(t *testing.T) {
	if !haveSysdig(t) {
		t.Skip("sysdig is not installed")
	}
	for _, trace := range []string{"curl_google", "psp_run_as_user_0_container", "open-multiple-files"} {
		t.Run(trace, func(t *testing.T) {
			data := loadTraces(t)[trace]
			dir := t.TempDir()
			whole := filepath.Join(dir, "whole.scap")
			os.WriteFile(whole, data, 0o600)
			lines := map[uint64]string{}
			for _, l := range strings.Split(string(sysdigOutput(t, whole)), "\n") {
				var n uint64
				if _, err := fmt.Sscan(l, &n); err == nil {
					lines[n] = l[strings.IndexByte(l, ' '):]
				}
			}
			names, _ := rotate(t, data, 1, scap.RotateOptions{Base: filepath.Join(dir, "part"), Events: 300, Compress: true})
			// The events sysdig counts before each file.
			var before uint64
			printed, differ := 0, 0
			for _, name := range names {
				rd, err := os.Open(name)
				if err != nil {
					t.Fatal(err)
				}
				r, err := scap.NewReader(rd, nil)
				if err != nil {
					t.Fatal(err)
				}
				var known uint64
				for {
					ev, err := r.Next()
					if err != nil {
						break
					}
					if event.KnownTo029(ev.Type) {
						known++
					}
				}
				rd.Close()
				for _, l := range strings.Split(string(sysdigOutput(t, name)), "\n") {
					var n uint64
					if _, err := fmt.Sscan(l, &n); err != nil {
						continue
					}
					printed++
					got := l[strings.IndexByte(l, ' '):]
					if want := lines[n+before]; got != want && ipv6Roleless(want) != got {
						differ++
						t.Logf("%s, event %d:\n whole %s\n part  %s", filepath.Base(name), n+before, lines[n+before], got)
					}
				}
				before += known
			}
			if differ > 0 {
				t.Errorf("%d of %d lines differ", differ, printed)
			}
		})
	}
}

// ipv6Roleless is how sysdig 0.29.3 prints a line whose IPv6 sockets come
// from an fd list (as a rotated file's do): without a client or server
// role, so without their protocol letter.
func ipv6Roleless(line string) string {
	for _, p := range []string{"(<6t>", "(<6u>", "(<6i>", "(<6r>"} {
		line = strings.ReplaceAll(line, p, "(<6>")
	}
	return line
}

// TestRotateOpen checks that Open creates the first file at once, and
// that a capture without events leaves a file with its metadata.
func TestRotateOpen(t *testing.T) {
	dir := t.TempDir()
	meta := oneProc(10)
	now := time.Date(2024, 2, 29, 13, 14, 15, 0, time.Local)
	base := filepath.Join(dir, "%Y-%m-%d_%H.%M.%S.scap")
	r := scap.NewRotator(scap.RotateOptions{Base: base, Seconds: 60, Meta: func() *scap.Meta { return meta },
		Now: func() time.Time { return now }})
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "2024-02-29_13.14.15.scap")
	if r.Current() != want {
		t.Fatalf("first file %s, want %s", r.Current(), want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Fatal(err)
	}
	// Events within the minute stay in it; one a minute later opens the next.
	sec := uint64(now.Unix())
	for i, ts := range []uint64{sec + 1, sec + 59, sec + 60} {
		if err := r.WriteEvent(mkEvent(ts*1e9, 10, 6, tracetest.I64(int64(i)), tracetest.U32(1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if names := r.Names(); len(names) != 2 || names[1] != filepath.Join(dir, "2024-02-29_13.15.15.scap") {
		t.Fatalf("files %v", names)
	}
	if a, b := readFile(t, want).n, readFile(t, r.Names()[1]).n; a != 2 || b != 1 {
		t.Fatalf("%d and %d events", a, b)
	}

	// No event at all: one file, with the metadata.
	empty := filepath.Join(dir, "empty.scap")
	r = scap.NewRotator(scap.RotateOptions{Base: empty, Meta: func() *scap.Meta { return meta }})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	got := readMeta(t, mustRead(t, empty))
	if len(got.procs) != 1 || got.procs[0].Comm != "app" {
		t.Fatalf("empty capture holds %+v", got.procs)
	}
	checkMode(t, empty)
	// sysdig 0.29.3 refuses such a file ("no events in file"), its own too.

	// A file that existed, with another mode, becomes private too.
	old := filepath.Join(dir, "old.scap")
	os.WriteFile(old, []byte("x"), 0o644)
	r = scap.NewRotator(scap.RotateOptions{Base: old})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	checkMode(t, old)

	// A file that cannot be created: the error, every time.
	r = scap.NewRotator(scap.RotateOptions{Base: filepath.Join(dir, "no", "such", "dir")})
	err1 := r.WriteEvent(mkEvent(1, 10, 6, tracetest.I64(1), tracetest.U32(1)))
	err2 := r.WriteEvent(mkEvent(2, 10, 6, tracetest.I64(1), tracetest.U32(1)))
	if err1 == nil || err2 != err1 || !os.IsNotExist(unwrapAll(err1)) {
		t.Fatalf("errors %v, %v", err1, err2)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRotateStrftime checks -G file names against the C library's
// strftime (through date(1)), in a zone with an offset.
func TestRotateStrftime(t *testing.T) {
	date, err := exec.LookPath("date")
	if err != nil {
		t.Skip("no date(1)")
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = loc
	formats := []string{"%Y%m%d%H%M%S", "%a %A %b %B %h", "%c", "%C %d %e %F %g %G", "%H %I %j %k %l %m %M",
		"%p %r %R %s %S %T %u %U %V %w %W %X %y %z %Z %%", "%Ey %Od x%"}
	dir := t.TempDir()
	for _, sec := range []int64{1_700_000_000, 1_709_251_199, 946_684_800, 1_735_689_600 + 3600*5} {
		for _, f := range formats {
			cmd := exec.Command(date, "-d", fmt.Sprint("@", sec), "+"+f)
			cmd.Env = append(os.Environ(), "TZ=America/New_York", "LC_ALL=C")
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(string(out), "\n")
			r := scap.NewRotator(scap.RotateOptions{Base: filepath.Join(dir, f), Seconds: 1})
			if err := r.WriteEvent(mkEvent(uint64(sec)*1e9, 1, 6, tracetest.I64(1), tracetest.U32(1))); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if got := filepath.Base(r.Current()); got != want {
				t.Errorf("%q at %d: %q, want %q", f, sec, got, want)
			}
		}
	}
}
