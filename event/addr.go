package event

import "strconv"

// Address rendering shared by the printer and the state engine, which
// names sockets with the same strings sysdig shows.

// AppendSanitized appends s without the bytes sysdig drops from strings
// it prints as addresses and paths: everything but printable ASCII.
func AppendSanitized(dst, s []byte) []byte {
	for _, c := range s {
		if c >= 0x20 && c < 0x7f {
			dst = append(dst, c)
		}
	}
	return dst
}

// tail is b from off on, or nil when b is shorter.
func tail(b []byte, off int) []byte {
	if off > len(b) {
		return nil
	}
	return b[off:]
}

// Socket families as the event table encodes them (PPM_AF_*).
const (
	AFUnix  = 1
	AFInet  = 2
	AFInet6 = 10
)

// AppendIPv4 appends a dotted quad.
func AppendIPv4(dst []byte, ip []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(ip[i]), 10)
	}
	return dst
}

// AppendIPv6 appends a 16-byte address as glibc's inet_ntop writes it:
// lowercase groups, the first longest run of two or more zero groups as
// "::", and the last 32 bits as a dotted quad for IPv4-mapped
// (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
func AppendIPv6(dst []byte, ip []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(ip[2*i])<<8 | uint16(ip[2*i+1])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
		} else if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				dst = append(dst, ':')
			}
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			return AppendIPv4(dst, ip[12:16])
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// IsIPv4Mapped is sinsp_utils::is_ipv4_mapped_ipv6: ::ffff:a.b.c.d or the
// all-zero address.
func IsIPv4Mapped(ip []byte) bool {
	for i := 0; i < 10; i++ {
		if ip[i] != 0 {
			return false
		}
	}
	if ip[10] == 0xff && ip[11] == 0xff {
		return true
	}
	return ip[10]|ip[11]|ip[12]|ip[13]|ip[14]|ip[15] == 0
}

func appendFamily(dst []byte, fam byte) []byte {
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(int8(fam)), 10)
}

// AppendSockaddr renders a PT_SOCKADDR value, its port named for the
// layer 4 protocol l4 (see PortNames; a nil n prints numbers).
func (n *PortNames) AppendSockaddr(dst, b []byte, l4 uint8) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case AFUnix:
		return AppendSanitized(dst, CString(b[1:]))
	case AFInet:
		if len(b) != 7 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = AppendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		return n.AppendPort(dst, U16(b[5:]), l4)
	case AFInet6:
		if len(b) != 19 {
			return append(dst, "INVALID IPv6"...)
		}
		dst = AppendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		return n.AppendPort(dst, U16(b[17:]), l4)
	}
	return appendFamily(dst, b[0])
}

// AppendTuple renders a PT_SOCKTUPLE value, its ports named for the layer
// 4 protocol l4 (see PortNames; a nil n prints numbers).
func (n *PortNames) AppendTuple(dst, b []byte, l4 uint8) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case AFInet:
		if len(b) != 13 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = AppendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		dst = n.AppendPort(dst, U16(b[5:]), l4)
		dst = append(dst, "->"...)
		dst = AppendIPv4(dst, b[7:11])
		dst = append(dst, ':')
		return n.AppendPort(dst, U16(b[11:]), l4)
	case AFInet6:
		if len(b) != 37 {
			return append(dst, "INVALID IPv6"...)
		}
		sip, dip := b[1:17], b[19:35]
		if IsIPv4Mapped(sip) && IsIPv4Mapped(dip) {
			dst = AppendIPv4(dst, b[13:17])
			dst = append(dst, ':')
			dst = n.AppendPort(dst, U16(b[17:]), l4)
			dst = append(dst, "->"...)
			dst = AppendIPv4(dst, b[31:35])
			dst = append(dst, ':')
			return n.AppendPort(dst, U16(b[35:]), l4)
		}
		dst = AppendIPv6(dst, sip)
		dst = append(dst, ':')
		dst = n.AppendPort(dst, U16(b[17:]), l4)
		dst = append(dst, "->"...)
		dst = AppendIPv6(dst, dip)
		dst = append(dst, ':')
		return n.AppendPort(dst, U16(b[35:]), l4)
	case AFUnix:
		dst = strconv.AppendUint(dst, U64(tail(b, 1)), 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, U64(tail(b, 9)), 16)
		dst = append(dst, ' ')
		return AppendSanitized(dst, CString(tail(b, 17)))
	}
	return appendFamily(dst, b[0])
}
