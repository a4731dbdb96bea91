package scap

// BlockType is the type code of a block in a trace file.
type BlockType uint32

// Block types. Each older type also exists as a legacy "internal" twin
// of the form 0x80xxABCD, which reads the same way.
const (
	BlockSectionHeader BlockType = 0x0A0D0D0A
	BlockMachineInfo   BlockType = 0x201
	BlockProcListV1    BlockType = 0x202
	BlockFDList        BlockType = 0x203
	BlockEvent         BlockType = 0x204
	BlockIfList        BlockType = 0x205
	BlockUserList      BlockType = 0x206
	BlockProcListV2    BlockType = 0x207
	BlockEventFlags    BlockType = 0x208
	BlockProcListV3    BlockType = 0x209
	BlockProcListV4    BlockType = 0x210
	BlockProcListV5    BlockType = 0x211
	BlockProcListV6    BlockType = 0x212
	BlockProcListV7    BlockType = 0x213
	BlockProcListV8    BlockType = 0x214
	BlockProcListV9    BlockType = 0x215
	BlockEventV2       BlockType = 0x216
	BlockEventFlagsV2  BlockType = 0x217
	BlockFDListV2      BlockType = 0x218
	BlockIfListV2      BlockType = 0x219
	BlockUserListV2    BlockType = 0x220
	BlockEventV2Large  BlockType = 0x221
	BlockEventFlagsV2L BlockType = 0x222
)

// Legacy twins of the early block types.
const (
	blockMachineInfoInt BlockType = 0x8002ABCD
	blockProcListV1Int  BlockType = 0x8000ABCD
	blockFDListInt      BlockType = 0x8001ABCD
	blockEventInt       BlockType = 0x8010ABCD
	blockIfListInt      BlockType = 0x8011ABCD
	blockUserListInt    BlockType = 0x8012ABCD
	blockProcListV2Int  BlockType = 0x8013ABCD
	blockProcListV3Int  BlockType = 0x8014ABCD
)

// SectionMagic is the byte-order magic of a section header.
const SectionMagic = 0x1A2B3C4D

// canonical maps a legacy twin to its current code.
func (t BlockType) canonical() BlockType {
	switch t {
	case blockMachineInfoInt:
		return BlockMachineInfo
	case blockProcListV1Int:
		return BlockProcListV1
	case blockFDListInt:
		return BlockFDList
	case blockEventInt:
		return BlockEvent
	case blockIfListInt:
		return BlockIfList
	case blockUserListInt:
		return BlockUserList
	case blockProcListV2Int:
		return BlockProcListV2
	case blockProcListV3Int:
		return BlockProcListV3
	}
	return t
}

// isEvent reports whether t carries an event.
func (t BlockType) isEvent() bool {
	switch t {
	case BlockEvent, BlockEventFlags, BlockEventV2, BlockEventFlagsV2, BlockEventV2Large, BlockEventFlagsV2L:
		return true
	}
	return false
}

// procVersion returns the process list version of t, or 0.
func (t BlockType) procVersion() int {
	switch t {
	case BlockProcListV1:
		return 1
	case BlockProcListV2:
		return 2
	case BlockProcListV3:
		return 3
	}
	if t >= BlockProcListV4 && t <= BlockProcListV9 {
		return int(t-BlockProcListV4) + 4
	}
	return 0
}

// MachineInfo is the machine info block.
type MachineInfo struct {
	NumCPUs     uint32
	MemoryBytes uint64
	MaxPID      uint64
	Hostname    string
	BootTS      uint64
	Flags       uint64
}

// Process is one entry of a process list block.
type Process struct {
	TID, PID, PTID int64
	SID, VPGID     int64
	PGID           int64
	Comm, Exe      string
	ExePath        string
	Args           []string // without argv[0], which is Exe
	Cwd            string
	FDLimit        int64
	Flags          uint32
	UID, GID       uint32
	VMSize         uint32
	VMRSS          uint32
	VMSwap         uint32
	PgftMaj        uint64
	PgftMin        uint64
	Env            []string
	VTID, VPID     int64
	Cgroups        []string // "subsys=path"
	Root           string
	PidnsInitTS    uint64
	Tty            uint32
	LoginUID       uint32
	ExeWritable    bool
	CapInheritable uint64
	CapPermitted   uint64
	CapEffective   uint64
	ExeUpperLayer  bool
	ExeIno         uint64
	ExeInoCtime    uint64
	ExeInoMtime    uint64
	ExeFromMemfd   bool
	ExeLowerLayer  bool
}

// FD types as stored in fd list blocks (libscap's scap_fd_type).
const (
	FDTypeUnknown     = 0
	FDTypeFile        = 1
	FDTypeDirectory   = 2
	FDTypeIPv4Sock    = 3
	FDTypeIPv6Sock    = 4
	FDTypeIPv4Server  = 5
	FDTypeIPv6Server  = 6
	FDTypeFIFO        = 7
	FDTypeUnixSock    = 8
	FDTypeEvent       = 9
	FDTypeUnsupported = 10
	FDTypeSignalfd    = 11
	FDTypeEventPoll   = 12
	FDTypeInotify     = 13
	FDTypeTimerfd     = 14
	FDTypeNetlink     = 15
	FDTypeFileV2      = 16
	FDTypeBPF         = 17
	FDTypeUserfaultfd = 18
	FDTypeIOUring     = 19
	FDTypeMemfd       = 20
	FDTypePidfd       = 21
)

// FDInfo is one entry of an fd list block.
type FDInfo struct {
	FD        int64
	Ino       uint64
	Type      uint8
	Name      string // file name, unix socket path
	OpenFlags uint32
	Dev       uint32
	// IPv4 addresses use the first 4 bytes.
	SIP, DIP     [16]byte
	SPort, DPort uint16
	L4Proto      uint8
	UnixSource   uint64
	UnixDest     uint64
}

// User is a user list entry.
type User struct {
	UID, GID uint32
	Name     string
	Home     string
	Shell    string
}

// Group is a group list entry.
type Group struct {
	GID  uint32
	Name string
}

// Interface is an interface list entry.
type Interface struct {
	Name      string
	IPv6      bool
	Addr      [16]byte
	Netmask   [16]byte
	Bcast     [16]byte
	LinkSpeed uint64
}

// Sink receives the metadata blocks of a trace file as they are read. The
// FDs of a process come after the process.
type Sink interface {
	Machine(*MachineInfo)
	Process(*Process)
	FD(tid int64, fd *FDInfo)
	User(*User)
	Group(*Group)
	Interfaces([]Interface)
}
