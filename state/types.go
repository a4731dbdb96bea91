package state

// FDType is the kind of object a file descriptor refers to.
type FDType uint8

// FD types, with libscap's scap_fd_type values (as stored in fd list
// blocks). Each prints as one character in angle brackets before the fd's
// name: fd=3(<f>/etc/passwd).
const (
	FDUnknown     FDType = 0
	FDFile        FDType = 1
	FDDirectory   FDType = 2
	FDIPv4Sock    FDType = 3
	FDIPv6Sock    FDType = 4
	FDIPv4Server  FDType = 5
	FDIPv6Server  FDType = 6
	FDPipe        FDType = 7 // a FIFO
	FDUnixSock    FDType = 8
	FDEvent       FDType = 9
	FDUnsupported FDType = 10
	FDSignalfd    FDType = 11
	FDEventPoll   FDType = 12
	FDInotify     FDType = 13
	FDTimerfd     FDType = 14
	FDNetlink     FDType = 15
	FDFileV2      FDType = 16
	FDBPF         FDType = 17
	FDUserfaultfd FDType = 18
	FDIOUring     FDType = 19
	FDMemfd       FDType = 20
	FDPidfd       FDType = 21
)

// Char is the type character sysdig 0.29.3 prints, as in <f> or <4t>.
func (t FDType) Char() byte {
	switch t {
	case FDFile, FDFileV2:
		return 'f'
	case FDDirectory:
		return 'd'
	case FDIPv4Sock, FDIPv4Server:
		return '4'
	case FDIPv6Sock, FDIPv6Server:
		return '6'
	case FDUnixSock:
		return 'u'
	case FDPipe:
		return 'p'
	case FDEvent:
		return 'e'
	case FDUnknown:
		return 'o'
	case FDUnsupported:
		return 'X'
	case FDSignalfd:
		return 's'
	case FDEventPoll:
		return 'l'
	case FDInotify:
		return 'i'
	case FDTimerfd:
		return 't'
	case FDNetlink:
		return 'n'
	}
	return '?'
}

// FD is one open file descriptor of a process.
type FD struct {
	Num  int64
	Type FDType
	// Name is the fd's name as sysdig prints it: a path for files, a tuple
	// such as 127.0.0.1:40000->127.0.0.1:80 for sockets.
	Name  string
	Flags uint32 // open flags, in the event table's PPM_O_* bits
	Mode  uint32
	Dev   uint32
	Ino   uint64

	// Socket endpoints, filled for IPv4 and IPv6 sockets.
	L4Proto      uint8 // one of the L4* constants
	SIP, DIP     [16]byte
	SPort, DPort uint16
	IsIPv6       bool
	Role         FDRole
	UnixSource   uint64
	UnixDest     uint64
	Pid          int64 // for pidfds, the target pid
	// Connected is sinsp's FLAGS_SOCKET_CONNECTED: set by a successful
	// (or in-progress) connect, accept, a successful read or write on an
	// IPv4/IPv6 socket, and for TCP sockets from an fd list.
	Connected bool

	fromProc bool   // came from an fd list block
	oldName  string // Name when the engine last looked the fd up (sinsp's m_oldname)
}

// FDRole says which side of a connection a socket fd is.
type FDRole uint8

// Socket roles.
const (
	RoleNone FDRole = iota
	RoleClient
	RoleServer
)

// Thread is what is known about one thread (and, through its FDs, its
// process).
type Thread struct {
	// The fields every event reads come first, in the same cache line.
	TID, PID, PTID int64

	// Memo is for a user of the state to remember something about the
	// thread that holds while State.Gen stays the same (see there); the
	// state only ever sets it to 0, on a new Thread.
	Memo  uint64
	Flags uint32
	pt    *perThread // the parser's bookkeeping, made on the first event
	// FDs is the thread's own fd table; threads that share their
	// process's fds use the main thread's (see State.FD).
	FDs *FDTable

	SID, VPGID  int64
	VTID, VPID  int64
	Comm        string // the process name sysdig prints as proc.name
	Exe         string // argv[0] as seen by execve
	ExePath     string
	Args        []string
	Env         []string
	Cwd         string
	UID, GID    uint32
	LoginUID    uint32
	FDLimit     int64
	PgftMaj     uint64
	PgftMin     uint64
	VMSize      uint32
	VMRSS       uint32
	VMSwap      uint32
	Cgroups     []string
	ContainerID string
	Root        string
	ClonTS      uint64
	Tty         uint32
	// NChilds is sinsp's m_nchilds: for a main thread, the number of
	// its threads made by clone (see children.go). sysdig does not
	// remove an exited thread while it is not 0.
	NChilds uint64
	// ExeWritable is sinsp's m_exe_writable: the executable is writable
	// by the user that started it (execve's flags, the process list).
	ExeWritable bool

	// Fake marks a placeholder for a thread seen only in events.
	Fake bool
}

// FDTable is a process's table of open file descriptors.
type FDTable struct {
	m map[int64]*FD
}

// NewFDTable returns an empty table.
func NewFDTable() *FDTable { return &FDTable{m: make(map[int64]*FD)} }

// Get returns the fd, or nil when it is not known.
func (t *FDTable) Get(fd int64) *FD {
	if t == nil {
		return nil
	}
	return t.m[fd]
}

// Put adds or replaces an fd.
func (t *FDTable) Put(fd *FD) { t.m[fd.Num] = fd }

// Delete removes an fd.
func (t *FDTable) Delete(fd int64) { delete(t.m, fd) }

// Len is the number of fds in the table.
func (t *FDTable) Len() int { return len(t.m) }

// Each calls f for every fd, in no particular order.
func (t *FDTable) Each(f func(*FD)) {
	for _, fd := range t.m {
		f(fd)
	}
}

// FD returns the thread's fd, or nil when it is not known.
func (t *Thread) FD(fd int64) *FD {
	if t == nil {
		return nil
	}
	return t.FDs.Get(fd)
}

// User is an entry of the user table.
type User struct {
	UID, GID  uint32
	Name      string
	Home      string
	Shell     string
	Container string
}

// Group is an entry of the group table.
type Group struct {
	GID       uint32
	Name      string
	Container string
}

// Container is what is known about a container.
type Container struct {
	ID          string
	Type        int
	Name        string
	Image       string
	ImageID     string
	ImageRepo   string
	ImageTag    string
	ImageDigest string
	Privileged  bool
	IP          string
	Labels      map[string]string
	JSON        []byte // the metadata as received
}
