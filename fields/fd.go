package fields

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
)

// fd fields: sinsp_filter_check_fd. They have values only for events
// that create, use or destroy an fd, with a thread.

// fdCtx is what sinsp_filter_check_fd::extract_fd finds.
func fdCtx(c *Ctx) (*state.Thread, *state.FD, bool) {
	if event.Flags029(c.Ev.Type)&(event.FlagCreatesFD|event.FlagUsesFD|event.FlagDestroysFD) == 0 || c.Th == nil {
		return nil, nil, false
	}
	f := c.FD
	if f == nil && c.FDNum != -1 && c.St != nil {
		f = c.St.FD(c.Th, c.FDNum)
	}
	return c.Th, f, true
}

type fdGetter func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool

func withFD(g fdGetter) getter {
	return func(x *extractor, c *Ctx, v *Value) bool {
		t, f, ok := fdCtx(c)
		if !ok {
			return false
		}
		return g(x, c, t, f, v)
	}
}

// withFDInfo is withFD for the fields that need the fd's info.
func withFDInfo(g fdGetter) getter {
	return withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f == nil {
			return false
		}
		return g(x, c, t, f, v)
	})
}

func init() {
	g := getters
	g["fd.num"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Int = c.FDNum
		return true
	})
	g["fd.name"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		return x.fdName(c, t, f, v, false)
	})
	g["fd.containername"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		return x.fdName(c, t, f, v, true)
	})
	g["fd.type"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		str(v, fdTypeString(f.Type))
		return true
	})
	g["fd.typechar"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		var ch byte
		if f == nil {
			ch = nullFDTypeChar(c.Ev.Type)
		} else {
			ch = f.Type.Char()
		}
		x.buf = append(x.buf[:0], ch)
		v.Str = x.buf
		return true
	})
	g["fd.directory"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		return x.fdDirectory(c, t, f, v, false)
	})
	g["fd.containerdirectory"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		return x.fdDirectory(c, t, f, v, true)
	})
	g["fd.filename"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		var name []byte
		if f == nil {
			switch c.Ev.Type {
			case codeOpenE, codeOpenatE, codeOpenat_2E, codeOpenat2E, codeCreatE:
			default:
				return false
			}
			// An enter event: no name from the creator.
			return false
		}
		if !isFile(f) {
			return false
		}
		name = x.sanitized(f.Name)
		i := lastSlash(name)
		switch {
		case i < 0:
			name = append(name[:0], '/')
		case i < len(name)-1:
			name = name[i+1:]
		}
		v.Str = name
		return true
	})
	g["fd.ip"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		// Filters match either end; see Extract.
		return false
	})
	g["fd.cip"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Role == state.RoleNone {
			return false
		}
		switch f.Type {
		case state.FDIPv4Sock:
			v.IP = netip.AddrFrom4([4]byte(f.SIP[:4]))
		case state.FDIPv6Sock:
			v.IP = netip.AddrFrom16(f.SIP)
		default:
			return false
		}
		return true
	})
	g["fd.sip"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		switch f.Type {
		case state.FDIPv4Sock:
			if f.Role == state.RoleNone {
				return false
			}
			v.IP = netip.AddrFrom4([4]byte(f.DIP[:4]))
		case state.FDIPv6Sock:
			if f.Role == state.RoleNone {
				return false
			}
			v.IP = netip.AddrFrom16(f.DIP)
		case state.FDIPv4Server:
			if f.Role == state.RoleNone {
				return false
			}
			v.IP = netip.AddrFrom4([4]byte(f.SIP[:4]))
		case state.FDIPv6Server:
			if f.Role == state.RoleNone {
				return false
			}
			v.IP = netip.AddrFrom16(f.SIP)
		default:
			return false
		}
		return true
	})
	g["fd.lip"] = withFDInfo(localRemoteIP(true))
	g["fd.rip"] = withFDInfo(localRemoteIP(false))
	g["fd.cport"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Role == state.RoleNone {
			return false
		}
		switch f.Type {
		case state.FDIPv4Sock, state.FDIPv6Sock:
			v.Uint = uint64(f.SPort)
			return true
		}
		// sinsp falls through to fd.cproto and returns an empty string,
		// which reads as port 0.
		return true
	})
	g["fd.sport"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		switch f.Type {
		case state.FDIPv4Sock, state.FDIPv6Sock:
			if f.Role == state.RoleNone {
				return false
			}
			v.Uint = uint64(f.DPort)
		case state.FDIPv4Server, state.FDIPv6Server:
			v.Uint = uint64(f.SPort)
		default:
			return false
		}
		return true
	})
	g["fd.lport"] = withFDInfo(localRemotePort(true))
	g["fd.rport"] = withFDInfo(localRemotePort(false))
	g["fd.cproto"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Role == state.RoleNone {
			return false
		}
		b := x.buf[:0]
		switch f.Type {
		case state.FDIPv4Sock, state.FDIPv6Sock:
			b = portNames(c).AppendPort(b, f.SPort, f.L4Proto)
		}
		x.buf, v.Str = b, b
		return true
	})
	g["fd.sproto"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		b := x.buf[:0]
		switch f.Type {
		case state.FDIPv4Sock, state.FDIPv6Sock:
			if f.Role == state.RoleNone {
				return false
			}
			b = portNames(c).AppendPort(b, f.DPort, f.L4Proto)
		case state.FDIPv4Server, state.FDIPv6Server:
		default:
			return false
		}
		x.buf, v.Str = b, b
		return true
	})
	g["fd.lproto"] = withFDInfo(localRemoteProto(true))
	g["fd.rproto"] = withFDInfo(localRemoteProto(false))
	g["fd.l4proto"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		switch l4proto(f) {
		case l4TCP:
			str(v, "tcp")
		case l4UDP:
			str(v, "udp")
		case l4ICMP:
			str(v, "icmp")
		case l4Raw:
			str(v, "raw")
		default:
			str(v, "<NA>")
		}
		return true
	})
	g["fd.sockfamily"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		switch f.Type {
		case state.FDIPv4Sock, state.FDIPv6Sock, state.FDIPv4Server, state.FDIPv6Server:
			str(v, "ip")
		case state.FDUnixSock:
			str(v, "unix")
		default:
			return false
		}
		return true
	})
	g["fd.is_server"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		switch f.Type {
		case state.FDIPv4Server, state.FDIPv6Server:
			v.Bool = true
		case state.FDIPv4Sock:
			v.Bool = c.localV4(binary.LittleEndian.Uint32(f.DIP[:4]), t)
		case state.FDIPv6Sock:
			v.Bool = c.localV6(f.DIP, t)
		}
		return true
	})
	g["fd.uid"] = withFD(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if c.Ev.Type == codeContainerE || c.Ev.Type == codeContainer2E {
			return false
		}
		b := strconv.AppendInt(x.buf[:0], t.TID, 10)
		x.buf = strconv.AppendInt(b, c.FDNum, 10)
		v.Str = x.buf
		return true
	})
	g["fd.connected"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Bool = f.Connected
		return true
	})
	g["fd.name_changed"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Bool = c.NameChanged
		return true
	})
	// Domain names come from sinsp's DNS manager, which sysdig does not
	// run when reading files: no value.
	for _, n := range []string{"fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name"} {
		g[n] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool { return false })
	}
	g["fd.dev"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Int = int64(int32(f.Dev))
		return true
	})
	g["fd.dev.major"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Int = int64((f.Dev & 0xfff00) >> 8)
		return true
	})
	g["fd.dev.minor"] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		v.Int = int64((f.Dev & 0xff) | ((f.Dev >> 12) & 0xfff00))
		return true
	})
	// Filter-only fields: Extract gives both ends (see extractBoth).
	for _, n := range []string{"fd.port", "fd.proto", "fd.net", "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet"} {
		g[n] = withFDInfo(func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool { return false })
	}
}

// Layer-4 protocols (libscap's SCAP_L4_*).
const (
	l4NA   = state.L4NA
	l4TCP  = state.L4TCP
	l4UDP  = state.L4UDP
	l4ICMP = state.L4ICMP
	l4Raw  = state.L4Raw
)

// l4proto is sinsp_fdinfo::get_l4proto.
func l4proto(f *state.FD) uint8 {
	switch f.Type {
	case state.FDIPv4Sock, state.FDIPv6Sock:
		if f.L4Proto == l4Raw {
			return l4Raw
		}
		if f.Role == state.RoleNone {
			return l4NA
		}
		return f.L4Proto
	case state.FDIPv4Server, state.FDIPv6Server:
		return f.L4Proto
	}
	return l4NA
}

func fdTypeString(t state.FDType) string {
	switch t {
	case state.FDFile, state.FDFileV2:
		return "file"
	case state.FDDirectory:
		return "directory"
	case state.FDIPv4Sock, state.FDIPv4Server:
		return "ipv4"
	case state.FDIPv6Sock, state.FDIPv6Server:
		return "ipv6"
	case state.FDUnixSock:
		return "unix"
	case state.FDPipe:
		return "pipe"
	case state.FDEvent:
		return "event"
	case state.FDSignalfd:
		return "signalfd"
	case state.FDEventPoll:
		return "eventpoll"
	case state.FDInotify:
		return "inotify"
	case state.FDTimerfd:
		return "timerfd"
	case state.FDNetlink:
		return "netlink"
	}
	return "<NA>"
}

// nullFDTypeChar is fd.typechar for an event without fd info: a guess
// from the event type.
func nullFDTypeChar(t event.Code) byte {
	switch t &^ 1 {
	case codeOpenE, codeOpenatE, codeOpenat_2E, codeOpenat2E, codeCreatE:
		return 'f'
	case codeSocketE, codeAcceptE, codeAccept5E, codeAccept4E, codeAccept45E:
		return '4'
	case codePipeE:
		return 'p'
	case codeEventfdE:
		return 'e'
	case codeSignalfdE:
		return 's'
	case codeTimerfdE:
		return 't'
	case codeInotifyInitE:
		return 'i'
	}
	return 'o'
}

// sanitized copies s into the extractor's buffer, without the bytes
// sinsp's sanitize_string removes (all but printable ASCII) when the
// field is printed.
func (x *extractor) sanitized(s string) []byte {
	b := x.buf2[:0]
	if !x.formatting {
		b = append(b, s...)
		x.buf2 = b
		return b
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x20 && s[i] < 0x7f {
			b = append(b, s[i])
		}
	}
	x.buf2 = b
	return b
}

func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}

// fdName is fd.name and fd.containername.
func (x *extractor) fdName(c *Ctx, t *state.Thread, f *state.FD, v *Value, ctr bool) bool {
	if f == nil || c.Ev.Type == codeConnectX && event.Int(paddedParam(c.Ev, 0, 8)) < 0 {
		name, ok := x.creatorName(c, t)
		if !ok {
			return false
		}
		if ctr {
			b := append(x.buf[:0], t.ContainerID...)
			b = append(b, ':')
			x.buf = append(b, name...)
			name = x.buf
		}
		v.Str = name
		return true
	}
	name := x.sanitized(f.Name)
	if ctr {
		b := append(x.buf[:0], t.ContainerID...)
		b = append(b, ':')
		x.buf = append(b, name...)
		name = x.buf
	}
	v.Str = name
	return true
}

// creatorName is sinsp's extract_fdname_from_creator: the name an fd
// would have, from the exit event that failed to create it; empty for
// other exits, none for enter events.
func (x *extractor) creatorName(c *Ctx, t *state.Thread) ([]byte, bool) {
	e := c.Ev
	if e.Type.IsEnter() {
		return nil, false
	}
	switch e.Type {
	case codeOpenX, codeAcceptX, codeAccept5X, codeAccept4X, codeAccept45X, codeCreatX, codeConnectX:
		if format.NumParams(e) < 2 {
			x.buf2 = append(x.buf2[:0], "(n.a.)"...)
			return x.buf2, true
		}
		val, res := x.renderer(c).Param(e, t, 1)
		if len(res) > 0 {
			val = res
		}
		x.buf2 = append(x.buf2[:0], val...)
		return x.buf2, true
	case codeOpenat_2X, codeOpenat2X:
		name := cstr(e.Param(2))
		dirfd := event.Int(paddedParam(e, 1, 8))
		var dir string
		switch {
		case len(name) > 0 && name[0] == '/':
			dir = "."
		case dirfd == -100:
			dir = cwd(c, t)
		default:
			if f := c.St.FD(t, dirfd); f != nil {
				dir = f.Name + "/"
			} else {
				dir = "<UNKNOWN>"
			}
		}
		b := concatPaths(x.buf2[:0], dir, name)
		if x.formatting {
			b = sanitizeInPlace(b)
		}
		x.buf2 = b
		return b, true
	case codeOpenatX:
		// sinsp rebuilds the name from the enter event, which the state
		// does not hand out.
		return nil, false
	}
	return x.buf2[:0], true
}

func sanitizeInPlace(b []byte) []byte {
	n := 0
	for _, ch := range b {
		if ch >= 0x20 && ch < 0x7f {
			b[n] = ch
			n++
		}
	}
	return b[:n]
}

// fdDirectory is fd.directory and fd.containerdirectory.
func (x *extractor) fdDirectory(c *Ctx, t *state.Thread, f *state.FD, v *Value, ctr bool) bool {
	var name []byte
	if f == nil {
		n, ok := x.creatorName(c, t)
		if !ok {
			return false
		}
		if x.formatting {
			n = sanitizeInPlace(n)
		}
		i := lastSlash(n)
		switch {
		case i > 0:
			if i < len(n)-1 {
				n = n[:i]
			}
		default:
			n = append(n[:0], '/')
		}
		name = n
	} else {
		if !isFile(f) && f.Type != state.FDDirectory {
			return false
		}
		name = x.sanitized(f.Name)
		if isFile(f) {
			i := lastSlash(name)
			switch {
			case i > 0:
				if i < len(name)-1 {
					name = name[:i]
				}
			default:
				name = append(name[:0], '/')
			}
		}
	}
	if ctr {
		b := append(x.buf[:0], t.ContainerID...)
		b = append(b, ':')
		x.buf = append(b, name...)
		name = x.buf
	}
	v.Str = name
	return true
}

// isLocal says whether the socket's source address is the machine's.
func isLocal(c *Ctx, t *state.Thread, f *state.FD) bool {
	if f.Type == state.FDIPv4Sock {
		return c.localV4(binary.LittleEndian.Uint32(f.SIP[:4]), t)
	}
	return c.localV6(f.SIP, t)
}

func localRemoteIP(local bool) fdGetter {
	return func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Type != state.FDIPv4Sock && f.Type != state.FDIPv6Sock || f.Role == state.RoleNone {
			return false
		}
		src := isLocal(c, t, f) == local
		ip := f.DIP
		if src {
			ip = f.SIP
		}
		if f.Type == state.FDIPv4Sock {
			v.IP = netip.AddrFrom4([4]byte(ip[:4]))
		} else {
			v.IP = netip.AddrFrom16(ip)
		}
		return true
	}
}

func localRemotePort(local bool) fdGetter {
	return func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Type != state.FDIPv4Sock && f.Type != state.FDIPv6Sock || f.Role == state.RoleNone {
			return false
		}
		if isLocal(c, t, f) == local {
			v.Uint = uint64(f.SPort)
		} else {
			v.Uint = uint64(f.DPort)
		}
		return true
	}
}

func localRemoteProto(local bool) fdGetter {
	return func(x *extractor, c *Ctx, t *state.Thread, f *state.FD, v *Value) bool {
		if f.Type != state.FDIPv4Sock && f.Type != state.FDIPv6Sock || f.Role == state.RoleNone {
			return false
		}
		port := f.DPort
		if isLocal(c, t, f) == local {
			port = f.SPort
		}
		x.buf = portNames(c).AppendPort(x.buf[:0], port, f.L4Proto)
		v.Str = x.buf
		return true
	}
}

// portNames names the ports of the *proto fields (sysdig's -R), or nil
// for numbers.
func portNames(c *Ctx) *event.PortNames {
	if c.St == nil {
		return nil
	}
	return c.St.PortNames()
}

// extractBothEnds gives a filter the values fd.ip, fd.net, fd.port and
// fd.proto match, as sinsp's compare_ip, compare_net and compare_port
// look at them: a socket's two addresses (or ports), a server socket's
// one. A filter's = matches when one of them does; sysdig's != when none
// does.
func (x *extractor) extractBothEnds(c *Ctx, vals []Value) []Value {
	_, f, ok := fdCtx(c)
	if !ok || f == nil {
		return vals
	}
	ports := x.f.Name == "fd.port" || x.f.Name == "fd.proto"
	add := func(ip netip.Addr, port uint16) {
		if ports {
			vals = append(vals, Value{Kind: x.kind, Uint: uint64(port)})
		} else {
			vals = append(vals, Value{Kind: x.kind, IP: ip})
		}
	}
	switch f.Type {
	case state.FDIPv4Sock:
		add(netip.AddrFrom4([4]byte(f.SIP[:4])), f.SPort)
		add(netip.AddrFrom4([4]byte(f.DIP[:4])), f.DPort)
	case state.FDIPv6Sock:
		add(netip.AddrFrom16(f.SIP), f.SPort)
		add(netip.AddrFrom16(f.DIP), f.DPort)
	case state.FDIPv4Server:
		add(netip.AddrFrom4([4]byte(f.SIP[:4])), f.SPort)
	case state.FDIPv6Server:
		add(netip.AddrFrom16(f.SIP), f.SPort)
	}
	return vals
}
