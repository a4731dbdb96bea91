/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * ppm.h: the event codes the probe emits and the conversions from kernel
 * values to the encodings a scap file stores (the PPM_* flag sets).
 *
 * Every code here is below 336 and its parameter list is that of sysdig
 * 0.29.3 (falcosecurity/libs e5c53d64, driver/event_table.c), so that sysdig
 * 0.29.3 reads what syscope writes. The parameter count of each code is
 * passed to ev_begin() next to the code at each emitting site; the Go tests
 * check every event received against 0.29.3's counts.
 *
 * Flag values are facts from e5c53d64's ppm_events_public.h and
 * ppm_flag_helpers.h; the conversion code is ours.
 */
#ifndef SYSCOPE_PPM_H
#define SYSCOPE_PPM_H

#include "helpers.h"

/* Event codes (enum ppm_event_type). */
#define PPME_GENERIC_E 0
#define PPME_GENERIC_X 1
#define PPME_SYSCALL_OPEN_E 2
#define PPME_SYSCALL_OPEN_X 3
#define PPME_SYSCALL_CLOSE_E 4
#define PPME_SYSCALL_CLOSE_X 5
#define PPME_SYSCALL_READ_E 6
#define PPME_SYSCALL_READ_X 7
#define PPME_SYSCALL_WRITE_E 8
#define PPME_SYSCALL_WRITE_X 9
#define PPME_SOCKET_SOCKET_E 18
#define PPME_SOCKET_SOCKET_X 19
#define PPME_SOCKET_BIND_E 20
#define PPME_SOCKET_BIND_X 21
#define PPME_SOCKET_CONNECT_E 22
#define PPME_SOCKET_CONNECT_X 23
#define PPME_SOCKET_LISTEN_E 24
#define PPME_SOCKET_LISTEN_X 25
#define PPME_SOCKET_SENDTO_E 30
#define PPME_SOCKET_SENDTO_X 31
#define PPME_SOCKET_RECVFROM_E 34
#define PPME_SOCKET_RECVFROM_X 35
#define PPME_SOCKET_SHUTDOWN_E 36
#define PPME_SOCKET_SHUTDOWN_X 37
#define PPME_SOCKET_GETSOCKNAME_E 38
#define PPME_SOCKET_GETSOCKNAME_X 39
#define PPME_SOCKET_GETPEERNAME_E 40
#define PPME_SOCKET_GETPEERNAME_X 41
#define PPME_SOCKET_SOCKETPAIR_E 42
#define PPME_SOCKET_SOCKETPAIR_X 43
#define PPME_SOCKET_SETSOCKOPT_E 44
#define PPME_SOCKET_SETSOCKOPT_X 45
#define PPME_SOCKET_GETSOCKOPT_E 46
#define PPME_SOCKET_GETSOCKOPT_X 47
#define PPME_SOCKET_SENDMMSG_E 50
#define PPME_SOCKET_SENDMMSG_X 51
#define PPME_SOCKET_SENDMSG_E 48
#define PPME_SOCKET_SENDMSG_X 49
#define PPME_SOCKET_RECVMSG_E 52
#define PPME_SOCKET_RECVMSG_X 53
#define PPME_SOCKET_RECVMMSG_E 54
#define PPME_SOCKET_RECVMMSG_X 55
#define PPME_SYSCALL_CREAT_E 58
#define PPME_SYSCALL_CREAT_X 59
#define PPME_SYSCALL_PIPE_E 60
#define PPME_SYSCALL_PIPE_X 61
#define PPME_SYSCALL_EVENTFD_E 62
#define PPME_SYSCALL_EVENTFD_X 63
#define PPME_SYSCALL_FUTEX_E 64
#define PPME_SYSCALL_FUTEX_X 65
#define PPME_SYSCALL_STAT_E 66
#define PPME_SYSCALL_STAT_X 67
#define PPME_SYSCALL_LSTAT_E 68
#define PPME_SYSCALL_LSTAT_X 69
#define PPME_SYSCALL_FSTAT_E 70
#define PPME_SYSCALL_FSTAT_X 71
#define PPME_SYSCALL_EPOLLWAIT_E 78
#define PPME_SYSCALL_EPOLLWAIT_X 79
#define PPME_SYSCALL_POLL_E 80
#define PPME_SYSCALL_POLL_X 81
#define PPME_SYSCALL_SELECT_E 82
#define PPME_SYSCALL_SELECT_X 83
#define PPME_SYSCALL_LSEEK_E 86
#define PPME_SYSCALL_LSEEK_X 87
#define PPME_SYSCALL_GETCWD_E 92
#define PPME_SYSCALL_GETCWD_X 93
#define PPME_SYSCALL_CHDIR_E 94
#define PPME_SYSCALL_CHDIR_X 95
#define PPME_SYSCALL_FCHDIR_E 96
#define PPME_SYSCALL_FCHDIR_X 97
#define PPME_SYSCALL_PREAD_E 112
#define PPME_SYSCALL_PREAD_X 113
#define PPME_SYSCALL_PWRITE_E 114
#define PPME_SYSCALL_PWRITE_X 115
#define PPME_SYSCALL_READV_E 116
#define PPME_SYSCALL_READV_X 117
#define PPME_SYSCALL_WRITEV_E 118
#define PPME_SYSCALL_WRITEV_X 119
#define PPME_SYSCALL_PREADV_E 120
#define PPME_SYSCALL_PREADV_X 121
#define PPME_SYSCALL_PWRITEV_E 122
#define PPME_SYSCALL_PWRITEV_X 123
#define PPME_SYSCALL_SIGNALFD_E 126
#define PPME_SYSCALL_SIGNALFD_X 127
#define PPME_SYSCALL_DUP_E 124
#define PPME_SYSCALL_DUP_X 125
#define PPME_SYSCALL_KILL_E 128
#define PPME_SYSCALL_KILL_X 129
#define PPME_SYSCALL_TKILL_E 130
#define PPME_SYSCALL_TKILL_X 131
#define PPME_SYSCALL_TGKILL_E 132
#define PPME_SYSCALL_TGKILL_X 133
#define PPME_SYSCALL_NANOSLEEP_E 134
#define PPME_SYSCALL_NANOSLEEP_X 135
#define PPME_SYSCALL_TIMERFD_CREATE_E 136
#define PPME_SYSCALL_TIMERFD_CREATE_X 137
#define PPME_SYSCALL_INOTIFY_INIT_E 138
#define PPME_SYSCALL_INOTIFY_INIT_X 139
#define PPME_SYSCALL_GETRLIMIT_E 140
#define PPME_SYSCALL_GETRLIMIT_X 141
#define PPME_SYSCALL_SETRLIMIT_E 142
#define PPME_SYSCALL_SETRLIMIT_X 143
#define PPME_SYSCALL_PRLIMIT_E 144
#define PPME_SYSCALL_PRLIMIT_X 145
#define PPME_SYSCALL_FCNTL_E 150
#define PPME_SYSCALL_FCNTL_X 151
#define PPME_SCHEDSWITCH_6_E 152
#define PPME_SYSCALL_BRK_4_E 158
#define PPME_SYSCALL_BRK_4_X 159
#define PPME_SYSCALL_MMAP_E 160
#define PPME_SYSCALL_MMAP_X 161
#define PPME_SYSCALL_MUNMAP_E 164
#define PPME_SYSCALL_MUNMAP_X 165
#define PPME_SYSCALL_SPLICE_E 166
#define PPME_SYSCALL_SPLICE_X 167
#define PPME_SYSCALL_IOCTL_3_E 170
#define PPME_SYSCALL_IOCTL_3_X 171
#define PPME_SYSCALL_RENAME_E 174
#define PPME_SYSCALL_RENAME_X 175
#define PPME_SYSCALL_RENAMEAT_E 176
#define PPME_SYSCALL_RENAMEAT_X 177
#define PPME_SYSCALL_SYMLINK_E 178
#define PPME_SYSCALL_SYMLINK_X 179
#define PPME_SYSCALL_SYMLINKAT_E 180
#define PPME_SYSCALL_SYMLINKAT_X 181
#define PPME_PROCEXIT_1_E 186
#define PPME_SYSCALL_SENDFILE_E 188
#define PPME_SYSCALL_SENDFILE_X 189
#define PPME_SYSCALL_SETRESUID_E 192
#define PPME_SYSCALL_SETRESUID_X 193
#define PPME_SYSCALL_SETRESGID_E 194
#define PPME_SYSCALL_SETRESGID_X 195
#define PPME_SYSCALL_SETUID_E 198
#define PPME_SYSCALL_SETUID_X 199
#define PPME_SYSCALL_SETGID_E 200
#define PPME_SYSCALL_SETGID_X 201
#define PPME_SYSCALL_GETUID_E 202
#define PPME_SYSCALL_GETUID_X 203
#define PPME_SYSCALL_GETEUID_E 204
#define PPME_SYSCALL_GETEUID_X 205
#define PPME_SYSCALL_GETGID_E 206
#define PPME_SYSCALL_GETGID_X 207
#define PPME_SYSCALL_GETEGID_E 208
#define PPME_SYSCALL_GETEGID_X 209
#define PPME_SYSCALL_GETRESUID_E 210
#define PPME_SYSCALL_GETRESUID_X 211
#define PPME_SYSCALL_GETRESGID_E 212
#define PPME_SYSCALL_GETRESGID_X 213
#define PPME_SYSCALL_CLONE_20_E 222
#define PPME_SYSCALL_CLONE_20_X 223
#define PPME_SYSCALL_FORK_20_E 224
#define PPME_SYSCALL_FORK_20_X 225
#define PPME_SYSCALL_VFORK_20_E 226
#define PPME_SYSCALL_VFORK_20_X 227
#define PPME_SIGNALDELIVER_E 232
#define PPME_SYSCALL_GETDENTS_E 236
#define PPME_SYSCALL_GETDENTS_X 237
#define PPME_SYSCALL_GETDENTS64_E 238
#define PPME_SYSCALL_GETDENTS64_X 239
#define PPME_SYSCALL_SETNS_E 240
#define PPME_SYSCALL_SETNS_X 241
#define PPME_SYSCALL_FLOCK_E 242
#define PPME_SYSCALL_FLOCK_X 243
#define PPME_SOCKET_ACCEPT_5_E 246
#define PPME_SOCKET_ACCEPT_5_X 247
#define PPME_SOCKET_ACCEPT4_5_E 248
#define PPME_SOCKET_ACCEPT4_5_X 249
#define PPME_SYSCALL_PPOLL_E 254
#define PPME_SYSCALL_UMOUNT_E 258
#define PPME_SYSCALL_UMOUNT_X 259
#define PPME_SYSCALL_PPOLL_X 255
#define PPME_SYSCALL_ACCESS_E 264
#define PPME_SYSCALL_ACCESS_X 265
#define PPME_SYSCALL_CHROOT_E 266
#define PPME_SYSCALL_CHROOT_X 267
#define PPME_SYSCALL_SETSID_E 274
#define PPME_SYSCALL_SETSID_X 275
#define PPME_SYSCALL_MKDIR_2_E 276
#define PPME_SYSCALL_MKDIR_2_X 277
#define PPME_SYSCALL_RMDIR_2_E 278
#define PPME_SYSCALL_RMDIR_2_X 279
#define PPME_SYSCALL_UNSHARE_E 284
#define PPME_SYSCALL_UNSHARE_X 285
#define PPME_PAGE_FAULT_E 290
#define PPME_SYSCALL_EXECVE_19_E 292
#define PPME_SYSCALL_EXECVE_19_X 293
#define PPME_SYSCALL_SETPGID_E 294
#define PPME_SYSCALL_SECCOMP_E 298
#define PPME_SYSCALL_SECCOMP_X 299
#define PPME_SYSCALL_SETPGID_X 295
#define PPME_SYSCALL_UNLINK_2_E 300
#define PPME_SYSCALL_UNLINK_2_X 301
#define PPME_SYSCALL_UNLINKAT_2_E 302
#define PPME_SYSCALL_UNLINKAT_2_X 303
#define PPME_SYSCALL_MKDIRAT_E 304
#define PPME_SYSCALL_MKDIRAT_X 305
#define PPME_SYSCALL_OPENAT_2_E 306
#define PPME_SYSCALL_OPENAT_2_X 307
#define PPME_SYSCALL_LINK_2_E 308
#define PPME_SYSCALL_LINK_2_X 309
#define PPME_SYSCALL_LINKAT_2_E 310
#define PPME_SYSCALL_LINKAT_2_X 311
#define PPME_SYSCALL_FCHMODAT_E 312
#define PPME_SYSCALL_FCHMODAT_X 313
#define PPME_SYSCALL_CHMOD_E 314
#define PPME_SYSCALL_CHMOD_X 315
#define PPME_SYSCALL_FCHMOD_E 316
#define PPME_SYSCALL_FCHMOD_X 317
#define PPME_SYSCALL_RENAMEAT2_E 318
#define PPME_SYSCALL_RENAMEAT2_X 319
#define PPME_SYSCALL_USERFAULTFD_E 320
#define PPME_SYSCALL_USERFAULTFD_X 321
#define PPME_SYSCALL_OPENAT2_E 326
#define PPME_SYSCALL_OPENAT2_X 327
#define PPME_SYSCALL_MPROTECT_E 328
#define PPME_SYSCALL_MPROTECT_X 329
#define PPME_SYSCALL_EXECVEAT_E 330
#define PPME_SYSCALL_EXECVEAT_X 331
#define PPME_SYSCALL_COPY_FILE_RANGE_E 332
#define PPME_SYSCALL_COPY_FILE_RANGE_X 333
#define PPME_SYSCALL_CLONE3_E 334
#define PPME_SYSCALL_CLONE3_X 335

/* ---- Linux values (x86_64 UAPI) ---- */

#define O_ACCMODE 00000003
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_TMPFILE 020200000

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_UNTRACED 0x00800000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_IO 0x80000000

#define AT_FDCWD -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

#define EINPROGRESS 115

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGKILL 9
#define SIGTERM 15
#define SIGCHLD 17
#define SIGTSTP 20
#define SIGRTMIN 32
#define SIGRTMAX 64
#define SI_USER 0
#define SI_QUEUE -1

#define TS_COMPAT 0x0002     /* x86 thread_info.status: 32-bit syscall */
#define PF_KTHREAD 0x00200000 /* task_struct.flags: kernel thread */

#define PAGE_SHIFT 12

/* ---- PPM encodings ---- */

#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)

#define PPM_CL_CLONE_FILES (1 << 0)
#define PPM_CL_CLONE_FS (1 << 1)
#define PPM_CL_CLONE_IO (1 << 2)
#define PPM_CL_CLONE_NEWIPC (1 << 3)
#define PPM_CL_CLONE_NEWNET (1 << 4)
#define PPM_CL_CLONE_NEWNS (1 << 5)
#define PPM_CL_CLONE_NEWPID (1 << 6)
#define PPM_CL_CLONE_NEWUTS (1 << 7)
#define PPM_CL_CLONE_PARENT (1 << 8)
#define PPM_CL_CLONE_PARENT_SETTID (1 << 9)
#define PPM_CL_CLONE_PTRACE (1 << 10)
#define PPM_CL_CLONE_SIGHAND (1 << 11)
#define PPM_CL_CLONE_SYSVSEM (1 << 12)
#define PPM_CL_CLONE_THREAD (1 << 13)
#define PPM_CL_CLONE_UNTRACED (1 << 14)
#define PPM_CL_CLONE_VM (1 << 15)
#define PPM_CL_CLONE_NEWUSER (1 << 20)
#define PPM_CL_CLONE_CHILD_CLEARTID (1 << 23)
#define PPM_CL_CLONE_CHILD_SETTID (1 << 24)
#define PPM_CL_CLONE_SETTLS (1 << 25)
#define PPM_CL_CLONE_VFORK (1 << 27)
#define PPM_CL_CLONE_NEWCGROUP (1 << 28)
#define PPM_CL_CHILD_IN_PIDNS (1 << 29)

#define PPM_PF_PROTECTION_VIOLATION (1 << 0)
#define PPM_PF_PAGE_NOT_PRESENT (1 << 1)
#define PPM_PF_WRITE_ACCESS (1 << 2)
#define PPM_PF_READ_ACCESS (1 << 3)
#define PPM_PF_USER_FAULT (1 << 4)
#define PPM_PF_SUPERVISOR_FAULT (1 << 5)
#define PPM_PF_RESERVED_PAGE (1 << 6)
#define PPM_PF_INSTRUCTION_FETCH (1 << 7)

#define PPM_EXE_WRITABLE (1 << 0)

#define PPM_EXVAT_AT_EMPTY_PATH (1 << 0)
#define PPM_EXVAT_AT_SYMLINK_NOFOLLOW (1 << 1)

#define PPM_RESOLVE_BENEATH (1 << 0)
#define PPM_RESOLVE_IN_ROOT (1 << 1)
#define PPM_RESOLVE_NO_MAGICLINKS (1 << 2)
#define PPM_RESOLVE_NO_SYMLINKS (1 << 3)
#define PPM_RESOLVE_NO_XDEV (1 << 4)
#define PPM_RESOLVE_CACHED (1 << 5)

#define PPM_AT_FDCWD -100

static __always_inline u32 open_flags_to_scap(unsigned long flags)
{
	u32 res = 0;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		res |= PPM_O_WRONLY;
		break;
	case O_RDWR:
		res |= PPM_O_RDWR;
		break;
	default:
		res |= PPM_O_RDONLY;
		break;
	}
	if (flags & O_CREAT)
		res |= PPM_O_CREAT;
	/* O_TMPFILE and O_SYNC are multi-bit: test all their bits, or every
	 * O_DIRECTORY open would read as O_TMPFILE and every O_DSYNC one as
	 * O_SYNC. */
	if ((flags & O_TMPFILE) == O_TMPFILE)
		res |= PPM_O_TMPFILE;
	if (flags & O_APPEND)
		res |= PPM_O_APPEND;
	if (flags & O_DSYNC)
		res |= PPM_O_DSYNC;
	if (flags & O_EXCL)
		res |= PPM_O_EXCL;
	if (flags & O_NONBLOCK)
		res |= PPM_O_NONBLOCK;
	if ((flags & O_SYNC) == O_SYNC)
		res |= PPM_O_SYNC;
	if (flags & O_TRUNC)
		res |= PPM_O_TRUNC;
	if (flags & O_DIRECT)
		res |= PPM_O_DIRECT;
	if (flags & O_DIRECTORY)
		res |= PPM_O_DIRECTORY;
	if (flags & O_LARGEFILE)
		res |= PPM_O_LARGEFILE;
	if (flags & O_CLOEXEC)
		res |= PPM_O_CLOEXEC;
	return res;
}

/* The PPM_S_* bits are Linux's own mode bits (S_IXOTH = 1 ... S_ISUID =
 * 04000), so modes pass through masked. open(2) ignores the mode unless it
 * creates a file, and so does the event. */
static __always_inline u32 open_mode_to_scap(unsigned long flags, unsigned long mode)
{
	if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return 0;
	return mode & 07777;
}

static __always_inline u32 chmod_mode_to_scap(unsigned long mode)
{
	return mode & 07777;
}

static __always_inline u32 clone_flags_to_scap(unsigned long flags)
{
	u32 res = 0;

	if (flags & CLONE_FILES)
		res |= PPM_CL_CLONE_FILES;
	if (flags & CLONE_FS)
		res |= PPM_CL_CLONE_FS;
	if (flags & CLONE_IO)
		res |= PPM_CL_CLONE_IO;
	if (flags & CLONE_NEWIPC)
		res |= PPM_CL_CLONE_NEWIPC;
	if (flags & CLONE_NEWNET)
		res |= PPM_CL_CLONE_NEWNET;
	if (flags & CLONE_NEWNS)
		res |= PPM_CL_CLONE_NEWNS;
	if (flags & CLONE_NEWPID)
		res |= PPM_CL_CLONE_NEWPID;
	if (flags & CLONE_NEWUTS)
		res |= PPM_CL_CLONE_NEWUTS;
	if (flags & CLONE_PARENT_SETTID)
		res |= PPM_CL_CLONE_PARENT_SETTID;
	if (flags & CLONE_PARENT)
		res |= PPM_CL_CLONE_PARENT;
	if (flags & CLONE_PTRACE)
		res |= PPM_CL_CLONE_PTRACE;
	if (flags & CLONE_SIGHAND)
		res |= PPM_CL_CLONE_SIGHAND;
	if (flags & CLONE_SYSVSEM)
		res |= PPM_CL_CLONE_SYSVSEM;
	if (flags & CLONE_THREAD)
		res |= PPM_CL_CLONE_THREAD;
	if (flags & CLONE_UNTRACED)
		res |= PPM_CL_CLONE_UNTRACED;
	if (flags & CLONE_VM)
		res |= PPM_CL_CLONE_VM;
	if (flags & CLONE_NEWUSER)
		res |= PPM_CL_CLONE_NEWUSER;
	if (flags & CLONE_CHILD_CLEARTID)
		res |= PPM_CL_CLONE_CHILD_CLEARTID;
	if (flags & CLONE_CHILD_SETTID)
		res |= PPM_CL_CLONE_CHILD_SETTID;
	if (flags & CLONE_SETTLS)
		res |= PPM_CL_CLONE_SETTLS;
	if (flags & CLONE_VFORK)
		res |= PPM_CL_CLONE_VFORK;
	if (flags & CLONE_NEWCGROUP)
		res |= PPM_CL_CLONE_NEWCGROUP;
	return res;
}

/* PPM_AF_* values are Linux's AF_* values for every family 0.29.3 names. */
static __always_inline u8 socket_family_to_scap(unsigned long family)
{
	if (family <= 39 && family != 27 && family != 28)
		return family;
	return 0;
}

/* x86 page fault error code bits: P, W/R, U/S, RSVD, I/D. */
static __always_inline u32 pf_flags_to_scap(unsigned long err)
{
	u32 res = 0;

	res |= (err & 0x1) ? PPM_PF_PROTECTION_VIOLATION : PPM_PF_PAGE_NOT_PRESENT;
	res |= (err & 0x2) ? PPM_PF_WRITE_ACCESS : PPM_PF_READ_ACCESS;
	res |= (err & 0x4) ? PPM_PF_USER_FAULT : PPM_PF_SUPERVISOR_FAULT;
	if (err & 0x8)
		res |= PPM_PF_RESERVED_PAGE;
	if (err & 0x10)
		res |= PPM_PF_INSTRUCTION_FETCH;
	return res;
}

static __always_inline u32 prot_flags_to_scap(unsigned long prot)
{
	/* PROT_READ 1, WRITE 2, EXEC 4, SEM 8, GROWSDOWN 0x01000000,
	 * GROWSUP 0x02000000 -> PPM bits 0..5. */
	u32 res = prot & 0xf;
	if (prot & 0x01000000)
		res |= 1 << 4;
	if (prot & 0x02000000)
		res |= 1 << 5;
	return res;
}

static __always_inline u32 mmap_flags_to_scap(unsigned long flags)
{
	u32 res = 0;

	if (flags & 0x01)
		res |= 1 << 0; /* MAP_SHARED */
	if (flags & 0x02)
		res |= 1 << 1; /* MAP_PRIVATE */
	if (flags & 0x10)
		res |= 1 << 2; /* MAP_FIXED */
	if (flags & 0x20)
		res |= 1 << 3; /* MAP_ANONYMOUS */
	if (flags & 0x40)
		res |= 1 << 4; /* MAP_32BIT */
	if (flags & 0x4000)
		res |= 1 << 6; /* MAP_NORESERVE */
	if (flags & 0x8000)
		res |= 1 << 7; /* MAP_POPULATE */
	if (flags & 0x10000)
		res |= 1 << 8; /* MAP_NONBLOCK */
	if (flags & 0x0100)
		res |= 1 << 9; /* MAP_GROWSDOWN */
	if (flags & 0x0800)
		res |= 1 << 10; /* MAP_DENYWRITE */
	if (flags & 0x1000)
		res |= 1 << 11; /* MAP_EXECUTABLE */
	if (flags & 0x2000)
		res |= 1 << 14; /* MAP_LOCKED */
	/* MAP_FILE is 0 on Linux, so PPM_MAP_FILE is never set. */
	return res;
}

static __always_inline u8 fcntl_cmd_to_scap(unsigned long cmd)
{
	switch (cmd) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	}
	return 0; /* PPM_FCNTL_UNKNOWN */
}

static __always_inline u16 futex_op_to_scap(unsigned long op)
{
	/* FUTEX_WAIT .. FUTEX_CMP_REQUEUE_PI are 0..12 in both encodings;
	 * FUTEX_PRIVATE_FLAG is 128 and FUTEX_CLOCK_REALTIME 256 in both. */
	u16 res = op & 127;
	if (res > 12)
		res = 0;
	return res | (op & (128 | 256));
}

static __always_inline u16 poll_events_to_scap(short ev)
{
	u16 res = 0;

	if (ev & 0x001)
		res |= 1 << 0; /* POLLIN */
	if (ev & 0x002)
		res |= 1 << 1; /* POLLPRI */
	if (ev & 0x004)
		res |= 1 << 2; /* POLLOUT */
	if (ev & 0x2000)
		res |= 1 << 3; /* POLLRDHUP */
	if (ev & 0x008)
		res |= 1 << 4; /* POLLERR */
	if (ev & 0x010)
		res |= 1 << 5; /* POLLHUP */
	if (ev & 0x020)
		res |= 1 << 6; /* POLLNVAL */
	if (ev & 0x040)
		res |= 1 << 7; /* POLLRDNORM */
	if (ev & 0x080)
		res |= 1 << 8; /* POLLRDBAND */
	if (ev & 0x100)
		res |= 1 << 9; /* POLLWRNORM */
	if (ev & 0x200)
		res |= 1 << 10; /* POLLWRBAND */
	return res;
}

/* SHUT_RD/WR/RDWR and SEEK_SET/CUR/END have the same values as PPM_*. */
static __always_inline u8 small_enum_to_scap(unsigned long v, unsigned long max)
{
	return v <= max ? v : 0;
}

static __always_inline u8 rlimit_resource_to_scap(unsigned long r)
{
	return r <= 15 ? r : 255;
}

static __always_inline u32 openat2_resolve_to_scap(unsigned long r)
{
	u32 res = 0;

	if (r & 0x01)
		res |= PPM_RESOLVE_NO_XDEV;
	if (r & 0x02)
		res |= PPM_RESOLVE_NO_MAGICLINKS;
	if (r & 0x04)
		res |= PPM_RESOLVE_NO_SYMLINKS;
	if (r & 0x08)
		res |= PPM_RESOLVE_BENEATH;
	if (r & 0x10)
		res |= PPM_RESOLVE_IN_ROOT;
	if (r & 0x20)
		res |= PPM_RESOLVE_CACHED;
	return res;
}

static __always_inline u32 execveat_flags_to_scap(unsigned long flags)
{
	u32 res = 0;

	if (flags & AT_EMPTY_PATH)
		res |= PPM_EXVAT_AT_EMPTY_PATH;
	if (flags & AT_SYMLINK_NOFOLLOW)
		res |= PPM_EXVAT_AT_SYMLINK_NOFOLLOW;
	return res;
}

static __always_inline u32 flock_flags_to_scap(unsigned long op)
{
	/* LOCK_SH 1, EX 2, NB 4, UN 8 -> PPM bits 0..3: the same. */
	return op & 0xf;
}

static __always_inline u32 access_flags_to_scap(unsigned long mode)
{
	/* F_OK 0, X_OK 1, W_OK 2, R_OK 4: PPM uses the same values. */
	return mode & 7;
}

#endif /* SYSCOPE_PPM_H */
