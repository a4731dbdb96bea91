package filter

import (
	"strconv"
	"strings"
	"testing"
)

// dump renders a tree compactly: (and a b), (not a), {a} for parentheses,
// (op field "value") for checks, with the values' text after unquoting.
func dump(x Expr) string {
	switch x := x.(type) {
	case *BinaryExpr:
		s := make([]string, len(x.X))
		for i, y := range x.X {
			s[i] = dump(y)
		}
		return "(" + x.Op.String() + " " + strings.Join(s, " ") + ")"
	case *NotExpr:
		return "(not " + dump(x.X) + ")"
	case *ParenExpr:
		return "{" + dump(x.X) + "}"
	case *CheckExpr:
		s := "(" + x.Op.String() + " " + x.Field.Name
		switch {
		case x.Op.IsList():
			var vs []string
			for _, v := range x.List {
				vs = append(vs, strconv.Quote(v.Text))
			}
			s += " [" + strings.Join(vs, " ") + "]"
		case x.Value != nil:
			s += " " + strconv.Quote(x.Value.Text)
		}
		return s + ")"
	}
	return "?"
}

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		{`proc.name=curl`, `(= proc.name "curl")`},
		{`proc.name = curl`, `(= proc.name "curl")`},
		{"\tproc.name\n=\r\ncurl ", `(= proc.name "curl")`},
		{`proc.name==curl`, `(== proc.name "curl")`},
		{`proc.name!=curl`, `(!= proc.name "curl")`},
		{`evt.num<3`, `(< evt.num "3")`},
		{`evt.num<=3`, `(<= evt.num "3")`},
		{`evt.num>3`, `(> evt.num "3")`},
		{`evt.num>=3`, `(>= evt.num "3")`},
		{`evt.num>=-3`, `(>= evt.num "-3")`},
		{`fd.name contains /etc`, `(contains fd.name "/etc")`},
		{`fd.name icontains /ETC`, `(icontains fd.name "/ETC")`},
		{`fd.name startswith /etc`, `(startswith fd.name "/etc")`},
		{`fd.name endswith .conf`, `(endswith fd.name ".conf")`},
		{`proc.name glob c*`, `(glob proc.name "c*")`},
		{`proc.name iglob C*`, `(iglob proc.name "C*")`},
		{`evt.buffer bcontains 474554`, `(bcontains evt.buffer "474554")`},
		{`evt.buffer bstartswith 47`, `(bstartswith evt.buffer "47")`},
		{`proc.name regex 'c.*l'`, `(regex proc.name "c.*l")`},
		{`evt.arg.fd exists`, `(exists evt.arg.fd)`},
		{`(evt.arg.fd exists)`, `{(exists evt.arg.fd)}`},
		{`evt.type in (open, close)`, `(in evt.type ["open" "close"])`},
		{`evt.type in(open,close)`, `(in evt.type ["open" "close"])`},
		{`evt.type in ( open , close )`, `(in evt.type ["open" "close"])`},
		{`evt.type in ()`, `(in evt.type [])`},
		{`evt.type in ('a b', "c,d", e)`, `(in evt.type ["a b" "c,d" "e"])`},
		{`fd.port intersects (53, 80)`, `(intersects fd.port ["53" "80"])`},
		{`fd.name pmatch (/etc, /usr)`, `(pmatch fd.name ["/etc" "/usr"])`},
		// and binds tighter than or.
		{`a.b=1 and c.d=2 or e.f=3`, `(or (and (= a.b "1") (= c.d "2")) (= e.f "3"))`},
		{`a.b=1 or c.d=2 and e.f=3`, `(or (= a.b "1") (and (= c.d "2") (= e.f "3")))`},
		{`a.b=1 and c.d=2 and e.f=3`, `(and (= a.b "1") (= c.d "2") (= e.f "3"))`},
		{`a.b=1 and (c.d=2 or e.f=3)`, `(and (= a.b "1") {(or (= c.d "2") (= e.f "3"))})`},
		{`(a.b=1)and(c.d=2)`, `(and {(= a.b "1")} {(= c.d "2")})`},
		{`not a.b=1`, `(not (= a.b "1"))`},
		{`not not a.b=1`, `(not (not (= a.b "1")))`},
		{`not(a.b=1)`, `(not {(= a.b "1")})`},
		{`not a.b=1 and c.d=2`, `(and (not (= a.b "1")) (= c.d "2"))`},
		{`a.b=1 and not c.d=2`, `(and (= a.b "1") (not (= c.d "2")))`},
		{`not evt.dir=<`, `(not (= evt.dir "<"))`},
		// Values: bare words run to a blank or parenthesis and keep
		// everything else, = , ! and quotes included.
		{`proc.args contains a=b,c`, `(contains proc.args "a=b,c")`},
		{`proc.name=c"url`, `(= proc.name "c\"url")`},
		{`proc.name=!x`, `(= proc.name "!x")`},
		{`proc.name="curl"`, `(= proc.name "curl")`},
		{`proc.name='curl'`, `(= proc.name "curl")`},
		{`proc.name='a "b" c'`, `(= proc.name "a \"b\" c")`},
		{`proc.name="a 'b' c"`, `(= proc.name "a 'b' c")`},
		{`proc.name=""`, `(= proc.name "")`},
		{`proc.name="and"`, `(= proc.name "and")`},
		{`proc.name=and`, `(= proc.name "and")`},
		// Escapes, as sysdig's: \\, \", \xHH; others stay as written.
		{`proc.name=cu\x72l`, `(= proc.name "curl")`},
		{`proc.name="a\"b"`, `(= proc.name "a\"b")`},
		{`proc.name='a\'b'`, `(= proc.name "a\\'b")`},
		{`proc.name="a\\b"`, `(= proc.name "a\\b")`},
		{`proc.name="a\nb"`, `(= proc.name "a\\nb")`},
		{`proc.name="a\ b"`, `(= proc.name "a\\ b")`},
		{`proc.name=a\\b`, `(= proc.name "a\\b")`},
		{`proc.name="\x41\x4a\x4A"`, `(= proc.name "AJJ")`},
		// Field arguments.
		{`proc.aname[2]=bash`, `(= proc.aname[2] "bash")`},
		{`evt.arg[0]=3`, `(= evt.arg[0] "3")`},
		// Word operators need no blank before a value that is not a
		// word.
		{`fd.name contains"/etc"`, `(contains fd.name "/etc")`},
		{`fd.name contains/etc`, `(contains fd.name "/etc")`},
	}
	for _, tt := range tests {
		x, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := dump(x); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
		// String gives back a filter that parses to the same tree.
		s := String(x)
		y, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(String(Parse(%q)) = %q): %v", tt.in, s, err)
		} else if dump(y) != dump(x) {
			t.Errorf("String(Parse(%q)) = %q parses to %s", tt.in, s, dump(y))
		}
	}
}

func TestPositions(t *testing.T) {
	src := `not (proc.name = 'x y' and fd.num in (1, 2)) or evt.arg.fd exists`
	x, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	or := x.(*BinaryExpr)
	not := or.X[0].(*NotExpr)
	paren := not.X.(*ParenExpr)
	and := paren.X.(*BinaryExpr)
	c1 := and.X[0].(*CheckExpr)
	c2 := and.X[1].(*CheckExpr)
	c3 := or.X[1].(*CheckExpr)
	at := func(what string, p Pos, want string) {
		t.Helper()
		if !strings.HasPrefix(src[p:], want) {
			t.Errorf("%s at %d: %q, want %q", what, p, src[p:], want)
		}
	}
	at("not", not.Not, "not (")
	at("(", paren.Lparen, "(proc")
	at(")", paren.Rparen, ") or")
	at("field", c1.Field.NamePos, "proc.name")
	at("op", c1.OpPos, "= 'x")
	at("value", c1.Value.ValuePos, "'x y'")
	at("and", and.OpPos[0], "and fd")
	at("list (", c2.Lparen, "(1, 2)")
	at("list )", c2.Rparen, ")) or")
	at("second", c2.List[1].ValuePos, "2)")
	at("or", or.OpPos[0], "or evt")
	at("exists", c3.OpPos, "exists")
	if got := src[x.Pos():x.End()]; got != src {
		t.Errorf("whole: %q", got)
	}
	if got := src[c1.Pos():c1.End()]; got != `proc.name = 'x y'` {
		t.Errorf("check: %q", got)
	}
	if got := src[c2.Pos():c2.End()]; got != `fd.num in (1, 2)` {
		t.Errorf("list check: %q", got)
	}
	if got := src[c3.Pos():c3.End()]; got != `evt.arg.fd exists` {
		t.Errorf("exists check: %q", got)
	}
	if got := src[paren.Pos():paren.End()]; got != `(proc.name = 'x y' and fd.num in (1, 2))` {
		t.Errorf("paren: %q", got)
	}
}

// Syntax errors: one line, what was expected and where.
func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `filter: column 1: empty filter`},
		{`   `, `filter: column 4: empty filter`},
		{`proc.name`, `filter: column 10: expected an operator after 'proc.name', found end of filter`},
		{`proc.name curl`, `filter: column 11: unknown operator 'curl' after 'proc.name'`},
		{`proc.name containz x`, `filter: column 11: unknown operator 'containz' after 'proc.name'`},
		{`proc.name ! curl`, `filter: column 11: expected an operator after 'proc.name', found '!'`},
		{`proc.name (`, `filter: column 11: expected an operator after 'proc.name', found '('`},
		{`proc.name=`, `filter: column 11: expected a value after '='`},
		{`proc.name= `, `filter: column 12: expected a value after '='`},
		{`fd.name contains`, `filter: column 17: expected a value after 'contains'`},
		{`evt.type=open and fd.name contains`, `filter: column 35: expected a value after 'contains'`},
		{`fd.name contains )`, `filter: column 18: expected a value after 'contains'`},
		{`(fd.name contains)`, `filter: column 18: expected a value after 'contains'`},
		{`proc.name=(curl)`, `filter: column 11: expected a value after '='`},
		{`proc.name=curl)`, `filter: column 15: unexpected ')' with no '(' before it`},
		{`(proc.name=curl`, `filter: column 16: expected 'and', 'or' or ')', found end of filter`},
		{`((proc.name=curl)`, `filter: column 18: expected 'and', 'or' or ')', found end of filter`},
		{`()`, `filter: column 2: expected a field, '(' or 'not', found ')'`},
		{`proc.name=curl proc.pid=1`, `filter: column 16: expected 'and', 'or' or end of filter, found 'proc.pid'`},
		{`proc.name=curl andx x.y=1`, `filter: column 16: expected 'and', 'or' or end of filter, found 'andx'`},
		{`proc.name="curl"x`, `filter: column 17: expected 'and', 'or' or end of filter, found 'x'`},
		{`proc.name=curl and`, `filter: column 19: expected a field, '(' or 'not', found end of filter`},
		{`proc.name=curl or or x.y=1`, `filter: column 19: expected a field, '(' or 'not', found 'or'`},
		{`and x.y=1`, `filter: column 1: expected a field, '(' or 'not', found 'and'`},
		{`not`, `filter: column 4: expected a field, '(' or 'not', found end of filter`},
		{`=curl`, `filter: column 1: expected a field, '(' or 'not', found '='`},
		{`!= curl`, `filter: column 1: expected a field, '(' or 'not', found '!='`},
		{`3=3`, `filter: column 1: expected a field, '(' or 'not', found '3'`},
		{`"proc.name"=curl`, `filter: column 1: expected a field, '(' or 'not', found '"proc.name"'`},
		{`proc.name="curl`, `filter: column 11: unclosed quote`},
		{`proc.name='curl"`, `filter: column 11: unclosed quote`},
		{`proc.name=cu\x7`, `filter: column 13: invalid escape sequence '\x7': \x needs two hexadecimal digits`},
		{`proc.name="\xzz"`, `filter: column 12: invalid escape sequence '\xzz': \x needs two hexadecimal digits`},
		{`proc.name=a\`, `filter: column 12: unfinished escape sequence '\'`},
		{`proc.name=a\ b`, `filter: column 12: unfinished escape sequence '\'`},
		{`evt.type in open`, `filter: column 13: expected '(' after 'in', found 'open'`},
		{`evt.type in`, `filter: column 12: expected '(' after 'in', found end of filter`},
		{`evt.type in (`, `filter: column 14: expected a value after '('`},
		{`evt.type in (open`, `filter: column 18: expected ',' or ')' in the list of 'in', found end of filter`},
		{`evt.type in (open,`, `filter: column 19: expected a value after ','`},
		{`evt.type in (open,)`, `filter: column 19: expected a value after ','`},
		{`evt.type in (open,,close)`, `filter: column 19: expected a value after ','`},
		{`evt.type in (open close)`, `filter: column 19: expected ',' or ')' in the list of 'in', found 'close'`},
		{`evt.type in (open (close))`, `filter: column 19: expected ',' or ')' in the list of 'in', found '('`},
		{`fd.name pmatch ("/etc"x)`, `filter: column 23: expected ',' or ')' in the list of 'pmatch', found 'x'`},
		{"proc.name=curl and\n  fd.name contains", "filter: line 2, column 19: expected a value after 'contains'"},
		{strings.Repeat("(", MaxDepth+1) + "a.b=1" + strings.Repeat(")", MaxDepth+1),
			`filter: column 201: expression nested too deeply (more than 200 levels)`},
		{strings.Repeat("not ", MaxDepth+1) + "a.b=1",
			`filter: column 801: expression nested too deeply (more than 200 levels)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %s", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error of several lines", tt.in)
		}
	}
	// As deep as allowed is fine.
	in := strings.Repeat("(", MaxDepth) + "a.b=1" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(in); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
}
