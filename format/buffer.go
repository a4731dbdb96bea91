package format

import (
	"strconv"

	"github.com/syscope/syscope/event"
)

// appendBuffer renders a PT_BYTEBUF value as sinsp's
// binary_buffer_to_string does in the Renderer's format, truncated to
// maxLen characters (the last three replaced by "...") in the normal
// format.
func (r *Renderer) appendBuffer(dst, src []byte) []byte {
	start := len(dst)
	dst = appendBinary(dst, src, r.pf)
	// sinsp renders into its value buffer, doubling it until the whole
	// rendering fits.
	for len(dst)-start >= r.argSize-1 {
		r.argSize *= 2
	}
	if r.maxLen != 0 && r.pf == pfNormal && len(dst)-start > r.maxLen {
		dst = dst[:start+r.maxLen]
		if r.maxLen > 3 {
			copy(dst[len(dst)-3:], "...")
		}
	}
	return dst
}

// appendBinary is binary_buffer_to_string without truncation.
func appendBinary(dst, src []byte, f pf) []byte {
	if len(src) == 0 {
		return dst
	}
	switch {
	case f&pfAnyHex != 0:
		return appendHexDump(dst, src, f)
	case f&pfBase64 != 0:
		return appendBase64(dst, src)
	case f&pfAnyJSON != 0:
		switch f {
		case pfJSONHex, pfJSONHexASCII:
			return appendHexDump(dst, src, f)
		case pfJSONEOLS:
			return appendASCIIOnly(dst, src, f)
		case pfJSONBase64:
			return appendBase64(dst, src)
		}
		return appendDots(dst, src)
	case f&pfAnyEOLS != 0:
		return appendASCIIOnly(dst, src, f)
	}
	return appendDots(dst, src)
}

func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

// appendDots is binary_buffer_to_string_dots: unprintable bytes become '.'.
func appendDots(dst, src []byte) []byte {
	for _, c := range src {
		if !isPrint(c) {
			c = '.'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendASCIIOnly is binary_buffer_to_asciionly_string (-A): a leading
// newline, then the printable bytes, CR as a newline and LF unless it
// follows a CR (or starts the buffer).
func appendASCIIOnly(dst, src []byte, f pf) []byte {
	if f != pfEOLSCompact {
		dst = append(dst, '\n')
	}
	for j, c := range src {
		switch {
		case isPrint(c):
			dst = append(dst, c)
		case c == '\r':
			dst = append(dst, '\n')
		case c == '\n':
			if j > 0 && src[j-1] != '\r' {
				dst = append(dst, '\n')
			}
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendHexDump is binary_buffer_to_hex_string (-x, -X): rows of 16 bytes
// as "\n\t0x%.4x:" and big-endian 16-bit groups, with the ASCII column for
// -X, and a final newline.
func appendHexDump(dst, src []byte, f pf) []byte {
	ascii := f&pfAnyHexASCII != 0
	for j := 0; j < len(src); j += 16 {
		dst = append(dst, '\n', '\t', '0', 'x')
		dst = appendHexPad(dst, uint64(j), 4)
		dst = append(dst, ':')
		chunks := 0
		for p := j; chunks < 8 && p < len(src); p += 2 {
			dst = append(dst, ' ')
			dst = append(dst, hexDigits[src[p]>>4], hexDigits[src[p]&15])
			if p+1 < len(src) {
				dst = append(dst, hexDigits[src[p+1]>>4], hexDigits[src[p+1]&15])
			}
			chunks++
		}
		if ascii {
			for ; chunks < 8; chunks++ {
				dst = append(dst, "     "...)
			}
			dst = append(dst, ' ', ' ')
			for p := j; p < j+16 && p < len(src); p++ {
				c := src[p]
				if !isPrint(c) {
					c = '.'
				}
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '\n')
}

// appendHexPad is printf's %.Nx: lowercase hex of at least n digits.
func appendHexPad(dst []byte, v uint64, n int) []byte {
	var b [16]byte
	i := len(b)
	for v != 0 || len(b)-i < n {
		i--
		b[i] = hexDigits[v&15]
		v >>= 4
	}
	return append(dst, b[i:]...)
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendBase64 is standard, padded base64 (-b).
func appendBase64(dst, src []byte) []byte {
	for j := 0; j < len(src); j += 3 {
		var t uint32
		n := len(src) - j
		t = uint32(src[j]) << 16
		if n > 1 {
			t |= uint32(src[j+1]) << 8
		}
		if n > 2 {
			t |= uint32(src[j+2])
		}
		dst = append(dst, b64[t>>18&63], b64[t>>12&63])
		if n > 1 {
			dst = append(dst, b64[t>>6&63])
		} else {
			dst = append(dst, '=')
		}
		if n > 2 {
			dst = append(dst, b64[t&63])
		} else {
			dst = append(dst, '=')
		}
	}
	return dst
}

// Socket families as the event table encodes them (PPM_AF_*).
const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

// appendIPv4 appends a dotted quad.
func appendIPv4(dst []byte, ip []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(ip[i]), 10)
	}
	return dst
}

// appendIPv6 appends a 16-byte address as glibc's inet_ntop writes it:
// lowercase groups, the first longest run of two or more zero groups as
// "::", and the last 32 bits as a dotted quad for IPv4-mapped
// (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
func appendIPv6(dst []byte, ip []byte) []byte {
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
			return appendIPv4(dst, ip[12:16])
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		dst = append(dst, ':')
	}
	return dst
}

// isIPv4Mapped is sinsp_utils::is_ipv4_mapped_ipv6: ::ffff:a.b.c.d or the
// all-zero address.
func isIPv4Mapped(ip []byte) bool {
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

func appendPort(dst []byte, b []byte) []byte {
	return strconv.AppendUint(dst, fixed(b, 2), 10)
}

func appendFamily(dst []byte, fam byte) []byte {
	dst = append(dst, "family "...)
	return strconv.AppendInt(dst, int64(int8(fam)), 10)
}

// appendSockaddr renders a PT_SOCKADDR value.
func appendSockaddr(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case afUnix:
		return appendSanitized(dst, event.CString(b[1:]))
	case afInet:
		if len(b) != 7 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = appendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		return appendPort(dst, b[5:])
	case afInet6:
		if len(b) != 19 {
			return append(dst, "INVALID IPv6"...)
		}
		dst = appendIPv6(dst, b[1:17])
		dst = append(dst, ':')
		return appendPort(dst, b[17:])
	}
	return appendFamily(dst, b[0])
}

// appendSockTuple renders a PT_SOCKTUPLE value.
func appendSockTuple(dst, b []byte) []byte {
	if len(b) == 0 {
		return append(dst, "NULL"...)
	}
	switch b[0] {
	case afInet:
		if len(b) != 13 {
			return append(dst, "INVALID IPv4"...)
		}
		dst = appendIPv4(dst, b[1:5])
		dst = append(dst, ':')
		dst = appendPort(dst, b[5:])
		dst = append(dst, "->"...)
		dst = appendIPv4(dst, b[7:11])
		dst = append(dst, ':')
		return appendPort(dst, b[11:])
	case afInet6:
		if len(b) != 37 {
			return append(dst, "INVALID IPv6"...)
		}
		sip, dip := b[1:17], b[19:35]
		if isIPv4Mapped(sip) && isIPv4Mapped(dip) {
			dst = appendIPv4(dst, b[13:17])
			dst = append(dst, ':')
			dst = appendPort(dst, b[17:])
			dst = append(dst, "->"...)
			dst = appendIPv4(dst, b[31:35])
			dst = append(dst, ':')
			return appendPort(dst, b[35:])
		}
		dst = appendIPv6(dst, sip)
		dst = append(dst, ':')
		dst = appendPort(dst, b[17:])
		dst = append(dst, "->"...)
		dst = appendIPv6(dst, dip)
		dst = append(dst, ':')
		return appendPort(dst, b[35:])
	case afUnix:
		dst = strconv.AppendUint(dst, fixed(sub(b, 1), 8), 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, fixed(sub(b, 9), 8), 16)
		dst = append(dst, ' ')
		return appendSanitized(dst, event.CString(sub(b, 17)))
	}
	return appendFamily(dst, b[0])
}

// appendCFloatG is printf's %g (which strconv's 'g' with precision 6
// matches).
func appendCFloatG(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, v, 'g', 6, 64)
}
