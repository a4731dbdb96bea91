package scap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// cursor reads little-endian values from a block body and remembers the
// first overrun instead of panicking.
type cursor struct {
	b []byte
	// s, when not empty, is b as a string: the strings read are then
	// substrings of it, and cost no allocation each.
	s   string
	pos int
	bad bool
}

func (c *cursor) left() int { return len(c.b) - c.pos }

func (c *cursor) take(n int) []byte {
	if c.bad || n < 0 || n > c.left() {
		c.bad = true
		return nil
	}
	v := c.b[c.pos : c.pos+n]
	c.pos += n
	return v
}

func (c *cursor) u8() uint8 {
	if v := c.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if v := c.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if v := c.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if v := c.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

// str reads a string with a 16-bit length, dropping a trailing NUL.
func (c *cursor) str() string {
	n := int(c.u16())
	start := c.pos
	v := trimNUL(c.take(n))
	if c.s != "" && len(v) > 0 {
		return c.s[start : start+len(v)]
	}
	return string(v)
}

func (c *cursor) strs() []string {
	n := int(c.u16())
	start := c.pos
	v := c.take(n)
	if c.s != "" && len(v) > 0 {
		return splitNULString(c.s[start : start+len(v)])
	}
	return splitNUL(v)
}

func trimNUL(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// splitNUL splits NUL-separated (and usually NUL-terminated) strings. The
// strings share one allocation.
func splitNUL(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return splitNULString(string(b))
}

// splitNULString is splitNUL on a string, whose parts share its bytes.
func splitNULString(all string) []string {
	if len(all) == 0 {
		return nil
	}
	if all[len(all)-1] == 0 {
		all = all[:len(all)-1]
	}
	out := make([]string, 0, strings.Count(all, "\x00")+1)
	for {
		i := strings.IndexByte(all, 0)
		if i < 0 {
			return append(out, all)
		}
		out = append(out, all[:i])
		all = all[i+1:]
	}
}

// meta parses a metadata block and hands what it holds to the sink.
// Unknown block types are skipped.
func (rd *Reader) meta(typ BlockType, body []byte) error {
	switch {
	case typ == BlockMachineInfo:
		return rd.machine(body)
	case typ.procVersion() > 0:
		return rd.procList(typ.procVersion(), body)
	case typ == BlockFDList || typ == BlockFDListV2:
		return rd.fdList(typ == BlockFDListV2, body)
	case typ == BlockUserList || typ == BlockUserListV2:
		return rd.userList(typ == BlockUserListV2, body)
	case typ == BlockIfList || typ == BlockIfListV2:
		return rd.ifList(typ == BlockIfListV2, body)
	}
	return nil
}

func (rd *Reader) machine(body []byte) error {
	c := cursor{b: body}
	m := MachineInfo{NumCPUs: c.u32(), MemoryBytes: c.u64(), MaxPID: c.u64()}
	m.Hostname = string(trimNUL(c.take(128)))
	if c.bad {
		return rd.errf("machine info block of %d bytes is too short", len(body))
	}
	if c.left() >= 8 {
		m.BootTS = c.u64()
	}
	if c.left() >= 8 {
		m.Flags = c.u64()
	}
	if rd.sink != nil {
		rd.sink.Machine(&m)
	}
	return nil
}

func (rd *Reader) procList(ver int, body []byte) error {
	c := cursor{b: body, s: string(body)}
	for c.left() >= 4 {
		start := c.pos
		var sub int
		if ver >= 9 {
			sub = int(c.u32())
			if sub < 4 || sub > len(body)-start {
				return rd.errf("process list entry at byte %d claims %d bytes, beyond the block", start, sub)
			}
		}
		p := Process{SID: -1, VPGID: -1, PGID: -1, VTID: -1, VPID: -1, LoginUID: ^uint32(0)}
		p.TID = int64(c.u64())
		p.PID = int64(c.u64())
		p.PTID = int64(c.u64())
		if ver >= 6 {
			p.SID = int64(c.u64())
		}
		if ver >= 8 {
			p.VPGID = int64(c.u64())
		}
		p.Comm = c.str()
		p.Exe = c.str()
		if ver >= 7 {
			p.ExePath = c.str()
		}
		p.Args = c.strs()
		p.Cwd = c.str()
		p.FDLimit = int64(c.u64())
		p.Flags = c.u32()
		p.UID = c.u32()
		p.GID = c.u32()
		if ver >= 2 {
			p.VMSize = c.u32()
			p.VMRSS = c.u32()
			p.VMSwap = c.u32()
			p.PgftMaj = c.u64()
			p.PgftMin = c.u64()
			if ver >= 3 {
				p.Env = c.strs()
			}
			if ver >= 4 {
				p.VTID = int64(c.u64())
				p.VPID = int64(c.u64())
				p.Cgroups = c.strs()
				if ver >= 5 {
					p.Root = c.str()
				}
			}
		}
		if c.bad {
			return rd.errf("process list entry at byte %d overruns its block", start)
		}
		if ver >= 9 {
			end := start + sub
			if c.pos > end {
				return rd.errf("process list entry at byte %d is longer than its %d bytes", start, sub)
			}
			// Fields appended by newer writers, each present only if the
			// entry is long enough. Libs 0.10 inserted two of them before
			// loginuid; an entry with at most 29 bytes left predates that.
			e := cursor{b: body[:end], pos: c.pos}
			if end-e.pos > 29 {
				if e.left() >= 8 {
					p.PidnsInitTS = e.u64()
				}
				if e.left() >= 4 {
					p.Tty = e.u32()
				}
			}
			if e.left() >= 4 {
				p.LoginUID = e.u32()
			}
			if e.left() >= 1 {
				p.ExeWritable = e.u8() != 0
			}
			if e.left() >= 8 {
				p.CapInheritable = e.u64()
			}
			if e.left() >= 8 {
				p.CapPermitted = e.u64()
			}
			if e.left() >= 8 {
				p.CapEffective = e.u64()
			}
			if e.left() >= 1 {
				p.ExeUpperLayer = e.u8() != 0
			}
			if e.left() >= 8 {
				p.ExeIno = e.u64()
			}
			if e.left() >= 8 {
				p.ExeInoCtime = e.u64()
			}
			if e.left() >= 8 {
				p.ExeInoMtime = e.u64()
			}
			if e.left() >= 1 {
				p.ExeFromMemfd = e.u8() != 0
			}
			if e.left() >= 1 {
				p.ExeLowerLayer = e.u8() != 0
			}
			if e.left() >= 8 {
				p.PGID = int64(e.u64())
			}
			c.pos = end
		}
		if rd.sink != nil {
			rd.sink.Process(&p)
		}
	}
	return nil
}

func (rd *Reader) fdList(v2 bool, body []byte) error {
	c := cursor{b: body, s: string(body)}
	tid := int64(c.u64())
	if c.bad {
		return rd.errf("fd list block of %d bytes has no thread id", len(body))
	}
	for c.left() >= 4 {
		start := c.pos
		sub := 0
		if v2 {
			sub = int(c.u32())
			if sub < 4 || sub > len(body)-start {
				return rd.errf("fd list entry at byte %d claims %d bytes, beyond the block", start, sub)
			}
		}
		var f FDInfo
		f.FD = int64(c.u64())
		f.Ino = c.u64()
		f.Type = c.u8()
		switch f.Type {
		case FDTypeIPv4Sock:
			copy(f.SIP[:], c.take(4))
			copy(f.DIP[:], c.take(4))
			f.SPort, f.DPort = c.u16(), c.u16()
			f.L4Proto = c.u8()
		case FDTypeIPv4Server:
			copy(f.SIP[:], c.take(4))
			f.SPort = c.u16()
			f.L4Proto = c.u8()
		case FDTypeIPv6Sock:
			copy(f.SIP[:], c.take(16))
			copy(f.DIP[:], c.take(16))
			f.SPort, f.DPort = c.u16(), c.u16()
			f.L4Proto = c.u8()
		case FDTypeIPv6Server:
			copy(f.SIP[:], c.take(16))
			f.SPort = c.u16()
			f.L4Proto = c.u8()
		case FDTypeUnixSock:
			f.UnixSource, f.UnixDest = c.u64(), c.u64()
			f.Name = c.str()
		case FDTypeFileV2:
			f.OpenFlags = c.u32()
			f.Name = c.str()
			if sub > 0 && c.pos+4 <= start+sub {
				f.Dev = c.u32()
			}
		case FDTypeUnknown:
		default:
			if f.Type <= FDTypePidfd {
				f.Name = c.str()
			} else {
				f.Name = fmt.Sprintf("unknown-type:[%d]", f.Type)
				f.Type = FDTypeUnsupported
			}
		}
		if c.bad {
			return rd.errf("fd list entry at byte %d overruns its block", start)
		}
		if sub > 0 {
			if c.pos > start+sub {
				return rd.errf("fd list entry at byte %d is longer than its %d bytes", start, sub)
			}
			c.pos = start + sub
		}
		if rd.sink != nil {
			rd.sink.FD(tid, &f)
		}
	}
	return nil
}

func (rd *Reader) userList(v2 bool, body []byte) error {
	c := cursor{b: body, s: string(body)}
	for c.left() >= 4 {
		start := c.pos
		sub := 0
		if v2 {
			sub = int(c.u32())
			if sub < 4 || sub > len(body)-start {
				return rd.errf("user list entry at byte %d claims %d bytes, beyond the block", start, sub)
			}
		}
		typ := c.u8()
		if typ == 0 {
			u := User{UID: c.u32(), GID: c.u32()}
			u.Name = c.str()
			u.Home = c.str()
			u.Shell = c.str()
			if !c.bad && rd.sink != nil {
				rd.sink.User(&u)
			}
		} else {
			g := Group{GID: c.u32()}
			g.Name = c.str()
			if !c.bad && rd.sink != nil {
				rd.sink.Group(&g)
			}
		}
		if c.bad {
			return rd.errf("user list entry at byte %d overruns its block", start)
		}
		if sub > 0 {
			if c.pos > start+sub {
				return rd.errf("user list entry at byte %d is longer than its %d bytes", start, sub)
			}
			c.pos = start + sub
		}
	}
	return nil
}

// Interface entry types.
const (
	ifIPv4            = 1
	ifIPv6            = 2
	ifIPv4NoLinkSpeed = 3
	ifIPv6NoLinkSpeed = 4
)

func (rd *Reader) ifList(v2 bool, body []byte) error {
	c := cursor{b: body}
	var list []Interface
	for c.left() >= 4 {
		start := c.pos
		sub := 0
		if v2 {
			sub = int(c.u32()) + 4
			if sub < 8 || sub > len(body)-start {
				return rd.errf("interface list entry at byte %d claims %d bytes, beyond the block", start, sub)
			}
		}
		typ := c.u16()
		nameLen := int(c.u16())
		var it Interface
		switch typ {
		case ifIPv4, ifIPv4NoLinkSpeed:
			copy(it.Addr[:], c.take(4))
			copy(it.Netmask[:], c.take(4))
			copy(it.Bcast[:], c.take(4))
		case ifIPv6, ifIPv6NoLinkSpeed:
			it.IPv6 = true
			copy(it.Addr[:], c.take(16))
			copy(it.Netmask[:], c.take(16))
			copy(it.Bcast[:], c.take(16))
		default:
			return rd.errf("interface list entry at byte %d has unknown type %d", start, typ)
		}
		if typ == ifIPv4 || typ == ifIPv6 {
			it.LinkSpeed = c.u64()
		}
		it.Name = string(trimNUL(c.take(nameLen)))
		if c.bad {
			return rd.errf("interface list entry at byte %d overruns its block", start)
		}
		if sub > 0 {
			if c.pos > start+sub {
				return rd.errf("interface list entry at byte %d is longer than its %d bytes", start, sub)
			}
			c.pos = start + sub
		}
		list = append(list, it)
	}
	if rd.sink != nil {
		rd.sink.Interfaces(list)
	}
	return nil
}
