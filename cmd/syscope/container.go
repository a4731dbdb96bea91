package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syscope/syscope/container"
	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/scap"
)

// containerOptions are the command line's settings for container
// metadata in live captures.
type containerOptions struct {
	// criSockets are the CRI sockets given with --cri, in order; nil for
	// the defaults. sysdig 0.29.3 keeps only the last --cri; syscope asks
	// each, in order, as later sysdig versions do.
	criSockets []string
	// criTimeout is --cri-timeout; 0 for the default.
	criTimeout time.Duration
}

// k8sFormat is sysdig's -pk (-pkubernetes) format.
const k8sFormat = "*%evt.num %evt.outputtime %evt.cpu %k8s.pod.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"

// mesosFormat is sysdig's -pm (-pmesos) format. Its Mesos task name is
// never known (there is no Mesos API client), as in sysdig reading a file.
const mesosFormat = "*%evt.num %evt.outputtime %evt.cpu %mesos.task.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info"

// containerFlag handles --cri and --cri-timeout.
func containerFlag(cfg *config, name, arg string) error {
	switch name {
	case "cri":
		cfg.containers.criSockets = append(cfg.containers.criSockets, arg)
	case "cri-timeout":
		// Milliseconds, parsed as sinsp_numparser::parsed64 does, with
		// its error, which sysdig raises as an exception.
		ms, err := parseI64(arg)
		if err != nil {
			e := fail(1, "%s is not a valid number", arg)
			e.thrown = true
			return e
		}
		// sysdig waits ms plus its 500 ms lookup delay: never nothing.
		cfg.containers.criTimeout = time.Duration(min(max(ms, 1), 1<<40)) * time.Millisecond
	}
	return nil
}

// parseI64 parses like sinsp_numparser::parsed64, sscanf(s, "%ld%c") ==
// 1: parseU64's syntax, the value taken as signed.
func parseI64(s string) (int64, error) {
	v, err := parseU64(s)
	return int64(v), err
}

// resolverOptions are the Resolver's settings for a live capture:
// sysdig's sockets, under SYSDIG_HOST_ROOT as sysdig puts them.
func resolverOptions(co containerOptions) container.Options {
	o := container.Options{HostRoot: os.Getenv("SYSDIG_HOST_ROOT"), CRITimeout: co.criTimeout}
	if co.criSockets != nil {
		o.CRISockets = co.criSockets
	}
	return o
}

// startWait bounds how long a live capture waits, before its first event,
// for the metadata of the containers already running: what arrives in
// time goes first in the capture, as sysdig writes the containers it
// knows at the start of a file; the rest follows when it comes.
const startWait = time.Second

// liveContainers gives a live capture its containers' metadata. It asks
// the runtimes about every container the /proc scan finds, and about
// every new one that a clone or execve shows in its cgroups; lookups run
// in the background and never hold the events back. Each container whose
// metadata arrives becomes sysdig's container event
// (PPME_CONTAINER_JSON_2_E), put into the stream before the next event:
// the state takes it as it takes one from a file, filters and -p see it,
// and -w writes it, so sysdig reading the capture names the containers
// as syscope does. A container whose runtime cannot be reached has no
// event: its processes show the id from their cgroups; the Resolver says
// once which runtime it could not reach.
type liveContainers struct {
	r *container.Resolver

	// ready counts the events queued, so that Next looks at the queue
	// only when there is something in it.
	ready atomic.Int32
	mu    sync.Mutex
	queue []*container.Info
	sent  map[string]bool // containers whose event is queued or sent
	// waiting are the containers of the /proc scan not yet answered, and
	// answered is signalled when one is.
	waiting  map[string]bool
	answered chan struct{}

	// Owned by the event loop's goroutine.
	known    map[string]bool // containers with metadata: no more lookups
	lastCg   []byte          // the cgroups last seen, to skip repeats
	startTS  uint64          // the time of container events before the first event
	lastTS   uint64
	lastNum  uint64
	injected uint64
	buf      []byte
	ev       event.Event
	once     sync.Once
}

// startContainers starts following the containers of the processes
// scanned from /proc, and waits up to startWait for their metadata. t0 is
// the time the capture started, which the container events that precede
// every other event carry. Warnings go to warn.
func startContainers(cfg *config, procs []scap.Process, t0 time.Time, warn io.Writer) *liveContainers {
	l := &liveContainers{
		sent: map[string]bool{}, waiting: map[string]bool{}, answered: make(chan struct{}, 1),
		known: map[string]bool{}, startTS: uint64(t0.UnixNano()),
	}
	var wmu sync.Mutex
	opts := resolverOptions(cfg.containers)
	opts.Warn = func(msg string) {
		wmu.Lock()
		defer wmu.Unlock()
		fmt.Fprintln(warn, msg)
	}
	opts.OnUpdate = l.update
	l.r = container.NewResolver(opts)

	// The scan's containers, each once; threads share their process's
	// cgroups, and most processes their neighbour's.
	var last []string
	for i := range procs {
		cg := procs[i].Cgroups
		if sameStrings(cg, last) {
			continue
		}
		last = cg
		m := container.Parse(cg)
		if m.IsHost() || l.known[m.ID] {
			continue
		}
		l.mu.Lock()
		if !l.sent[m.ID] {
			l.waiting[m.ID] = true
		}
		l.mu.Unlock()
		l.lookup(m)
	}
	deadline := time.NewTimer(startWait)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		n := len(l.waiting)
		l.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-l.answered:
		case <-deadline.C:
			return l
		}
	}
	return l
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) || a == nil != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// lookup asks about the container m, unless its metadata is known, and
// queues its event when the Resolver knows it already.
func (l *liveContainers) lookup(m container.Match) {
	id := m.FullID
	if id == "" {
		id = m.ID
	}
	info, ok := l.r.Lookup(id, m.Type)
	if !ok {
		return
	}
	if info.LookupState == container.LookupSuccessful {
		l.known[m.ID] = true
		l.enqueue(info)
	}
	l.done(m.ID)
}

// update receives what the Resolver found, from its goroutines.
func (l *liveContainers) update(info *container.Info) {
	if info.LookupState == container.LookupSuccessful {
		l.enqueue(info)
		if info.PodSandboxID != "" && !info.IsPodSandbox {
			// sysdig's k8s.pod.label reads the labels of the pod's
			// sandbox, from its container event.
			sb, ok := l.r.Lookup(info.PodSandboxID, info.Type)
			if ok && sb.LookupState != container.LookupSuccessful {
				// Asked while the runtime was still making it (its
				// pause process starts first): it is there now.
				l.r.Forget(info.PodSandboxID)
				sb, ok = l.r.Lookup(info.PodSandboxID, info.Type)
			}
			if ok && sb.LookupState == container.LookupSuccessful {
				l.enqueue(sb)
			}
		}
	}
	l.done(info.ID)
}

func (l *liveContainers) enqueue(info *container.Info) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent[info.ID] {
		return
	}
	l.sent[info.ID] = true
	l.queue = append(l.queue, info)
	l.ready.Add(1)
}

// done marks a container of the scan as answered.
func (l *liveContainers) done(id string) {
	l.mu.Lock()
	w := l.waiting[id]
	delete(l.waiting, id)
	l.mu.Unlock()
	if w {
		select {
		case l.answered <- struct{}{}:
		default:
		}
	}
}

// pending returns the next queued container event, or nil. The event is
// valid until the next call.
func (l *liveContainers) pending() *event.Event {
	if l == nil || l.ready.Load() == 0 {
		return nil
	}
	l.mu.Lock()
	info := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	l.ready.Add(-1)
	l.mu.Unlock()

	ts := l.lastTS
	if ts == 0 {
		ts = l.startTS
	}
	l.buf = info.AppendEvent(l.buf[:0], ts)
	if err := l.ev.Decode(l.buf); err != nil {
		return nil // cannot happen: AppendEvent makes whole events
	}
	l.injected++
	l.lastNum++
	l.ev.Num = l.lastNum
	l.ev.CPU = 0
	l.ev.Flags = 0
	return &l.ev
}

// observe sees every event of the probe: it numbers it after the
// container events put before it, and asks about the container of a new
// process.
func (l *liveContainers) observe(ev *event.Event) {
	if l == nil {
		return
	}
	ev.Num += l.injected
	l.lastNum = ev.Num
	l.lastTS = ev.TS
	i := cgroupsParam(ev.Type)
	if i < 0 || i >= ev.NParams() {
		return
	}
	cg := ev.Param(i)
	if bytes.Equal(cg, l.lastCg) {
		return
	}
	l.lastCg = append(l.lastCg[:0], cg...)
	m := container.Parse(splitNUL(cg))
	if m.IsHost() || l.known[m.ID] {
		return
	}
	l.lookup(m)
}

// close stops the lookups under way.
func (l *liveContainers) close() {
	if l == nil {
		return
	}
	l.once.Do(l.r.Close)
}

// cgroupsIndex is, for each event code, the index of its "cgroups"
// parameter, or -1: the exits of clone, fork, vfork, execve and their
// kin carry the cgroups of the new process.
var cgroupsIndex = func() []int8 {
	idx := make([]int8, event.NumCodes())
	for c := range idx {
		idx[c] = -1
		info := event.Lookup(event.Code(c))
		if info == nil {
			continue
		}
		for j, p := range info.Params {
			if p.Name == "cgroups" {
				idx[c] = int8(j)
			}
		}
	}
	return idx
}()

func cgroupsParam(c event.Code) int {
	if int(c) >= len(cgroupsIndex) {
		return -1
	}
	return int(cgroupsIndex[c])
}

// splitNUL splits a list of NUL-terminated strings.
func splitNUL(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			out = append(out, string(b))
			break
		}
		if i > 0 {
			out = append(out, string(b[:i]))
		}
		b = b[i+1:]
	}
	return out
}

// containerLog keeps the last container event of each container a
// capture written with -w has seen, so that each file a rotation (-C,
// -G) opens starts with them, as sysdig starts every file with the
// containers it knows: a file read alone names its containers.
type containerLog struct {
	order []string
	evs   map[string][]byte
	ev    event.Event
}

// see keeps ev if it is a container event.
func (c *containerLog) see(ev *event.Event) {
	if !isContainerEvent(ev.Type) || ev.NParams() == 0 {
		return
	}
	id := string(event.CString(ev.Param(0))) // the old event's first parameter is the id
	if ev.Type != 228 {
		var v struct {
			Container struct {
				ID string `json:"id"`
			} `json:"container"`
		}
		if json.Unmarshal(event.CString(ev.Param(0)), &v) != nil {
			return
		}
		id = v.Container.ID
	}
	if c.evs == nil {
		c.evs = map[string][]byte{}
	}
	if _, ok := c.evs[id]; !ok {
		c.order = append(c.order, id)
	}
	c.evs[id] = append(c.evs[id][:0], ev.Raw...)
}

// prologue writes the container events kept to a new file.
func (c *containerLog) prologue(w *scap.Writer) error {
	for _, id := range c.order {
		if err := c.ev.Decode(c.evs[id]); err != nil {
			return err
		}
		if err := w.WriteEvent(&c.ev); err != nil {
			return err
		}
	}
	return nil
}
