package crash

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/format"
	"github.com/syscope/syscope/state"
	"github.com/syscope/syscope/vsyscall"
)

// Event codes the analyzer reads.
const (
	evProcExitE      = 16
	evProcExit1E     = 186
	evSignalDeliverE = 232
	evPageFaultE     = 290
	evMmapE          = 160
	evMmapX          = 161
	evMmap2E         = 162
	evMmap2X         = 163
	evSwitch1E       = 146
	evSwitch6E       = 152
)

// DefaultLast is how many events of the dying thread a report shows.
const DefaultLast = 10

// Options set up an Analyzer.
type Options struct {
	// Last is the number of events of the thread shown before each
	// death; 0 means DefaultLast.
	Last int
	// Mode is the host's vsyscall mode when the events are live, "" for
	// a capture file (the report then says what a fault implies).
	Mode vsyscall.Mode
	// Live says the events come from this host now: the user stacks are
	// then symbolized from the processes' own memory maps and files
	// (/proc/PID/maps and /proc/PID/root, so a container's libraries);
	// from a capture file, only fixed-address executables are, from the
	// paths the capture names on this host's filesystem.
	Live bool
}

// Death is one process that died from a signal.
type Death struct {
	Num        uint64 // the procexit event's number
	TS         uint64
	TID, PID   int64
	Comm, Exe  string
	Container  string // the container id, "" for the host
	Status     int64  // the wait status, as procexit carries it
	Signal     uint8
	Core       bool
	SignalTID  int64  // the thread the fatal signal was delivered to
	Fault      *Fault // the page fault the signal followed, if any
	Cause      string
	Kind       string   // the cause in a few words, to count alike deaths
	LastEvents []string // the thread's last events, oldest first
	Stack      *Stack   // the user stack the probe recorded, if any
	Frames     []string // Stack symbolized: #0 is the instruction pointer
}

// thread is what the analyzer keeps per thread: its last events, as
// printed lines, and the last page fault and fatal signal.
type thread struct {
	lines   [][]byte
	next    int // where the next line goes once lines is full
	lastPF  bool
	fault   Fault
	fresh   bool // the fault is the thread's latest event
	sig     uint8
	sigLast bool // the signal is the thread's latest event (no syscall since)
	sigTS   uint64
	sigF    *Fault
	mmap    *mapping // an executable mmap under way: its exit gives the address
	stack   *Stack   // recorded after the fatal signal, with its frames
	frames  []string
}

// Analyzer follows the events and collects the deaths.
type Analyzer struct {
	opt     Options
	st      *state.State
	r       *format.Renderer
	threads map[int64]*thread
	// pending is the fatal signal last delivered to each process, for
	// its procexit, which may come from another thread.
	pending map[int64]*thread
	pendTID map[int64]int64
	deaths  []Death
	// maps are the executable file mappings each process made with
	// mmap since its exec, for symbolizing without /proc (a capture
	// file, or a process already gone).
	maps map[int64][]mapping
}

// New returns an Analyzer reading names from st.
func New(st *state.State, opt Options) *Analyzer {
	if opt.Last <= 0 {
		opt.Last = DefaultLast
	}
	return &Analyzer{
		opt:     opt,
		st:      st,
		r:       format.NewRenderer(st, format.BufNormal, false, false),
		threads: make(map[int64]*thread),
		pending: make(map[int64]*thread),
		pendTID: make(map[int64]int64),
		maps:    make(map[int64][]mapping),
	}
}

// Deaths returns the deaths seen so far, in order.
func (a *Analyzer) Deaths() []Death { return a.deaths }

// Observe takes the next event, after the state has applied it.
func (a *Analyzer) Observe(e *event.Event) {
	if e.Info == nil || e.Type == evSwitch1E || e.Type == evSwitch6E {
		// A context switch is the scheduler's doing, not the thread's:
		// it neither shows in the thread's story nor separates a fault
		// from its signal.
		return
	}
	t := a.threads[e.TID]
	if t == nil {
		t = &thread{lines: make([][]byte, 0, a.opt.Last)}
		a.threads[e.TID] = t
	}
	th := a.st.Thread(e.TID)
	if e.Type == event.CodeUserStack {
		// syscope's own event: not one sysdig would show among the
		// last events, and it follows the signal it belongs to.
		st := decodeStack(e.Param(0), e.Param(1), e.Param(2))
		pid, exe, onHost := e.TID, "", true
		if th != nil {
			onHost = th.ContainerID == "" || th.ContainerID == "host"
			if th.PID != 0 {
				pid = th.PID
			}
			exe = exePath(th)
		}
		t.stack = &st
		t.frames = newSymbolizer(a.opt.Live, pid, exe, a.maps[pid], onHost).Frames(st)
		return
	}
	a.remember(t, e, th)
	a.trackMaps(e, t, th)
	switch e.Type {
	case evPageFaultE:
		t.fault = Fault{Addr: event.Uint(e.Param(0)), IP: event.Uint(e.Param(1)), Flags: uint32(event.Uint(e.Param(2)))}
		t.fresh = true
		t.sigLast = false
		return
	case evSignalDeliverE:
		sig := uint8(event.Uint(e.Param(2)))
		if !killsByDefault(sig) {
			break
		}
		t.sig, t.sigTS, t.sigLast, t.sigF = sig, e.TS, true, nil
		t.stack, t.frames = nil, nil
		if t.fresh && (sig == 11 || sig == 7) {
			f := t.fault
			t.sigF = &f
		}
		pid := e.TID
		if th != nil && th.PID != 0 {
			pid = th.PID
		}
		a.pending[pid] = t
		a.pendTID[pid] = e.TID
		t.fresh = false
		return
	case evProcExitE, evProcExit1E:
		a.exit(e, t, th)
		delete(a.threads, e.TID)
		if th == nil || th.PID == e.TID {
			delete(a.maps, e.TID)
		}
		return
	}
	t.fresh = false
	t.sigLast = false
}

// protExec is PPM_PROT_EXEC, in mmap's prot parameter.
const protExec = 4

// trackMaps follows the executable file mappings a process makes: mmap
// with PROT_EXEC of a file descriptor, then its exit with the address; an
// exec starts the list over.
func (a *Analyzer) trackMaps(e *event.Event, t *thread, th *state.Thread) {
	if th == nil {
		return
	}
	pid := th.PID
	if pid == 0 {
		pid = e.TID
	}
	switch e.Type {
	case evMmapE, evMmap2E:
		t.mmap = nil
		if uint32(event.Uint(e.Param(2)))&protExec == 0 {
			return
		}
		fd := a.st.FD(th, event.Int(e.Param(4)))
		if fd == nil || !strings.HasPrefix(fd.Name, "/") {
			return
		}
		off := event.Uint(e.Param(5))
		if e.Type == evMmap2E {
			off *= 4096 // mmap2 takes pages
		}
		t.mmap = &mapping{end: event.Uint(e.Param(1)), off: off, path: fd.Name}
	case evMmapX, evMmap2X:
		m := t.mmap
		t.mmap = nil
		addr := event.Uint(e.Param(0))
		if m == nil || addr >= 0xfffffffffffff000 { // an errno
			return
		}
		m.start, m.end = addr, addr+m.end
		a.maps[pid] = append(a.maps[pid], *m)
	default:
		if e.Info.Name == "execve" && !e.Type.IsEnter() && event.Int(e.Param(0)) == 0 {
			delete(a.maps, pid)
		}
	}
}

// remember keeps e as one of the thread's last events; a run of page
// faults keeps only its last one, so minor faults do not push the
// syscalls out.
func (a *Analyzer) remember(t *thread, e *event.Event, th *state.Thread) {
	// Each line is written into its slot's buffer, reused: a busy host
	// sends hundreds of thousands of events a second through here.
	pf := e.Type == evPageFaultE
	var slot *[]byte
	switch {
	case pf && t.lastPF && len(t.lines) > 0:
		i := t.next - 1
		if len(t.lines) < cap(t.lines) || i < 0 {
			i = len(t.lines) - 1
		}
		slot = &t.lines[i]
	case len(t.lines) < cap(t.lines):
		t.lines = append(t.lines, nil)
		slot = &t.lines[len(t.lines)-1]
	default:
		slot = &t.lines[t.next]
		t.next = (t.next + 1) % len(t.lines)
	}
	t.lastPF = pf
	b := strconv.AppendUint((*slot)[:0], e.Num, 10)
	b = append(b, ' ')
	b = time.Unix(0, int64(e.TS)).AppendFormat(b, clockLayout)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(e.CPU), 10)
	b = append(b, ' ')
	if th != nil {
		b = append(b, th.Comm...)
	}
	b = append(b, " ("...)
	b = strconv.AppendInt(b, e.TID, 10)
	b = append(b, ") "...)
	b = append(b, e.Type.DirChar(), ' ')
	b = append(b, e.Info.Name...)
	b = append(b, ' ')
	*slot = a.r.AppendInfo(b, e, th)
}

// last returns the thread's kept events, oldest first.
func (t *thread) last() []string {
	out := make([]string, 0, len(t.lines))
	for _, l := range t.lines[t.next:] {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	for _, l := range t.lines[:t.next] {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	return out
}

// exit handles a procexit: a death when the wait status says a signal
// killed the process, or when a fatal signal was the thread's last event.
func (a *Analyzer) exit(e *event.Event, t *thread, th *state.Thread) {
	status := event.Int(e.Param(0))
	sig := uint8(0)
	if s := status & 0x7f; s != 0 && s != 0x7f {
		sig = uint8(s)
	}
	if e.NParams() >= 3 {
		if s := uint8(event.Uint(e.Param(2))); s != 0 {
			sig = s
		}
	}
	core := status&0x80 != 0
	if e.NParams() >= 4 && event.Uint(e.Param(3)) != 0 {
		core = true
	}
	pid := e.TID
	if th != nil && th.PID != 0 {
		pid = th.PID
	}
	if sig == 0 && t.sigLast && status == 0 {
		// A fatal signal, then nothing but the exit: sysdig's older
		// probes report status 0 for some such deaths.
		sig = t.sig
	}
	if sig == 0 {
		if pid == e.TID {
			delete(a.pending, pid)
			delete(a.pendTID, pid)
		}
		return
	}
	if pid != e.TID {
		// Another thread of a dying process: the main thread's exit is
		// the process's death.
		return
	}
	d := Death{Num: e.Num, TS: e.TS, TID: e.TID, PID: pid, Status: status, Signal: sig, Core: core, SignalTID: e.TID}
	if th != nil {
		// exe as execve gave it: the thread's other paths can still be
		// its parent's when the exec's exit event was filtered out.
		d.Comm, d.Exe, d.Container = th.Comm, th.Exe, th.ContainerID
	}
	src := t
	if p := a.pending[pid]; p != nil && p.sig == sig {
		src = p
		d.SignalTID = a.pendTID[pid]
	}
	if src.sigF != nil && src.sig == sig {
		d.Fault = src.sigF
	} else if src.fresh && (sig == 11 || sig == 7) {
		f := src.fault
		d.Fault = &f
	}
	if d.Fault != nil {
		name := d.Comm
		if name == "" {
			name = fmt.Sprintf("thread %d", d.SignalTID)
		}
		d.Cause = Cause(name, *d.Fault, sig, a.opt.Mode, 0)
		d.Kind = Kind(*d.Fault, 0)
	}
	if src.sig == sig && src.stack != nil {
		d.Stack, d.Frames = src.stack, src.frames
	}
	d.LastEvents = src.last()
	if src != t {
		// The dying thread's own exit, after the faulting thread's story.
		d.LastEvents = append(d.LastEvents, t.last()[len(t.lines)-1])
	}
	delete(a.pending, pid)
	delete(a.pendTID, pid)
	a.deaths = append(a.deaths, d)
}

// exePath is the path of the thread's executable, absolute when known.
func exePath(th *state.Thread) string {
	if strings.HasPrefix(th.ExePath, "/") {
		return th.ExePath
	}
	if strings.HasPrefix(th.Exe, "/") {
		return th.Exe
	}
	if th.Exe != "" && strings.HasPrefix(th.Cwd, "/") {
		return path.Join(th.Cwd, th.Exe)
	}
	return th.ExePath
}

// killsByDefault reports whether a signal ends a process that does not
// handle it (SIGCHLD, SIGWINCH, SIGURG, SIGCONT and the stop signals do
// not).
func killsByDefault(sig uint8) bool {
	switch sig {
	case 0, 17, 18, 19, 20, 21, 22, 23, 28:
		return false
	}
	return sig < 32
}

func sigName(sig uint8) string {
	if n := event.SignalName(sig); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", sig)
}

// clockLayout is an event's time as sysdig's default output prints it.
const clockLayout = "15:04:05.000000000"

func clock(ts uint64) string {
	return time.Unix(0, int64(ts)).Format(clockLayout)
}

// group is the deaths of one container (or the host).
type group struct {
	key, title string
	progs      map[string][]*Death
	order      []string
}

// Report writes the report: a summary line, then for each container (the
// host first) each program that died, how many times, and each death.
func (a *Analyzer) Report(w io.Writer) error {
	var b strings.Builder
	if len(a.deaths) == 0 {
		b.WriteString("No process died from a signal.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	groups := map[string]*group{}
	var keys []string
	for i := range a.deaths {
		d := &a.deaths[i]
		g := groups[d.Container]
		if g == nil {
			g = &group{key: d.Container, title: a.title(d.Container), progs: map[string][]*Death{}}
			groups[d.Container] = g
			keys = append(keys, d.Container)
		}
		p := d.Exe + "\x00" + d.Comm
		if _, ok := g.progs[p]; !ok {
			g.order = append(g.order, p)
		}
		g.progs[p] = append(g.progs[p], d)
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i] == "" && keys[j] != "" })
	var onHost, inCtr, ctrs int
	for _, k := range keys {
		n := 0
		for _, ds := range groups[k].progs {
			n += len(ds)
		}
		if k == "" {
			onHost = n
		} else {
			inCtr += n
			ctrs++
		}
	}
	var where []string
	if onHost > 0 {
		where = append(where, fmt.Sprintf("%d on the host", onHost))
	}
	if ctrs > 0 {
		where = append(where, fmt.Sprintf("%d in %s", inCtr, plural(ctrs, "container", "containers")))
	}
	fmt.Fprintf(&b, "%s died from a signal: %s.\n", plural(len(a.deaths), "process", "processes"), strings.Join(where, ", "))
	for _, k := range keys {
		g := groups[k]
		fmt.Fprintf(&b, "\n%s\n", g.title)
		for _, p := range g.order {
			ds := g.progs[p]
			d0 := ds[0]
			name := d0.Comm
			if d0.Exe != "" && d0.Exe != d0.Comm {
				name += " (" + d0.Exe + ")"
			}
			if name == "" {
				name = "unknown process"
			}
			fmt.Fprintf(&b, "  %s died %s", name, plural(len(ds), "time", "times"))
			if len(ds) > 1 {
				fmt.Fprintf(&b, ", restarted %d", len(ds)-1)
				b.WriteString(map[bool]string{true: " time", false: " times"}[len(ds) == 2])
			}
			b.WriteString(":\n")
			a.writeProgram(&b, ds)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxListed bounds the deaths of one program listed one per line.
const maxListed = 10

// writeProgram writes the deaths of one program: one line each (the
// latest ones when there are many), each distinct cause with how often it
// was seen, and the whole story of the last death.
func (a *Analyzer) writeProgram(b *strings.Builder, ds []*Death) {
	if len(ds) > 1 {
		from := 0
		if len(ds) > maxListed {
			from = len(ds) - maxListed
			fmt.Fprintf(b, "    (%d earlier deaths not listed)\n", from)
		}
		for _, d := range ds[from:] {
			fmt.Fprintf(b, "    pid %d at %s: %s, exit status %d\n", d.PID, clock(d.TS), sigName(d.Signal), d.Status)
		}
		counts := map[string]int{}
		var causes []string
		for _, d := range ds {
			c := d.Kind
			if c == "" {
				c = sigName(d.Signal) + " without a page fault before it"
			}
			if counts[c] == 0 {
				causes = append(causes, c)
			}
			counts[c]++
		}
		if len(causes) > 1 {
			b.WriteString("    causes:\n")
			for _, c := range causes {
				fmt.Fprintf(b, "      %d of %d: %s\n", counts[c], len(ds), c)
			}
		}
		b.WriteString("    the last death:\n")
	}
	a.writeDeath(b, ds[len(ds)-1])
}

func (a *Analyzer) writeDeath(b *strings.Builder, d *Death) {
	fmt.Fprintf(b, "    pid %d died at %s (event %d): %s, exit status %d", d.PID, clock(d.TS), d.Num, sigName(d.Signal), d.Status)
	if d.Core {
		b.WriteString(", core dumped")
	}
	fmt.Fprintf(b, " (a shell shows %d)\n", 128+int(d.Signal))
	if d.SignalTID != d.TID {
		fmt.Fprintf(b, "      the signal went to thread %d\n", d.SignalTID)
	}
	if d.Fault != nil {
		fmt.Fprintf(b, "      fault: addr=%016X ip=%016X error=%d(%s)\n", d.Fault.Addr, d.Fault.IP, d.Fault.Flags, FlagNames(d.Fault.Flags))
		fmt.Fprintf(b, "      cause: %s\n", d.Cause)
	}
	if len(d.Frames) > 0 {
		fmt.Fprintf(b, "      stack: %s\n", FormatFrames(d.Frames))
	}
	if len(d.LastEvents) > 0 {
		b.WriteString("      last events:\n")
		for _, l := range d.LastEvents {
			fmt.Fprintf(b, "        %s\n", l)
		}
	}
}

// title names a container and its image, or the host.
func (a *Analyzer) title(id string) string {
	if id == "" {
		return "host"
	}
	c := a.st.Container(id)
	if c == nil {
		return fmt.Sprintf("container %s", id)
	}
	name := c.Name
	if name == "" {
		name = id
	}
	img := c.Image
	if img == "" {
		img = "unknown image"
	}
	return fmt.Sprintf("container %s (%s), image %s", name, id, img)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
