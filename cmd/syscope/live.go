package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
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
	p    *probe.Probe
	ctrs *liveContainers // see container.go
	ints atomic.Int32    // signals received, see interrupt
}

// openLive loads the probe and hands the state of the running system to
// sink, as a capture file's metadata would be. flt (nil: none) narrows
// what the kernel sends, see probeOptions.
func openLive(cfg *config, flt *filter.Filter, sink scap.Sink, sup *suppressor, stderr io.Writer) (*liveSource, error) {
	t0 := time.Now()
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
	if sup != nil {
		// libscap leaves the threads of suppressed comms out of the
		// process table it scans, and suppresses their events.
		kept := procs[:0]
		for _, p := range procs {
			if !sup.update(sup.comms[p.Comm], p.TID, 0) {
				kept = append(kept, p)
			}
		}
		procs = kept
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
	return probe.Narrow(opts, types, genericMatcher(flt))
}

// genericMatcher says whether a generic event (code "syscall", whose
// evt.type is the name of its syscall) of the syscall with PPM_SC code id
// may match flt, which the event codes alone cannot tell. It evaluates the
// filter's tree with three values: an evt.type check is decided by
// matching that check alone against a made-up generic event of the
// syscall, any other check may go either way. nil when the filter cannot
// be parsed again (it always can: it compiled).
func genericMatcher(flt *filter.Filter) func(id uint16) bool {
	tree, err := filter.Parse(flt.String())
	if err != nil {
		return nil
	}
	checks := map[*filter.CheckExpr]*filter.Filter{}
	var ev event.Event
	var ctx fields.Ctx
	return func(id uint16) bool {
		if err := ev.Decode(genericEvent(id)); err != nil {
			return true
		}
		ctx = fields.Ctx{Ev: &ev, FDNum: -1}
		var eval func(x filter.Expr) truth
		eval = func(x filter.Expr) truth {
			switch x := x.(type) {
			case *filter.BinaryExpr:
				t := eval(x.X[0])
				for _, y := range x.X[1:] {
					if x.Op == filter.And {
						t = min(t, eval(y))
					} else {
						t = max(t, eval(y))
					}
				}
				return t
			case *filter.NotExpr:
				return tYes - eval(x.X)
			case *filter.ParenExpr:
				return eval(x.X)
			case *filter.CheckExpr:
				if x.Field.Name != "evt.type" {
					return tMaybe
				}
				f, ok := checks[x]
				if !ok {
					f, _ = filter.Compile(filter.String(x))
					checks[x] = f
				}
				if f == nil {
					return tMaybe
				}
				if f.Match(&ctx) {
					return tYes
				}
				return tNo
			}
			return tMaybe
		}
		return eval(tree) != tNo
	}
}

// truth is a three-valued truth: no < maybe < yes, so that "and" is min,
// "or" max and "not" yes minus the value.
type truth int8

const (
	tNo truth = iota
	tMaybe
	tYes
)

// genericEvent is the enter event of a generic syscall with PPM_SC code
// id, as the probe sends it: parameters ID and nativeID, two bytes each.
func genericEvent(id uint16) []byte {
	const n = 2
	raw := make([]byte, event.HeaderLen+2*n+2*n)
	le := binary.LittleEndian
	le.PutUint32(raw[16:], uint32(len(raw))) // after ts and tid
	le.PutUint16(raw[20:], 0)                // PPME_GENERIC_E
	le.PutUint32(raw[22:], n)
	le.PutUint16(raw[26:], 2)
	le.PutUint16(raw[28:], 2)
	le.PutUint16(raw[30:], id)
	return raw
}

func (l *liveSource) Next() (*event.Event, error) {
	if ev := l.ctrs.pending(); ev != nil {
		return ev, nil
	}
	ev, _, err := l.p.Next()
	if errors.Is(err, probe.ErrStopped) || errors.Is(err, probe.ErrClosed) {
		return nil, io.EOF
	}
	if err == nil {
		l.ctrs.observe(ev)
	}
	return ev, err
}

func (l *liveSource) Sections() int { return 1 }

// interrupt is what SIGINT and SIGTERM do. The first stops the probe:
// the loop then reads what its buffers still hold, through the same path
// as every event, until Next says they are empty (the end of the input),
// so the file written holds every event built before the stop. A second
// one, if the user will not wait, closes the probe: what was not read yet
// is then counted as lost (see reportLive).
func (l *liveSource) interrupt() {
	if l.ints.Add(1) == 1 {
		l.p.Stop()
	} else {
		l.p.Close()
	}
}

// close stops the probe and returns what it counted.
func (l *liveSource) close() probe.Stats {
	l.p.Close()
	l.ctrs.close()
	return l.p.Stats()
}

// reportLive prints what the probe counted: with -v, or whenever events
// were lost, as the issue asks ("every lost event counted and reported,
// never silent"). Every event the probe built is in st: read, dropped for
// one of the reasons, or left unread. Unread events are lost too unless
// the loop stopped reading because -n had what it asked for.
func reportLive(w io.Writer, st probe.Stats, verbose, countReached bool) {
	atStop, unread := st.DropsStop, st.Unread
	if !countReached {
		atStop += unread
		unread = 0
	}
	drops := st.DropsFull + st.DropsOther + atStop
	if verbose || drops > 0 {
		fmt.Fprintf(w, "Driver Events:%d\nDriver Drops:%d (buffer full: %d, other: %d", st.Events, drops, st.DropsFull, st.DropsOther)
		if atStop > 0 {
			fmt.Fprintf(w, ", unread at stop: %d", atStop)
		}
		fmt.Fprintf(w, ")\n")
	}
	if verbose && unread > 0 {
		fmt.Fprintf(w, "Driver Unread:%d (after the -n limit)\n", unread)
	}
}
