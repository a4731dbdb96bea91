package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/syscope/syscope/event"
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
	p    *probe.Probe
	ctrs *liveContainers // see container.go
}

// openLive loads the probe and hands the state of the running system to
// sink, as a capture file's metadata would be.
func openLive(cfg *config, sink scap.Sink, stderr io.Writer) (*liveSource, error) {
	t0 := time.Now()
	p, err := probe.Open(probe.Options{Snaplen: cfg.snaplen, PageFaults: cfg.pageFaults, SkipSelf: true})
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
	return &liveSource{p: p, ctrs: startContainers(cfg, procs, t0, stderr)}, nil
}

func (l *liveSource) Next() (*event.Event, error) {
	if ev := l.ctrs.pending(); ev != nil {
		return ev, nil
	}
	ev, _, err := l.p.Next()
	if errors.Is(err, probe.ErrClosed) {
		return nil, io.EOF
	}
	if err == nil {
		l.ctrs.observe(ev)
	}
	return ev, err
}

func (l *liveSource) Sections() int { return 1 }

// close stops the probe and returns what it counted.
func (l *liveSource) close() probe.Stats {
	l.p.Close()
	l.ctrs.close()
	return l.p.Stats()
}
