package state

import (
	"slices"
	"sort"

	"github.com/syscope/syscope/scap"
)

// Snapshot exports the state as the metadata a capture file starts with,
// for a file that starts in the middle of a capture (a rotated file, or
// a file written from a filtered stream): every thread as a process list
// entry, the fds of each thread that has a table of its own, users,
// groups, interfaces and the machine. A reader (ours, or sysdig) that
// starts with it names processes and fds as it would have had it read the
// capture from its start, within what the blocks can carry to sysdig
// 0.29.3:
//   - an IPv6 socket read from an fd list has no client or server role
//     in sysdig, so it prints as <6> where a socket it saw connect prints
//     as <6t> or <6u>;
//   - sysdig names an IPv4 or IPv6 socket from an fd list by its address
//     tuple, ports included: a socket not yet connected or bound gets the
//     name 0.0.0.0:0->0.0.0.0:0, an ICMP or raw one its ports (0);
//   - per-thread bookkeeping that lives outside these tables (the enter
//     event of a call in progress, the last fd used) does not carry over.
//
// Containers are not part of it: the caller writes Container.Event of
// each of Containers after the metadata, as sysdig does at the start of
// every file.
//
// Threads come in tid order and fds in number order, so the same state
// always writes the same bytes.
//
// What the last event applied removes (a closed fd, an exited thread),
// which the state only drops when the next event comes, is still there:
// Snapshot is for a file that starts with that event, as sysdig starts a
// new file after it has parsed the event that goes first in it, and a
// reader must then find the thread and the fd the event names. For a file
// that starts after the last event applied, use SnapshotSettled.
func (s *State) Snapshot() *scap.Meta { return s.snapshot(false) }

// SnapshotSettled is Snapshot without what the last event applied
// removes: the state as the next event will find it, for a file that
// starts with the event after it.
func (s *State) SnapshotSettled() *scap.Meta { return s.snapshot(true) }

func (s *State) snapshot(settled bool) *scap.Meta {
	m := &scap.Meta{}
	if s.machine.NumCPUs != 0 || s.machine.Hostname != "" || s.machine.MemoryBytes != 0 {
		mi := s.machine
		m.Machine = &mi
	}
	m.Interfaces = append(m.Interfaces, s.ifaceList...)

	tids := make([]int64, 0, len(s.threads))
	for tid := range s.threads {
		if settled && tid == s.tidToRemove && tid != 0 {
			continue
		}
		tids = append(tids, tid)
	}
	// The table the last event closes fds in, and those fds.
	var closing *FDTable
	if settled && len(s.fdsToRemove.fds) > 0 {
		if t := s.threads[s.fdsToRemove.tid]; t != nil {
			closing = s.fdTable(t)
		}
	}
	sort.Slice(tids, func(i, j int) bool { return tids[i] < tids[j] })

	// Server ports, as sysdig gathers them from the fd lists it reads to
	// orient the IPv4 sockets it reads.
	ports := map[uint16]bool{}
	var nums []int64
	for _, tid := range tids {
		t := s.threads[tid]
		m.Procs = append(m.Procs, scap.Process{
			TID: t.TID, PID: t.PID, PTID: t.PTID, SID: t.SID, VPGID: t.VPGID,
			Comm: t.Comm, Exe: t.Exe, ExePath: t.ExePath, Args: t.Args, Cwd: t.Cwd,
			FDLimit: t.FDLimit, Flags: t.Flags, UID: t.UID, GID: t.GID,
			VMSize: t.VMSize, VMRSS: t.VMRSS, VMSwap: t.VMSwap, PgftMaj: t.PgftMaj, PgftMin: t.PgftMin,
			Env: t.Env, VTID: t.VTID, VPID: t.VPID, Cgroups: t.Cgroups, Root: t.Root,
			Tty: t.Tty, LoginUID: t.LoginUID,
		})
		tab := s.ownFDs(t)
		if tab == nil || tab.Len() == 0 {
			continue
		}
		nums = nums[:0]
		tab.Each(func(f *FD) {
			if tab == closing && slices.Contains(s.fdsToRemove.fds, f.Num) {
				return
			}
			nums = append(nums, f.Num)
		})
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
		for _, n := range nums {
			f := tab.Get(n)
			fi, ok := fdInfo(f)
			if !ok {
				continue
			}
			if f.Type == FDIPv4Server || f.Type == FDIPv6Server {
				ports[f.SPort] = true
			}
			m.AddFD(tid, fi)
		}
	}
	if !s.metaDirty {
		// The IPv4 sockets are oriented (the client's end first); sysdig
		// reorients those whose source port is a server port. Write a
		// socket so that it comes out as it is here.
		for tid, fds := range m.FDs {
			for i := range fds {
				orient(&fds[i], s.fdRole(tid, fds[i].FD), ports)
			}
		}
	}

	uids := make([]uint32, 0, len(s.users))
	for uid := range s.users {
		uids = append(uids, uid)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	for _, uid := range uids {
		u := s.users[uid]
		m.Users = append(m.Users, scap.User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.Home, Shell: u.Shell})
	}
	gids := make([]uint32, 0, len(s.groups))
	for gid := range s.groups {
		gids = append(gids, gid)
	}
	sort.Slice(gids, func(i, j int) bool { return gids[i] < gids[j] })
	for _, gid := range gids {
		g := s.groups[gid]
		m.Groups = append(m.Groups, scap.Group{GID: g.GID, Name: g.Name})
	}
	return m
}

// ownFDs is the fd table the thread's fd list should carry: its own,
// unless it shares its process's (the process's main thread carries it).
func (s *State) ownFDs(t *Thread) *FDTable {
	if t.Flags&clCloneFiles != 0 {
		if m := s.mainThread(t); m != nil && m != t {
			return nil
		}
	}
	return t.FDs
}

func (s *State) fdRole(tid, fd int64) FDRole {
	if t := s.threads[tid]; t != nil {
		if f := t.FDs.Get(fd); f != nil {
			return f.Role
		}
	}
	return RoleNone
}

// orient writes an IPv4 socket so that sysdig, which swaps the ends of a
// socket whose source port is a server port and then takes it for the
// server side, rebuilds the same name, and the same role when it can.
func orient(fi *scap.FDInfo, role FDRole, ports map[uint16]bool) {
	if fi.Type != scap.FDTypeIPv4Sock {
		return
	}
	if ports[fi.DPort] && (role == RoleServer || ports[fi.SPort]) {
		fi.SIP, fi.DIP = fi.DIP, fi.SIP
		fi.SPort, fi.DPort = fi.DPort, fi.SPort
	}
}

// fdInfo converts an fd to its fd list entry. Sockets carry their
// endpoints, from which readers rebuild the name; files their path and
// open flags.
func fdInfo(f *FD) (scap.FDInfo, bool) {
	fi := scap.FDInfo{FD: f.Num, Ino: f.Ino, Type: uint8(f.Type), Name: f.Name,
		OpenFlags: f.Flags, Dev: f.Dev, SIP: f.SIP, DIP: f.DIP, SPort: f.SPort, DPort: f.DPort,
		L4Proto: f.L4Proto, UnixSource: f.UnixSource, UnixDest: f.UnixDest}
	switch f.Type {
	case FDUnknown:
		// libscap writes no entry for an fd of unknown type.
		return fi, false
	case FDFile:
		fi.Type = uint8(FDFileV2)
	}
	return fi, true
}
