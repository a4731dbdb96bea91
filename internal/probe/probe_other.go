//go:build !linux || !amd64

package probe

import "github.com/syscope/syscope/event"

// Probe is a loaded probe; on this platform there is none.
type Probe struct{}

// Open fails: the probe is built for Linux on x86_64 only.
func Open(Options) (*Probe, error) { return nil, ErrUnsupportedPlatform }

// Next never returns an event here.
func (*Probe) Next() (*event.Event, uint16, error) { return nil, 0, ErrUnsupportedPlatform }

// SetSyscalls does nothing here.
func (*Probe) SetSyscalls(func(nr int) bool) error { return ErrUnsupportedPlatform }

// Stats returns no counters here.
func (*Probe) Stats() Stats { return Stats{} }

// Stop does nothing here.
func (*Probe) Stop() error { return nil }

// Close does nothing here.
func (*Probe) Close() error { return nil }

// SyscallsFor keeps every syscall here: there is no probe to filter.
func SyscallsFor([]bool, func(id uint16) bool) (func(nr int) bool, error) { return nil, nil }

// Narrow changes nothing here.
func Narrow(opts Options, _ []bool, _ func(id uint16) bool) (Options, error) {
	return opts, nil
}
