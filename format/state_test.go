package format

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/tracetest"
	"github.com/syscope/syscope/state"
)

// The state sysdig builds from a tracetest.World, for the formatter's lookups.

// fakeState is a lookup holding the state sysdig builds from a world.
type fakeState struct {
	threads    map[int64]*state.Thread
	fds        map[int64]map[int64]*state.FD // by pid
	users      map[uint32]*state.User
	groups     map[uint32]*state.Group
	containers map[string]*state.Container
	pairs      map[int64]*fakePair
}

// fakePair is the state engine's account of a thread's last enter event,
// which apply keeps as the engine does.
type fakePair struct {
	state.Pairing
	lastType int
	enterTS  uint64
}

// apply does what the state engine's Apply does to a thread's pairing.
func (f *fakeState) apply(e *event.Event) {
	if e.Info == nil || event.Flags029(e.Type)&event.FlagSkipParseReset != 0 || e.Name() == "switch" {
		return
	}
	if f.pairs == nil {
		f.pairs = make(map[int64]*fakePair)
	}
	p := f.pairs[e.TID]
	if p == nil {
		p = &fakePair{Pairing: state.Pairing{LastFD: -1}, lastType: -1}
		f.pairs[e.TID] = p
	}
	if e.Type.IsEnter() {
		p.lastType = int(e.Type)
		p.LastFD = -1
		if event.Flags029(e.Type)&event.FlagUsesFD != 0 {
			p.LastFD = event.Int(e.Param(0))
		}
		p.Latency = 0
		p.enterTS = e.TS
		return
	}
	if p.enterTS != 0 {
		p.Latency = e.TS - p.enterTS
	}
	p.EnterOK = int(e.Type) == p.lastType+1
	p.lastType = -1
}

func (f *fakeState) Pairing(t *state.Thread) state.Pairing {
	if p := f.pairs[t.TID]; p != nil {
		return p.Pairing
	}
	return state.Pairing{LastFD: -1}
}
func (f *fakeState) Thread(tid int64) *state.Thread       { return f.threads[tid] }
func (f *fakeState) User(uid uint32) *state.User          { return f.users[uid] }
func (f *fakeState) Group(gid uint32) *state.Group        { return f.groups[gid] }
func (f *fakeState) Container(id string) *state.Container { return f.containers[id] }
func (f *fakeState) FD(t *state.Thread, fd int64) *state.FD {
	if t == nil {
		return nil
	}
	return f.fds[t.PID][fd]
}
func (f *fakeState) Cwd(t *state.Thread) string {
	if m := f.threads[t.PID]; m != nil {
		return m.Cwd
	}
	return "./"
}

// worldState returns the state sysdig builds from the world before any event.
func worldState(w tracetest.World) *fakeState {
	f := &fakeState{
		threads:    map[int64]*state.Thread{},
		fds:        map[int64]map[int64]*state.FD{},
		users:      map[uint32]*state.User{},
		groups:     map[uint32]*state.Group{},
		containers: map[string]*state.Container{},
	}
	for _, p := range w.Procs {
		f.threads[p.TID] = &state.Thread{TID: p.TID, PID: p.PID, PTID: p.PTID, Comm: p.Comm,
			Exe: p.Exe, Cwd: p.Cwd, UID: p.UID, GID: p.GID, VTID: p.VTID, VPID: p.VPID,
			ContainerID: p.Container}
		for _, d := range p.FDs {
			if d.Type == 0 {
				continue // sinsp drops fds of unknown type
			}
			if f.fds[p.PID] == nil {
				f.fds[p.PID] = map[int64]*state.FD{}
			}
			f.fds[p.PID][d.Num] = &state.FD{Num: d.Num, Type: state.FDType(d.Type), Name: d.StateName,
				L4Proto: d.StateL4, Role: d.Role}
		}
	}
	for _, u := range w.Users {
		f.users[u.UID] = &state.User{UID: u.UID, GID: u.GID, Name: u.Name}
	}
	for _, g := range w.Groups {
		f.groups[g.GID] = &state.Group{GID: g.GID, Name: g.Name}
	}
	return f
}

func (f *fakeState) Last() *state.Ctx            { return &state.Ctx{} }
func (f *fakeState) PortNames() *event.PortNames { return nil }
