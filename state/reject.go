package state

import "github.com/syscope/syscope/event"

// Reject does what sinsp does to an event its capture filter rejects
// before parsing it. sinsp_parser::process_event runs the filter on an
// event without EF_MODIFIES_STATE (nor EF_SKIPPARSERESET, nor a context
// switch) before parsing it; when the filter rejects it, the thread's
// last event type becomes PPM_EVENT_MAX, so the exit that follows a
// rejected enter event is not paired with it: it has no fd (evt.buflen,
// the category's subcategory, fd fields through the enter) and parsers
// do not see its enter event.
//
// Call it for an event a filter given as the command's filter rejects
// (not a -d display filter, which sysdig runs after parsing): after
// Resolve alone for an event FilteredBeforeParse, which is then never
// parsed, as in sinsp; after Apply for the others.
func (s *State) Reject(e *event.Event) {
	if s.cur != nil {
		// Resolved and not parsed: FilteredBeforeParse, and resolve
		// left its thread's pairing at hand (none for a switch).
		if s.curP != nil {
			s.curP.lastType = noEnter
		}
		s.cur = nil
		return
	}
	if !RejectUnpairs(e) {
		return
	}
	if t := s.thread(e.TID); t != nil && t.pt != nil {
		t.pt.lastType = noEnter
	}
}

// RejectEarly is Resolve then Reject, after Settle, for an event
// FilteredBeforeParse of thread t (e's, known to the state; nil for a
// context switch of a thread it does not know) that the filter rejects
// whatever its fd: only the thread's pairing changes, as in sinsp, and
// nothing else is looked up.
func (s *State) RejectEarly(e *event.Event, t *Thread) {
	s.cur = nil
	s.ctx = Ctx{Thread: t, FDNum: -1}
	if e.Type == evSchedSwitch6E {
		return // not parsed, and never paired
	}
	p := s.per(t)
	pair(e, p, event.ParseFlags(e.Type)&event.FlagUsesFD != 0)
	p.lastType = noEnter
}

// FilteredBeforeParse reports whether the command's filter decides on e
// between Resolve and Parse, as sinsp's does: e does not modify state
// (RejectUnpairs, and context switches, which sinsp filters before it
// parses them but whose rejection unpairs nothing), and is not a write
// exit, which sinsp first checks for a tracer's fd, as Resolve does not.
func FilteredBeforeParse(e *event.Event) bool {
	if int(e.Type) < len(beforeParse) {
		return beforeParse[e.Type]
	}
	return filteredBeforeParse(e)
}

func filteredBeforeParse(e *event.Event) bool {
	return e.Type == evSchedSwitch6E || e.Type != evWriteX && RejectUnpairs(e)
}

// beforeParse is FilteredBeforeParse by code, for the table's codes: it is
// asked of every event.
var beforeParse = func() []bool {
	t := make([]bool, event.NumCodes())
	for c := range t {
		e := event.Event{Type: event.Code(c), Info: event.Lookup(event.Code(c))}
		t[c] = filteredBeforeParse(&e)
	}
	return t
}()

// RejectUnpairs reports whether sysdig's filter runs on e before e is
// parsed, so that rejecting it unpairs its thread's next exit event.
func RejectUnpairs(e *event.Event) bool {
	return event.ParseFlags(e.Type)&(event.FlagModifiesState|event.FlagSkipParseReset) == 0 && e.Type != evSchedSwitch6E
}

// SetCaptureFilter tells the state that the events go through a filter
// given as the command's filter (not -d), as sysdig's inspector filter.
// sinsp then gives a write exit without its enter event the thread's last
// fd before filtering it (to spot tracer writes), and parses it with it.
func (s *State) SetCaptureFilter(on bool) { s.captureFilter = on }
