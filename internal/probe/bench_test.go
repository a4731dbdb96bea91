//go:build linux && amd64

package probe

import (
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkGetppid measures the probe under a getppid loop: each op is one
// getppid, which the probe turns into two generic events (enter and exit),
// read back by Next in another goroutine. It reports the events read per
// second and the events dropped. Only getppid is captured (the filter
// rejects every other syscall in the kernel), and no context switches.
func BenchmarkGetppid(b *testing.B) {
	p := openProbe(b, Options{NoSchedSwitch: true, Syscalls: func(nr int) bool { return nr == unix.SYS_GETPPID }})
	var read atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, _, err := p.Next(); err != nil {
				return
			}
			read.Add(1)
		}
	}()
	before := p.Stats()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		unix.Getppid()
	}
	// Let the reader catch up with what the kernel sent (the events it
	// built less those dropped).
	sent := func() uint64 {
		st := p.Stats()
		return st.Events - st.Drops() - (before.Events - before.Drops())
	}
	for deadline := time.Now().Add(5 * time.Second); read.Load() < sent() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	st := p.Stats()
	p.Close()
	<-done
	drops := st.Drops() - before.Drops()
	b.ReportMetric(float64(read.Load())/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(drops), "drops")
	b.ReportMetric(float64(st.Events-before.Events)/float64(b.N), "events/op")
}

// BenchmarkGetppidNoProbe is the same loop without a probe, for the cost of
// the probe per syscall.
func BenchmarkGetppidNoProbe(b *testing.B) {
	for i := 0; i < b.N; i++ {
		unix.Getppid()
	}
}
