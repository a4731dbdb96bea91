package vsyscall

// Implemented in bench_amd64.s.

func callLoop1(fn uintptr, n int64) int64
func clockLoop(fn uintptr, n int64) int64
func syscallLoop(n int64) int64

const benchSupported = true
