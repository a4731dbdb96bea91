//go:build linux

package probe

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/syscope/syscope/scap"
)

// ScanProc reads what a live capture starts from: every thread of every
// process in /proc, the fds of every process (files, directories, pipes,
// sockets resolved through /proc/PID/net/{tcp,tcp6,udp,udp6,unix,netlink}
// of the process's own network namespace, anonymous inodes), and the
// users and groups of /etc/passwd and /etc/group. The fds are keyed by
// process id (threads share them). Processes that exit during the scan
// are left out; a file of /proc that cannot be read leaves its field
// empty, as libscap does.
func ScanProc() ([]scap.Process, map[int64][]scap.FDInfo, []scap.User, []scap.Group, error) {
	return scanProc("/proc", "/etc")
}

func scanProc(proc, etc string) ([]scap.Process, map[int64][]scap.FDInfo, []scap.User, []scap.Group, error) {
	ents, err := os.ReadDir(proc)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("list processes: %w", err)
	}
	s := &scanner{proc: proc, nets: map[string]*netTables{}}
	var procs []scap.Process
	fds := map[int64][]scap.FDInfo{}
	for _, ent := range ents {
		pid, err := strconv.ParseInt(ent.Name(), 10, 64)
		if err != nil || !ent.IsDir() {
			continue
		}
		threads := s.process(pid)
		if len(threads) == 0 {
			continue
		}
		procs = append(procs, threads...)
		if list := s.fds(pid); len(list) > 0 {
			fds[pid] = list
		}
	}
	byProcess(procs)
	users, err := readUsers(filepath.Join(etc, "passwd"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	groups, err := readGroups(filepath.Join(etc, "group"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return procs, fds, users, groups, nil
}

type scanner struct {
	proc string
	nets map[string]*netTables // by network namespace
}

// process returns the threads of pid, the leader first.
func (s *scanner) process(pid int64) []scap.Process {
	dir := filepath.Join(s.proc, strconv.FormatInt(pid, 10))
	var base scap.Process
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	args := splitNUL(cmdline)
	if len(args) > 0 {
		base.Exe = args[0]
		base.Args = args[1:]
	}
	base.ExePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	base.ExeFromMemfd = strings.HasPrefix(base.ExePath, "/memfd:")
	var st syscall.Stat_t
	if syscall.Stat(filepath.Join(dir, "exe"), &st) == nil {
		base.ExeIno = st.Ino
		base.ExeInoCtime = uint64(st.Ctim.Nano())
		base.ExeInoMtime = uint64(st.Mtim.Nano())
	}
	base.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	base.Root, _ = os.Readlink(filepath.Join(dir, "root"))
	if env, err := os.ReadFile(filepath.Join(dir, "environ")); err == nil {
		base.Env = splitNUL(env)
	}
	base.FDLimit = fdLimit(filepath.Join(dir, "limits"))
	base.Cgroups = cgroups(filepath.Join(dir, "cgroup"))
	base.LoginUID = ^uint32(0)
	if b, err := os.ReadFile(filepath.Join(dir, "loginuid")); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil {
			base.LoginUID = uint32(v)
		}
	}

	tents, err := os.ReadDir(filepath.Join(dir, "task"))
	if err != nil {
		return nil
	}
	var out []scap.Process
	for _, te := range tents {
		tid, err := strconv.ParseInt(te.Name(), 10, 64)
		if err != nil {
			continue
		}
		p := base
		p.TID, p.PID = tid, pid
		tdir := filepath.Join(dir, "task", te.Name())
		if !threadStatus(tdir, &p) {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(tdir, "comm")); err == nil {
			p.Comm = strings.TrimSuffix(string(b), "\n")
		}
		if p.Exe == "" {
			p.Exe = p.Comm // kernel threads have no command line
		}
		if tid != pid {
			p.Flags = 1<<13 | 1<<0 // PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES
		}
		out = append(out, p)
	}
	leaderFirst(out, pid)
	return out
}

// byProcess orders the threads of a scan by process id, keeping each
// process's threads together in the order leaderFirst gave them, so that a
// leader comes before its threads even when their ids are smaller.
func byProcess(threads []scap.Process) {
	sort.SliceStable(threads, func(i, j int) bool { return threads[i].PID < threads[j].PID })
}

// leaderFirst sorts the threads of process pid by id, its leader first,
// as sysdig's scan lists them: after the pids wrap around, its other
// threads can have smaller ids than the leader.
func leaderFirst(threads []scap.Process, pid int64) {
	sort.Slice(threads, func(i, j int) bool {
		if (threads[i].TID == pid) != (threads[j].TID == pid) {
			return threads[i].TID == pid
		}
		return threads[i].TID < threads[j].TID
	})
}

// threadStatus fills p from a thread's status and stat files.
func threadStatus(dir string, p *scap.Process) bool {
	b, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return false
	}
	p.VTID, p.VPID = p.TID, p.PID
	for _, line := range strings.Split(string(b), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			continue
		}
		num := func(i int) uint64 {
			if i >= len(f) {
				return 0
			}
			v, _ := strconv.ParseUint(f[i], 10, 64)
			return v
		}
		capv := func() uint64 {
			v, _ := strconv.ParseUint(f[0], 16, 64)
			return v
		}
		switch key {
		case "PPid":
			p.PTID = int64(num(0))
		case "Uid":
			p.UID = uint32(num(1)) // effective, as libscap
		case "Gid":
			p.GID = uint32(num(1))
		case "VmSize":
			p.VMSize = uint32(num(0))
		case "VmRSS":
			p.VMRSS = uint32(num(0))
		case "VmSwap":
			p.VMSwap = uint32(num(0))
		case "NSpid":
			p.VTID = int64(num(len(f) - 1))
		case "NStgid":
			p.VPID = int64(num(len(f) - 1))
		case "NSpgid":
			p.VPGID = int64(num(len(f) - 1))
		case "CapInh":
			p.CapInheritable = capv()
		case "CapPrm":
			p.CapPermitted = capv()
		case "CapEff":
			p.CapEffective = capv()
		}
	}
	b, err = os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	// After the comm: state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt ...
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 10 {
		return false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	p.PGID = n(2)
	p.SID = n(3)
	p.Tty = uint32(n(4))
	p.PgftMin = uint64(n(7))
	p.PgftMaj = uint64(n(9))
	if p.VPGID == 0 {
		p.VPGID = p.PGID
	}
	return true
}

func splitNUL(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// fdLimit is the soft "Max open files" of a limits file, -1 if unknown.
func fdLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

// cgroups turns a /proc/PID/cgroup file into "controller=path" entries as
// libscap does: one per cgroup v1 controller; on a host with only the
// unified (v2) hierarchy, its path for cpu, memory and cpuset.
func cgroups(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	var unified string
	v1 := false
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			if parts[0] == "0" {
				unified = parts[2]
			}
			continue
		}
		v1 = true
		for _, sub := range strings.Split(parts[1], ",") {
			out = append(out, sub+"="+parts[2])
		}
	}
	if !v1 && unified != "" {
		for _, sub := range []string{"cpu", "memory", "cpuset"} {
			out = append(out, sub+"="+unified)
		}
	}
	return out
}

// ---- fds ----

// fds lists the fds of process pid.
func (s *scanner) fds(pid int64) []scap.FDInfo {
	dir := filepath.Join(s.proc, strconv.FormatInt(pid, 10))
	ents, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return nil
	}
	var nt *netTables
	var out []scap.FDInfo
	for _, ent := range ents {
		fd, err := strconv.ParseInt(ent.Name(), 10, 64)
		if err != nil {
			continue
		}
		link := filepath.Join(dir, "fd", ent.Name())
		target, err := os.Readlink(link)
		if err != nil {
			continue
		}
		f := scap.FDInfo{FD: fd}
		switch {
		case strings.HasPrefix(target, "socket:["):
			if nt == nil {
				nt = s.netTables(dir)
			}
			f.Ino = bracketIno(target)
			if !nt.resolve(&f) {
				f.Type = scap.FDTypeUnsupported
				f.Name = target
			}
		case strings.HasPrefix(target, "pipe:["):
			f.Type = scap.FDTypeFIFO
			f.Ino = bracketIno(target)
			f.Name = target
		case strings.HasPrefix(target, "anon_inode:"):
			f.Type = anonType(strings.TrimPrefix(target, "anon_inode:"))
			f.Name = target
		case strings.HasPrefix(target, "/memfd:"):
			f.Type = scap.FDTypeMemfd
			f.Name = target
		default:
			var st syscall.Stat_t
			if syscall.Stat(link, &st) == nil {
				f.Ino = st.Ino
				f.Dev = uint32(st.Dev)
				if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
					f.Type = scap.FDTypeDirectory
				}
			}
			if f.Type == 0 {
				f.Type = scap.FDTypeFileV2
				f.OpenFlags = openFlagsToScap(fdinfoFlags(filepath.Join(dir, "fdinfo", ent.Name())))
			}
			f.Name = target
		}
		out = append(out, f)
	}
	return out
}

func bracketIno(s string) uint64 {
	i := strings.IndexByte(s, '[')
	j := strings.LastIndexByte(s, ']')
	if i < 0 || j < i {
		return 0
	}
	v, _ := strconv.ParseUint(s[i+1:j], 10, 64)
	return v
}

func anonType(name string) uint8 {
	switch strings.Trim(name, "[]") {
	case "eventfd":
		return scap.FDTypeEvent
	case "signalfd":
		return scap.FDTypeSignalfd
	case "eventpoll":
		return scap.FDTypeEventPoll
	case "inotify":
		return scap.FDTypeInotify
	case "timerfd":
		return scap.FDTypeTimerfd
	case "bpf-map", "bpf-prog", "bpf_link", "bpf-link":
		return scap.FDTypeBPF
	case "userfaultfd":
		return scap.FDTypeUserfaultfd
	case "io_uring":
		return scap.FDTypeIOUring
	case "pidfd":
		return scap.FDTypePidfd
	}
	return scap.FDTypeUnsupported
}

func fdinfoFlags(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			f, _ := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return f
		}
	}
	return 0
}

// openFlagsToScap is open_flags_to_scap of bpf/ppm.h, for fds found in
// /proc.
func openFlagsToScap(flags uint64) uint32 {
	var res uint32
	switch flags & 3 {
	case 1:
		res |= 1 << 1 // PPM_O_WRONLY
	case 2:
		res |= 3 // PPM_O_RDWR
	default:
		res |= 1 // PPM_O_RDONLY
	}
	bit := func(linux uint64, ppm uint32) {
		if flags&linux == linux {
			res |= ppm
		}
	}
	bit(0o100, 1<<2)       // O_CREAT
	bit(0o2000, 1<<3)      // O_APPEND
	bit(0o10000, 1<<4)     // O_DSYNC
	bit(0o200, 1<<5)       // O_EXCL
	bit(0o4000, 1<<6)      // O_NONBLOCK
	bit(0o4010000, 1<<7)   // O_SYNC
	bit(0o1000, 1<<8)      // O_TRUNC
	bit(0o40000, 1<<9)     // O_DIRECT
	bit(0o200000, 1<<10)   // O_DIRECTORY
	bit(0o100000, 1<<11)   // O_LARGEFILE
	bit(0o2000000, 1<<12)  // O_CLOEXEC
	bit(0o20200000, 1<<13) // O_TMPFILE
	return res
}

// ---- sockets ----

// netTables are the sockets of one network namespace, by inode.
type netTables struct {
	inet map[uint64]scap.FDInfo
	unix map[uint64]scap.FDInfo
	nl   map[uint64]bool
}

func (s *scanner) netTables(pdir string) *netTables {
	ns, err := os.Readlink(filepath.Join(pdir, "ns", "net"))
	if err != nil {
		ns = pdir // unknown: read this process's own
	}
	if t, ok := s.nets[ns]; ok {
		return t
	}
	t := &netTables{inet: map[uint64]scap.FDInfo{}, unix: map[uint64]scap.FDInfo{}, nl: map[uint64]bool{}}
	net := filepath.Join(pdir, "net")
	t.readInet(filepath.Join(net, "tcp"), false, 2)
	t.readInet(filepath.Join(net, "udp"), false, 3)
	t.readInet(filepath.Join(net, "tcp6"), true, 2)
	t.readInet(filepath.Join(net, "udp6"), true, 3)
	t.readUnix(filepath.Join(net, "unix"))
	t.readNetlink(filepath.Join(net, "netlink"))
	s.nets[ns] = t
	return t
}

func (t *netTables) resolve(f *scap.FDInfo) bool {
	if v, ok := t.inet[f.Ino]; ok {
		v.FD = f.FD
		*f = v
		return true
	}
	if v, ok := t.unix[f.Ino]; ok {
		v.FD = f.FD
		*f = v
		return true
	}
	if t.nl[f.Ino] {
		f.Type = scap.FDTypeNetlink
		f.Name = "netlink"
		return true
	}
	return false
}

// readInet parses /proc/net/{tcp,udp}[6]. Addresses are printed as the
// hex of the 32-bit words in host order; turned back into bytes they are
// in network order, as scap stores them.
func (t *netTables) readInet(path string, v6 bool, l4 uint8) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		var fi scap.FDInfo
		sip, sport, ok1 := parseHexAddr(f[1])
		dip, dport, ok2 := parseHexAddr(f[2])
		if !ok1 || !ok2 {
			continue
		}
		fi.Ino = ino
		fi.L4Proto = l4
		copy(fi.SIP[:], sip)
		copy(fi.DIP[:], dip)
		fi.SPort, fi.DPort = sport, dport
		listening := f[3] == "0A" || (l4 == 3 && dport == 0)
		switch {
		case v6 && listening:
			fi.Type = scap.FDTypeIPv6Server
		case v6:
			fi.Type = scap.FDTypeIPv6Sock
		case listening:
			fi.Type = scap.FDTypeIPv4Server
		default:
			fi.Type = scap.FDTypeIPv4Sock
		}
		if listening {
			fi.DIP, fi.DPort = [16]byte{}, 0
		}
		t.inet[ino] = fi
	}
}

func parseHexAddr(s string) ([]byte, uint16, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, false
	}
	raw, err := hex.DecodeString(a)
	if err != nil || len(raw)%4 != 0 {
		return nil, 0, false
	}
	// Each 32-bit word was printed most significant byte first from a
	// host-order (little-endian) load: reverse each word's bytes.
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, false
	}
	return raw, uint16(port), true
}

// readUnix parses /proc/net/unix: "Num RefCount Protocol Flags Type St
// Inode Path", Num being the kernel address of the socket, which is how
// scap names unix socket ends.
func (t *netTables) readUnix(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan()
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		ino, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			continue
		}
		addr, _ := strconv.ParseUint(strings.TrimSuffix(f[0], ":"), 16, 64)
		fi := scap.FDInfo{Ino: ino, Type: scap.FDTypeUnixSock, UnixSource: addr}
		if len(f) >= 8 {
			fi.Name = f[7]
		}
		t.unix[ino] = fi
	}
}

func (t *netTables) readNetlink(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan()
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		if ino, err := strconv.ParseUint(f[len(f)-1], 10, 64); err == nil {
			t.nl[ino] = true
		}
	}
}

// ---- users and groups ----

func readUsers(path string) ([]scap.User, error) {
	var out []scap.User
	err := eachEntry(path, "users", 7, func(f []string) {
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 == nil && err2 == nil {
			out = append(out, scap.User{UID: uint32(uid), GID: uint32(gid), Name: f[0], Home: f[5], Shell: f[6]})
		}
	})
	return out, err
}

func readGroups(path string) ([]scap.Group, error) {
	var out []scap.Group
	err := eachEntry(path, "groups", 3, func(f []string) {
		if gid, err := strconv.ParseUint(f[2], 10, 32); err == nil {
			out = append(out, scap.Group{GID: uint32(gid), Name: f[0]})
		}
	})
	return out, err
}

// eachEntry calls f with the colon-separated fields of each line of the
// passwd-style file at path that has at least minFields fields and is not a
// comment. A missing file has no entries.
func eachEntry(path, what string, minFields int, f func([]string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read %s: %w", what, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if fields := strings.Split(line, ":"); len(fields) >= minFields && !strings.HasPrefix(line, "#") {
			f(fields)
		}
	}
	return nil
}
