package format

import (
	"strconv"
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

// appendCFloatG is printf's %g (which strconv's 'g' with precision 6
// matches).
func appendCFloatG(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, v, 'g', 6, 64)
}
