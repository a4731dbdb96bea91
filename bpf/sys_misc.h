/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* sys_misc.h: fillers of the less common syscalls sysdig 0.29.3 decodes. */
#ifndef SYSCOPE_SYS_MISC_H
#define SYSCOPE_SYS_MISC_H

#include "progs.h"

/* Events without parameters in either direction. */
static __always_inline int empty_code(long nr, bool exit)
{
	switch (nr) {
	case __NR_getsockname: return PPME_SOCKET_GETSOCKNAME_E + exit;
	case __NR_getpeername: return PPME_SOCKET_GETPEERNAME_E + exit;
	case __NR_sendmmsg: return PPME_SOCKET_SENDMMSG_E + exit;
	case __NR_recvmmsg: return PPME_SOCKET_RECVMMSG_E + exit;
	}
	return -1;
}

PROG_ENTER(empty)
{
	int code = empty_code(NR, false);

	if (code < 0)
		return 0;
	BEGIN(code, 0);
	END();
}

PROG_EXIT(empty)
{
	int code = empty_code(NR, true);

	if (code < 0)
		return 0;
	BEGIN(code, 0);
	END();
}

/* signalfd and signalfd4: the fd (-1 for a new one) and the first word of
 * the mask; flags are 0, as 0.29.3 sends them (O_* values do not fit its
 * 8-bit parameter). */
PROG_ENTER(signalfd)
{
	BEGIN(PPME_SYSCALL_SIGNALFD_E, 3);
	u32 mask = 0;
	if (ARG(1))
		bpf_probe_read_user(&mask, sizeof(mask), (void *)ARG(1));
	push_fd(&e, ARG(0));
	push_u32(&e, mask);
	push_u8(&e, 0);
	END();
}

PROG_ENTER(timerfd_create)
{
	BEGIN(PPME_SYSCALL_TIMERFD_CREATE_E, 2);
	push_u8(&e, ARG(0));
	push_u8(&e, 0); /* TFD_* flags do not fit 8 bits either */
	END();
}

PROG_ENTER(inotify_init)
{
	BEGIN(PPME_SYSCALL_INOTIFY_INIT_E, 1);
	push_u8(&e, 0);
	END();
}

/* The res-only exits of this file. */
static __always_inline int misc_res_code(long nr)
{
	switch (nr) {
	case __NR_signalfd:
	case __NR_signalfd4: return PPME_SYSCALL_SIGNALFD_X;
	case __NR_timerfd_create: return PPME_SYSCALL_TIMERFD_CREATE_X;
	case __NR_inotify_init:
	case __NR_inotify_init1: return PPME_SYSCALL_INOTIFY_INIT_X;
	case __NR_splice: return PPME_SYSCALL_SPLICE_X;
	case __NR_seccomp: return PPME_SYSCALL_SECCOMP_X;
	}
	return -1;
}

PROG_EXIT(misc_res)
{
	int code = misc_res_code(NR);

	if (code < 0)
		return 0;
	BEGIN(code, 1);
	push_s64(&e, RET);
	END();
}

PROG_ENTER(splice)
{
	BEGIN(PPME_SYSCALL_SPLICE_E, 4);
	push_fd(&e, ARG(0));
	push_fd(&e, ARG(2));
	push_u64(&e, ARG(4));
	push_u32(&e, ARG(5) & 0xf); /* SPLICE_F_* = PPM_SPLICE_F_* */
	END();
}

PROG_ENTER(seccomp)
{
	BEGIN(PPME_SYSCALL_SECCOMP_E, 1);
	push_u64(&e, ARG(0));
	END();
}

PROG_EXIT(symlink)
{
	long nr = NR;

	if (nr == __NR_symlinkat) {
		BEGIN(PPME_SYSCALL_SYMLINKAT_X, 4);
		push_s64(&e, RET);
		push_user_str(&e, (void *)ARG(0));
		push_fd(&e, ARG(1));
		push_user_str(&e, (void *)ARG(2));
		END();
	}
	BEGIN(PPME_SYSCALL_SYMLINK_X, 3);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	push_user_str(&e, (void *)ARG(1));
	END();
}

/* A u64 the caller points to (an offset), 0 if none. */
static __always_inline u64 user_u64(unsigned long p)
{
	u64 v = 0;

	if (p)
		bpf_probe_read_user(&v, sizeof(v), (void *)p);
	return v;
}

PROG_ENTER(sendfile)
{
	BEGIN(PPME_SYSCALL_SENDFILE_E, 4);
	push_fd(&e, ARG(0));
	push_fd(&e, ARG(1));
	push_u64(&e, user_u64(ARG(2)));
	push_u64(&e, ARG(3));
	END();
}

PROG_EXIT(sendfile)
{
	BEGIN(PPME_SYSCALL_SENDFILE_X, 2);
	push_s64(&e, RET);
	push_u64(&e, user_u64(ARG(2)));
	END();
}

PROG_ENTER(copy_file_range)
{
	BEGIN(PPME_SYSCALL_COPY_FILE_RANGE_E, 3);
	push_fd(&e, ARG(0));
	push_u64(&e, user_u64(ARG(1)));
	push_u64(&e, ARG(4));
	END();
}

PROG_EXIT(copy_file_range)
{
	BEGIN(PPME_SYSCALL_COPY_FILE_RANGE_X, 3);
	push_s64(&e, RET);
	push_fd(&e, ARG(2));
	push_u64(&e, user_u64(ARG(3)));
	END();
}

PROG_ENTER(umount)
{
	BEGIN(PPME_SYSCALL_UMOUNT_E, 1);
	push_u32(&e, ARG(1) & 0xf); /* MNT_FORCE, DETACH, EXPIRE, UMOUNT_NOFOLLOW */
	END();
}

PROG_EXIT(umount)
{
	BEGIN(PPME_SYSCALL_UMOUNT_X, 2);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	END();
}

PROG_EXIT(userfaultfd)
{
	BEGIN(PPME_SYSCALL_USERFAULTFD_X, 2);
	push_s64(&e, RET);
	push_u32(&e, open_flags_to_scap(ARG(0)));
	END();
}

#endif /* SYSCOPE_SYS_MISC_H */
