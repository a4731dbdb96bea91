package filter

import (
	"strings"
	"testing"
)

// FuzzParse checks that no input makes the parser or compiler panic or
// recurse without bound, that errors are one line, and that what parses
// prints back to the same tree.
//
//	go test ./filter -run '^$' -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`proc.name=curl`,
		`evt.type=open and fd.name contains /etc and evt.failed=true`,
		`not (evt.type in (open, close) or fd.net=127.0.0.0/8)`,
		`fd.name pmatch (/etc, "/usr lib", '\x41')`,
		`proc.name glob 'c*' or proc.name regex "c.*l"`,
		`evt.buffer bcontains 474554 and evt.arg.fd exists`,
		`proc.aname[2]=bash and evt.num>=10`,
		`((((a.b=1))))`,
		`not not not x.y!=3`,
		`proc.name="a\"b" or proc.name='c\\d'`,
		"a.b=1 and\n\tc.d=2",
		strings.Repeat("(", 300),
		strings.Repeat("not ", 300) + "a.b=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := Parse(s)
		if err != nil {
			if x != nil {
				t.Fatalf("Parse(%q): tree and error", s)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q): error of several lines: %q", s, err)
			}
			e := err.(*Error)
			if e.Pos < 0 || int(e.Pos) > len(s) || e.Line < 1 || e.Column < 1 {
				t.Fatalf("Parse(%q): bad position in %#v", s, e)
			}
			return
		}
		if x.Pos() < 0 || int(x.End()) > len(s) || x.Pos() > x.End() {
			t.Fatalf("Parse(%q): tree spans %d..%d", s, x.Pos(), x.End())
		}
		p := String(x)
		y, err := Parse(p)
		if err != nil {
			t.Fatalf("Parse(%q) prints as %q, which does not parse: %v", s, p, err)
		}
		if dump(x) != dump(y) {
			t.Fatalf("Parse(%q) = %s prints as %q = %s", s, dump(x), p, dump(y))
		}
		flt, err := compile(s, fakeParse)
		if err == nil {
			flt.Match(fakeEvent(1, 2))
			flt.EventTypes()
		}
	})
}
