package state

import (
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// State is the world as the events so far describe it: threads with their
// fds, users, groups and containers. It is not safe for concurrent use.
type State struct {
	// cur is the thread of the event Resolve resolved, for Parse to
	// finish, and curP its pairing; nil when there is nothing to finish.
	cur  *Thread
	curP *perThread

	threads    map[int64]*Thread
	users      map[uint32]*User
	groups     map[uint32]*Group
	containers map[string]*Container
	byJSON     map[string]*Container // containers by the JSON that described them

	machine     scap.MachineInfo
	ifaces      ifaces
	ifaceList   []scap.Interface
	lastCg      []string // cgroups of the last container lookup, and its answer
	lastCgID    string
	serverPorts map[uint16]bool
	ports       *event.PortNames // sysdig's -R; nil: ports print as numbers
	metaDirty   bool
	tcache      [threadCacheSize]threadSlot // see thread
	pathBuf     []byte                      // scratch for concatPaths
	ctx         Ctx
	tmp         event.Event
	gen         uint64 // see Gen
	tidToRemove int64
	// childDeps: a process list was read, whose threads are yet to be
	// counted in their main threads (children.go).
	childDeps bool
	// captureFilter: the events go through a capture filter (reject.go).
	captureFilter bool
	fdsToRemove   struct {
		tid int64
		fds []int64
	}
}

// New returns an empty state.
func New() *State {
	return &State{
		threads:     make(map[int64]*Thread),
		users:       make(map[uint32]*User),
		groups:      make(map[uint32]*Group),
		containers:  make(map[string]*Container),
		serverPorts: make(map[uint16]bool),
		gen:         1,
	}
}

// Gen is the state's generation: it changes whenever a thread is added,
// replaced or removed, or may have changed its identity (names, ids,
// command line, user, session, root, container), and when users, groups
// or containers change. It stays the same over the events that only
// touch fds, memory sizes, page faults or the working directory. A value
// computed from identities alone (a filter on proc.name, say) holds as
// long as Gen does; Thread.Memo is there to keep it. It is never 0.
func (s *State) Gen() uint64 { return s.gen }

// Thread returns the thread, or nil when it is not known.
func (s *State) Thread(tid int64) *Thread { return s.thread(tid) }

// User returns the user, or nil when it is not known.
func (s *State) User(uid uint32) *User { return s.users[uid] }

// Group returns the group, or nil when it is not known.
func (s *State) Group(gid uint32) *Group { return s.groups[gid] }

// Container returns the container, or nil when it is not known.
func (s *State) Container(id string) *Container { return s.containers[id] }
