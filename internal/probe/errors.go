package probe

import (
	"errors"
	"fmt"
)

// Errors Open returns when live capture cannot work on this machine. Each
// is a sentence a user can act on; test for them with errors.Is.
var (
	// ErrPermission: the process may not load eBPF programs.
	ErrPermission = errors.New("live capture needs root, or the CAP_BPF and CAP_PERFMON capabilities (CAP_SYS_ADMIN before Linux 5.8)")
	// ErrNoBTF: the kernel does not describe its own types.
	ErrNoBTF = errors.New("this kernel has no BTF type information (/sys/kernel/btf/vmlinux is missing): live capture needs a kernel built with CONFIG_DEBUG_INFO_BTF=y")
	// ErrNoRingBuffer: the kernel predates the BPF ring buffer.
	ErrNoRingBuffer = errors.New("this kernel has no BPF ring buffer: live capture needs Linux 5.8 or later")
	// ErrTracepointMissing is matched by a *TracepointError.
	ErrTracepointMissing = errors.New("a tracepoint the probe needs is missing from this kernel")
	// ErrUnsupportedPlatform: the probe is built for Linux on x86_64 only.
	ErrUnsupportedPlatform = errors.New("live capture is only supported on Linux x86_64")
	// ErrClosed is returned by Next once the probe is closed.
	ErrClosed = errors.New("probe closed")
	// ErrStopped is returned by Next once the probe is stopped (Stop) and
	// every event it built was returned.
	ErrStopped = errors.New("probe stopped and drained")
)

// TracepointError names a tracepoint the kernel lacks and what needs it.
// errors.Is(err, ErrTracepointMissing) reports true for it.
type TracepointError struct {
	Name   string // "exceptions:page_fault_user"
	Needed string // what needs it: "page fault capture"
}

func (e *TracepointError) Error() string {
	return fmt.Sprintf("this kernel has no tracepoint %s, which %s needs", e.Name, e.Needed)
}

// Is makes errors.Is(err, ErrTracepointMissing) true.
func (e *TracepointError) Is(target error) bool { return target == ErrTracepointMissing }
