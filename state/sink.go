package state

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// Apply updates the state with e, as sysdig's parser does before the event
// is filtered and printed. Removals that an event causes (a closed fd, an
// exited thread) take effect when the next event is applied, so the event
// that caused them still prints with them. Last then tells what e
// resolved: its thread and fd.
func (s *State) Apply(e *event.Event) {
	s.flushPending()
	if s.metaDirty {
		s.fixProcSockets()
		s.metaDirty = false
	}
	s.apply(e)
}

// Sink returns the receiver of a trace file's metadata blocks.
func (s *State) Sink() scap.Sink { return (*sink)(s) }

type sink State

func (k *sink) Machine(m *scap.MachineInfo) { k.machine = *m }
func (k *sink) Process(p *scap.Process)     { (*State)(k).addProcess(p) }
func (k *sink) FD(tid int64, f *scap.FDInfo) {
	(*State)(k).addFDInfo(tid, f)
}
func (k *sink) User(u *scap.User) {
	k.users[u.UID] = &User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.Home, Shell: u.Shell}
}
func (k *sink) Group(g *scap.Group) {
	k.groups[g.GID] = &Group{GID: g.GID, Name: g.Name}
}
func (k *sink) Interfaces(list []scap.Interface) { k.setInterfaces(list) }

// Machine is the machine info of the trace file, if it had one.
func (s *State) Machine() *scap.MachineInfo { return &s.machine }
