package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/syscope/syscope/event"
)

// maxSuppressedComms is libscap's SCAP_MAX_SUPPRESSED_COMMS.
const maxSuppressedComms = 32

// A suppressor drops the events of processes by their command name, as
// libscap does for sysdig's -U before sinsp sees them: they change no
// state, get no number and are not written. A thread is suppressed from
// the clone, fork or execve exit that gives it a suppressed comm or a
// suppressed parent, until that exit of a later execve with another comm,
// or its procexit (which is suppressed too).
type suppressor struct {
	comms map[string]bool
	tids  map[int64]bool
	// n counts the suppressed events (-v's "Suppressed by Comm").
	n uint64
}

// newSuppressor returns the suppressor of comms, nil for none, or
// sysdig's error when there are more than it takes.
func newSuppressor(comms []string) (*suppressor, error) {
	if len(comms) == 0 {
		return nil, nil
	}
	s := &suppressor{comms: map[string]bool{}, tids: map[int64]bool{}}
	for _, c := range comms {
		s.comms[c] = true
	}
	if len(s.comms) > maxSuppressedComms {
		// sysdig keeps them in a std::set, and adds them in its order.
		sorted := slices.Sorted(maps.Keys(s.comms))
		return nil, fail(1, "Could not add %s to the set of suppressed comms--did you specify more than %d values?", sorted[maxSuppressedComms], maxSuppressedComms)
	}
	return s, nil
}

// Exit events that start a thread or change its comm, whose comm is their
// fourteenth parameter and whose ptid is their sixth.
const (
	codeClone20X  event.Code = 223
	codeFork20X   event.Code = 225
	codeVfork20X  event.Code = 227
	codeExecve19X event.Code = 293
	codeExecveatX event.Code = 331
	codeClone3X   event.Code = 335
	codeProcexit  event.Code = 186
)

// suppressed reports whether ev is dropped (libscap's
// scap_check_suppressed), and counts it.
func (s *suppressor) suppressed(ev *event.Event) (bool, error) {
	var drop bool
	switch ev.Type {
	case codeClone20X, codeFork20X, codeVfork20X, codeExecve19X, codeExecveatX, codeClone3X:
		if ev.NParams() < 14 {
			return false, fmt.Errorf("event %d: could not find process comm in event argument list", ev.Num)
		}
		// The map lookup of a converted []byte does not allocate.
		named := s.comms[string(event.CString(ev.Param(13)))]
		drop = s.update(named, ev.TID, int64(event.Uint(ev.Param(5))))
	case codeProcexit:
		drop = s.tids[ev.TID]
		delete(s.tids, ev.TID)
	default:
		drop = s.tids[ev.TID]
	}
	if drop {
		s.n++
	}
	return drop, nil
}

// update is scap_update_suppressed: tid is suppressed when its parent is
// or its comm is one of those given (named), and leaves the set when
// neither.
func (s *suppressor) update(named bool, tid, ptid int64) bool {
	drop := s.tids[ptid] || named
	if drop {
		s.tids[tid] = true
	} else {
		delete(s.tids, tid)
	}
	return drop
}
