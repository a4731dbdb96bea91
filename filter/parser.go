package filter

import (
	"fmt"
	"strings"
)

// MaxDepth bounds how deeply parentheses and "not" may nest.
const MaxDepth = 200

// Error is a syntax or compilation error in a filter. Its message is one
// line saying what is wrong where:
//
//	filter: column 18: expected a value after 'contains'
//
// Columns count bytes from 1; a filter of several lines also names the
// line.
type Error struct {
	Pos    Pos // byte offset in the filter
	Line   int // from 1
	Column int // from 1, in bytes
	Msg    string
}

func (e *Error) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("filter: line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("filter: column %d: %s", e.Column, e.Msg)
}

// newError returns an error at pos in src.
func newError(src string, pos Pos, msg string) *Error {
	p := min(max(int(pos), 0), len(src))
	line := 1 + strings.Count(src[:p], "\n")
	col := p + 1
	if i := strings.LastIndexByte(src[:p], '\n'); i >= 0 {
		col = p - i
	}
	return &Error{Pos: Pos(p), Line: line, Column: col, Msg: msg}
}

// Parse parses a filter into its syntax tree, without looking fields up.
//
// The grammar, "and" binding tighter than "or":
//
//	filter = or .
//	or     = and { "or" and } .
//	and    = not { "and" not } .
//	not    = "not" not | "(" or ")" | check .
//	check  = field ( "exists" | op value | listop "(" [ value { "," value } ] ")" ) .
//	op     = "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains"
//	       | "bcontains" | "startswith" | "bstartswith" | "endswith" | "glob" | "iglob" | "regex" .
//	listop = "in" | "intersects" | "pmatch" .
//
// A field runs up to a blank or one of ( ) ! = < >. See the package
// documentation for values.
func Parse(src string) (x Expr, err error) {
	p := &parser{s: scanner{src: src}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			x, err = nil, e
		}
	}()
	p.s.skipBlanks()
	if p.s.off >= len(src) {
		p.fail(Pos(p.s.off), "empty filter")
	}
	x = p.parseOr()
	switch t := p.s.word(); t.kind {
	case tEOF:
	case tRparen:
		p.fail(t.pos, "unexpected ')' with no '(' before it")
	default:
		p.fail(t.pos, "expected 'and', 'or' or end of filter, found "+t.describe())
	}
	return x, nil
}

type parser struct {
	s     scanner
	depth int
}

// fail stops parsing with an error at pos.
func (p *parser) fail(pos Pos, msg string) {
	panic(p.s.errorAt(pos, msg))
}

// keyword reports whether the next word is kw, and consumes it if so.
func (p *parser) keyword(kw string) (Pos, bool) {
	save := p.s.off
	t := p.s.word()
	if t.kind == tWord && t.raw == kw {
		return t.pos, true
	}
	p.s.off = save
	return NoPos, false
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	var list []Expr
	var ops []Pos
	for {
		pos, ok := p.keyword("or")
		if !ok {
			break
		}
		if list == nil {
			list = []Expr{x}
		}
		ops = append(ops, pos)
		list = append(list, p.parseAnd())
	}
	if list == nil {
		return x
	}
	return &BinaryExpr{Op: Or, X: list, OpPos: ops}
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	var list []Expr
	var ops []Pos
	for {
		pos, ok := p.keyword("and")
		if !ok {
			break
		}
		if list == nil {
			list = []Expr{x}
		}
		ops = append(ops, pos)
		list = append(list, p.parseNot())
	}
	if list == nil {
		return x
	}
	return &BinaryExpr{Op: And, X: list, OpPos: ops}
}

// enter counts one more level of nesting, failing past MaxDepth.
func (p *parser) enter(pos Pos) {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(pos, fmt.Sprintf("expression nested too deeply (more than %d levels)", MaxDepth))
	}
}

func (p *parser) parseNot() Expr {
	t := p.s.word()
	switch t.kind {
	case tLparen:
		p.enter(t.pos)
		x := p.parseOr()
		r := p.s.word()
		if r.kind != tRparen {
			p.fail(r.pos, "expected 'and', 'or' or ')', found "+r.describe())
		}
		p.depth--
		return &ParenExpr{Lparen: t.pos, X: x, Rparen: r.pos}
	case tWord:
		switch t.raw {
		case "not":
			p.enter(t.pos)
			x := p.parseNot()
			p.depth--
			return &NotExpr{Not: t.pos, X: x}
		case "and", "or":
		default:
			if isLetter(t.raw[0]) {
				return p.parseCheck(t)
			}
		}
	}
	p.fail(t.pos, "expected a field, '(' or 'not', found "+t.describe())
	return nil
}

func (p *parser) parseCheck(f token) Expr {
	x := &CheckExpr{Field: Field{NamePos: f.pos, Name: f.raw}, Lparen: NoPos, Rparen: NoPos}
	t := p.s.operator()
	switch {
	case t.kind == tEOF:
		p.fail(t.pos, "expected an operator after "+quote(f.raw)+", found end of filter")
	case t.kind == tIllegal:
		p.fail(t.pos, "expected an operator after "+quote(f.raw)+", found "+t.describe())
	case t.op == OpInvalid:
		p.fail(t.pos, "unknown operator "+quote(t.raw)+" after "+quote(f.raw))
	}
	x.OpPos, x.Op = t.pos, t.op
	switch {
	case t.op.IsUnary():
	case t.op.IsList():
		p.parseList(x)
	default:
		v := p.value(false)
		if v.kind != tValue {
			p.fail(v.pos, "expected a value after "+quote(t.raw))
		}
		x.Value = &Value{ValuePos: v.pos, Raw: v.raw, Text: v.text, Quoted: v.quoted}
	}
	return x
}

func (p *parser) value(inList bool) token {
	t, err := p.s.value(inList)
	if err != nil {
		panic(err)
	}
	return t
}

// parseList parses the parenthesized list of values of x's operator.
func (p *parser) parseList(x *CheckExpr) {
	p.s.skipBlanks()
	l, _ := p.s.punct()
	if l.kind != tLparen {
		t := p.s.word()
		p.fail(t.pos, "expected '(' after "+quote(x.Op.String())+", found "+t.describe())
	}
	x.Lparen = l.pos
	after := "'('"
	for {
		v := p.value(true)
		switch {
		case v.kind == tValue:
			x.List = append(x.List, &Value{ValuePos: v.pos, Raw: v.raw, Text: v.text, Quoted: v.quoted})
		case v.kind == tRparen && len(x.List) == 0:
			p.s.off++
			x.Rparen = v.pos
			return
		default:
			p.fail(v.pos, "expected a value after "+after)
		}
		p.s.skipBlanks()
		t, ok := p.s.punct()
		switch {
		case ok && t.kind == tRparen:
			x.Rparen = t.pos
			return
		case ok && t.kind == tComma:
			after = "','"
			continue
		}
		if !ok {
			t = p.s.word()
		}
		p.fail(t.pos, "expected ',' or ')' in the list of "+quote(x.Op.String())+", found "+t.describe())
	}
}
