package fields

import (
	"bytes"
	"flag"
	"github.com/syscope/syscope/event"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fields the real traces cannot exercise (no trace writes to /dev/log,
// has a container with mounts or health probes, renames or links files,
// or has docker infrastructure events...) are exercised by crafted
// traces, written by the tests below into testdata/crafted and read by
// the real sysdig like the others:
//
//	syslog.facility.str syslog.facility syslog.severity.str
//	syslog.severity syslog.message evt.is_syslog, evt.info of syslog
//	writes: crafted "syslog"
//	evt.abspath (.src, .dst) for renameat, renameat2, symlinkat, linkat,
//	unlinkat, mkdirat, fchmodat, openat; evt.is_open_exec for creat and
//	openat; evt.infra.docker.*: crafted "paths"
//	container.mounts, container.mount[N|GLOB], container.mount.source,
//	.dest, .mode, .rdwr, .propagation, container.healthcheck,
//	container.liveness_probe, container.readiness_probe,
//	container.privileged and container.type of other runtimes: crafted
//	"container"
//	fd.cport, fd.cproto on server sockets, fdlist.sips of IPv6 servers,
//	fdlist.cports fall-through: crafted "syslog"
//	fd.dev, fd.dev.major, fd.dev.minor of every fd that has one
//	(open, openat, creat exits; copies in threads and children) and
//	proc.is_exe_writable (V9 process list, clone, execve flags), whose
//	real-trace values sysdig partly reads from uninitialized memory (see
//	uncomparable); proc.nthreads, proc.nchilds and group.gid from the
//	process list, clone and exits (a main thread that exits first
//	stays); proc.fdlimit from setrlimit and prlimit; proc.env cut at
//	trailing NULs and a thread's being its process's: crafted "devexe"
//	fd.connected after a connect in progress or refused, a failed
//	write, a UDP sendto, fd list sockets; fd.name_changed: crafted
//	"sockflags"
//
// Still without a case: evt.pluginname and evt.plugininfo (no plugins),
// the k8s, mesos, span and evtin classes (no such metadata in files),
// fd.*ip.name (no DNS manager), thread.cpu* (procinfo events are never
// printed), evt.around (filters only).

var writeCrafted = flag.Bool("write-crafted", false, "rewrite testdata/crafted/*.scap")

// Event codes the crafted traces use.
const (
	cOpenE       = 2
	cOpenX       = 3
	cWriteE      = 8
	cWriteX      = 9
	cSendtoE     = 30
	cSendtoX     = 31
	cCreatE      = 58
	cCreatX      = 59
	cPollE       = 80
	cPollX       = 81
	cReadE       = 6
	cReadX       = 7
	cRenameatE   = 176
	cRenameatX   = 177
	cSymlinkatE  = 180
	cSymlinkatX  = 181
	cContainerE  = 272
	cInfraE      = 286
	cUnlinkat2E  = 302
	cUnlinkat2X  = 303
	cMkdiratE    = 304
	cMkdiratX    = 305
	cOpenat2E    = 306
	cOpenat2X    = 307
	cLinkat2E    = 310
	cLinkat2X    = 311
	cFchmodatE   = 312
	cFchmodatX   = 313
	cRenameat2E  = 318
	cRenameat2X  = 319
	cOpenatNewE  = 326
	cOpenatNewX  = 327
	cCloseE      = 4
	cCloseX      = 5
	cSocketE     = 18
	cSocketX     = 19
	cConnectE    = 22
	cConnectX    = 23
	cGetrlimitE  = 140
	cGetrlimitX  = 141
	cSetrlimitE  = 142
	cSetrlimitX  = 143
	cPrlimitE    = 144
	cPrlimitX    = 145
	cProcExit1E  = 186
	cClone20E    = 222
	cClone20X    = 223
	cExecve19E   = 292
	cExecve19X   = 293
	clThread     = 1<<13 | 1 // PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES
	atFDCWD      = -100
	dockerID     = "0123456789ab"
	dockerIDLong = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// crafted are the crafted traces, by name.
var crafted = map[string]func() []byte{
	"syslog":    craftedSyslog,
	"paths":     craftedPaths,
	"container": craftedContainer,
	"devexe":    craftedDevExe,
	"sockflags": craftedSockFlags,
	"orphan":    craftedOrphan,
}

func craftedSyslog() []byte {
	w := world{
		procs: []tproc{{tid: 100, pid: 100, ptid: 1, comm: "logger", exe: "logger", args: []string{"-t", "x"}, cwd: "/root/",
			uid: 0, gid: 0, vtid: 100, vpid: 100, fds: []tfd{
				// A FIFO, since the state names unix sockets of the fd
				// list differently from sysdig.
				{fd: 3, typ: 7, name: "/dev/log"},
				{fd: 4, typ: 16, name: "/tmp/out.txt", flags: 2},
				{fd: 5, typ: 3, sip: ip4(10, 0, 0, 1), dip: ip4(10, 0, 0, 2), sport: 40000, dport: 80, l4: 2},
				{fd: 6, typ: 5, sip: ip4(0, 0, 0, 0), sport: 8080, l4: 2},
				{fd: 7, typ: 4, sip: ip6("2001:db8::3"), dip: ip6("::1"), sport: 5555, dport: 443, l4: 2},
				{fd: 8, typ: 6, sip: ip6("2001:db8::3"), sport: 9090, l4: 2},
			}},
			{tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1}},
		users:  []tuser{{uid: 0, gid: 0, name: "root"}},
		groups: []tgroup{{gid: 0, name: "root"}},
	}
	ts := uint64(1700000000000000000)
	var evs []tev
	add := func(code int, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: 100, code: eventCode(code), params: params})
	}
	write := func(fd int64, res int64, data string) {
		add(cWriteE, pI64(fd), pU32(uint32(len(data))))
		add(cWriteX, pI64(res), pBuf(data))
	}
	write(3, 20, "<13>hello syslog")
	write(3, -9, "<13>failed")
	write(3, 5, "<abc>x")
	write(3, 17, "<191>local7 debug\x00tail")
	write(3, 6, "<200>x")
	write(3, 3, "<5>")
	write(3, 3, "<>x")
	// No tuple: the state does not rename fds after sendto's unix tuples
	// as sysdig does.
	add(cSendtoE, pI64(3), pU32(9), nil)
	add(cSendtoX, pI64(16), pBuf("<14>via sendto"))
	write(4, 3, "abc")
	add(cPollE, pFDList(3, 1, 4, 1, 5, 1, 6, 1, 7, 1, 8, 1, 99, 1), pI64(100))
	add(cPollX, pI64(2), pFDList(3, 1, 4, 0, 5, 1, 6, 0, 7, 1, 8, 1, 99, 0))
	for _, fd := range []int64{5, 6, 7, 8} {
		add(cReadE, pI64(fd), pU32(10))
		add(cReadX, pI64(4), pBuf("data"))
	}
	return w.scapFile(evs)
}

func craftedPaths() []byte {
	w := world{
		procs: []tproc{{tid: 200, pid: 200, ptid: 1, comm: "mv", exe: "mv", cwd: "/home/u/", uid: 1000, gid: 1000,
			vtid: 200, vpid: 200, fds: []tfd{{fd: 9, typ: 2, name: "/srv/data"}}}},
		users:  []tuser{{uid: 1000, gid: 1000, name: "u"}},
		groups: []tgroup{{gid: 1000, name: "u"}},
	}
	ts := uint64(1700000000000000000)
	var evs []tev
	add := func(code int, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: 200, code: eventCode(code), params: params})
	}
	add(cRenameatE)
	add(cRenameatX, pI64(0), pI64(atFDCWD), pStr("a.txt"), pI64(9), pStr("sub/../b.txt"))
	add(cRenameat2E)
	add(cRenameat2X, pI64(0), pI64(9), pStr("x"), pI64(atFDCWD), pStr("/abs/y"), pU32(1))
	add(cSymlinkatE)
	add(cSymlinkatX, pI64(0), pStr("/target"), pI64(9), pStr("link"))
	add(cLinkat2E)
	add(cLinkat2X, pI64(-2), pI64(atFDCWD), pStr("old"), pI64(9), pStr("new"), pU32(0))
	add(cUnlinkat2E)
	add(cUnlinkat2X, pI64(0), pI64(9), pStr("gone"), pU32(0))
	add(cMkdiratE)
	add(cMkdiratX, pI64(0), pI64(atFDCWD), pStr("newdir/"), pU32(0o755))
	add(cFchmodatE)
	add(cFchmodatX, pI64(0), pI64(77), pStr("rel"), pU32(0o644))
	// openat (new): created with exec bits, then one without O_CREAT.
	add(cOpenat2E, pI64(atFDCWD), pStr("run.sh"), pU32(1<<1|1<<2), pU32(0o755))
	add(cOpenat2X, pI64(10), pI64(atFDCWD), pStr("run.sh"), pU32(1<<1|1<<2), pU32(0o755), pU32(0x801))
	add(cOpenat2E, pI64(9), pStr("r.txt"), pU32(1), pU32(0))
	add(cOpenat2X, pI64(-2), pI64(9), pStr("r.txt"), pU32(1), pU32(0), pU32(0))
	// openat2.
	add(cOpenatNewE, pI64(atFDCWD), pStr("/etc/x"), pU32(3), pU32(0), pU32(0))
	add(cOpenatNewX, pI64(11), pI64(atFDCWD), pStr("/etc/x"), pU32(3), pU32(0), pU32(0), pU32(0x802))
	// creat.
	add(cCreatE, pStr("mk.sh"), pU32(0o700))
	add(cCreatX, pI64(12), pStr("mk.sh"), pU32(0o700), pU32(0x803))
	// open: failed, with a name.
	add(cOpenE, pStr("/nope"), pU32(1), pU32(0))
	add(cOpenX, pI64(-2), pStr("/nope"), pU32(1), pU32(0), pU32(0))
	// Docker infrastructure events.
	evs = append(evs, tev{ts: ts + 1, tid: 200, code: cInfraE, params: [][]byte{pStr("docker"), pStr("start"),
		pStr("Event: start; ID: " + dockerIDLong + "; name: web; Image: nginx@sha256:abc"), pStr("local")}})
	evs = append(evs, tev{ts: ts + 2, tid: 200, code: cInfraE, params: [][]byte{pStr("docker"), pStr("create"),
		pStr("Event: create; ID: short; name: db; Image: sha256:ffee"), pStr("local")}})
	return w.scapFile(evs)
}

func craftedContainer() []byte {
	json := `{"container":{"Mounts":[{"Source":"/var/lib/data","Destination":"/data","Mode":"z","RW":true,"Propagation":"rprivate"},` +
		`{"Source":"/etc/hosts","Destination":"/etc/hosts","Mode":"ro","RW":false,"Propagation":""}],` +
		`"Healthcheck":{"exe":"curl","args":["-f","http://localhost/"]},"ReadinessProbe":{"exe":"cat","args":["/ready"]},` +
		`"id":"` + dockerID + `","image":"nginx:latest","imagedigest":"sha256:96fb","imageid":"f68d6e55e065",` +
		`"imagerepo":"nginx","imagetag":"latest","ip":"172.17.0.2","is_pod_sandbox":false,"labels":{},` +
		`"name":"web","port_mappings":[],"privileged":false,"type":0}}`
	json2 := `{"container":{"Mounts":[],"id":"abcdefabcdef","image":"busybox","name":"box","privileged":true,"type":1}}`
	w := world{
		procs: []tproc{
			{tid: 300, pid: 300, ptid: 1, comm: "nginx", exe: "nginx", cwd: "/", uid: 0, gid: 0, vtid: 1, vpid: 1,
				cgroups:   []string{"cpuset=/docker/" + dockerIDLong, "io=/docker/" + dockerIDLong, "perf_event=/", "name=systemd:/x"},
				container: dockerID},
			{tid: 301, pid: 301, ptid: 1, comm: "sh", exe: "sh", cwd: "/", uid: 0, gid: 0, vtid: 2, vpid: 2,
				cgroups: []string{"cpuset=/docker/abcdefabcdef" + dockerIDLong[12:]}, container: "abcdefabcdef"},
			{tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1},
		},
		users: []tuser{{uid: 0, gid: 0, name: "root"}},
	}
	ts := uint64(1700000000000000000)
	evs := []tev{
		{ts: ts, tid: 300, code: cContainerE, params: [][]byte{pStr(json)}},
		{ts: ts + 1, tid: 301, code: cContainerE, params: [][]byte{pStr(json2)}},
	}
	for i, tid := range []int64{300, 301, 300} {
		evs = append(evs,
			tev{ts: ts + uint64(10+2*i), tid: tid, code: cOpenE, params: [][]byte{pStr("/etc/passwd"), pU32(1), pU32(0)}},
			tev{ts: ts + uint64(11+2*i), tid: tid, code: cOpenX, params: [][]byte{pI64(3), pStr("/etc/passwd"), pU32(1), pU32(0), pU32(0x804)}})
	}
	// A container event after the start is printed, with its thread.
	evs = append(evs, tev{ts: ts + 100, tid: 300, code: cContainerE, params: [][]byte{pStr(json)}})
	return w.scapFile(evs)
}

func eventCode(c int) event.Code { return event.Code(c) }

// craftedPath writes (with -write-crafted) or finds the crafted trace.
func craftedPath(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join("testdata", "crafted", name+".scap")
	b := crafted[name]()
	if *writeCrafted {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	old, err := os.ReadFile(p)
	if err != nil {
		tb.Fatalf("%v (run go test -write-crafted)", err)
	}
	if !bytes.Equal(old, b) {
		tb.Fatalf("%s is not what the test writes: run go test -write-crafted -update", p)
	}
	return p
}

// craftedCases print the crafted traces (whose names start with
// "crafted:" in pcases).
var craftedCases = func() []pcase {
	var cs []pcase
	add := func(trace, spec string, json bool) {
		cs = append(cs, pcase{trace: "crafted:" + trace, spec: spec, json: json})
	}
	add("syslog", "*%evt.num %evt.type %evt.is_syslog %syslog.facility.str %syslog.facility %syslog.severity.str %syslog.severity %syslog.message|%evt.info", false)
	add("syslog", "*%evt.num %syslog.facility %syslog.severity %syslog.message %evt.is_syslog %syslog.facility.str", true)
	add("syslog", fdList, false)
	add("syslog", fdNet, false)
	add("syslog", fdNames, false)
	add("syslog", "*%evt.num %fd.cport %fd.cproto %fd.sport %fd.sproto %fd.is_server %fd.l4proto", true)
	add("syslog", evtRes, false)
	add("syslog", evtIO, false)
	add("syslog", procNames, false)
	add("syslog", procIDs, false)
	add("paths", evtOpen, false)
	add("paths", "*%evt.num %evt.type %fd.name|%fd.directory|%fd.filename|%fd.typechar|%evt.res|%evt.failed|%evt.count.error.file|%evt.count.error.other", false)
	add("paths", "*%evt.num %evt.abspath %evt.abspath.src %evt.abspath.dst %evt.is_open_exec %evt.infra.docker.container.id", true)
	add("container", ctrFields, false)
	add("container", ctrFields, true)
	add("container", "*%evt.num %evt.type %proc.name %thread.tid %proc.pid %thread.vtid %container.id %fd.name %proc.aname[1] %evt.latency %fd.uid %thread.cgroups|%thread.cgroup.blkio|%thread.cgroup.perf_event|%thread.cgroup.name", false)
	add("container", "*%evt.num %proc.is_container_healthcheck %proc.is_container_liveness_probe %proc.is_container_readiness_probe %fd.containername %fd.containerdirectory", false)
	const devexeProc = "*%evt.num %evt.type %thread.tid %proc.pid %proc.name %proc.is_exe_writable %proc.nthreads %proc.nchilds %group.gid %proc.fdlimit %proc.sid %proc.sname %proc.vpgid %user.loginuid %thread.ismain [%proc.env]"
	add("devexe", devexeProc, false)
	add("devexe", devexeProc, true)
	add("devexe", "*%evt.num %evt.type %thread.tid %fd.num %fd.name %fd.dev %fd.dev.major %fd.dev.minor %fd.name_changed %fd.connected %proc.fdopencount", false)
	add("devexe", "*%evt.num %fd.dev %fd.dev.major %fd.dev.minor %proc.is_exe_writable", true)
	add("sockflags", "*%evt.num %evt.type %evt.res %fd.num %fd.typechar %fd.l4proto %fd.connected %fd.name_changed %fd.name", false)
	add("sockflags", "*%evt.num %fd.connected %fd.name_changed %fd.name", true)
	add("orphan", "*%evt.num %thread.tid %proc.name %proc.args %user.loginuid %proc.sid %proc.vpgid %proc.nthreads %proc.ppid %user.uid %proc.fdlimit", false)
	return cs
}()

// TestCrafted prints the crafted traces and compares with sysdig's
// output, kept in testdata.
func TestCrafted(t *testing.T) {
	for _, c := range craftedCases {
		want, err := readGolden(c)
		if err != nil {
			t.Errorf("%s: %v (run go test -update with sysdig)", c, err)
			continue
		}
		got := runSyscope(t, craftedPath(t, strings.TrimPrefix(c.trace, "crafted:")), Unescape(c.spec), c.json, c.flags...)
		if got != want {
			t.Errorf("%s:\n%s", c, diff(want, got))
		}
	}
	t.Logf("%d cases on crafted traces", len(craftedCases))
}

// craftedDevExe exercises what the real traces cannot show, or show only
// next to uninitialized memory (see uncomparable): the device of files
// opened by open, openat and creat (with major and minor numbers past 8
// bits), inherited by a child; proc.is_exe_writable from a V9 process
// list, inherited at clone and set by execve's flags; thread counts from
// the process list and from clones, and a main thread that exits before
// its threads and stays; fd limits from setrlimit and prlimit (and not
// from a failed setrlimit or another resource); environments cut where
// sinsp cuts them, and a thread's being its process's. It has no
// sockets, pipes or made-up threads, whose fd.dev and is_exe_writable
// sysdig prints from uninitialized memory.
func craftedDevExe() []byte {
	w := world{
		v9: true,
		procs: []tproc{
			{tid: 500, pid: 500, ptid: 1, comm: "sh", exe: "sh", args: []string{"-c", "x"}, cwd: "/root/", vtid: 500, vpid: 500,
				env: []string{"A=1", "B=2", "", ""}, sid: 500, vpgid: 500, loginuid: 1000, exeWritable: true},
			{tid: 501, pid: 500, ptid: 1, comm: "sh", exe: "sh", cwd: "/root/", vtid: 501, vpid: 500, flags: clThread,
				env: []string{"X=9"}, sid: 500, vpgid: 500, loginuid: 1000},
			{tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1, sid: 1, vpgid: 1},
		},
		users:  []tuser{{uid: 0, gid: 0, name: "root"}},
		groups: []tgroup{{gid: 0, name: "root"}},
	}
	ts := uint64(1700000000000000000)
	var evs []tev
	add := func(tid int64, code int, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: tid, code: eventCode(code), params: params})
	}
	read := func(tid, fd int64) {
		add(tid, cReadE, pI64(fd), pU32(10))
		add(tid, cReadX, pI64(4), pBuf("data"))
	}
	clone := func(tid, child int64, flags uint32, fdlimit int64) {
		add(tid, cClone20E)
		add(tid, cClone20X, pI64(child), pStr("sh"), pBuf("-c\x00x\x00"), pI64(tid), pI64(500), pI64(1), pStr(""),
			pI64(fdlimit), pU64(0), pU64(0), pU32(100), pU32(10), pU32(0), pStr("sh"), pBuf(""), pU32(flags),
			pU32(0), pU32(0), pI64(tid), pI64(500)) // vtid, vpid: the caller's, outside containers
	}
	execve := func(tid int64, flags uint32, env string) {
		add(tid, cExecve19E, pStr("/bin/ls"))
		add(tid, cExecve19X, pI64(0), pStr("ls"), pBuf("-l\x00"), pI64(tid), pI64(tid), pI64(500), pStr(""),
			pU64(1024), pU64(0), pU64(0), pU32(100), pU32(10), pU32(0), pStr("ls"), pBuf(""), pBuf(env),
			pI32(0), pI64(tid), pI32(1000), pU32(flags))
	}
	exit := func(tid int64) { add(tid, cProcExit1E, pI64(0), pI64(0), pU8(0), pU8(0)) }

	add(500, cOpenE, pStr("/etc/passwd"), pU32(1), pU32(0))
	add(500, cOpenX, pI64(3), pStr("/etc/passwd"), pU32(1), pU32(0), pU32(0x803))
	read(500, 3)
	add(500, cOpenat2E, pI64(atFDCWD), pStr("data.bin"), pU32(1), pU32(0))
	add(500, cOpenat2X, pI64(4), pI64(atFDCWD), pStr("data.bin"), pU32(1), pU32(0), pU32(0x1234567))
	add(500, cCreatE, pStr("new.txt"), pU32(0o644))
	add(500, cCreatX, pI64(5), pStr("new.txt"), pU32(0o644), pU32(0xfff00ff))
	read(501, 4) // the thread shares its process's fds
	add(500, cSetrlimitE, pU8(7))
	add(500, cSetrlimitX, pI64(0), pI64(4096), pI64(8192))
	add(500, cGetrlimitE, pU8(3))
	add(500, cGetrlimitX, pI64(0), pI64(100), pI64(200))
	add(501, cPrlimitE, pI64(0), pU8(7))
	add(501, cPrlimitX, pI64(0), pI64(2048), pI64(4096), pI64(4096), pI64(8192))
	add(500, cSetrlimitE, pU8(7))
	add(500, cSetrlimitX, pI64(-1), pI64(16), pI64(16))
	clone(500, 510, 0, 2048)
	read(510, 3)
	execve(510, 0, "C=3\x00")
	read(510, 5)
	execve(510, 1, "C=3\x00D=4\x00\x00\x00")
	read(510, 3)
	clone(500, 502, clThread, 2048)
	read(502, 4)
	exit(502)
	read(501, 3)
	exit(500) // while 501 runs: sysdig keeps it
	read(501, 5)
	exit(501)
	read(510, 4)
	add(500, cCloseE, pI64(3))
	add(500, cCloseX, pI64(0))
	return w.scapFile(evs)
}

// craftedSockFlags exercises fd.connected and fd.name_changed: a connect
// in progress, a refused one, a failed write, a UDP socket connected by
// a successful sendto, a socket from the fd list.
func craftedSockFlags() []byte {
	w := world{
		procs: []tproc{{tid: 600, pid: 600, ptid: 1, comm: "nc", exe: "nc", cwd: "/", vtid: 600, vpid: 600, fds: []tfd{
			{fd: 3, typ: 3, sip: ip4(10, 0, 0, 1), dip: ip4(10, 0, 0, 9), sport: 41000, dport: 22, l4: 2},
			{fd: 4, typ: 3, sip: ip4(10, 0, 0, 1), dip: ip4(10, 0, 0, 9), sport: 41001, dport: 53, l4: 3},
		}}, {tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1}},
		users: []tuser{{uid: 0, gid: 0, name: "root"}},
	}
	ts := uint64(1700000000000000000)
	var evs []tev
	add := func(code int, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: 600, code: eventCode(code), params: params})
	}
	socket := func(fd int64, typ, proto uint32) {
		add(cSocketE, pU32(2), pU32(typ), pU32(proto))
		add(cSocketX, pI64(fd))
	}
	src, dst := ip4(10, 0, 0, 1), ip4(10, 0, 0, 2)
	add(cReadE, pI64(3), pU32(10))
	add(cReadX, pI64(2), pBuf("hi"))
	add(cReadE, pI64(4), pU32(10))
	add(cReadX, pI64(-11), pBuf(""))
	socket(6, 1, 0)
	add(cConnectE, pI64(6), pAddr4(dst, 80))
	add(cConnectX, pI64(-115), pTuple4(src, 40000, dst, 80))
	add(cReadE, pI64(6), pU32(10))
	add(cReadX, pI64(5), pBuf("hello"))
	socket(7, 1, 0)
	add(cConnectE, pI64(7), pAddr4(dst, 81))
	add(cConnectX, pI64(-111), pTuple4(src, 40001, dst, 81))
	add(cWriteE, pI64(7), pU32(3))
	add(cWriteX, pI64(-32), pBuf("abc"))
	socket(8, 2, 17)
	add(cSendtoE, pI64(8), pU32(4), pTuple4(ip4(0, 0, 0, 0), 0, ip4(10, 0, 0, 3), 53))
	add(cSendtoX, pI64(4), pBuf("data"))
	add(cSendtoE, pI64(8), pU32(4), pTuple4(ip4(0, 0, 0, 0), 0, ip4(10, 0, 0, 3), 53))
	add(cSendtoX, pI64(4), pBuf("more"))
	socket(9, 2, 17)
	add(cSendtoE, pI64(9), pU32(4), pTuple4(ip4(0, 0, 0, 0), 0, ip4(10, 0, 0, 4), 53))
	add(cSendtoX, pI64(-1), pBuf(""))
	add(cCloseE, pI64(6))
	add(cCloseX, pI64(0))
	return w.scapFile(evs)
}

// craftedOrphan is a clone by a thread sysdig never saw: sinsp drops the
// placeholder it made for the parent, makes another, names both after the
// event, and the child gets a new threadinfo's login uid (0), session and
// process group (-1). (Its exe_writable is uninitialized memory: not
// printed.)
func craftedOrphan() []byte {
	w := world{procs: []tproc{{tid: 1, pid: 1, ptid: 0, comm: "init", exe: "/sbin/init", cwd: "/", vtid: 1, vpid: 1}}}
	ts := uint64(1700000000000000000)
	var evs []tev
	add := func(tid int64, code int, params ...[]byte) {
		ts += 1000
		evs = append(evs, tev{ts: ts, tid: tid, code: eventCode(code), params: params})
	}
	add(700, cReadE, pI64(3), pU32(10))
	add(700, cReadX, pI64(4), pBuf("data"))
	add(700, cClone20E)
	add(700, cClone20X, pI64(701), pStr("sh"), pBuf("-c\x00x\x00"), pI64(700), pI64(700), pI64(1), pStr(""),
		pI64(1024), pU64(0), pU64(0), pU32(100), pU32(10), pU32(0), pStr("sh"), pBuf(""), pU32(0),
		pU32(0), pU32(0), pI64(700), pI64(700))
	add(701, cReadE, pI64(3), pU32(10))
	add(701, cReadX, pI64(4), pBuf("data"))
	add(700, cReadE, pI64(3), pU32(10))
	return w.scapFile(evs)
}
