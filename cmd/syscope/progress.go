package main

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// progressEvery is how often, in events read, sysdig looks at how far into
// the file it is: at every event whose number is a multiple of it.
const progressEvery = 10000

// A progress prints on stderr how much of the file being read has been
// read, in percent, as sysdig does with -P and whenever it reads a file
// into -w: every progressEvery events the figure replaces the last one
// ("\r" and the figure, "%.2f") when it has moved by more than 0.1, and
// the end of the reading (end of file, -n, -M, a signal, damage) wipes it,
// prints the figure of the end and a newline.
//
// The figure is the bytes of the file read over its size. For a
// compressed file those are compressed bytes, which syscope reads ahead
// of the events (sysdig's zlib buffers too, less): before the end, the
// figure stops short of 100.
type progress struct {
	w     io.Writer
	size  int64        // the file's size
	read  func() int64 // bytes of the file read so far
	last  float64      // the figure last printed
	line  int          // its length: the spaces that wipe it
	next  uint64       // events read when the figure is next looked at
	ended bool
}

// newProgress returns the progress of reading f, whose bytes read so far
// read gives; nil when f is not a regular file, whose size says nothing.
func newProgress(w io.Writer, f *os.File, read func() int64) *progress {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 {
		return nil
	}
	return &progress{w: w, size: fi.Size(), read: read, next: progressEvery}
}

// tick looks at the figure when seen, the events read so far, has reached
// the next multiple of progressEvery. A nil progress does nothing.
func (p *progress) tick(seen uint64) {
	if p == nil || seen < p.next {
		return
	}
	p.next = (seen/progressEvery + 1) * progressEvery
	p.output(false)
}

func (p *progress) output(final bool) {
	pct := float64(p.read()) * 100 / float64(p.size)
	if !final && pct >= 100 {
		return
	}
	if pct-p.last > 0.1 {
		p.wipe()
		s := strconv.FormatFloat(pct, 'f', 2, 64)
		io.WriteString(p.w, "\r"+s)
		p.line = len(s)
		p.last = pct
	}
}

// wipe overwrites the figure on screen with spaces, as sysdig does before
// each new one.
func (p *progress) wipe() {
	io.WriteString(p.w, "\r"+strings.Repeat(" ", p.line))
}

// end prints the figure of the end of the reading and ends its line, the
// first time it is called. A nil progress does nothing.
func (p *progress) end() {
	if p == nil || p.ended {
		return
	}
	p.ended = true
	p.wipe()
	p.output(true)
	io.WriteString(p.w, "\n")
}
