package state

import "github.com/syscope/syscope/event"

// What sinsp's parser keeps beside names and addresses, for fd.connected,
// fd.name_changed and proc.fdlimit: a socket's connected flag, an fd's
// name before the event, and the fd limit that getrlimit, setrlimit and
// prlimit report.

// Exits of the calls sinsp's parse_rw_exit handles, and of those that
// report fd limits.
const (
	evReadX      = 7
	evWriteX     = 9
	evSendX      = 29
	evRecvX      = 33
	evPreadX     = 113
	evPwriteX    = 115
	evReadvX     = 117
	evWritevX    = 119
	evPreadvX    = 121
	evPwritevX   = 123
	evGetrlimitX = 141
	evSetrlimitX = 143
	evPrlimitX   = 145

	rlimitNofile = 7    // PPM_RLIMIT_NOFILE
	eInProgress  = -115 // -EINPROGRESS
)

// getFD is sinsp_threadinfo::get_fd as the parser calls it: the fd's
// current name becomes its old one, against which the end of the event
// tells whether its name changed.
func (s *State) getFD(t *Thread, fd int64) *FD {
	f := s.FD(t, fd)
	if f != nil {
		f.oldName = f.Name
	}
	return f
}

// noteNameChange is the end of sinsp_parser::process_event: the event's
// fd has a new name if its name is not the one it had when looked up. A
// new fd's old name is empty (or, for a copy, its original's).
func (s *State) noteNameChange() {
	f := s.ctx.FD
	s.ctx.NameChanged = f != nil && f.Name != f.oldName
}

// markConnected sets the connected flag as sinsp does without connection
// tracking (sysdig's case): on a connect that succeeded or is in
// progress, and on any successful read or write of an IPv4 or IPv6
// socket. accept's and fd lists' sockets are connected from the start.
func (s *State) markConnected(e *event.Event) {
	f := s.ctx.FD
	if f == nil || e.NParams() == 0 {
		// No parameters: a skimmed event (scap.Reader.Skim), one a
		// capture filter rejects, which sinsp does not parse.
		return
	}
	switch e.Type {
	case evConnectX:
		if r := res(e); r >= 0 || r == eInProgress {
			f.Connected = true
		}
	case evReadX, evWriteX, evSendX, evRecvX, evSendtoX, evRecvfromX, evSendmsgX, evRecvmsgX,
		evPreadX, evPwriteX, evReadvX, evWritevX, evPreadvX, evPwritevX:
		if res(e) >= 0 && (f.Type == FDIPv4Sock || f.Type == FDIPv6Sock) {
			f.Connected = true
		}
	}
}

// parseLimits is parse_getrlimit_setrlimit_exit and parse_prlimit_exit:
// a successful call on RLIMIT_NOFILE sets the process's fd limit to the
// current value it reports.
func (s *State) parseLimits(e *event.Event, t *Thread, p *perThread) {
	switch e.Type {
	case evGetrlimitX, evSetrlimitX, evPrlimitX:
	default:
		return
	}
	if res(e) < 0 || e.NParams() < 2 {
		return
	}
	ent := s.enterEvent(e, p)
	if ent == nil {
		return
	}
	ri := 0
	if e.Type == evPrlimitX {
		ri = 1
	}
	if ent.NParams() <= ri || event.Uint(ent.Param(ri))&0xff != rlimitNofile {
		return
	}
	cur := event.Int(e.Param(1))
	if cur == -1 {
		return
	}
	if e.Type == evPrlimitX {
		tid := event.Int(ent.Param(0))
		if tid == 0 {
			tid = e.TID
		}
		if t = s.lookupOrFake(tid); t == nil {
			return
		}
	}
	if m := s.mainThread(t); m != nil {
		m.FDLimit = cur
	}
}
