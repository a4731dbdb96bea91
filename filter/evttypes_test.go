package filter

import (
	"slices"
	"sort"
	"testing"

	"github.com/syscope/syscope/event"
)

// names lists the distinct names of the codes in set, sorted.
func names(set []bool) []string {
	seen := map[string]bool{}
	for c, ok := range set {
		if ok {
			n := "?"
			if in := event.Lookup(event.Code(c)); in != nil {
				n = in.Name
			}
			seen[n] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func count(set []bool) int {
	n := 0
	for _, ok := range set {
		if ok {
			n++
		}
	}
	return n
}

func TestEventTypes(t *testing.T) {
	open := code(t, "open")
	total := event.NumCodes()
	unknown := 0 // codes the table does not know: never excluded
	for c := 0; c < total; c++ {
		if event.Lookup(event.Code(c)) == nil {
			unknown++
		}
	}
	opens := 0
	for c := 0; c < total; c++ {
		if in := event.Lookup(event.Code(c)); in != nil && in.Name == "open" {
			opens++
		}
	}
	if opens < 2 {
		t.Fatalf("%d codes named open", opens)
	}
	tests := []struct {
		expr  string
		names []string // nil: every code
		n     int      // how many codes, when names is not nil
	}{
		{`proc.name=curl`, nil, 0},
		{`evt.type=open`, []string{"open"}, opens + unknown},
		{`evt.type==open`, []string{"open"}, opens + unknown},
		{`evt.type="open"`, []string{"open"}, opens + unknown},
		{`evt.type=open and proc.name=curl`, []string{"open"}, opens + unknown},
		{`proc.name=curl and evt.type=open`, []string{"open"}, opens + unknown},
		{`evt.type=open or proc.name=curl`, nil, 0},
		{`evt.type in (open, close)`, []string{"close", "open"}, -1},
		{`evt.type=open or evt.type=close`, []string{"close", "open"}, -1},
		{`evt.type=open and evt.type=close`, []string{}, unknown},
		{`not evt.type=open`, []string{}, total - opens},
		{`evt.type!=open`, []string{}, total - opens},
		{`not not evt.type=open`, []string{"open"}, opens + unknown},
		{`not (evt.type=open or evt.type=close)`, []string{}, -2},
		{`evt.type startswith ope`, []string{}, -3},
		{`evt.type exists`, nil, 0},
		// Generic events' evt.type is their system call's name.
		{`evt.type=madvise`, []string{"syscall"}, 2 + unknown},
		{`evt.type in (open, madvise)`, []string{"open", "syscall"}, opens + 2 + unknown},
		{`not evt.type=madvise`, nil, 0},
	}
	for _, tt := range tests {
		f := mustCompile(t, tt.expr)
		set, all := f.EventTypes()
		if len(set) != total {
			t.Errorf("%s: %d codes, want %d", tt.expr, len(set), total)
		}
		if tt.names == nil {
			if !all || count(set) != total {
				t.Errorf("%s: all=%v, %d codes of %d; want all", tt.expr, all, count(set), total)
			}
			continue
		}
		if all {
			t.Errorf("%s: all", tt.expr)
		}
		got := names(set)
		if i := slices.Index(got, "?"); i >= 0 {
			got = slices.Delete(got, i, i+1)
		}
		switch tt.n {
		case -1, -2, -3:
		default:
			if count(set) != tt.n {
				t.Errorf("%s: %d codes, want %d", tt.expr, count(set), tt.n)
			}
			if len(tt.names) > 0 && !slices.Equal(got, tt.names) {
				t.Errorf("%s: %v, want %v", tt.expr, got, tt.names)
			}
		}
		switch tt.n {
		case -1:
			if !slices.Equal(got, tt.names) {
				t.Errorf("%s: %v, want %v", tt.expr, got, tt.names)
			}
		case -2:
			if set[open] || set[open+1] || slices.Contains(got, "close") || !slices.Contains(got, "read") {
				t.Errorf("%s: %v", tt.expr, got)
			}
		case -3:
			if !set[open] || !set[open+1] || slices.Contains(got, "close") {
				t.Errorf("%s: %v", tt.expr, got)
			}
		}
		// The set is a copy.
		set[open] = !set[open]
		if s2, _ := f.EventTypes(); s2[open] == set[open] {
			t.Errorf("%s: EventTypes shares its set", tt.expr)
		}
	}
}

// TestEventTypesSound checks that Match never matches an event of a code
// EventTypes excludes, over every code.
func TestEventTypesSound(t *testing.T) {
	for _, expr := range []string{
		`evt.type=open`, `not evt.type=open`, `evt.type in (open, close, read)`,
		`evt.type=open or evt.dir=<`, `evt.type=open and evt.dir=<`,
		`not (evt.type=open and evt.dir=<)`, `evt.type glob c*`, `evt.type!=close`,
	} {
		f := mustCompile(t, expr)
		set, _ := f.EventTypes()
		// Without the shortcut Match takes on event types.
		slow := *f
		slow.all = true
		for c := 0; c < event.NumCodes(); c++ {
			if event.Lookup(event.Code(c)) == nil {
				continue
			}
			ctx := fakeEvent(1, event.Code(c))
			m := slow.Match(ctx)
			if m && !set[c] {
				t.Errorf("%s: code %d (%s) matches but is excluded", expr, c, ctx.Ev.Name())
			}
			if m != f.Match(ctx) {
				t.Errorf("%s: code %d: Match differs with the shortcut", expr, c)
			}
		}
	}
}

// TestSkipKeepsState checks that Match rejects an event by its code only
// when sysdig would extract no stateful field for it: evt.count (like
// evt.deltatime) counts its extractions.
func TestSkipKeepsState(t *testing.T) {
	read := fakeEvent(1, code(t, "read"))
	for _, tt := range []struct {
		expr  string
		calls uint64 // extractions of evt.count for 10 read events
	}{
		{`evt.type=open and evt.count>0`, 0},
		{`evt.count>0 and evt.type=open`, 10},
		{`evt.type=open and (proc.name=x or evt.count>0)`, 0},
		{`not evt.type=read or evt.count>0`, 10},
		{`evt.type=read or evt.count>0`, 0},
		{`proc.name=x and evt.type=open and evt.count>0`, 0},
	} {
		f := mustCompile(t, tt.expr)
		for range 10 {
			f.Match(read)
		}
		var n uint64
		var find func(n node) *check
		find = func(x node) *check {
			switch x := x.(type) {
			case andNode:
				for _, y := range x {
					if k := find(y); k != nil {
						return k
					}
				}
			case orNode:
				for _, y := range x {
					if k := find(y); k != nil {
						return k
					}
				}
			case notNode:
				return find(x.x)
			case *check:
				if x.name == "evt.count" {
					return x
				}
			}
			return nil
		}
		if k := find(f.root); k != nil {
			n = k.ex.(*fakeField).count
		}
		if n != tt.calls {
			t.Errorf("%s: evt.count extracted %d times, want %d", tt.expr, n, tt.calls)
		}
	}
}

// TestEventTypesCatalog checks EventTypes with the real field catalog.
func TestEventTypesCatalog(t *testing.T) {
	f, err := Compile(`evt.type in (open, close) and proc.name=curl`)
	if err != nil {
		t.Fatal(err)
	}
	set, all := f.EventTypes()
	if all {
		t.Fatal("all codes")
	}
	if got := names(set); !slices.Equal(got, []string{"?", "close", "open"}) && !slices.Equal(got, []string{"close", "open"}) {
		t.Errorf("codes %v", got)
	}
	// The evt.type check rejects other codes without extracting
	// proc.name.
	if !f.skip[code(t, "read")] {
		t.Error("read is not skipped")
	}
}
