package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Default sockets, as sysdig's.
const (
	DefaultDockerSocket = "/var/run/docker.sock"
	DefaultPodmanSocket = "/run/podman/podman.sock"
)

// DefaultCRISockets are the CRI sockets tried when none are given:
// containerd's, then CRI-O's.
var DefaultCRISockets = []string{"/run/containerd/containerd.sock", "/var/run/crio/crio.sock"}

// Disabled as a socket path turns a runtime's lookups off.
const Disabled = "none"

// Options configure a Resolver. The zero value uses the default sockets.
type Options struct {
	// DockerSocket is the Docker Engine API's socket, PodmanSocket
	// podman's Docker-compatible one (`podman system service`). Empty
	// means the default; Disabled turns the runtime off.
	DockerSocket string
	PodmanSocket string
	// CRISockets are the Kubernetes runtimes' CRI sockets (sysdig's
	// --cri), asked in order. nil means DefaultCRISockets; an empty
	// slice turns CRI off.
	CRISockets []string
	// HostRoot prefixes every socket path, for a syscope that runs in a
	// container with the host's root mounted there (sysdig's
	// SYSDIG_HOST_ROOT).
	HostRoot string
	// Timeout bounds each runtime's answer to a lookup, every call it
	// takes included. Default 2 s.
	Timeout time.Duration
	// CRITimeout is Timeout for the CRI runtimes (sysdig's --cri-timeout);
	// 0 means Timeout.
	CRITimeout time.Duration
	// Parallel bounds the lookups under way at once. Default 4.
	Parallel int
	// RetryAfter is how long a lookup that failed because its runtime
	// could not be reached stays failed before a Lookup tries it again.
	// Default 30 s; negative never retries.
	RetryAfter time.Duration
	// OnUpdate receives the Info of every lookup that finishes in the
	// background, successful or failed (LookupState tells). Calls come
	// one at a time, from the Resolver's goroutines; the Info is not to
	// be changed. It must not call Close.
	OnUpdate func(*Info)
	// Warn receives the warnings, once per runtime socket: a runtime that
	// cannot be reached. Default: a line on standard error.
	Warn func(msg string)
}

// Resolver finds the metadata of containers from their runtimes, in the
// background, and keeps it. Its methods are safe for concurrent use and
// never wait for a runtime.
type Resolver struct {
	opts   Options
	docker *dockerClient
	podman *dockerClient
	cri    []*criClient

	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup
	cbMu   sync.Mutex

	mu     sync.Mutex
	closed bool
	cache  map[string]*entry
	warned map[string]bool
	down   map[string]downState
}

type entry struct {
	info    *Info // nil while the first lookup runs
	running bool
	retryAt time.Time // zero: never
}

type downState struct {
	until time.Time
	err   error
}

// NewResolver returns a Resolver; it connects to nothing until a lookup
// needs it.
func NewResolver(opts Options) *Resolver {
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.CRITimeout <= 0 {
		opts.CRITimeout = opts.Timeout
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.RetryAfter == 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.Warn == nil {
		opts.Warn = func(msg string) { fmt.Fprintln(os.Stderr, msg) }
	}
	r := &Resolver{
		opts:   opts,
		sem:    make(chan struct{}, opts.Parallel),
		cache:  make(map[string]*entry),
		warned: make(map[string]bool),
		down:   make(map[string]downState),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	sock := func(p, def string) string {
		switch p {
		case Disabled:
			return ""
		case "":
			p = def
		}
		return opts.HostRoot + p
	}
	if s := sock(opts.DockerSocket, DefaultDockerSocket); s != "" {
		r.docker = newDockerClient("docker", s, TypeDocker)
	}
	if s := sock(opts.PodmanSocket, DefaultPodmanSocket); s != "" {
		r.podman = newDockerClient("podman", s, TypePodman)
	}
	cs := opts.CRISockets
	if cs == nil {
		cs = DefaultCRISockets
	}
	for _, p := range cs {
		if p == "" || p == Disabled {
			continue
		}
		if c, err := newCRIClient(opts.HostRoot + p); err == nil {
			r.cri = append(r.cri, c)
		}
	}
	return r
}

// Lookup returns the metadata of container id (short or full) of type typ
// at once: (info, true) when known, (nil, false) while a lookup runs in
// the background, which then hands its Info to OnUpdate. The first Lookup
// of a container starts that lookup. Containers whose runtimes have no
// API to ask (LXC, libvirt LXC, systemd-nspawn, Mesos, BPM) are known at
// once, named by their id, as sysdig names them. A container whose runtime
// cannot be reached is known by its id alone (LookupFailed), and looked
// up again after RetryAfter. The host has no container: nil, false.
func (r *Resolver) Lookup(id string, typ Type) (*Info, bool) {
	if id == "" || id == HostID || typ == TypeHost {
		return nil, false
	}
	key := ShortID(id)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache[key]
	if e == nil && !hasAPI(typ) {
		// As sysdig: named by the id, no full id.
		info := NewInfo(id, "", typ)
		info.Name = info.ID
		r.cache[key] = &entry{info: info}
		return info, true
	}
	if e == nil {
		e = &entry{}
		r.cache[key] = e
	}
	if !e.running && !r.closed && (e.info == nil || !e.retryAt.IsZero() && time.Now().After(e.retryAt)) {
		e.running = true
		r.wg.Add(1)
		go r.fetch(key, id, typ)
	}
	if e.info == nil {
		return nil, false
	}
	return e.info, true
}

// Forget drops what is known of a container, whose next Lookup asks its
// runtime again: for a container that is gone.
func (r *Resolver) Forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.cache[ShortID(id)]; e != nil && !e.running {
		delete(r.cache, ShortID(id))
	}
}

// Close stops the lookups under way, without calling OnUpdate for them,
// and waits for them to end.
func (r *Resolver) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	if r.docker != nil {
		r.docker.close()
	}
	if r.podman != nil {
		r.podman.close()
	}
	for _, c := range r.cri {
		c.close()
	}
}

func hasAPI(t Type) bool {
	switch t {
	case TypeDocker, TypePodman, TypeCRI, TypeContainerd, TypeCRIO:
		return true
	}
	return false
}

func (r *Resolver) fetch(key, id string, typ Type) {
	defer r.wg.Done()
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return
	}
	info, unreachable := r.resolve(id, typ)
	<-r.sem

	r.mu.Lock()
	e := r.cache[key]
	if e == nil {
		e = &entry{}
		r.cache[key] = e
	}
	e.running = false
	e.retryAt = time.Time{}
	if info.LookupState == LookupFailed && len(unreachable) > 0 && r.opts.RetryAfter > 0 {
		e.retryAt = time.Now().Add(r.opts.RetryAfter)
	}
	if e.info != nil && e.info.LookupState == LookupFailed && info.LookupState == LookupFailed {
		// A retry that failed again: nothing new to tell.
		r.mu.Unlock()
		return
	}
	e.info = info
	var warn []string
	for _, u := range unreachable {
		if !r.warned[u.key] {
			r.warned[u.key] = true
			warn = append(warn, u.msg)
		}
	}
	closed := r.closed
	r.mu.Unlock()

	if closed || r.ctx.Err() != nil {
		return
	}
	r.cbMu.Lock()
	defer r.cbMu.Unlock()
	for _, m := range warn {
		r.opts.Warn(m)
	}
	if r.opts.OnUpdate != nil {
		r.opts.OnUpdate(info)
	}
}

type unreachable struct{ key, msg string }

// attempt is one runtime to ask.
type attempt struct {
	kind, socket string
	timeout      time.Duration
	lookup       func(ctx context.Context, id string) (*Info, error)
}

// attempts are the runtimes that may know a container of type typ, in
// the order to ask them.
func (r *Resolver) attempts(typ Type) []attempt {
	var as []attempt
	addDocker := func(c *dockerClient) {
		if c != nil {
			as = append(as, attempt{c.kind, c.socket, r.opts.Timeout, c.lookup})
		}
	}
	addCRI := func(want Type) {
		for _, c := range r.cri {
			if t, known := c.knownType(); known && want != TypeCRI && t != want {
				continue
			}
			as = append(as, attempt{"CRI", c.socket, r.opts.CRITimeout, c.lookup})
		}
	}
	switch typ {
	case TypeDocker:
		addDocker(r.docker)
	case TypePodman:
		addDocker(r.podman)
	case TypeContainerd, TypeCRIO:
		addCRI(typ)
	case TypeCRI:
		// A kubelet pod's container of an unknown runtime: the CRI
		// runtimes, then Docker (dockershim).
		addCRI(TypeCRI)
		addDocker(r.docker)
	}
	return as
}

// resolve asks the runtimes that may know the container, first answer
// wins. When none does it gives the container with its id alone, and the
// runtimes that could not be reached.
func (r *Resolver) resolve(id string, typ Type) (*Info, []unreachable) {
	var un []unreachable
	answered := false // a runtime answered, if only that it has no such container
	for _, a := range r.attempts(typ) {
		dkey := a.kind + " " + a.socket
		r.mu.Lock()
		d, isDown := r.down[dkey]
		r.mu.Unlock()
		var info *Info
		var err error
		if isDown && time.Now().Before(d.until) {
			err = d.err
		} else {
			ctx, cancel := context.WithTimeout(r.ctx, a.timeout)
			info, err = a.lookup(ctx, id)
			timedOut := ctx.Err() == context.DeadlineExceeded
			cancel()
			if r.ctx.Err() != nil {
				return NewInfo(id, "", typ), nil
			}
			var ue *unreachableError
			if timedOut && errors.As(err, &ue) {
				// A socket that does not answer: do not wait on it
				// again for a while.
				r.mu.Lock()
				r.down[dkey] = downState{time.Now().Add(a.timeout * 3), err}
				r.mu.Unlock()
			}
		}
		if err == nil {
			return info, nil
		}
		var ue *unreachableError
		if !errors.As(err, &ue) {
			answered = true
		} else {
			un = append(un, unreachable{dkey, fmt.Sprintf("syscope: cannot reach the %s API at %s: %v; containers show ids only", a.kind, a.socket, err)})
		}
	}
	if answered {
		// The runtime of the container answered: another one that
		// cannot be reached (CRI-O's default socket on a containerd
		// host) is no news.
		un = nil
	}
	full := ""
	if isHexID(id) {
		full = id
	}
	info := NewInfo(id, full, typ)
	info.LookupState = LookupFailed
	return info, un
}
