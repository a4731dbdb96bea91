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
	"github.com/syscope/syscope/internal/tracetest"
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

func scenarioWorld() tracetest.World {
	return tracetest.World{
		Procs: []tracetest.Proc{
			{TID: 1, PID: 1, PTID: 0, Comm: "init", Exe: "/sbin/init", Cwd: "/", VTID: 1, VPID: 1},
			{TID: 100, PID: 100, PTID: 1, Comm: "tester", Exe: "/bin/tester", Args: []string{"-x"},
				Cwd: "/home/alice/", UID: 1000, GID: 100, VTID: 100, VPID: 100,
				FDs: []tracetest.FD{
					{Num: 3, Type: 16, Name: "/etc/passwd", Flags: 1, StateName: "/etc/passwd"},
					{Num: 4, Type: 3, SIP: tracetest.IP4(127, 0, 0, 1), SPort: 40000, DIP: tracetest.IP4(127, 0, 0, 1), DPort: 80, L4: 2,
						StateName: "127.0.0.1:40000->127.0.0.1:80", Role: state.RoleClient, StateL4: l4TCP},
					{Num: 5, Type: 8, Src: 0xffff8800aabbcc00, Dst: 0xffff8800ddeeff00, Name: "/run/sock", StateName: "/run/sock"},
					{Num: 6, Type: 2, Name: "/tmp", StateName: "/tmp"},
					{Num: 7, Type: 7, Name: "pipe:[1234]", StateName: "pipe:[1234]"},
					{Num: 8, Type: 4, SIP: tracetest.IP6("::1"), SPort: 5353, DIP: tracetest.IP6("2001:db8::3"), DPort: 53, L4: 3,
						StateName: "::1:5353->2001:db8::3:53", StateL4: l4UDP},
					{Num: 9, Type: 9, Name: ""},
					{Num: 10, Type: 5, SIP: tracetest.IP4(0, 0, 0, 0), SPort: 8080, L4: 2, StateName: "0.0.0.0:8080", StateL4: l4TCP},
					{Num: 11, Type: 16, Name: "/tmp/we\x01ird\xc3\xa9name", Flags: 1, StateName: "/tmp/we\x01ird\xc3\xa9name"},
					{Num: 12, Type: 0},
					{Num: 13, Type: 11, Name: "signalfd", StateName: "signalfd"},
					{Num: 14, Type: 13, Name: "inotify", StateName: "inotify"},
					{Num: 15, Type: 3, SIP: tracetest.IP4(10, 0, 0, 1), SPort: 1000, DIP: tracetest.IP4(8, 8, 8, 8), DPort: 53, L4: 3,
						StateName: "10.0.0.1:1000->8.8.8.8:53", Role: state.RoleClient, StateL4: l4UDP},
					{Num: 16, Type: 8, Src: 0xffff8800aabbcc10, Dst: 0xffff8800ddeeff10, Name: "/dev/log", StateName: "/dev/log"},
					{Num: 17, Type: 16, Name: "/var/dev/log/x", StateName: "/var/dev/log/x"},
				}},
			{TID: 101, PID: 100, PTID: 1, Comm: "tester", Exe: "/bin/tester", Cwd: "/home/alice/",
				UID: 1000, GID: 100, VTID: 101, VPID: 100},
			{TID: 200, PID: 200, PTID: 100, Comm: "worker", Exe: "/bin/worker", Cwd: "/srv/",
				VTID: 5, VPID: 5},
			{TID: 300, PID: 300, PTID: 1, Comm: "victim", Exe: "/bin/victim", Cwd: "/",
				VTID: 300, VPID: 300},
			{TID: 400, PID: 400, PTID: 1, Comm: "nginx", Exe: "nginx", Cwd: "/",
				VTID: 1, VPID: 1, Container: ctrID[:12],
				Cgroups: []string{"cpuset=/docker/" + ctrID, "cpu=/docker/" + ctrID}},
			{TID: 401, PID: 400, PTID: 1, Comm: "nginx", Exe: "nginx", Cwd: "/",
				VTID: -1, VPID: -1, Container: ctrID[:12],
				Cgroups: []string{"cpuset=/docker/" + ctrID, "cpu=/docker/" + ctrID}},
		},
		Users: []tracetest.User{{UID: 0, GID: 0, Name: "root"}, {UID: 1000, GID: 100, Name: "alice"},
			{UID: 1001, GID: 100, Name: "b\x01ob\xc3\xa9"}},
		Groups: []tracetest.Group{{GID: 0, Name: "root"}, {GID: 100, Name: "users"}},
	}
}

func scenarioEvents() []tracetest.Event {
	var evs []tracetest.Event
	ts := uint64(baseTS)
	add := func(tid int64, code event.Code, params ...[]byte) {
		ts += 1234567
		evs = append(evs, tracetest.Event{TS: ts, TID: tid, CPU: uint16(len(evs) % 4), Code: code, Params: params})
	}
	bin := make([]byte, 0, 100)
	bin = append(bin, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"...)
	for i := 0; len(bin) < 100; i++ {
		bin = append(bin, byte(i*37))
	}
	const me = 100

	add(me, cReadE, tracetest.I64(3), tracetest.U32(4096))
	add(me, cReadX, tracetest.I64(5), tracetest.Buf("hello"))
	add(me, cReadE, tracetest.I64(4), tracetest.U32(100))
	add(me, cReadX, tracetest.I64(100), bin)
	for _, fd := range []int64{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99, -1, -100, -9999, -4294967298} {
		add(me, cWriteE, tracetest.I64(fd), tracetest.U32(1))
	}
	add(me, cReadX, tracetest.I64(-2), nil)
	add(me, cReadX, tracetest.I64(-9999), tracetest.Buf("\r\n\nab\r\ncd\n\x01\x7f\xff"))
	add(me, cReadX, tracetest.I64(0), tracetest.Buf("0123456789abcdef\x00"))
	add(me, cReadX, tracetest.I64(0), tracetest.Buf("\n"))
	add(me, cKillE, tracetest.I64(200), tracetest.U8(9))
	add(me, cKillE, tracetest.I64(12345), tracetest.U8(0))
	add(me, cKillE, tracetest.I64(101), tracetest.U8(200))
	add(me, cNanosleepE, tracetest.U64(1500000000))
	add(me, cNanosleepE, tracetest.U64(^uint64(0)))
	add(me, cNanosleepE, tracetest.U64(1234))
	add(me, cNanosleepE, tracetest.U64(0))
	add(me, cOpenX, tracetest.I64(-2), tracetest.Str("/etc/shadow"), tracetest.U32(0), tracetest.U32(0), tracetest.U32(0))
	add(me, cOpenX, tracetest.I64(-13), tracetest.Str("rel/../x"), tracetest.U32(4097), tracetest.U32(0644), tracetest.U32(0x803), tracetest.U64(77))
	add(me, cOpenX, tracetest.I64(-2), tracetest.Str("a"), tracetest.U32(0x8000|2), tracetest.U32(0), tracetest.U32(0))
	add(me, cOpenX, tracetest.I64(-2), tracetest.Str("/b"), tracetest.U32(3|4|0x100), tracetest.U32(01777), tracetest.U32(0))
	add(me, cOpenX, tracetest.I64(-2), tracetest.Str("/c"), tracetest.U32(0x2000|1), tracetest.U32(0), tracetest.U32(0))
	add(me, cMmapE, tracetest.U64(0x7f0000000000), tracetest.U64(4096), tracetest.U32(3), tracetest.U32(0x22), tracetest.I64(-1), tracetest.U64(0))
	add(me, cMmapE, tracetest.U64(0), tracetest.U64(0), tracetest.U32(0), tracetest.U32(0), tracetest.I64(3), tracetest.U64(4096))
	add(me, cMmapE, tracetest.U64(^uint64(0)), tracetest.U64(^uint64(0)), tracetest.U32(0xffffffff), tracetest.U32(0xffffffff), tracetest.I64(4), tracetest.U64(1<<63))
	add(me, cLseekE, tracetest.I64(3), tracetest.U64(^uint64(0)), tracetest.U8(0))
	add(me, cLseekE, tracetest.I64(3), tracetest.U64(10), tracetest.U8(9))
	add(me, cFcntlE, tracetest.I64(3), tracetest.U8(0))
	add(me, cFcntlE, tracetest.I64(3), tracetest.U8(1))
	add(me, cFcntlE, tracetest.I64(3), tracetest.U8(99))
	add(me, cPollE, tracetest.FDList(3, 1, 4, -32767, 77, 4), tracetest.I64(-1))
	add(me, cPollX, tracetest.I64(1), tracetest.FDList(4, 1))
	add(me, cPollE, tracetest.FDList(), tracetest.I64(0))
	add(me, cPpollE, tracetest.FDList(5, 1), tracetest.U64(1000000), tracetest.U32(0x4001|1<<31))
	add(me, cPpollE, tracetest.FDList(), tracetest.U64(^uint64(0)), tracetest.U32(0))
	for _, uid := range []uint32{0, 1000, 1001, 4242, 0xffffffff, 0xfffffffe} {
		add(me, cGetuidX, tracetest.U32(uid))
	}
	add(me, cSetgidE, tracetest.U32(100))
	add(me, cSetgidE, tracetest.U32(5))
	add(me, cSemopX, tracetest.I64(0), tracetest.U32(2), tracetest.U16(1), tracetest.I16(-1), tracetest.U16(0x1800), tracetest.U16(65535), tracetest.I16(32767), tracetest.U16(0), tracetest.I32(-5))
	add(me, cMountX, tracetest.I64(0), tracetest.Str("/dev/sda1"), tracetest.Str("mnt/x/"), tracetest.Str("ext4"), tracetest.U32(1))
	add(me, cMountX, tracetest.I64(-1), nil, nil, tracetest.Str("\x01tmp\xc3\xa9fs\"\\\t/\U0001F600"), tracetest.U32(0))
	add(me, cStatX, tracetest.I64(0), tracetest.Str("../etc/./passwd"))
	add(me, cStatX, tracetest.I64(0), tracetest.Str(""))
	add(me, cStatX, tracetest.I64(0), tracetest.Str("<NA>"))
	add(me, cStatX, tracetest.I64(0), tracetest.Str("/abs//x/"))
	add(me, cStatX, tracetest.I64(0), tracetest.Str("we\x01ird/.."))
	add(101, cStatX, tracetest.I64(0), tracetest.Str("sub/file"))
	add(me, cStatX, tracetest.I64(0), nil)
	add(me, cStatX, tracetest.I64(0), tracetest.Buf("noterm"))
	add(me, cChmodX, tracetest.I64(0), tracetest.Str("f"), tracetest.U32(0755))
	add(me, cChmodX, tracetest.I64(0), tracetest.Str("/f"), tracetest.U32(0))
	add(me, cChmodX, tracetest.I64(0), tracetest.Str("/f"), tracetest.U32(04000|0777))
	add(me, cFchmodatX, tracetest.I64(0), tracetest.I64(6), tracetest.Str("x.txt"), tracetest.U32(0644))
	add(me, cFchmodatX, tracetest.I64(0), tracetest.I64(-100), tracetest.Str("y"), tracetest.U32(0))
	add(me, cFchmodatX, tracetest.I64(0), tracetest.I64(55), tracetest.Str("z"), tracetest.U32(0))
	add(me, cFchmodatX, tracetest.I64(0), tracetest.I64(3), tracetest.Str("../q"), tracetest.U32(0))
	add(me, cOpenat2X, tracetest.I64(-2), tracetest.I64(6), tracetest.Str("rel"), tracetest.U32(0x1001), tracetest.U32(0600), tracetest.U32(0))
	add(me, cConnectE, tracetest.I64(50), tracetest.Addr4(tracetest.IP4(1, 2, 3, 4), 80))
	add(me, cConnectE, tracetest.I64(50), tracetest.AddrUnix("/var/run/x\x01y"))
	add(me, cConnectE, tracetest.I64(50), tracetest.Addr6(tracetest.IP6("::1"), 53))
	add(me, cConnectE, tracetest.I64(50), nil)
	add(me, cConnectE, tracetest.I64(50), []byte{99, 1, 2, 3})
	add(me, cConnectE, tracetest.I64(50), []byte{2, 1, 2, 3})
	add(me, cConnectE, tracetest.I64(50), []byte{200})
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple4(tracetest.IP4(1, 2, 3, 4), 5, tracetest.IP4(6, 7, 8, 9), 10))
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple6(tracetest.IP6("2001:db8::3"), 1, tracetest.IP6("::1"), 2))
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple6(tracetest.IP6("::ffff:10.0.0.1"), 1, tracetest.IP6("::ffff:10.0.0.1"), 2))
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple6(tracetest.IP6("::"), 3, tracetest.IP6("::ffff:10.0.0.1"), 4))
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple6(tracetest.IP6("1:0:0:2:0:0:0:3"), 5, tracetest.IP6("::1.2.3.4"), 6))
	add(me, cConnectX, tracetest.I64(-111), tracetest.Tuple6(tracetest.IP6("fe80::1:0:5"), 7, tracetest.IP6("::"), 8))
	add(me, cConnectX, tracetest.I64(-111), tracetest.TupleUnix(0xffff8800aabbcc00, 0, "/run/x"))
	add(me, cConnectX, tracetest.I64(-111), nil)
	add(me, cConnectX, tracetest.I64(-111), []byte{7, 1, 2})
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(1), tracetest.U8(4), tracetest.Dyn(1, tracetest.I64(-111)), tracetest.U32(4))
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(1), tracetest.U8(4), tracetest.Dyn(2, tracetest.U32(7)), tracetest.U32(4))
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(1), tracetest.U8(20), tracetest.Dyn(4, tracetest.U64(2500000000)), tracetest.U32(8))
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(99), tracetest.U8(99), tracetest.Dyn(0, tracetest.Buf("ab\x00c")), tracetest.U32(4))
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(0), tracetest.U8(0), tracetest.Dyn(9, tracetest.U32(1)), tracetest.U32(4))
	add(me, cGetsockX, tracetest.I64(0), tracetest.I64(4), tracetest.U8(0), tracetest.U8(0), nil, tracetest.U32(0))
	add(me, cPtraceX, tracetest.I64(0), tracetest.Dyn(0, tracetest.U64(0x7fff0000)), tracetest.Dyn(1, tracetest.U8(11)))
	add(me, cBpfX, tracetest.Dyn(0, tracetest.I64(3)))
	add(me, cBpfX, tracetest.Dyn(1, tracetest.I64(-1)))
	add(me, cSetnsE, tracetest.I64(3), tracetest.U32(0x40000000))
	add(me, cAccessE, tracetest.U32(0))
	add(me, cAccessE, tracetest.U32(7))
	add(me, cGenericE, tracetest.U16(139), tracetest.U16(28))
	add(me, cGenericX, tracetest.U16(139), tracetest.U16(28))
	add(me, cNA1)
	add(0, cSwitchE, tracetest.I64(100), tracetest.U64(1), tracetest.U64(2), tracetest.U32(3), tracetest.U32(4), tracetest.U32(5))
	add(me, cSwitchE, tracetest.I64(0), tracetest.U64(0), tracetest.U64(0), tracetest.U32(0), tracetest.U32(0), tracetest.U32(0))
	add(me, cReadE, tracetest.I64(3))
	add(200, cKillE, tracetest.I64(100), tracetest.U8(15))
	add(me, cWriteE, tracetest.I64(3), tracetest.U32(1))
	evs[len(evs)-1].TS -= 5000000000 // out of order
	add(me, cReadX, tracetest.I64(1), tracetest.Buf("x"))
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
		add(me, cWriteE, tracetest.I64(w.fd), tracetest.U32(uint32(len(w.data))))
		add(me, cWriteX, tracetest.I64(w.res), tracetest.Buf(w.data))
	}
	add(me, cWriteX, tracetest.I64(3), tracetest.Buf("<13>no enter"))
	add(me, cWritevE, tracetest.I64(16), tracetest.U32(4))
	add(me, cWritevX, tracetest.I64(4), tracetest.Buf("<14>vec"))
	add(me, cPwriteE, tracetest.I64(16), tracetest.U32(4), tracetest.U64(0))
	add(me, cPwriteX, tracetest.I64(4), tracetest.Buf("<15>pw"))
	add(400, cKillE, tracetest.I64(401), tracetest.U8(1))
	add(401, cKillE, tracetest.I64(400), tracetest.U8(2))
	ctrEvent = len(evs)
	add(1, cContainerE, tracetest.Str(ctrJSON))
	add(400, cKillE, tracetest.I64(401), tracetest.U8(3))
	add(401, cKillE, tracetest.I64(400), tracetest.U8(4))
	add(300, cProcexit1E, tracetest.I64(0), tracetest.I64(0), tracetest.U8(9), tracetest.U8(1))
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
		if err := os.WriteFile("testdata/scenario.scap", w.ScapFile(evs), 0o644); err != nil {
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
			st := worldState(w)
			p := newPrinter(&buf, st, opt)
			for i, ev := range evs {
				if i == ctrEvent {
					st.containers[ctrID[:12]] = &state.Container{ID: ctrID[:12], Name: "web_1"}
				}
				e := ev.Decode(t, uint64(i+1))
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
		if ev.Code == cContainerE {
			continue // parses JSON: not the hot path
		}
		es = append(es, ev.Decode(b, uint64(i+1)))
	}
	st := worldState(w)
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
