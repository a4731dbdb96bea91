package format

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/state"
)

// Options select what sysdig's command line selects for printing.
type Options struct {
	// Time is the -t modifier: 'h' (the default, also for 0) local
	// HH:MM:SS.nnnnnnnnn, 'a' absolute seconds, 'r' relative to the first
	// event of the file, 'd' delta between an exit event and its enter
	// event, 'D' delta from the previous printed event.
	Time byte
	// Buffer is the byte-buffer format: -A, -x, -X or -b.
	Buffer BufFormat
	// Verbose (-v) stops the truncation of buffers to 80 characters.
	Verbose bool
	// Container (-pc) prints the container-friendly format.
	Container bool
	// JSON (-j) prints one JSON object per event.
	JSON bool
	// TZOffset, when not nil, is the local time's offset east of UTC in
	// seconds for -t h; by default it is the machine's current offset, as
	// sysdig computes it.
	TZOffset *int
}

// Printer writes events as sysdig -r prints them. It is not safe for
// concurrent use.
//
// The caller passes every event read to Observe, after the state engine
// has applied it, and the events to show to Print (Print observes the
// event itself when the caller has not). Print skips the events sysdig
// never prints: internal ones (procinfo and such), those flagged
// state-only, and the container events a file starts with.
//
// A Thread object of the state is taken to live as long as its thread:
// when st.Thread(tid) returns another object, the printer's per-thread
// bookkeeping starts over, as sinsp's does for a new threadinfo.
type Printer struct {
	w   *bufio.Writer
	st  lookup
	opt Options
	r   *Renderer

	line  []byte
	info  []byte
	tz    int64
	kinds []codeKind

	// -t r: the first event's time (sinsp's m_firstevent_ts).
	firstTS uint64
	// -t D: the previous printed event's time.
	prevTS uint64
	// -t h: the time of day of second hmsSec, as "HH:MM:SS.".
	hms    [9]byte
	hmsSec uint64
	hmsOK  bool
	// curEv is the event Observe saw last, unless it did not look its
	// thread up, and curTh that thread.
	curEv       *event.Event
	curTh       *state.Thread
	observedNum uint64
	observed    bool
	curLat      uint64 // latency of the last observed event
	curLatOK    bool   // whether sinsp has a thread for it
	curParsed   bool   // whether sinsp's parser handles it (exit after its enter)
	curFD       int64  // for an exit using an fd, the fd of its enter event

	// The fake thread sinsp gives a container event.
	ctr   state.Thread
	ctrID string
	// ctrByJSON holds the threads made for container events, by their
	// JSON.
	ctrByJSON map[string]*state.Thread

	// Whether an event other than a container event has been seen: sinsp
	// consumes the container events a file starts with while opening it,
	// and never returns them.
	started bool
}

// codeKind classifies event codes for the printer.
type codeKind uint8

const (
	kindInternal      codeKind = 1 << iota // never printed
	kindSkipReset                          // sinsp keeps no thread for it
	kindSwitch                             // sched switch: no latency update
	kindContainerJSON                      // container metadata event
	kindGeneric                            // generic syscall event
	kindContainer                          // any container event
	kindWriteExit                          // an exit sinsp parses as a write
)

// NewPrinter returns a Printer writing to w (through a bufio.Writer,
// unless w is one), resolving threads, fds, users and containers in st.
func NewPrinter(w io.Writer, st *state.State, opt Options) *Printer {
	return newPrinter(w, lookupOf(st), opt)
}

func newPrinter(w io.Writer, st lookup, opt Options) *Printer {
	if opt.Time == 0 {
		opt.Time = 'h'
	}
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	p := &Printer{
		w:    bw,
		st:   st,
		opt:  opt,
		r:    newRenderer(st, opt.Buffer, opt.JSON, opt.Verbose),
		line: make([]byte, 0, 1024),
		info: make([]byte, 0, 1024),
	}
	if opt.TZOffset != nil {
		p.tz = int64(*opt.TZOffset)
	} else {
		_, off := time.Now().Zone()
		p.tz = int64(off - off%60) // gmt2local counts hours and minutes
	}
	n := event.NumCodes()
	p.kinds = make([]codeKind, n)
	for c := 0; c < n; c++ {
		code := event.Code(c)
		var k codeKind
		if event.Category029(code)&event.CatInternal != 0 {
			k |= kindInternal
		}
		fl := event.Flags029(code)
		if fl&event.FlagSkipParseReset != 0 {
			k |= kindSkipReset
		}
		if info := event.Lookup(code); info != nil {
			switch {
			case info.Name == "switch" && fl&event.FlagSkipParseReset == 0:
				k |= kindSwitch
			case info.Name == "container" && len(info.Params) == 1 && info.Params[0].Name == "json":
				k |= kindContainerJSON | kindContainer
			case info.Name == "container":
				k |= kindContainer
			}
		}
		if c == 0 || c == 1 {
			k |= kindGeneric
		}
		switch c {
		case 9, 29, 31, 49, 115, 119, 123, 189: // write, send, sendto, sendmsg, pwrite, writev, pwritev, sendfile exits
			if fl&event.FlagReadsFromFD == 0 {
				k |= kindWriteExit
			}
		}
		p.kinds[c] = k
	}
	return p
}

func (p *Printer) kind(c event.Code) codeKind {
	if int(c) < len(p.kinds) {
		return p.kinds[c]
	}
	return 0
}

// Renderer returns the Printer's parameter renderer.
func (p *Printer) Renderer() *Renderer { return p.r }

// Observe records what the printer needs to know about every event read,
// printed or not: the time of the first one, for -t r, and, from the
// state's account of each thread's last enter event (sinsp's threadinfo),
// the event's latency for -t d and whether its enter event was parsed.
// Call it after the state engine has applied e.
func (p *Printer) Observe(e *event.Event) {
	k := p.Note(e)
	if k&(kindSkipReset|kindContainerJSON) != 0 {
		return
	}
	th := p.st.Thread(e.TID)
	// Thread gives it again for this event.
	p.curEv, p.curTh = e, th
	if th == nil {
		return
	}
	pr := p.st.Pairing(th)
	p.curLat, p.curLatOK = pr.Latency, true
	if k&kindSwitch != 0 {
		return
	}
	if e.Type.IsEnter() {
		p.curLat = 0
		p.curParsed = true
		return
	}
	if pr.EnterOK {
		p.curParsed = true
		if event.Flags029(e.Type)&event.FlagUsesFD != 0 {
			p.curFD = pr.LastFD
		}
	}
}

// Note is the part of Observe that an event the capture filter rejects
// before parsing still needs: the printer knows it was read. It returns
// the printer's kind of e.
func (p *Printer) Note(e *event.Event) codeKind {
	p.observed, p.observedNum = true, e.Num
	k := p.kind(e.Type)
	if k&kindContainer == 0 {
		p.started = true
	}
	if p.firstTS == 0 && k&kindContainerJSON == 0 {
		p.firstTS = e.TS
	}
	p.curLat, p.curLatOK = 0, false
	p.curParsed, p.curFD = false, -1
	p.curEv = nil
	return k
}

// Restart starts over where sinsp restarts the capture: at each section of
// a file after the first. The time of the first event, for -t r, is taken
// again from the new section, and the container events it begins with are
// consumed again.
func (p *Printer) Restart() {
	p.firstTS = 0
	p.started = false
}

// Skipped reports whether Print would print nothing for e: internal
// events, state-only events, and the container events a file starts
// with (sinsp consumes those while opening the file). Call it after
// Observe.
func (p *Printer) Skipped(e *event.Event) bool {
	k := p.kind(e.Type)
	return e.Flags&event.FlagStateOnly != 0 || k&kindInternal != 0 ||
		(!p.started && k&kindContainer != 0)
}

// Thread returns the thread sysdig attributes e to: the state's thread
// e.TID, except for container events, which get a made-up thread named
// after the container.
func (p *Printer) Thread(e *event.Event) *state.Thread {
	if p.curEv == e && p.observedNum == e.Num {
		// Observe looked it up, and nothing changed since.
		return p.curTh
	}
	if p.kind(e.Type)&kindContainerJSON != 0 {
		return p.containerThread(e)
	}
	return p.st.Thread(e.TID)
}

// containerThread is sinsp_container_info::get_tinfo for the container
// described by a container event.
func (p *Printer) containerThread(e *event.Event) *state.Thread {
	js := event.CString(e.Param(0))
	if t := p.ctrByJSON[string(js)]; t != nil {
		// The same description again: the same thread.
		return t
	}
	var v struct {
		Container struct {
			ID string `json:"id"`
		} `json:"container"`
	}
	_ = json.Unmarshal(js, &v)
	if v.Container.ID != p.ctrID || p.ctr.Comm == "" {
		p.ctrID = v.Container.ID
		p.ctr = state.Thread{
			TID: -1, PID: -1, VTID: -2, VPID: -2,
			Comm:        "container:" + v.Container.ID,
			ContainerID: v.Container.ID,
		}
	}
	if p.ctrByJSON == nil || len(p.ctrByJSON) >= 1024 {
		p.ctrByJSON = make(map[string]*state.Thread)
	}
	t := p.ctr
	p.ctrByJSON[string(js)] = &t
	return &t
}

// Print writes e in the selected format, with a newline.
func (p *Printer) Print(e *event.Event) error {
	if !p.observed || p.observedNum != e.Num {
		p.Observe(e)
	}
	if p.Skipped(e) {
		return nil
	}
	th := p.Thread(e)
	syslog := p.appendSyslogInfo(e, th)
	var b []byte
	if p.opt.JSON {
		if !syslog {
			p.info = p.r.AppendInfo(p.info[:0], e, th)
		}
		b = p.appendJSON(p.line[:0], e, th)
	} else {
		b = p.appendText(p.line[:0], e, th)
		// evt.info goes straight into the line.
		if syslog {
			b = append(b, p.info...)
		} else {
			b = p.r.AppendInfo(b, e, th)
		}
	}
	b = append(b, '\n')
	p.line = b[:0]
	_, err := p.w.Write(b)
	return err
}

// Flush writes out what is buffered.
func (p *Printer) Flush() error { return p.w.Flush() }

// Writer is the Printer's buffered writer, for output that must interleave
// with events.
func (p *Printer) Writer() *bufio.Writer { return p.w }

const na = "<NA>"

// appendText appends the default (or -pc) format up to evt.info, which
// the caller appends.
func (p *Printer) appendText(b []byte, e *event.Event, th *state.Thread) []byte {
	b = AppendUint(b, e.Num)
	b = append(b, ' ')
	b = p.appendOutputTime(b, e)
	b = append(b, ' ')
	b = AppendInt(b, int64(int16(e.CPU)))
	b = append(b, ' ')
	if p.opt.Container {
		b = p.appendContainerName(b, th)
		b = append(b, " ("...)
		b = p.appendContainerID(b, th)
		b = append(b, ") "...)
	}
	if th != nil {
		b = appendCStr(b, th.Comm)
	} else {
		b = append(b, na...)
	}
	b = append(b, " ("...)
	b = AppendInt(b, e.TID)
	if p.opt.Container {
		b = append(b, ':')
		if th != nil && th.VTID != -1 {
			b = AppendInt(b, th.VTID)
		} else {
			b = append(b, na...)
		}
	}
	b = append(b, ") "...)
	b = append(b, e.Type.DirChar(), ' ')
	b = p.appendType(b, e)
	return append(b, ' ')
}

// appendType is evt.type: the event's name, or the syscall's for generic
// events.
func (p *Printer) appendType(b []byte, e *event.Event) []byte {
	if p.kind(e.Type)&kindGeneric != 0 {
		return append(b, event.SyscallName(uint16(fixed(paramRest(e, 0), 2)))...)
	}
	return append(b, e.Name()...)
}

func (p *Printer) appendContainerID(b []byte, th *state.Thread) []byte {
	switch {
	case th == nil:
		return append(b, na...)
	case th.ContainerID == "":
		return append(b, "host"...)
	}
	return appendCStr(b, th.ContainerID)
}

// containerName returns container.name, or false for <NA>.
func (p *Printer) containerName(th *state.Thread) (string, bool) {
	if th == nil {
		return "", false
	}
	if th.ContainerID == "" {
		return "host", true
	}
	c := p.st.Container(th.ContainerID)
	if c == nil || c.Name == "" {
		return "", false
	}
	return c.Name, true
}

func (p *Printer) appendContainerName(b []byte, th *state.Thread) []byte {
	if n, ok := p.containerName(th); ok {
		return appendCStr(b, n)
	}
	return append(b, na...)
}

// appendOutputTime is evt.outputtime in the -t format.
func (p *Printer) appendOutputTime(b []byte, e *event.Event) []byte {
	ts := e.TS
	switch p.opt.Time {
	case 'a':
		b = strconv.AppendUint(b, ts/1e9, 10)
		b = append(b, '.')
		return strconv.AppendUint(b, ts%1e9, 10)
	case 'r':
		return appendSecNs(b, ts-p.firstTS)
	case 'd':
		if !p.curLatOK {
			return append(b, "0.000000000"...)
		}
		return appendSecNs(b, p.curLat)
	case 'D':
		if p.prevTS == 0 {
			p.prevTS = ts
		}
		d := ts - p.prevTS
		p.prevTS = ts
		return appendSecNs(b, d)
	}
	// 'h': sinsp_utils::ts_to_string(ts, date=false, ns=true).
	sec := ts / 1e9
	if sec != p.hmsSec || !p.hmsOK {
		// "HH:MM:SS." changes once a second: kept across events.
		s := (sec + uint64(p.tz)) % 86400
		h, m, sc := s/3600, s%3600/60, s%60
		p.hms = [9]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10), ':',
			byte('0' + sc/10), byte('0' + sc%10), '.'}
		p.hmsSec, p.hmsOK = sec, true
	}
	b = append(b, p.hms[:]...)
	return append9Digits(b, ts%1e9)
}

// append9Digits appends v, less than 1e9, as nine digits, zero-padded.
func append9Digits(b []byte, v uint64) []byte {
	var d [9]byte
	for i := 8; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:]...)
}

// appendSecNs appends d as seconds, '.', and nine digits of nanoseconds.
func appendSecNs(b []byte, d uint64) []byte {
	b = strconv.AppendUint(b, d/1e9, 10)
	b = append(b, '.')
	return AppendZeroPadded(b, d%1e9, 9)
}

// appendJSON writes the event as sysdig -j does: the format's fields as
// an object with sorted keys.
func (p *Printer) appendJSON(b []byte, e *event.Event, th *state.Thread) []byte {
	b = append(b, '{')
	if p.opt.Container {
		b = append(b, `"container.id":`...)
		if th == nil {
			b = append(b, "null"...)
		} else {
			p.r.tmp = p.appendContainerID(p.r.tmp[:0], th)
			b = AppendJSONString(b, p.r.tmp)
		}
		b = append(b, `,"container.name":`...)
		if n, ok := p.containerName(th); ok {
			p.r.tmp = appendCStr(p.r.tmp[:0], n)
			b = AppendJSONString(b, p.r.tmp)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, ',')
	}
	b = append(b, `"evt.cpu":`...)
	b = AppendInt(b, int64(int16(e.CPU)))
	b = append(b, `,"evt.dir":"`...)
	b = append(b, e.Type.DirChar(), '"')
	b = append(b, `,"evt.info":`...)
	b = AppendJSONString(b, p.info)
	b = append(b, `,"evt.num":`...)
	b = AppendUint(b, e.Num)
	b = append(b, `,"evt.outputtime":`...)
	b = strconv.AppendInt(b, int64(e.TS), 10)
	b = append(b, `,"evt.type":`...)
	p.r.tmp = p.appendType(p.r.tmp[:0], e)
	b = AppendJSONString(b, p.r.tmp)
	b = append(b, `,"proc.name":`...)
	if th != nil {
		p.r.tmp = appendCStr(p.r.tmp[:0], th.Comm)
		b = AppendJSONString(b, p.r.tmp)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"thread.tid":`...)
	b = AppendInt(b, e.TID)
	if p.opt.Container {
		b = append(b, `,"thread.vtid":`...)
		if th != nil && th.VTID != -1 {
			b = AppendInt(b, th.VTID)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

var syslogSeverities = [8]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

// appendSyslogInfo sets p.info to what sinsp's syslog decoder shows as
// evt.info for a successful write of a syslog message to /dev/log:
// "syslog sev=SEVERITY msg=MESSAGE". It reports false, leaving p.info
// alone, when the decoder has nothing to say about e.
//
// sinsp hands the data of every successful write-type exit it parses to
// the decoder when the fd was named after /dev/log as the decoder saw it
// (at open, connect, or from the file's fd table); here the fd's current
// name decides.
func (p *Printer) appendSyslogInfo(e *event.Event, th *state.Thread) bool {
	if p.kind(e.Type)&kindWriteExit == 0 || !p.curParsed || p.curFD < 0 || th == nil || NumParams(e) < 2 {
		return false
	}
	if int64(fixed(paramRest(e, 0), 8)) < 0 {
		return false
	}
	f := p.st.FD(th, p.curFD)
	if f == nil || !strings.Contains(f.Name, "/dev/log") {
		return false
	}
	data := e.Param(1)
	// The priority: the bytes after the first, up to '>' or NUL, at most 15.
	j := 0
	for 1+j < len(data) && data[1+j] != '>' && data[1+j] != 0 && j < 15 {
		j++
	}
	if len(data) < j+2 || j == 0 {
		return false
	}
	var pri int32
	for _, c := range data[1 : 1+j] {
		if c < '0' || c > '9' {
			return false
		}
		pri = pri*10 + int32(c-'0')
	}
	if pri == -1 {
		return false
	}
	p.info = append(p.info[:0], "syslog sev="...)
	p.info = append(p.info, syslogSeverities[pri&7]...)
	p.info = append(p.info, " msg="...)
	p.info = append(p.info, event.CString(data[j+2:])...)
	return true
}
