package probe

// A tracepoint is one program of the probe and where it attaches.
type tracepoint struct {
	prog   string // program in the object
	name   string // group:name
	needed string
}

// tracepoints lists what Open attaches to for opts, in order.
func tracepoints(opts Options) []tracepoint {
	tps := []tracepoint{
		{"sys_enter", "raw_syscalls:sys_enter", "syscall capture"},
		{"sys_exit", "raw_syscalls:sys_exit", "syscall capture"},
		{"sched_process_exit", "sched:sched_process_exit", "process exit capture"},
		{"sched_process_fork", "sched:sched_process_fork", "process tracking"},
		{"sched_process_exec", "sched:sched_process_exec", "process tracking"},
		{"signal_deliver", "signal:signal_deliver", "signal capture"},
	}
	if !opts.NoSchedSwitch {
		tps = append(tps, tracepoint{"sched_switch", "sched:sched_switch", "context switch capture"})
	}
	if opts.PageFaults {
		tps = append(tps, tracepoint{"page_fault_user", "exceptions:page_fault_user", "page fault capture"})
	}
	return tps
}

// Tracepoints names the tracepoints ("group:name") Open attaches the probe
// to with opts, one BPF link each. The events flow once a process holds
// that many links (anon_inode:bpf_link in /proc/PID/fd): tests that run a
// capture in another process wait for that.
func Tracepoints(opts Options) []string {
	var names []string
	for _, tp := range tracepoints(opts) {
		names = append(names, tp.name)
	}
	return names
}
