package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/filter"
	"github.com/syscope/syscope/internal/probe"
	"github.com/syscope/syscope/scap"
)

// eventSource is where process reads events from: a capture file or the
// live probe.
type eventSource interface {
	Next() (*event.Event, error)
	Sections() int
}

// liveSource reads the probe. Its one "section" starts with the state
// scanned from /proc.
type liveSource struct {
	p *probe.Probe
}

// openLive loads the probe and hands the state of the running system to
// sink, as a capture file's metadata would be. flt (nil: none) narrows
// what the kernel sends, see probeOptions.
func openLive(cfg *config, flt *filter.Filter, sink scap.Sink) (*liveSource, error) {
	opts, err := probeOptions(cfg, flt)
	if err != nil {
		return nil, fmt.Errorf("start live capture: %w", err)
	}
	p, err := probe.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("start live capture: %w", err)
	}
	procs, fds, users, groups, err := probe.ScanProc()
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("read the running processes from /proc: %w", err)
	}
	for i := range procs {
		sink.Process(&procs[i])
	}
	for i := range procs {
		list := fds[procs[i].TID]
		for j := range list {
			sink.FD(procs[i].TID, &list[j])
		}
	}
	for i := range users {
		sink.User(&users[i])
	}
	for i := range groups {
		sink.Group(&groups[i])
	}
	return &liveSource{p: p}, nil
}

// probeOptions are the probe's options for cfg. The event types the
// filter can match are pushed into the kernel (probe.Narrow): syscalls
// nobody asked for are dropped in the probe before anything is copied,
// except those that change state, which the capture needs whatever the
// filter, as sysdig does. A filter that may match every type changes
// nothing, nor does a display filter (-d), whose unmatched events still
// count.
func probeOptions(cfg *config, flt *filter.Filter) (probe.Options, error) {
	opts := probe.Options{Snaplen: cfg.snaplen, PageFaults: cfg.pageFaults, SkipSelf: true}
	if flt == nil || cfg.display {
		return opts, nil
	}
	types, all := flt.EventTypes()
	if all {
		return opts, nil
	}
	return probe.Narrow(opts, types)
}

func (l *liveSource) Next() (*event.Event, error) {
	ev, _, err := l.p.Next()
	if errors.Is(err, probe.ErrClosed) {
		return nil, io.EOF
	}
	return ev, err
}

func (l *liveSource) Sections() int { return 1 }

// close stops the probe and returns what it counted.
func (l *liveSource) close() probe.Stats {
	l.p.Close()
	return l.p.Stats()
}
