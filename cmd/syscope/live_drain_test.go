package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/syscope/syscope/event"
	"github.com/syscope/syscope/internal/probe"
)

// driverRE matches what syscope -v prints of the probe's counters.
var driverRE = regexp.MustCompile(`(?m)^Driver Events:(\d+)\nDriver Drops:(\d+) \(buffer full: (\d+), other: (\d+)(?:, unread at stop: (\d+))?\)$`)

// unreadRE matches the line of syscope -v that counts the events left
// unread after -n.
var unreadRE = regexp.MustCompile(`(?m)^Driver Unread:(\d+) \(after the -n limit\)$`)

// TestLiveDrain checks that a live capture loses nothing when it stops on
// SIGINT, SIGTERM or -M, and counts what it leaves after -n: a thread of the test writes numbered markers to
// /dev/null without a pause right up to syscope's exit, and the file
// syscope -v -w wrote must
//   - hold every event the probe built: as many events as Driver Events
//     minus Driver Drops (the container events syscope adds aside), no
//     drop and nothing left unread at the stop; with -n N, the events
//     after the Nth are not wanted, and counted as Driver Unread;
//   - hold the markers' writes from the first one on, numbered without a
//     gap, up to the last one the probe saw; on a signal, at least every
//     write that had returned when the signal was sent; with -M, up to
//     the time limit;
//   - read to the end, the same, with syscope -r and sysdig -r.
func TestLiveDrain(t *testing.T) {
	needRoot(t)
	sd := sysdigPath(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal // 0: syscope stops by itself (-M, -n)
		args []string
	}{
		{"SIGINT", syscall.SIGINT, nil},
		{"SIGTERM", syscall.SIGTERM, nil},
		{"M", 0, []string{"-M", "1"}},
		{"n", 0, []string{"-n", "15000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "drain.scap")
			marker := fmt.Sprintf("syscope-drain-%s-%d-", tc.name, os.Getpid())
			run := launchSyscope(t, nil, probe.Options{}, append([]string{"-v", "-w", out}, tc.args...)...)
			m := startMarkers(t, marker)
			var sent int64 = -1
			var stderr string
			if tc.sig != 0 {
				// Long enough for thousands of markers, some of them
				// still in the ring buffers at the signal.
				time.Sleep(700 * time.Millisecond)
				sent = m.done.Load()
				run.signal(tc.sig)
				stderr = run.wait()
			} else {
				stderr = run.wait()
			}
			m.stop()
			t.Logf("syscope's stderr: %q", stderr)

			d := driverRE.FindStringSubmatch(stderr)
			if d == nil {
				t.Fatalf("syscope -v printed no driver counters: %q", stderr)
			}
			num := func(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }
			built, drops := num(d[1]), num(d[2])
			if drops != 0 {
				// At this rate the buffers never fill: a drop here
				// is what the test is about.
				t.Errorf("the probe counted %d drops: %q", drops, stderr)
			}
			var unread uint64
			if u := unreadRE.FindStringSubmatch(stderr); u != nil {
				unread = num(u[1])
			}
			countLimit := tc.name == "n"
			if !countLimit && strings.Contains(stderr, "Unread") {
				t.Errorf("events left unread without -n: %q", stderr)
			}

			// The file: every event, and the markers' writes.
			fc := readDrainCapture(t, out, m.tid, m.fd, marker)
			t.Logf("%d events built, %d dropped, %d unread after -n, %d in the file; markers: %d enters, %d exits (0 to %d), %d returned before the signal",
				built, drops, unread, fc.events, fc.enters, len(fc.exits), len(fc.exits)-1, sent+1)
			if fc.events != built-drops-unread {
				t.Errorf("the file holds %d events of the probe, which built %d, dropped %d and left %d unread: %d unaccounted for",
					fc.events, built, drops, unread, int64(built-drops-unread)-int64(fc.events))
			}
			if countLimit && fc.events != 15000 {
				t.Errorf("with -n 15000 the file holds %d events", fc.events)
			}
			for i, n := range fc.exits {
				if n != int64(i) {
					t.Fatalf("the markers' writes in the file go %d, %d: marker %d is missing", i-1, n, i)
				}
			}
			if fc.badOrder != "" {
				t.Error(fc.badOrder)
			}
			last := int64(len(fc.exits)) - 1
			if last < 0 && countLimit {
				// The host made the 15000 events before the markers
				// started: what -n is about was checked above.
				t.Log("no marker in the file: the -n limit came first")
				return
			}
			if last < 0 {
				t.Fatal("no marker in the file")
			}
			if tc.sig != 0 && (last < sent || int64(fc.enters) <= sent) {
				t.Errorf("marker %d had returned when %v was sent, the file ends at marker %d (%d enters)", sent, tc.sig, last, fc.enters)
			}
			if tc.name == "M" && fc.lastTS < fc.firstTS+uint64(time.Second)-uint64(200*time.Millisecond) {
				t.Errorf("with -M 1 the last marker is %v after the first event: the capture did not last a second",
					time.Duration(fc.lastTS-fc.firstTS))
			}

			// Read back to the end by both programs, the same.
			flt := fmt.Sprintf("thread.tid=%d and evt.type=write", m.tid)
			r := runSyscope("-r", out, flt)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("syscope -r: exit %d: %s", r.code, r.stderr)
			}
			enters := len(regexp.MustCompile(fmt.Sprintf(`> write fd=%d\(<.>/dev/null\) `, m.fd)).FindAllIndex(r.stdout, -1))
			exits := bytes.Count(r.stdout, []byte("data="+marker))
			lastMark := []byte(fmt.Sprintf("data=%s%08d", marker, last))
			if enters != fc.enters || exits != len(fc.exits) || !bytes.Contains(r.stdout, lastMark) {
				t.Errorf("syscope -r %q prints %d enters and %d exits of marker writes (want %d and %d), the last marker %s: %v",
					flt, enters, exits, fc.enters, len(fc.exits), lastMark, bytes.Contains(r.stdout, lastMark))
			}
			if sd != "" {
				s := runSysdig(t, sd, "-r", out, flt)
				if s.code != 0 || s.stderr != "" {
					t.Fatalf("sysdig -r: exit %d: %s", s.code, s.stderr)
				}
				if diff := firstDiff(s.stdout, r.stdout); diff != "" {
					t.Errorf("sysdig -r %q differs from syscope -r at %s", flt, diff)
				}
			}
		})
	}
}

// markers is a thread of the test writing numbered markers to /dev/null
// as fast as it can, with a short pause every few writes so the probe's
// buffers never fill.
type markers struct {
	tid  int
	fd   int          // of /dev/null
	done atomic.Int64 // the last marker whose write returned; -1 none
	quit chan struct{}
	end  chan error
}

func startMarkers(t *testing.T, prefix string) *markers {
	t.Helper()
	m := &markers{quit: make(chan struct{}), end: make(chan error, 1)}
	m.done.Store(-1)
	tid := make(chan [2]int, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		fd, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		tid <- [2]int{unix.Gettid(), fd}
		if err != nil {
			m.end <- err
			return
		}
		defer unix.Close(fd)
		buf := make([]byte, 0, 64)
		for i := int64(0); ; i++ {
			select {
			case <-m.quit:
				m.end <- nil
				return
			default:
			}
			buf = fmt.Appendf(append(buf[:0], prefix...), "%08d", i)
			if _, err := unix.Write(fd, buf); err != nil {
				m.end <- err
				return
			}
			m.done.Store(i)
			if i%8 == 7 {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	ids := <-tid
	m.tid, m.fd = ids[0], ids[1]
	return m
}

func (m *markers) stop() {
	close(m.quit)
	if err := <-m.end; err != nil {
		panic(fmt.Sprintf("the marker thread failed: %v", err))
	}
}

// drainCapture is what readDrainCapture found in a file.
type drainCapture struct {
	events          uint64  // events, but the container events syscope adds
	enters          int     // enter events of the markers' writes
	exits           []int64 // the numbers of the markers' writes, in order
	badOrder        string  // how the enters and exits are not paired, if so
	firstTS, lastTS uint64  // of the first event, and of the last marker
}

// readDrainCapture reads the capture file path to its end: it counts its
// events and finds the writes of marker thread tid to fd. (The Go runtime
// writes elsewhere from that thread too.)
func readDrainCapture(t *testing.T, path string, tid, fd int, marker string) drainCapture {
	t.Helper()
	var c drainCapture
	open := false // an enter waits for its exit
	eachEvent(t, path, func(ev *event.Event) {
		if isContainerEvent(ev.Type) {
			return
		}
		c.events++
		if c.firstTS == 0 {
			c.firstTS = ev.TS
		}
		if ev.TID != int64(tid) || ev.Name() != "write" {
			return
		}
		if ev.Type.DirChar() == '>' {
			if int64(event.U64(ev.Param(0))) != int64(fd) {
				return
			}
			if open && c.badOrder == "" {
				c.badOrder = fmt.Sprintf("two enters of a marker write in a row, after marker %d", len(c.exits)-1)
			}
			if len(c.exits) > c.enters && c.badOrder == "" {
				// Once the probe's sys_enter is detached (first), a
				// few exits may come alone, never an enter again.
				c.badOrder = fmt.Sprintf("an enter after marker %d's exit came alone", c.enters)
			}
			open = true
			c.enters++
			return
		}
		data := ev.Param(1)
		if !strings.HasPrefix(string(data), marker) {
			return
		}
		open = false
		n, err := strconv.ParseInt(strings.TrimPrefix(string(data), marker), 10, 64)
		if err != nil {
			t.Fatalf("a write of the marker thread wrote %q", data)
		}
		c.exits = append(c.exits, n)
		c.lastTS = ev.TS
	})
	return c
}

// TestReportLive checks what syscope says of the probe's counters: every
// event counted, the lost ones always, the unwanted ones after -n with -v.
func TestReportLive(t *testing.T) {
	for _, tc := range []struct {
		st                    probe.Stats
		verbose, countReached bool
		want                  string
	}{
		{probe.Stats{Events: 10, Read: 10}, false, false, ""},
		{probe.Stats{Events: 10, Read: 10}, true, false, "Driver Events:10\nDriver Drops:0 (buffer full: 0, other: 0)\n"},
		{probe.Stats{Events: 10, Read: 7, DropsFull: 2, DropsOther: 1}, false, false, "Driver Events:10\nDriver Drops:3 (buffer full: 2, other: 1)\n"},
		// The drain gave up on one event; a second signal left two.
		{probe.Stats{Events: 10, Read: 9, DropsStop: 1}, false, false, "Driver Events:10\nDriver Drops:1 (buffer full: 0, other: 0, unread at stop: 1)\n"},
		{probe.Stats{Events: 10, Read: 8, Unread: 2}, false, false, "Driver Events:10\nDriver Drops:2 (buffer full: 0, other: 0, unread at stop: 2)\n"},
		// After -n, the rest is not wanted: not a drop.
		{probe.Stats{Events: 10, Read: 8, Unread: 2}, false, true, ""},
		{probe.Stats{Events: 10, Read: 8, Unread: 2}, true, true, "Driver Events:10\nDriver Drops:0 (buffer full: 0, other: 0)\nDriver Unread:2 (after the -n limit)\n"},
	} {
		var b bytes.Buffer
		reportLive(&b, tc.st, tc.verbose, tc.countReached)
		if b.String() != tc.want {
			t.Errorf("%+v, verbose %v, -n reached %v:\n got %q\nwant %q", tc.st, tc.verbose, tc.countReached, b.String(), tc.want)
		}
	}
}
