package format

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// lookup is what the printer asks the state engine; *state.State
// implements it, and tests use a fake.
type lookup interface {
	Thread(tid int64) *state.Thread
	User(uid uint32) *state.User
	Group(gid uint32) *state.Group
	Container(id string) *state.Container
	// FD returns fd of the thread's process, or nil.
	FD(t *state.Thread, fd int64) *state.FD
	// Cwd is the working directory of the thread's process, ending in
	// '/', or "./" when its main thread is unknown.
	Cwd(t *state.Thread) string
	// Pairing is what the state knows of the thread's last enter event.
	Pairing(t *state.Thread) state.Pairing
	// Last is what the last event applied resolved.
	Last() *state.Ctx
	// PortNames names ports (sysdig's -R); nil for numbers.
	PortNames() *event.PortNames
}

// noCtx is what noState's last event resolved: nothing.
var noCtx state.Ctx

// noState is the lookup of a nil *state.State: nothing is known.
type noState struct{}

func (noState) Thread(int64) *state.Thread          { return nil }
func (noState) Pairing(*state.Thread) state.Pairing { return state.Pairing{LastFD: -1} }
func (noState) User(uint32) *state.User             { return nil }
func (noState) Group(uint32) *state.Group           { return nil }
func (noState) Container(string) *state.Container   { return nil }
func (noState) FD(*state.Thread, int64) *state.FD   { return nil }
func (noState) Cwd(*state.Thread) string            { return "./" }
func (noState) Last() *state.Ctx                    { return &noCtx }
func (noState) PortNames() *event.PortNames         { return nil }

func lookupOf(st *state.State) lookup {
	if st == nil {
		return noState{}
	}
	return st
}
