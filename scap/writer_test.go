package scap_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/scap"
)

// haveSysdig reports whether the real sysdig is there to compare with; in
// CI it must be.
func haveSysdig(tb testing.TB) bool {
	tb.Helper()
	if _, err := exec.LookPath("sysdig"); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("sysdig is not installed: .ci/run installs it")
		}
		return false
	}
	return true
}

// copyTrace reads data and writes it again with w, a new section wherever
// the input had new metadata, as `syscope -r in -w out` does.
func copyTrace(tb testing.TB, data []byte, w *scap.Writer) {
	tb.Helper()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		tb.Fatal(err)
	}
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatal(err)
		}
		if rec.Fresh {
			if err := w.WriteMeta(&rec.Meta); err != nil {
				tb.Fatal(err)
			}
			rec.Fresh = false
			rec.Reset()
		}
		if err := w.WriteEvent(ev); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

type evSum struct {
	num, ts uint64
	tid     int64
	typ     event.Code
	cpu     uint16
	flags   uint32
	params  []string
}

func summarize(tb testing.TB, data []byte) []evSum {
	tb.Helper()
	rd, err := scap.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var out []evSum
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatal(err)
		}
		s := evSum{ev.Num, ev.TS, ev.TID, ev.Type, ev.CPU, ev.Flags, nil}
		for i := 0; i < ev.NParams(); i++ {
			s.params = append(s.params, string(ev.Param(i)))
		}
		out = append(out, s)
	}
	return out
}

func sameEvents(tb testing.TB, a, b []evSum) {
	tb.Helper()
	if len(a) != len(b) {
		tb.Fatalf("copy has %d events, original %d", len(b), len(a))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			tb.Fatalf("event %d differs:\n orig %+v\n copy %+v", i+1, a[i], b[i])
		}
	}
}

// metaSink keeps every metadata block of a file, sections one after
// another.
type metaSink struct {
	mi     []scap.MachineInfo
	procs  []scap.Process
	fds    []string
	users  []scap.User
	groups []scap.Group
	ifs    []scap.Interface
}

func (s *metaSink) Machine(m *scap.MachineInfo) { s.mi = append(s.mi, *m) }
func (s *metaSink) Process(p *scap.Process) {
	// What the writer leaves out to stay readable by sysdig 0.29.3.
	q := *p
	q.PidnsInitTS, q.Tty, q.PGID = 0, 0, -1
	q.ExeUpperLayer, q.ExeIno, q.ExeInoCtime, q.ExeInoMtime, q.ExeFromMemfd, q.ExeLowerLayer = false, 0, 0, 0, false, false
	s.procs = append(s.procs, q)
}
func (s *metaSink) FD(tid int64, f *scap.FDInfo) {
	s.fds = append(s.fds, fmt.Sprintf("%d %+v", tid, *f))
}
func (s *metaSink) User(u *scap.User)   { s.users = append(s.users, *u) }
func (s *metaSink) Group(g *scap.Group) { s.groups = append(s.groups, *g) }
func (s *metaSink) Interfaces(l []scap.Interface) {
	s.ifs = append(s.ifs, l...)
}

func readMeta(tb testing.TB, data []byte) *metaSink {
	tb.Helper()
	s := &metaSink{}
	rd, err := scap.NewReader(bytes.NewReader(data), s)
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := rd.Next(); err == io.EOF {
			return s
		} else if err != nil {
			tb.Fatal(err)
		}
	}
}

func sysdigOutput(tb testing.TB, file string, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command("sysdig", append([]string{"-r", file}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("sysdig -r %s %v: %v\n%s", file, args, err, stderr.Bytes())
	}
	return out
}

func sameLines(tb testing.TB, want, have []byte) {
	tb.Helper()
	if bytes.Equal(want, have) {
		return
	}
	wl, hl := bytes.Split(want, []byte("\n")), bytes.Split(have, []byte("\n"))
	for i := 0; i < len(wl) && i < len(hl); i++ {
		if !bytes.Equal(wl[i], hl[i]) {
			tb.Fatalf("sysdig prints the copy differently at line %d:\n orig %s\n copy %s", i+1, wl[i], hl[i])
		}
	}
	tb.Fatalf("sysdig prints %d lines for the copy, %d for the original", len(hl), len(wl))
}

// TestWriteRoundTrip writes every real trace again, plain and gzip, and
// checks that our reader sees the same events and metadata, and that the
// real sysdig prints the copy exactly as it prints the original.
func TestWriteRoundTrip(t *testing.T) {
	traces := loadTraces(t)
	sysdig := haveSysdig(t)
	dir := t.TempDir()
	names := make([]string, 0, len(traces))
	for name := range traces {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := traces[name]
		orig := filepath.Join(dir, name+".orig.scap")
		if err := os.WriteFile(orig, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var want []byte
		for _, gz := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "/plain", true: "/gzip"}[gz], func(t *testing.T) {
				var buf bytes.Buffer
				copyTrace(t, data, scap.NewWriter(&buf, scap.WriterOptions{Compress: gz}))
				got := buf.Bytes()
				if gz != (len(got) > 2 && got[0] == 0x1f && got[1] == 0x8b) {
					t.Fatalf("compressed %v, but the copy starts with % x", gz, got[:2])
				}
				sameEvents(t, summarize(t, data), summarize(t, got))
				if a, b := readMeta(t, data), readMeta(t, got); !reflect.DeepEqual(a, b) {
					t.Fatalf("metadata differs:\n orig %+v\n copy %+v", a, b)
				}
				if !sysdig {
					t.Skip("sysdig is not installed: compared with our reader only")
				}
				cp := filepath.Join(dir, name+".copy.scap")
				if err := os.WriteFile(cp, got, 0o600); err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want = sysdigOutput(t, orig)
				}
				sameLines(t, want, sysdigOutput(t, cp))
			})
		}
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

// readEvents returns the events of a file, cloned.
func readEvents(tb testing.TB, data []byte) []*event.Event {
	tb.Helper()
	rd, err := scap.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		tb.Fatal(err)
	}
	var evs []*event.Event
	for ev, err := range rd.Events() {
		if err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, ev.Clone())
	}
	return evs
}

func writeFile(tb testing.TB, m *scap.Meta, evs ...*event.Event) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := scap.NewWriter(&buf, scap.WriterOptions{})
	if err := w.WriteMeta(m); err != nil {
		tb.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func oneProc(tid int64) *scap.Meta {
	return &scap.Meta{
		Machine: &scap.MachineInfo{NumCPUs: 2, MemoryBytes: 1 << 30, MaxPID: 32768, Hostname: "box"},
		Procs: []scap.Process{{TID: tid, PID: tid, PTID: 1, SID: tid, VPGID: tid, Comm: "app", Exe: "/bin/app",
			ExePath: "/bin/app", Cwd: "/", FDLimit: 1024, VTID: tid, VPID: tid, LoginUID: ^uint32(0)}},
	}
}

// cut is what a list of strings becomes once written NUL-terminated, cut
// to n bytes and read back.
func cut(list []string, n int) []string {
	b := []byte(strings.Join(list, "\x00") + "\x00")
	if len(b) > n {
		b = b[:n]
	}
	b = bytes.TrimSuffix(b, []byte{0})
	return strings.Split(string(b), "\x00")
}

// TestWriteLimits writes values longer than sysdig 0.29.3's reader takes
// and fd types it does not know: they are cut and mapped so that it reads
// the file, and the process fields it does read come back.
func TestWriteLimits(t *testing.T) {
	long := func(c string, n int) string { return "/" + strings.Repeat(c, n) }
	var args, env []string
	for i := 0; i < 700; i++ {
		args = append(args, fmt.Sprintf("arg%04d", i))
		env = append(env, fmt.Sprintf("VAR%04d=1", i))
	}
	m := oneProc(500)
	p := &m.Procs[0]
	p.Comm, p.Exe, p.ExePath, p.Cwd, p.Args, p.Env = "longproc", long("e", 1500), long("p", 1500), long("c", 1200), args, env
	p.Cgroups = []string{"cpu=" + long("g", 5000)}
	p.UID, p.GID, p.LoginUID, p.ExeWritable = 1000, 1000, 1000, true
	p.CapInheritable, p.CapPermitted, p.CapEffective = 1, 2, 3
	m.Users = []scap.User{{UID: 1000, GID: 1000, Name: strings.Repeat("u", 300), Home: long("h", 300), Shell: "/bin/sh"}}
	m.Groups = []scap.Group{{GID: 1000, Name: strings.Repeat("g", 300)}}
	m.Interfaces = []scap.Interface{{Name: "eth0", Addr: [16]byte{10, 0, 0, 1}, Netmask: [16]byte{255, 0, 0, 0}, LinkSpeed: 1000}}
	m.AddFD(500, scap.FDInfo{FD: 3, Ino: 1, Type: scap.FDTypeFileV2, Name: long("f", 2000), OpenFlags: 1})
	m.AddFD(500, scap.FDInfo{FD: 4, Ino: 2, Type: scap.FDTypeMemfd, Name: "memfd:buf"})
	m.AddFD(500, scap.FDInfo{FD: 5, Ino: 3, Type: scap.FDTypeBPF, Name: "anon_inode:bpf-prog"})
	m.AddFD(500, scap.FDInfo{FD: 6, Ino: 4, Type: scap.FDTypePidfd, Name: "anon_inode:[pidfd]"})
	var evs []*event.Event
	for i, fd := range []int64{3, 4, 5, 6} {
		evs = append(evs, mkEvent(1_700_000_000_000_000_000+uint64(i)*1000, 500, 6, tracetest.I64(fd), tracetest.U32(100)))
	}
	data := writeFile(t, m, evs...)

	got := readMeta(t, data)
	if len(got.procs) != 1 || len(got.fds) != 4 || len(got.users) != 1 || len(got.groups) != 1 {
		t.Fatalf("read back %d processes, %d fds, %d users, %d groups", len(got.procs), len(got.fds), len(got.users), len(got.groups))
	}
	q := got.procs[0]
	if q.Exe != p.Exe[:1024] || q.ExePath != p.ExePath[:1024] || q.Cwd != p.Cwd[:1024] || q.Comm != "longproc" {
		t.Errorf("strings not cut to 1024 bytes: exe %d, exepath %d, cwd %d bytes", len(q.Exe), len(q.ExePath), len(q.Cwd))
	}
	if !reflect.DeepEqual(q.Args, cut(args, 4096)) || !reflect.DeepEqual(q.Env, cut(env, 4096)) || !reflect.DeepEqual(q.Cgroups, cut(p.Cgroups, 4096)) {
		t.Errorf("lists not cut to 4096 bytes: %d args, %d env, cgroups %d bytes", len(q.Args), len(q.Env), len(q.Cgroups[0]))
	}
	if q.LoginUID != 1000 || !q.ExeWritable || q.CapInheritable != 1 || q.CapPermitted != 2 || q.CapEffective != 3 {
		t.Errorf("loginuid, exe_writable, capabilities read back as %d %v %d %d %d", q.LoginUID, q.ExeWritable, q.CapInheritable, q.CapPermitted, q.CapEffective)
	}
	if u := got.users[0]; len(u.Name) != 255 || len(u.Home) != 255 || len(got.groups[0].Name) != 255 {
		t.Errorf("user and group strings not cut to 255 bytes: %d %d %d", len(u.Name), len(u.Home), len(got.groups[0].Name))
	}
	for i, want := range []string{
		fmt.Sprintf("500 {FD:3 Ino:1 Type:16 Name:%s OpenFlags:1", long("f", 2000)[:1023]),
		"500 {FD:4 Ino:2 Type:10 Name:memfd:buf ",
		"500 {FD:5 Ino:3 Type:10 Name:anon_inode:bpf-prog ",
		"500 {FD:6 Ino:4 Type:10 Name:anon_inode:[pidfd] ",
	} {
		if !strings.HasPrefix(got.fds[i], want) {
			t.Errorf("fd %d read back as %s", i, got.fds[i])
		}
	}
	if !haveSysdig(t) {
		t.Skip("sysdig is not installed")
	}
	file := filepath.Join(t.TempDir(), "limits.scap")
	os.WriteFile(file, data, 0o600)
	out := sysdigOutput(t, file, "-p", "%fd.num|%fd.type|%fd.name|%proc.name|%proc.exe|%proc.exepath|%user.name|%user.homedir|%group.name|%user.loginuid|%proc.is_exe_writable")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("sysdig printed %d lines:\n%s", len(lines), out)
	}
	rest := "|longproc|" + p.Exe[:1024] + "|" + p.ExePath[:1024] + "|" + strings.Repeat("u", 255) + "|" + long("h", 254) + "|" + strings.Repeat("g", 255) + "|1000|true"
	for i, want := range []string{
		"3|file|" + long("f", 1022) + rest,
		// sysdig 0.29.3 has no name for the unsupported type.
		"4|<NA>|memfd:buf" + rest,
		"5|<NA>|anon_inode:bpf-prog" + rest,
		"6|<NA>|anon_inode:[pidfd]" + rest,
	} {
		if lines[i] != want {
			t.Errorf("sysdig line %d:\n got  %.200s...\n want %.200s...", i+1, lines[i], want)
		}
	}
}

// TestWriteV1Events copies a file of V1 event blocks, whose headers lack
// the parameter count: the copy has V2 blocks with the count, and reads
// (ours and sysdig's) the same.
func TestWriteV1Events(t *testing.T) {
	var b builder
	b.section(nil)
	b.block(uint32(scap.BlockProcListV2), procEntry(2, 42, "old"))
	b.block(uint32(scap.BlockEvent), eventBody(false, false, 6, tracetest.I64(3), tracetest.U32(512))) // read >
	b.block(uint32(scap.BlockEvent), eventBody(false, false, 7, tracetest.I64(-11), nil))              // read < (EAGAIN)
	// open >, state only, then open <
	b.block(uint32(scap.BlockEventFlags), eventBody(false, true, 2, []byte("/etc/hosts\x00"), tracetest.U32(1)))
	b.block(uint32(scap.BlockEvent), eventBody(false, false, 3, tracetest.I64(4), []byte("/etc/hosts\x00"), tracetest.U32(1), tracetest.U32(0o644)))
	orig := b.Bytes()
	var buf bytes.Buffer
	copyTrace(t, orig, scap.NewWriter(&buf, scap.WriterOptions{}))
	got := buf.Bytes()
	a, c := summarize(t, orig), summarize(t, got)
	sameEvents(t, a, c)
	for _, bl := range blocksOf(t, got) {
		switch bl.typ {
		case uint32(scap.BlockEvent), uint32(scap.BlockEventFlags):
			t.Fatalf("the copy has a V1 event block (%#x) at %d", bl.typ, bl.start)
		}
	}
	for _, ev := range readEvents(t, got) {
		if ev.V1 || int(binary.LittleEndian.Uint32(ev.Raw[22:])) != ev.NParams() || int(binary.LittleEndian.Uint32(ev.Raw[16:])) != len(ev.Raw) {
			t.Fatalf("event %d: header % x for %d parameters, %d bytes", ev.Num, ev.Raw[:26], ev.NParams(), len(ev.Raw))
		}
	}
	if !haveSysdig(t) {
		t.Skip("sysdig is not installed")
	}
	dir := t.TempDir()
	f1, f2 := filepath.Join(dir, "v1.scap"), filepath.Join(dir, "v2.scap")
	os.WriteFile(f1, orig, 0o600)
	os.WriteFile(f2, got, 0o600)
	want := sysdigOutput(t, f1)
	if len(bytes.Split(bytes.TrimSpace(want), []byte("\n"))) != 3 {
		t.Fatalf("sysdig prints the V1 file as:\n%s", want)
	}
	sameLines(t, want, sysdigOutput(t, f2))
}

// TestWriteLargeEvents checks the block types chosen for large-payload
// events (with and without flags) and for an ordinary event too long for
// sysdig's reader to take in an ordinary block.
func TestWriteLargeEvents(t *testing.T) {
	m := oneProc(7)
	json := []byte(`{"container":{"id":"0123456789ab","name":"web","image":"nginx:latest","type":0,"privileged":false,"Mounts":[],"labels":{}}}` + "\x00")
	big := bytes.Repeat([]byte("x"), 65535)
	ts := uint64(1_700_000_000_000_000_000)
	evs := []*event.Event{
		mkEvent(ts, 7, 6, tracetest.I64(1), tracetest.U32(100)),   // read >
		mkEvent(ts+1, 7, 324, json),                               // container, large payload
		mkEvent(ts+2, 7, 324, json),                               // the same, state only
		mkEvent(ts+3, 7, 9, tracetest.I64(65535), big),            // write <, 65573 bytes
		mkEvent(ts+4, 7, 7, tracetest.I64(0), []byte{}),           // read <
		mkEvent(ts+5, 7, 8, tracetest.I64(1), tracetest.U32(100)), // write >
	}
	evs[2].Flags = event.FlagStateOnly
	data := writeFile(t, m, evs...)
	var types []uint32
	for _, bl := range blocksOf(t, data) {
		if isEventBlock(bl.typ) {
			types = append(types, bl.typ)
		}
	}
	if want := []uint32{0x216, 0x221, 0x222, 0x221, 0x216, 0x216}; !reflect.DeepEqual(types, want) {
		t.Fatalf("event block types % x, want % x", types, want)
	}
	back := readEvents(t, data)
	if len(back) != len(evs) {
		t.Fatalf("read back %d events of %d", len(back), len(evs))
	}
	for i := range evs {
		if !bytes.Equal(back[i].Raw, evs[i].Raw) || back[i].Flags != evs[i].Flags {
			t.Fatalf("event %d read back differs", i+1)
		}
	}
	if !haveSysdig(t) {
		t.Skip("sysdig is not installed")
	}
	file := filepath.Join(t.TempDir(), "large.scap")
	os.WriteFile(file, data, 0o600)
	out := string(sysdigOutput(t, file, "-p", "*%evt.num %evt.type %evt.dir %evt.rawarg.res"))
	if want := "1 read > <NA>\n2 container > <NA>\n4 write < 65535\n5 read < 0\n6 write > <NA>\n"; out != want {
		t.Fatalf("sysdig prints:\n%s\nwant:\n%s", out, want)
	}
}

// TestWriterSections writes two sections and checks both readers restart
// with the second one's metadata.
func TestWriterSections(t *testing.T) {
	var buf bytes.Buffer
	w := scap.NewWriter(&buf, scap.WriterOptions{Compress: true, Level: gzip.BestSpeed})
	ts := uint64(1_700_000_000_000_000_000)
	for i, comm := range []string{"first", "second"} {
		m := oneProc(10)
		m.Procs[0].Comm = comm
		if err := w.WriteMeta(m); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEvent(mkEvent(ts+uint64(i), 10, 6, tracetest.I64(1), tracetest.U32(1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rd, err := scap.NewReader(bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := rd.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if rd.Sections() != 2 {
		t.Fatalf("%d sections", rd.Sections())
	}
	if !haveSysdig(t) {
		t.Skip("sysdig is not installed")
	}
	file := filepath.Join(t.TempDir(), "sections.scap.gz")
	os.WriteFile(file, buf.Bytes(), 0o600)
	if out := string(sysdigOutput(t, file, "-p", "%proc.name")); out != "first\nsecond\n" {
		t.Fatalf("sysdig prints %q", out)
	}
}

// TestWriterAPI checks the calls out of order and the accounting.
func TestWriterAPI(t *testing.T) {
	var buf bytes.Buffer
	w := scap.NewWriter(&buf, scap.WriterOptions{})
	ev := mkEvent(1, 10, 6, tracetest.I64(1), tracetest.U32(1))
	if err := w.WriteEvent(ev); !errors.Is(err, scap.ErrNoMeta) {
		t.Fatalf("event before metadata: %v", err)
	}
	if err := w.WriteMeta(oneProc(10)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(ev); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 || w.Flushed() != 0 || w.Written() == 0 {
		t.Fatalf("before Flush: %d bytes out, flushed %d, written %d", buf.Len(), w.Flushed(), w.Written())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != w.Written() || w.Flushed() != w.Written() {
		t.Fatalf("after Flush: %d bytes out, flushed %d, written %d", buf.Len(), w.Flushed(), w.Written())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.WriteEvent(ev); !errors.Is(err, scap.ErrClosed) {
		t.Fatalf("event after Close: %v", err)
	}
	// Reset starts another file with the same buffers.
	var buf2 bytes.Buffer
	w.Reset(&buf2)
	if err := w.WriteMeta(oneProc(10)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteEvent(ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Fatal("a Reset writer writes another file")
	}
	// Metadata filled directly: fd lists in the order of the processes.
	m := &scap.Meta{Procs: []scap.Process{{TID: 3}, {TID: 1}, {TID: 2}}, FDs: map[int64][]scap.FDInfo{
		1: {{FD: 0, Type: scap.FDTypeFIFO, Name: "pipe:[1]"}}, 2: {{FD: 0, Type: scap.FDTypeFIFO, Name: "pipe:[2]"}},
		3: {{FD: 0, Type: scap.FDTypeFIFO, Name: "pipe:[3]"}}, 9: {{FD: 0, Type: scap.FDTypeFIFO, Name: "pipe:[9]"}},
	}}
	got := readMeta(t, writeFile(t, m, ev))
	if want := []string{"3 ", "1 ", "2 ", "9 "}; len(got.fds) != 4 || !strings.HasPrefix(got.fds[0], want[0]) ||
		!strings.HasPrefix(got.fds[1], want[1]) || !strings.HasPrefix(got.fds[2], want[2]) || !strings.HasPrefix(got.fds[3], want[3]) {
		t.Fatalf("fd lists in order %q", got.fds)
	}
}

// failAfter accepts n bytes, then fails every write. With partial set, the
// write that crosses n takes what fits, as write(2) does on a full disk.
type failAfter struct {
	buf     bytes.Buffer
	n       int
	partial bool
}

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if room := f.n - f.buf.Len(); len(p) > room {
		if f.partial && room > 0 {
			f.buf.Write(p[:room])
			return room, errDiskFull
		}
		return 0, errDiskFull
	}
	return f.buf.Write(p)
}

// fullFile is a file on a disk that fills up after n bytes.
type fullFile struct {
	*os.File
	n int64
}

func (f *fullFile) Write(p []byte) (int, error) {
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if room := f.n - pos; int64(len(p)) > room {
		n, _ := f.File.Write(p[:max(room, 0)])
		return n, errDiskFull
	}
	return f.File.Write(p)
}

// writeUntilError copies data with w, flushing every few events, until a
// write fails; it returns the error and how many events were written
// before the last successful flush.
func writeUntilError(t *testing.T, data []byte, w *scap.Writer) (werr error, flushed uint64) {
	t.Helper()
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		t.Fatal(err)
	}
	for ev, err := range rd.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if rec.Fresh {
			if err := w.WriteMeta(&rec.Meta); err != nil {
				return err, flushed
			}
			rec.Fresh = false
			rec.Reset()
		}
		if err := w.WriteEvent(ev); err != nil {
			return err, flushed
		}
		if ev.Num%7 == 0 {
			if err := w.Flush(); err != nil {
				return err, flushed
			}
			flushed = ev.Num
		}
	}
	return w.Close(), flushed
}

// readPrefix reads data to its end and returns the events it holds; a
// damaged end is reported with tolerate set, else it fails the test.
func readPrefix(t *testing.T, data []byte, tolerate bool) (n uint64, tailErr error) {
	t.Helper()
	rd, err := scap.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := rd.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			if !tolerate {
				t.Fatalf("after %d events: %v", n, err)
			}
			return n, err
		}
		n++
	}
}

// TestWriteError checks that a failing write surfaces, wrapped, and that
// what reached the destination before it is a readable capture.
func TestWriteError(t *testing.T) {
	data := loadTraces(t)["psp_run_as_user_0_container"]
	sysdig := haveSysdig(t)
	dir := t.TempDir()
	total := uint64(len(summarize(t, data)))

	t.Run("whole writes", func(t *testing.T) {
		fw := &failAfter{n: len(data) / 2}
		werr, _ := writeUntilError(t, data, scap.NewWriter(fw, scap.WriterOptions{}))
		if !errors.Is(werr, errDiskFull) {
			t.Fatalf("write error = %v, want disk full", werr)
		}
		if !strings.Contains(werr.Error(), "write event block: ") && !strings.Contains(werr.Error(), "flush capture file: ") {
			t.Fatalf("error %q does not say what failed", werr)
		}
		n, _ := readPrefix(t, fw.buf.Bytes(), false)
		if n == 0 || n >= total {
			t.Fatalf("%d of %d events survived", n, total)
		}
	})

	t.Run("partial write to a file", func(t *testing.T) {
		name := filepath.Join(dir, "full.scap")
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w := scap.NewWriter(&fullFile{f, int64(len(data) / 2)}, scap.WriterOptions{})
		werr, _ := writeUntilError(t, data, w)
		if !errors.Is(werr, errDiskFull) {
			t.Fatalf("write error = %v, want disk full", werr)
		}
		if err := w.WriteEvent(&event.Event{}); !errors.Is(err, errDiskFull) {
			t.Fatalf("the next write returns %v, not the first error", err)
		}
		st, _ := f.Stat()
		if st.Size() != w.Flushed() || st.Size() == 0 {
			t.Fatalf("file of %d bytes after the error, %d flushed whole", st.Size(), w.Flushed())
		}
		got, _ := os.ReadFile(name)
		n, _ := readPrefix(t, got, false)
		if n == 0 || n >= total {
			t.Fatalf("%d of %d events survived", n, total)
		}
		if sysdig {
			sysdigOutput(t, name) // fails the test if sysdig reports an error
		}
	})

	t.Run("gzip", func(t *testing.T) {
		fw := &failAfter{n: 20000, partial: true}
		werr, flushed := writeUntilError(t, data, scap.NewWriter(fw, scap.WriterOptions{Compress: true}))
		if !errors.Is(werr, errDiskFull) {
			t.Fatalf("write error = %v, want disk full", werr)
		}
		// The stream is cut, but what was flushed before reads.
		n, tailErr := readPrefix(t, fw.buf.Bytes(), true)
		if tailErr == nil || n < flushed || flushed == 0 {
			t.Fatalf("%d events read (then %v), %d were flushed", n, tailErr, flushed)
		}
	})
}

// BenchmarkWrite writes the events of a real trace, plain and gzip (zlib's
// default level, as sysdig -z, and the fastest), to nowhere: events/s and
// allocations per event.
func BenchmarkWrite(b *testing.B) {
	data := loadTraces(b)["psp_run_as_user_0_container"]
	evs := readEvents(b, data)
	rec := &scap.Recorder{}
	rd, err := scap.NewReader(bytes.NewReader(data), rec)
	if err != nil {
		b.Fatal(err)
	}
	rd.Next()
	var size int64
	for _, ev := range evs {
		size += int64(len(ev.Raw)) + 16
	}
	for _, c := range []struct {
		name string
		opt  scap.WriterOptions
	}{
		{"plain", scap.WriterOptions{}},
		{"gzip", scap.WriterOptions{Compress: true}},
		{"gzip-level1", scap.WriterOptions{Compress: true, Level: gzip.BestSpeed}},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := scap.NewWriter(io.Discard, c.opt)
			if err := w.WriteMeta(&rec.Meta); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size / int64(len(evs)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := w.WriteEvent(evs[i%len(evs)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
