package scap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
)

// RotateOptions say when a capture moves on to a new file, as sysdig's
// -C, -G, -W and -e do (libsinsp's cycle_writer).
type RotateOptions struct {
	// Base is the file name given with -w; "-" is the standard output,
	// which never rotates.
	Base string
	// SizeMB starts a new file, before an event, once the current one
	// holds more than this many millions of bytes (-C). A compressed
	// file counts its compressed bytes written so far, as sysdig counts
	// (gzoffset); they trail the events still buffered.
	SizeMB int
	// Seconds starts a new file once an event comes this many seconds
	// (of event time, in whole seconds) after the one that started the
	// current file (-G). A Base with strftime conversions (%Y, %H...)
	// names each file after that second, in local time.
	Seconds int
	// Files keeps at most this many files (-W): the counter in the names
	// goes back to 0, and with -G and strftime names the oldest file is
	// removed.
	Files int
	// Events starts a new file once the current one holds this many
	// events (-e), or one fewer for the first file, as sysdig's count
	// (cycle_writer::consider) makes it: it counts the event that opens
	// a file with the file before. State-only events are not counted,
	// and do not start a file.
	Events uint64

	Compress bool
	Level    int // gzip level, see WriterOptions

	// Meta gives the metadata each new file starts with: the state as it
	// is when the file opens, which is after the caller has applied the
	// event that goes first in it (sysdig's order; state.Snapshot is
	// made for it). Nil: files without metadata.
	Meta func() *Meta
	// Prologue, if set, writes what a new file needs after its metadata,
	// before the event that opened it: the container events sysdig
	// writes at the start of every file, for instance.
	Prologue func(w *Writer) error
	// Now is the clock naming the first file when Open creates it before
	// any event; time.Now if nil.
	Now func() time.Time
}

// Rotator writes a capture across files named as sysdig names them
// (libsinsp cycle_writer::next_file):
//   - no -C, -G or -e: Base;
//   - -C: Base then the counter, zero-padded to the digits of -W
//     (out.scap0, out.scap1, ... or out.scap00 ... with -W 10);
//   - -G: Base formatted by strftime when it holds a '%', else Base then
//     the counter; with -C as well, the -C counter follows;
//   - -e: Base then the counter, whatever else is set.
//
// The counter starts at 0 and, with -W, goes back to 0 after -W files.
// Files are created with mode 0600: they hold arguments, environments and
// I/O data.
//
// With -G, time is event time: the first file's second is the first
// event's, or the wall clock's when Open creates the file before any
// event (a live capture, as sysdig starts its clock when it starts).
// sysdig reading a file with -G and a strftime name calls its first file
// "first_dump.scap"; this names it after its first event.
//
// The first error is kept and returned by every later call; the file
// written then ends with whole blocks (see Writer).
type Rotator struct {
	opt     RotateOptions
	f       *os.File
	cnt     *countWriter // the file, counted, when compressed
	w       *Writer
	name    string
	index   int
	width   int // digits of the -C counter
	lastSec int64
	timed   bool   // lastSec is set
	events  uint64 // events in the current file, for -e
	past    []string
	names   []string // every file name opened, in order
	started bool
	err     error
}

// NewRotator prepares a rotating capture. The first file is created by
// Open, or else by the first event (or Close).
func NewRotator(opt RotateOptions) *Rotator {
	r := &Rotator{opt: opt}
	for n := opt.Files; n > 0; n /= 10 {
		r.width++
	}
	if opt.Seconds > 0 && opt.Files > 0 {
		r.past = make([]string, opt.Files)
	}
	return r
}

// Names lists the files opened so far, in order; a name used again in a
// ring appears again.
func (r *Rotator) Names() []string { return r.names }

// Current is the name of the file being written, or "" before the first.
func (r *Rotator) Current() string { return r.name }

func (r *Rotator) now() time.Time {
	if r.opt.Now != nil {
		return r.opt.Now()
	}
	return time.Now()
}

// nextName is cycle_writer::next_file: the name of the next file, at the
// second sec.
func (r *Rotator) nextName(sec int64) string {
	if r.opt.Files > 0 && r.index >= r.opt.Files {
		r.index = 0
	}
	name := r.opt.Base
	if r.opt.Seconds > 0 {
		if strings.Contains(r.opt.Base, "%") {
			name = strftime(r.opt.Base, time.Unix(sec, 0))
			if r.past != nil {
				if old := r.past[r.index]; old != "" {
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
		if pad := r.width - len(s); pad > 0 {
			s = strings.Repeat("0", pad) + s
		}
		name += s
	}
	if r.opt.Events > 0 {
		name = r.opt.Base + strconv.Itoa(r.index)
	}
	r.index++
	return name
}

// countWriter counts the bytes written to a file.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Open creates the first file now, with the metadata as it is now, as
// sysdig does when a capture starts; with -G, the time from now on
// counts from now. Without Open, the first event creates the file.
func (r *Rotator) Open() error {
	if r.err != nil {
		return r.err
	}
	if r.started {
		return nil
	}
	sec := r.now().Unix()
	r.lastSec, r.timed = sec, true
	return r.open(sec)
}

func (r *Rotator) open(sec int64) error {
	r.started = true
	if err := r.closeFile(); err != nil {
		r.err = err
		return err
	}
	name := r.opt.Base
	if name != "-" {
		name = r.nextName(sec)
	}
	var out io.Writer
	if name == "-" {
		out = os.Stdout
	} else {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			r.err = fmt.Errorf("create capture file: %w", err)
			return r.err
		}
		// A file that existed keeps its mode: make it private too.
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Mode().Perm() != 0o600 {
			if err := f.Chmod(0o600); err != nil {
				f.Close()
				r.err = fmt.Errorf("create capture file: %w", err)
				return r.err
			}
		}
		r.f, out = f, f
	}
	r.name = name
	r.names = append(r.names, name)
	r.cnt = nil
	if r.opt.Compress {
		r.cnt = &countWriter{w: out}
		out = r.cnt
	}
	if r.w == nil {
		r.w = NewWriter(out, WriterOptions{Compress: r.opt.Compress, Level: r.opt.Level})
	} else {
		r.w.Reset(out)
	}
	r.events = 0
	meta := &Meta{}
	if r.opt.Meta != nil {
		if m := r.opt.Meta(); m != nil {
			meta = m
		}
	}
	if err := r.w.WriteMeta(meta); err != nil {
		r.err = fmt.Errorf("%s: %w", name, err)
		return r.err
	}
	if r.opt.Prologue != nil {
		if err := r.opt.Prologue(r.w); err != nil {
			r.err = fmt.Errorf("%s: %w", name, err)
			return r.err
		}
	}
	return nil
}

// size is what -C compares: the bytes of the current file.
func (r *Rotator) size() int64 {
	if r.cnt != nil {
		return r.cnt.n
	}
	return r.w.Written()
}

// WriteEvent writes ev, first moving to a new file if a limit is reached
// (cycle_writer::consider: time first, then size, then count).
func (r *Rotator) WriteEvent(ev *event.Event) error {
	return r.WriteEventBlock(ev, nil)
}

// WriteEventBlock is WriteEvent with the block Reader.NextBlock gave for
// ev (nil for none): see Writer.WriteEventBlock.
func (r *Rotator) WriteEventBlock(ev *event.Event, block []byte) error {
	if r.err != nil {
		return r.err
	}
	sec := int64(ev.TS / 1e9)
	// -e counts the events sysdig would write: not those kept for the
	// state alone, which it leaves out.
	counted := ev.Flags&event.FlagStateOnly == 0
	if !r.started {
		r.lastSec, r.timed = sec, true
		if err := r.open(sec); err != nil {
			return err
		}
	} else if r.opt.Base != "-" {
		if !r.timed {
			r.lastSec, r.timed = sec, true
		}
		next := false
		switch {
		case r.opt.Seconds > 0 && sec-r.lastSec >= int64(r.opt.Seconds):
			r.lastSec = sec
			next = true
		case r.opt.SizeMB > 0 && r.size() > int64(r.opt.SizeMB)*1000000:
			next = true
		case counted && r.opt.Events > 0 && r.events+firstFile(len(r.names)) >= r.opt.Events:
			next = true
		}
		if next {
			if err := r.open(r.lastSec); err != nil {
				return err
			}
		}
	}
	if err := r.w.WriteEventBlock(ev, block); err != nil {
		r.err = fmt.Errorf("%s: %w", r.name, err)
		return r.err
	}
	if counted {
		r.events++
	}
	return nil
}

// firstFile is 1 for the first file, of the files opened so far, and 0
// after: what sysdig counts for -e beyond the events in the file.
func firstFile(opened int) uint64 {
	if opened == 1 {
		return 1
	}
	return 0
}

// Rotates reports whether a new file may start at any event (by size,
// time or count).
func (r *Rotator) Rotates() bool {
	return r.opt.Seconds > 0 || r.opt.SizeMB > 0 || r.opt.Events > 0
}

// WriteEventRun writes the n event blocks of run (Reader.NextRun) to the
// file that is open, when the capture does not rotate: the events of a
// run are not looked at one by one.
func (r *Rotator) WriteEventRun(run []byte, n int) error {
	if r.err != nil {
		return r.err
	}
	if !r.started || r.Rotates() {
		return errors.New("write event blocks: a run of events needs an open file that does not rotate")
	}
	if err := r.w.WriteEventRun(run, n); err != nil {
		r.err = fmt.Errorf("%s: %w", r.name, err)
		return r.err
	}
	r.events += uint64(n)
	return nil
}

// WriteMeta starts a new section in the current file, for a new section
// of the input (the first file, not yet open, starts with RotateOptions.Meta
// anyway).
func (r *Rotator) WriteMeta(m *Meta) error {
	if r.err != nil {
		return r.err
	}
	if r.w == nil {
		return nil
	}
	if err := r.w.WriteMeta(m); err != nil {
		r.err = fmt.Errorf("%s: %w", r.name, err)
		return r.err
	}
	return nil
}

// Flush writes out whole buffered blocks.
func (r *Rotator) Flush() error {
	if r.err != nil {
		return r.err
	}
	if r.w == nil {
		return nil
	}
	if err := r.w.Flush(); err != nil {
		r.err = fmt.Errorf("%s: %w", r.name, err)
		return r.err
	}
	return nil
}

func (r *Rotator) closeFile() error {
	if r.w == nil {
		return nil
	}
	var err error
	if cerr := r.w.Close(); cerr != nil {
		err = fmt.Errorf("%s: %w", r.name, cerr)
	}
	if r.f != nil {
		if cerr := r.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close capture file: %w", cerr)
		}
		r.f = nil
	}
	return err
}

// Close finishes the current file. A capture with no events still gets
// a file holding its metadata, as sysdig leaves one. Closing twice is
// harmless; after Close, writes return ErrClosed.
func (r *Rotator) Close() error {
	if r.err == ErrClosed {
		return nil
	}
	if !r.started && r.err == nil {
		if err := r.Open(); err != nil {
			return err
		}
	}
	err := r.closeFile()
	r.w = nil
	if r.err != nil {
		return r.err
	}
	if err != nil {
		r.err = err
		return err
	}
	r.err = ErrClosed
	return nil
}

// strftime formats t as C's strftime does in the C locale, for the
// conversions of POSIX and glibc's common extensions; others are kept
// as they are.
func strftime(format string, t time.Time) string {
	b := make([]byte, 0, len(format)+16)
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		// glibc flags and widths are not supported; E and O modifiers
		// mean nothing in the C locale.
		if (format[i] == 'E' || format[i] == 'O') && i+1 < len(format) {
			i++
		}
		b = appendConv(b, format[i], t)
	}
	return string(b)
}

var (
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longMonths  = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

func pad(b []byte, v, width int, fill byte) []byte {
	s := strconv.Itoa(v)
	for n := len(s); n < width; n++ {
		b = append(b, fill)
	}
	return append(b, s...)
}

func appendConv(b []byte, c byte, t time.Time) []byte {
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c {
	case 'a':
		return append(b, shortDays[t.Weekday()]...)
	case 'A':
		return append(b, longDays[t.Weekday()]...)
	case 'b', 'h':
		return append(b, shortMonths[t.Month()-1]...)
	case 'B':
		return append(b, longMonths[t.Month()-1]...)
	case 'c':
		return appendSeq(b, t, "a b e H:M:S Y")
	case 'C':
		return pad(b, t.Year()/100, 2, '0')
	case 'd':
		return pad(b, t.Day(), 2, '0')
	case 'D':
		return appendSeq(b, t, "m/d/y")
	case 'e':
		return pad(b, t.Day(), 2, ' ')
	case 'F':
		return appendSeq(b, t, "Y-m-d")
	case 'g':
		y, _ := t.ISOWeek()
		return pad(b, y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return pad(b, y, 4, '0')
	case 'H':
		return pad(b, t.Hour(), 2, '0')
	case 'I':
		return pad(b, hour12, 2, '0')
	case 'j':
		return pad(b, t.YearDay(), 3, '0')
	case 'k':
		return pad(b, t.Hour(), 2, ' ')
	case 'l':
		return pad(b, hour12, 2, ' ')
	case 'm':
		return pad(b, int(t.Month()), 2, '0')
	case 'M':
		return pad(b, t.Minute(), 2, '0')
	case 'n':
		return append(b, '\n')
	case 'p':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'P':
		if t.Hour() < 12 {
			return append(b, "am"...)
		}
		return append(b, "pm"...)
	case 'r':
		return appendConv(append(appendSeq(b, t, "I:M:S"), ' '), 'p', t)
	case 'R':
		return appendSeq(b, t, "H:M")
	case 's':
		return strconv.AppendInt(b, t.Unix(), 10)
	case 'S':
		return pad(b, t.Second(), 2, '0')
	case 't':
		return append(b, '\t')
	case 'T', 'X':
		return appendSeq(b, t, "H:M:S")
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return pad(b, wd, 1, '0')
	case 'U':
		return pad(b, (t.YearDay()-1+7-int(t.Weekday()))/7, 2, '0')
	case 'V':
		_, wk := t.ISOWeek()
		return pad(b, wk, 2, '0')
	case 'w':
		return pad(b, int(t.Weekday()), 1, '0')
	case 'W':
		return pad(b, (t.YearDay()-1+7-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'x':
		return appendSeq(b, t, "m/d/y")
	case 'y':
		return pad(b, t.Year()%100, 2, '0')
	case 'Y':
		return pad(b, t.Year(), 1, '0')
	case 'z':
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		b = append(b, sign)
		return pad(b, off/3600*100+off%3600/60, 4, '0')
	case 'Z':
		name, _ := t.Zone()
		return append(b, name...)
	case '%':
		return append(b, '%')
	}
	return append(b, '%', c)
}

// appendSeq appends the conversions of seq (letters) with the separators
// between them.
func appendSeq(b []byte, t time.Time, seq string) []byte {
	for i := 0; i < len(seq); i++ {
		if c := seq[i]; c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			b = appendConv(b, c, t)
		} else {
			b = append(b, c)
		}
	}
	return b
}
