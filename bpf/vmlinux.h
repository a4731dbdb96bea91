/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * vmlinux.h: the few kernel types the probe reads, written by hand for
 * x86_64.
 *
 * Why not `bpftool btf dump file /sys/kernel/btf/vmlinux format c`? That
 * header is 2.8 MB, differs from one kernel build to the next, and would make
 * the generated object depend on the machine it was built on. The probe is
 * CO-RE: every struct below carries preserve_access_index, so clang records
 * each field access as a relocation by *name*, and the loader (cilium/ebpf)
 * rewrites the offsets against the running kernel's BTF. The layouts here
 * therefore only need the right field names and field kinds; offsets, padding
 * and the fields we leave out do not matter.
 *
 * Rules for editing:
 *  - a kernel struct goes inside the preserve_access_index pragma;
 *  - a user-space ABI struct (sockaddr, iovec, msghdr, ...) goes outside it:
 *    its layout is fixed by the ABI and must not be relocated;
 *  - a field that was renamed or retyped across kernels gets a "flavor", a
 *    second struct named `<name>___<suffix>` holding the other spelling; CO-RE
 *    matches it to the kernel type `<name>` and bpf_core_field_exists picks
 *    the one that applies (see kernfs_node___old, mm_struct___old).
 */
#ifndef SYSCOPE_VMLINUX_H
#define SYSCOPE_VMLINUX_H

typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;

typedef s8 __s8;
typedef u8 __u8;
typedef s16 __s16;
typedef u16 __u16;
typedef s32 __s32;
typedef u32 __u32;
typedef s64 __s64;
typedef u64 __u64;
typedef u16 __be16;
typedef u32 __be32;
typedef u64 __be64;
typedef u32 __wsum;

typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

typedef unsigned long size_t;
typedef long ssize_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned short umode_t;
typedef long long loff_t;
typedef unsigned int fmode_t;

enum {
	BPF_ANY = 0,
};

/* Helper ids of the UAPI that the probe only calls where the running
 * kernel has them: bpf_core_enum_value_exists() asks its BTF. */
enum bpf_func_id {
	BPF_FUNC_get_current_task_btf = 158,
	BPF_FUNC_cgrp_storage_get = 210,
};

/* Map types and flags of the UAPI, the subset the probe declares. */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_RINGBUF = 27,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* Syscall register frame; args are di, si, dx, r10, r8, r9 on x86_64. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax;
	unsigned long ip;
	unsigned long flags;
	unsigned long sp;
};

typedef struct {
	uid_t val;
} kuid_t;

typedef struct {
	gid_t val;
} kgid_t;

struct list_head {
	struct list_head *next, *prev;
};

struct qstr {
	u32 len;
	const unsigned char *name;
};

struct super_block {
	u32 s_dev;
};

struct inode {
	umode_t i_mode;
	struct super_block *i_sb;
	unsigned long i_ino;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
};

struct vfsmount {
	struct dentry *mnt_root;
};

/* struct mount embeds the vfsmount a path points at (container_of). */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	fmode_t f_mode;
	void *private_data;
	struct inode *f_inode;
	unsigned int f_flags;
	struct path f_path;
	loff_t f_pos;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path root;
	struct path pwd;
};

struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	int index;
	struct tty_driver *driver;
};

struct pid_namespace {
	unsigned int level;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct signal_struct {
	struct pid *pids[4];
	struct tty_struct *tty;
	struct rlimit rlim[16];
};

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t euid;
	kgid_t egid;
};

struct nsproxy {
	struct pid_namespace *pid_ns_for_children;
};

/* kernfs_node.parent became __parent in Linux 6.15. */
struct kernfs_node {
	struct kernfs_node *__parent;
	const char *name;
};

struct kernfs_node___old {
	struct kernfs_node *parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys {
	const char *name;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys *ss;
};

struct css_set {
	struct cgroup_subsys_state *subsys[12];
};

/* The ids of the cgroup controllers depend on the kernel's configuration;
 * CO-RE resolves each one by name (bpf_core_enum_value). */
enum cgroup_subsys_id {
	cpuset_cgrp_id,
	cpu_cgrp_id,
	cpuacct_cgrp_id,
	io_cgrp_id,
	memory_cgrp_id,
};

/* Since Linux 6.2 the RSS counters are percpu_counters ... */
struct percpu_counter {
	s64 count;
};

struct mm_struct {
	unsigned long total_vm;
	unsigned long arg_start, arg_end, env_start, env_end;
	struct percpu_counter rss_stat[4];
	struct file *exe_file;
};

/* ... before, atomics in a struct mm_rss_stat. */
typedef struct {
	long counter;
} atomic_long_t;

struct mm_rss_stat {
	atomic_long_t count[4];
};

struct mm_struct___old {
	struct mm_rss_stat rss_stat;
};

/* x86_64: status holds TS_COMPAT while a 32-bit syscall runs. */
struct thread_info {
	u32 status;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags;
	struct mm_struct *mm;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct list_head children;
	struct pid *thread_pid;
	unsigned long min_flt;
	unsigned long maj_flt;
	const struct cred *real_cred;
	const struct cred *cred;
	char comm[16];
	struct fs_struct *fs;
	struct files_struct *files;
	struct nsproxy *nsproxy;
	struct signal_struct *signal;
	kuid_t loginuid;
	struct css_set *cgroups;
};

struct in6_addr {
	union {
		u8 u6_addr8[16];
		u32 u6_addr32[4];
	} in6_u;
};

struct sock_common {
	u32 skc_daddr;
	u32 skc_rcv_saddr;
	u16 skc_dport;
	u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
};

struct ipv6_pinfo {
	struct in6_addr saddr;
};

struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	u32 inet_saddr;
	u16 inet_sport;
};

/* Same layout in the kernel and the ABI; declared here so that
 * unix_address.name has the kernel's element type. */
struct sockaddr_un {
	unsigned short sun_family;
	char sun_path[108];
};

struct unix_address {
	int len;
	struct sockaddr_un name[1];
};

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
};

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
};

union __sifields {
	struct {
		int _pid;
		unsigned int _uid;
	} _kill;
	struct {
		int _pid;
		unsigned int _uid;
	} _rt;
	struct {
		int _pid;
		unsigned int _uid;
		int _status;
	} _sigchld;
};

struct kernel_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	union __sifields _sifields;
};

#pragma clang attribute pop

/* User-space ABI structs: fixed layouts, read from user memory as is. */

struct sockaddr {
	unsigned short sa_family;
	char sa_data[14];
};

struct sockaddr_in {
	unsigned short sin_family;
	u16 sin_port;
	u32 sin_addr;
	u8 pad[8];
};

struct sockaddr_in6 {
	unsigned short sin6_family;
	u16 sin6_port;
	u32 sin6_flowinfo;
	u8 sin6_addr[16];
	u32 sin6_scope_id;
};

struct iovec {
	void *iov_base;
	size_t iov_len;
};

struct user_msghdr {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	unsigned int msg_flags;
};

struct pollfd {
	int fd;
	short events;
	short revents;
};

struct timespec64_user {
	long tv_sec;
	long tv_nsec;
};

struct open_how {
	u64 flags;
	u64 mode;
	u64 resolve;
};

struct clone_args {
	u64 flags;
};

#endif /* SYSCOPE_VMLINUX_H */
