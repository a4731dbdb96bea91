package tracetest

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// Event is a test event: its header fields and raw parameter values.
type Event struct {
	TS     uint64
	TID    int64
	CPU    uint16
	Code   event.Code
	Params [][]byte
}

// Raw builds the event's bytes: the 26-byte header, the 16-bit (or, for
// large-payload types, 32-bit) lengths, then the values.
func (t Event) Raw() []byte {
	large := false
	if info := event.Lookup(t.Code); info != nil && info.Flags&event.FlagLargePayload != 0 {
		large = true
	}
	lsize := 2
	if large {
		lsize = 4
	}
	n := event.HeaderLen + lsize*len(t.Params)
	for _, p := range t.Params {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint64(b, t.TS)
	b = binary.LittleEndian.AppendUint64(b, uint64(t.TID))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(t.Code))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(t.Params)))
	for _, p := range t.Params {
		if large {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		} else {
			b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
		}
	}
	for _, p := range t.Params {
		b = append(b, p...)
	}
	return b
}

// Decode returns the event as a reader would, numbered num.
func (t Event) Decode(tb testing.TB, num uint64) *event.Event {
	tb.Helper()
	e := new(event.Event)
	if err := e.Decode(t.Raw()); err != nil {
		tb.Fatalf("decode %+v: %v", t, err)
	}
	e.Num = num
	e.CPU = t.CPU
	return e
}

// U8, U16, U32, U64, I16, I32 and I64 are little-endian integer values.
func U8(v uint8) []byte   { return []byte{v} }
func U16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func U32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func U64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func I16(v int16) []byte  { return U16(uint16(v)) }
func I32(v int32) []byte  { return U32(uint32(v)) }
func I64(v int64) []byte  { return U64(uint64(v)) }

// Str is a NUL-terminated string value.
func Str(s string) []byte { return append([]byte(s), 0) }

// Buf is a raw byte value.
func Buf(s string) []byte { return []byte(s) }

// Dyn is a PT_DYN value: the index byte, then the value.
func Dyn(idx uint8, v []byte) []byte { return append([]byte{idx}, v...) }

// IP4 is an IPv4 address.
func IP4(a, b, c, d byte) []byte { return []byte{a, b, c, d} }

// Addr4 is a PT_SOCKADDR for an IPv4 address.
func Addr4(ip []byte, port uint16) []byte {
	b := append([]byte{event.AFInet}, ip...)
	return append(b, U16(port)...)
}

// Addr6 is a PT_SOCKADDR for an IPv6 address.
func Addr6(ip []byte, port uint16) []byte {
	b := append([]byte{event.AFInet6}, ip...)
	return append(b, U16(port)...)
}

// AddrUnix is a PT_SOCKADDR for a unix socket path.
func AddrUnix(path string) []byte { return append([]byte{event.AFUnix}, Str(path)...) }

// Tuple4 is a PT_SOCKTUPLE for IPv4 endpoints.
func Tuple4(sip []byte, sport uint16, dip []byte, dport uint16) []byte {
	b := append([]byte{event.AFInet}, sip...)
	b = append(b, U16(sport)...)
	b = append(b, dip...)
	return append(b, U16(dport)...)
}

// Tuple6 is a PT_SOCKTUPLE for IPv6 endpoints.
func Tuple6(sip []byte, sport uint16, dip []byte, dport uint16) []byte {
	b := append([]byte{event.AFInet6}, sip...)
	b = append(b, U16(sport)...)
	b = append(b, dip...)
	return append(b, U16(dport)...)
}

// TupleUnix is a PT_SOCKTUPLE for a unix socket.
func TupleUnix(src, dst uint64, path string) []byte {
	b := append([]byte{event.AFUnix}, U64(src)...)
	b = append(b, U64(dst)...)
	return append(b, Str(path)...)
}

// FDList is a PT_FDLIST value.
func FDList(fds ...int64) []byte {
	b := U16(uint16(len(fds) / 2))
	for i := 0; i+1 < len(fds); i += 2 {
		b = append(b, I64(fds[i])...)
		b = append(b, I16(int16(fds[i+1]))...)
	}
	return b
}

// IP6 is an IPv6 address, for the few forms the tests write.
func IP6(s string) []byte {
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
	case "fe80::1:0:5":
		b[0], b[1], b[11], b[15] = 0xfe, 0x80, 1, 5
	default:
		panic("tracetest.IP6: a form it does not know: " + s)
	}
	return b[:]
}

// Proc is a process of a World, with its fds.
type Proc struct {
	TID, PID, PTID int64
	Comm, Exe      string
	Args           []string
	Cwd            string
	UID, GID       uint32
	VTID, VPID     int64
	Cgroups        []string
	Container      string // the container id sysdig derives from the cgroups
	FDs            []FD
	Flags          uint32   // PPM_CL_* flags
	Env            []string // written as given, empty strings included
	// Written only in V9 process lists (World.V9).
	SID, VPGID  int64
	LoginUID    uint32
	ExeWritable bool
}

// FD is an fd of a Proc: what the file's fd list holds, and what
// sysdig's state holds for it.
type FD struct {
	Num   int64
	Type  uint8 // scap_fd_type
	Name  string
	Flags uint32
	SIP   []byte
	DIP   []byte
	SPort uint16
	DPort uint16
	L4    uint8 // SCAP_L4_* as stored in files
	Src   uint64
	Dst   uint64

	// What sysdig's state holds for the fd: its name, role and protocol
	// (as state.FD.L4Proto).
	StateName string
	Role      state.FDRole
	StateL4   uint8
}

// User is an entry of the file's user list.
type User struct {
	UID, GID uint32
	Name     string
}

// Group is a group entry of the file's user list.
type Group struct {
	GID  uint32
	Name string
}

// World is a scenario's world: processes with their fds, users and groups.
type World struct {
	Procs  []Proc
	Users  []User
	Groups []Group
	V9     bool // a V9 process list (sid, vpgid, exepath, loginuid, exe_writable)
}

// ScapFile writes the world and events as a trace file that sysdig reads:
// a section header, a V5 (or V9) process list, V1 fd lists, a user list, and V2
// event blocks.
func (w World) ScapFile(evs []Event) []byte {
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
	// Process list, V5 (or V9).
	var pl []byte
	for _, p := range w.Procs {
		start := len(pl)
		if w.V9 {
			pl = binary.LittleEndian.AppendUint32(pl, 0) // the entry's length, set below
		}
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.TID))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.PID))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.PTID))
		if w.V9 {
			pl = binary.LittleEndian.AppendUint64(pl, uint64(p.SID))
			pl = binary.LittleEndian.AppendUint64(pl, uint64(p.VPGID))
		}
		pl = str(pl, p.Comm)
		pl = str(pl, p.Exe)
		if w.V9 {
			pl = str(pl, "/bin/"+p.Comm) // exepath
		}
		pl = strs(pl, p.Args)
		pl = str(pl, p.Cwd)
		pl = binary.LittleEndian.AppendUint64(pl, 1024) // fdlimit
		pl = binary.LittleEndian.AppendUint32(pl, p.Flags)
		pl = binary.LittleEndian.AppendUint32(pl, p.UID)
		pl = binary.LittleEndian.AppendUint32(pl, p.GID)
		pl = binary.LittleEndian.AppendUint32(pl, 100) // vmsize
		pl = binary.LittleEndian.AppendUint32(pl, 10)  // vmrss
		pl = binary.LittleEndian.AppendUint32(pl, 0)   // vmswap
		pl = binary.LittleEndian.AppendUint64(pl, 0)   // pgft_maj
		pl = binary.LittleEndian.AppendUint64(pl, 0)   // pgft_min
		pl = strs(pl, p.Env)
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.VTID))
		pl = binary.LittleEndian.AppendUint64(pl, uint64(p.VPID))
		pl = strs(pl, p.Cgroups)
		pl = str(pl, "/") // root
		if w.V9 {
			pl = binary.LittleEndian.AppendUint32(pl, p.LoginUID)
			pl = append(pl, b2u8(p.ExeWritable))
			binary.LittleEndian.PutUint32(pl[start:], uint32(len(pl)-start))
		}
	}
	if w.V9 {
		block(0x215, pl)
	} else {
		block(0x211, pl)
	}
	// Fd lists.
	for _, p := range w.Procs {
		if len(p.FDs) == 0 {
			continue
		}
		var fl []byte
		fl = binary.LittleEndian.AppendUint64(fl, uint64(p.TID))
		for _, f := range p.FDs {
			fl = binary.LittleEndian.AppendUint64(fl, uint64(f.Num))
			fl = binary.LittleEndian.AppendUint64(fl, 0) // ino
			fl = append(fl, f.Type)
			switch f.Type {
			case 3, 4, 5, 6: // ipv4, ipv6 socket; ipv4, ipv6 server
				n := 4 // address bytes
				if f.Type == 4 || f.Type == 6 {
					n = 16
				}
				server := f.Type >= 5
				fl = append(fl, f.SIP[:n]...)
				if !server {
					fl = append(fl, f.DIP[:n]...)
				}
				fl = binary.LittleEndian.AppendUint16(fl, f.SPort)
				if !server {
					fl = binary.LittleEndian.AppendUint16(fl, f.DPort)
				}
				fl = append(fl, f.L4)
			case 8: // unix
				fl = binary.LittleEndian.AppendUint64(fl, f.Src)
				fl = binary.LittleEndian.AppendUint64(fl, f.Dst)
				fl = str(fl, f.Name)
			case 16: // file v2
				fl = binary.LittleEndian.AppendUint32(fl, f.Flags)
				fl = str(fl, f.Name)
			case 0:
			default:
				fl = str(fl, f.Name)
			}
		}
		block(0x203, fl)
	}
	// User list.
	var ul []byte
	for _, u := range w.Users {
		ul = append(ul, 0)
		ul = binary.LittleEndian.AppendUint32(ul, u.UID)
		ul = binary.LittleEndian.AppendUint32(ul, u.GID)
		ul = str(ul, u.Name)
		ul = str(ul, "/home/"+u.Name)
		ul = str(ul, "/bin/sh")
	}
	for _, g := range w.Groups {
		ul = append(ul, 1)
		ul = binary.LittleEndian.AppendUint32(ul, g.GID)
		ul = str(ul, g.Name)
	}
	if len(ul) > 0 {
		block(0x206, ul)
	}
	// Events.
	for _, e := range evs {
		body := binary.LittleEndian.AppendUint16(nil, e.CPU)
		body = append(body, e.Raw()...)
		block(0x216, body)
	}
	return out.Bytes()
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
