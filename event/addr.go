package event

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// Socket families as the event table encodes them (PPM_AF_*).
const (
	AFUnix  = 1
	AFInet  = 2
	AFInet6 = 10
)

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

// AppendIPv6 appends an IPv6 address as inet_ntop writes it.
func AppendIPv6(dst []byte, ip []byte) []byte {
	a := netip.AddrFrom16([16]byte(ip[:16]))
	if a.Is4In6() {
		// inet_ntop writes mapped addresses as ::ffff:a.b.c.d, like netip.
		return a.AppendTo(dst)
	}
	return a.AppendTo(dst)
}

// IsIPv4Mapped reports whether a 16-byte address is ::ffff:a.b.c.d or, as
// sysdig also counts it, the all-zero address.
func IsIPv4Mapped(ip []byte) bool {
	if len(ip) < 16 {
		return false
	}
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

// AppendSockaddr appends a PT_SOCKADDR value as sysdig prints it.
func AppendSockaddr(dst, b []byte) []byte {
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
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[5:])), 10)
	case AFInet6:
		if len(b) != 19 {
			return append(dst, "INVALID IPv6"...)
		}
		dst = AppendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[17:])), 10)
	}
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(b[0]), 10)
}

// AppendTuple appends a PT_SOCKTUPLE value as sysdig prints it.
func AppendTuple(dst, b []byte) []byte {
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
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[5:])), 10)
		dst = append(dst, "->"...)
		dst = AppendIPv4(dst, b[7:11])
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[11:])), 10)
	case AFInet6:
		if len(b) != 37 {
			return append(dst, "INVALID IPv6"...)
		}
		sip, dip := b[1:17], b[19:35]
		if IsIPv4Mapped(sip) && IsIPv4Mapped(dip) {
			dst = AppendIPv4(dst, b[13:17])
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[17:])), 10)
			dst = append(dst, "->"...)
			dst = AppendIPv4(dst, b[31:35])
			dst = append(dst, ':')
			return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[35:])), 10)
		}
		dst = AppendIPv6(dst, sip)
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[17:])), 10)
		dst = append(dst, "->"...)
		dst = AppendIPv6(dst, dip)
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b[35:])), 10)
	case AFUnix:
		if len(b) < 17 {
			return append(dst, "INVALID UNIX"...)
		}
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[1:]), 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, binary.LittleEndian.Uint64(b[9:]), 16)
		dst = append(dst, ' ')
		return AppendSanitized(dst, CString(b[17:]))
	}
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(b[0]), 10)
}
