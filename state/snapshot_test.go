package state_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

func traces(t *testing.T) []string {
	dir := os.Getenv("SYSCOPE_TRACES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "traces")
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.scap"))
	if len(names) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no trace files in %s", dir)
		}
		t.Skipf("no trace files in %s", dir)
	}
	return names
}

func needSysdig(t *testing.T) {
	if _, err := exec.LookPath("sysdig"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("sysdig is not installed: .ci/run installs it")
		}
		t.Skip("sysdig is not installed: the snapshot is checked against it")
	}
}

func sysdig(t *testing.T, file string) []byte {
	cmd := exec.Command("sysdig", "-r", file)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig -r %s: %v", file, err)
	}
	return out
}

func gunzip(t *testing.T, name string) []byte {
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return raw
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSnapshotRebuildsState writes each trace again, plain and gzip, with
// its metadata taken from the state engine instead of the file, and checks
// that our reader reads the same events from it, and that the real sysdig
// prints the copy exactly as the original: the snapshot carries every
// name the printed events need.
func TestSnapshotRebuildsState(t *testing.T) {
	dir := t.TempDir()
	for _, name := range traces(t) {
		data := gunzip(t, name)
		orig := filepath.Join(dir, filepath.Base(name))
		os.WriteFile(orig, data, 0o600)
		var want []byte
		for _, gz := range []bool{false, true} {
			t.Run(filepath.Base(name)+map[bool]string{false: "/plain", true: "/gzip"}[gz], func(t *testing.T) {
				st := state.New()
				rd, err := scap.NewReader(bytes.NewReader(data), st.Sink())
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				w := scap.NewWriter(&out, scap.WriterOptions{Compress: gz})
				first := true
				for ev, err := range rd.Events() {
					if err != nil {
						t.Fatal(err)
					}
					if first {
						// The metadata has been read; the state holds it.
						if err := w.WriteMeta(st.Snapshot()); err != nil {
							t.Fatal(err)
						}
						first = false
					}
					st.Apply(ev)
					if err := w.WriteEvent(ev); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if a, b := eventList(t, data), eventList(t, out.Bytes()); !slices.Equal(a, b) {
					t.Fatalf("the copy reads as %d events, the original as %d, or they differ", len(b), len(a))
				}
				needSysdig(t)
				cp := filepath.Join(dir, "copy.scap")
				os.WriteFile(cp, out.Bytes(), 0o600)
				if want == nil {
					want = sysdig(t, orig)
				}
				got := sysdig(t, cp)
				if !bytes.Equal(want, got) {
					wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
					for i := 0; i < len(wl) && i < len(gl); i++ {
						if !bytes.Equal(wl[i], gl[i]) {
							t.Fatalf("line %d:\n orig %s\n copy %s", i+1, wl[i], gl[i])
						}
					}
					t.Fatalf("%d lines, want %d", len(gl), len(wl))
				}
			})
		}
	}
}

// eventList is every event of a file, as a string: number, time, thread,
// type, cpu, flags and parameters (a V1 event is copied with a V2 header,
// so its bytes differ).
func eventList(t *testing.T, data []byte) []string {
	rd, err := scap.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprintf("%d %d %d %d %d %d", ev.Num, ev.TS, ev.TID, ev.Type, ev.CPU, ev.Flags)
		for i := 0; i < ev.NParams(); i++ {
			s += fmt.Sprintf(" %x", ev.Param(i))
		}
		out = append(out, s)
	}
	return out
}

type evRec struct {
	tid  int64
	code event.Code
}

// quiet returns, for each k, whether cutting the trace after its k-th
// event splits no enter event from its exit: no thread is in a system
// call there.
func quiet(evs []evRec) []bool {
	open := make([]int, len(evs)+2)
	next := map[int64]int{} // tid → index of its next event, filled backwards
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if j, ok := next[e.tid]; ok && e.code%2 == 0 && evs[j].code == e.code+1 {
			// Cuts after events i+1 .. j (1-based) fall inside the call.
			open[i+1]++
			open[j+1]--
		}
		next[e.tid] = i
	}
	ok := make([]bool, len(evs)+1)
	n := 0
	for k := 0; k <= len(evs); k++ {
		n += open[k]
		ok[k] = n == 0
	}
	return ok
}

// cutAt writes the trace from its event k+1 on, with the state after
// event k as metadata (SnapshotSettled); with rotation set, from event k
// on, with the state after event k (Snapshot), as a rotated file starts.
// It also says how many events before the file sysdig 0.29.3 counts, and
// whether the state then holds a socket no fd list entry can carry to
// sysdig (one not yet connected or bound, which has no name: sysdig names
// sockets from an fd list by their address tuple).
func cutAt(t *testing.T, data []byte, k int, rotation bool) (out []byte, known029 int, unnamed bool) {
	st := state.New()
	rd, err := scap.NewReader(bytes.NewReader(data), st.Sink())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := scap.NewWriter(&buf, scap.WriterOptions{})
	n := 0
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n <= k {
			st.Apply(ev)
			if n == k {
				m := st.SnapshotSettled()
				if rotation {
					m = st.Snapshot()
				}
				unnamed = hasUnnamedSocket(st, m)
				if err := w.WriteMeta(m); err != nil {
					t.Fatal(err)
				}
			}
			if n < k || !rotation {
				if event.KnownTo029(ev.Type) {
					known029++
				}
				continue
			}
		}
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), known029, unnamed
}

func isContainerEvent(c event.Code) bool { return c == 228 || c == 272 || c == 324 }

func hasUnnamedSocket(st *state.State, m *scap.Meta) bool {
	for tid, fds := range m.FDs {
		for _, fi := range fds {
			if fi.Type != scap.FDTypeIPv4Sock && fi.Type != scap.FDTypeIPv6Sock {
				continue
			}
			if f := st.FD(st.Thread(tid), fi.FD); f != nil && f.Name == "" {
				return true
			}
		}
	}
	return false
}

// splitNum splits a sysdig line into its event number and the rest.
func splitNum(line string) (uint64, string, bool) {
	i := strings.IndexByte(line, ' ')
	if i < 0 {
		return 0, "", false
	}
	n, err := strconv.ParseUint(line[:i], 10, 64)
	return n, line[i:], err == nil
}

// compareTail checks that sysdig prints the events of the cut file as it
// printed them in the whole trace, with numbers off by skipped.
func compareTail(whole, cut []byte, skipped int) (diffs []string, nlines int) {
	byNum := map[uint64]string{}
	var want int
	for _, l := range strings.Split(string(whole), "\n") {
		if n, rest, ok := splitNum(l); ok {
			byNum[n] = rest
			if n > uint64(skipped) {
				want++
			}
		}
	}
	got := 0
	for _, l := range strings.Split(string(cut), "\n") {
		n, rest, ok := splitNum(l)
		if !ok {
			continue
		}
		got++
		if w, ok := byNum[n+uint64(skipped)]; !ok || w != rest && ipv6Roleless(w) != rest {
			diffs = append(diffs, fmt.Sprintf("event %d:\n whole %s\n cut   %s", n+uint64(skipped), w, rest))
		}
	}
	if got != want {
		diffs = append(diffs, fmt.Sprintf("%d lines printed for the cut file, %d for the same events in the whole trace", got, want))
	}
	return diffs, got
}

// ipv6Roleless is how sysdig 0.29.3 prints a line whose IPv6 sockets come
// from an fd list: without a role, so without their protocol letter.
func ipv6Roleless(line string) string {
	for _, p := range []string{"(<6t>", "(<6u>", "(<6i>", "(<6r>"} {
		line = strings.ReplaceAll(line, p, "(<6>")
	}
	return line
}

// TestSnapshotMidTrace cuts each trace where no thread is inside a system
// call, writes the rest after a snapshot of the state at the cut, as a
// rotated file starts, and checks that sysdig prints every event of the
// rest exactly as it printed it in the whole trace: the fds opened, the
// sockets connected, the processes forked and executed before the cut are
// all named the same.
func TestSnapshotMidTrace(t *testing.T) {
	needSysdig(t)
	dir := t.TempDir()
	for _, name := range traces(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			data := gunzip(t, name)
			var evs []evRec
			rd, err := scap.NewReader(bytes.NewReader(data), nil)
			if err != nil {
				t.Fatal(err)
			}
			for ev, err := range rd.Events() {
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, evRec{ev.TID, ev.Type})
			}
			orig := filepath.Join(dir, "orig.scap")
			os.WriteFile(orig, data, 0o600)
			whole := sysdig(t, orig)
			ok := quiet(evs)
			cuts, unnamed := 0, 0
			fracs := []float64{0.15, 0.35, 0.5, 0.65, 0.85}
			if n, _ := strconv.Atoi(os.Getenv("SYSCOPE_SNAPSHOT_CUTS")); n > 0 {
				fracs = fracs[:0]
				for i := 1; i <= n; i++ {
					fracs = append(fracs, float64(i)/float64(n+1))
				}
			}
			for _, rotation := range []bool{false, true} {
				for _, frac := range fracs {
					for k, tries := int(frac*float64(len(evs))), 0; k < len(evs) && tries < 50; k++ {
						// The file starts with event first (1-based),
						// after the first-1 events before it.
						first := k + 1
						if rotation {
							first = k
						}
						if first < 2 || !ok[first-1] || isContainerEvent(evs[first-1].code) {
							// sysdig 0.29.3 does not print a container
							// event that comes first in a file.
							continue
						}
						tries++
						out, skipped, hasUnnamed := cutAt(t, data, k, rotation)
						if hasUnnamed {
							unnamed++
							continue
						}
						cp := filepath.Join(dir, "cut.scap")
						os.WriteFile(cp, out, 0o600)
						diffs, n := compareTail(whole, sysdig(t, cp), skipped)
						if len(diffs) > 0 {
							t.Errorf("file from event %d of %d (rotation %v): %d of %d lines differ; first:\n%s", first, len(evs), rotation, len(diffs), n, strings.Join(diffs[:min(len(diffs), 5)], "\n"))
						}
						cuts++
						break
					}
				}
			}
			if unnamed > 0 {
				t.Logf("%d cut points passed over: a socket without a name", unnamed)
			}
			t.Logf("%d events, %d cuts", len(evs), cuts)
		})
	}
}

// mkEvent encodes and decodes an event (see tracetest.Event.Raw).
func mkEvent(ts uint64, tid int64, code event.Code, params ...[]byte) *event.Event {
	b := tracetest.Event{TS: ts, TID: tid, Code: code, Params: params}.Raw()
	ev := &event.Event{}
	if err := ev.Decode(b); err != nil {
		panic(err)
	}
	return ev
}

func ip4(a, b, c, d byte) (ip [16]byte) {
	ip[0], ip[1], ip[2], ip[3] = a, b, c, d
	return ip
}

// sockTrace is a process (pid 100, with a thread 101 sharing its fds)
// with a listening socket, a connection it accepted (read from /proc: the
// local end first), a connection it made and a file; events read each fd,
// close the file, read from the thread.
func sockTrace() (*scap.Meta, []*event.Event) {
	m := &scap.Meta{
		Machine: &scap.MachineInfo{NumCPUs: 1, MemoryBytes: 1 << 30, MaxPID: 32768, Hostname: "h"},
		Procs: []scap.Process{
			{TID: 100, PID: 100, PTID: 1, SID: 100, VPGID: 100, Comm: "srv", Exe: "/bin/srv", ExePath: "/bin/srv",
				Args: []string{"-p", "80"}, Cwd: "/srv", FDLimit: 1024, VTID: 100, VPID: 100, LoginUID: 1000},
			{TID: 101, PID: 100, PTID: 1, SID: 100, VPGID: 100, Comm: "srv", Exe: "/bin/srv", ExePath: "/bin/srv",
				Cwd: "/srv", FDLimit: 1024, VTID: 101, VPID: 100, Flags: 1<<13 | 1, LoginUID: 1000},
			{TID: 102, PID: 102, PTID: 1, SID: 102, VPGID: 102, Comm: "worker", Exe: "/bin/worker", ExePath: "/bin/worker",
				Cwd: "/", FDLimit: 1024, VTID: 102, VPID: 102, LoginUID: 1000},
		},
		Users:  []scap.User{{UID: 0, GID: 0, Name: "root", Home: "/root", Shell: "/bin/sh"}},
		Groups: []scap.Group{{GID: 0, Name: "root"}},
	}
	const tcp = 2
	m.AddFD(100, scap.FDInfo{FD: 3, Ino: 11, Type: scap.FDTypeIPv4Server, SIP: ip4(0, 0, 0, 0), SPort: 80, L4Proto: tcp})
	m.AddFD(100, scap.FDInfo{FD: 4, Ino: 12, Type: scap.FDTypeIPv4Sock, SIP: ip4(10, 0, 0, 1), SPort: 80,
		DIP: ip4(10, 0, 0, 2), DPort: 5555, L4Proto: tcp})
	m.AddFD(100, scap.FDInfo{FD: 5, Ino: 13, Type: scap.FDTypeIPv4Sock, SIP: ip4(10, 0, 0, 1), SPort: 40000,
		DIP: ip4(10, 0, 0, 3), DPort: 443, L4Proto: tcp})
	m.AddFD(100, scap.FDInfo{FD: 6, Ino: 14, Type: scap.FDTypeFileV2, Name: "/etc/passwd", OpenFlags: 1})
	m.AddFD(100, scap.FDInfo{FD: 7, Ino: 15, Type: scap.FDTypeFIFO, Name: "pipe:[15]"})
	m.AddFD(100, scap.FDInfo{FD: 8, Ino: 16, Type: scap.FDTypeUnixSock, UnixSource: 0xffff0001, UnixDest: 0xffff0002, Name: "/run/srv.sock"})

	ts := uint64(1_700_000_000_000_000_000)
	var evs []*event.Event
	read := func(tid, fd int64) {
		ts += 1000
		evs = append(evs, mkEvent(ts, tid, 6, tracetest.I64(fd), tracetest.U32(100)))
		ts += 1000
		evs = append(evs, mkEvent(ts, tid, 7, tracetest.I64(0), nil))
	}
	read(100, 4)
	ts += 1000
	evs = append(evs, mkEvent(ts, 100, 4, tracetest.I64(6)))
	ts += 1000
	evs = append(evs, mkEvent(ts, 100, 5, tracetest.I64(0)))
	// The cut comes here, after the close: the snapshot leaves fd 6 out.
	for _, fd := range []int64{4, 5, 6, 7, 8, 3} {
		read(100, fd)
	}
	read(101, 4)
	read(101, 8)
	// Another process exits; a file starting with its procexit names it.
	ts += 1000
	evs = append(evs, mkEvent(ts, 102, 186, tracetest.I64(0), tracetest.I64(0), []byte{0}, []byte{0}, tracetest.I64(1)))
	read(100, 4)
	return m, evs
}

// TestSnapshotSockets checks, on a made-up process, that a snapshot taken
// after an event reads back the same: in our reader, the same fds with
// the same names and roles (the accepted connection is the server's,
// the other the client's), nothing of the fd closed by that event, no
// fds repeated for a thread that shares its process's; in sysdig 0.29.3,
// the same names, local and remote ends and roles.
func TestSnapshotSockets(t *testing.T) {
	meta, evs := sockTrace()
	const cut = 4
	whole := writeFile(t, meta, evs)

	st := state.New()
	rd, err := scap.NewReader(bytes.NewReader(whole), st.Sink())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < cut; i++ {
		ev, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		st.Apply(ev)
	}
	snap := st.SnapshotSettled()
	if len(snap.FDs[101]) != 0 {
		t.Errorf("thread 101 shares its process's fds, yet has %d of its own in the snapshot", len(snap.FDs[101]))
	}
	has6 := func(m *scap.Meta) bool {
		for _, f := range m.FDs[100] {
			if f.FD == 6 {
				return true
			}
		}
		return false
	}
	if has6(snap) {
		t.Error("fd 6, closed by the last event, is in the settled snapshot")
	}
	if !has6(st.Snapshot()) {
		t.Error("fd 6, closed by the last event, is not in the snapshot")
	}
	cutFile := writeFile(t, snap, evs[cut:])

	// Our reader: the same fds, names and roles as the state at the cut.
	st2 := state.New()
	rd2, err := scap.NewReader(bytes.NewReader(cutFile), st2.Sink())
	if err != nil {
		t.Fatal(err)
	}
	ev, err := rd2.Next()
	if err != nil {
		t.Fatal(err)
	}
	st.Apply(evs[cut])
	st2.Apply(ev)
	for _, fd := range []int64{3, 4, 5, 6, 7, 8} {
		a, b := st.FD(st.Thread(100), fd), st2.FD(st2.Thread(100), fd)
		if (a == nil) != (b == nil) {
			t.Errorf("fd %d: %v before, %v after", fd, a, b)
			continue
		}
		if a == nil {
			continue
		}
		if a.Name != b.Name || a.Type != b.Type || a.Role != b.Role {
			t.Errorf("fd %d: %q type %d role %d before, %q type %d role %d after", fd, a.Name, a.Type, a.Role, b.Name, b.Type, b.Role)
		}
	}
	if f := st2.FD(st2.Thread(101), 4); f == nil || f.Name != "10.0.0.2:5555->10.0.0.1:80" {
		t.Errorf("thread 101 sees fd 4 as %+v", f)
	}

	needSysdig(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "whole.scap"), filepath.Join(dir, "cut.scap")
	os.WriteFile(a, whole, 0o600)
	os.WriteFile(b, cutFile, 0o600)
	for _, format := range []string{"", "%evt.num %evt.type %fd.num %fd.type %fd.name %fd.is_server %fd.lip:%fd.lport %fd.rip:%fd.rport %fd.l4proto %proc.name %proc.cwd %proc.args"} {
		diffs, n := compareTail(sysdigP(t, a, format), sysdigP(t, b, format), cut)
		if len(diffs) > 0 || n == 0 {
			t.Errorf("-p %q: %d lines, %d differ:\n%s", format, n, len(diffs), strings.Join(diffs, "\n"))
		}
	}

	// A file that starts with the procexit, after a Snapshot of the state
	// that applied it (a rotated file's order), still names its process.
	exit := len(evs) - 3
	st3 := state.New()
	rd3, err := scap.NewReader(bytes.NewReader(whole), st3.Sink())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= exit; i++ {
		ev, err := rd3.Next()
		if err != nil {
			t.Fatal(err)
		}
		st3.Apply(ev)
	}
	if evs[exit].Type != 186 {
		t.Fatalf("event %d is not the procexit", exit+1)
	}
	c := filepath.Join(dir, "rotated.scap")
	os.WriteFile(c, writeFile(t, st3.Snapshot(), evs[exit:]), 0o600)
	if diffs, n := compareTail(sysdigP(t, a, ""), sysdigP(t, c, ""), exit); len(diffs) > 0 || n != 3 {
		t.Errorf("file from the procexit: %d lines, %d differ:\n%s", n, len(diffs), strings.Join(diffs, "\n"))
	}
	if m := st3.SnapshotSettled(); len(m.Procs) != 2 {
		t.Errorf("the settled snapshot after the procexit has %d processes", len(m.Procs))
	}
}

func writeFile(t *testing.T, m *scap.Meta, evs []*event.Event) []byte {
	var buf bytes.Buffer
	w := scap.NewWriter(&buf, scap.WriterOptions{})
	if err := w.WriteMeta(m); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sysdigP(t *testing.T, file, format string) []byte {
	args := []string{"-r", file}
	if format != "" {
		args = append(args, "-p", format)
	}
	cmd := exec.Command("sysdig", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig %v: %v", args, err)
	}
	return out
}
