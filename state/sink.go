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
	s.Resolve(e)
	s.Parse(e)
}

// Resolve is the first half of Apply, what sinsp does before its capture
// filter runs (sinsp_parser::reset): it finds e's thread and fd and pairs
// an exit event with its enter event. Parse, or Reject for an event the
// filter rejects before parsing (FilteredBeforeParse), must follow.
func (s *State) Resolve(e *event.Event) {
	s.Settle()
	s.resolve(e)
}

// Settle does what Apply does before looking at an event: the removals
// the last event caused take effect, and a process list just read is
// counted. Resolve does it; call it alone before looking at the state
// for an event that RejectEarly may then take.
func (s *State) Settle() {
	// Inlined into every event's handling: nothing to do, most times.
	// (An fd to remove always comes with its thread: the fds say it.)
	if len(s.fdsToRemove.fds) > 0 || s.tidToRemove != 0 || s.childDeps || s.metaDirty {
		s.settle()
	}
}

func (s *State) settle() {
	s.flushPending()
	if s.childDeps {
		// sinsp counts the threads of the process list once it is read.
		s.createChildDeps()
		s.childDeps = false
	}
	if s.metaDirty {
		s.fixProcSockets()
		s.metaDirty = false
	}
}

// Parse is the second half of Apply, after Resolve: what sinsp's parsers
// do with an event its capture filter let through.
func (s *State) Parse(e *event.Event) {
	if s.cur != nil {
		s.finish(e)
	}
	s.noteNameChange()
}

// Sink returns the receiver of a trace file's metadata blocks.
func (s *State) Sink() scap.Sink { return (*sink)(s) }

type sink State

func (k *sink) Machine(m *scap.MachineInfo) { k.machine = *m }
func (k *sink) Process(p *scap.Process) {
	(*State)(k).addProcess(p)
	k.childDeps = true
}
func (k *sink) FD(tid int64, f *scap.FDInfo) {
	k.gen++
	(*State)(k).addFDInfo(tid, f)
}
func (k *sink) User(u *scap.User) {
	k.gen++
	k.users[u.UID] = &User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.Home, Shell: u.Shell}
}
func (k *sink) Group(g *scap.Group) {
	k.gen++
	k.groups[g.GID] = &Group{GID: g.GID, Name: g.Name}
}
func (k *sink) Interfaces(list []scap.Interface) {
	k.ifaceList = append(k.ifaceList[:0], list...)
	k.setInterfaces(list)
}
func (k *sink) NewSection() { (*State)(k).restart() }

// restart is what sinsp::restart_capture does when a file holds another
// section: the thread table (with its fds), the interfaces and the
// pending removals go, to be read again from the new section's blocks.
// Users, groups and containers stay (the new section's users replace
// those with the same ids).
func (s *State) restart() {
	s.gen++
	clear(s.threads)
	clear(s.tcache[:])
	clear(s.serverPorts)
	s.ifaces = ifaces{}
	s.metaDirty = false
	s.childDeps = false
	s.tidToRemove = 0
	s.fdsToRemove.tid = 0
	s.fdsToRemove.fds = s.fdsToRemove.fds[:0]
}

// Machine is the machine info of the trace file, if it had one.
func (s *State) Machine() *scap.MachineInfo { return &s.machine }
