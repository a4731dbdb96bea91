package probe

import "time"

// Options configure a probe. The zero value captures every syscall, the
// scheduler's context switches and signal deliveries, with sysdig's
// default snaplen, and no page faults.
type Options struct {
	// Snaplen is how many bytes of I/O data (read, write, send, recv, ...)
	// an event carries: 0 means 80, sysdig's default; values above
	// MaxSnaplen are lowered to it.
	Snaplen int

	// PageFaults adds a page_fault event for every fault of user code
	// (exceptions:page_fault_user). Off by default: there can be very
	// many.
	PageFaults bool

	// NoSchedSwitch leaves out the switch events of context switches,
	// which sysdig captures by default.
	NoSchedSwitch bool

	// Syscalls says which x86_64 syscall numbers to capture; nil means
	// all. A syscall it rejects costs one map lookup in the kernel and
	// sends nothing. The state engine needs some syscalls whatever the
	// filter says: see StateSyscall. It is called once per syscall number
	// by Open and SetSyscalls.
	Syscalls func(nr int) bool

	// SkipSelf drops the events of the calling process, so that the
	// capture does not record its own reading.
	SkipSelf bool

	// BufferSize is the size of each CPU's ring buffer in bytes: 0 means
	// DefaultBufferTotal shared by the online CPUs, but no less than
	// DefaultBufferSize and no more than MaxDefaultBufferSize per CPU. It
	// is rounded up to a power of two.
	BufferSize int

	// MergeWindow bounds how long Next holds an event back so that an
	// earlier one still in flight on another CPU can come first: 0 means
	// DefaultMergeWindow.
	MergeWindow time.Duration
}

// Defaults and limits of Options.
const (
	DefaultSnaplen    = 80
	MaxSnaplen        = 16 << 10 // MAX_SNAPLEN in bpf/maps.h
	DefaultBufferSize = 8 << 20  // sysdig's size
	// A few CPUs get larger buffers, as long as the total stays within
	// DefaultBufferTotal: a reader that other work keeps off the CPU for a
	// while then loses nothing. On a loaded 2-CPU machine, 8 MiB lost
	// events of a syscall-heavy program every few runs and 32 MiB none
	// (scripts/bench-live.sh).
	MaxDefaultBufferSize = 32 << 20
	DefaultBufferTotal   = 128 << 20
	DefaultMergeWindow   = time.Millisecond
)

// Stats are the probe's counters since Open.
type Stats struct {
	// Events is how many events the kernel side built, sent or dropped.
	Events uint64
	// DropsFull counts events lost because their CPU's ring buffer was
	// full: the reader fell behind.
	DropsFull uint64
	// DropsOther counts events lost for any other reason (a CPU with no
	// ring buffer, an event over the size limit).
	DropsOther uint64
	// DropsStop counts events the probe built that Next could not return
	// after Stop, because they were still being written when its bounded
	// drain ended. It should stay 0.
	DropsStop uint64
	// Read is how many events Next returned.
	Read uint64
	// Unread counts the events still in the ring buffers when the probe
	// was closed without being drained: the reader did not want them
	// (it had what it asked for), or gave up draining.
	Unread uint64
	// CPUs has the kernel-side counters of each CPU.
	CPUs []CPUStats
}

// Drops is the number of events lost, whatever the reason.
func (s Stats) Drops() uint64 { return s.DropsFull + s.DropsOther + s.DropsStop }

// CPUStats are one CPU's kernel-side counters.
type CPUStats struct {
	CPU        int
	Events     uint64
	DropsFull  uint64
	DropsOther uint64
}
