package fields

import (
	"encoding/binary"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
	"github.com/syscope/syscope/state"
)

// Capture is what the fields know about a capture as a whole: the time
// of its first event (evt.reltime, -t r), its network interfaces (which
// decide the local end of a socket: fd.lip, fd.rport, fd.is_server...),
// and the output options that fields depend on. One Capture serves every
// Ctx of a run.
type Capture struct {
	// Time is sysdig's -t letter, which evt.outputtime follows: 'h' (the
	// default, also for 0), 'a', 'r', 'd' or 'D'.
	Time byte
	// TZOffset is the local time's offset east of UTC in seconds, for
	// evt.time, evt.datetime and -t h. NewCapture sets the machine's
	// current one, as sysdig computes it.
	TZOffset int
	// FirstTS is the time of the capture's first event (sinsp's
	// m_firstevent_ts), which Observe sets.
	FirstTS uint64

	v4 []ifaceV4
	v6 [][16]byte

	// What sinsp keeps in its threadinfos about their last event: the
	// enter time and latency (evt.latency, -t d), the enter event's type
	// and the thread's last fd (fd.num).
	threads map[int64]*thrInfo
	lastTID int64
	lastTI  *thrInfo
	cur     *thrInfo     // the observed event's thread, nil if sinsp has none
	ctrTh   state.Thread // the thread of the last container event
}

type thrInfo struct {
	th       *state.Thread
	enterTS  uint64
	latency  uint64
	lastType int32
	lastFD   int64
}

type ifaceV4 struct{ addr, mask uint32 }

// NewCapture returns a Capture for the machine's current time zone.
func NewCapture() *Capture {
	_, off := time.Now().Zone()
	return &Capture{Time: 'h', TZOffset: off - off%60}
}

// Observe records what the fields need to know about every event read,
// printed or not: the time of the first one, and what sinsp keeps about
// each thread's last event. Call it for each event, in order, after the
// state engine has applied it.
func (c *Capture) Observe(e *event.Event, st *state.State) {
	cjson := isContainerJSON(e.Type)
	if c.FirstTS == 0 && !cjson {
		c.FirstTS = e.TS
	}
	c.cur = nil
	fl := event.Flags029(e.Type)
	if fl&event.FlagSkipParseReset != 0 || cjson || st == nil {
		return
	}
	th := st.Thread(e.TID)
	if th == nil {
		return
	}
	l := c.lastTI
	if l == nil || c.lastTID != e.TID {
		if c.threads == nil {
			c.threads = make(map[int64]*thrInfo)
		}
		l = c.threads[e.TID]
		if l == nil {
			l = &thrInfo{}
			c.threads[e.TID] = l
		}
		c.lastTID, c.lastTI = e.TID, l
	}
	if l.th != th {
		// A new threadinfo's last fd is 0.
		*l = thrInfo{th: th, lastType: -1}
	}
	c.cur = l
	if e.Type == codeSchedSwitch6E {
		return
	}
	usesFD := fl&event.FlagUsesFD != 0
	if e.Type.IsEnter() {
		l.latency = 0
		l.enterTS = e.TS
		l.lastType = int32(e.Type)
		l.lastFD = -1
		if usesFD {
			l.lastFD = event.Int(paddedParam(e, 0, 8))
		}
		return
	}
	if l.enterTS != 0 {
		l.latency = e.TS - l.enterTS
	}
	if int32(e.Type) != l.lastType+1 {
		return
	}
	if usesFD && e.Type == codeCopyFileRangeX {
		l.lastFD = event.Int(paddedParam(e, 1, 8))
	}
	// The fd an exit creates becomes the thread's last one.
	if fl&event.FlagCreatesFD != 0 {
		if f := st.Last().FD; f != nil {
			l.lastFD = f.Num
		}
	}
}

// ObserveTime is Observe for a run none of whose fields reads what
// sinsp keeps about each thread's last event (see ReadsLastEvent): it
// only notes the time of the first event. Fill then gives no latency
// and no last fd.
func (c *Capture) ObserveTime(e *event.Event) {
	if c.FirstTS == 0 && !isContainerJSON(e.Type) {
		c.FirstTS = e.TS
	}
	c.cur = nil
}

// ReadsLastEvent reports whether the field name reads what Observe keeps
// of each thread's last event: the latency (evt.latency and its kin,
// evt.wait_latency, evt.outputtime with -t d) or the thread's last fd
// (the fd fields of an event whose fd is not in its parameters).
func ReadsLastEvent(name string) bool {
	return strings.HasPrefix(name, "fd.") || strings.HasPrefix(name, "evt.latency") ||
		name == "evt.wait_latency" || name == "evt.outputtime"
}

// Reject is State.Reject for what the fields keep of each thread's last
// event: after sysdig's filter rejects e before parsing it, the thread's
// next exit is not paired with its enter event. Call it after Observe.
func (c *Capture) Reject(e *event.Event) {
	if c.cur != nil && state.RejectUnpairs(e) {
		c.cur.lastType = rejectedType
	}
}

// rejectedType is sinsp's PPM_EVENT_MAX as a thread's last event type:
// no exit follows it.
const rejectedType = 1 << 20

// Fill sets c for e, the event last observed, after the state engine has
// applied it: the thread th (nil for the state's; the printer's
// Thread(e) gives the made-up thread of container events), the fd the
// state resolved, and what sinsp knows of the thread's last event
// (latency, fd number). c.R is left alone.
func (c *Capture) Fill(ctx *Ctx, e *event.Event, st *state.State, th *state.Thread) {
	last := st.Last()
	if th == nil {
		th = last.Thread
	} else if th != last.Thread && th.TID == -1 && isContainerJSON(e.Type) {
		// The made-up thread of a container event is a new
		// sinsp_threadinfo, whose init() sets the session, the process
		// group and the fd limit to -1.
		c.ctrTh = *th
		c.ctrTh.SID, c.ctrTh.VPGID, c.ctrTh.FDLimit = -1, -1, -1
		th = &c.ctrTh
	}
	// Field by field: cheaper than a whole new Ctx, and every field
	// but R is set.
	ctx.Ev, ctx.St, ctx.Th, ctx.FD, ctx.NameChanged, ctx.Cap = e, st, th, last.FD, last.NameChanged, c
	ctx.Latency, ctx.FDNum = 0, -1
	if l := c.cur; l != nil {
		ctx.Latency = l.latency
		ctx.FDNum = l.lastFD
	}
}

// Restart starts over at a new section of the file: sinsp takes the
// time of the first event again, and reads the threads again.
func (c *Capture) Restart() {
	c.FirstTS = 0
	clear(c.threads)
	c.lastTI, c.cur = nil, nil
}

// SetInterfaces records the machine's interfaces, from a file's
// interface list block.
func (c *Capture) SetInterfaces(list []scap.Interface) {
	c.v4, c.v6 = c.v4[:0], c.v6[:0]
	for _, it := range list {
		if it.IPv6 {
			c.v6 = append(c.v6, it.Addr)
			continue
		}
		c.v4 = append(c.v4, ifaceV4{
			addr: binary.LittleEndian.Uint32(it.Addr[:4]),
			mask: binary.LittleEndian.Uint32(it.Netmask[:4]),
		})
	}
}

// Sink returns a scap.Sink that hands the file's interface list to c and
// everything to inner, which may be nil. A new section of the file
// restarts c.
func (c *Capture) Sink(inner scap.Sink) scap.Sink { return &capSink{c: c, inner: inner} }

type capSink struct {
	c     *Capture
	inner scap.Sink
}

func (k *capSink) Machine(m *scap.MachineInfo) {
	if k.inner != nil {
		k.inner.Machine(m)
	}
}
func (k *capSink) Process(p *scap.Process) {
	if k.inner != nil {
		k.inner.Process(p)
	}
}
func (k *capSink) FD(tid int64, f *scap.FDInfo) {
	if k.inner != nil {
		k.inner.FD(tid, f)
	}
}
func (k *capSink) User(u *scap.User) {
	if k.inner != nil {
		k.inner.User(u)
	}
}
func (k *capSink) Group(g *scap.Group) {
	if k.inner != nil {
		k.inner.Group(g)
	}
}
func (k *capSink) Interfaces(list []scap.Interface) {
	k.c.SetInterfaces(list)
	if k.inner != nil {
		k.inner.Interfaces(list)
	}
}

// NewSection is called by the reader, like the state's sink, at each new
// section of a file.
func (k *capSink) NewSection() {
	k.c.Restart()
	if n, ok := k.inner.(interface{ NewSection() }); ok {
		n.NewSection()
	}
}

// localV4 is sinsp_network_interfaces::is_ipv4addr_in_local_machine:
// addr (as stored, little-endian) is the address of a container of the
// thread's, or of an interface.
func (c *Ctx) localV4(addr uint32, t *state.Thread) bool {
	if t != nil && t.ContainerID != "" && c.St != nil {
		if ci := c.St.Container(t.ContainerID); ci != nil {
			if ip := containerIP(ci); ip != 0 {
				if addr == ip {
					return true
				}
			}
			// sinsp then scans every container's IP; the state keeps
			// no list of them, so this is not done.
		}
	}
	if c.Cap == nil {
		return false
	}
	for _, it := range c.Cap.v4 {
		if it.addr == addr {
			return true
		}
	}
	return false
}

// localV6 is is_ipv6addr_in_local_machine: same first 64 bits as an
// interface's address, never for a thread in a container.
func (c *Ctx) localV6(addr [16]byte, t *state.Thread) bool {
	if t != nil && t.ContainerID != "" {
		return false
	}
	if c.Cap == nil {
		return false
	}
	for _, a := range c.Cap.v6 {
		if [8]byte(a[:8]) == [8]byte(addr[:8]) {
			return true
		}
	}
	return false
}

// containerIP parses a container's IP (dotted) into the stored form.
func containerIP(ci *state.Container) uint32 {
	s := ci.IP
	var b [4]byte
	n, v, dots := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if n == 0 || dots > 3 {
				return 0
			}
			b[dots] = byte(v)
			dots++
			n, v = 0, 0
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		v = v*10 + int(s[i]-'0')
		n++
		if v > 255 {
			return 0
		}
	}
	if dots != 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b[:])
}

func isContainerJSON(t event.Code) bool {
	info := event.Lookup(t)
	return info != nil && info.Name == "container" && len(info.Params) == 1 && info.Params[0].Name == "json"
}
