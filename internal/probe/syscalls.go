package probe

import "github.com/syscope/syscope/event"

// stateSyscalls are the syscalls whose events change what the state
// engine knows (threads, fds, users, working directories): sysdig 0.29.3's
// never-dropped syscalls, and a few newer ones of the same kinds.
var stateSyscalls = []string{
	"open", "openat", "openat2", "creat", "close", "close_range",
	"dup", "dup2", "dup3", "fcntl",
	"socket", "socketpair", "bind", "connect", "accept", "accept4", "shutdown",
	"pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"timerfd_create", "inotify_init", "inotify_init1", "epoll_create",
	"epoll_create1", "userfaultfd", "memfd_create", "pidfd_open",
	"clone", "clone3", "fork", "vfork", "execve", "execveat",
	"chdir", "fchdir", "chroot",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setpgid", "setsid", "prlimit64", "setrlimit",
}

var stateSet = func() map[int]bool {
	names := make(map[string]bool, len(stateSyscalls))
	for _, n := range stateSyscalls {
		names[n] = true
	}
	set := make(map[int]bool, len(stateSyscalls))
	for nr := 0; nr < syscallTableSize; nr++ {
		if names[event.NativeSyscallName(uint16(nr))] {
			set[nr] = true
		}
	}
	return set
}()

// syscallTableSize is SYSCALL_TABLE_SIZE in bpf/maps.h.
const syscallTableSize = 512

// StateSyscall reports whether the x86_64 syscall nr changes the state a
// capture tracks (threads, file descriptors, users, working directory). A
// Syscalls filter should keep these, or the state engine loses track of
// processes and fds, as sysdig keeps them whatever its filter.
func StateSyscall(nr int) bool { return stateSet[nr] }
