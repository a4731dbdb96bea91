package state

import (
	"sort"

	"github.com/syscope/syscope/scap"
)

// Snapshot exports the state as the metadata a capture file starts with:
// every thread as a process list entry, each process's fds, users,
// groups and the machine. A file that starts with it makes a reader
// (ours or sysdig) rebuild the same names. Threads come in tid order, so
// the same state always writes the same bytes.
func (s *State) Snapshot() *scap.Meta {
	m := &scap.Meta{}
	if s.machine.NumCPUs != 0 || s.machine.Hostname != "" {
		mi := s.machine
		m.Machine = &mi
	}
	m.Interfaces = append(m.Interfaces, s.ifaceList...)
	tids := make([]int64, 0, len(s.threads))
	for tid := range s.threads {
		tids = append(tids, tid)
	}
	sort.Slice(tids, func(i, j int) bool { return tids[i] < tids[j] })
	for _, tid := range tids {
		t := s.threads[tid]
		if t.Fake {
			continue
		}
		m.Procs = append(m.Procs, scap.Process{
			TID: t.TID, PID: t.PID, PTID: t.PTID, SID: t.SID, VPGID: t.VPGID,
			Comm: t.Comm, Exe: t.Exe, ExePath: t.ExePath, Args: t.Args, Cwd: t.Cwd,
			FDLimit: t.FDLimit, Flags: t.Flags, UID: t.UID, GID: t.GID,
			VMSize: t.VMSize, VMRSS: t.VMRSS, VMSwap: t.VMSwap, PgftMaj: t.PgftMaj, PgftMin: t.PgftMin,
			Env: t.Env, VTID: t.VTID, VPID: t.VPID, Cgroups: t.Cgroups, Root: t.Root,
			Tty: t.Tty, LoginUID: t.LoginUID,
		})
		if t.FDs == nil || t.FDs.Len() == 0 {
			continue
		}
		nums := make([]int64, 0, t.FDs.Len())
		t.FDs.Each(func(f *FD) { nums = append(nums, f.Num) })
		sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
		for _, n := range nums {
			if fi, ok := fdInfo(t.FDs.Get(n)); ok {
				m.AddFD(tid, fi)
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

// fdInfo converts an fd to its fd list entry. Sockets carry their
// endpoints, from which readers rebuild the name; files their path.
func fdInfo(f *FD) (scap.FDInfo, bool) {
	fi := scap.FDInfo{FD: f.Num, Ino: f.Ino, Type: uint8(f.Type), Name: f.Name,
		OpenFlags: f.Flags, Dev: f.Dev, SIP: f.SIP, DIP: f.DIP, SPort: f.SPort, DPort: f.DPort,
		L4Proto: f.L4Proto, UnixSource: f.UnixSource, UnixDest: f.UnixDest}
	switch f.Type {
	case FDUnknown:
		return fi, false
	case FDFile:
		fi.Type = uint8(FDFileV2)
	case FDUnixSock:
		// The reader takes the name as the socket's path.
	}
	return fi, true
}
