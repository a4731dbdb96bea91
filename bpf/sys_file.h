/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* sys_file.h: fillers of file and I/O syscalls. */
#ifndef SYSCOPE_SYS_FILE_H
#define SYSCOPE_SYS_FILE_H

#include "progs.h"

/* ---- open family ---- */

PROG_ENTER(open)
{
	BEGIN(PPME_SYSCALL_OPEN_E, 3);
	unsigned long flags = ARG(1);
	push_user_str(&e, (void *)ARG(0));
	push_u32(&e, open_flags_to_scap(flags));
	push_u32(&e, open_mode_to_scap(flags, ARG(2)));
	END();
}

PROG_EXIT(open)
{
	BEGIN(PPME_SYSCALL_OPEN_X, 5);
	long ret = RET;
	unsigned long flags = ARG(1);
	push_s64(&e, ret);
	push_user_str(&e, (void *)ARG(0));
	push_u32(&e, open_flags_to_scap(flags));
	push_u32(&e, open_mode_to_scap(flags, ARG(2)));
	push_u32(&e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
	END();
}

PROG_ENTER(openat)
{
	BEGIN(PPME_SYSCALL_OPENAT_2_E, 4);
	unsigned long flags = ARG(2);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, open_flags_to_scap(flags));
	push_u32(&e, open_mode_to_scap(flags, ARG(3)));
	END();
}

PROG_EXIT(openat)
{
	BEGIN(PPME_SYSCALL_OPENAT_2_X, 6);
	long ret = RET;
	unsigned long flags = ARG(2);
	push_s64(&e, ret);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, open_flags_to_scap(flags));
	push_u32(&e, open_mode_to_scap(flags, ARG(3)));
	push_u32(&e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
	END();
}

/* openat2 passes flags, mode and resolve in a struct open_how. */
static __always_inline void push_open_how(struct ev *e, struct pt_regs *regs)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)sc_arg(regs, 2));
	push_u32(e, open_flags_to_scap(how.flags));
	push_u32(e, open_mode_to_scap(how.flags, how.mode));
	push_u32(e, openat2_resolve_to_scap(how.resolve));
}

PROG_ENTER(openat2)
{
	BEGIN(PPME_SYSCALL_OPENAT2_E, 5);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_open_how(&e, REGS);
	END();
}

PROG_EXIT(openat2)
{
	BEGIN(PPME_SYSCALL_OPENAT2_X, 6);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_open_how(&e, REGS);
	END();
}

PROG_ENTER(creat)
{
	BEGIN(PPME_SYSCALL_CREAT_E, 2);
	push_user_str(&e, (void *)ARG(0));
	push_u32(&e, ARG(1) & 07777);
	END();
}

PROG_EXIT(creat)
{
	BEGIN(PPME_SYSCALL_CREAT_X, 4);
	long ret = RET;
	push_s64(&e, ret);
	push_user_str(&e, (void *)ARG(0));
	push_u32(&e, ARG(1) & 07777);
	push_u32(&e, ret >= 0 ? file_dev(fd_file(ret)) : 0);
	END();
}

/* ---- read and write ---- */

/* read, write: enter (fd, size); pread64, pwrite64 add pos. */
PROG_ENTER(rw)
{
	long nr = NR;
	u16 code = PPME_SYSCALL_READ_E;
	u32 n = 2;

	if (nr == __NR_write)
		code = PPME_SYSCALL_WRITE_E;
	else if (nr == __NR_pread64)
		code = PPME_SYSCALL_PREAD_E, n = 3;
	else if (nr == __NR_pwrite64)
		code = PPME_SYSCALL_PWRITE_E, n = 3;
	u8 *p;

	if (n == 2) {
		p = fx_begin(code, 2, EVENT_HEADER_LEN + 2 * 2 + 8 + 4);
		if (!p)
			return 0;
		FX_LEN(p, 0, 8);
		FX_LEN(p, 1, 4);
		FX_PUT(p, 2, 0, s64, (s32)ARG(0));
		FX_PUT(p, 2, 8, u32, ARG(2));
	} else {
		p = fx_begin(code, 3, EVENT_HEADER_LEN + 2 * 3 + 8 + 4 + 8);
		if (!p)
			return 0;
		FX_LEN(p, 0, 8);
		FX_LEN(p, 1, 4);
		FX_LEN(p, 2, 8);
		FX_PUT(p, 3, 0, s64, (s32)ARG(0));
		FX_PUT(p, 3, 8, u32, ARG(2));
		FX_PUT(p, 3, 12, u64, ARG(3));
	}
	fx_submit(p);
	return 0;
}

/* The exit carries the data: what was read (res bytes) or written. */
PROG_EXIT(rw)
{
	long nr = NR;
	u16 code = PPME_SYSCALL_READ_X;

	if (nr == __NR_write)
		code = PPME_SYSCALL_WRITE_X;
	else if (nr == __NR_pread64)
		code = PPME_SYSCALL_PREAD_X;
	else if (nr == __NR_pwrite64)
		code = PPME_SYSCALL_PWRITE_X;
	BEGIN(code, 2);
	long ret = RET;
	push_s64(&e, ret);
	push_user_data(&e, (void *)ARG(1), ret);
	END();
}

#define MAX_IOVS 16

/* iov_total is the sum of the iov_len of an iovec array (the first
 * MAX_IOVS entries). */
static __always_inline u64 iov_total(const struct iovec *iov, unsigned long cnt)
{
	u64 total = 0;

	for (int i = 0; i < MAX_IOVS; i++) {
		struct iovec v = {};
		if (i >= cnt)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		total += v.iov_len;
	}
	return total;
}

/* push_iov_data gathers up to min(len, snaplen) bytes from an iovec array
 * as one PT_BYTEBUF. */
static __always_inline void push_iov_data(struct ev *e, const struct iovec *iov, unsigned long cnt, s64 len)
{
	u64 want, got = 0;

	if (len <= 0 || !iov) {
		push_empty(e);
		return;
	}
	want = len > snaplen ? snaplen : len;
	for (int i = 0; i < MAX_IOVS; i++) {
		struct iovec v = {};
		u64 n;
		if (i >= cnt || got >= want)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		n = v.iov_len;
		if (n > want - got)
			n = want - got;
		n = user_bytes(e, v.iov_base, n);
		got += n;
		if (n < v.iov_len && got < want)
			break; /* a fault: keep what we have */
	}
	push_len(e, got);
}

/* readv and preadv: enter (fd[, pos]), exit (res, size, data). */
PROG_ENTER(readv)
{
	long nr = NR;
	bool p = nr == __NR_preadv;

	BEGIN(p ? PPME_SYSCALL_PREADV_E : PPME_SYSCALL_READV_E, p ? 2 : 1);
	push_fd(&e, ARG(0));
	if (p)
		push_u64(&e, ARG(3));
	END();
}

PROG_EXIT(readv)
{
	long nr = NR;
	BEGIN(nr == __NR_preadv ? PPME_SYSCALL_PREADV_X : PPME_SYSCALL_READV_X, 3);
	long ret = RET;
	const struct iovec *iov = (void *)ARG(1);
	unsigned long cnt = ARG(2);
	push_s64(&e, ret);
	push_u32(&e, iov_total(iov, cnt));
	push_iov_data(&e, iov, cnt, ret);
	END();
}

/* writev and pwritev: enter (fd, size[, pos]), exit (res, data). */
PROG_ENTER(writev)
{
	long nr = NR;
	bool p = nr == __NR_pwritev;

	BEGIN(p ? PPME_SYSCALL_PWRITEV_E : PPME_SYSCALL_WRITEV_E, p ? 3 : 2);
	push_fd(&e, ARG(0));
	push_u32(&e, iov_total((void *)ARG(1), ARG(2)));
	if (p)
		push_u64(&e, ARG(3));
	END();
}

PROG_EXIT(writev)
{
	long nr = NR;
	BEGIN(nr == __NR_pwritev ? PPME_SYSCALL_PWRITEV_X : PPME_SYSCALL_WRITEV_X, 2);
	long ret = RET;
	push_s64(&e, ret);
	push_iov_data(&e, (void *)ARG(1), ARG(2), ret);
	END();
}

PROG_ENTER(lseek)
{
	BEGIN(PPME_SYSCALL_LSEEK_E, 3);
	push_fd(&e, ARG(0));
	push_u64(&e, ARG(1));
	push_u8(&e, small_enum_to_scap(ARG(2), 2));
	END();
}

PROG_ENTER(ioctl)
{
	BEGIN(PPME_SYSCALL_IOCTL_3_E, 3);
	push_fd(&e, ARG(0));
	push_u64(&e, ARG(1));
	push_u64(&e, ARG(2));
	END();
}

PROG_ENTER(fcntl)
{
	BEGIN(PPME_SYSCALL_FCNTL_E, 2);
	push_fd(&e, ARG(0));
	push_u8(&e, fcntl_cmd_to_scap(ARG(1)));
	END();
}

/* ---- paths ---- */

/* stat, lstat, unlink, rmdir, chdir, chroot, mkdir: exit (res, path). */
PROG_EXIT(path)
{
	long nr = NR;
	u16 code;

	switch (nr) {
	case __NR_stat:
		code = PPME_SYSCALL_STAT_X;
		break;
	case __NR_lstat:
		code = PPME_SYSCALL_LSTAT_X;
		break;
	case __NR_unlink:
		code = PPME_SYSCALL_UNLINK_2_X;
		break;
	case __NR_rmdir:
		code = PPME_SYSCALL_RMDIR_2_X;
		break;
	case __NR_chdir:
		code = PPME_SYSCALL_CHDIR_X;
		break;
	case __NR_chroot:
		code = PPME_SYSCALL_CHROOT_X;
		break;
	case __NR_mkdir:
		code = PPME_SYSCALL_MKDIR_2_X;
		break;
	default:
		return 0;
	}
	BEGIN(code, 2);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	END();
}

PROG_ENTER(mkdir)
{
	BEGIN(PPME_SYSCALL_MKDIR_2_E, 1);
	push_u32(&e, ARG(1));
	END();
}

PROG_EXIT(mkdirat)
{
	BEGIN(PPME_SYSCALL_MKDIRAT_X, 4);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, ARG(2));
	END();
}

PROG_EXIT(unlinkat)
{
	BEGIN(PPME_SYSCALL_UNLINKAT_2_X, 4);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, ARG(2) & 0x200); /* AT_REMOVEDIR = PPM_AT_REMOVEDIR */
	END();
}

PROG_EXIT(rename)
{
	BEGIN(PPME_SYSCALL_RENAME_X, 3);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	push_user_str(&e, (void *)ARG(1));
	END();
}

/* renameat and renameat2 (which adds flags; RENAME_* = PPM_RENAME_*). */
PROG_EXIT(renameat)
{
	long nr = NR;
	bool two = nr == __NR_renameat2;

	BEGIN(two ? PPME_SYSCALL_RENAMEAT2_X : PPME_SYSCALL_RENAMEAT_X, two ? 6 : 5);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_fd(&e, ARG(2));
	push_user_str(&e, (void *)ARG(3));
	if (two)
		push_u32(&e, ARG(4) & 7);
	END();
}

PROG_EXIT(link)
{
	BEGIN(PPME_SYSCALL_LINK_2_X, 3);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	push_user_str(&e, (void *)ARG(1));
	END();
}

PROG_EXIT(linkat)
{
	BEGIN(PPME_SYSCALL_LINKAT_2_X, 6);
	unsigned long flags = ARG(4);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_fd(&e, ARG(2));
	push_user_str(&e, (void *)ARG(3));
	/* AT_SYMLINK_FOLLOW 0x400 and AT_EMPTY_PATH 0x1000 keep their values. */
	push_u32(&e, flags & (0x400 | 0x1000));
	END();
}

PROG_EXIT(chmod)
{
	BEGIN(PPME_SYSCALL_CHMOD_X, 3);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	push_u32(&e, chmod_mode_to_scap(ARG(1)));
	END();
}

PROG_EXIT(fchmod)
{
	BEGIN(PPME_SYSCALL_FCHMOD_X, 3);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_u32(&e, chmod_mode_to_scap(ARG(1)));
	END();
}

PROG_EXIT(fchmodat)
{
	BEGIN(PPME_SYSCALL_FCHMODAT_X, 4);
	push_s64(&e, RET);
	push_fd(&e, ARG(0));
	push_user_str(&e, (void *)ARG(1));
	push_u32(&e, chmod_mode_to_scap(ARG(2)));
	END();
}

PROG_ENTER(access)
{
	BEGIN(PPME_SYSCALL_ACCESS_E, 1);
	push_u32(&e, access_flags_to_scap(ARG(1)));
	END();
}

PROG_EXIT(access)
{
	BEGIN(PPME_SYSCALL_ACCESS_X, 2);
	push_s64(&e, RET);
	push_user_str(&e, (void *)ARG(0));
	END();
}

/* getcwd: the path is in the caller's buffer, res bytes long. */
PROG_EXIT(getcwd)
{
	BEGIN(PPME_SYSCALL_GETCWD_X, 2);
	long ret = RET;
	push_s64(&e, ret);
	if (ret > 0)
		push_user_str(&e, (void *)ARG(0));
	else
		push_empty(&e);
	END();
}

/* pipe and pipe2: the two fds are written to the caller's int[2]. */
PROG_EXIT(pipe)
{
	BEGIN(PPME_SYSCALL_PIPE_X, 4);
	long ret = RET;
	int fds[2] = {-1, -1};
	if (ret == 0)
		bpf_probe_read_user(fds, sizeof(fds), (void *)ARG(0));
	push_s64(&e, ret);
	push_s64(&e, fds[0]);
	push_s64(&e, fds[1]);
	push_u64(&e, ret == 0 ? file_ino(fd_file(fds[0])) : 0);
	END();
}

#endif /* SYSCOPE_SYS_FILE_H */
