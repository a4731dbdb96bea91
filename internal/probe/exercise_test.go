//go:build linux && amd64

package probe

import (
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// exercise makes, from one locked thread, one or more calls of most
// syscalls the probe decodes, with known arguments, and returns that
// thread's id. Errors are ignored: a failing call is an event too.
func exercise(dir string) int {
	tidc := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid := unix.Gettid()
		defer func() { tidc <- tid }()
		p := func(name string) string { return filepath.Join(dir, name) }

		// files and paths
		unix.Mkdir(p("d1"), 0o750)
		unix.Mkdirat(unix.AT_FDCWD, p("d2"), 0o700)
		fd, _ := unix.Creat(p("f1"), 0o600)
		unix.Write(fd, []byte("0123456789"))
		unix.Pwrite(fd, []byte("abc"), 3)
		unix.Writev(fd, [][]byte{[]byte("vec1-"), []byte("vec2")})
		unix.Pwritev(fd, [][]byte{[]byte("pv")}, 1)
		unix.Seek(fd, 0, 0)
		buf := make([]byte, 64)
		unix.Readv(fd, [][]byte{buf[:4], buf[4:]})
		unix.Preadv(fd, [][]byte{buf}, 2)
		unix.Fsync(fd)
		var st unix.Stat_t
		unix.Fstat(fd, &st)
		unix.Stat(p("f1"), &st)
		unix.Lstat(p("f1"), &st)
		fd2, _ := unix.Dup(fd)
		unix.Dup2(fd, 100)
		unix.Dup3(fd, 101, unix.O_CLOEXEC)
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
		unix.IoctlGetInt(fd, unix.TCGETS)
		unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		unix.Fchmod(fd, 0o640)
		for _, f := range []int{fd, fd2, 100, 101} {
			unix.Close(f)
		}
		unix.Chmod(p("f1"), 0o4755)
		unix.Fchmodat(unix.AT_FDCWD, p("f1"), 0o644, 0)
		unix.Access(p("f1"), unix.R_OK|unix.W_OK)
		unix.Link(p("f1"), p("f2"))
		unix.Linkat(unix.AT_FDCWD, p("f2"), unix.AT_FDCWD, p("f3"), 0)
		unix.Rename(p("f2"), p("f4"))
		unix.Renameat(unix.AT_FDCWD, p("f4"), unix.AT_FDCWD, p("f5"))
		unix.Renameat2(unix.AT_FDCWD, p("f5"), unix.AT_FDCWD, p("f6"), unix.RENAME_NOREPLACE)
		unix.Unlink(p("f6"))
		unix.Unlinkat(unix.AT_FDCWD, p("f3"), 0)
		unix.Unlinkat(unix.AT_FDCWD, p("d2"), unix.AT_REMOVEDIR)
		unix.Rmdir(p("d1"))
		how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH}
		if dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0); err == nil {
			if fd, err := unix.Openat2(dfd, "f1", &how); err == nil {
				unix.Close(fd)
			}
			unix.Getdents(dfd, buf)
			unix.Fchdir(dfd)
			unix.Close(dfd)
		}
		unix.Open(p("missing"), unix.O_RDONLY, 0) // ENOENT
		unix.Chdir(dir)
		unix.Getcwd(buf)
		unix.Chdir("/")
		var pfd [2]int
		unix.Pipe2(pfd[:], unix.O_CLOEXEC)
		unix.Write(pfd[1], []byte("piped"))
		unix.Read(pfd[0], buf)
		unix.Close(pfd[0])
		unix.Close(pfd[1])
		efd, _ := unix.Eventfd(5, unix.EFD_CLOEXEC)
		unix.Close(efd)
		tfd, _ := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC)
		unix.Close(tfd)
		ifd, _ := unix.InotifyInit1(unix.IN_CLOEXEC)
		unix.Close(ifd)
		sigs := uint64(1) << (unix.SIGUSR1 - 1)
		sfd, _, _ := unix.Syscall6(unix.SYS_SIGNALFD4, ^uintptr(0), uintptr(unsafe.Pointer(&sigs)), 8, unix.SFD_CLOEXEC, 0, 0)
		unix.Close(int(sfd))
		unix.Symlinkat("f1", unix.AT_FDCWD, p("sl"))
		src, _ := unix.Open(p("f1"), unix.O_RDONLY, 0)
		dst, _ := unix.Open(p("f7"), unix.O_CREAT|unix.O_WRONLY, 0o600)
		off := int64(1)
		unix.Sendfile(dst, src, &off, 4)
		var sp2 [2]int
		unix.Pipe2(sp2[:], 0)
		unix.Splice(src, nil, sp2[1], nil, 4, unix.SPLICE_F_NONBLOCK)
		offIn, offOut := int64(2), int64(5)
		unix.CopyFileRange(src, &offIn, dst, &offOut, 3, 0)
		for _, f := range []int{src, dst, sp2[0], sp2[1]} {
			unix.Close(f)
		}
		unix.Unmount(p("not-a-mount"), unix.MNT_DETACH)

		// sockets: UDP, unix, TCP server side
		u1, _ := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		u2, _ := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		unix.Bind(u2, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
		sa, _ := unix.Getsockname(u2)
		unix.Sendto(u1, []byte("udp-hello"), 0, sa)
		unix.Recvfrom(u2, buf, 0)
		unix.SendmsgN(u1, []byte("udp-msg"), nil, sa, 0)
		unix.Recvmsg(u2, buf, nil, 0)
		unix.SetsockoptInt(u1, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		unix.Close(u1)
		unix.Close(u2)
		sp, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		unix.Write(sp[0], []byte("pair"))
		unix.Read(sp[1], buf)
		unix.Shutdown(sp[0], unix.SHUT_WR)
		unix.Close(sp[0])
		unix.Close(sp[1])
		l, _ := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0)
		unix.Bind(l, &unix.SockaddrInet6{Addr: [16]byte{15: 1}})
		unix.Listen(l, 7)
		lsa, _ := unix.Getsockname(l)
		c, _ := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM, 0)
		unix.Connect(c, lsa)
		a, _, _ := unix.Accept4(l, unix.SOCK_CLOEXEC)
		unix.Write(c, []byte("v6"))
		unix.Read(a, buf)
		unix.Close(a)
		unix.Close(c)
		unix.Close(l)

		// process, users, signals, limits
		unix.Kill(os.Getpid(), 0)
		unix.Tgkill(os.Getpid(), tid, 0)
		unix.Setuid(0)
		unix.Setgid(0)
		unix.Setresuid(-1, -1, -1)
		unix.Setresgid(-1, -1, -1)
		unix.Getuid()
		unix.Geteuid()
		unix.Getgid()
		unix.Getegid()
		var r, e, s int
		unix.RawSyscall(unix.SYS_GETRESUID, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s)))
		var rl unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
		unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &rl)
		unix.Setpgid(0, 0)
		unix.Unshare(0)

		// memory, waiting, time
		m, _ := unix.Mmap(-1, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
		unix.Mprotect(m, unix.PROT_READ)
		unix.Munmap(m)
		unix.Nanosleep(&unix.Timespec{Nsec: 1000}, nil)
		unix.Poll([]unix.PollFd{{Fd: 0, Events: unix.POLLIN}}, 0)
		ts := unix.Timespec{Nsec: 1000}
		unix.Ppoll([]unix.PollFd{{Fd: 0, Events: unix.POLLOUT}}, &ts, nil)
		unix.Select(0, nil, nil, nil, &unix.Timeval{Usec: 1})
		ep, _ := unix.EpollCreate1(0)
		unix.EpollWait(ep, make([]unix.EpollEvent, 3), 0)
		unix.Close(ep)
		var word uint32
		unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&word)), 1 /* FUTEX_WAKE */, 1, 0, 0, 0)
	}()
	return <-tidc
}

// exerciseWant lists, for each call of exercise, the parts one line of
// sysdig's output for the exercise thread must have.
func exerciseWant(dir string) [][]string {
	p := func(name string) string { return filepath.Join(dir, name) }
	return [][]string{
		{"< mkdirat res=0 dirfd=-100(AT_FDCWD) path=" + p("d1") + " mode=1E8"},
		{"< openat fd=", "(<f>" + p("f1") + ") dirfd=-100(AT_FDCWD) name=" + p("f1") + " flags=262(O_TRUNC|O_CREAT|O_WRONLY) mode=0600 dev="},
		{"< write res=10 data=0123456789"},
		{"> pwrite fd=", "size=3 pos=3"},
		{"< pwrite res=3 data=abc"},
		{"> writev fd=", " size=9"},
		{"< writev res=9 data=vec1-vec2"},
		{"> pwritev fd=", "size=2 pos=1"},
		{"< pwritev res=2 data=pv"},
		{"> lseek fd=", "offset=0 whence=0(SEEK_SET)"},
		{"> readv fd="},
		{"< readv res=-9(EBADF) size=64"},
		{"< dup res=100(<f>" + p("f1") + ")"},
		{"> fcntl fd=", "cmd=3(F_SETFD)"},
		{"> ioctl fd=", "request=5401"},
		{"> flock fd=", "operation=6(LOCK_EX|LOCK_NB)"},
		{"< fchmod res=0 fd=", "mode=0640"},
		{"< fchmodat res=0 dirfd=-100(AT_FDCWD) filename=" + p("f1") + " mode=04755"},
		{"< linkat res=0 olddir=-100(AT_FDCWD) oldpath=" + p("f1") + " newdir=-100(AT_FDCWD) newpath=" + p("f2") + " flags=0"},
		{"< renameat res=0 olddirfd=-100(AT_FDCWD) oldpath=" + p("f2") + " newdirfd=-100(AT_FDCWD) newpath=" + p("f4")},
		{"< renameat2 res=0", "newpath=" + p("f6") + " flags=1(RENAME_NOREPLACE)"},
		{"< unlinkat res=0 dirfd=-100(AT_FDCWD) name=" + p("d2") + " flags=512(AT_REMOVEDIR)"},
		{"> openat2 dirfd=", "flags=4097(O_RDONLY|O_CLOEXEC) mode=0 resolve=1(RESOLVE_BENEATH)"},
		{"< openat2 fd=", "(<f>" + p("f1") + ")"},
		{"> getdents64 fd=", "(<d>" + dir + ")"},
		{"> fchdir fd=", "(<d>" + dir + ")"},
		{"< openat fd=-2(ENOENT) dirfd=-100(AT_FDCWD) name=" + p("missing")},
		{"< chdir res=0 path=" + dir},
		{"< getcwd res=", "path=" + dir},
		{"< pipe res=0 fd1=", "fd2=", "ino="},
		{"< read res=5 data=piped"},
		{"> eventfd initval=5 flags=524288"},
		{"< eventfd res="},
		{"> timerfd_create clockid=1 flags=0"},
		{"< timerfd_create res="},
		{"> inotify_init flags=0"},
		{"> signalfd fd=-1", "mask=200 flags=0"},
		{"< symlinkat res=0 target=f1 linkdirfd=-100(AT_FDCWD) linkpath=" + p("sl")},
		{"> sendfile out_fd=", "offset=1 size=4"},
		{"< sendfile res=4 offset=5"},
		{"> splice fd_in=", "size=4 flags=2"},
		{"> copy_file_range fdin=", "offin=2 len=3"},
		{"< copy_file_range res=3 fdout=", "offout=8"},
		{"> umount flags=2"},
		{"< umount res=", "name=" + p("not-a-mount")},
		{"> socket domain=2(AF_INET) type=2 proto=0"},
		{"< bind res=0 addr=127.0.0.1:0"},
		{"> getsockname"},
		{"> sendto fd=", "size=9 tuple=", "->127.0.0.1:"},
		{"< sendto res=9 data=udp-hello"},
		{"< recvfrom res=9 data=udp-hello tuple=127.0.0.1:"},
		{"> sendmsg fd=", "size=7 tuple="},
		{"< sendmsg res=7 data=udp-msg"},
		{"< recvmsg res=7 size=7 data=udp-msg tuple=127.0.0.1:"},
		{"> socketpair domain=1(AF_LOCAL) type=1 proto=0"},
		{"< socketpair res=0 fd1=", "source=", "peer="},
		{"< read res=4 data=pair"},
		{"> shutdown fd=", "how=1(SHUT_WR)"},
		{"> socket domain=10(AF_INET6) type=1 proto=0"},
		{"< bind res=0 addr=::1:0"},
		{"> listen fd=", "backlog=7"},
		{"> connect fd=", "addr=::1:"},
		{"< connect res=0 tuple=::1:", "->::1:"},
		{"> accept flags=80000"},
		{"< accept fd=", "tuple=::1:", "queuepct=0 queuelen=0 queuemax=7"},
		{"< read res=2 data=v6"},
		{"> kill pid=", "sig=0"},
		{"> setuid uid=0(root)"},
		{"> setgid gid=0(root)"},
		{"> setresuid ruid=-1(<NONE>) euid=-1(<NONE>) suid=-1(<NONE>)"},
		{"> setresgid rgid=-1(<NONE>) egid=-1(<NONE>) sgid=-1(<NONE>)"},
		{"< getuid uid=0(root)"},
		{"< geteuid euid=0(root)"},
		{"< getgid gid=0(root)"},
		{"< getegid egid=0(root)"},
		{"< getresuid res=0 ruid=0(root) euid=0(root) suid=0(root)"},
		{"> getrlimit resource=7(RLIMIT_NOFILE)"},
		{"< getrlimit res=0 cur=", "max="},
		{"> prlimit pid=0 resource=7(RLIMIT_NOFILE)"},
		{"< prlimit res=0 newcur=-1 newmax=-1 oldcur="},
		{"> setpgid pid=0 pgid=0"},
		{"> unshare flags=0"},
		{"> mmap addr=0 length=8192 prot=3(PROT_READ|PROT_WRITE) flags=10(MAP_PRIVATE|MAP_ANONYMOUS) fd=-1"},
		{"< mmap res=", "vm_size=", "vm_rss=", "vm_swap="},
		{"> mprotect addr=", "length=8192 prot=1(PROT_READ)"},
		{"> munmap addr=", "length=8192"},
		{"< munmap res=0 vm_size="},
		{"> nanosleep interval=1000(1e-06s)"},
		{"> ppoll fds=0:", "timeout=0(0s)"},
		{"> ppoll fds=0:", "timeout=1000(1e-06s)"},
		{"> futex addr=", "op=1(FUTEX_WAKE) val=1"},
	}
}
