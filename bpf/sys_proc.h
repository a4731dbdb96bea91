/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* sys_proc.h: fillers of process, memory, signal, user and wait syscalls. */
#ifndef SYSCOPE_SYS_PROC_H
#define SYSCOPE_SYS_PROC_H

#include "progs.h"

/* ---- execve ---- */

PROG_ENTER(execve)
{
	BEGIN(PPME_SYSCALL_EXECVE_19_E, 1);
	push_user_str(&e, (void *)ARG(0));
	END();
}

PROG_ENTER(execveat)
{
	BEGIN(PPME_SYSCALL_EXECVEAT_E, 3);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, execveat_flags_to_scap(ARG(4)));
	END();
}

/*
 * push_execve_rest pushes parameters 4..20 of an execve exit: the process
 * (see push_proc_common), cgroups, env, tty, pgid, loginuid and flags. With
 * envp set (a failed execve) the environment comes from the caller's array;
 * otherwise from the new image.
 */
static __always_inline void push_execve_rest(struct ev *e, struct task_struct *t, const char *const *envp, bool failed)
{
	push_proc_common(e, t);
	push_cgroups(e, t);
	if (failed)
		push_len(e, user_strv(e, envp, 0));
	else
		push_env(e, READ_KERN(t->mm));
	push_s32(e, task_tty(t));
	push_s64(e, task_vpid_type(t, PIDTYPE_PGID));
	push_s32(e, task_loginuid(t));
	push_u32(e, 0); /* flags: PPM_EXE_WRITABLE is not computed */
}

/*
 * execve and execveat exits. On success the task already runs the new
 * image, and exe, args and env come from its memory, as 0.29.3 reads them.
 * On failure they come from the argv and envp the caller passed.
 */
static __always_inline int execve_exit(u64 *ctx, u16 code, int argv_idx)
{
	BEGIN(code, 20);
	struct task_struct *t = current_task();
	long ret = RET;
	const char *const *argv = (void *)ARG(argv_idx);
	const char *const *envp = (void *)ARG(argv_idx + 1);

	push_s64(&e, ret);
	if (ret == 0) {
		push_exe_args(&e, READ_KERN(t->mm));
	} else {
		const char *a0 = NULL;
		if (argv)
			bpf_probe_read_user(&a0, sizeof(a0), argv);
		push_user_str(&e, a0);
		push_len(&e, user_strv(&e, argv, 1));
	}
	push_execve_rest(&e, t, envp, ret != 0);
	END();
}

PROG_EXIT(execve)
{
	return execve_exit(ctx, PPME_SYSCALL_EXECVE_19_X, 1);
}

PROG_EXIT(execveat)
{
	return execve_exit(ctx, PPME_SYSCALL_EXECVEAT_X, 2);
}

/* ---- clone ---- */

static __always_inline u32 child_in_pidns(struct task_struct *t)
{
	struct pid *pid = READ_KERN(t->thread_pid);
	struct nsproxy *nsp;
	struct pid_namespace *ns = NULL;

	if (!pid)
		return 0;
	if (READ_KERN(pid->level) != 0)
		return PPM_CL_CHILD_IN_PIDNS;
	bpf_probe_read_kernel(&ns, sizeof(ns), &pid->numbers[0].ns);
	nsp = READ_KERN(t->nsproxy);
	if (nsp && READ_KERN(nsp->pid_ns_for_children) != ns)
		return PPM_CL_CHILD_IN_PIDNS;
	return 0;
}

/*
 * push_clone pushes the 20 parameters of a clone, fork, vfork or clone3
 * exit for task t: the parent (res = child tid) or the child (res = 0).
 */
static __always_inline void push_clone(struct ev *e, struct task_struct *t, long ret, unsigned long raw_flags)
{
	const struct cred *cred = READ_KERN(t->cred);

	push_s64(e, ret);
	push_exe_args(e, READ_KERN(t->mm));
	push_proc_common(e, t);
	push_cgroups(e, t);
	push_u32(e, clone_flags_to_scap(raw_flags) | child_in_pidns(t));
	push_u32(e, cred ? READ_KERN(cred->euid.val) : 0);
	push_u32(e, cred ? READ_KERN(cred->egid.val) : 0);
	push_s64(e, task_vtid(t));
	push_s64(e, task_vpid_type(t, PIDTYPE_TGID));
}

/* The child returns from the syscall too (through the same sys_exit
 * tracepoint on x86_64), so each clone gives two exits: the parent's and
 * the child's, as sysdig expects. */
PROG_EXIT(clone)
{
	long nr = NR;
	unsigned long flags = 0;
	u16 code = PPME_SYSCALL_CLONE_20_X;

	if (nr == __NR_clone) {
		flags = ARG(0);
	} else if (nr == __NR_clone3) {
		struct clone_args ca = {};
		bpf_probe_read_user(&ca, sizeof(ca), (void *)ARG(0));
		flags = ca.flags;
		code = PPME_SYSCALL_CLONE3_X;
	} else if (nr == __NR_fork) {
		code = PPME_SYSCALL_FORK_20_X;
	} else {
		code = PPME_SYSCALL_VFORK_20_X;
	}
	BEGIN(code, 20);
	push_clone(&e, current_task(), RET, flags);
	END();
}

/* ---- signals ---- */

PROG_ENTER(kill)
{
	long nr = NR;

	if (nr == __NR_tgkill) {
		BEGIN(PPME_SYSCALL_TGKILL_E, 3);
		push_s64(&e, (s32)ARG(0));
		push_s64(&e, (s32)ARG(1));
		push_u8(&e, ARG(2));
		END();
	}
	BEGIN(nr == __NR_tkill ? PPME_SYSCALL_TKILL_E : PPME_SYSCALL_KILL_E, 2);
	push_s64(&e, (s32)ARG(0));
	push_u8(&e, ARG(1));
	END();
}

/* ---- users and groups ---- */

/* setuid, setgid: one id; setresuid, setresgid: three. */
PROG_ENTER(setid)
{
	long nr = NR;

	if (nr == __NR_setresuid || nr == __NR_setresgid) {
		BEGIN(nr == __NR_setresuid ? PPME_SYSCALL_SETRESUID_E : PPME_SYSCALL_SETRESGID_E, 3);
		push_u32(&e, ARG(0));
		push_u32(&e, ARG(1));
		push_u32(&e, ARG(2));
		END();
	}
	BEGIN(nr == __NR_setuid ? PPME_SYSCALL_SETUID_E : PPME_SYSCALL_SETGID_E, 1);
	push_u32(&e, ARG(0));
	END();
}

/* getuid, geteuid, getgid, getegid: the exit's one parameter is the id. */
PROG_EXIT(getid)
{
	long nr = NR;
	u16 code = PPME_SYSCALL_GETUID_X;

	if (nr == __NR_geteuid)
		code = PPME_SYSCALL_GETEUID_X;
	else if (nr == __NR_getgid)
		code = PPME_SYSCALL_GETGID_X;
	else if (nr == __NR_getegid)
		code = PPME_SYSCALL_GETEGID_X;
	BEGIN(code, 1);
	push_u32(&e, RET);
	END();
}

/* getresuid, getresgid: the ids are written to three user pointers. */
PROG_EXIT(getresid)
{
	long nr = NR;
	BEGIN(nr == __NR_getresuid ? PPME_SYSCALL_GETRESUID_X : PPME_SYSCALL_GETRESGID_X, 4);
	long ret = RET;
	u32 a = -1, b = -1, c = -1;

	if (ret == 0) {
		bpf_probe_read_user(&a, 4, (void *)ARG(0));
		bpf_probe_read_user(&b, 4, (void *)ARG(1));
		bpf_probe_read_user(&c, 4, (void *)ARG(2));
	}
	push_s64(&e, ret);
	push_u32(&e, a);
	push_u32(&e, b);
	push_u32(&e, c);
	END();
}

PROG_ENTER(setpgid)
{
	BEGIN(PPME_SYSCALL_SETPGID_E, 2);
	push_s64(&e, (s32)ARG(0));
	push_s64(&e, (s32)ARG(1));
	END();
}

/* ---- resource limits ---- */

PROG_ENTER(rlimit)
{
	long nr = NR;

	if (nr == __NR_prlimit64) {
		BEGIN(PPME_SYSCALL_PRLIMIT_E, 2);
		push_s64(&e, (s32)ARG(0));
		push_u8(&e, rlimit_resource_to_scap(ARG(1)));
		END();
	}
	BEGIN(nr == __NR_getrlimit ? PPME_SYSCALL_GETRLIMIT_E : PPME_SYSCALL_SETRLIMIT_E, 1);
	push_u8(&e, rlimit_resource_to_scap(ARG(0)));
	END();
}

static __always_inline void push_rlimit(struct ev *e, const void *p, bool ok)
{
	struct rlimit r = {-1, -1};

	if (ok && p)
		bpf_probe_read_user(&r, sizeof(r), p);
	push_s64(e, r.rlim_cur);
	push_s64(e, r.rlim_max);
}

PROG_EXIT(rlimit)
{
	long nr = NR;
	long ret = RET;

	if (nr == __NR_prlimit64) {
		BEGIN(PPME_SYSCALL_PRLIMIT_X, 5);
		push_s64(&e, ret);
		push_rlimit(&e, (void *)ARG(2), true);
		push_rlimit(&e, (void *)ARG(3), ret == 0);
		END();
	}
	BEGIN(nr == __NR_getrlimit ? PPME_SYSCALL_GETRLIMIT_X : PPME_SYSCALL_SETRLIMIT_X, 3);
	push_s64(&e, ret);
	push_rlimit(&e, (void *)ARG(1), ret == 0 || nr == __NR_setrlimit);
	END();
}

/* ---- memory ---- */

PROG_ENTER(mmap)
{
	BEGIN(PPME_SYSCALL_MMAP_E, 6);
	push_u64(&e, ARG(0));
	push_u64(&e, ARG(1));
	push_u32(&e, prot_flags_to_scap(ARG(2)));
	push_u32(&e, mmap_flags_to_scap(ARG(3)));
	push_fd(&e, ARG(4));
	push_u64(&e, ARG(5));
	END();
}

/* mmap, munmap and brk exits: the result and the process's memory. */
PROG_EXIT(mem)
{
	long nr = NR;
	u16 code = PPME_SYSCALL_MMAP_X;

	if (nr == __NR_munmap)
		code = PPME_SYSCALL_MUNMAP_X;
	else if (nr == __NR_brk)
		code = PPME_SYSCALL_BRK_4_X;
	BEGIN(code, 4);
	push_s64(&e, RET);
	push_vm_sizes(&e, READ_KERN(current_task()->mm));
	END();
}

PROG_ENTER(munmap)
{
	BEGIN(PPME_SYSCALL_MUNMAP_E, 2);
	push_u64(&e, ARG(0));
	push_u64(&e, ARG(1));
	END();
}

PROG_ENTER(brk)
{
	BEGIN(PPME_SYSCALL_BRK_4_E, 1);
	push_u64(&e, ARG(0));
	END();
}

PROG_ENTER(mprotect)
{
	BEGIN(PPME_SYSCALL_MPROTECT_E, 3);
	push_u64(&e, ARG(0));
	push_u64(&e, ARG(1));
	push_u32(&e, prot_flags_to_scap(ARG(2)));
	END();
}

/* ---- waiting and time ---- */

PROG_ENTER(futex)
{
	BEGIN(PPME_SYSCALL_FUTEX_E, 3);
	push_u64(&e, ARG(0));
	push_u16(&e, futex_op_to_scap(ARG(1)));
	push_u64(&e, ARG(2));
	END();
}

/* A user struct timespec as nanoseconds (PT_RELTIME); NULL is "none". */
static __always_inline u64 user_timespec_ns(const void *p)
{
	struct timespec64_user ts = {};

	if (!p)
		return (u64)-1;
	if (bpf_probe_read_user(&ts, sizeof(ts), p))
		return 0;
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

PROG_ENTER(nanosleep)
{
	BEGIN(PPME_SYSCALL_NANOSLEEP_E, 1);
	push_u64(&e, user_timespec_ns((void *)ARG(0)));
	END();
}

#define MAX_POLLFDS 16

/* push_fdlist pushes a PT_FDLIST: u16 count, then per fd an s64 fd and
 * the u16 PPM poll flags, events at enter and revents at exit. */
static __always_inline void push_fdlist(struct ev *e, const struct pollfd *fds, unsigned long nfds, bool revents)
{
	u64 start = e->sc->pos;
	u16 n = 0;

	e->sc->pos += 2;
	for (int i = 0; i < MAX_POLLFDS; i++) {
		struct pollfd p = {};
		if (i >= nfds || !fds)
			break;
		if (bpf_probe_read_user(&p, sizeof(p), &fds[i]))
			break;
		PUT(e, s64, p.fd);
		PUT(e, u16, poll_events_to_scap(revents ? p.revents : p.events));
		n++;
	}
	*(u16 *)&e->buf[start & SCRATCH_MASK] = n;
	push_len(e, 2 + 10 * n);
}

PROG_ENTER(poll)
{
	long nr = NR;

	if (nr == __NR_ppoll) {
		BEGIN(PPME_SYSCALL_PPOLL_E, 3);
		u32 mask = 0;
		push_fdlist(&e, (void *)ARG(0), ARG(1), false);
		push_u64(&e, user_timespec_ns((void *)ARG(2)));
		if (ARG(3))
			bpf_probe_read_user(&mask, sizeof(mask), (void *)ARG(3));
		push_u32(&e, mask);
		END();
	}
	BEGIN(PPME_SYSCALL_POLL_E, 2);
	push_fdlist(&e, (void *)ARG(0), ARG(1), false);
	push_s64(&e, (s32)ARG(2));
	END();
}

PROG_EXIT(poll)
{
	long nr = NR;
	BEGIN(nr == __NR_ppoll ? PPME_SYSCALL_PPOLL_X : PPME_SYSCALL_POLL_X, 2);
	push_s64(&e, RET);
	push_fdlist(&e, (void *)ARG(0), ARG(1), true);
	END();
}

PROG_ENTER(epoll_wait)
{
	BEGIN(PPME_SYSCALL_EPOLLWAIT_E, 1);
	push_s64(&e, (s32)ARG(2));
	END();
}

/* ---- descriptors of other kinds, namespaces ---- */

PROG_ENTER(eventfd)
{
	long nr = NR;
	BEGIN(PPME_SYSCALL_EVENTFD_E, 2);
	push_u64(&e, ARG(0));
	push_u32(&e, nr == __NR_eventfd2 ? ARG(1) : 0);
	END();
}

PROG_ENTER(flock)
{
	BEGIN(PPME_SYSCALL_FLOCK_E, 2);
	push_fd(&e, ARG(0));
	push_u32(&e, flock_flags_to_scap(ARG(1)));
	END();
}

PROG_ENTER(setns)
{
	BEGIN(PPME_SYSCALL_SETNS_E, 2);
	push_fd(&e, ARG(0));
	push_u32(&e, clone_flags_to_scap(ARG(1)));
	END();
}

PROG_ENTER(unshare)
{
	BEGIN(PPME_SYSCALL_UNSHARE_E, 1);
	push_u32(&e, clone_flags_to_scap(ARG(0)));
	END();
}

#endif /* SYSCOPE_SYS_PROC_H */
