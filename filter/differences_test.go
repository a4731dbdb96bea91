package filter

import (
	"testing"

	"github.com/syscope/syscope/fields"
)

// TestDifferences pins down where syscope departs from sysdig 0.29.3 on
// purpose (see the package documentation), with what 0.29.3 does, as
// checked by running it on the traces.
func TestDifferences(t *testing.T) {
	setVals(t, map[string][]fields.Value{
		"proc.name":  {str("curl")},
		"fd.snet":    {ip("2001:db8:0:1::5")},
		"thread.cpu": {{Kind: fields.KindDouble, Float: 0.25}},
	})
	ctx := fakeEvent(7, code(t, "open"))
	matches := []struct {
		expr, sysdig string
		want         bool
	}{
		{`proc.name==curl`, `compares with "=curl": false`, true},
		{`proc.name intersects (wget, curl)`, `cannot parse intersects`, true},
		{`not not proc.name=curl`, `reads it as "not proc.name=curl": false`, true},
		{`proc.name=wget and evt.num=7 or proc.name=curl`, `rejects mixed and/or without parentheses`, true},
		{`proc.name=curl or evt.num=7 and proc.name=wget`, `rejects mixed and/or without parentheses`, true},
		{`proc.name in ()`, `reads it as in (""): false too, but "unknown event type" for evt.type`, false},
		{`evt.type contains op`, `unknown event type op`, true},
		{`evt.type glob 'op*'`, `unknown event type op*`, true},
		{`fd.snet=2001:db8::/32`, `unrecognized IPv6 address`, true},
		{`thread.cpu>0.2`, `wrong parameter type`, true},
	}
	for _, m := range matches {
		f, err := compile(m.expr, fakeParse)
		if err != nil {
			t.Errorf("%s: %v (sysdig 0.29.3: %s)", m.expr, err, m.sysdig)
			continue
		}
		if got := f.Match(ctx); got != m.want {
			t.Errorf("%s: %v, want %v (sysdig 0.29.3: %s)", m.expr, got, m.want, m.sysdig)
		}
	}
	rejects := []struct{ expr, sysdig string }{
		{`proc.name=`, `compares with ""`},
		{`proc.name=curl or proc.name=`, `compares with ""`},
		{`proc.name in (curl,)`, `adds "" to the list`},
		{`proc.name='curl"`, `ends the value at either quote: curl`},
		{`fd.port=70000`, `truncates to 16 bits: 4464`},
		{`proc.name=a\`, `drops the backslash`},
	}
	for _, r := range rejects {
		if _, err := compile(r.expr, fakeParse); err == nil {
			t.Errorf("%s: accepted (sysdig 0.29.3 %s; syscope rejects it)", r.expr, r.sysdig)
		}
	}
}
