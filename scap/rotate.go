package scap

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
)

// RotateOptions say when a capture moves on to a new file, as sysdig's
// -C, -G and -W do.
type RotateOptions struct {
	// Base is the file name given with -w.
	Base string
	// SizeMB starts a new file once the current one holds more than this
	// many millions of bytes (-C).
	SizeMB int
	// Seconds starts a new file every this many seconds of event time
	// (-G). A Base with strftime conversions (%Y, %H...) names each file
	// after its start time.
	Seconds int
	// Files keeps at most this many files, reusing the oldest names (-W).
	Files    int
	Compress bool
	// Meta gives the metadata every new file starts with.
	Meta func() *Meta
}

// Rotator writes a capture across files named as sysdig names them:
// with -C the name takes a counter suffix padded to the digits of -W
// (out.scap0, out.scap1, ...); with -G the counter, or the time when the
// name has strftime conversions. Files are created with mode 0600: they
// hold arguments, environments and I/O data.
type Rotator struct {
	opt      RotateOptions
	f        *os.File
	w        *Writer
	index    int
	lastSec  int64
	past     []string
	names    []string // every file name opened, in order
	started  bool
	numWidth int
}

// NewRotator prepares a rotating capture; the first file is created by
// the first event.
func NewRotator(opt RotateOptions) *Rotator {
	r := &Rotator{opt: opt}
	for n := opt.Files; n > 0; n /= 10 {
		r.numWidth++
	}
	if opt.Seconds > 0 && opt.Files > 0 {
		r.past = make([]string, opt.Files)
	}
	return r
}

// Names lists the files written so far, in order.
func (r *Rotator) Names() []string { return r.names }

func (r *Rotator) nextName(ts uint64) string {
	if r.opt.Files > 0 && r.index >= r.opt.Files {
		r.index = 0
	}
	name := r.opt.Base
	if r.opt.Seconds > 0 {
		if strings.Contains(r.opt.Base, "%") {
			name = strftime(r.opt.Base, time.Unix(int64(ts/1e9), 0))
			if r.past != nil {
				if old := r.past[r.index]; old != "" && old != name {
					os.Remove(old)
				}
				r.past[r.index] = name
			}
		} else {
			name = r.opt.Base + strconv.Itoa(r.index)
		}
	}
	if r.opt.SizeMB > 0 {
		s := strconv.Itoa(r.index)
		for len(s) < r.numWidth {
			s = "0" + s
		}
		name += s
	}
	r.index++
	return name
}

func (r *Rotator) open(ts uint64) error {
	if err := r.closeFile(); err != nil {
		return err
	}
	name := r.nextName(ts)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create capture file: %w", err)
	}
	r.f = f
	r.names = append(r.names, name)
	r.w = NewWriter(f, WriterOptions{Compress: r.opt.Compress})
	meta := &Meta{}
	if r.opt.Meta != nil {
		meta = r.opt.Meta()
	}
	if err := r.w.WriteMeta(meta); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// WriteEvent writes ev, first moving to a new file if a limit is reached.
func (r *Rotator) WriteEvent(ev *event.Event) error {
	sec := int64(ev.TS / 1e9)
	switch {
	case !r.started:
		r.started = true
		r.lastSec = sec
		if err := r.open(ev.TS); err != nil {
			return err
		}
	case r.opt.Seconds > 0 && sec-r.lastSec >= int64(r.opt.Seconds):
		r.lastSec = sec
		if err := r.open(ev.TS); err != nil {
			return err
		}
	case r.opt.SizeMB > 0 && r.w.Written() > int64(r.opt.SizeMB)*1000000:
		if err := r.open(ev.TS); err != nil {
			return err
		}
	}
	if err := r.w.WriteEvent(ev); err != nil {
		return fmt.Errorf("%s: %w", r.f.Name(), err)
	}
	return nil
}

// WriteMeta starts a new section in the current file (or opens the
// first one without waiting for an event).
func (r *Rotator) WriteMeta(m *Meta) error {
	if r.w == nil {
		return nil // the first file starts with r.opt.Meta anyway
	}
	return r.w.WriteMeta(m)
}

// Flush writes out whole buffered blocks.
func (r *Rotator) Flush() error {
	if r.w == nil {
		return nil
	}
	return r.w.Flush()
}

func (r *Rotator) closeFile() error {
	if r.f == nil {
		return nil
	}
	err := r.w.Close()
	if err != nil && !r.opt.Compress {
		// Keep the file readable: cut it back to its whole blocks.
		r.f.Truncate(r.w.Flushed())
	}
	if cerr := r.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close capture file: %w", cerr)
	}
	r.f, r.w = nil, nil
	return err
}

// Close finishes the current file. A capture with no events still gets
// a file holding its metadata, as sysdig leaves one.
func (r *Rotator) Close() error {
	if !r.started {
		r.started = true
		if err := r.open(uint64(time.Now().UnixNano())); err != nil {
			return err
		}
	}
	return r.closeFile()
}

// strftime expands the conversions sysdig's users put in -w names with
// -G, in local time.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}
