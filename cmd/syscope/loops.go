package main

import (
	"errors"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/fields"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// The loops of process for the commonest runs: each takes the events it
// can, doing for each exactly what process does, without process's
// checks for what the run does not have, and hands process the first
// event it cannot take.

// formatPrinter prints events with -p.
type formatPrinter struct {
	pf   *fields.Formatter
	pr   *format.Printer
	cp   *fields.Capture
	st   *state.State
	ctx  *fields.Ctx
	line []byte
}

// print prints e, read, applied and counted, unless sysdig skips it; an
// error of the format (sysdig's formatter throws it) ends the run.
func (p *formatPrinter) print(e *event.Event) error {
	if p.pr.Skipped(e) {
		return nil
	}
	p.cp.Fill(p.ctx, e, p.st, p.pr.Thread(e))
	line, ok := p.pf.Append(p.line[:0], p.ctx)
	p.line = line
	if !ok {
		if err := p.pf.Err(); err != nil {
			var fe *fields.FormatError
			if errors.As(err, &fe) {
				return fail(1, "%s", fe.Msg)
			}
			return fail(1, "%v", err)
		}
		return nil
	}
	p.line = append(p.line, '\n')
	_, err := p.pr.Writer().Write(p.line)
	return err
}

// formatLoop is the loop of process for printing every event of a file
// with -p, with no filter, writer, chisel, count or time limit: what
// process does for each event, without its checks for what is not there.
type formatLoop struct {
	rd         *scap.Reader
	fp         *formatPrinter
	lastEvents bool // see process
	// counted is how many events the last run counted, as process
	// counts them (its n).
	counted uint64
	// failed is the error that ends the run: of the format or of the
	// output.
	failed error
}

// run takes events until one it leaves to process (of another section,
// a container event, syscope's own), which it returns as it is; or an
// error of the reading, or a pause (nil, nil) after quickPause events. It
// returns how many events it took. An error of the format or of the
// output stops it, in failed.
func (l *formatLoop) run(uncounted uint64, section int) (ev *event.Event, took int, err error) {
	fp := l.fp
	st, pr, cp := fp.st, fp.pr, fp.cp
	l.counted = 0
	for ; took < quickPause; took++ {
		ev, err = l.rd.Next()
		if err != nil || l.rd.Sections() != section || ev.Type == event.CodeUserStack || isContainerEvent(ev.Type) {
			return ev, took, err
		}
		ev.Num -= uncounted
		st.Resolve(ev)
		st.Parse(ev)
		pr.Note(ev)
		if l.lastEvents {
			cp.Observe(ev, st)
		} else {
			cp.ObserveTime(ev)
		}
		if ev.Flags&event.FlagStateOnly != 0 {
			continue
		}
		l.counted++
		if err := fp.print(ev); err != nil {
			l.failed = err
			return nil, took + 1, nil
		}
	}
	return nil, quickPause, nil
}

// quickRejecter is the loop of process for the events that a filter on
// the thread's identity alone rejects by the verdict its thread keeps
// (Thread.Memo), when nothing else looks at them: an event that sysdig
// filters before parsing costs its reading, the state's rejection
// (state.RejectEarly) and the printer's note that it was read; another
// costs what process does with it, without process's checks. It reads
// files and the live probe alike.
type quickRejecter struct {
	rd eventSource
	// file is rd when it is a file: called directly, the calls cost
	// less (2% of a filtered reading).
	file *scap.Reader
	st   *state.State
	pr   *format.Printer
	note bool // the printer is told about every event
	// noThread is process's verdict for events without a thread.
	noThread *uint64
}

// codeSchedSwitch is the code of the context switch event (switch, the
// event table's 152).
const codeSchedSwitch event.Code = 152

// quickPause is how many events the loop takes before it returns to
// process, which checks for a signal between events.
const quickPause = 4096

// run takes events until one that it cannot reject that way (another
// event, of another section, or of a thread without a valid verdict),
// which it returns as it is, for process to take from there; or an error,
// or a pause (nil, nil) after quickPause events. It returns how many
// events it took. The events of the section it reads have uncounted
// subtracted from their numbers, as process does.
//
// An event that the state parses before the filter is resolved, parsed
// and given to the printer as process does, then rejected by the verdict
// that held before, if the state's generation did not change. If it did
// (a thread made up, a new name...), run returns it with parsed set: what
// is left for process is to filter it.
func (q *quickRejecter) run(uncounted uint64, section int) (ev *event.Event, took int, parsed bool, err error) {
	st := q.st
	for ; took < quickPause; took++ {
		var sec int
		if q.file != nil {
			ev, err = q.file.Next()
			sec = q.file.Sections()
		} else {
			ev, err = q.rd.Next()
			sec = q.rd.Sections()
		}
		if err != nil || sec != section || ev.Type == event.CodeUserStack || isContainerEvent(ev.Type) {
			return ev, took, false, err
		}
		early := state.FilteredBeforeParse(ev)
		st.Settle()
		g := st.Gen() << 1
		th := st.Thread(ev.TID)
		if th == nil {
			// Without a thread, the verdict of events without one;
			// but for a context switch, the state makes up a thread
			// for an event it resolves early.
			if early && ev.Type != codeSchedSwitch || *q.noThread != g {
				return ev, took, false, nil
			}
		} else if th.Memo != g {
			return ev, took, false, nil
		}
		ev.Num -= uncounted
		if early {
			st.RejectEarly(ev, th)
			if q.note {
				q.pr.Note(ev)
			}
			continue
		}
		st.Resolve(ev)
		st.Parse(ev)
		if q.note {
			q.pr.Observe(ev)
		}
		if st.Gen()<<1 != g {
			return ev, took, true, nil
		}
		st.Reject(ev)
	}
	return nil, quickPause, false, nil
}
