package filter

import (
	"sync"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
)

// evtNames holds, once built, what evt.type may be: event names and the
// names of system calls, which evt.type gives generic events.
var evtNames struct {
	once sync.Once
	// known holds every name sysdig accepts in evt.type=NAME: event and
	// system call names.
	known map[string]bool
	// generic lists the names evt.type may give a generic event (codes
	// whose event is named "syscall"): the system call names, less those
	// of events of their own, for a system call that has its own event
	// never comes as a generic one.
	generic [][]byte
	// byCode holds each code's name, nil for unknown codes.
	byCode [][]byte
}

func buildEvtNames() {
	known := make(map[string]bool)
	own := make(map[string]bool)
	byCode := make([][]byte, event.NumCodes())
	for c := range byCode {
		if in := event.Lookup(event.Code(c)); in != nil {
			byCode[c] = []byte(in.Name)
			known[in.Name] = true
			if !isGeneric(in) {
				own[in.Name] = true
			}
		}
	}
	var generic [][]byte
	seen := make(map[string]bool)
	for id := 0; id <= 0xffff; id++ {
		name := event.SyscallName(uint16(id))
		if name == "" {
			continue
		}
		known[name] = true
		if !own[name] && !seen[name] {
			seen[name] = true
			generic = append(generic, []byte(name))
		}
	}
	evtNames.known = known
	evtNames.generic = generic
	evtNames.byCode = byCode
}

// isGeneric reports whether in is the generic event, whose evt.type is the
// name of its system call.
func isGeneric(in *event.Info) bool { return in.Name == "syscall" }

// truth is a three-valued truth: an expression is true, false or may be
// either for the events of one code.
type truth uint8

const (
	no truth = iota
	maybe
	yes
)

// pure is implemented by extractors that can tell whether extracting
// changes anything: some fields keep state from one extraction to the
// next (evt.deltatime, thread.cpu...). An extractor without it is taken
// as keeping state.
type pure interface {
	// Pure reports whether Extract has no effect beyond its result.
	Pure() bool
}

func isPure(ex fields.Extractor) bool {
	p, ok := ex.(pure)
	return ok && p.Pure()
}

// eventTypes works out, for each event code, whether an event of that
// code may match n (set), and whether Match may reject it by its code
// alone (skip): only when sysdig, evaluating n from left to right and
// stopping as soon as the result is known, would extract nothing but
// evt.type and pure fields for it, so that skipping changes no field's
// state.
func eventTypes(n node) (set, skip []bool, all bool) {
	evtNames.once.Do(buildEvtNames)
	set = make([]bool, event.NumCodes())
	skip = make([]bool, len(set))
	all = true
	var one [1]fields.Value
	for c := range set {
		in := event.Lookup(event.Code(c))
		var names [][]byte
		switch {
		case in == nil:
			// Unknown to the table: nothing is known of its evt.type.
		case isGeneric(in):
			names = evtNames.generic
		default:
			one[0] = fields.Value{Kind: fields.KindString, Str: evtNames.byCode[c]}
		}
		t, touched := evalTypes(n, in, names, &one)
		set[c] = t != no
		skip[c] = t == no && !touched
		if t == no {
			all = false
		}
	}
	return set, skip, all
}

// evalTypes evaluates n for the events of one code, whose table entry is
// in (nil if unknown): evt.type checks are decided by the name one holds,
// or for generic events by the possible names; other checks may be
// either. touched reports whether evaluating n may extract a field that
// is not pure.
func evalTypes(n node, in *event.Info, names [][]byte, one *[1]fields.Value) (t truth, touched bool) {
	switch n := n.(type) {
	case andNode:
		t = yes
		for _, x := range n {
			tx, tt := evalTypes(x, in, names, one)
			t, touched = min(t, tx), touched || tt
			if tx == no {
				break // what follows is never evaluated
			}
		}
		return t, touched
	case orNode:
		t = no
		for _, x := range n {
			tx, tt := evalTypes(x, in, names, one)
			t, touched = max(t, tx), touched || tt
			if tx == yes {
				break
			}
		}
		return t, touched
	case notNode:
		t, touched = evalTypes(n.x, in, names, one)
		return yes - t, touched
	case *check:
		// evt.type keeps no state, whether it says so or not.
		touched = n.name != "evt.type" && !isPure(n.ex)
		if n.name != "evt.type" || n.ex.Kind() != fields.KindString || in == nil {
			return maybe, touched
		}
		if !isGeneric(in) {
			if n.matches(one[:]) {
				return yes, touched
			}
			return no, touched
		}
		var some, all = false, true
		for _, name := range names {
			v := [1]fields.Value{{Kind: fields.KindString, Str: name}}
			if n.matches(v[:]) {
				some = true
			} else {
				all = false
			}
			if some && !all {
				break
			}
		}
		switch {
		case all && some:
			return yes, touched
		case !some:
			return no, touched
		}
		return maybe, touched
	}
	return maybe, true
}
