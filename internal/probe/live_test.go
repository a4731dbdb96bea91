//go:build linux && amd64

package probe

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
)

// openProbe opens a probe for a test. Where live capture cannot work it
// skips, with the reason; in CI (CI=true) it fails instead, so a CI
// machine that lost root or BPF does not pass silently.
func openProbe(t testing.TB, opts Options) *Probe {
	t.Helper()
	p, err := Open(opts)
	if err != nil {
		unavailable := errors.Is(err, ErrPermission) || errors.Is(err, ErrNoBTF) ||
			errors.Is(err, ErrNoRingBuffer) || errors.Is(err, ErrTracepointMissing) ||
			errors.Is(err, ErrUnsupportedPlatform)
		if unavailable && !inCI() {
			t.Skipf("live capture is not available here: %v", err)
		}
		t.Fatalf("open the probe: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close the probe: %v", err)
		}
	})
	return p
}

// TestLiveAvailable fails in CI if this machine cannot capture live.
func TestLiveAvailable(t *testing.T) {
	start := time.Now()
	p := openProbe(t, Options{SkipSelf: true, PageFaults: true})
	t.Logf("opened in %v", time.Since(start))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
}

// collector reads a probe in the background and keeps a copy of the
// events keep selects, checking every event on the way.
type collector struct {
	p    *Probe
	keep func(*event.Event) bool

	mu       sync.Mutex
	events   []*event.Event
	n        int
	bad      []string // events that break the format or the order
	lastTS   uint64
	inverted int
	done     chan error
}

func collect(p *Probe, keep func(*event.Event) bool) *collector {
	c := &collector{p: p, keep: keep, done: make(chan error, 1)}
	go func() {
		for {
			ev, cpu, err := p.Next()
			if err != nil {
				if errors.Is(err, ErrClosed) {
					err = nil
				}
				c.done <- err
				return
			}
			c.check(ev, cpu)
		}
	}()
	return c
}

func (c *collector) check(ev *event.Event, cpu uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	switch {
	case ev.CPU != cpu:
		c.bad = append(c.bad, fmt.Sprintf("event %d: ev.CPU %d, Next said CPU %d", ev.Num, ev.CPU, cpu))
	case ev.Type == event.CodeUserStack:
		// syscope's own event (bpf/stack.h), which sysdig skips.
		if ev.NParams() != 3 || len(ev.Param(0)) != 8 || len(ev.Param(1)) != 8 || len(ev.Param(2))%8 != 0 {
			c.bad = append(c.bad, fmt.Sprintf("event %d: userstack with %d parameters, lengths %d %d %d", ev.Num, ev.NParams(), len(ev.Param(0)), len(ev.Param(1)), len(ev.Param(2))))
		}
	case int(ev.Type) >= len(params029) || !event.KnownTo029(ev.Type):
		c.bad = append(c.bad, fmt.Sprintf("event %d: code %d unknown to sysdig 0.29.3", ev.Num, ev.Type))
	case ev.NParams() != int(params029[ev.Type]):
		c.bad = append(c.bad, fmt.Sprintf("event %d (%s, %d): %d parameters, sysdig 0.29.3 has %d",
			ev.Num, ev.Name(), ev.Type, ev.NParams(), params029[ev.Type]))
	}
	if ev.TS < c.lastTS {
		c.inverted++
	}
	c.lastTS = ev.TS
	if c.keep(ev) {
		c.events = append(c.events, ev.Clone())
	}
}

// find returns the kept events match accepts.
func (c *collector) find(match func(*event.Event) bool) []*event.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*event.Event
	for _, ev := range c.events {
		if match(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// waitFor polls until every check passes or the deadline; it returns the
// names of the checks that never passed.
func (c *collector) waitFor(d time.Duration, checks map[string]func() bool) []string {
	deadline := time.Now().Add(d)
	for {
		var missing []string
		for name, ok := range checks {
			if !ok() {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			return missing
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// param returns the value of the parameter called name.
func param(ev *event.Event, name string) []byte {
	i := ev.ParamIndex(name)
	if i < 0 {
		return nil
	}
	return ev.Param(i)
}

func str(ev *event.Event, name string) string { return string(event.CString(param(ev, name))) }
func num(ev *event.Event, name string) int64  { return event.Int(param(ev, name)) }

const vsyscallAddr = 0xffffffffff600000

// runChild is what a re-executed test binary does instead of testing.
func runChild(role string) {
	switch role {
	case "vsyscall-read":
		vsyscallChild()
	}
	os.Exit(5)
}

// vsyscallChild runs in a re-executed test binary: it reads the vsyscall
// page, which this kernel maps execute-only, and dies of the SIGSEGV. Go's
// runtime would catch the signal and exit with status 2, so the default
// action is restored first with a raw rt_sigaction.
func vsyscallChild() {
	var act struct {
		handler  uintptr
		flags    uint64
		restorer uintptr
		mask     uint64
	} // SIG_DFL
	if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGSEGV),
		uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); errno != 0 {
		os.Exit(3)
	}
	// The address reinterpreted as a pointer (not converted from a
	// uintptr, which vet rightly distrusts: here faulting is the point).
	addr := uintptr(vsyscallAddr)
	p := *(**byte)(unsafe.Pointer(&addr))
	fmt.Println(*p)
	os.Exit(4)
}

// TestLiveCapture runs a workload and checks the events the probe sends
// for it: a file opened, written, read and closed; a TCP connection to a
// listener on 127.0.0.1; a fork and exec of /bin/true; and a child reading
// the vsyscall page, which faults, gets SIGSEGV and dies of it.
func TestLiveCapture(t *testing.T) {
	p := openProbe(t, Options{PageFaults: true})
	self := int64(os.Getpid())
	keep := func(ev *event.Event) bool {
		switch ev.Type {
		case 290: // page faults: only the vsyscall page's
			return event.U64(ev.Param(0)) == vsyscallAddr
		case 152: // context switches: too many
			return false
		}
		return true
	}
	c := collect(p, keep)

	// A file: in one locked thread, so that its events carry one tid.
	dir := t.TempDir()
	path := filepath.Join(dir, "probe-file")
	payload := []byte("syscope probe test payload")
	var fileTID int
	var fileFD int
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		fileTID = unix.Gettid()
		fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o640)
		if err != nil {
			errc <- err
			return
		}
		fileFD = fd
		if _, err := unix.Write(fd, payload); err != nil {
			errc <- err
			return
		}
		buf := make([]byte, 100)
		if _, err := unix.Pread(fd, buf, 0); err != nil {
			errc <- err
			return
		}
		if _, err := unix.Seek(fd, 0, 0); err != nil {
			errc <- err
			return
		}
		if _, err := unix.Read(fd, buf); err != nil {
			errc <- err
			return
		}
		errc <- unix.Close(fd)
	}()
	if err := <-errc; err != nil {
		t.Fatalf("file workload: %v", err)
	}

	// TCP: a blocking connect from a locked thread to a Go listener.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lport := ln.Addr().(*net.TCPAddr).Port
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			accepted <- conn
		}
	}()
	var connTID, connPort int
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		connTID = unix.Gettid()
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: lport, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			errc <- err
			return
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			errc <- err
			return
		}
		connPort = sa.(*unix.SockaddrInet4).Port
		_, err = unix.Write(fd, []byte("ping"))
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatalf("tcp workload: %v", err)
	}
	select {
	case conn := <-accepted:
		conn.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the listener accepted nothing")
	}

	// fork + exec of /bin/true.
	tr := exec.Command("/bin/true", "syscope-probe-arg")
	if err := tr.Run(); err != nil {
		t.Fatalf("run /bin/true: %v", err)
	}
	truePID := int64(tr.Process.Pid)

	// The vsyscall child.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=vsyscall-read")
	var childOut bytes.Buffer
	child.Stdout, child.Stderr = &childOut, &childOut
	err = child.Run()
	childPID := int64(child.Process.Pid)
	ws, _ := child.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSEGV {
		t.Fatalf("the vsyscall child did not die of SIGSEGV: %v (%s)", err, childOut.String())
	}

	// The openat exit's dev is the file system's, as stat(2) gives it
	// (new_encode_dev, 32 bits).
	var fst unix.Stat_t
	if err := unix.Stat(path, &fst); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	fileDev := uint32(fst.Dev)

	ftid, ctid := int64(fileTID), int64(connTID)
	tuple := fmt.Sprintf("127.0.0.1:%d->127.0.0.1:%d", connPort, lport)
	checks := map[string]func() bool{
		"openat exit with the path, fd and dev": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ftid && ev.Type == 307 && str(ev, "name") == path &&
					num(ev, "fd") == int64(fileFD) && num(ev, "dirfd") == -100 &&
					event.U32(param(ev, "dev")) == fileDev
			})) > 0
		},
		"openat enter with the path and flags": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				// flags: PPM_O_RDWR|PPM_O_CREAT|PPM_O_CLOEXEC, mode 0640
				return ev.TID == ftid && ev.Type == 306 && str(ev, "name") == path &&
					event.U32(param(ev, "flags")) == 3|1<<2|1<<12 && event.U32(param(ev, "mode")) == 0o640
			})) > 0
		},
		"write exit with the data": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ftid && ev.Type == 9 && num(ev, "res") == int64(len(payload)) &&
					bytes.Equal(param(ev, "data"), payload)
			})) > 0
		},
		"pread exit with the data": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ftid && ev.Type == 113 && bytes.Equal(param(ev, "data"), payload)
			})) > 0
		},
		"read exit with the data": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ftid && ev.Type == 7 && bytes.Equal(param(ev, "data"), payload)
			})) > 0
		},
		"close of the fd": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ftid && ev.Type == 4 && num(ev, "fd") == int64(fileFD)
			})) > 0
		},
		"socket exit": func() bool {
			return len(c.find(func(ev *event.Event) bool { return ev.TID == ctid && ev.Type == 19 })) > 0
		},
		"connect enter with the address": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ctid && ev.Type == 22 &&
					string(numbers.AppendSockaddr(nil, param(ev, "addr"), event.L4TCP)) == fmt.Sprintf("127.0.0.1:%d", lport)
			})) > 0
		},
		"connect exit with the tuple " + tuple: func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == ctid && ev.Type == 23 && num(ev, "res") == 0 &&
					string(numbers.AppendTuple(nil, param(ev, "tuple"), event.L4TCP)) == tuple
			})) > 0
		},
		"accept exit with the tuple " + tuple: func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return (ev.Type == 247 || ev.Type == 249) && num(ev, "fd") >= 0 &&
					string(numbers.AppendTuple(nil, param(ev, "tuple"), event.L4TCP)) == tuple
			})) > 0
		},
		"clone exit in the parent, res = child pid": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				// The test process is large: its memory reads back sane.
				size, rss := event.U32(param(ev, "vm_size")), event.U32(param(ev, "vm_rss"))
				return (ev.Type == 223 || ev.Type == 225 || ev.Type == 227 || ev.Type == 335) &&
					num(ev, "res") == truePID && num(ev, "pid") == self &&
					size > 1024 && rss > 1024 && rss < size && num(ev, "fdlimit") > 0
			})) > 0
		},
		"clone exit in the child, res = 0": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return (ev.Type == 223 || ev.Type == 225 || ev.Type == 227 || ev.Type == 335) &&
					ev.TID == truePID && num(ev, "res") == 0 && num(ev, "ptid") > 0
			})) > 0
		},
		"execve enter of /bin/true": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == truePID && ev.Type == 292 && str(ev, "filename") == "/bin/true"
			})) > 0
		},
		"execve exit with exe and args": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == truePID && ev.Type == 293 && num(ev, "res") == 0 &&
					str(ev, "exe") == "/bin/true" && str(ev, "args") == "syscope-probe-arg" &&
					str(ev, "comm") == "true" && num(ev, "pid") == truePID && ourThread(num(ev, "ptid")) &&
					strings.Contains(string(param(ev, "env")), childEnvMarker()) &&
					strings.Contains(string(param(ev, "cgroups")), "=/")
			})) > 0
		},
		"procexit of /bin/true, status 0": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == truePID && ev.Type == 186 && num(ev, "status") == 0
			})) > 0
		},
		"page fault at ffffffffff600000": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				// PPM_PF_USER_FAULT and PPM_PF_READ_ACCESS
				return ev.TID == childPID && ev.Type == 290 && event.U32(param(ev, "error"))&(0x10|0x8) == 0x18
			})) > 0
		},
		"signaldeliver of SIGSEGV": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == childPID && ev.Type == 232 && num(ev, "dpid") == childPID &&
					event.U8(param(ev, "sig")) == 11
			})) > 0
		},
		"procexit of the vsyscall child, sig 11": func() bool {
			return len(c.find(func(ev *event.Event) bool {
				return ev.TID == childPID && ev.Type == 186 && event.U8(param(ev, "sig")) == 11 &&
					num(ev, "status")&0x7f == 11
			})) > 0
		},
	}
	missing := c.waitFor(10*time.Second, checks)
	for _, name := range missing {
		t.Errorf("not seen: %s", name)
	}
	for _, ev := range c.find(func(ev *event.Event) bool { return ev.TID == childPID && ev.Type == 290 }) {
		t.Logf("page fault: addr %#x ip %#x error %#x", event.U64(param(ev, "addr")),
			event.U64(param(ev, "ip")), event.U32(param(ev, "error")))
	}
	if len(missing) > 0 {
		for _, ev := range c.find(func(ev *event.Event) bool { return ev.TID == truePID && ev.Type == 293 }) {
			t.Logf("execve exit: res %d exe %q args %q comm %q pid %d ptid %d env %.60q cgroups %q",
				num(ev, "res"), str(ev, "exe"), str(ev, "args"), str(ev, "comm"), num(ev, "pid"),
				num(ev, "ptid"), param(ev, "env"), param(ev, "cgroups"))
		}
		if testing.Verbose() {
			dumpTIDs(t, c, ftid, ctid, truePID, childPID)
		}
	}

	st := p.Stats()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-c.done; err != nil {
		t.Fatalf("Next: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, b := range c.bad {
		if i == 20 {
			t.Errorf("... and %d more", len(c.bad)-20)
			break
		}
		t.Error(b)
	}
	t.Logf("%d events read, %d out of timestamp order; stats %+v", c.n, c.inverted, st)
	if c.inverted > 0 {
		t.Errorf("%d events came out of timestamp order", c.inverted)
	}
}

// ourThread reports whether tid is a thread of the test process. A
// child's ptid is the thread that forked it (the kernel's real_parent, as
// sysdig reports it), one of the Go runtime's threads.
func ourThread(tid int64) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
	return err == nil
}

// childEnvMarker is the first environment string of the test's children
// (the env parameter holds the first 4096 bytes).
func childEnvMarker() string {
	if env := os.Environ(); len(env) > 0 {
		return env[0]
	}
	return ""
}

func dumpTIDs(t *testing.T, c *collector, tids ...int64) {
	want := map[int64]bool{}
	for _, tid := range tids {
		want[tid] = true
	}
	for _, ev := range c.find(func(ev *event.Event) bool { return want[ev.TID] }) {
		var b strings.Builder
		for i := 0; i < ev.NParams(); i++ {
			pi := ev.ParamInfo(i)
			name := "?"
			if pi != nil {
				name = pi.Name
			}
			fmt.Fprintf(&b, " %s=%q", name, ev.Param(i))
		}
		t.Logf("tid %d %c %s(%d)%s", ev.TID, ev.Type.DirChar(), ev.Name(), ev.Type, b.String())
	}
}

// wakesNext checks that end (Close or Stop) makes a Next that waits, on a
// probe with nothing to capture, return want.
func wakesNext(t *testing.T, end func(*Probe) error, want error) {
	t.Helper()
	p := openProbe(t, Options{NoSchedSwitch: true, Syscalls: func(int) bool { return false }})
	errc := make(chan error, 1)
	go func() {
		for {
			if _, _, err := p.Next(); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	if err := end(p); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, want) {
			t.Fatalf("Next: %v, want %v", err, want)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("Next still waits, want %v", want)
	}
}

// TestClose checks that Close interrupts a Next that waits, and that the
// event a reader holds stays readable while another goroutine closes.
func TestClose(t *testing.T) {
	wakesNext(t, (*Probe).Close, ErrClosed)

	p := openProbe(t, Options{SkipSelf: true})
	ev, _, err := p.Next()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, b := range ev.Raw { // in the ring buffer's memory
		sum += int(b)
	}
	if _, _, err := p.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
	t.Logf("read %d bytes of %s after Close (sum %d)", len(ev.Raw), ev.Name(), sum)
}

// TestSetSyscalls checks the syscall filter: only what it lets through
// comes out, and changing it takes effect at once.
func TestSetSyscalls(t *testing.T) {
	p := openProbe(t, Options{NoSchedSwitch: true, Syscalls: func(nr int) bool { return nr == unix.SYS_GETPPID }})
	seen := make(chan *event.Event, 1024)
	go func() {
		for {
			ev, _, err := p.Next()
			if err != nil {
				close(seen)
				return
			}
			if ev.Type <= 1 { // generic syscall events
				select {
				case seen <- ev.Clone():
				default:
				}
			}
		}
	}()
	wantNR := func(nr uint16, do func()) {
		t.Helper()
		deadline := time.After(3 * time.Second)
		do()
		for {
			select {
			case ev := <-seen:
				native := event.U16(ev.Param(1))
				if ev.Type == 0 && native != nr {
					t.Fatalf("a %s enter event passed a filter for syscall %d only",
						event.NativeSyscallName(native), nr)
				}
				if ev.Type == 0 && native == nr {
					return
				}
			case <-deadline:
				t.Fatalf("no enter event of syscall %d", nr)
			}
		}
	}
	wantNR(unix.SYS_GETPPID, func() { unix.Getppid() })
	if err := p.SetSyscalls(func(nr int) bool { return nr == unix.SYS_GETPGID }); err != nil {
		t.Fatal(err)
	}
	// Drain what the old filter let through.
	time.Sleep(50 * time.Millisecond)
	for len(seen) > 0 {
		<-seen
	}
	wantNR(unix.SYS_GETPGID, func() { unix.Getppid(); unix.Getpgid(0) })
	id, _ := event.NativeSyscallID(unix.SYS_GETPGID)
	t.Logf("getpgid is PPM_SC %d (%s)", id, event.SyscallName(id))
}

// TestDropsCounted fills a small ring buffer that nobody reads: the events
// that do not fit are counted as DropsFull, and what was kept is what Next
// then returns.
func TestDropsCounted(t *testing.T) {
	p := openProbe(t, Options{NoSchedSwitch: true, BufferSize: 64 << 10,
		Syscalls: func(nr int) bool { return nr == unix.SYS_GETPPID }})
	runtime.LockOSThread()
	for i := 0; i < 20000; i++ {
		unix.Getppid()
	}
	runtime.UnlockOSThread()
	st := p.Stats()
	if st.DropsFull == 0 || st.Events < 40000 {
		t.Fatalf("after 20000 getppid into 64 KiB: %+v, want events >= 40000 and drops", st)
	}
	if st.DropsOther != 0 {
		t.Errorf("%d drops for other reasons", st.DropsOther)
	}
	sent := st.Events - st.Drops()
	var read uint64
	deadline := time.Now().Add(5 * time.Second)
	for read < sent && time.Now().Before(deadline) {
		if _, _, err := p.Next(); err != nil {
			t.Fatal(err)
		}
		read++
	}
	if read < sent {
		t.Errorf("read %d events, the kernel sent %d", read, sent)
	}
	t.Logf("stats %+v", st)
}

// TestStop checks that Stop wakes a Next that waits, that the events the
// probe built before Stop and nobody read yet then come out of Next, in
// timestamp order and without waiting, followed by ErrStopped, and that
// Stats accounts for every event: nothing is built after Stop, nothing is
// lost.
func TestStop(t *testing.T) {
	wakesNext(t, (*Probe).Stop, ErrStopped)

	// 5000 getppid nobody reads, then Stop.
	p := openProbe(t, Options{NoSchedSwitch: true, Syscalls: func(nr int) bool { return nr == unix.SYS_GETPPID }})
	runtime.LockOSThread()
	tid := int64(unix.Gettid())
	for i := 0; i < 5000; i++ {
		unix.Getppid()
	}
	runtime.UnlockOSThread()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	built := p.Stats().Events
	for i := 0; i < 100; i++ {
		unix.Getppid()
	}
	start := time.Now()
	var n, ours, inverted int
	var last uint64
	for {
		ev, _, err := p.Next()
		if errors.Is(err, ErrStopped) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.TS < last {
			inverted++
		}
		last = ev.TS
		n++
		if ev.Type <= 1 && ev.TID == tid {
			ours++
		}
	}
	took := time.Since(start)
	if _, _, err := p.Next(); !errors.Is(err, ErrStopped) {
		t.Errorf("Next after the drain: %v, want ErrStopped", err)
	}
	st := p.Stats()
	t.Logf("drained %d events (%d getppid of the test, %d out of order) in %v; stats %+v", n, ours, inverted, took, st)
	if st.Events != built {
		t.Errorf("the probe built %d events after Stop", st.Events-built)
	}
	if st.Read != uint64(n) || st.Events != st.Read+st.Drops()+st.Unread || st.DropsStop != 0 || st.Unread != 0 {
		t.Errorf("after the drain: %+v, want every event read or dropped", st)
	}
	if ours < 5000*2 && st.Drops() == 0 {
		t.Errorf("%d getppid events of the test drained, want %d", ours, 5000*2)
	}
	if inverted > 0 {
		t.Errorf("%d events came out of timestamp order", inverted)
	}
	if took > time.Second {
		t.Errorf("the drain took %v", took)
	}
}

// TestCloseUnread checks that the events a reader leaves in the buffers
// when it closes the probe without draining it are counted as Unread.
func TestCloseUnread(t *testing.T) {
	p := openProbe(t, Options{NoSchedSwitch: true, Syscalls: func(nr int) bool { return nr == unix.SYS_GETPPID }})
	for i := 0; i < 1000; i++ {
		unix.Getppid()
	}
	for i := 0; i < 10; i++ {
		if _, _, err := p.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	if st.Read != 10 || st.Unread < 2000-10 || st.Events != st.Read+st.Drops()+st.Unread || st.DropsStop != 0 {
		t.Errorf("closed after reading 10 of 2000 events or more: %+v, want the rest unread", st)
	}
}

// numbers renders addresses with their ports as numbers.
var numbers *event.PortNames
