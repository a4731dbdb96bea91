package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The filter language is not context free at the level of characters: a
// ',' ends a value inside a list and not outside, '=' ends a field name
// and not a value. So the scanner has one method per kind of token, and
// the parser asks for the kind it expects next, as sysdig's compiler
// does.

// tokenKind is the kind of a token.
type tokenKind uint8

const (
	tEOF     tokenKind = iota
	tLparen            // (
	tRparen            // )
	tComma             // ,
	tWord              // a field name or keyword
	tOp                // a comparison operator
	tValue             // a value, quoted or bare
	tIllegal           // a byte that starts no token allowed here
)

// token is one token: its kind, where it starts, the text as written and,
// for values, the text it stands for.
type token struct {
	kind   tokenKind
	pos    Pos
	raw    string
	text   string // tValue: without quotes, escapes resolved
	op     Op     // tOp
	quoted bool   // tValue
}

// describe names a token for an error message: 'and', ')', end of filter.
func (t token) describe() string {
	if t.kind == tEOF {
		return "end of filter"
	}
	return quote(t.raw)
}

// quote puts s in single quotes for an error message, cutting it if long
// and escaping what does not print, so that the message stays one line.
func quote(s string) string {
	const max = 40
	cut := false
	if len(s) > max {
		s, cut = s[:max], true
	}
	b := []byte{'\''}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = fmt.Appendf(b, `\x%02x`, s[i])
		case !unicode.IsPrint(r):
			q := strconv.QuoteRune(r)
			b = append(b, q[1:len(q)-1]...)
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	if cut {
		b = append(b, "..."...)
	}
	return string(append(b, '\''))
}

// isBlank reports whether c separates tokens: sysdig's blanks.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// endsWord reports whether c ends a field name or keyword: a blank or one
// of sysdig's special characters ( ) ! = < >.
func endsWord(c byte) bool {
	return isBlank(c) || c == '(' || c == ')' || c == '!' || c == '=' || c == '<' || c == '>'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanner reads tokens from a filter.
type scanner struct {
	src string
	off int // next byte to read
}

// skipBlanks moves past blanks.
func (s *scanner) skipBlanks() {
	for s.off < len(s.src) && isBlank(s.src[s.off]) {
		s.off++
	}
}

// punct returns the token for a parenthesis or comma at the current
// offset, or false.
func (s *scanner) punct() (token, bool) {
	if s.off >= len(s.src) {
		return token{kind: tEOF, pos: Pos(s.off)}, true
	}
	var k tokenKind
	switch s.src[s.off] {
	case '(':
		k = tLparen
	case ')':
		k = tRparen
	case ',':
		k = tComma
	default:
		return token{}, false
	}
	t := token{kind: k, pos: Pos(s.off), raw: s.src[s.off : s.off+1]}
	s.off++
	return t, true
}

// word scans what may start an expression or follow one: a parenthesis,
// a keyword or a field name. A word runs up to a blank or one of ( ) ! = <
// >; any other byte that cannot start one is tIllegal.
func (s *scanner) word() token {
	s.skipBlanks()
	if t, ok := s.punct(); ok {
		return t
	}
	start := s.off
	if endsWord(s.src[s.off]) {
		// One of ! = < >: show the operator it starts.
		for s.off < len(s.src) && strings.IndexByte("!=<>", s.src[s.off]) >= 0 {
			s.off++
		}
		return token{kind: tIllegal, pos: Pos(start), raw: s.src[start:s.off]}
	}
	for s.off < len(s.src) && !endsWord(s.src[s.off]) {
		s.off++
	}
	return token{kind: tWord, pos: Pos(start), raw: s.src[start:s.off]}
}

// operator scans a comparison operator: one of = == != < <= > >=, or a
// word of letters, digits and underscores, which it looks up.
func (s *scanner) operator() token {
	s.skipBlanks()
	start := s.off
	if s.off >= len(s.src) {
		return token{kind: tEOF, pos: Pos(start)}
	}
	c := s.src[s.off]
	var op Op
	switch c {
	case '=':
		op = OpEq
		if s.peekAt(1) == '=' {
			op = OpEqEq
		}
	case '!':
		if s.peekAt(1) == '=' {
			op = OpNe
		}
	case '<':
		op = OpLt
		if s.peekAt(1) == '=' {
			op = OpLe
		}
	case '>':
		op = OpGt
		if s.peekAt(1) == '=' {
			op = OpGe
		}
	default:
		if !isLetter(c) {
			return token{kind: tIllegal, pos: Pos(start), raw: s.src[start : start+1]}
		}
		for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
			s.off++
		}
		w := s.src[start:s.off]
		return token{kind: tOp, pos: Pos(start), raw: w, op: wordOps[w]}
	}
	if op == OpInvalid {
		s.off++
		return token{kind: tIllegal, pos: Pos(start), raw: s.src[start:s.off]}
	}
	s.off += len(op.String())
	return token{kind: tOp, pos: Pos(start), raw: s.src[start:s.off], op: op}
}

func (s *scanner) peekAt(n int) byte {
	if s.off+n < len(s.src) {
		return s.src[s.off+n]
	}
	return 0
}

// value scans a value. A value in single or double quotes runs to the
// matching unescaped quote and may hold anything. A bare value runs up to
// a blank or a parenthesis, and inside a list up to a comma too. In both,
// as in sysdig, \\ stands for \, \" for ", \xHH for the byte HH, and a
// backslash before anything else stands for itself. At a parenthesis,
// comma or the end, it returns that token instead.
func (s *scanner) value(inList bool) (token, *Error) {
	s.skipBlanks()
	if s.off >= len(s.src) {
		return token{kind: tEOF, pos: Pos(s.off)}, nil
	}
	c := s.src[s.off]
	if c == '(' || c == ')' || (inList && c == ',') {
		t, _ := s.punct()
		s.off-- // not consumed
		return t, nil
	}
	start := s.off
	if c == '"' || c == '\'' {
		s.off++
		var b []byte // only built when there is an escape
		from := s.off
		for s.off < len(s.src) {
			switch s.src[s.off] {
			case c:
				text := s.src[from:s.off]
				if b != nil {
					text = string(append(b, text...))
				}
				s.off++
				return token{kind: tValue, pos: Pos(start), raw: s.src[start:s.off], text: text, quoted: true}, nil
			case '\\':
				if b == nil {
					b = make([]byte, 0, len(s.src)-from)
				}
				b = append(b, s.src[from:s.off]...)
				var err *Error
				if b, err = s.escape(b, nil); err != nil {
					return token{}, err
				}
				from = s.off
				continue
			}
			s.off++
		}
		return token{}, s.errorAt(Pos(start), "unclosed quote")
	}
	var b []byte
	from := s.off
	for s.off < len(s.src) {
		c := s.src[s.off]
		if ends(c, inList) {
			break
		}
		if c == '\\' {
			b = append(b, s.src[from:s.off]...)
			var err *Error
			if b, err = s.escape(b, func(c byte) bool { return ends(c, inList) }); err != nil {
				return token{}, err
			}
			from = s.off
			continue
		}
		s.off++
	}
	text := s.src[from:s.off]
	if b != nil {
		text = string(append(b, text...))
	}
	return token{kind: tValue, pos: Pos(start), raw: s.src[start:s.off], text: text}, nil
}

// ends reports whether c ends a bare value.
func ends(c byte, inList bool) bool {
	return isBlank(c) || c == '(' || c == ')' || (inList && c == ',')
}

// escape decodes the escape sequence at the current offset, a backslash,
// appending what it stands for to b. In a bare value, a backslash may not
// come before a byte that ends the value (ender reports those); in a
// quoted one, ender is nil.
func (s *scanner) escape(b []byte, ender func(byte) bool) ([]byte, *Error) {
	start := s.off
	s.off++ // the backslash
	if s.off >= len(s.src) {
		return nil, s.errorAt(Pos(start), "unfinished escape sequence '\\'")
	}
	c := s.src[s.off]
	switch {
	case c == '\\' || c == '"':
		s.off++
		return append(b, c), nil
	case c == 'x':
		if s.off+2 < len(s.src) && isHex(s.src[s.off+1]) && isHex(s.src[s.off+2]) {
			v := unhex(s.src[s.off+1])<<4 | unhex(s.src[s.off+2])
			s.off += 3
			return append(b, v), nil
		}
		end := min(s.off+3, len(s.src))
		return nil, s.errorAt(Pos(start), "invalid escape sequence "+quote(s.src[start:end])+": \\x needs two hexadecimal digits")
	case ender != nil && ender(c):
		return nil, s.errorAt(Pos(start), "unfinished escape sequence '\\'")
	}
	// Anything else stands for itself, backslash included; the byte after
	// the backslash never ends a value, a quote included.
	s.off++
	return append(b, '\\', c), nil
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// errorAt returns an error at pos.
func (s *scanner) errorAt(pos Pos, msg string) *Error {
	return newError(s.src, pos, msg)
}
