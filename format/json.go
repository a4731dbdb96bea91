package format

// AppendJSONString appends s as a quoted JSON string the way jsoncpp 1.9
// (which sysdig 0.29.3 links) writes it: '"' and '\\' escaped, the usual
// short escapes for \b \f \n \r \t, other control characters and every
// non-ASCII character as \u escapes (UTF-16 surrogate pairs above the
// BMP, U+FFFD for invalid UTF-8 sequences), '/' and DEL left alone.
func AppendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
			continue
		case '\\':
			dst = append(dst, '\\', '\\')
			continue
		case '\b':
			dst = append(dst, '\\', 'b')
			continue
		case '\f':
			dst = append(dst, '\\', 'f')
			continue
		case '\n':
			dst = append(dst, '\\', 'n')
			continue
		case '\r':
			dst = append(dst, '\\', 'r')
			continue
		case '\t':
			dst = append(dst, '\\', 't')
			continue
		}
		if c < 0x20 {
			dst = appendU16Escape(dst, uint32(c))
			continue
		}
		if c < 0x80 {
			dst = append(dst, c)
			continue
		}
		cp, n := utf8ToCodepoint(s[i:])
		i += n - 1
		if cp < 0x10000 {
			dst = appendU16Escape(dst, cp)
		} else {
			cp -= 0x10000
			dst = appendU16Escape(dst, 0xd800+((cp>>10)&0x3ff))
			dst = appendU16Escape(dst, 0xdc00+(cp&0x3ff))
		}
	}
	return append(dst, '"')
}

func appendU16Escape(dst []byte, v uint32) []byte {
	return append(dst, '\\', 'u',
		hexDigits[v>>12&15], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// utf8ToCodepoint decodes the sequence at the start of s (whose first byte
// is >= 0x80) as jsoncpp does, returning the code point and the number of
// bytes consumed. Continuation bytes are not checked; truncated, overlong
// and surrogate sequences give U+FFFD.
func utf8ToCodepoint(s []byte) (uint32, int) {
	const repl = 0xFFFD
	b0 := uint32(s[0])
	switch {
	case b0 < 0xE0:
		if len(s) < 2 {
			return repl, 1
		}
		cp := (b0&0x1F)<<6 | uint32(s[1])&0x3F
		if cp < 0x80 {
			return repl, 2
		}
		return cp, 2
	case b0 < 0xF0:
		if len(s) < 3 {
			return repl, 1
		}
		cp := (b0&0x0F)<<12 | (uint32(s[1])&0x3F)<<6 | uint32(s[2])&0x3F
		if cp >= 0xD800 && cp <= 0xDFFF {
			return repl, 3
		}
		if cp < 0x800 {
			return repl, 3
		}
		return cp, 3
	case b0 < 0xF8:
		if len(s) < 4 {
			return repl, 1
		}
		cp := (b0&0x07)<<18 | (uint32(s[1])&0x3F)<<12 | (uint32(s[2])&0x3F)<<6 | uint32(s[3])&0x3F
		if cp < 0x10000 {
			return repl, 4
		}
		return cp, 4
	}
	return repl, 1
}
