package filter

import (
	"bytes"

	"github.com/syscope/syscope/fields"
)

// globMatch reports whether s matches the shell pattern pat as glibc's
// fnmatch(3) decides with no flags, which sysdig's glob uses: * and ? match
// any bytes, / and a leading . included; [...] is a set of bytes, with
// ranges, classes such as [:digit:], and ! or ^ to negate; a backslash
// makes the next byte literal. A pattern ending in a lone backslash
// matches nothing; an unterminated [ is literal. With fold, ASCII case is
// ignored, as FNM_CASEFOLD does (iglob).
func globMatch(pat, s []byte, fold bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, -1
	for px < len(pat) || sx < len(s) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				// Try the star matching nothing; come back to make it
				// match one more byte when the rest fails.
				starPx, starSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					n, ok := matchBracket(pat[px:], s[sx], fold)
					if n == 0 {
						// Unterminated: a literal [.
						ok, n = s[sx] == '[', 1
					}
					if ok {
						px += n
						sx++
						continue
					}
				}
			case '\\':
				if px+1 == len(pat) {
					return false
				}
				if sx < len(s) && sameByte(pat[px+1], s[sx], fold) {
					px += 2
					sx++
					continue
				}
			default:
				if sx < len(s) && sameByte(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		if 0 < starSx && starSx <= len(s) {
			px, sx = starPx, starSx
			continue
		}
		return false
	}
	return true
}

func sameByte(a, b byte, fold bool) bool {
	if fold {
		return toLower(a) == toLower(b)
	}
	return a == b
}

// matchBracket matches c against the bracket expression at the start of
// p, which starts with '['. It returns the length of the expression and
// whether c matches, or 0 if the expression is not terminated.
func matchBracket(p []byte, c byte, fold bool) (n int, ok bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	orig := c // classes look at the byte as it is, folding or not
	if fold {
		c = toLower(c)
	}
	matched := false
	for first := true; ; first = false {
		if i >= len(p) {
			return 0, false
		}
		lo := p[i]
		if lo == ']' && !first {
			i++
			break
		}
		if lo == '[' && i+1 < len(p) && p[i+1] == ':' {
			if end := bytes.Index(p[i+2:], []byte(":]")); end >= 0 {
				if inClass(string(p[i+2:i+2+end]), orig) {
					matched = true
				}
				i += 2 + end + 2
				continue
			}
		}
		if lo == '\\' {
			i++
			if i >= len(p) {
				return 0, false
			}
			lo = p[i]
		}
		i++
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi := p[i+1]
			i += 2
			if hi == '\\' {
				if i >= len(p) {
					return 0, false
				}
				hi = p[i]
				i++
			}
			if fold {
				lo, hi = toLower(lo), toLower(hi)
			}
			if lo <= c && c <= hi {
				matched = true
			}
			continue
		}
		if fold {
			lo = toLower(lo)
		}
		if lo == c {
			matched = true
		}
	}
	return i, matched != neg
}

// inClass reports whether c is in the character class name, in the C
// locale.
func inClass(name string, c byte) bool {
	switch name {
	case "alnum":
		return isLetter(c) || isDigit(c)
	case "alpha":
		return isLetter(c)
	case "blank":
		return c == ' ' || c == '\t'
	case "cntrl":
		return c < 0x20 || c == 0x7f
	case "digit":
		return isDigit(c)
	case "graph":
		return 0x21 <= c && c <= 0x7e
	case "lower":
		return 'a' <= c && c <= 'z'
	case "print":
		return 0x20 <= c && c <= 0x7e
	case "punct":
		return 0x21 <= c && c <= 0x7e && !isLetter(c) && !isDigit(c)
	case "space":
		return c == ' ' || '\t' <= c && c <= '\r'
	case "upper":
		return 'A' <= c && c <= 'Z'
	case "xdigit":
		return isHex(c)
	}
	return false
}

// pmatchTest is the test of pmatch: the value is a path at or under one of
// the listed paths, comparing whole components (empty ones skipped), so
// /etc matches /etc and /etc/passwd but not /etcetera. It is sysdig's
// path_prefix_search.
func pmatchTest(list []*Value) func(v *fields.Value) bool {
	prefixes := make([][][]byte, len(list))
	for i, v := range list {
		var comps [][]byte
		for rest := []byte(v.Text); ; {
			var c []byte
			c, rest = nextComponent(rest)
			if c == nil {
				break
			}
			comps = append(comps, c)
		}
		prefixes[i] = comps
	}
	return func(v *fields.Value) bool {
	next:
		for _, comps := range prefixes {
			rest := v.Str
			for _, want := range comps {
				var c []byte
				c, rest = nextComponent(rest)
				if c == nil || !bytes.Equal(c, want) {
					continue next
				}
			}
			return true
		}
		return false
	}
}

// nextComponent returns the first non-empty component of the path p and
// what follows it, or nil when there is none.
func nextComponent(p []byte) (comp, rest []byte) {
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	if len(p) == 0 {
		return nil, nil
	}
	i := bytes.IndexByte(p, '/')
	if i < 0 {
		return p, nil
	}
	return p[:i], p[i:]
}
