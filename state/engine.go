package state

import (
	"github.com/syscope/syscope/container"
	"strings"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Event codes the engine parses. They live in the event table; these
// names only say which entries the parser cares about.
const (
	evOpenX          = 3
	evCloseE         = 4
	evCloseX         = 5
	evExecve8X       = 13
	evClone11X       = 15
	evProcExitE      = 16
	evSocketE        = 18
	evSocketX        = 19
	evBindX          = 21
	evConnectE       = 22
	evConnectX       = 23
	evAcceptX        = 27
	evSendtoE        = 30
	evSocketpairX    = 43
	evAccept4X       = 57
	evCreatX         = 59
	evPipeX          = 61
	evEventfdX       = 63
	evGetcwdX        = 93
	evChdirX         = 95
	evFchdirX        = 97
	evOpenatX        = 103
	evDupX           = 125
	evSignalfdX      = 127
	evTimerfdX       = 137
	evInotifyX       = 139
	evFcntlX         = 151
	evSchedSwitch6E  = 152
	evExecve13X      = 155
	evClone16X       = 157
	evExecve14X      = 173
	evForkX          = 183
	evVforkX         = 185
	evProcExit1E     = 186
	evSetresuidX     = 193
	evSetresgidX     = 195
	evSetuidX        = 199
	evSetgidX        = 201
	evExecve15X      = 215
	evClone17X       = 217
	evFork17X        = 219
	evVfork17X       = 221
	evClone20X       = 223
	evFork20X        = 225
	evVfork20X       = 227
	evContainerE     = 228
	evExecve16X      = 231
	evProcInfoE      = 234
	evAccept5X       = 247
	evAccept45X      = 249
	evChrootX        = 267
	evContainerJSONE = 272
	evSetsidX        = 275
	evExecve17X      = 283
	evExecve18X      = 289
	evExecve19X      = 293
	evOpenat2X       = 307
	evContainerJS2E  = 324
	evOpenat2NewX    = 327
	evExecveatX      = 331
	evClone3X        = 335
)

// Clone flags (PPM_CL_*).
const (
	clCloneFiles   = 1 << 0
	clCloneFS      = 1 << 1
	clCloneThread  = 1 << 13
	clInverted     = 1 << 16
	clNameChanged  = 1 << 17
	clClosed       = 1 << 18
	clActive       = 1 << 19
	clChildInPidNS = 1 << 29
	clIsMainThread = 1 << 30
)

const (
	ppmODirectory = 1 << 10
	atFDCWD       = -100
	fcntlDupFD    = 1
	fcntlDupFDCx  = 26
	noEnter       = 0xffff
)

// perThread is the parser's bookkeeping for one thread.
type perThread struct {
	lastType uint16 // type of the last enter event, noEnter if none
	lastFD   int64
	enter    []byte // a copy of the last enter event
	enterOK  bool
	enterTS  uint64
	latency  uint64
	hasEnter bool
	enterV1  bool
}

func isClone(t event.Code) bool {
	switch t {
	case evClone11X, evClone16X, evClone17X, evClone20X, evForkX, evFork17X, evFork20X,
		evVforkX, evVfork17X, evVfork20X, evClone3X:
		return true
	}
	return false
}

// Ctx is what the last applied event resolved: its thread and the fd it
// operates on. Printers read it.
type Ctx struct {
	Thread *Thread
	FD     *FD
	FDNum  int64
	// Latency is the time from the enter event to this exit event, 0 for
	// enter events and exits without their enter.
	Latency uint64
	// NameChanged: the event changed the name of FD (sinsp's
	// fdinfo_name_changed, fd.name_changed; see fdflags.go).
	NameChanged bool
}

// Last returns what the last applied event resolved.
func (s *State) Last() *Ctx { return &s.ctx }

func (s *State) flushPending() {
	if s.fdsToRemove.tid != 0 || len(s.fdsToRemove.fds) > 0 {
		if t := s.thread(s.fdsToRemove.tid); t != nil {
			for _, fd := range s.fdsToRemove.fds {
				s.fdTable(t).Delete(fd)
			}
		}
		s.fdsToRemove.fds = s.fdsToRemove.fds[:0]
		s.fdsToRemove.tid = 0
	}
	if s.tidToRemove != 0 {
		s.removeThread(s.tidToRemove, false) // fields: kept while it has threads (children.go)
		s.tidToRemove = 0
	}
}

// threadCacheSize is the number of entries of the thread cache: a thread
// is looked up in its entry (by its id modulo the size) before the map.
// Events come from a few threads at a time, which rarely collide.
const threadCacheSize = 256

// threadSlot is an entry of the thread cache: the last thread found in
// it, and the last thread id found missing.
type threadSlot struct {
	t       *Thread
	miss    int64
	missing bool
}

// thread looks a thread up, through the thread cache, which also
// remembers a thread id found missing. Whatever changes s.threads updates
// the cache.
func (s *State) thread(tid int64) *Thread {
	sl := &s.tcache[uint64(tid)%threadCacheSize]
	if t := sl.t; t != nil && t.TID == tid {
		return t
	}
	if sl.missing && sl.miss == tid {
		return nil
	}
	t := s.threads[tid]
	if t != nil {
		sl.t = t
	} else {
		sl.miss, sl.missing = tid, true
	}
	return t
}

// setThread adds or replaces a thread.
func (s *State) setThread(t *Thread) {
	s.threads[t.TID] = t
	sl := &s.tcache[uint64(t.TID)%threadCacheSize]
	sl.t = t
	if sl.miss == t.TID {
		sl.missing = false
	}
	s.gen++
}

// lookupOrFake returns the thread, creating a placeholder as sysdig does
// when a file's event names a thread it has never seen.
func (s *State) lookupOrFake(tid int64) *Thread {
	if t := s.thread(tid); t != nil {
		return t
	}
	if len(s.threads) >= maxThreads {
		return nil
	}
	t := &Thread{TID: tid, PID: tid, PTID: -1, Comm: "<NA>", Exe: "<NA>", UID: 0xffffffff, GID: 0xffffffff,
		LoginUID: 0xffffffff, VTID: -1, VPID: -1, SID: -1, VPGID: -1, FDLimit: -1, FDs: NewFDTable(), Fake: true}
	t.NChilds = s.countChildren(tid) // fields: sinsp's count for made-up threads
	s.setThread(t)
	return t
}

// maxThreads bounds the thread table, as sysdig's does.
const maxThreads = 131072

// per is the parser's bookkeeping for the thread, which lives as long as
// the Thread object.
func (s *State) per(t *Thread) *perThread {
	if t.pt == nil {
		t.pt = &perThread{lastType: noEnter}
	}
	return t.pt
}

// Pairing is what the state knows of a thread's last enter event after
// the event last applied (sinsp's threadinfo m_lastevent_*).
type Pairing struct {
	// Latency is the time from the thread's last enter event to its
	// last exit event, 0 after an enter event.
	Latency uint64
	// EnterOK: the thread's last event was an exit that followed its
	// enter event, which sinsp's parser then handles.
	EnterOK bool
	// LastFD is the fd of the thread's last enter event, -1 for none.
	LastFD int64
}

// Pairing returns t's pairing.
func (s *State) Pairing(t *Thread) Pairing {
	if t.pt == nil {
		return Pairing{LastFD: -1}
	}
	return Pairing{Latency: t.pt.latency, EnterOK: t.pt.enterOK, LastFD: t.pt.lastFD}
}

// mainThread is the process's main thread, or nil.
func (s *State) mainThread(t *Thread) *Thread {
	if t.PID == t.TID || t.Flags&clIsMainThread != 0 {
		return t
	}
	return s.thread(t.PID)
}

// fdTable is the table the thread's fds live in: its own, or its
// process's when it shares fds with it.
func (s *State) fdTable(t *Thread) *FDTable {
	if t.Flags&clCloneFiles == 0 {
		return t.FDs
	}
	if m := s.mainThread(t); m != nil {
		return m.FDs
	}
	return nil
}

// Cwd is the thread's working directory, ending with '/'.
func (s *State) Cwd(t *Thread) string {
	if m := s.mainThread(t); m != nil {
		return m.Cwd
	}
	return "./"
}

// FD returns fd of the thread's process, or nil.
func (s *State) FD(t *Thread, fd int64) *FD {
	if t == nil {
		return nil
	}
	return s.fdTable(t).Get(fd)
}

func (s *State) addFD(t *Thread, fd *FD) *FD {
	tab := s.fdTable(t)
	if tab == nil {
		return nil
	}
	tab.Put(fd)
	return fd
}

// apply is resolve then finish.
func (s *State) apply(e *event.Event) {
	if s.resolve(e) {
		s.finish(e)
	}
}

// resolve is the part of apply that sinsp does in
// sinsp_parser::reset, before its capture filter runs: it finds the
// thread and the fd and pairs exit events with their enter events. It
// reports whether finish has anything to do, and leaves the thread for
// it in s.cur.
func (s *State) resolve(e *event.Event) bool {
	s.cur = nil
	s.ctx = Ctx{FDNum: -1}
	info := e.Info
	if info == nil {
		return false
	}
	typ := e.Type
	flags := event.ParseFlags(typ)
	if flags&event.FlagSkipParseReset != 0 {
		if typ == evProcInfoE {
			s.ctx.Thread = s.thread(e.TID)
		}
		return false
	}
	if typ == evContainerJSONE || typ == evContainerJS2E {
		s.parseContainerJSON(e)
		return false
	}
	var t *Thread
	if isClone(typ) || typ == evSchedSwitch6E {
		t = s.thread(e.TID)
	} else {
		t = s.lookupOrFake(e.TID)
	}
	s.ctx.Thread = t
	if typ == evSchedSwitch6E {
		// Parsed after the filter, and without pairing.
		s.cur, s.curP = t, nil
		return t != nil
	}
	if t == nil {
		if isClone(typ) {
			s.parseClone(e)
		}
		return false
	}
	p := s.per(t)
	usesFD := flags&event.FlagUsesFD != 0
	valid := pair(e, p, usesFD)
	if typ.IsEnter() {
		if usesFD {
			s.ctx.FDNum = p.lastFD
			s.ctx.FD = s.getFD(t, p.lastFD) // fields: notes its name (fdflags.go)
		}
		// Keep a copy for an exit event that reads its enter's
		// parameters, in a buffer reused per thread.
		if exitReadsEnter(typ + 1) {
			p.enter = append(p.enter[:0], e.Raw...)
			p.hasEnter = true
			p.enterV1 = e.V1
		}
	} else {
		s.ctx.Latency = p.latency
		if valid && usesFD {
			s.ctx.FDNum = p.lastFD
			s.ctx.FD = s.getFD(t, p.lastFD) // fields: notes its name (fdflags.go)
		} else if !valid && typ == evWriteX && s.captureFilter {
			s.ctx.FD = s.getFD(t, p.lastFD) // fields: see SetCaptureFilter (reject.go)
		}
	}
	s.cur, s.curP = t, p
	return true
}

// pair is what sinsp's reset does with a thread's last enter event (p)
// for e, not a context switch: an enter event becomes the last one, with
// its fd (usesFD: its first parameter); an exit gets its latency and is
// paired if it follows its enter, which pair reports (true for an enter).
func pair(e *event.Event, p *perThread, usesFD bool) bool {
	if e.Type.IsEnter() {
		p.lastType = uint16(e.Type)
		p.lastFD = -1
		if usesFD {
			p.lastFD = event.Int(e.Param(0))
		}
		p.latency = 0
		p.enterTS = e.TS
		return true
	}
	if p.enterTS != 0 {
		p.latency = e.TS - p.enterTS
	}
	p.enterOK = uint16(e.Type) == p.lastType+1
	return p.enterOK
}

// finish is the part of apply that sinsp does in its parsers, after its
// capture filter let the event through.
func (s *State) finish(e *event.Event) {
	t, p, typ := s.cur, s.curP, e.Type
	s.cur = nil
	if typ == evSchedSwitch6E {
		s.parseSwitch(e, t)
		return
	}
	s.markConnected(e) // fields: before parse, as sinsp (fdflags.go)
	s.parse(e, t, p)
	s.parseLimits(e, t, p) // fields: fd limits (fdflags.go)
	if !typ.IsEnter() {
		// The enter event is consumed.
		p.lastType = noEnter
	}
}

// exitReadsEnter reports whether the parser of the exit event of code c
// reads its enter event (enterEvent): the enter events of the others
// need no copy.
func exitReadsEnter(c event.Code) bool {
	switch c {
	case evSetuidX, evSetresuidX, evSetgidX, evSetresgidX, evFcntlX,
		evOpenX, evCreatX, evOpenatX, evOpenat2X, evOpenat2NewX, evSocketX,
		evSendtoX, evSendmsgX,
		evExecve8X, evExecve13X, evExecve14X, evExecve15X, evExecve16X, evExecve17X,
		evExecve18X, evExecve19X, evExecveatX,
		evGetrlimitX, evSetrlimitX, evPrlimitX: // fields: fd limits (fdflags.go)
		return true
	}
	return false
}

// enterEvent decodes the stored enter event of p for the exit e, or
// returns nil when the thread's last enter event is not e's.
func (s *State) enterEvent(e *event.Event, p *perThread) *event.Event {
	if !p.enterOK || !p.hasEnter {
		return nil
	}
	if err := s.tmp.DecodeAgain(p.enter, p.enterV1); err != nil {
		return nil
	}
	if s.tmp.Type != e.Type-1 {
		return nil
	}
	return &s.tmp
}

func pint(e *event.Event, name string) (int64, bool) {
	i := e.ParamIndex(name)
	if i < 0 {
		return 0, false
	}
	b := e.Param(i)
	if len(b) == 0 {
		return 0, false
	}
	return event.Int(b), true
}

func puint(e *event.Event, name string) (uint64, bool) {
	i := e.ParamIndex(name)
	if i < 0 {
		return 0, false
	}
	b := e.Param(i)
	if len(b) == 0 {
		return 0, false
	}
	return event.Uint(b), true
}

func pstr(e *event.Event, name string) (string, bool) {
	i := e.ParamIndex(name)
	if i < 0 {
		return "", false
	}
	return string(event.CString(e.Param(i))), true
}

// pbytesC is pstr without the copy: the bytes up to the first NUL.
func pbytesC(e *event.Event, name string) ([]byte, bool) {
	i := e.ParamIndex(name)
	if i < 0 {
		return nil, false
	}
	return event.CString(e.Param(i)), true
}

func pbytes(e *event.Event, name string) []byte {
	i := e.ParamIndex(name)
	if i < 0 {
		return nil
	}
	return e.Param(i)
}

// res is the return value of an exit event (its first parameter).
func res(e *event.Event) int64 { return event.Int(e.Param(0)) }

func (s *State) parse(e *event.Event, t *Thread, p *perThread) {
	switch e.Type {
	case evOpenX, evCreatX, evOpenatX, evOpenat2X, evOpenat2NewX:
		s.parseOpen(e, t, p)
	case evSocketX:
		s.parseSocket(e, t, p)
	case evBindX:
		s.parseBind(e)
	case evConnectE:
		s.parseConnectEnter(e)
	case evConnectX:
		s.parseConnectExit(e)
	case evAcceptX, evAccept4X, evAccept5X, evAccept45X:
		s.parseAccept(e, t, p)
	case evSendtoE:
		s.inferSendto(e, t)
	case evBrkX, evMmapX, evMmap2X, evMunmapX:
		// The exits of memory syscalls carry the thread's new sizes.
		t.VMSize = uint32(event.Uint(e.Param(1)))
		t.VMRSS = uint32(event.Uint(e.Param(2)))
		t.VMSwap = uint32(event.Uint(e.Param(3)))
	case evSendtoX, evRecvfromX, evSendmsgX, evRecvmsgX:
		s.parseRW(e, t, p)
	case evCloseX:
		if res(e) >= 0 && s.ctx.FD != nil {
			s.fdsToRemove.tid = t.TID
			s.fdsToRemove.fds = append(s.fdsToRemove.fds, p.lastFD)
		}
	case evPipeX:
		if res(e) >= 0 {
			ino, _ := puint(e, "ino")
			for _, n := range []string{"fd1", "fd2"} {
				if fd, ok := pint(e, n); ok {
					s.ctx.FD = s.addFD(t, &FD{Num: fd, Type: FDPipe, Ino: ino})
				}
			}
		}
	case evSocketpairX:
		if res(e) >= 0 {
			src, _ := puint(e, "source")
			dst, _ := puint(e, "peer")
			for _, n := range []string{"fd1", "fd2"} {
				if fd, ok := pint(e, n); ok {
					s.addFD(t, &FD{Num: fd, Type: FDUnixSock, UnixSource: src, UnixDest: dst})
				}
			}
		}
	case evEventfdX:
		s.simpleFD(e, t, FDEvent, "")
	case evSignalfdX:
		s.simpleFD(e, t, FDSignalfd, "")
	case evTimerfdX:
		s.simpleFD(e, t, FDTimerfd, "")
	case evInotifyX:
		s.simpleFD(e, t, FDInotify, "")
	case evDupX:
		s.parseDup(e, t)
	case evFcntlX:
		s.parseFcntl(e, t, p)
	case evChdirX:
		if res(e) >= 0 {
			if path, ok := pstr(e, "path"); ok {
				s.setCwd(t, path)
			}
		}
	case evFchdirX:
		if res(e) >= 0 && s.ctx.FD != nil {
			s.setCwd(t, s.ctx.FD.Name)
		}
	case evGetcwdX:
		if res(e) >= 0 {
			if path, ok := pstr(e, "path"); ok && path != "" {
				if m := s.mainThread(t); m != nil {
					m.Cwd = withSlash(path)
				}
			}
		}
	case evProcExitE, evProcExit1E:
		s.gen++
		t.Flags |= clClosed
		s.tidToRemove = t.TID
	case evSetuidX, evSetresuidX:
		s.gen++
		if res(e) >= 0 {
			if ent := s.enterEvent(e, p); ent != nil {
				name := "uid"
				if e.Type == evSetresuidX {
					name = "euid"
				}
				if v, ok := puint(ent, name); ok && uint32(v) != 0xffffffff {
					t.UID = uint32(v)
				}
			}
		}
	case evSetgidX, evSetresgidX:
		s.gen++
		if res(e) >= 0 {
			if ent := s.enterEvent(e, p); ent != nil {
				name := "gid"
				if e.Type == evSetresgidX {
					name = "egid"
				}
				if v, ok := puint(ent, name); ok && uint32(v) != 0xffffffff {
					t.GID = uint32(v)
				}
			}
		}
	case evChrootX:
		s.gen++
		if res(e) >= 0 {
			if path, ok := pstr(e, "path"); ok {
				t.Root = path
			}
		}
	case evSetsidX:
		s.gen++
		if r := res(e); r >= 0 {
			t.SID = r
		}
	case evContainerE:
		s.parseContainerOld(e)
	default:
		if isClone(e.Type) {
			s.parseClone(e)
			return
		}
		switch e.Type {
		case evExecve8X, evExecve13X, evExecve14X, evExecve15X, evExecve16X, evExecve17X,
			evExecve18X, evExecve19X, evExecveatX:
			s.parseExecve(e, t, p)
		}
	}
}

func withSlash(p string) string {
	if p == "" || p[len(p)-1] != '/' {
		return p + "/"
	}
	return p
}

func (s *State) setCwd(t *Thread, path string) {
	m := s.mainThread(t)
	if m == nil {
		return
	}
	m.Cwd = withSlash(ConcatPaths(m.Cwd, path))
}

func (s *State) simpleFD(e *event.Event, t *Thread, typ FDType, name string) {
	fd := res(e)
	if fd < 0 {
		return
	}
	s.ctx.FD = s.addFD(t, &FD{Num: fd, Type: typ, Name: name})
}

func (s *State) parseDup(e *event.Event, t *Thread) {
	fd := res(e)
	if fd < 0 || s.ctx.FD == nil {
		return
	}
	if fd == s.ctx.FDNum {
		return
	}
	c := *s.ctx.FD
	c.Num = fd
	s.ctx.FD = s.addFD(t, &c)
}

func (s *State) parseFcntl(e *event.Event, t *Thread, p *perThread) {
	fd := res(e)
	if fd < 0 || s.ctx.FD == nil {
		return
	}
	ent := s.enterEvent(e, p)
	if ent == nil {
		return
	}
	cmd, _ := puint(ent, "cmd")
	if cmd != fcntlDupFD && cmd != fcntlDupFDCx {
		return
	}
	c := *s.ctx.FD
	c.Num = fd
	s.addFD(t, &c)
}

func (s *State) parseOpen(e *event.Event, t *Thread, p *perThread) {
	ent := s.enterEvent(e, p)
	fd := res(e)
	var name []byte
	var flags uint32
	var dev uint32
	var dir string
	switch e.Type {
	case evOpenX, evCreatX:
		name, _ = pbytesC(e, "name")
		if e.Type == evOpenX {
			f, _ := puint(e, "flags")
			flags = uint32(f)
		}
		if d, ok := puint(e, "dev"); ok {
			dev = uint32(d)
		}
		if ent != nil {
			if en, ok := pbytesC(ent, "name"); ok && len(ent.Param(ent.ParamIndex("name"))) != 0 && string(en) != "(NULL)" {
				name = en
				flags = 0
				if e.Type == evOpenX {
					f, _ := puint(ent, "flags")
					flags = uint32(f)
				}
			}
		}
		dir = s.Cwd(t)
	case evOpenatX:
		if ent == nil {
			return
		}
		name, _ = pbytesC(ent, "name")
		f, _ := puint(ent, "flags")
		flags = uint32(f)
		dirfd, _ := pint(ent, "dirfd")
		dir = s.dirOf(t, name, dirfd)
	default:
		name, _ = pbytesC(e, "name")
		f, _ := puint(e, "flags")
		flags = uint32(f)
		dirfd, _ := pint(e, "dirfd")
		if d, ok := puint(e, "dev"); ok && e.Type == evOpenat2X {
			dev = uint32(d)
		}
		if ent != nil {
			if i := ent.ParamIndex("name"); i >= 0 && len(ent.Param(i)) != 0 {
				en, _ := pbytesC(ent, "name")
				if string(en) != "(NULL)" {
					name = en
					f, _ := puint(ent, "flags")
					flags = uint32(f)
					dirfd, _ = pint(ent, "dirfd")
				}
			}
		}
		dir = s.dirOf(t, name, dirfd)
	}
	if fd < 0 {
		return
	}
	full := s.concatPaths(dir, name)
	typ := FDFileV2
	if flags&ppmODirectory != 0 {
		typ = FDDirectory
	}
	s.ctx.FD = s.addFD(t, &FD{Num: fd, Type: typ, Name: full, Flags: flags, Dev: dev})
}

// concatPaths is ConcatPaths(dir, string(path)), with one allocation.
func (s *State) concatPaths(dir string, path []byte) string {
	b := s.pathBuf[:0]
	if len(path) != 0 && path[0] != '/' {
		b = append(b, dir...)
	}
	b = AppendPath(b, 0, path)
	s.pathBuf = b
	return string(b)
}

// dirOf is the directory a path given with dirfd is relative to.
func (s *State) dirOf(t *Thread, name []byte, dirfd int64) string {
	switch {
	case len(name) > 0 && name[0] == '/':
		return "."
	case dirfd == atFDCWD:
		return s.Cwd(t)
	}
	f := s.getFD(t, dirfd)
	if f == nil {
		return "<UNKNOWN>"
	}
	s.ctx.FD = f
	return f.Name + "/"
}

// Layer-4 protocols of sockets (libscap's SCAP_L4_* values), as FD.L4Proto
// holds them; package event names the ones that choose a port's name.
const (
	L4Unknown = event.L4Unknown
	L4NA      = 1 // not a socket
	L4TCP     = event.L4TCP
	L4UDP     = event.L4UDP
	L4ICMP    = 4
	L4Raw     = 5
)

const (
	l4Unknown = L4Unknown
	l4TCP     = L4TCP
	l4UDP     = L4UDP
	l4ICMP    = L4ICMP
	l4Raw     = L4Raw
)

func (s *State) addSocket(t *Thread, fd int64, domain, typ, proto uint32) {
	f := &FD{Num: fd}
	switch domain {
	case event.AFUnix:
		f.Type = FDUnixSock
	case event.AFInet, event.AFInet6:
		f.Type = FDIPv4Sock
		if domain == event.AFInet6 {
			f.Type = FDIPv6Sock
			f.IsIPv6 = true
		}
		const sockStream, sockDgram, sockRaw = 1, 2, 3
		l4 := uint8(l4Unknown)
		switch proto {
		case 6: // TCP
			l4 = l4TCP
			if typ == sockRaw {
				l4 = l4Raw
			}
		case 17: // UDP
			l4 = l4UDP
			if typ == sockRaw {
				l4 = l4Raw
			}
		case 0: // IP
			switch typ & 0xff {
			case sockStream:
				l4 = l4TCP
			case sockDgram:
				l4 = l4UDP
			}
		case 1: // ICMP
			l4 = l4ICMP
			if typ == sockRaw {
				l4 = l4Raw
			}
		case 255:
			l4 = l4Raw
		}
		f.L4Proto = l4
	case 16: // netlink
		f.Type = FDNetlink
	default:
		return
	}
	s.ctx.FD = s.addFD(t, f)
}

func (s *State) parseSocket(e *event.Event, t *Thread, p *perThread) {
	fd := res(e)
	if fd < 0 {
		return
	}
	ent := s.enterEvent(e, p)
	if ent == nil {
		return
	}
	d, _ := puint(ent, "domain")
	ty, _ := puint(ent, "type")
	pr, _ := puint(ent, "proto")
	s.addSocket(t, fd, uint32(d), uint32(ty), uint32(pr))
}

func (s *State) inferSendto(e *event.Event, t *Thread) {
	if s.ctx.FD != nil {
		return
	}
	fd := event.Int(e.Param(0))
	if fd < 0 {
		return
	}
	tuple := e.Param(2)
	if len(tuple) == 0 {
		return
	}
	switch tuple[0] {
	case event.AFInet:
		s.addSocket(t, fd, event.AFInet, 2, 17)
	case event.AFInet6:
		s.addSocket(t, fd, event.AFInet6, 2, 17)
	}
}

func (s *State) parseBind(e *event.Event) {
	f := s.ctx.FD
	if f == nil || res(e) < 0 {
		return
	}
	b := e.Param(1)
	if len(b) == 0 {
		return
	}
	switch b[0] {
	case event.AFInet:
		if len(b) >= 7 {
			if port := event.U16(b[5:]); port > 0 {
				f.Type = FDIPv4Server
				copy(f.SIP[:4], b[1:5])
				f.SPort = port
				f.Role = RoleServer
			}
		}
	case event.AFInet6:
		if len(b) >= 19 {
			if port := event.U16(b[17:]); port > 0 {
				if event.IsIPv4Mapped(b[1:17]) {
					f.Type = FDIPv4Server
					f.SIP = [16]byte{}
					copy(f.SIP[:4], b[13:17])
				} else {
					f.Type = FDIPv6Server
					copy(f.SIP[:], b[1:17])
				}
				f.SPort = port
				f.Role = RoleServer
			}
		}
	}
	f.Name = string(s.ports.AppendSockaddr(nil, b, s.evtL4()))
}

func (s *State) parseConnectEnter(e *event.Event) {
	f := s.ctx.FD
	if f == nil || e.NParams() < 2 {
		return
	}
	b := e.Param(1)
	if len(b) == 0 {
		return
	}
	switch b[0] {
	case event.AFInet:
		if len(b) >= 7 {
			f.Type = FDIPv4Sock
			copy(f.DIP[:4], b[1:5])
			f.DPort = event.U16(b[5:])
		}
	case event.AFInet6:
		if len(b) >= 19 {
			port := event.U16(b[17:])
			if event.IsIPv4Mapped(b[1:17]) {
				f.Type = FDIPv4Sock
				f.DIP = [16]byte{}
				copy(f.DIP[:4], b[13:17])
			} else {
				f.Type = FDIPv6Sock
				copy(f.DIP[:], b[1:17])
			}
			f.DPort = port
		}
	default:
		f.Name = string(s.ports.AppendSockaddr(nil, b, s.evtL4()))
		s.setUnix(f, b)
	}
}

func (s *State) setUnix(f *FD, b []byte) {
	if len(b) >= 17 {
		f.UnixSource = event.U64(b[1:])
		f.UnixDest = event.U64(b[9:])
	}
}

func (s *State) parseConnectExit(e *event.Event) {
	f := s.ctx.FD
	if f == nil {
		return
	}
	if r := res(e); r < 0 && r != -115 {
		return
	}
	b := e.Param(1)
	if len(b) == 0 {
		return
	}
	s.fillClient(f, b)
}

func (s *State) fillClient(f *FD, b []byte) {
	switch b[0] {
	case event.AFInet, event.AFInet6:
		if s.setAddrs(f, b) && f.Role == RoleServer && f.L4Proto == l4UDP {
			swapAddrs(f)
		}
		f.Name = s.sockName(f)
	default:
		f.Name = string(s.ports.AppendTuple(nil, b, s.evtL4()))
		s.setUnix(f, b)
	}
	if f.Role == RoleNone {
		f.Role = RoleClient
	}
}

// setTuple copies the endpoints of a socket tuple into f.
func (s *State) setTuple(f *FD, b []byte) {
	f.SIP, f.DIP = [16]byte{}, [16]byte{}
	switch {
	case b[0] == event.AFInet && len(b) >= 13:
		copy(f.SIP[:4], b[1:5])
		f.SPort = event.U16(b[5:])
		copy(f.DIP[:4], b[7:11])
		f.DPort = event.U16(b[11:])
	case b[0] == event.AFInet6 && len(b) >= 37:
		if f.Type == FDIPv4Sock {
			copy(f.SIP[:4], b[13:17])
			copy(f.DIP[:4], b[31:35])
		} else {
			copy(f.SIP[:], b[1:17])
			copy(f.DIP[:], b[19:35])
		}
		f.SPort = event.U16(b[17:])
		f.DPort = event.U16(b[35:])
	}
}

// sockName renders a socket fd's name as sysdig's sockinfo_to_str does.
func (s *State) sockName(f *FD) string {
	var b []byte
	if f.Type == FDIPv4Sock {
		switch f.L4Proto {
		case l4TCP, l4UDP, l4Unknown:
			b = event.AppendIPv4(b, f.SIP[:4])
			b = append(b, ':')
			b = s.ports.AppendPort(b, f.SPort, f.L4Proto)
			b = append(b, "->"...)
			b = event.AppendIPv4(b, f.DIP[:4])
			b = append(b, ':')
			b = s.ports.AppendPort(b, f.DPort, f.L4Proto)
		case l4ICMP, l4Raw:
			b = event.AppendIPv4(b, f.SIP[:4])
			b = append(b, "->"...)
			b = event.AppendIPv4(b, f.DIP[:4])
		default:
			b = append(b, "<unknown>"...)
		}
		return string(b)
	}
	switch f.L4Proto {
	case l4TCP, l4UDP, l4Unknown:
		b = event.AppendIPv6(b, f.SIP[:])
		b = append(b, ':')
		b = s.ports.AppendPort(b, f.SPort, f.L4Proto)
		b = append(b, "->"...)
		b = event.AppendIPv6(b, f.DIP[:])
		b = append(b, ':')
		b = s.ports.AppendPort(b, f.DPort, f.L4Proto)
	case l4ICMP, l4Raw:
		b = event.AppendIPv6(b, f.SIP[:])
		b = append(b, "->"...)
		b = event.AppendIPv6(b, f.DIP[:])
	default:
		b = append(b, "<unknown>"...)
	}
	return string(b)
}

func appendUint(b []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

func (s *State) parseAccept(e *event.Event, t *Thread, p *perThread) {
	fd := res(e)
	if fd < 0 {
		return
	}
	p.lastFD = fd
	b := e.Param(1)
	if len(b) == 0 {
		return
	}
	f := &FD{Num: fd, Role: RoleServer, Connected: true}
	switch b[0] {
	case event.AFInet:
		f.Type = FDIPv4Sock
		f.L4Proto = l4TCP
	case event.AFInet6:
		f.Type = FDIPv6Sock
		if len(b) >= 37 && event.IsIPv4Mapped(b[1:17]) && event.IsIPv4Mapped(b[19:35]) {
			f.Type = FDIPv4Sock
		}
		f.L4Proto = l4TCP
	case event.AFUnix:
		f.Type = FDUnixSock
		s.setUnix(f, b)
	default:
		return
	}
	if f.Type != FDUnixSock {
		s.setTuple(f, b)
	}
	// Rendered as the event's parameter, whose fd is not known yet.
	f.Name = string(s.ports.AppendTuple(nil, b, s.evtL4()))
	s.ctx.FD = s.addFD(t, f)
}

func splitArgs(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	var out []string
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != 0 {
			i++
		}
		out = append(out, string(b[:i]))
		if i >= len(b) {
			break
		}
		b = b[i+1:]
	}
	return out
}

func (s *State) parseClone(e *event.Event) {
	s.gen++
	tid := e.TID
	child := res(e)
	if child < 0 {
		return
	}
	fl, _ := puint(e, "flags")
	flags := uint32(fl)
	vtid, vpid := tid, int64(-1)
	if v, ok := pint(e, "vtid"); ok {
		vtid = v
	}
	if v, ok := pint(e, "vpid"); ok {
		vpid = v
	}
	inContainer := flags&clChildInPidNS != 0 || tid != vtid
	inverted := false
	if child == 0 {
		cur := s.thread(tid)
		var parent int64
		if flags&clCloneThread != 0 {
			parent, _ = pint(e, "pid")
		} else {
			parent, _ = pint(e, "ptid")
		}
		if cur != nil {
			if inContainer {
				cur.VTID, cur.VPID = vtid, vpid
			}
			return
		}
		inverted = true
		child = tid
		tid = parent
	} else if inContainer {
		return
	}
	pt := s.lookupOrFake(tid)
	if pt == nil {
		return
	}
	validParent := !(pt.Comm == "<NA>" && pt.UID == 0xffffffff)
	if c := s.thread(child); c != nil {
		if c.Flags&clInverted != 0 {
			return
		}
		s.removeThread(child, true)
	}
	c := &Thread{TID: child, PTID: tid, SID: -1, VPGID: -1, LoginUID: 0xffffffff}
	exe, _ := pstr(e, "exe")
	comm := exe
	if e.ParamIndex("comm") >= 0 {
		comm, _ = pstr(e, "comm")
	}
	args := splitArgs(pbytes(e, "args"))
	if validParent {
		c.ExePath = pt.ExePath
		c.Root = pt.Root
		c.SID, c.VPGID, c.Tty, c.LoginUID = pt.SID, pt.VPGID, pt.Tty, pt.LoginUID
		c.ExeWritable = pt.ExeWritable // fields
		if flags&clCloneThread == 0 {
			c.Env = pt.Env
		}
	} else {
		// The parent is a placeholder. sysdig drops it and makes a new
		// one, which loses the fds the old one had gathered, and names
		// it after its child.
		old := pt
		c.LoginUID = 0 // fields: sinsp_threadinfo::init()'s, nothing copies one
		s.removeThread(tid, true)
		if pt = s.lookupOrFake(tid); pt == nil {
			return
		}
		pt.Comm, pt.Exe, pt.Args = comm, exe, args
		pt.Fake = false
		if s.ctx.Thread == old {
			s.ctx.Thread = pt
		}
	}
	c.PID, _ = pint(e, "pid")
	c.Flags = flags
	if flags&clCloneThread == 0 {
		c.PID = child
		c.FDs = NewFDTable()
		if tab := s.fdTable(pt); tab != nil {
			for k, v := range tab.m {
				cp := *v
				c.FDs.m[k] = &cp
			}
		}
		c.Cwd = s.Cwd(pt)
	} else {
		c.FDs = NewFDTable()
	}
	if inverted {
		c.Flags |= clInverted
	}
	c.Exe, c.Comm, c.Args = exe, comm, args
	c.FDLimit, _ = pint(e, "fdlimit")
	c.PgftMaj, _ = puint(e, "pgft_maj")
	c.PgftMin, _ = puint(e, "pgft_min")
	v, _ := puint(e, "vm_size")
	c.VMSize = uint32(v)
	v, _ = puint(e, "vm_rss")
	c.VMRSS = uint32(v)
	v, _ = puint(e, "vm_swap")
	c.VMSwap = uint32(v)
	v, _ = puint(e, "uid")
	c.UID = uint32(v)
	v, _ = puint(e, "gid")
	c.GID = uint32(v)
	if inContainer {
		c.VTID, c.VPID = vtid, vpid
	} else {
		c.VTID, c.VPID = c.TID, c.PID
	}
	if cg := pbytes(e, "cgroups"); cg != nil {
		c.Cgroups = splitArgs(cg)
		c.ContainerID = s.containerID(c.Cgroups)
	}
	c.ClonTS = e.TS
	s.addChild(c) // fields: counts in its main thread (children.go)
	s.setThread(c)
	if s.ctx.Thread == nil || s.ctx.Thread.TID == child {
		s.ctx.Thread = c
	}
}

func (s *State) parseExecve(e *event.Event, t *Thread, p *perThread) {
	s.gen++
	if res(e) < 0 {
		return
	}
	t.Exe, _ = pstr(e, "exe")
	switch e.Type {
	case evExecve8X, evExecve13X, evExecve14X:
		t.Comm = t.Exe
	default:
		t.Comm, _ = pstr(e, "comm")
	}
	t.Args = splitArgs(pbytes(e, "args"))
	if v, ok := pint(e, "pid"); ok {
		t.PID = v
	}
	if t.PTID == -1 {
		if v, ok := pint(e, "ptid"); ok {
			t.PTID = v
		}
	}
	t.FDLimit, _ = pint(e, "fdlimit")
	if e.Type != evExecve8X {
		t.PgftMaj, _ = puint(e, "pgft_maj")
		t.PgftMin, _ = puint(e, "pgft_min")
		v, _ := puint(e, "vm_size")
		t.VMSize = uint32(v)
		v, _ = puint(e, "vm_rss")
		t.VMRSS = uint32(v)
		v, _ = puint(e, "vm_swap")
		t.VMSwap = uint32(v)
	}
	if env := pbytes(e, "env"); env != nil {
		t.Env = splitArgs(env)
	}
	if cg := pbytes(e, "cgroups"); cg != nil {
		t.Cgroups = splitArgs(cg)
		t.ContainerID = s.containerID(t.Cgroups)
	}
	if v, ok := puint(e, "tty"); ok {
		t.Tty = uint32(v)
	}
	if e.Type == evExecve18X || e.Type == evExecve19X {
		if ent := s.enterEvent(e, p); ent != nil {
			fn, _ := pstr(ent, "filename")
			if strings.HasPrefix(fn, "<NA>") {
				t.ExePath = "<NA>"
			} else {
				t.ExePath = ConcatPaths(t.Cwd, fn)
			}
		}
	}
	if (e.Type == evExecve19X || e.Type == evExecveatX) && e.NParams() > 17 {
		// fields: sysdig 0.29.3 names it pgid; it is the vpgid.
		t.VPGID = event.Int(e.Param(17))
	}
	if e.NParams() > 19 && (e.Type == evExecve19X || e.Type == evExecveatX) {
		t.ExeWritable = event.Uint(e.Param(19))&1 != 0 // fields: PPM_EXE_WRITABLE
	}
	if v, ok := puint(e, "loginuid"); ok {
		t.LoginUID = uint32(v)
	}
	keep := t.Flags & (clIsMainThread | clInverted | 1<<21 | 1<<22)
	t.Flags = clActive | keep | clNameChanged
	t.Fake = false
}

// addProcess adds a thread from a process list block.
func (s *State) addProcess(p *scap.Process) {
	s.gen++
	t := &Thread{
		TID: p.TID, PID: p.PID, PTID: p.PTID, SID: p.SID, VPGID: p.VPGID,
		VTID: p.VTID, VPID: p.VPID, Comm: p.Comm, Exe: p.Exe, ExePath: p.ExePath,
		Args: p.Args, Env: p.Env, UID: p.UID, GID: p.GID,
		LoginUID: p.LoginUID, FDLimit: p.FDLimit, Flags: p.Flags, PgftMaj: p.PgftMaj,
		PgftMin: p.PgftMin, VMSize: p.VMSize, VMRSS: p.VMRSS, VMSwap: p.VMSwap,
		Cgroups: p.Cgroups, Root: p.Root, Tty: p.Tty, FDs: NewFDTable(),
		ExeWritable: p.ExeWritable, // fields
	}
	t.ContainerID = s.containerID(t.Cgroups)
	if t.PID == t.TID || t.Flags&clIsMainThread != 0 {
		t.Cwd = withSlash(ConcatPaths("", p.Cwd))
	}
	t.Flags |= clActive
	s.setThread(t)
}

// addFDInfo adds an fd from an fd list block.
func (s *State) addFDInfo(tid int64, fi *scap.FDInfo) {
	t := s.thread(tid)
	if t == nil {
		return
	}
	f := &FD{Num: fi.FD, Type: FDType(fi.Type), Name: fi.Name, Flags: fi.OpenFlags, Dev: fi.Dev, Ino: fi.Ino,
		SIP: fi.SIP, DIP: fi.DIP, SPort: fi.SPort, DPort: fi.DPort, L4Proto: fi.L4Proto,
		UnixSource: fi.UnixSource, UnixDest: fi.UnixDest}
	f.fromProc = true
	// fields: sinsp marks TCP sockets of fd lists connected.
	f.Connected = (f.Type == FDIPv4Sock || f.Type == FDIPv6Sock) && f.L4Proto == l4TCP
	switch f.Type {
	case FDIPv4Sock:
		s.completeAddrs(f)
		f.Name = s.tupleName(f)
	case FDIPv6Sock:
		if event.IsIPv4Mapped(f.SIP[:]) && event.IsIPv4Mapped(f.DIP[:]) {
			f.Type = FDIPv4Sock
			var sip, dip [16]byte
			copy(sip[:4], f.SIP[12:])
			copy(dip[:4], f.DIP[12:])
			f.SIP, f.DIP = sip, dip
			s.completeAddrs(f)
		}
		f.Name = s.tupleName(f)
	case FDIPv4Server:
		s.serverPorts[f.SPort] = true
		f.Name = string(s.ports.AppendPort(append(event.AppendIPv4(nil, f.SIP[:4]), ':'), f.SPort, f.L4Proto))
	case FDIPv6Server:
		s.serverPorts[f.SPort] = true
		f.Name = string(s.ports.AppendPort(append(event.AppendIPv6(nil, f.SIP[:]), ':'), f.SPort, f.L4Proto))
	case FDUnixSock:
		f.Role = RoleServer
		if f.Name == "" {
			f.Role = RoleClient
		}
	}
	t.FDs.Put(f)
	s.metaDirty = true
}

// containerID is the container of a thread with these cgroups. Most
// threads in a process table share their cgroups with the one before, so
// the last answer is kept.
func (s *State) containerID(cgroups []string) string {
	if len(cgroups) == len(s.lastCg) {
		same := true
		for i := range cgroups {
			if cgroups[i] != s.lastCg[i] {
				same = false
				break
			}
		}
		if same {
			return s.lastCgID
		}
	}
	s.lastCg = cgroups
	s.lastCgID = container.IDFromCgroups(cgroups)
	return s.lastCgID
}

// Exits of the memory syscalls, which carry the thread's memory sizes.
const (
	evBrkX    = 159
	evMmapX   = 161
	evMmap2X  = 163
	evMunmapX = 165
)

// parseSwitch takes the page fault counts and the process's memory sizes
// a context switch event carries.
func (s *State) parseSwitch(e *event.Event, t *Thread) {
	if e.NParams() < 6 {
		return
	}
	t.PgftMaj = event.Uint(e.Param(1))
	t.PgftMin = event.Uint(e.Param(2))
	if m := s.mainThread(t); m != nil {
		m.VMSize = uint32(event.Uint(e.Param(3)))
		m.VMRSS = uint32(event.Uint(e.Param(4)))
		m.VMSwap = uint32(event.Uint(e.Param(5)))
	}
}

// tupleName names a socket read from an fd list as sysdig does there:
// always with both ports, whatever its protocol.
func (s *State) tupleName(f *FD) string {
	var b []byte
	if f.Type == FDIPv4Sock {
		b = event.AppendIPv4(b, f.SIP[:4])
	} else {
		b = event.AppendIPv6(b, f.SIP[:])
	}
	b = append(b, ':')
	b = s.ports.AppendPort(b, f.SPort, f.L4Proto)
	b = append(b, "->"...)
	if f.Type == FDIPv4Sock {
		b = event.AppendIPv4(b, f.DIP[:4])
	} else {
		b = event.AppendIPv6(b, f.DIP[:])
	}
	b = append(b, ':')
	return string(s.ports.AppendPort(b, f.DPort, f.L4Proto))
}

// SetPortNames names the ports in the names of sockets, and in the
// addresses printed, from n (sysdig's -R); nil prints numbers.
func (s *State) SetPortNames(n *event.PortNames) { s.ports = n }

// PortNames is what SetPortNames set.
func (s *State) PortNames() *event.PortNames { return s.ports }

// evtL4 is the layer 4 protocol of the event's fd, with which sinsp
// renders its address parameters; unknown without one.
func (s *State) evtL4() uint8 {
	if s.ports == nil || s.ctx.FD == nil {
		return event.L4Unknown
	}
	return s.ctx.FD.L4Proto
}
