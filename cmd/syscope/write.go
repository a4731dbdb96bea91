package main

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// captureWriter writes what syscope reads to a capture file (-w), rotated
// as -C, -G and -W ask. With a filter, the events that do not match but
// change the state (a clone, an open, a close) are kept as state-only
// events, so reading the file rebuilds the process and fd names the
// matching events need, and prints only those.
type captureWriter struct {
	rec   *scap.Recorder
	rot   *scap.Rotator
	first bool // the first file is not open yet
	ctrs  containerLog
}

func newCaptureWriter(cfg *config, st *state.State) *captureWriter {
	w := &captureWriter{rec: &scap.Recorder{}, first: true}
	w.rot = scap.NewRotator(scap.RotateOptions{
		Base: cfg.write, SizeMB: cfg.sizeMB, Seconds: cfg.seconds, Files: cfg.ring, Events: cfg.events,
		Compress: cfg.compress,
		Meta: func() *scap.Meta {
			if w.first {
				// The first file starts with the input's own metadata.
				w.first = false
				m := w.rec.Meta
				return &m
			}
			// A later file starts with the state as it is now.
			return st.Snapshot()
		},
		// Every file after the first starts with the container events
		// seen so far, as sinsp's do, so its events show their
		// container's name and image.
		Prologue: func(sw *scap.Writer) error { return w.ctrs.prologue(sw) },
	})
	return w
}

// modifiesState reports whether sysdig's parser changes its state on
// events of type c, by sysdig 0.29.3's flags for the codes it knows.
func modifiesState(e *event.Event) bool {
	return event.ParseFlags(e.Type)&event.FlagModifiesState != 0
}

func (w *captureWriter) event(ev *event.Event, matched bool) error {
	return w.eventBlock(ev, matched, nil)
}

// eventBlock is event, with the block the reader gave for ev, if any
// (scap.Reader.NextBlock).
func (w *captureWriter) eventBlock(ev *event.Event, matched bool, block []byte) error {
	if w.rec.Fresh {
		// Metadata of a new section of the input: a new section of the
		// output too (the first file's is written when it opens).
		if !w.first {
			if err := w.rot.WriteMeta(&w.rec.Meta); err != nil {
				return err
			}
		}
		w.rec.Fresh = false
	}
	defer w.ctrs.see(ev) // after the file it may open starts with the others
	if matched {
		return w.rot.WriteEventBlock(ev, block)
	}
	if !modifiesState(ev) {
		return nil
	}
	flags := ev.Flags
	ev.Flags |= event.FlagStateOnly
	err := w.rot.WriteEvent(ev)
	ev.Flags = flags
	return err
}

// running reports whether a run of event blocks can be written as it is:
// the file is open, no section's metadata is waiting, and it does not
// rotate.
func (w *captureWriter) running() bool {
	return !w.rec.Fresh && !w.first && !w.rot.Rotates()
}

// eventRun writes n event blocks as they are (scap.Reader.NextRun).
func (w *captureWriter) eventRun(run []byte, n int) error {
	return w.rot.WriteEventRun(run, n)
}

func (w *captureWriter) close() error { return w.rot.Close() }

// stopper turns SIGINT and SIGTERM into a request to stop that the event
// loop checks, so a capture file is flushed and closed, not cut.
type stopper struct {
	stop   atomic.Bool
	ch     chan os.Signal
	mu     sync.Mutex
	onStop func() // also run on the signal, if not nil
}

// stopOnSignal starts catching the signals. It is called before a live
// capture's probe loads, so a signal that comes while it does stops the
// capture instead of killing syscope with a file half written.
func stopOnSignal() *stopper {
	s := &stopper{ch: make(chan os.Signal, 2)}
	signal.Notify(s.ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for range s.ch {
			s.stop.Store(true)
			s.mu.Lock()
			f := s.onStop
			s.mu.Unlock()
			if f != nil {
				f()
			}
		}
	}()
	return s
}

// setOnStop makes f run on a signal; at once if one came already.
func (s *stopper) setOnStop(f func()) {
	s.mu.Lock()
	s.onStop = f
	s.mu.Unlock()
	if s.requested() {
		f()
	}
}

func (s *stopper) requested() bool { return s.stop.Load() }

func (s *stopper) release() {
	signal.Stop(s.ch)
	close(s.ch)
}
