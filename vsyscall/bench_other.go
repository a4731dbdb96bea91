//go:build !amd64

package vsyscall

func callLoop1(fn uintptr, n int64) int64 { panic("vsyscall: time() benchmark needs amd64") }
func clockLoop(fn uintptr, n int64) int64 { panic("vsyscall: time() benchmark needs amd64") }
func syscallLoop(n int64) int64           { panic("vsyscall: time() benchmark needs amd64") }

const benchSupported = false
