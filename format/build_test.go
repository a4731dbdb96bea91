package format

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// Helpers to build raw events and trace files in tests.

// tev is a test event: its header fields and raw parameter values.
type tev struct {
	ts     uint64
	tid    int64
	cpu    uint16
	code   event.Code
	params [][]byte
}

// raw builds the event's bytes: the 26-byte header, the 16-bit (or, for
// large-payload types, 32-bit) lengths, then the values.
func (t tev) raw() []byte {
	large := false
	if info := event.Lookup(t.code); info != nil && info.Flags&event.FlagLargePayload != 0 {
		large = true
	}
	lsize := 2
	if large {
		lsize = 4
	}
	n := event.HeaderLen + lsize*len(t.params)
	for _, p := range t.params {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint64(b, t.ts)
	b = binary.LittleEndian.AppendUint64(b, uint64(t.tid))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(t.code))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(t.params)))
	for _, p := range t.params {
		if large {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		} else {
			b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
		}
	}
	for _, p := range t.params {
		b = append(b, p...)
	}
	return b
}

// decode returns the event as a reader would.
func (t tev) decode(tb testing.TB, num uint64) *event.Event {
	tb.Helper()
	e := new(event.Event)
	if err := e.Decode(t.raw()); err != nil {
		tb.Fatalf("decode %+v: %v", t, err)
	}
	e.Num = num
	e.CPU = t.cpu
	return e
}

func pU8(v uint8) []byte   { return []byte{v} }
func pU16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func pU32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func pU64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func pI16(v int16) []byte  { return pU16(uint16(v)) }
func pI32(v int32) []byte  { return pU32(uint32(v)) }
func pI64(v int64) []byte  { return pU64(uint64(v)) }

// pStr is a NUL-terminated string value.
func pStr(s string) []byte { return append([]byte(s), 0) }

// pBuf is a raw byte value.
func pBuf(s string) []byte { return []byte(s) }

// pDyn is a PT_DYN value: the index byte, then the value.
func pDyn(idx uint8, v []byte) []byte { return append([]byte{idx}, v...) }

func ip4(a, b, c, d byte) []byte { return []byte{a, b, c, d} }

// pAddr4 is a PT_SOCKADDR for an IPv4 address.
func pAddr4(ip []byte, port uint16) []byte {
	b := append([]byte{event.AFInet}, ip...)
	return append(b, pU16(port)...)
}

// pAddr6 is a PT_SOCKADDR for an IPv6 address.
func pAddr6(ip []byte, port uint16) []byte {
	b := append([]byte{event.AFInet6}, ip...)
	return append(b, pU16(port)...)
}

// pAddrUnix is a PT_SOCKADDR for a unix socket path.
func pAddrUnix(path string) []byte { return append([]byte{event.AFUnix}, pStr(path)...) }

// pTuple4 is a PT_SOCKTUPLE for IPv4 endpoints.
func pTuple4(sip []byte, sport uint16, dip []byte, dport uint16) []byte {
	b := append([]byte{event.AFInet}, sip...)
	b = append(b, pU16(sport)...)
	b = append(b, dip...)
	return append(b, pU16(dport)...)
}

// pTuple6 is a PT_SOCKTUPLE for IPv6 endpoints.
func pTuple6(sip []byte, sport uint16, dip []byte, dport uint16) []byte {
	b := append([]byte{event.AFInet6}, sip...)
	b = append(b, pU16(sport)...)
	b = append(b, dip...)
	return append(b, pU16(dport)...)
}

// pTupleUnix is a PT_SOCKTUPLE for a unix socket.
func pTupleUnix(src, dst uint64, path string) []byte {
	b := append([]byte{event.AFUnix}, pU64(src)...)
	b = append(b, pU64(dst)...)
	return append(b, pStr(path)...)
}

// pFDList is a PT_FDLIST value.
func pFDList(fds ...int64) []byte {
	b := pU16(uint16(len(fds) / 2))
	for i := 0; i+1 < len(fds); i += 2 {
		b = append(b, pI64(fds[i])...)
		b = append(b, pI16(int16(fds[i+1]))...)
	}
	return b
}

func ip6(s string) []byte {
	var b [16]byte
	// only the forms the tests use: "::1", "2001:db8::3", "::ffff:a.b.c.d"
	switch s {
	case "::1":
		b[15] = 1
	case "2001:db8::3":
		b[0], b[1], b[2], b[3], b[15] = 0x20, 0x01, 0x0d, 0xb8, 3
	case "::ffff:10.0.0.1":
		b[10], b[11], b[12], b[15] = 0xff, 0xff, 10, 1
	case "::":
	case "1:0:0:2:0:0:0:3":
		b[1], b[7], b[15] = 1, 2, 3
	case "::1.2.3.4":
		b[12], b[13], b[14], b[15] = 1, 2, 3, 4
	case "fe80::1:0:0:5":
		b[0], b[1], b[11], b[15] = 0xfe, 0x80, 1, 5
	default:
		panic("ip6: " + s)
	}
	return b[:]
}

// A scenario's world: processes with their fds, users and groups.

type tproc struct {
	tid, pid, ptid int64
	comm, exe      string
	args           []string
	cwd            string
	uid, gid       uint32
	vtid, vpid     int64
	cgroups        []string
	container      string // the container id sysdig derives from the cgroups
	fds            []tfd
}

type tfd struct {
	fd    int64
	typ   uint8 // scap_fd_type
	name  string
	flags uint32
	sip   []byte
	dip   []byte
	sport uint16
	dport uint16
	l4    uint8 // SCAP_L4_* as stored in files
	src   uint64
	dst   uint64

	// What sysdig's state holds for the fd: its name, role and protocol
	// (as state.FD.L4Proto).
	sname string
	role  state.FDRole
	sl4   uint8
}

type tuser struct {
	uid, gid uint32
	name     string
}

type tgroup struct {
	gid  uint32
	name string
}

type world struct {
	procs  []tproc
	users  []tuser
	groups []tgroup
}

// fakeState is a lookup holding the state sysdig builds from a world.
type fakeState struct {
	threads    map[int64]*state.Thread
	fds        map[int64]map[int64]*state.FD // by pid
	users      map[uint32]*state.User
	groups     map[uint32]*state.Group
	containers map[string]*state.Container
	pairs      map[int64]*fakePair
}

// fakePair is the state engine's account of a thread's last enter event,
// which apply keeps as the engine does.
type fakePair struct {
	state.Pairing
	lastType int
	enterTS  uint64
}

// apply does what the state engine's Apply does to a thread's pairing.
func (f *fakeState) apply(e *event.Event) {
	if e.Info == nil || event.Flags029(e.Type)&event.FlagSkipParseReset != 0 || e.Name() == "switch" {
		return
	}
	if f.pairs == nil {
		f.pairs = make(map[int64]*fakePair)
	}
	p := f.pairs[e.TID]
	if p == nil {
		p = &fakePair{Pairing: state.Pairing{LastFD: -1}, lastType: -1}
		f.pairs[e.TID] = p
	}
	if e.Type.IsEnter() {
		p.lastType = int(e.Type)
		p.LastFD = -1
		if event.Flags029(e.Type)&event.FlagUsesFD != 0 {
			p.LastFD = event.Int(e.Param(0))
		}
		p.Latency = 0
		p.enterTS = e.TS
		return
	}
	if p.enterTS != 0 {
		p.Latency = e.TS - p.enterTS
	}
	p.EnterOK = int(e.Type) == p.lastType+1
	p.lastType = -1
}

func (f *fakeState) Pairing(t *state.Thread) state.Pairing {
	if p := f.pairs[t.TID]; p != nil {
		return p.Pairing
	}
	return state.Pairing{LastFD: -1}
}
func (f *fakeState) Thread(tid int64) *state.Thread       { return f.threads[tid] }
func (f *fakeState) User(uid uint32) *state.User          { return f.users[uid] }
func (f *fakeState) Group(gid uint32) *state.Group        { return f.groups[gid] }
func (f *fakeState) Container(id string) *state.Container { return f.containers[id] }
func (f *fakeState) FD(t *state.Thread, fd int64) *state.FD {
	if t == nil {
		return nil
	}
	return f.fds[t.PID][fd]
}
func (f *fakeState) Cwd(t *state.Thread) string {
	if m := f.threads[t.PID]; m != nil {
		return m.Cwd
	}
	return "./"
}

// state returns the state sysdig builds from the world before any event.
func (w world) state() *fakeState {
	f := &fakeState{
		threads:    map[int64]*state.Thread{},
		fds:        map[int64]map[int64]*state.FD{},
		users:      map[uint32]*state.User{},
		groups:     map[uint32]*state.Group{},
		containers: map[string]*state.Container{},
	}
	for _, p := range w.procs {
		f.threads[p.tid] = &state.Thread{TID: p.tid, PID: p.pid, PTID: p.ptid, Comm: p.comm,
			Exe: p.exe, Cwd: p.cwd, UID: p.uid, GID: p.gid, VTID: p.vtid, VPID: p.vpid,
			ContainerID: p.container}
		for _, d := range p.fds {
			if d.typ == 0 {
				continue // sinsp drops fds of unknown type
			}
			if f.fds[p.pid] == nil {
				f.fds[p.pid] = map[int64]*state.FD{}
			}
			f.fds[p.pid][d.fd] = &state.FD{Num: d.fd, Type: state.FDType(d.typ), Name: d.sname,
				L4Proto: d.sl4, Role: d.role}
		}
	}
	for _, u := range w.users {
		f.users[u.uid] = &state.User{UID: u.uid, GID: u.gid, Name: u.name}
	}
	for _, g := range w.groups {
		f.groups[g.gid] = &state.Group{GID: g.gid, Name: g.name}
	}
	return f
}

// scapFile writes the world and events as a trace file that sysdig reads:
// a section header, a V5 process list, V1 fd lists, a user list, and V2
// event blocks.
func (w world) scapFile(evs []tev) []byte {
	var out bytes.Buffer
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		total := uint32(8 + len(body) + 4)
		out.Write(binary.LittleEndian.AppendUint32(nil, typ))
		out.Write(binary.LittleEndian.AppendUint32(nil, total))
		out.Write(body)
		out.Write(binary.LittleEndian.AppendUint32(nil, total))
	}
	str := func(b []byte, s string) []byte {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
		return append(b, s...)
	}
	strs := func(b []byte, ss []string) []byte {
		var j []byte
		for _, s := range ss {
			j = append(j, s...)
			j = append(j, 0)
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(len(j)))
		return append(b, j...)
	}
	// Section header.
	var shb []byte
	shb = binary.LittleEndian.AppendUint32(shb, 0x1A2B3C4D)
	shb = binary.LittleEndian.AppendUint16(shb, 1)
	shb = binary.LittleEndian.AppendUint16(shb, 2)
	shb = binary.LittleEndian.AppendUint64(shb, ^uint64(0))
	block(0x0A0D0D0A, shb)
	// Process list, V5.
	var pl []byte
	for _, p := range w.procs {
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.tid))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.pid))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.ptid))
		pl = str(pl, p.comm)
		pl = str(pl, p.exe)
		pl = strs(pl, p.args)
		pl = str(pl, p.cwd)
		pl = binary.LittleEndian.AppendUint64(pl, 1024) // fdlimit
		pl = binary.LittleEndian.AppendUint32(pl, 0)    // flags
		pl = binary.LittleEndian.AppendUint32(pl, p.uid)
		pl = binary.LittleEndian.AppendUint32(pl, p.gid)
		pl = binary.LittleEndian.AppendUint32(pl, 100) // vmsize
		pl = binary.LittleEndian.AppendUint32(pl, 10)  // vmrss
		pl = binary.LittleEndian.AppendUint32(pl, 0)   // vmswap
		pl = binary.LittleEndian.AppendUint64(pl, 0)   // pgft_maj
		pl = binary.LittleEndian.AppendUint64(pl, 0)   // pgft_min
		pl = strs(pl, nil)                             // env
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.vtid))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.vpid))
		pl = strs(pl, p.cgroups)
		pl = str(pl, "/") // root
	}
	block(0x211, pl)
	// Fd lists.
	for _, p := range w.procs {
		if len(p.fds) == 0 {
			continue
		}
		var fl []byte
		fl = binary.LittleEndian.AppendUint64(fl, uint64(p.tid))
		for _, f := range p.fds {
			fl = binary.LittleEndian.AppendUint64(fl, uint64(f.fd))
			fl = binary.LittleEndian.AppendUint64(fl, 0) // ino
			fl = append(fl, f.typ)
			switch f.typ {
			case 3: // ipv4 socket
				fl = append(fl, f.sip[:4]...)
				fl = append(fl, f.dip[:4]...)
				fl = binary.LittleEndian.AppendUint16(fl, f.sport)
				fl = binary.LittleEndian.AppendUint16(fl, f.dport)
				fl = append(fl, f.l4)
			case 5: // ipv4 server
				fl = append(fl, f.sip[:4]...)
				fl = binary.LittleEndian.AppendUint16(fl, f.sport)
				fl = append(fl, f.l4)
			case 4: // ipv6 socket
				fl = append(fl, f.sip[:16]...)
				fl = append(fl, f.dip[:16]...)
				fl = binary.LittleEndian.AppendUint16(fl, f.sport)
				fl = binary.LittleEndian.AppendUint16(fl, f.dport)
				fl = append(fl, f.l4)
			case 8: // unix
				fl = binary.LittleEndian.AppendUint64(fl, f.src)
				fl = binary.LittleEndian.AppendUint64(fl, f.dst)
				fl = str(fl, f.name)
			case 16: // file v2
				fl = binary.LittleEndian.AppendUint32(fl, f.flags)
				fl = str(fl, f.name)
			case 0:
			default:
				fl = str(fl, f.name)
			}
		}
		block(0x203, fl)
	}
	// User list.
	var ul []byte
	for _, u := range w.users {
		ul = append(ul, 0)
		ul = binary.LittleEndian.AppendUint32(ul, u.uid)
		ul = binary.LittleEndian.AppendUint32(ul, u.gid)
		ul = str(ul, u.name)
		ul = str(ul, "/home/"+u.name)
		ul = str(ul, "/bin/sh")
	}
	for _, g := range w.groups {
		ul = append(ul, 1)
		ul = binary.LittleEndian.AppendUint32(ul, g.gid)
		ul = str(ul, g.name)
	}
	if len(ul) > 0 {
		block(0x206, ul)
	}
	// Events.
	for _, e := range evs {
		body := binary.LittleEndian.AppendUint16(nil, e.cpu)
		body = append(body, e.raw()...)
		block(0x216, body)
	}
	return out.Bytes()
}
