package main

// A deliberately small C front end: enough of a tokenizer, preprocessor,
// constant-expression evaluator and initializer parser to read the tables
// of falcosecurity/libs. Anything it does not understand is an error, so
// that a change upstream makes the generator fail instead of guessing.

import (
	"fmt"
	"strconv"
	"strings"
)

type tokKind int

const (
	tkIdent tokKind = iota
	tkNum
	tkStr
	tkChar
	tkPunct
)

type token struct {
	kind tokKind
	s    string // for tkStr: the decoded value
}

func (t token) String() string {
	if t.kind == tkStr {
		return strconv.Quote(t.s)
	}
	return t.s
}

func tokText(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.String())
	}
	return b.String()
}

// stripComments replaces comments by a space (block comments keep their
// newlines so that line structure survives), leaving strings alone.
func stripComments(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(src) && src[j] == c {
				j++
			}
			b.WriteString(src[i:j])
			i = j
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			b.WriteByte(' ')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			end := len(src)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteByte(' ')
			b.WriteString(strings.Repeat("\n", strings.Count(src[i:end], "\n")))
			i = end
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

var puncts3 = []string{"<<=", ">>=", "..."}
var puncts2 = []string{"<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "->", "##", "::", "++", "--", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "%="}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// tokenize splits comment-free C source into tokens.
func tokenize(src string) ([]token, error) {
	var ts []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			ts = append(ts, token{tkIdent, src[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (isIdentChar(src[j]) || src[j] == '.') {
				j++
			}
			ts = append(ts, token{tkNum, src[i:j]})
			i = j
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\n' {
					return nil, fmt.Errorf("newline in string literal near %q", src[i:j])
				}
				if src[j] == '\\' {
					j++
					if j >= len(src) {
						break
					}
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case '\\', '"', '\'':
						b.WriteByte(src[j])
					case '0':
						b.WriteByte(0)
					default:
						return nil, fmt.Errorf("unsupported escape \\%c in string literal", src[j])
					}
					continue
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string literal")
			}
			s := b.String()
			// Adjacent literals concatenate.
			if n := len(ts); n > 0 && ts[n-1].kind == tkStr {
				ts[n-1].s += s
			} else {
				ts = append(ts, token{tkStr, s})
			}
			i = j + 1
		case c == '\'':
			j := i + 1
			for j < len(src) && src[j] != '\'' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated character literal")
			}
			ts = append(ts, token{tkChar, src[i : j+1]})
			i = j + 1
		default:
			p := string(c)
			for _, cand := range puncts3 {
				if strings.HasPrefix(src[i:], cand) {
					p = cand
					break
				}
			}
			if len(p) == 1 {
				for _, cand := range puncts2 {
					if strings.HasPrefix(src[i:], cand) {
						p = cand
						break
					}
				}
			}
			ts = append(ts, token{tkPunct, p})
			i += len(p)
		}
	}
	return ts, nil
}

// ---------------------------------------------------------------------
// Preprocessor

type macro struct {
	fn     bool
	params []string
	body   []token
}

type cpp struct {
	macros map[string]*macro
}

func newCPP() *cpp { return &cpp{macros: map[string]*macro{}} }

func (p *cpp) clone() *cpp {
	q := newCPP()
	for k, v := range p.macros {
		q.macros[k] = v
	}
	return q
}

func (p *cpp) define(name, body string) {
	ts, err := tokenize(body)
	if err != nil {
		panic(err)
	}
	p.macros[name] = &macro{body: ts}
}

type condFrame struct {
	parentActive bool
	active       bool
	taken        bool
	sawElse      bool
}

// run preprocesses src: it records #defines in p.macros and returns the
// text of the active non-directive lines. Macros are not expanded in the
// returned text; callers expand where they evaluate.
func (p *cpp) run(name, src string) (string, error) {
	src = stripComments(src)
	src = strings.ReplaceAll(src, "\\\r\n", "")
	src = strings.ReplaceAll(src, "\\\n", "")
	var out strings.Builder
	var stack []condFrame
	active := func() bool { return len(stack) == 0 || stack[len(stack)-1].active }
	for lineNo, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			if active() {
				out.WriteString(line)
			}
			out.WriteByte('\n')
			continue
		}
		out.WriteByte('\n')
		t = strings.TrimSpace(t[1:])
		dir := t
		rest := ""
		if k := strings.IndexFunc(t, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z') }); k >= 0 {
			dir, rest = t[:k], strings.TrimSpace(t[k:])
		}
		fail := func(f string, a ...any) error {
			return fmt.Errorf("%s:%d: #%s: %s", name, lineNo+1, dir, fmt.Sprintf(f, a...))
		}
		switch dir {
		case "ifdef", "ifndef":
			_, def := p.macros[rest]
			if dir == "ifndef" {
				def = !def
			}
			pa := active()
			stack = append(stack, condFrame{parentActive: pa, active: pa && def, taken: pa && def})
		case "if":
			pa := active()
			v := false
			if pa {
				x, err := p.evalIf(rest)
				if err != nil {
					return "", fail("%v", err)
				}
				v = x != 0
			}
			stack = append(stack, condFrame{parentActive: pa, active: pa && v, taken: pa && v})
		case "elif":
			if len(stack) == 0 {
				return "", fail("without #if")
			}
			f := &stack[len(stack)-1]
			if f.sawElse {
				return "", fail("after #else")
			}
			if !f.parentActive || f.taken {
				f.active = false
				break
			}
			x, err := p.evalIf(rest)
			if err != nil {
				return "", fail("%v", err)
			}
			f.active = x != 0
			f.taken = f.active
		case "else":
			if len(stack) == 0 {
				return "", fail("without #if")
			}
			f := &stack[len(stack)-1]
			f.sawElse = true
			f.active = f.parentActive && !f.taken
			f.taken = true
		case "endif":
			if len(stack) == 0 {
				return "", fail("without #if")
			}
			stack = stack[:len(stack)-1]
		case "define":
			if !active() {
				break
			}
			k := 0
			for k < len(rest) && isIdentChar(rest[k]) {
				k++
			}
			if k == 0 {
				return "", fail("bad macro name")
			}
			mname := rest[:k]
			m := &macro{}
			body := rest[k:]
			if strings.HasPrefix(body, "(") {
				end := strings.IndexByte(body, ')')
				if end < 0 {
					return "", fail("bad parameter list")
				}
				m.fn = true
				for _, a := range strings.Split(body[1:end], ",") {
					if a = strings.TrimSpace(a); a != "" {
						m.params = append(m.params, a)
					}
				}
				body = body[end+1:]
			}
			ts, err := tokenize(body)
			if err != nil {
				return "", fail("%v", err)
			}
			m.body = ts
			p.macros[mname] = m
		case "undef":
			if active() {
				delete(p.macros, rest)
			}
		case "include", "pragma", "error", "warning", "":
			// Includes are supplied by the caller (macros pre-seeded).
		default:
			return "", fail("unknown directive")
		}
	}
	if len(stack) != 0 {
		return "", fmt.Errorf("%s: unterminated #if", name)
	}
	return out.String(), nil
}

// evalIf evaluates a #if expression: defined() first, unknown names are 0.
func (p *cpp) evalIf(s string) (int64, error) {
	ts, err := tokenize(s)
	if err != nil {
		return 0, err
	}
	var r []token
	for i := 0; i < len(ts); i++ {
		if ts[i].kind == tkIdent && ts[i].s == "defined" {
			var n string
			if i+1 < len(ts) && ts[i+1].s == "(" {
				if i+3 >= len(ts) || ts[i+3].s != ")" {
					return 0, fmt.Errorf("bad defined()")
				}
				n = ts[i+2].s
				i += 3
			} else if i+1 < len(ts) {
				n = ts[i+1].s
				i++
			}
			v := "0"
			if _, ok := p.macros[n]; ok {
				v = "1"
			}
			r = append(r, token{tkNum, v})
			continue
		}
		r = append(r, ts[i])
	}
	ex, err := p.expand(r, nil)
	if err != nil {
		return 0, err
	}
	return evalExpr(ex, func(string) (int64, error) { return 0, nil })
}

// expand performs macro substitution on ts (object-like and simple
// function-like macros; # and ## are not supported).
func (p *cpp) expand(ts []token, hide map[string]bool) ([]token, error) {
	var out []token
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		m, ok := p.macros[t.s]
		if t.kind != tkIdent || !ok || hide[t.s] {
			out = append(out, t)
			continue
		}
		for _, bt := range m.body {
			if bt.s == "#" || bt.s == "##" {
				return nil, fmt.Errorf("macro %s uses # or ##, not supported", t.s)
			}
		}
		h := map[string]bool{t.s: true}
		for k := range hide {
			h[k] = true
		}
		if !m.fn {
			ex, err := p.expand(m.body, h)
			if err != nil {
				return nil, err
			}
			out = append(out, ex...)
			continue
		}
		if i+1 >= len(ts) || ts[i+1].s != "(" {
			out = append(out, t)
			continue
		}
		// Collect arguments.
		var args [][]token
		var cur []token
		depth := 0
		j := i + 2
		for ; j < len(ts); j++ {
			s := ts[j].s
			if ts[j].kind == tkPunct && (s == "(" || s == "[" || s == "{") {
				depth++
			} else if ts[j].kind == tkPunct && (s == ")" || s == "]" || s == "}") {
				if depth == 0 {
					break
				}
				depth--
			} else if ts[j].kind == tkPunct && s == "," && depth == 0 {
				args = append(args, cur)
				cur = nil
				continue
			}
			cur = append(cur, ts[j])
		}
		if j >= len(ts) {
			return nil, fmt.Errorf("unterminated call of macro %s", t.s)
		}
		if len(cur) > 0 || len(args) > 0 {
			args = append(args, cur)
		}
		if len(args) != len(m.params) {
			return nil, fmt.Errorf("macro %s: %d args, want %d", t.s, len(args), len(m.params))
		}
		var body []token
		for _, bt := range m.body {
			k := -1
			if bt.kind == tkIdent {
				for pi, pn := range m.params {
					if pn == bt.s {
						k = pi
					}
				}
			}
			if k >= 0 {
				a, err := p.expand(args[k], hide)
				if err != nil {
					return nil, err
				}
				body = append(body, a...)
			} else {
				body = append(body, bt)
			}
		}
		ex, err := p.expand(body, h)
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
		i = j
	}
	return out, nil
}

// ---------------------------------------------------------------------
// Constant expressions

func parseIntLit(s string) (uint64, error) {
	t := strings.TrimRight(strings.ToLower(s), "ul")
	base := 10
	switch {
	case strings.HasPrefix(t, "0x"):
		base, t = 16, t[2:]
	case len(t) > 1 && t[0] == '0':
		base, t = 8, t[1:]
	}
	v, err := strconv.ParseUint(t, base, 64)
	if err != nil {
		return 0, fmt.Errorf("bad integer literal %q", s)
	}
	return v, nil
}

type exprParser struct {
	ts      []token
	pos     int
	resolve func(string) (int64, error)
}

// evalExpr evaluates an (already macro-expanded) integer constant
// expression. Identifiers are handed to resolve.
func evalExpr(ts []token, resolve func(string) (int64, error)) (int64, error) {
	ep := &exprParser{ts: ts, resolve: resolve}
	v, err := ep.ternary()
	if err != nil {
		return 0, err
	}
	if ep.pos != len(ts) {
		return 0, fmt.Errorf("trailing tokens in expression %q", tokText(ts))
	}
	return v, nil
}

func (e *exprParser) peek() string {
	if e.pos < len(e.ts) && e.ts[e.pos].kind == tkPunct {
		return e.ts[e.pos].s
	}
	return ""
}

var binPrec = map[string]int{
	"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
	"==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7, ">=": 7,
	"<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}

func (e *exprParser) ternary() (int64, error) {
	c, err := e.binary(1)
	if err != nil {
		return 0, err
	}
	if e.peek() != "?" {
		return c, nil
	}
	e.pos++
	a, err := e.ternary()
	if err != nil {
		return 0, err
	}
	if e.peek() != ":" {
		return 0, fmt.Errorf("expected ':'")
	}
	e.pos++
	b, err := e.ternary()
	if err != nil {
		return 0, err
	}
	if c != 0 {
		return a, nil
	}
	return b, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (e *exprParser) binary(minPrec int) (int64, error) {
	l, err := e.unary()
	if err != nil {
		return 0, err
	}
	for {
		op := e.peek()
		prec, ok := binPrec[op]
		if !ok || prec < minPrec {
			return l, nil
		}
		e.pos++
		r, err := e.binary(prec + 1)
		if err != nil {
			return 0, err
		}
		switch op {
		case "||":
			l = b2i(l != 0 || r != 0)
		case "&&":
			l = b2i(l != 0 && r != 0)
		case "|":
			l |= r
		case "^":
			l ^= r
		case "&":
			l &= r
		case "==":
			l = b2i(l == r)
		case "!=":
			l = b2i(l != r)
		case "<":
			l = b2i(l < r)
		case ">":
			l = b2i(l > r)
		case "<=":
			l = b2i(l <= r)
		case ">=":
			l = b2i(l >= r)
		case "<<":
			l = int64(uint64(l) << uint64(r))
		case ">>":
			l = int64(uint64(l) >> uint64(r))
		case "+":
			l += r
		case "-":
			l -= r
		case "*":
			l *= r
		case "/", "%":
			if r == 0 {
				return 0, fmt.Errorf("division by zero")
			}
			if op == "/" {
				l /= r
			} else {
				l %= r
			}
		}
	}
}

var typeWords = map[string]bool{
	"void": true, "int": true, "unsigned": true, "signed": true, "long": true,
	"short": true, "char": true, "enum": true, "struct": true, "const": true,
	"uint8_t": true, "uint16_t": true, "uint32_t": true, "uint64_t": true,
	"int8_t": true, "int16_t": true, "int32_t": true, "int64_t": true,
	"ppm_event_flags": true, "ppm_event_category": true, "ppm_syscall_code": true,
}

func (e *exprParser) unary() (int64, error) {
	if e.pos >= len(e.ts) {
		return 0, fmt.Errorf("unexpected end of expression")
	}
	t := e.ts[e.pos]
	switch {
	case t.kind == tkPunct && (t.s == "-" || t.s == "+" || t.s == "~" || t.s == "!"):
		e.pos++
		v, err := e.unary()
		if err != nil {
			return 0, err
		}
		switch t.s {
		case "-":
			return -v, nil
		case "~":
			return ^v, nil
		case "!":
			return b2i(v == 0), nil
		}
		return v, nil
	case t.kind == tkPunct && t.s == "(":
		// A cast?
		j := e.pos + 1
		for j < len(e.ts) && (e.ts[j].kind == tkIdent && typeWords[e.ts[j].s] || e.ts[j].s == "*") {
			j++
		}
		if j > e.pos+1 && j < len(e.ts) && e.ts[j].s == ")" {
			e.pos = j + 1
			return e.unary()
		}
		e.pos++
		v, err := e.ternary()
		if err != nil {
			return 0, err
		}
		if e.peek() != ")" {
			return 0, fmt.Errorf("expected ')' in %q", tokText(e.ts))
		}
		e.pos++
		return v, nil
	case t.kind == tkNum:
		e.pos++
		v, err := parseIntLit(t.s)
		return int64(v), err
	case t.kind == tkIdent:
		e.pos++
		return e.resolve(t.s)
	}
	return 0, fmt.Errorf("unexpected token %q in expression %q", t.s, tokText(e.ts))
}

// ---------------------------------------------------------------------
// Enums

type enumVal struct {
	v   int64
	err error
}

// scanEnums finds every enum body in ts and evaluates its enumerators in
// order. An enum whose body cannot be parsed is skipped; its names stay
// unknown, so any use of them fails later.
func scanEnums(p *cpp, ts []token, consts map[string]enumVal, order *[]string) {
	for i := 0; i < len(ts); i++ {
		if ts[i].kind != tkIdent || ts[i].s != "enum" {
			continue
		}
		j := i + 1
		if j < len(ts) && ts[j].kind == tkIdent {
			j++
		}
		if j >= len(ts) || ts[j].s != "{" {
			continue
		}
		end := j + 1
		for end < len(ts) && ts[end].s != "}" {
			end++
		}
		body := ts[j+1 : end]
		i = end
		// Split at top-level commas.
		var items [][]token
		var cur []token
		depth := 0
		for _, t := range body {
			switch {
			case t.s == "(":
				depth++
			case t.s == ")":
				depth--
			case t.s == "," && depth == 0:
				items = append(items, cur)
				cur = nil
				continue
			}
			cur = append(cur, t)
		}
		if len(cur) > 0 {
			items = append(items, cur)
		}
		ok := true
		for _, it := range items {
			if it[0].kind != tkIdent || len(it) > 1 && it[1].s != "=" || len(it) == 2 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		next := int64(0)
		var prevErr error
		for _, it := range items {
			name := it[0].s
			var ev enumVal
			if len(it) > 2 {
				ex, err := p.expand(it[2:], nil)
				if err == nil {
					var v int64
					v, err = evalExpr(ex, func(n string) (int64, error) {
						c, ok := consts[n]
						if !ok {
							return 0, fmt.Errorf("unresolved identifier %s", n)
						}
						return c.v, c.err
					})
					ev = enumVal{v, err}
				} else {
					ev = enumVal{0, err}
				}
			} else {
				ev = enumVal{next, prevErr}
			}
			if _, dup := consts[name]; !dup {
				*order = append(*order, name)
			}
			consts[name] = ev
			next, prevErr = ev.v+1, ev.err
		}
	}
}

// ---------------------------------------------------------------------
// Initializers

type initNode struct {
	desig  []token // tokens between [ and ] of a designator, if any
	isList bool
	list   []*initNode
	expr   []token
}

func parseInit(ts []token, pos int) (*initNode, int, error) {
	if pos < len(ts) && ts[pos].s == "{" && ts[pos].kind == tkPunct {
		n := &initNode{isList: true}
		pos++
		for {
			if pos >= len(ts) {
				return nil, pos, fmt.Errorf("unterminated initializer list")
			}
			if ts[pos].s == "}" {
				return n, pos + 1, nil
			}
			var desig []token
			if ts[pos].s == "[" {
				k := pos + 1
				for k < len(ts) && ts[k].s != "]" {
					k++
				}
				if k+1 >= len(ts) || ts[k+1].s != "=" {
					return nil, pos, fmt.Errorf("bad designator")
				}
				desig = ts[pos+1 : k]
				pos = k + 2
			}
			c, np, err := parseInit(ts, pos)
			if err != nil {
				return nil, pos, err
			}
			c.desig = desig
			n.list = append(n.list, c)
			pos = np
			if pos < len(ts) && ts[pos].s == "," {
				pos++
				continue
			}
			if pos < len(ts) && ts[pos].s == "}" {
				continue
			}
			return nil, pos, fmt.Errorf("expected ',' or '}' in initializer, got %q", ts[pos].s)
		}
	}
	n := &initNode{}
	depth := 0
	for pos < len(ts) {
		s := ts[pos].s
		if ts[pos].kind == tkPunct {
			if s == "(" {
				depth++
			} else if s == ")" {
				depth--
			} else if depth == 0 && (s == "," || s == "}") {
				break
			}
		}
		n.expr = append(n.expr, ts[pos])
		pos++
	}
	if len(n.expr) == 0 {
		return nil, pos, fmt.Errorf("empty initializer element")
	}
	return n, pos, nil
}

// findArrayInit returns the initializer of the array variable named name
// (the first `name [ ... ] = {`), or nil if there is none.
func findArrayInit(ts []token, name string) (*initNode, error) {
	for i := 0; i+1 < len(ts); i++ {
		if ts[i].kind != tkIdent || ts[i].s != name || ts[i+1].s != "[" {
			continue
		}
		j := i + 2
		for j < len(ts) && ts[j].s != "]" {
			j++
		}
		if j+2 >= len(ts) || ts[j+1].s != "=" || ts[j+2].s != "{" {
			continue
		}
		n, _, err := parseInit(ts, j+2)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return n, nil
	}
	return nil, nil
}

// structArrays lists, in source order, the names of array variables of
// type `struct tag` that have initializers.
func structArrays(ts []token, tag string) []string {
	var names []string
	for i := 0; i+3 < len(ts); i++ {
		if ts[i].s == "struct" && ts[i+1].s == tag && ts[i+2].kind == tkIdent && ts[i+3].s == "[" {
			j := i + 4
			for j < len(ts) && ts[j].s != "]" {
				j++
			}
			if j+2 < len(ts) && ts[j+1].s == "=" && ts[j+2].s == "{" {
				names = append(names, ts[i+2].s)
			}
		}
	}
	return names
}
