package state

import (
	"encoding/binary"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Event codes of the I/O exits whose address tuple may name a socket.
const (
	evSendtoX   = 31
	evRecvfromX = 35
	evSendmsgX  = 49
	evRecvmsgX  = 53
)

// ifaces are the machine's interfaces, from the trace file's interface
// list, used as sysdig does to guess the local end of a socket whose
// local address the kernel did not say.
type ifaces struct {
	v4 []ifaceV4
	v6 [][16]byte
}

type ifaceV4 struct{ addr, mask uint32 }

const loopbackV4 = 0x0100007f // 127.0.0.1 as stored, little-endian

func (k *sink) setInterfaces(list []scap.Interface) {
	k.ifaces = ifaces{}
	for _, it := range list {
		if it.IPv6 {
			k.ifaces.v6 = append(k.ifaces.v6, it.Addr)
			continue
		}
		k.ifaces.v4 = append(k.ifaces.v4, ifaceV4{
			addr: binary.LittleEndian.Uint32(it.Addr[:4]),
			mask: binary.LittleEndian.Uint32(it.Netmask[:4]),
		})
	}
}

func (in *ifaces) inferV4(dst uint32) uint32 {
	for _, it := range in.v4 {
		if it.addr == dst {
			return it.addr
		}
	}
	for _, it := range in.v4 {
		if it.addr&it.mask == dst&it.mask {
			return it.addr
		}
	}
	for _, it := range in.v4 {
		if it.addr != loopbackV4 {
			return it.addr
		}
	}
	return 0
}

var loopbackV6 = [16]byte{15: 1}

func (in *ifaces) inferV6(dst [16]byte) [16]byte {
	for _, a := range in.v6 {
		if a == dst {
			return a
		}
	}
	// sysdig's subnet test for IPv6 compares the first 8 bytes.
	for _, a := range in.v6 {
		if [8]byte(a[:8]) == [8]byte(dst[:8]) {
			return a
		}
	}
	for _, a := range in.v6 {
		if a != loopbackV6 {
			return a
		}
	}
	return [16]byte{}
}

func v4(b [16]byte) uint32 { return binary.LittleEndian.Uint32(b[:4]) }

func setV4(b *[16]byte, v uint32) {
	*b = [16]byte{}
	binary.LittleEndian.PutUint32(b[:4], v)
}

// completeAddrs fills a missing local or remote address of a socket from
// the interfaces, as sysdig's network interface table does.
func (s *State) completeAddrs(f *FD) {
	switch f.Type {
	case FDIPv4Sock:
		sip, dip := v4(f.SIP), v4(f.DIP)
		if sip != 0 && dip != 0 {
			return
		}
		if sip == 0 {
			n := s.ifaces.inferV4(dip)
			if n == dip && f.SPort == f.DPort {
				return
			}
			setV4(&f.SIP, n)
		} else {
			n := s.ifaces.inferV4(sip)
			if n == sip && f.SPort == f.DPort {
				return
			}
			setV4(&f.DIP, n)
		}
	case FDIPv6Sock:
		var zero [16]byte
		if f.SIP != zero && f.DIP != zero {
			return
		}
		if f.SIP == zero {
			n := s.ifaces.inferV6(f.DIP)
			if n == f.DIP && f.SPort == f.DPort {
				return
			}
			f.SIP = n
		} else {
			n := s.ifaces.inferV6(f.SIP)
			if n == f.SIP && f.SPort == f.DPort {
				return
			}
			f.DIP = n
		}
	}
}

// v4Ports are the ports sysdig reads for role guessing. It reads them
// through the IPv4 view of a union that also holds IPv6 addresses, so for
// an IPv6 socket they are bytes of the source address; kept for fidelity.
func v4Ports(f *FD) (sport, dport uint16) {
	if f.Type == FDIPv6Sock {
		return binary.LittleEndian.Uint16(f.SIP[8:]), binary.LittleEndian.Uint16(f.SIP[10:])
	}
	return f.SPort, f.DPort
}

func (s *State) boundToPort(t *Thread, port uint16) bool {
	found := false
	s.fdTable(t).Each(func(f *FD) {
		switch f.Type {
		case FDIPv4Sock:
			if f.DPort == port {
				found = true
			}
		case FDIPv4Server:
			if f.SPort == port {
				found = true
			}
		}
	})
	return found
}

func (s *State) usesClientPort(t *Thread, port uint16) bool {
	found := false
	s.fdTable(t).Each(func(f *FD) {
		if f.Type == FDIPv4Sock && f.SPort == port {
			found = true
		}
	})
	return found
}

func (s *State) guessRole(t *Thread, f *FD, incoming bool) {
	sport, dport := v4Ports(f)
	if !s.boundToPort(t, dport) {
		f.Role = RoleClient
		return
	}
	if !s.usesClientPort(t, sport) {
		f.Role = RoleServer
		return
	}
	if f.Role == RoleNone {
		if incoming {
			f.Role = RoleServer
		} else {
			f.Role = RoleClient
		}
	}
}

func swapAddrs(f *FD) {
	f.SIP, f.DIP = f.DIP, f.SIP
	f.SPort, f.DPort = f.DPort, f.SPort
}

// updateFromTuple updates a socket from the tuple of a send or receive,
// reporting whether anything changed (sysdig's update_fd).
func (s *State) updateFromTuple(f *FD, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case event.AFInet, event.AFInet6:
		if !s.setAddrs(f, b) {
			return false
		}
	case event.AFUnix:
		if len(b) < 17 {
			return false
		}
		f.Type = FDUnixSock
		s.setUnix(f, b)
		f.Name = string(event.CString(b[17:]))
		return true
	default:
		return false
	}
	if (f.Type == FDIPv4Sock || f.Type == FDIPv6Sock) && f.L4Proto == l4Unknown {
		f.L4Proto = l4UDP
	}
	s.completeAddrs(f)
	return true
}

// setAddrs sets the socket type and endpoints from an IPv4 or IPv6 tuple
// the way sysdig does: the source always, the destination only where it
// was unknown. It reports whether anything changed.
func (s *State) setAddrs(f *FD, b []byte) bool {
	switch b[0] {
	case event.AFInet:
		if len(b) < 13 {
			return false
		}
		f.Type = FDIPv4Sock
		return s.setV4Tuple(f, event.U32(b[1:]), event.U16(b[5:]), event.U32(b[7:]), event.U16(b[11:]))
	case event.AFInet6:
		if len(b) < 37 {
			return false
		}
		if event.IsIPv4Mapped(b[1:17]) && event.IsIPv4Mapped(b[19:35]) {
			f.Type = FDIPv4Sock
			return s.setV4Tuple(f, event.U32(b[13:]), event.U16(b[17:]), event.U32(b[31:]), event.U16(b[35:]))
		}
		sip, dip := [16]byte(b[1:17]), [16]byte(b[19:35])
		sport, dport := event.U16(b[17:]), event.U16(b[35:])
		if f.Type == FDIPv6Sock && (sip == f.SIP && sport == f.SPort && dip == f.DIP && dport == f.DPort ||
			dip == f.SIP && dport == f.SPort && sip == f.DIP && sport == f.DPort) {
			return false
		}
		f.Type = FDIPv6Sock
		changed := false
		if f.SIP != sip {
			f.SIP, changed = sip, true
		}
		if f.SPort != sport {
			f.SPort, changed = sport, true
		}
		if f.DIP == ([16]byte{}) {
			f.DIP, changed = dip, true
		}
		if f.DPort == 0 {
			f.DPort, changed = dport, true
		}
		return changed
	}
	return false
}

func (s *State) setV4Tuple(f *FD, sip uint32, sport uint16, dip uint32, dport uint16) bool {
	csip, cdip := v4(f.SIP), v4(f.DIP)
	if sip == csip && sport == f.SPort && dip == cdip && dport == f.DPort ||
		dip == csip && dport == f.SPort && sip == cdip && sport == f.DPort {
		return false
	}
	changed := false
	if csip != sip {
		setV4(&f.SIP, sip)
		changed = true
	}
	if f.SPort != sport {
		f.SPort, changed = sport, true
	}
	if cdip == 0 {
		setV4(&f.DIP, dip)
		changed = true
	}
	if f.DPort == 0 {
		f.DPort, changed = dport, true
	}
	return changed
}

// parseRW handles the exits of sends and receives that carry an address
// tuple: a connectionless socket learns its peer from them.
func (s *State) parseRW(e *event.Event, t *Thread, p *perThread) {
	f := s.ctx.FD
	if f == nil || res(e) < 0 {
		return
	}
	tcp := f.L4Proto == l4TCP && (f.Type == FDIPv4Sock || f.Type == FDIPv6Sock || f.Type == FDIPv4Server || f.Type == FDIPv6Server)
	if f.Name != "" && tcp {
		return
	}
	var tuple []byte
	incoming := true
	switch e.Type {
	case evRecvfromX:
		tuple = e.Param(2)
	case evRecvmsgX:
		tuple = e.Param(3)
	case evSendtoX, evSendmsgX:
		ent := s.enterEvent(e, p)
		if ent == nil {
			return
		}
		tuple = ent.Param(2)
		incoming = false
	default:
		return
	}
	if !s.updateFromTuple(f, tuple) {
		return
	}
	if f.Type == FDIPv4Sock || f.Type == FDIPv6Sock {
		if f.Role == RoleNone {
			s.guessRole(t, f, incoming)
		}
		if incoming && f.Role == RoleClient || !incoming && f.Role == RoleServer {
			swapAddrs(f)
		}
		f.Name = s.sockName(f)
	} else if f.Type != FDUnixSock {
		f.Name = string(s.ports.AppendTuple(nil, tuple, s.evtL4()))
	}
}

// fixProcSockets orients sockets read from a file's fd lists as sysdig
// does: one whose local port is a known server port is the server side.
func (s *State) fixProcSockets() {
	for _, t := range s.threads {
		if t.FDs == nil {
			continue
		}
		t.FDs.Each(func(f *FD) {
			if f.Type != FDIPv4Sock || !f.fromProc {
				return
			}
			if s.serverPorts[f.SPort] {
				swapAddrs(f)
				f.Name = s.tupleName(f)
				f.Role = RoleServer
			} else {
				f.Role = RoleClient
			}
		})
	}
}
