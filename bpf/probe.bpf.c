// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/*
 * probe.bpf.c: syscope's live-capture probe.
 *
 * CO-RE eBPF on tracepoints, built by bpf2go into internal/probe. Every
 * record it sends is one event in the scap layout (see event.h), with the
 * codes and parameter lists of sysdig 0.29.3, into the ring buffer of the
 * CPU it ran on.
 *
 *   raw_syscalls:sys_enter/sys_exit  every syscall: the dispatchers below
 *                                    tail-call a filler per decoded syscall
 *                                    (sys_*.h), or send a generic event
 *   sched:sched_process_exit         procexit
 *   sched:sched_switch               switch
 *   signal:signal_deliver            signaldeliver
 *   exceptions:page_fault_user       page_fault (attached only on request)
 *   sched:sched_process_fork         clone exits of user tasks that kernel
 *                                    threads start (usermode helpers), which
 *                                    return from no syscall
 *   sched:sched_process_exec         execve exits of execs that are not an
 *                                    execve syscall (the kernel's own)
 *
 * tp_btf programs (BPF_TRACE_RAW_TP with BTF): the arguments are the
 * tracepoint's C arguments, typed, so the syscall's struct pt_regs is read
 * directly. Kernel >= 5.8 (ring buffer), with BTF.
 */

#include "sys_file.h"
#include "sys_net.h"
#include "sys_proc.h"
#include "sys_misc.h"
#include "stack.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

static __always_inline bool skip_self(void)
{
	return self_tgid && (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/* ---- fillers shared by many syscalls ---- */

/* Enter events without parameters: only the code differs. */
static __always_inline int noparams_enter_code(long nr)
{
	switch (nr) {
	case __NR_stat: return PPME_SYSCALL_STAT_E;
	case __NR_lstat: return PPME_SYSCALL_LSTAT_E;
	case __NR_select: return PPME_SYSCALL_SELECT_E;
	case __NR_getcwd: return PPME_SYSCALL_GETCWD_E;
	case __NR_chdir: return PPME_SYSCALL_CHDIR_E;
	case __NR_chroot: return PPME_SYSCALL_CHROOT_E;
	case __NR_pipe:
	case __NR_pipe2: return PPME_SYSCALL_PIPE_E;
	case __NR_rename: return PPME_SYSCALL_RENAME_E;
	case __NR_renameat: return PPME_SYSCALL_RENAMEAT_E;
	case __NR_renameat2: return PPME_SYSCALL_RENAMEAT2_E;
	case __NR_link: return PPME_SYSCALL_LINK_2_E;
	case __NR_linkat: return PPME_SYSCALL_LINKAT_2_E;
	case __NR_unlink: return PPME_SYSCALL_UNLINK_2_E;
	case __NR_unlinkat: return PPME_SYSCALL_UNLINKAT_2_E;
	case __NR_mkdirat: return PPME_SYSCALL_MKDIRAT_E;
	case __NR_rmdir: return PPME_SYSCALL_RMDIR_2_E;
	case __NR_chmod: return PPME_SYSCALL_CHMOD_E;
	case __NR_fchmod: return PPME_SYSCALL_FCHMOD_E;
	case __NR_fchmodat: return PPME_SYSCALL_FCHMODAT_E;
	case __NR_clone: return PPME_SYSCALL_CLONE_20_E;
	case __NR_fork: return PPME_SYSCALL_FORK_20_E;
	case __NR_vfork: return PPME_SYSCALL_VFORK_20_E;
	case __NR_clone3: return PPME_SYSCALL_CLONE3_E;
	case __NR_accept: return PPME_SOCKET_ACCEPT_5_E;
	case __NR_setsid: return PPME_SYSCALL_SETSID_E;
	case __NR_getuid: return PPME_SYSCALL_GETUID_E;
	case __NR_geteuid: return PPME_SYSCALL_GETEUID_E;
	case __NR_getgid: return PPME_SYSCALL_GETGID_E;
	case __NR_getegid: return PPME_SYSCALL_GETEGID_E;
	case __NR_getresuid: return PPME_SYSCALL_GETRESUID_E;
	case __NR_getresgid: return PPME_SYSCALL_GETRESGID_E;
	case __NR_symlink: return PPME_SYSCALL_SYMLINK_E;
	case __NR_symlinkat: return PPME_SYSCALL_SYMLINKAT_E;
	case __NR_userfaultfd: return PPME_SYSCALL_USERFAULTFD_E;
	}
	return -1;
}

PROG_ENTER(noparams)
{
	int code = noparams_enter_code(NR);

	u8 *p;

	if (code < 0)
		return 0;
	p = fx_begin(code, 0, EVENT_HEADER_LEN);
	if (p)
		fx_submit(p);
	return 0;
}

/* Enter events whose one parameter is the fd. */
static __always_inline int fd_enter_code(long nr)
{
	switch (nr) {
	case __NR_close: return PPME_SYSCALL_CLOSE_E;
	case __NR_fstat: return PPME_SYSCALL_FSTAT_E;
	case __NR_fchdir: return PPME_SYSCALL_FCHDIR_E;
	case __NR_dup:
	case __NR_dup2:
	case __NR_dup3: return PPME_SYSCALL_DUP_E;
	case __NR_bind: return PPME_SOCKET_BIND_E;
	case __NR_recvmsg: return PPME_SOCKET_RECVMSG_E;
	case __NR_getdents: return PPME_SYSCALL_GETDENTS_E;
	case __NR_getdents64: return PPME_SYSCALL_GETDENTS64_E;
	}
	return -1;
}

PROG_ENTER(fd)
{
	int code = fd_enter_code(NR);

	u8 *p;

	if (code < 0)
		return 0;
	p = fx_begin(code, 1, EVENT_HEADER_LEN + 2 + 8);
	if (!p)
		return 0;
	FX_LEN(p, 0, 8);
	FX_PUT(p, 1, 0, s64, (s32)ARG(0));
	fx_submit(p);
	return 0;
}

/* Exit events whose one parameter is the return value (an errno, fd or
 * pid, all 64-bit). */
static __always_inline int res_exit_code(long nr)
{
	switch (nr) {
	case __NR_close: return PPME_SYSCALL_CLOSE_X;
	case __NR_fstat: return PPME_SYSCALL_FSTAT_X;
	case __NR_fchdir: return PPME_SYSCALL_FCHDIR_X;
	case __NR_dup:
	case __NR_dup2:
	case __NR_dup3: return PPME_SYSCALL_DUP_X;
	case __NR_socket: return PPME_SOCKET_SOCKET_X;
	case __NR_listen: return PPME_SOCKET_LISTEN_X;
	case __NR_shutdown: return PPME_SOCKET_SHUTDOWN_X;
	case __NR_select: return PPME_SYSCALL_SELECT_X;
	case __NR_lseek: return PPME_SYSCALL_LSEEK_X;
	case __NR_ioctl: return PPME_SYSCALL_IOCTL_3_X;
	case __NR_fcntl: return PPME_SYSCALL_FCNTL_X;
	case __NR_kill: return PPME_SYSCALL_KILL_X;
	case __NR_tkill: return PPME_SYSCALL_TKILL_X;
	case __NR_tgkill: return PPME_SYSCALL_TGKILL_X;
	case __NR_nanosleep: return PPME_SYSCALL_NANOSLEEP_X;
	case __NR_futex: return PPME_SYSCALL_FUTEX_X;
	case __NR_mprotect: return PPME_SYSCALL_MPROTECT_X;
	case __NR_setuid: return PPME_SYSCALL_SETUID_X;
	case __NR_setgid: return PPME_SYSCALL_SETGID_X;
	case __NR_setresuid: return PPME_SYSCALL_SETRESUID_X;
	case __NR_setresgid: return PPME_SYSCALL_SETRESGID_X;
	case __NR_setpgid: return PPME_SYSCALL_SETPGID_X;
	case __NR_setsid: return PPME_SYSCALL_SETSID_X;
	case __NR_getdents: return PPME_SYSCALL_GETDENTS_X;
	case __NR_getdents64: return PPME_SYSCALL_GETDENTS64_X;
	case __NR_flock: return PPME_SYSCALL_FLOCK_X;
	case __NR_setns: return PPME_SYSCALL_SETNS_X;
	case __NR_unshare: return PPME_SYSCALL_UNSHARE_X;
	case __NR_epoll_wait: return PPME_SYSCALL_EPOLLWAIT_X;
	case __NR_eventfd:
	case __NR_eventfd2: return PPME_SYSCALL_EVENTFD_X;
	}
	return -1;
}

PROG_EXIT(res)
{
	int code = res_exit_code(NR);

	u8 *p;

	if (code < 0)
		return 0;
	p = fx_begin(code, 1, EVENT_HEADER_LEN + 2 + 8);
	if (!p)
		return 0;
	FX_LEN(p, 0, 8);
	FX_PUT(p, 1, 0, s64, RET);
	fx_submit(p);
	return 0;
}

/* ---- the syscall tables ---- */

#define E(nr, prog) [nr] = (void *)&enter_##prog
#define X(nr, prog) [nr] = (void *)&exit_##prog

/*
 * enter_progs and exit_progs map a syscall number to its filler. A
 * syscall in neither table is sent as a generic event. Both tables must
 * list the same syscalls: an enter event without its exit (or the reverse)
 * would confuse sysdig's pairing.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__array(values, int(u64 *));
} enter_progs SEC(".maps") = {
	.values = {
		E(__NR_read, rw), E(__NR_write, rw), E(__NR_pread64, rw), E(__NR_pwrite64, rw),
		E(__NR_readv, readv), E(__NR_preadv, readv), E(__NR_writev, writev), E(__NR_pwritev, writev),
		E(__NR_open, open), E(__NR_openat, openat), E(__NR_openat2, openat2), E(__NR_creat, creat),
		E(__NR_close, fd), E(__NR_lseek, lseek), E(__NR_ioctl, ioctl), E(__NR_fcntl, fcntl),
		E(__NR_stat, noparams), E(__NR_lstat, noparams), E(__NR_fstat, fd),
		E(__NR_unlink, noparams), E(__NR_unlinkat, noparams), E(__NR_rename, noparams),
		E(__NR_renameat, noparams), E(__NR_renameat2, noparams), E(__NR_link, noparams),
		E(__NR_linkat, noparams), E(__NR_mkdir, mkdir), E(__NR_mkdirat, noparams),
		E(__NR_rmdir, noparams), E(__NR_chmod, noparams), E(__NR_fchmod, noparams),
		E(__NR_fchmodat, noparams), E(__NR_access, access), E(__NR_getcwd, noparams),
		E(__NR_chdir, noparams), E(__NR_fchdir, fd), E(__NR_chroot, noparams),
		E(__NR_dup, fd), E(__NR_dup2, fd), E(__NR_dup3, fd),
		E(__NR_pipe, noparams), E(__NR_pipe2, noparams), E(__NR_getdents, fd), E(__NR_getdents64, fd),
		E(__NR_flock, flock), E(__NR_eventfd, eventfd), E(__NR_eventfd2, eventfd),

		E(__NR_socket, socket), E(__NR_bind, fd), E(__NR_connect, connect), E(__NR_listen, listen),
		E(__NR_accept, noparams), E(__NR_accept4, accept4), E(__NR_sendto, sendto),
		E(__NR_recvfrom, recvfrom), E(__NR_sendmsg, sendmsg), E(__NR_recvmsg, fd),
		E(__NR_shutdown, shutdown), E(__NR_socketpair, socketpair),

		E(__NR_execve, execve), E(__NR_execveat, execveat), E(__NR_clone, noparams),
		E(__NR_fork, noparams), E(__NR_vfork, noparams), E(__NR_clone3, noparams),
		E(__NR_kill, kill), E(__NR_tkill, kill), E(__NR_tgkill, kill),
		E(__NR_setuid, setid), E(__NR_setgid, setid), E(__NR_setresuid, setid), E(__NR_setresgid, setid),
		E(__NR_getuid, noparams), E(__NR_geteuid, noparams), E(__NR_getgid, noparams),
		E(__NR_getegid, noparams), E(__NR_getresuid, noparams), E(__NR_getresgid, noparams),
		E(__NR_setpgid, setpgid), E(__NR_setsid, noparams), E(__NR_setns, setns), E(__NR_unshare, unshare),
		E(__NR_getrlimit, rlimit), E(__NR_setrlimit, rlimit), E(__NR_prlimit64, rlimit),

		E(__NR_mmap, mmap), E(__NR_munmap, munmap), E(__NR_brk, brk), E(__NR_mprotect, mprotect),
		E(__NR_futex, futex), E(__NR_nanosleep, nanosleep), E(__NR_poll, poll), E(__NR_ppoll, poll),
		E(__NR_select, noparams), E(__NR_epoll_wait, epoll_wait),

		E(__NR_getsockname, empty), E(__NR_getpeername, empty), E(__NR_sendmmsg, empty),
		E(__NR_recvmmsg, empty), E(__NR_signalfd, signalfd), E(__NR_signalfd4, signalfd),
		E(__NR_timerfd_create, timerfd_create), E(__NR_inotify_init, inotify_init),
		E(__NR_inotify_init1, inotify_init), E(__NR_splice, splice), E(__NR_seccomp, seccomp),
		E(__NR_symlink, noparams), E(__NR_symlinkat, noparams), E(__NR_sendfile, sendfile),
		E(__NR_copy_file_range, copy_file_range), E(__NR_umount2, umount),
		E(__NR_userfaultfd, noparams),
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__array(values, int(u64 *));
} exit_progs SEC(".maps") = {
	.values = {
		X(__NR_read, rw), X(__NR_write, rw), X(__NR_pread64, rw), X(__NR_pwrite64, rw),
		X(__NR_readv, readv), X(__NR_preadv, readv), X(__NR_writev, writev), X(__NR_pwritev, writev),
		X(__NR_open, open), X(__NR_openat, openat), X(__NR_openat2, openat2), X(__NR_creat, creat),
		X(__NR_close, res), X(__NR_lseek, res), X(__NR_ioctl, res), X(__NR_fcntl, res),
		X(__NR_stat, path), X(__NR_lstat, path), X(__NR_fstat, res),
		X(__NR_unlink, path), X(__NR_unlinkat, unlinkat), X(__NR_rename, rename),
		X(__NR_renameat, renameat), X(__NR_renameat2, renameat), X(__NR_link, link),
		X(__NR_linkat, linkat), X(__NR_mkdir, path), X(__NR_mkdirat, mkdirat),
		X(__NR_rmdir, path), X(__NR_chmod, chmod), X(__NR_fchmod, fchmod),
		X(__NR_fchmodat, fchmodat), X(__NR_access, access), X(__NR_getcwd, getcwd),
		X(__NR_chdir, path), X(__NR_fchdir, res), X(__NR_chroot, path),
		X(__NR_dup, res), X(__NR_dup2, res), X(__NR_dup3, res),
		X(__NR_pipe, pipe), X(__NR_pipe2, pipe), X(__NR_getdents, res), X(__NR_getdents64, res),
		X(__NR_flock, res), X(__NR_eventfd, res), X(__NR_eventfd2, res),

		X(__NR_socket, res), X(__NR_bind, bind), X(__NR_connect, connect), X(__NR_listen, res),
		X(__NR_accept, accept), X(__NR_accept4, accept), X(__NR_sendto, sendto),
		X(__NR_recvfrom, recvfrom), X(__NR_sendmsg, sendmsg), X(__NR_recvmsg, recvmsg),
		X(__NR_shutdown, res), X(__NR_socketpair, socketpair),

		X(__NR_execve, execve), X(__NR_execveat, execveat), X(__NR_clone, clone),
		X(__NR_fork, clone), X(__NR_vfork, clone), X(__NR_clone3, clone),
		X(__NR_kill, res), X(__NR_tkill, res), X(__NR_tgkill, res),
		X(__NR_setuid, res), X(__NR_setgid, res), X(__NR_setresuid, res), X(__NR_setresgid, res),
		X(__NR_getuid, getid), X(__NR_geteuid, getid), X(__NR_getgid, getid),
		X(__NR_getegid, getid), X(__NR_getresuid, getresid), X(__NR_getresgid, getresid),
		X(__NR_setpgid, res), X(__NR_setsid, res), X(__NR_setns, res), X(__NR_unshare, res),
		X(__NR_getrlimit, rlimit), X(__NR_setrlimit, rlimit), X(__NR_prlimit64, rlimit),

		X(__NR_mmap, mem), X(__NR_munmap, mem), X(__NR_brk, mem), X(__NR_mprotect, res),
		X(__NR_futex, res), X(__NR_nanosleep, res), X(__NR_poll, poll), X(__NR_ppoll, poll),
		X(__NR_select, res), X(__NR_epoll_wait, res),

		X(__NR_getsockname, empty), X(__NR_getpeername, empty), X(__NR_sendmmsg, empty),
		X(__NR_recvmmsg, empty), X(__NR_signalfd, misc_res), X(__NR_signalfd4, misc_res),
		X(__NR_timerfd_create, misc_res), X(__NR_inotify_init, misc_res),
		X(__NR_inotify_init1, misc_res), X(__NR_splice, misc_res), X(__NR_seccomp, misc_res),
		X(__NR_symlink, symlink), X(__NR_symlinkat, symlink), X(__NR_sendfile, sendfile),
		X(__NR_copy_file_range, copy_file_range), X(__NR_umount2, umount),
		X(__NR_userfaultfd, userfaultfd),
	},
};

/*
 * execs holds the threads inside an execve or execveat syscall, so that
 * sched_process_exec can tell the kernel's own execs (which no sys_exit
 * reports) from the syscalls (which the execve fillers report). LRU: an
 * entry a crash leaves behind ages out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u8);
} execs SEC(".maps");

/* ---- dispatchers ---- */

/* A syscall the probe looks at: a 64-bit syscall (32-bit ones have other
 * numbers; TS_COMPAT marks them), wanted by user space, not from the
 * capturing process itself. */
static __always_inline bool compat_syscall(void)
{
	struct task_struct *t;

	/* Every syscall asks: where the kernel has it (>= 5.11), a BTF
	 * pointer to the task reads the field with a plain load rather than
	 * a bpf_probe_read_kernel call. The verifier removes the branch the
	 * running kernel does not take. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		t = bpf_get_current_task_btf();
		return bpf_core_field_exists(t->thread_info.status) && (t->thread_info.status & TS_COMPAT);
	}
	t = current_task();
	return bpf_core_field_exists(t->thread_info.status) && (READ_KERN(t->thread_info.status) & TS_COMPAT);
}

static __always_inline struct syscall_info *wanted(long nr)
{
	u32 key = nr;

	if (nr < 0 || nr >= SYSCALL_TABLE_SIZE)
		return NULL;
	struct syscall_info *info = bpf_map_lookup_elem(&syscall_table, &key);
	if (!info || !info->enabled)
		return NULL;
	if (skip_self())
		return NULL;
	if (compat_syscall())
		return NULL;
	return info;
}

SEC("tp_btf/sys_enter")
int sys_enter(u64 *ctx)
{
	long nr = (long)ctx[1];
	struct syscall_info *info;

	/* Marked whether or not execve is wanted: sched_process_exec must not
	 * mistake a filtered-out execve for an exec of the kernel's. */
	if (nr == __NR_execve || nr == __NR_execveat) {
		u32 tid = bpf_get_current_pid_tgid();
		u8 one = 1;
		bpf_map_update_elem(&execs, &tid, &one, BPF_ANY);
	}
	info = wanted(nr);
	if (!info)
		return 0;
	bpf_tail_call(ctx, &enter_progs, nr);

	/* No filler: a generic event with sysdig's id and the native number. */
	u16 sc = info->ppm_sc;
	u8 *p = fx_begin(PPME_GENERIC_E, 2, EVENT_HEADER_LEN + 2 * 2 + 4);
	if (!p)
		return 0;
	FX_LEN(p, 0, 2);
	FX_LEN(p, 1, 2);
	FX_PUT(p, 2, 0, u16, sc);
	FX_PUT(p, 2, 2, u16, nr);
	fx_submit(p);
	return 0;
}

SEC("tp_btf/sys_exit")
int sys_exit(u64 *ctx)
{
	long nr = NR;
	struct syscall_info *info;

	if (nr == __NR_execve || nr == __NR_execveat) {
		/* A failed exec: no sched_process_exec consumed the mark. */
		u32 tid = bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&execs, &tid);
	}
	info = wanted(nr);
	if (!info)
		return 0;
	bpf_tail_call(ctx, &exit_progs, nr);

	u16 sc = info->ppm_sc;
	u8 *p = fx_begin(PPME_GENERIC_X, 1, EVENT_HEADER_LEN + 2 * 1 + 2);
	if (!p)
		return 0;
	FX_LEN(p, 0, 2);
	FX_PUT(p, 1, 0, u16, sc);
	fx_submit(p);
	return 0;
}

/* ---- other tracepoints ---- */

/* procexit, for every thread that exits. */
SEC("tp_btf/sched_process_exit")
int sched_process_exit(u64 *ctx)
{
	struct task_struct *t = (struct task_struct *)ctx[0];
	int code;
	u8 sig = 0;

	if (skip_self())
		return 0;
	BEGIN(PPME_PROCEXIT_1_E, 4);
	code = READ_KERN(t->exit_code);
	/* WIFSIGNALED: low 7 bits are the signal, neither 0 nor 0x7f. */
	if ((code & 0x7f) != 0 && (code & 0x7f) != 0x7f)
		sig = code & 0x7f;
	push_s64(&e, code);
	push_s64(&e, (code >> 8) & 0xff); /* WEXITSTATUS */
	push_u8(&e, sig);
	push_u8(&e, (code & 0x80) != 0); /* WCOREDUMP */
	END();
}

/* switch: the task leaving the CPU (the event's thread), the one coming,
 * and the leaving task's page faults and memory. */
SEC("tp_btf/sched_switch")
int sched_switch(u64 *ctx)
{
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];

	if (skip_self())
		return 0;
	BEGIN(PPME_SCHEDSWITCH_6_E, 6);
	push_s64(&e, READ_KERN(next->pid));
	push_u64(&e, READ_KERN(prev->maj_flt));
	push_u64(&e, READ_KERN(prev->min_flt));
	push_vm_sizes(&e, READ_KERN(prev->mm));
	END();
}

/* signaldeliver: the sender when the siginfo names one (kill, sigqueue,
 * child status, real-time signals), the receiving thread and the signal. */
SEC("tp_btf/signal_deliver")
int signal_deliver(u64 *ctx)
{
	int sig = (int)ctx[0];
	struct kernel_siginfo *info = (struct kernel_siginfo *)ctx[1];
	s64 spid = 0;

	if (skip_self())
		return 0;
	if (info) {
		int code = READ_KERN(info->si_code);
		switch (sig) {
		case SIGKILL:
			spid = READ_KERN(info->_sifields._kill._pid);
			break;
		case SIGTERM:
		case SIGHUP:
		case SIGINT:
		case SIGTSTP:
		case SIGQUIT:
			if (code == SI_USER || code == SI_QUEUE || code <= 0)
				spid = READ_KERN(info->_sifields._kill._pid);
			break;
		case SIGCHLD:
			spid = READ_KERN(info->_sifields._sigchld._pid);
			break;
		}
		if (sig >= SIGRTMIN && sig <= SIGRTMAX)
			spid = READ_KERN(info->_sifields._rt._pid);
	}
	struct ev e;
	if (!ev_begin(&e, PPME_SIGNALDELIVER_E, 3))
		return 0;
	push_s64(&e, spid);
	push_s64(&e, bpf_get_current_pid_tgid() & 0xffffffff);
	push_u8(&e, sig);
	ev_submit(&e);
	if (stack_signal(sig))
		send_user_stack(); /* stack.h */
	return 0;
}

/* page_fault: faults of user code only (the tracepoint's own choice). */
SEC("tp_btf/page_fault_user")
int page_fault_user(u64 *ctx)
{
	unsigned long addr = ctx[0];
	struct pt_regs *regs = (struct pt_regs *)ctx[1];
	unsigned long err = ctx[2];

	if (skip_self())
		return 0;
	BEGIN(PPME_PAGE_FAULT_E, 3);
	push_u64(&e, addr);
	push_u64(&e, regs ? regs->ip : 0);
	push_u32(&e, pf_flags_to_scap(err));
	END();
}

/*
 * A user task that a kernel thread starts (a usermode helper: modprobe, a
 * core dump pipe, ...) returns from no clone syscall, so no sys_exit tells
 * user space about it. Send its clone exit here, as the child's event.
 */
SEC("tp_btf/sched_process_fork")
int sched_process_fork(u64 *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx[0];
	struct task_struct *child = (struct task_struct *)ctx[1];

	if (!(READ_KERN(parent->flags) & PF_KTHREAD) || (READ_KERN(child->flags) & PF_KTHREAD))
		return 0;
	struct ev e;
	if (!ev_begin_tid(&e, PPME_SYSCALL_CLONE_20_X, 20, READ_KERN(child->pid)))
		return 0;
	push_clone(&e, child, 0, 0);
	END();
}

/* The execve exit of an exec no execve syscall made (see execs). */
SEC("tp_btf/sched_process_exec")
int sched_process_exec(u64 *ctx)
{
	u32 old_tid = (u32)ctx[1];
	struct task_struct *t = (struct task_struct *)ctx[0];

	if (bpf_map_lookup_elem(&execs, &old_tid)) {
		bpf_map_delete_elem(&execs, &old_tid);
		return 0;
	}
	if (skip_self())
		return 0;
	BEGIN(PPME_SYSCALL_EXECVE_19_X, 20);
	push_s64(&e, 0);
	push_exe_args(&e, READ_KERN(t->mm));
	push_execve_rest(&e, t, NULL, false);
	END();
}
