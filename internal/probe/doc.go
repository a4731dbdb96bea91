// Package probe is syscope's live capture: it loads the CO-RE eBPF probe
// of bpf/ (compiled by bpf2go into probe_x86_bpfel.o and embedded), attaches
// it to the kernel's tracepoints, and reads the events it sends.
//
// The probe sends sysdig events, in the layout of a capture file (package
// event decodes them) and with the codes and parameters of sysdig 0.29.3, so
// a live event and an event read from a file are the same thing:
//
//	p, err := probe.Open(probe.Options{Snaplen: 256})
//	if err != nil {
//		return err // e.g. errors.Is(err, probe.ErrPermission)
//	}
//	defer p.Close()
//	for {
//		ev, cpu, err := p.Next()
//		if err != nil {
//			return err
//		}
//		// ev is valid until the next call to Next
//	}
//
// Each CPU has its own BPF ring buffer; Next merges them in timestamp order,
// holding an event back for at most Options.MergeWindow while another CPU's
// buffer is empty, and returns events in place, without copying them out of
// the ring buffer. Stats counts what the kernel side built and dropped, per
// CPU and per reason.
//
// Stop ends a capture without losing what is in flight: it detaches the
// probe, and Next then drains the ring buffers, in the same order, and
// returns ErrStopped once they are empty. After that (or after Close),
// Stats accounts for every event the probe built: returned by Next,
// dropped (with the reason), or left unread by a reader that closed the
// probe without draining it.
//
// Options.Syscalls drops syscalls in the kernel, before anything is
// copied. Narrow derives it from the event codes a filter can match
// (filter.Filter.EventTypes), keeping the syscalls that change state as
// sysdig does; StateSyscall names those.
//
// ScanProc reads the processes, fds, users and groups a capture starts
// from, as libscap does from /proc and /etc.
//
// Requirements: Linux >= 5.8 on x86_64 with BTF (CONFIG_DEBUG_INFO_BTF),
// and root or CAP_BPF with CAP_PERFMON. Open checks each and returns
// ErrPermission, ErrNoBTF, ErrNoRingBuffer or a *TracepointError (matched by
// ErrTracepointMissing) with a sentence a user can act on. It does not raise
// RLIMIT_MEMLOCK: kernels >= 5.11 account BPF memory to the cgroup instead.
//
// Regenerating the embedded object after editing bpf/ needs clang and
// llvm-strip: go generate ./internal/probe, or
// bash scripts/check-bpf-generated.sh to also check the committed files.
package probe
