//go:build linux

package probe

import (
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/syscope/syscope/scap"
)

// TestScanProc checks what ScanProc finds about the test process itself:
// its threads, command line, directories, and an open file, a pipe, a TCP
// listener and a unix listener among its fds.
func TestScanProc(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scanned")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	sock := filepath.Join(dir, "sock")
	ux, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ux.Close()

	procs, fds, users, groups, err := ScanProc()
	if err != nil {
		t.Fatal(err)
	}
	pid := int64(os.Getpid())
	var threads []scap.Process
	for _, p := range procs {
		if p.PID == pid {
			threads = append(threads, p)
		}
	}
	if len(threads) < 2 {
		t.Fatalf("found %d threads of the test process, want a Go runtime's several", len(threads))
	}
	lead := threads[0]
	exe, _ := os.Executable()
	cwd, _ := os.Getwd()
	if lead.TID != pid || lead.PTID != int64(os.Getppid()) || lead.Exe != os.Args[0] ||
		lead.ExePath != exe || lead.Cwd != cwd || lead.UID != uint32(os.Geteuid()) ||
		lead.FDLimit <= 0 || lead.VMSize == 0 || lead.VMRSS == 0 || lead.Comm == "" ||
		lead.Flags != 0 || len(lead.Env) == 0 || lead.VTID != pid || lead.ExeIno == 0 {
		t.Errorf("the test process reads as %+v", lead)
	}
	if !reflect.DeepEqual(lead.Args, os.Args[1:]) && !(len(lead.Args) == 0 && len(os.Args) == 1) {
		t.Errorf("args %q, want %q", lead.Args, os.Args[1:])
	}
	if th := threads[1]; th.Flags != 1<<13|1<<0 || th.TID == pid {
		t.Errorf("a thread reads as tid %d flags %#x", th.TID, th.Flags)
	}

	port := uint16(tcp.Addr().(*net.TCPAddr).Port)
	var sawFile, sawPipe, sawTCP, sawUnix bool
	for _, fd := range fds[pid] {
		switch {
		case fd.FD == int64(f.Fd()):
			sawFile = fd.Type == scap.FDTypeFileV2 && fd.Name == path && fd.Ino != 0 &&
				fd.OpenFlags&3 == 3 && fd.OpenFlags&(1<<3) != 0 // RDWR, APPEND
			if !sawFile {
				t.Errorf("the file reads as %+v", fd)
			}
		case fd.FD == int64(pr.Fd()):
			sawPipe = fd.Type == scap.FDTypeFIFO && fd.Ino != 0
		case fd.Type == scap.FDTypeIPv4Server && fd.SPort == port:
			sawTCP = fd.SIP == [16]byte{127, 0, 0, 1} && fd.L4Proto == 2
			if !sawTCP {
				t.Errorf("the TCP listener reads as %+v", fd)
			}
		case fd.Type == scap.FDTypeUnixSock && fd.Name == sock:
			sawUnix = fd.UnixSource != 0 || os.Getenv(childEnv) != ""
		}
	}
	if !sawFile || !sawPipe || !sawTCP || !sawUnix {
		t.Errorf("fds: file %v pipe %v tcp %v unix %v in %+v", sawFile, sawPipe, sawTCP, sawUnix, fds[pid])
	}
	has := func(file, line string) bool {
		b, err := os.ReadFile(file)
		return err == nil && strings.Contains("\n"+string(b), "\n"+line)
	}
	if has("/etc/passwd", "root:") {
		root := false
		for _, u := range users {
			root = root || (u.UID == 0 && u.Name == "root")
		}
		if !root {
			t.Errorf("no root user among %d users", len(users))
		}
	}
	if has("/etc/group", "root:") {
		root := false
		for _, g := range groups {
			root = root || (g.GID == 0 && g.Name == "root")
		}
		if !root {
			t.Errorf("no root group among %d groups", len(groups))
		}
	}
	t.Logf("%d threads, %d processes with fds, %d users, %d groups", len(procs), len(fds), len(users), len(groups))
}

func TestLeaderFirst(t *testing.T) {
	var threads []scap.Process
	for _, tid := range []int64{32630, 1115, 32627, 40} {
		threads = append(threads, scap.Process{TID: tid, PID: 32627})
	}
	leaderFirst(threads, 32627)
	var got []int64
	for _, th := range threads {
		got = append(got, th.TID)
	}
	if want := []int64{32627, 40, 1115, 32630}; !reflect.DeepEqual(got, want) {
		t.Errorf("threads in order %v, want %v", got, want)
	}

	// The whole scan: by process, each leader before its threads.
	scan := append([]scap.Process{{TID: 900, PID: 900}, {TID: 30, PID: 900}}, threads...)
	scan = append(scan, scap.Process{TID: 7, PID: 7})
	byProcess(scan)
	got = got[:0]
	for _, th := range scan {
		got = append(got, th.TID)
	}
	if want := []int64{7, 900, 30, 32627, 40, 1115, 32630}; !reflect.DeepEqual(got, want) {
		t.Errorf("the scan in order %v, want %v", got, want)
	}
}

func TestParseHexAddr(t *testing.T) {
	for _, c := range []struct {
		in   string
		ip   []byte
		port uint16
	}{
		{"0100007F:1F90", []byte{127, 0, 0, 1}, 8080},
		{"00000000000000000000000001000000:0016", append(make([]byte, 15), 1), 22},
		{"0000000000000000FFFF00000100007F:01BB", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}, 443},
	} {
		ip, port, ok := parseHexAddr(c.in)
		if !ok || !reflect.DeepEqual(ip, c.ip) || port != c.port {
			t.Errorf("parseHexAddr(%q) = %v, %d, %v; want %v, %d", c.in, ip, port, ok, c.ip, c.port)
		}
	}
}

func TestCgroups(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "cgroup")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hybrid := write("4:memory:/a\n3:cpu,cpuacct:/b\n1:name=systemd:/c\n0::/d\n")
	if got, want := cgroups(hybrid), []string{"memory=/a", "cpu=/b", "cpuacct=/b", "name=systemd=/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hybrid: %q, want %q", got, want)
	}
	unified := write("0::/libpod_parent/libpod-1234\n")
	if got, want := cgroups(unified), []string{"cpu=/libpod_parent/libpod-1234", "memory=/libpod_parent/libpod-1234", "cpuset=/libpod_parent/libpod-1234"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unified: %q, want %q", got, want)
	}
}

func TestParseCPUList(t *testing.T) {
	got, err := parseCPUList("0-3,6,8-9")
	if want := []int{0, 1, 2, 3, 6, 8, 9}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseCPUList: %v, %v; want %v", got, err, want)
	}
	if _, err := parseCPUList("0-x"); err == nil {
		t.Error("parseCPUList accepted 0-x")
	}
}
