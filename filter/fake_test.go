package filter

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
)

// A small fake field catalog, so that the language can be tested without
// package fields: evt.num, evt.type and evt.dir come from the event; every
// other field's values are whatever the test puts in fakeVals.

var fakeVals = map[string][]fields.Value{}

var naName = []byte("NA")

type fakeField struct {
	name  string
	kind  fields.Kind
	count uint64 // evt.count: how many times it was extracted
}

func (f *fakeField) Kind() fields.Kind { return f.kind }

// Pure: every fake field but evt.count, which keeps state as
// evt.deltatime does.
func (f *fakeField) Pure() bool { return f.name != "evt.count" }

func (f *fakeField) Extract(c *fields.Ctx, vals []fields.Value) []fields.Value {
	switch f.name {
	case "evt.num":
		return append(vals, fields.Value{Kind: fields.KindUint, Uint: c.Ev.Num})
	case "evt.count":
		f.count++
		return append(vals, fields.Value{Kind: fields.KindUint, Uint: f.count})
	case "evt.type":
		evtNames.once.Do(buildEvtNames)
		name := naName
		if int(c.Ev.Type) < len(evtNames.byCode) && evtNames.byCode[c.Ev.Type] != nil {
			name = evtNames.byCode[c.Ev.Type]
		}
		return append(vals, fields.Value{Kind: fields.KindString, Str: name})
	case "evt.dir":
		d := ">"
		if c.Ev.Type%2 == 1 {
			d = "<"
		}
		return append(vals, fields.Value{Kind: fields.KindString, Str: []byte(d)})
	}
	return append(vals, fakeVals[f.name]...)
}

func (f *fakeField) Format(dst []byte, c *fields.Ctx) ([]byte, bool) { return dst, false }

var fakeKinds = map[string]fields.Kind{
	"evt.num":     fields.KindUint,
	"evt.count":   fields.KindUint,
	"evt.type":    fields.KindString,
	"evt.dir":     fields.KindString,
	"evt.failed":  fields.KindBool,
	"evt.buffer":  fields.KindBytes,
	"evt.latency": fields.KindRelTime,
	"evt.rawtime": fields.KindAbsTime,
	"evt.rawres":  fields.KindInt,
	"evt.arg.fd":  fields.KindString,
	"proc.name":   fields.KindString,
	"proc.aname":  fields.KindString,
	"proc.args":   fields.KindString,
	"fd.name":     fields.KindString,
	"fd.num":      fields.KindInt,
	"fd.sip":      fields.KindIP,
	"fd.ip":       fields.KindIP,
	"fd.net":      fields.KindIPNet,
	"fd.snet":     fields.KindIPNet,
	"fd.port":     fields.KindPort,
	"fd.sport":    fields.KindPort,
	"thread.cpu":  fields.KindDouble,
}

// fakeParse parses a field of the fake catalog: the longest known name at
// the start of s, then an optional [argument].
func fakeParse(s string) (fields.Extractor, string, int, error) {
	best := ""
	for name := range fakeKinds {
		if strings.HasPrefix(s, name) && len(name) > len(best) {
			best = name
		}
	}
	if best == "" {
		return nil, "", 0, errors.New("unknown field " + quote(s))
	}
	n := len(best)
	if n < len(s) && s[n] == '[' {
		end := strings.IndexByte(s[n:], ']')
		if end < 0 {
			return nil, "", 0, errors.New("missing ] after " + quote(s))
		}
		n += end + 1
	}
	return &fakeField{name: best, kind: fakeKinds[best]}, best, n, nil
}

// fakeEvent returns a context for an event of code c.
func fakeEvent(num uint64, c event.Code) *fields.Ctx {
	return &fields.Ctx{Ev: &event.Event{Num: num, Type: c, Info: event.Lookup(c)}, FDNum: -1}
}

func str(s string) fields.Value { return fields.Value{Kind: fields.KindString, Str: []byte(s)} }

func ip(s string) fields.Value {
	return fields.Value{Kind: fields.KindIP, IP: netip.MustParseAddr(s)}
}

func mustCompile(t testing.TB, expr string) *Filter {
	t.Helper()
	f, err := compile(expr, fakeParse)
	if err != nil {
		t.Fatalf("compile %q: %v", expr, err)
	}
	return f
}

// code returns the enter code of the event called name.
func code(t testing.TB, name string) event.Code {
	t.Helper()
	for c := 0; c < event.NumCodes(); c++ {
		if in := event.Lookup(event.Code(c)); in != nil && in.Name == name {
			return event.Code(c)
		}
	}
	t.Fatalf("no event %s", name)
	return 0
}
