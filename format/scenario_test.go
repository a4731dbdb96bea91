package format

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// The scenario is a crafted trace that exercises every parameter type and
// output mode. testdata/scenario.scap is written from it (go test -run
// TestScenario -write-scap), and testdata/scenario.TAG.out are what
// sysdig 0.29.3 prints for that file:
//
//	sysdig -r testdata/scenario.scap [flags] > testdata/scenario.TAG.out
//
// The events are chosen so that sysdig's state engine does not change
// what they print, so the printer can be checked against the file's
// initial state alone.

var writeScap = flag.Bool("write-scap", false, "write testdata/scenario.scap from the scenario")

// Event codes the scenario uses, with their names.
const (
	cGenericE   event.Code = 0
	cGenericX   event.Code = 1
	cOpenX      event.Code = 3
	cReadE      event.Code = 6
	cReadX      event.Code = 7
	cWriteE     event.Code = 8
	cConnectE   event.Code = 22
	cConnectX   event.Code = 23
	cGetsockX   event.Code = 47
	cStatX      event.Code = 67
	cPollE      event.Code = 80
	cPollX      event.Code = 81
	cLseekE     event.Code = 86
	cKillE      event.Code = 128
	cNanosleepE event.Code = 134
	cFcntlE     event.Code = 150
	cSwitchE    event.Code = 152
	cMmapE      event.Code = 160
	cPtraceX    event.Code = 169
	cProcexit1E event.Code = 186
	cSetgidE    event.Code = 200
	cGetuidX    event.Code = 203
	cSetnsE     event.Code = 240
	cSemopX     event.Code = 251
	cPpollE     event.Code = 254
	cMountX     event.Code = 257
	cAccessE    event.Code = 264
	cBpfX       event.Code = 297
	cOpenat2X   event.Code = 307
	cFchmodatX  event.Code = 313
	cChmodX     event.Code = 315
	cNA1        event.Code = 17
	cContainerE event.Code = 272
	cWriteX     event.Code = 9
	cWritevE    event.Code = 118
	cWritevX    event.Code = 119
	cPwriteE    event.Code = 114
	cPwriteX    event.Code = 115
)

var codeNames = map[event.Code]string{
	cGenericE: "syscall", cGenericX: "syscall", cOpenX: "open", cReadE: "read",
	cReadX: "read", cWriteE: "write", cConnectE: "connect", cConnectX: "connect",
	cGetsockX: "getsockopt", cStatX: "stat", cPollE: "poll", cPollX: "poll",
	cLseekE: "lseek", cKillE: "kill", cNanosleepE: "nanosleep", cFcntlE: "fcntl",
	cSwitchE: "switch", cMmapE: "mmap", cPtraceX: "ptrace", cProcexit1E: "procexit",
	cSetgidE: "setgid", cGetuidX: "getuid", cSetnsE: "setns", cSemopX: "semop",
	cPpollE: "ppoll", cMountX: "mount", cAccessE: "access", cBpfX: "bpf",
	cOpenat2X: "openat", cFchmodatX: "fchmodat", cChmodX: "chmod", cNA1: "NA1",
	cContainerE: "container", cWriteX: "write", cWritevE: "writev", cWritevX: "writev",
	cPwriteE: "pwrite", cPwriteX: "pwrite",
}

func TestScenarioCodes(t *testing.T) {
	for c, n := range codeNames {
		info := event.Lookup(c)
		if info == nil || info.Name != n {
			t.Errorf("code %d: got %v, want %q", c, info, n)
		}
	}
}

const baseTS = 1600000000_000000000

const ctrID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// ctrJSON is the metadata of the scenario's container, as a container
// event carries it.
const ctrJSON = `{"container":{"Mounts":[],"id":"0123456789ab","image":"nginx:latest","imagedigest":"","imageid":"f00","imagerepo":"nginx","imagetag":"latest","ip":"172.17.0.2","is_pod_sandbox":false,"labels":{"a":"\u00e9\t\"q\""},"name":"web_1","privileged":false,"type":0}}` + "\n"

// ctrEvent is the index of the container event in scenarioEvents: from
// there on, sysdig knows the container's name.
var ctrEvent int

func scenarioWorld() world {
	return world{
		procs: []tproc{
			{tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1},
			{tid: 100, pid: 100, ptid: 1, comm: "tester", exe: "/bin/tester", args: []string{"-x"},
				cwd: "/home/alice/", uid: 1000, gid: 100, vtid: 100, vpid: 100,
				fds: []tfd{
					{fd: 3, typ: 16, name: "/etc/passwd", flags: 1, sname: "/etc/passwd"},
					{fd: 4, typ: 3, sip: ip4(127, 0, 0, 1), sport: 40000, dip: ip4(127, 0, 0, 1), dport: 80, l4: 2,
						sname: "127.0.0.1:40000->127.0.0.1:80", role: state.RoleClient, sl4: l4TCP},
					{fd: 5, typ: 8, src: 0xffff8800aabbcc00, dst: 0xffff8800ddeeff00, name: "/run/sock", sname: "/run/sock"},
					{fd: 6, typ: 2, name: "/tmp", sname: "/tmp"},
					{fd: 7, typ: 7, name: "pipe:[1234]", sname: "pipe:[1234]"},
					{fd: 8, typ: 4, sip: ip6("::1"), sport: 5353, dip: ip6("2001:db8::3"), dport: 53, l4: 3,
						sname: "::1:5353->2001:db8::3:53", sl4: l4UDP},
					{fd: 9, typ: 9, name: ""},
					{fd: 10, typ: 5, sip: ip4(0, 0, 0, 0), sport: 8080, l4: 2, sname: "0.0.0.0:8080", sl4: l4TCP},
					{fd: 11, typ: 16, name: "/tmp/we\x01ird\xc3\xa9name", flags: 1, sname: "/tmp/we\x01ird\xc3\xa9name"},
					{fd: 12, typ: 0},
					{fd: 13, typ: 11, name: "signalfd", sname: "signalfd"},
					{fd: 14, typ: 13, name: "inotify", sname: "inotify"},
					{fd: 15, typ: 3, sip: ip4(10, 0, 0, 1), sport: 1000, dip: ip4(8, 8, 8, 8), dport: 53, l4: 3,
						sname: "10.0.0.1:1000->8.8.8.8:53", role: state.RoleClient, sl4: l4UDP},
					{fd: 16, typ: 8, src: 0xffff8800aabbcc10, dst: 0xffff8800ddeeff10, name: "/dev/log", sname: "/dev/log"},
					{fd: 17, typ: 16, name: "/var/dev/log/x", sname: "/var/dev/log/x"},
				}},
			{tid: 101, pid: 100, ptid: 1, comm: "tester", exe: "/bin/tester", cwd: "/home/alice/",
				uid: 1000, gid: 100, vtid: 101, vpid: 100},
			{tid: 200, pid: 200, ptid: 100, comm: "worker", exe: "/bin/worker", cwd: "/srv/",
				vtid: 5, vpid: 5},
			{tid: 300, pid: 300, ptid: 1, comm: "victim", exe: "/bin/victim", cwd: "/",
				vtid: 300, vpid: 300},
			{tid: 400, pid: 400, ptid: 1, comm: "nginx", exe: "nginx", cwd: "/",
				vtid: 1, vpid: 1, container: ctrID[:12],
				cgroups: []string{"cpuset=/docker/" + ctrID, "cpu=/docker/" + ctrID}},
			{tid: 401, pid: 400, ptid: 1, comm: "nginx", exe: "nginx", cwd: "/",
				vtid: -1, vpid: -1, container: ctrID[:12],
				cgroups: []string{"cpuset=/docker/" + ctrID, "cpu=/docker/" + ctrID}},
		},
		users:  []tuser{{0, 0, "root"}, {1000, 100, "alice"}, {1001, 100, "b\x01ob\xc3\xa9"}},
		groups: []tgroup{{0, "root"}, {100, "users"}},
	}
}

func scenarioEvents() []tev {
	var evs []tev
	ts := uint64(baseTS)
	add := func(tid int64, code event.Code, params ...[]byte) {
		ts += 1234567
		evs = append(evs, tev{ts: ts, tid: tid, cpu: uint16(len(evs) % 4), code: code, params: params})
	}
	bin := make([]byte, 0, 100)
	bin = append(bin, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"...)
	for i := 0; len(bin) < 100; i++ {
		bin = append(bin, byte(i*37))
	}
	const me = 100

	add(me, cReadE, pI64(3), pU32(4096))
	add(me, cReadX, pI64(5), pBuf("hello"))
	add(me, cReadE, pI64(4), pU32(100))
	add(me, cReadX, pI64(100), bin)
	for _, fd := range []int64{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99, -1, -100, -9999, -4294967298} {
		add(me, cWriteE, pI64(fd), pU32(1))
	}
	add(me, cReadX, pI64(-2), nil)
	add(me, cReadX, pI64(-9999), pBuf("\r\n\nab\r\ncd\n\x01\x7f\xff"))
	add(me, cReadX, pI64(0), pBuf("0123456789abcdef\x00"))
	add(me, cReadX, pI64(0), pBuf("\n"))
	add(me, cKillE, pI64(200), pU8(9))
	add(me, cKillE, pI64(12345), pU8(0))
	add(me, cKillE, pI64(101), pU8(200))
	add(me, cNanosleepE, pU64(1500000000))
	add(me, cNanosleepE, pU64(^uint64(0)))
	add(me, cNanosleepE, pU64(1234))
	add(me, cNanosleepE, pU64(0))
	add(me, cOpenX, pI64(-2), pStr("/etc/shadow"), pU32(0), pU32(0), pU32(0))
	add(me, cOpenX, pI64(-13), pStr("rel/../x"), pU32(4097), pU32(0644), pU32(0x803), pU64(77))
	add(me, cOpenX, pI64(-2), pStr("a"), pU32(0x8000|2), pU32(0), pU32(0))
	add(me, cOpenX, pI64(-2), pStr("/b"), pU32(3|4|0x100), pU32(01777), pU32(0))
	add(me, cOpenX, pI64(-2), pStr("/c"), pU32(0x2000|1), pU32(0), pU32(0))
	add(me, cMmapE, pU64(0x7f0000000000), pU64(4096), pU32(3), pU32(0x22), pI64(-1), pU64(0))
	add(me, cMmapE, pU64(0), pU64(0), pU32(0), pU32(0), pI64(3), pU64(4096))
	add(me, cMmapE, pU64(^uint64(0)), pU64(^uint64(0)), pU32(0xffffffff), pU32(0xffffffff), pI64(4), pU64(1<<63))
	add(me, cLseekE, pI64(3), pU64(^uint64(0)), pU8(0))
	add(me, cLseekE, pI64(3), pU64(10), pU8(9))
	add(me, cFcntlE, pI64(3), pU8(0))
	add(me, cFcntlE, pI64(3), pU8(1))
	add(me, cFcntlE, pI64(3), pU8(99))
	add(me, cPollE, pFDList(3, 1, 4, -32767, 77, 4), pI64(-1))
	add(me, cPollX, pI64(1), pFDList(4, 1))
	add(me, cPollE, pFDList(), pI64(0))
	add(me, cPpollE, pFDList(5, 1), pU64(1000000), pU32(0x4001|1<<31))
	add(me, cPpollE, pFDList(), pU64(^uint64(0)), pU32(0))
	for _, uid := range []uint32{0, 1000, 1001, 4242, 0xffffffff, 0xfffffffe} {
		add(me, cGetuidX, pU32(uid))
	}
	add(me, cSetgidE, pU32(100))
	add(me, cSetgidE, pU32(5))
	add(me, cSemopX, pI64(0), pU32(2), pU16(1), pI16(-1), pU16(0x1800), pU16(65535), pI16(32767), pU16(0), pI32(-5))
	add(me, cMountX, pI64(0), pStr("/dev/sda1"), pStr("mnt/x/"), pStr("ext4"), pU32(1))
	add(me, cMountX, pI64(-1), nil, nil, pStr("\x01tmp\xc3\xa9fs\"\\\t/\U0001F600"), pU32(0))
	add(me, cStatX, pI64(0), pStr("../etc/./passwd"))
	add(me, cStatX, pI64(0), pStr(""))
	add(me, cStatX, pI64(0), pStr("<NA>"))
	add(me, cStatX, pI64(0), pStr("/abs//x/"))
	add(me, cStatX, pI64(0), pStr("we\x01ird/.."))
	add(101, cStatX, pI64(0), pStr("sub/file"))
	add(me, cStatX, pI64(0), nil)
	add(me, cStatX, pI64(0), pBuf("noterm"))
	add(me, cChmodX, pI64(0), pStr("f"), pU32(0755))
	add(me, cChmodX, pI64(0), pStr("/f"), pU32(0))
	add(me, cChmodX, pI64(0), pStr("/f"), pU32(04000|0777))
	add(me, cFchmodatX, pI64(0), pI64(6), pStr("x.txt"), pU32(0644))
	add(me, cFchmodatX, pI64(0), pI64(-100), pStr("y"), pU32(0))
	add(me, cFchmodatX, pI64(0), pI64(55), pStr("z"), pU32(0))
	add(me, cFchmodatX, pI64(0), pI64(3), pStr("../q"), pU32(0))
	add(me, cOpenat2X, pI64(-2), pI64(6), pStr("rel"), pU32(0x1001), pU32(0600), pU32(0))
	add(me, cConnectE, pI64(50), pAddr4(ip4(1, 2, 3, 4), 80))
	add(me, cConnectE, pI64(50), pAddrUnix("/var/run/x\x01y"))
	add(me, cConnectE, pI64(50), pAddr6(ip6("::1"), 53))
	add(me, cConnectE, pI64(50), nil)
	add(me, cConnectE, pI64(50), []byte{99, 1, 2, 3})
	add(me, cConnectE, pI64(50), []byte{2, 1, 2, 3})
	add(me, cConnectE, pI64(50), []byte{200})
	add(me, cConnectX, pI64(-111), pTuple4(ip4(1, 2, 3, 4), 5, ip4(6, 7, 8, 9), 10))
	add(me, cConnectX, pI64(-111), pTuple6(ip6("2001:db8::3"), 1, ip6("::1"), 2))
	add(me, cConnectX, pI64(-111), pTuple6(ip6("::ffff:10.0.0.1"), 1, ip6("::ffff:10.0.0.1"), 2))
	add(me, cConnectX, pI64(-111), pTuple6(ip6("::"), 3, ip6("::ffff:10.0.0.1"), 4))
	add(me, cConnectX, pI64(-111), pTuple6(ip6("1:0:0:2:0:0:0:3"), 5, ip6("::1.2.3.4"), 6))
	add(me, cConnectX, pI64(-111), pTuple6(ip6("fe80::1:0:0:5"), 7, ip6("::"), 8))
	add(me, cConnectX, pI64(-111), pTupleUnix(0xffff8800aabbcc00, 0, "/run/x"))
	add(me, cConnectX, pI64(-111), nil)
	add(me, cConnectX, pI64(-111), []byte{7, 1, 2})
	add(me, cGetsockX, pI64(0), pI64(4), pU8(1), pU8(4), pDyn(1, pI64(-111)), pU32(4))
	add(me, cGetsockX, pI64(0), pI64(4), pU8(1), pU8(4), pDyn(2, pU32(7)), pU32(4))
	add(me, cGetsockX, pI64(0), pI64(4), pU8(1), pU8(20), pDyn(4, pU64(2500000000)), pU32(8))
	add(me, cGetsockX, pI64(0), pI64(4), pU8(99), pU8(99), pDyn(0, pBuf("ab\x00c")), pU32(4))
	add(me, cGetsockX, pI64(0), pI64(4), pU8(0), pU8(0), pDyn(9, pU32(1)), pU32(4))
	add(me, cGetsockX, pI64(0), pI64(4), pU8(0), pU8(0), nil, pU32(0))
	add(me, cPtraceX, pI64(0), pDyn(0, pU64(0x7fff0000)), pDyn(1, pU8(11)))
	add(me, cBpfX, pDyn(0, pI64(3)))
	add(me, cBpfX, pDyn(1, pI64(-1)))
	add(me, cSetnsE, pI64(3), pU32(0x40000000))
	add(me, cAccessE, pU32(0))
	add(me, cAccessE, pU32(7))
	add(me, cGenericE, pU16(139), pU16(28))
	add(me, cGenericX, pU16(139), pU16(28))
	add(me, cNA1)
	add(0, cSwitchE, pI64(100), pU64(1), pU64(2), pU32(3), pU32(4), pU32(5))
	add(me, cSwitchE, pI64(0), pU64(0), pU64(0), pU32(0), pU32(0), pU32(0))
	add(me, cReadE, pI64(3))
	add(200, cKillE, pI64(100), pU8(15))
	add(me, cWriteE, pI64(3), pU32(1))
	evs[len(evs)-1].ts -= 5000000000 // out of order
	add(me, cReadX, pI64(1), pBuf("x"))
	// Writes of syslog messages to /dev/log.
	for _, w := range []struct {
		fd   int64
		res  int64
		data string
	}{
		{16, 20, "<13>Nov 26 hello\x00x"},
		{16, -1, "<13>error"},
		{16, 5, "<abc>x"},
		{16, 3, "<1>"},
		{16, 2, "<>"},
		{16, 9, "<191\x00>abc"},
		{16, 9, "<12345678901234567890>x"},
		{17, 10, "<30>line\nnext"},
		{3, 6, "<13>xx"},
	} {
		add(me, cWriteE, pI64(w.fd), pU32(uint32(len(w.data))))
		add(me, cWriteX, pI64(w.res), pBuf(w.data))
	}
	add(me, cWriteX, pI64(3), pBuf("<13>no enter"))
	add(me, cWritevE, pI64(16), pU32(4))
	add(me, cWritevX, pI64(4), pBuf("<14>vec"))
	add(me, cPwriteE, pI64(16), pU32(4), pU64(0))
	add(me, cPwriteX, pI64(4), pBuf("<15>pw"))
	add(400, cKillE, pI64(401), pU8(1))
	add(401, cKillE, pI64(400), pU8(2))
	ctrEvent = len(evs)
	add(1, cContainerE, pStr(ctrJSON))
	add(400, cKillE, pI64(401), pU8(3))
	add(401, cKillE, pI64(400), pU8(4))
	add(300, cProcexit1E, pI64(0), pI64(0), pU8(9), pU8(1))
	return evs
}

// scenarioModes are the sysdig flags of each golden file.
var scenarioModes = []struct {
	tag  string
	args string
	opt  Options
}{
	{"x", "", Options{}},
	{"pc", "-pc", Options{Container: true}},
	{"j", "-j", Options{JSON: true}},
	{"pcj", "-pc -j", Options{Container: true, JSON: true}},
	{"A", "-A", Options{Buffer: BufASCII}},
	{"xx", "-x", Options{Buffer: BufHex}},
	{"X", "-X", Options{Buffer: BufHexASCII}},
	{"b", "-b", Options{Buffer: BufBase64}},
	{"v", "-v", Options{Verbose: true}},
	{"jA", "-j -A", Options{JSON: true, Buffer: BufASCII}},
	{"jX", "-j -X", Options{JSON: true, Buffer: BufHexASCII}},
	{"jx", "-j -x", Options{JSON: true, Buffer: BufHex}},
	{"jb", "-j -b", Options{JSON: true, Buffer: BufBase64}},
	{"ta", "-t a", Options{Time: 'a'}},
	{"tr", "-t r", Options{Time: 'r'}},
	{"td", "-t d", Options{Time: 'd'}},
	{"tD", "-t D", Options{Time: 'D'}},
}

func TestScenario(t *testing.T) {
	w := scenarioWorld()
	evs := scenarioEvents()
	if *writeScap {
		if err := os.WriteFile("testdata/scenario.scap", w.scapFile(evs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range scenarioModes {
		t.Run(m.tag, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "scenario."+m.tag+".out"))
			if err != nil {
				t.Skip(err)
			}
			var buf bytes.Buffer
			opt := m.opt
			tz := 0
			opt.TZOffset = &tz
			st := w.state()
			p := newPrinter(&buf, st, opt)
			for i, ev := range evs {
				if i == ctrEvent {
					st.containers[ctrID[:12]] = &state.Container{ID: ctrID[:12], Name: "web_1"}
				}
				e := ev.decode(t, uint64(i+1))
				st.apply(e)
				p.Observe(e)
				if err := p.Print(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Flush(); err != nil {
				t.Fatal(err)
			}
			compareLines(t, buf.String(), string(want))
		})
	}
}

// compareLines reports the first lines where got and want differ.
func compareLines(t *testing.T, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g := strings.Split(got, "\n")
	w := strings.Split(want, "\n")
	n := 0
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, gl, wl)
			if n++; n == 10 {
				return
			}
		}
	}
}

// BenchmarkPrint prints the scenario's events in the default format.
func BenchmarkPrint(b *testing.B) {
	benchPrint(b, Options{})
}

func BenchmarkPrintJSON(b *testing.B) {
	benchPrint(b, Options{JSON: true})
}

func BenchmarkPrintHexASCII(b *testing.B) {
	benchPrint(b, Options{Buffer: BufHexASCII, Time: 'd'})
}

func benchPrint(b *testing.B, opt Options) {
	w := scenarioWorld()
	evs := scenarioEvents()
	var es []*event.Event
	for i, ev := range evs {
		if ev.code == cContainerE {
			continue // parses JSON: not the hot path
		}
		es = append(es, ev.decode(b, uint64(i+1)))
	}
	st := w.state()
	p := newPrinter(io.Discard, st, opt)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := es[i%len(es)]
		st.apply(e)
		p.Observe(e)
		if err := p.Print(e); err != nil {
			b.Fatal(err)
		}
	}
}
