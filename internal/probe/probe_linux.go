//go:build linux && amd64

package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
)

// Probe is a loaded and attached probe. Next must not be called from
// several goroutines at once; Stats, SetSyscalls, Stop and Close may be
// called from any goroutine, Stop and Close also while Next waits.
type Probe struct {
	opts   Options
	coll   *ebpf.Collection
	links  []link.Link
	inner  []*ebpf.Map
	rings  []*ring
	heads  []head
	epfd   int
	wakefd int
	evbuf  []unix.EpollEvent

	mu       sync.Mutex // held by Next, and by Close to tear down
	objMu    sync.RWMutex
	closed   atomic.Bool
	closeErr error
	once     sync.Once
	final    Stats // the counters when Close was called

	// Stop: stopped is set once the links are gone and the programs that
	// were running have finished, so the rings get nothing more; drained
	// once Next found them empty after that. drainStart bounds how long
	// Next polls for records still being written (see drain).
	stopOnce   sync.Once
	stopErr    error
	stopped    atomic.Bool
	drained    atomic.Bool
	drainStart time.Time

	last int // ring whose head Next returned last, or -1
	// held: the caller may still be reading the event Next returned, in
	// a ring's memory, so Close must leave the rings mapped (see Close).
	held bool
	ev   event.Event
	read atomic.Uint64

	// The event clock (CLOCK_BOOTTIME + bootOffset, what the probe stamps)
	// read without a syscall: evClock at evStart, plus the monotonic time
	// since. Resynchronized at every blocking wait.
	bootOffset uint64
	evClock    uint64
	evStart    time.Time
	window     uint64 // ns
	// seen is the event clock when holdFor last read it: an event stamped
	// window before it can go without reading the clock again, which
	// costs as much as the rest of Next.
	seen      uint64
	waiting   bool
	waitSince time.Time
}

// head is the oldest unconsumed record of one ring.
type head struct {
	rec  []byte
	size uint64
	ts   uint64
	ok   bool
}

// Open checks that this machine can capture, loads the probe, and attaches
// it. The events flow from the moment Open returns; read them with Next.
func Open(opts Options) (*Probe, error) {
	if err := checkPrivileges(); err != nil {
		return nil, err
	}
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoBTF
	}
	if err := features.HaveMapType(ebpf.RingBuf); err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return nil, ErrNoRingBuffer
		}
		return nil, fmt.Errorf("probe the kernel for BPF ring buffers: %w", permission(err))
	}

	tps := tracepoints(opts)
	kernel, err := btf.LoadKernelSpec()
	if err != nil {
		return nil, fmt.Errorf("read the kernel's BTF: %w", err)
	}
	for _, tp := range tps {
		// Every tracepoint has a btf_trace_<name> typedef in the kernel's
		// BTF; tp_btf programs attach through it.
		_, name, _ := strings.Cut(tp.name, ":")
		if _, err := kernel.AnyTypeByName("btf_trace_" + name); err != nil {
			return nil, &TracepointError{Name: tp.name, Needed: tp.needed}
		}
	}

	spec, err := loadProbe()
	if err != nil {
		return nil, fmt.Errorf("read the embedded probe: %w", err)
	}
	p := &Probe{opts: opts, epfd: -1, wakefd: -1, last: -1}
	if err := p.configure(spec); err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, tp := range tps {
		wanted[tp.prog] = true
	}
	for _, name := range []string{"sched_switch", "page_fault_user"} {
		if !wanted[name] {
			delete(spec.Programs, name)
		}
	}

	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		Programs: ebpf.ProgramOptions{
			KernelTypes: kernel,
			// If the verifier rejects a program, its log of a large
			// program needs room to be retrieved.
			LogSizeStart: 1 << 20,
		},
	})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			// %v keeps the end of the log, where the reason is.
			return nil, fmt.Errorf("load the probe: the kernel's verifier rejected it: %v", ve)
		}
		return nil, fmt.Errorf("load the probe: %w", permission(err))
	}
	p.coll = coll
	if err := p.setup(tps); err != nil {
		p.teardown()
		p.unmapRings()
		return nil, err
	}
	return p, nil
}

// configure sets the probe's constants and sizes before loading.
func (p *Probe) configure(spec *ebpf.CollectionSpec) error {
	snap := p.opts.Snaplen
	switch {
	case snap <= 0:
		snap = DefaultSnaplen
	case snap > MaxSnaplen:
		snap = MaxSnaplen
	}
	size := p.opts.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
		if cpus, err := onlineCPUs(); err == nil && len(cpus) > 0 {
			size = min(max(DefaultBufferTotal/len(cpus), DefaultBufferSize), MaxDefaultBufferSize)
		}
	}
	if ps := os.Getpagesize(); size < ps {
		size = ps
	}
	size = 1 << bits.Len(uint(size-1)) // a power of two, as the kernel requires
	p.opts.BufferSize = size
	p.window = uint64(DefaultMergeWindow)
	if p.opts.MergeWindow > 0 {
		p.window = uint64(p.opts.MergeWindow)
	}

	p.bootOffset = bootOffset()
	self := uint32(0)
	if p.opts.SkipSelf {
		self = uint32(os.Getpid())
	}
	for name, v := range map[string]any{
		"boot_ts_offset": p.bootOffset,
		"snaplen":        uint32(snap),
		"self_tgid":      self,
	} {
		vs, ok := spec.Variables[name]
		if !ok {
			return fmt.Errorf("the embedded probe has no variable %s", name)
		}
		if err := vs.Set(v); err != nil {
			return fmt.Errorf("set the probe's %s: %w", name, err)
		}
	}

	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return fmt.Errorf("count the CPUs: %w", err)
	}
	rb := spec.Maps["ringbufs"]
	rb.MaxEntries = uint32(ncpu)
	rb.InnerMap.MaxEntries = uint32(size)
	spec.Maps["scratch_map"].MaxEntries = uint32(ncpu)
	return nil
}

// setup creates the ring buffers, fills the syscall table and attaches.
func (p *Probe) setup(tps []tracepoint) error {
	if err := p.SetSyscalls(p.opts.Syscalls); err != nil {
		return err
	}
	cpus, err := onlineCPUs()
	if err != nil {
		return err
	}
	p.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("create an epoll instance: %w", err)
	}
	p.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fmt.Errorf("create an eventfd: %w", err)
	}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, p.wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}); err != nil {
		return fmt.Errorf("watch the eventfd: %w", err)
	}
	outer := p.coll.Maps["ringbufs"]
	for _, cpu := range cpus {
		if cpu >= int(outer.MaxEntries()) {
			continue
		}
		m, err := ebpf.NewMap(&ebpf.MapSpec{
			Name:       "syscope_rb" + strconv.Itoa(cpu),
			Type:       ebpf.RingBuf,
			MaxEntries: uint32(p.opts.BufferSize),
		})
		if err != nil {
			return fmt.Errorf("create CPU %d's ring buffer of %d bytes: %w", cpu, p.opts.BufferSize, permission(err))
		}
		p.inner = append(p.inner, m)
		if err := outer.Put(uint32(cpu), m); err != nil {
			return fmt.Errorf("install CPU %d's ring buffer: %w", cpu, err)
		}
		r, err := newRing(cpu, m.FD(), p.opts.BufferSize)
		if err != nil {
			return err
		}
		// Edge-triggered: the kernel wakes the reader only when a ring
		// that was empty receives a record, and while Next holds back
		// the head of one ring it must not be woken by that ring again
		// and again.
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(len(p.rings))}
		if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, m.FD(), &ev); err != nil {
			r.close()
			return fmt.Errorf("watch CPU %d's ring buffer: %w", cpu, err)
		}
		p.rings = append(p.rings, r)
	}
	p.heads = make([]head, len(p.rings))
	p.evbuf = make([]unix.EpollEvent, len(p.rings)+1)
	p.resync()

	for _, tp := range tps {
		prog := p.coll.Programs[tp.prog]
		if prog == nil {
			return fmt.Errorf("the embedded probe has no program %s", tp.prog)
		}
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			return fmt.Errorf("attach to the tracepoint %s: %w", tp.name, permission(err))
		}
		p.links = append(p.links, l)
	}
	return nil
}

// SetSyscalls changes which syscalls are captured (nil: all), as
// Options.Syscalls.
func (p *Probe) SetSyscalls(want func(nr int) bool) error {
	p.objMu.RLock()
	defer p.objMu.RUnlock()
	if p.coll == nil {
		return ErrClosed
	}
	m := p.coll.Maps["syscall_table"]
	for nr := 0; nr < syscallTableSize; nr++ {
		var v probeSyscallInfo
		if want == nil || want(nr) {
			v.Enabled = 1
		}
		v.PpmSc, _ = event.NativeSyscallID(uint16(nr))
		if err := m.Put(uint32(nr), &v); err != nil {
			return fmt.Errorf("set syscall %d in the probe's table: %w", nr, err)
		}
	}
	return nil
}

// Next returns the next event, merged across the CPUs' ring buffers in
// timestamp order, and the CPU that produced it; it waits until there is
// one. The event (and its Raw bytes, which are the ring buffer's memory)
// is valid until the next call to Next or Close: copy it with Clone to
// keep it. ev.CPU is set, and ev.Num counts the events returned.
//
// To keep the order right, Next holds back an event while some CPU's ring
// is empty, until the event is MergeWindow old: an event stamped earlier on
// that CPU may still be on its way.
//
// After Stop, Next returns what the rings still hold, in the same order,
// without waiting for new events, then ErrStopped.
func (p *Probe) Next() (*event.Event, uint16, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	if p.closed.Load() {
		p.unmapRings() // if Close left them for the caller
		return nil, 0, ErrClosed
	}
	if p.last >= 0 {
		h := &p.heads[p.last]
		p.rings[p.last].advance(h.size)
		h.ok = false
		p.last = -1
	}
	for {
		if p.stopped.Load() {
			return p.drain()
		}
		best, missing := -1, false
		for i := range p.rings {
			h := &p.heads[i]
			if !h.ok && !p.fill(i) {
				missing = true
				continue
			}
			if best < 0 || h.ts < p.heads[best].ts {
				best = i
			}
		}
		timeout := -1
		if best >= 0 {
			if !missing {
				return p.emit(best)
			}
			wait := p.holdFor(p.heads[best].ts)
			if wait <= 0 {
				return p.emit(best)
			}
			timeout = int((wait + time.Millisecond - 1) / time.Millisecond)
		}
		if err := p.wait(timeout); err != nil {
			return nil, 0, err
		}
		if p.closed.Load() {
			return nil, 0, ErrClosed
		}
	}
}

// Stop detaches the probe, so that it builds no more events, and leaves
// what it built to be read: Next then returns every event the rings hold,
// merged in timestamp order as before, and ErrStopped once they are empty.
// That drain is bounded: it never waits for new events, and waits at most
// drainWait for records still being written when Stop returned (there
// should be none: see below). Stats counts what it could not read as
// DropsStop. Stop returns once the probe is detached; it does not wait for
// Next. Calling it again, or after Close, does nothing.
//
// The probe is stopped by detaching its programs rather than by a flag
// they would check: a detached program costs the traced system nothing
// any more, and the BPF side stays as it is (a flag would cost every
// event a map lookup). Either way a program that was already running when
// Stop began may still add its event, so Stop then waits for an RCU grace
// period (membarrier's global command runs synchronize_rcu), which the
// programs, run with preemption disabled, cannot outlast. That is a best
// effort (kernels whose syscall tracepoints may fault protect the
// tracepoint's callers with another kind of RCU): what decides is the
// probe's counters, which every program bumps before it writes its event.
// The drain ends once every event built was returned or counted as
// dropped, or drainWait has passed.
func (p *Probe) Stop() error {
	p.stopOnce.Do(func() {
		p.objMu.Lock()
		p.stopErr = p.detach()
		p.objMu.Unlock()
		// If it fails (nohz_full kernels refuse it), the counters still
		// tell Next what is missing.
		_, _, _ = unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdGlobal, 0, 0)
		p.stopped.Store(true)
		p.objMu.RLock()
		if p.wakefd >= 0 {
			var one [8]byte
			one[0] = 1
			_, _ = unix.Write(p.wakefd, one[:])
		}
		p.objMu.RUnlock()
	})
	return p.stopErr
}

// MEMBARRIER_CMD_GLOBAL (linux/membarrier.h), which x/sys/unix lacks.
const membarrierCmdGlobal = 1

// drainWait bounds how long Next polls, after Stop, for records still
// being written and events counted but not yet in a ring: both can only
// come from a program that started before Stop detached it.
const drainWait = 200 * time.Millisecond

// drain is Next after Stop. No ring gets a record any more (but from a
// program still finishing, see Stop), so no event is held back: the
// oldest head of all the rings goes first, and an empty ring stays empty.
func (p *Probe) drain() (*event.Event, uint16, error) {
	if p.drained.Load() {
		return nil, 0, ErrStopped
	}
	if p.drainStart.IsZero() {
		p.drainStart = time.Now()
	}
	for {
		if p.closed.Load() {
			return nil, 0, ErrClosed
		}
		best, busy := -1, false
		for i, r := range p.rings {
			h := &p.heads[i]
			if !h.ok && !p.fill(i) {
				// A record is there but still being written: it may
				// be older than every head.
				busy = busy || r.pending()
				continue
			}
			if best < 0 || h.ts < p.heads[best].ts {
				best = i
			}
		}
		late := time.Since(p.drainStart) >= drainWait
		if !busy || late {
			if best >= 0 {
				return p.emit(best)
			}
			if late || !p.unaccounted() {
				for _, r := range p.rings {
					r.publish()
				}
				p.drained.Store(true)
				return nil, 0, ErrStopped
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// unaccounted reports whether the counters say the probe built events
// that were neither returned by Next nor dropped.
func (p *Probe) unaccounted() bool {
	p.objMu.RLock()
	defer p.objMu.RUnlock()
	if p.coll == nil {
		return false
	}
	s := p.stats()
	return s.Events > s.DropsFull+s.DropsOther+s.Read
}

// fill peeks at ring i's next record.
func (p *Probe) fill(i int) bool {
	r := p.rings[i]
	for {
		rec, size, ok := r.peek()
		if !ok {
			return false
		}
		if len(rec) < event.HeaderLen {
			r.advance(size) // cannot happen: the probe sends whole events
			continue
		}
		p.heads[i] = head{rec: rec, size: size, ts: binary.LittleEndian.Uint64(rec), ok: true}
		return true
	}
}

// holdFor says how much longer an event stamped ts must be held back: until
// it is window old on the event clock, and never more than window from when
// holding began (a bounded wait even if the clocks disagree).
func (p *Probe) holdFor(ts uint64) time.Duration {
	if ts+p.window <= p.seen {
		p.waiting = false
		return 0
	}
	now := p.evClock + uint64(time.Since(p.evStart))
	p.seen = max(p.seen, now)
	if ts+p.window <= now {
		p.waiting = false
		return 0
	}
	if !p.waiting {
		p.waiting = true
		p.waitSince = time.Now()
	}
	left := time.Duration(ts + p.window - now)
	if bound := time.Duration(p.window) - time.Since(p.waitSince); bound < left {
		left = bound
	}
	if left <= 0 {
		p.waiting = false
	}
	return left
}

func (p *Probe) emit(i int) (*event.Event, uint16, error) {
	h := &p.heads[i]
	p.last = i
	p.waiting = false
	cpu := uint16(p.rings[i].cpu)
	if err := p.ev.Decode(h.rec); err != nil {
		return nil, cpu, fmt.Errorf("malformed event from CPU %d: %w", cpu, err)
	}
	p.ev.CPU = cpu
	p.ev.Flags = 0
	p.ev.V1 = false
	p.ev.Num = p.read.Add(1)
	p.held = true
	return &p.ev, cpu, nil
}

// wait blocks until a ring that was empty gets a record, Close is called,
// or timeout (ms, -1 = none) passes.
func (p *Probe) wait(timeout int) error {
	// The kernel wakes the reader when it adds a record where the reader
	// said it was (see ring.publish). A record added to an empty ring
	// after it was last looked at but before the reader said where it
	// was woke nobody: look again after publishing, and do not sleep if
	// there is one. (A ring whose head is held back is not empty.)
	pending := false
	for i, r := range p.rings {
		r.publish()
		if !p.heads[i].ok && r.pending() {
			pending = true
		}
	}
	if pending {
		timeout = 0
	}
	for {
		n, err := unix.EpollWait(p.epfd, p.evbuf, timeout)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait for events: %w", err)
		}
		for _, ev := range p.evbuf[:n] {
			if ev.Fd == -1 {
				var b [8]byte
				_, _ = unix.Read(p.wakefd, b[:])
			}
		}
		p.resync()
		return nil
	}
}

// resync reads the event clock.
func (p *Probe) resync() {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) == nil {
		p.evStart = time.Now()
		p.evClock = uint64(ts.Nano()) + p.bootOffset
	}
}

// Stats returns the counters so far; after Close, their last values.
// Once Next has drained the probe after Stop, or once the probe is closed,
// every event it built is accounted for: Events = Read + Drops() + Unread.
func (p *Probe) Stats() Stats {
	p.objMu.RLock()
	defer p.objMu.RUnlock()
	s := p.final
	if p.coll != nil {
		s = p.stats()
	}
	s.Read = p.read.Load()
	drained := p.drained.Load()
	if drained || p.closed.Load() {
		left := s.Events - min(s.Events, s.DropsFull+s.DropsOther+s.Read)
		if drained {
			s.DropsStop = left
		} else {
			s.Unread = left
		}
	}
	return s
}

func (p *Probe) stats() Stats {
	s := Stats{Read: p.read.Load()}
	var per []probeCounters
	if err := p.coll.Maps["counters_map"].Lookup(uint32(0), &per); err != nil {
		return s
	}
	for cpu, c := range per {
		s.Events += c.Events
		s.DropsFull += c.DropsFull
		s.DropsOther += c.DropsOther
		if c.Events != 0 || c.DropsFull != 0 || c.DropsOther != 0 {
			s.CPUs = append(s.CPUs, CPUStats{CPU: cpu, Events: c.Events, DropsFull: c.DropsFull, DropsOther: c.DropsOther})
		}
	}
	return s
}

// Close detaches the probe and frees its buffers. It interrupts a Next
// that is waiting, which then returns ErrClosed. The last event Next
// returned stays readable until Next is called again (it returns
// ErrClosed) or the Probe is garbage collected, so a reader goroutine
// still looking at it when another goroutine calls Close is safe.
func (p *Probe) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		if p.wakefd >= 0 {
			var one [8]byte
			one[0] = 1
			_, _ = unix.Write(p.wakefd, one[:])
		}
		p.mu.Lock()
		p.objMu.Lock()
		// Detached first, so that the counters read are the last ones.
		err := p.detach()
		if p.coll != nil {
			p.final = p.stats()
		}
		p.closeErr = errors.Join(err, p.teardown())
		if p.held {
			rings := p.rings
			runtime.AddCleanup(p, func(rings []*ring) {
				for _, r := range rings {
					r.close()
				}
			}, rings)
		} else {
			p.unmapRings()
		}
		p.objMu.Unlock()
		p.mu.Unlock()
	})
	return p.closeErr
}

// unmapRings unmaps the ring buffers; Close leaves them mapped while the
// caller may hold an event.
func (p *Probe) unmapRings() {
	for _, r := range p.rings {
		r.close()
	}
	p.rings, p.heads = nil, nil
}

// detach detaches the programs from their tracepoints, in the order they
// were attached (the exit of a syscall after its enter). The caller holds
// objMu.
func (p *Probe) detach() error {
	var errs []error
	for _, l := range p.links {
		if err := l.Close(); err != nil {
			errs = append(errs, fmt.Errorf("detach the probe: %w", err))
		}
	}
	p.links = nil
	return errors.Join(errs...)
}

// teardown detaches and closes everything but the rings' mappings.
func (p *Probe) teardown() error {
	errs := []error{p.detach()}
	for _, m := range p.inner {
		_ = m.Close()
	}
	p.inner = nil
	if p.coll != nil {
		p.coll.Close()
		p.coll = nil
	}
	for _, fd := range []*int{&p.epfd, &p.wakefd} {
		if *fd >= 0 {
			_ = unix.Close(*fd)
			*fd = -1
		}
	}
	return errors.Join(errs...)
}

// bootOffset is the wall clock minus CLOCK_BOOTTIME, in ns: what the probe
// adds to bpf_ktime_get_boot_ns() to stamp events with the time of day.
func bootOffset() uint64 {
	var b1, r, b2 unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &b1)
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &r)
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &b2)
	return uint64(r.Nano() - (b1.Nano()+b2.Nano())/2)
}

// checkPrivileges looks at the effective capabilities: loading tracing
// programs needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN.
func checkPrivileges() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("read this process's capabilities: %w", err)
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	if has(unix.CAP_SYS_ADMIN) || (has(unix.CAP_BPF) && has(unix.CAP_PERFMON)) {
		return nil
	}
	return ErrPermission
}

// permission turns EPERM and EACCES into ErrPermission, keeping the cause.
func permission(err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%w (%v)", ErrPermission, err)
	}
	return err
}
