/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * extract.h: reading process, file and socket state out of kernel
 * structures, through CO-RE (see vmlinux.h).
 */
#ifndef SYSCOPE_EXTRACT_H
#define SYSCOPE_EXTRACT_H

#include "event.h"
#include "ppm.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000

#define PIDTYPE_TGID 1
#define PIDTYPE_PGID 2

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* Syscall arguments from the saved user registers. At sys_exit they still
 * hold the arguments: the kernel passes them by pointer to the pt_regs and
 * only writes the return value into ax. */
static __always_inline unsigned long sc_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
}

/* fd_file returns the struct file of fd in the current task, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0)
		return NULL;
	/* Where the kernel has it (>= 5.11), the walk from the task to the
	 * fd array is plain loads through BTF pointers (which fault to 0 like
	 * bpf_probe_read_kernel), not a helper call each: every open exit
	 * pays it. The array slot itself is a pointer to a pointer, which the
	 * verifier types as a number: that one is read with the helper. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		struct task_struct *t = bpf_get_current_task_btf();

		files = t->files;
		if (!files)
			return NULL;
		fdt = files->fdt;
		if (!fdt)
			return NULL;
		max = fdt->max_fds;
		fds = fdt->fd;
	} else {
		struct task_struct *t = current_task();

		files = READ_KERN(t->files);
		if (!files)
			return NULL;
		fdt = READ_KERN(files->fdt);
		if (!fdt)
			return NULL;
		max = READ_KERN(fdt->max_fds);
		fds = READ_KERN(fdt->fd);
	}
	if ((unsigned long)fd >= max || !fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* new_encode_dev: the 32-bit dev_t user space sees (major << 8 | minor,
 * with the high minor bits above), from the kernel's major << 20 | minor. */
static __always_inline u32 encode_dev(u32 dev)
{
	u32 major = dev >> 20;
	u32 minor = dev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
}

/* has_rdonly_cast: whether bpf_rdonly_cast can be called (see helpers.h). */
#define has_rdonly_cast() bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_cgrp_storage_get)

static __always_inline u32 file_dev(struct file *f)
{
	struct inode *ino;
	struct super_block *sb;

	if (!f)
		return 0;
	/* Every open exit asks: plain loads where the kernel allows them. */
	if (has_rdonly_cast()) {
		f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
		ino = f->f_inode;
		if (!ino)
			return 0;
		sb = ino->i_sb;
		if (!sb)
			return 0;
		return encode_dev(sb->s_dev);
	}
	ino = READ_KERN(f->f_inode);
	if (!ino)
		return 0;
	sb = READ_KERN(ino->i_sb);
	if (!sb)
		return 0;
	return encode_dev(READ_KERN(sb->s_dev));
}

static __always_inline u64 file_ino(struct file *f)
{
	struct inode *ino;

	if (!f)
		return 0;
	ino = READ_KERN(f->f_inode);
	if (!ino)
		return 0;
	return READ_KERN(ino->i_ino);
}

/* fd_sock returns the struct sock behind fd if fd is a socket. */
static __always_inline struct sock *fd_sock(long fd)
{
	struct file *f = fd_file(fd);
	struct inode *ino;
	struct socket *s;

	if (!f)
		return NULL;
	ino = READ_KERN(f->f_inode);
	if (!ino || (READ_KERN(ino->i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	s = READ_KERN(f->private_data);
	if (!s)
		return NULL;
	return READ_KERN(s->sk);
}

/* ---- memory ---- */

#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SWAPENTS 2
#define MM_SHMEMPAGES 3

/*
 * MM_COUNTER reads one RSS counter. Linux < 6.2 keeps atomics in a struct
 * mm_rss_stat, later kernels an array of percpu_counter whose .count is the
 * (approximate) total. A macro, not a function: CO-RE relocates an array
 * element's offset only for a constant index, and percpu_counter's size
 * differs between here and the kernel.
 */
#define MM_COUNTER(mm, member)                                                \
	({                                                                    \
		long __v;                                                     \
		if (bpf_core_field_exists(((struct mm_struct___old *)0)->rss_stat.count)) \
			__v = READ_KERN(((struct mm_struct___old *)(mm))->rss_stat.count[member].counter); \
		else                                                          \
			__v = READ_KERN((mm)->rss_stat[member].count);        \
		__v < 0 ? 0 : __v;                                            \
	})

struct vm_sizes {
	u32 size, rss, swap; /* KiB */
};

static __always_inline void mm_sizes(struct mm_struct *mm, struct vm_sizes *v)
{
	v->size = v->rss = v->swap = 0;
	if (!mm)
		return;
	v->size = READ_KERN(mm->total_vm) << (PAGE_SHIFT - 10);
	v->rss = (MM_COUNTER(mm, MM_FILEPAGES) + MM_COUNTER(mm, MM_ANONPAGES) +
		  MM_COUNTER(mm, MM_SHMEMPAGES))
		 << (PAGE_SHIFT - 10);
	v->swap = MM_COUNTER(mm, MM_SWAPENTS) << (PAGE_SHIFT - 10);
}

static __always_inline void push_vm_sizes(struct ev *e, struct mm_struct *mm)
{
	struct vm_sizes v;

	mm_sizes(mm, &v);
	push_u32(e, v.size);
	push_u32(e, v.rss);
	push_u32(e, v.swap);
}

/* ---- pids ---- */

/* pid_vnr is the number of pid in its own (innermost) namespace. */
static __always_inline pid_t pid_vnr(struct pid *pid)
{
	unsigned int level;
	int nr = 0;

	if (!pid)
		return 0;
	level = READ_KERN(pid->level);
	bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[level & 31].nr);
	return nr;
}

static __always_inline pid_t task_vtid(struct task_struct *t)
{
	return pid_vnr(READ_KERN(t->thread_pid));
}

static __always_inline pid_t task_vpid_type(struct task_struct *t, int type)
{
	struct signal_struct *sig = READ_KERN(t->signal);

	if (!sig)
		return 0;
	return pid_vnr(READ_KERN(sig->pids[type]));
}

static __always_inline bool task_in_child_pidns(struct task_struct *t)
{
	struct pid *pid = READ_KERN(t->thread_pid);

	return pid && READ_KERN(pid->level) != 0;
}

/* ---- exec ---- */

/* push_exe_args pushes the exe and args parameters of clone and execve
 * exits as sysdig 0.29.3 does: the process's argument area
 * (mm->arg_start..arg_end, at most 4096 bytes) read in one piece, the first
 * string as exe and the rest as args. */
static __always_inline void push_exe_args(struct ev *e, struct mm_struct *mm)
{
	unsigned long start = 0, end = 0;
	u64 len = 0;
	long exe_len;

	if (mm) {
		start = READ_KERN(mm->arg_start);
		end = READ_KERN(mm->arg_end);
	}
	if (end > start)
		len = end - start;
	len = clamp_len(len, MAX_ARGS_ENV);
	if (len && bpf_probe_read_user(&e->buf[e->sc->pos & SCRATCH_MASK], len, (void *)start))
		len = 0;
	if (!len) {
		/* exe "" and no args */
		e->buf[e->sc->pos & SCRATCH_MASK] = 0;
		e->sc->pos += 1;
		push_len(e, 1);
		push_empty(e);
		return;
	}
	/* Make sure the area ends with a NUL, then measure the first string
	 * in place (a copy of the bytes onto themselves). */
	e->buf[(e->sc->pos + len - 1) & SCRATCH_MASK] = 0;
	exe_len = bpf_probe_read_kernel_str(&e->buf[e->sc->pos & SCRATCH_MASK], MAX_ARGS_ENV,
					    &e->buf[e->sc->pos & SCRATCH_MASK]);
	if (exe_len <= 0 || exe_len > len)
		exe_len = len;
	push_len(e, exe_len);
	push_len(e, len - exe_len);
	e->sc->pos += len;
}

/* push_user_strv pushes a NULL-terminated array of user strings (argv,
 * envp) as one byte buffer of NUL-separated strings: what a failed execve
 * reports, since the process image is still the old one. skip drops the
 * first strings (argv[0] is sent as exe). */
#define MAX_STRV 16

static __always_inline u32 user_strv(struct ev *e, const char *const *v, int skip)
{
	u64 total = 0;

	if (!v)
		return 0;
	for (int i = 0; i < MAX_STRV; i++) {
		const char *s = NULL;
		long n;

		if (i < skip)
			continue;
		if (bpf_probe_read_user(&s, sizeof(s), &v[i]) || !s)
			break;
		n = bpf_probe_read_user_str(&e->buf[(e->sc->pos + total) & SCRATCH_MASK], MAX_PATH, s);
		if (n <= 0)
			break;
		total += n;
		if (total >= MAX_ARGS_ENV) {
			total = MAX_ARGS_ENV;
			e->buf[(e->sc->pos + total - 1) & SCRATCH_MASK] = 0;
			break;
		}
	}
	e->sc->pos += total;
	return total;
}

static __always_inline void push_env(struct ev *e, struct mm_struct *mm)
{
	unsigned long start = 0, end = 0;
	u64 len = 0;

	if (mm) {
		start = READ_KERN(mm->env_start);
		end = READ_KERN(mm->env_end);
	}
	if (end > start)
		len = end - start;
	len = clamp_len(len, MAX_ARGS_ENV);
	if (len && bpf_probe_read_user(&e->buf[e->sc->pos & SCRATCH_MASK], len, (void *)start))
		len = 0;
	if (len)
		e->buf[(e->sc->pos + len - 1) & SCRATCH_MASK] = 0;
	e->sc->pos += len;
	push_len(e, len);
}

/* ---- cgroups ---- */

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return READ_KERN(kn->__parent);
	return READ_KERN(((struct kernfs_node___old *)kn)->parent);
}

/*
 * cgroup_path writes "name=/path" and a NUL at offset at for one cgroup
 * controller, as 0.29.3 does for cpuset, cpu, cpuacct, io and memory, and
 * returns its length. The path is rebuilt from the kernfs nodes: their
 * names are gathered leaf first (at most MAX_CGROUP_DEPTH; a deeper path
 * loses its top), then written root first. The root's own name is empty.
 */
static __always_inline u32 cgroup_path(struct ev *e, struct css_set *cs, int id, u64 at)
{
	struct cgroup_subsys_state *css;
	struct cgroup_subsys *ss;
	struct cgroup *cg;
	struct kernfs_node *kn;
	u64 off = at;
	long n;
	int depth = 0;

	if (id < 0 || id >= 12)
		return 0;
	css = READ_KERN(cs->subsys[id]);
	if (!css)
		return 0;
	ss = READ_KERN(css->ss);
	cg = READ_KERN(css->cgroup);
	if (!ss || !cg)
		return 0;
	n = bpf_probe_read_kernel_str(&e->buf[off & SCRATCH_MASK], 32, READ_KERN(ss->name));
	if (n <= 0)
		return 0;
	off += n - 1;
	e->buf[off & SCRATCH_MASK] = '=';
	off++;

	kn = READ_KERN(cg->kn);
	for (int i = 0; i < MAX_CGROUP_DEPTH; i++) {
		if (!kn)
			break;
		e->sc->names[i] = READ_KERN(kn->name);
		kn = kn_parent(kn);
		depth = i + 1;
	}
	if (depth <= 1) {
		e->buf[off & SCRATCH_MASK] = '/';
		off++;
	}
	for (int j = 0; j < MAX_CGROUP_DEPTH; j++) {
		int i = depth - 2 - j; /* skip the root, names[depth - 1] */
		if (i < 0)
			break;
		e->buf[off & SCRATCH_MASK] = '/';
		off++;
		n = bpf_probe_read_kernel_str(&e->buf[off & SCRATCH_MASK], 256, e->sc->names[i & (MAX_CGROUP_DEPTH - 1)]);
		if (n > 1)
			off += n - 1;
	}
	e->buf[off & SCRATCH_MASK] = 0;
	off++;
	return off - at;
}

static __always_inline void push_cgroups(struct ev *e, struct task_struct *t)
{
	struct css_set *cs = READ_KERN(t->cgroups);
	int ids[5] = {-1, -1, -1, -1, -1};
	u64 total = 0;

	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		ids[0] = bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		ids[1] = bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		ids[2] = bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		ids[3] = bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id);
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		ids[4] = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (cs) {
#pragma unroll
		for (int i = 0; i < 5; i++)
			total += cgroup_path(e, cs, ids[i], e->sc->pos + total);
	}
	e->sc->pos += total;
	push_len(e, total);
}

/* ---- the common part of clone and execve exits ---- */

/* push_proc_common pushes parameters 4..14 of the clone and execve exit
 * events (tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size,
 * vm_rss, vm_swap, comm) for task t; the caller pushed res, exe and args. */
static __always_inline void push_proc_common(struct ev *e, struct task_struct *t)
{
	struct mm_struct *mm = READ_KERN(t->mm);
	struct task_struct *parent = READ_KERN(t->real_parent);
	struct signal_struct *sig = READ_KERN(t->signal);

	push_s64(e, READ_KERN(t->pid));
	push_s64(e, READ_KERN(t->tgid));
	push_s64(e, parent ? READ_KERN(parent->pid) : 0);
	/* cwd: left empty like sysdig's own eBPF probe; user space knows it
	 * from /proc and chdir events. */
	e->buf[e->sc->pos & SCRATCH_MASK] = 0;
	e->sc->pos += 1;
	push_len(e, 1);
	push_u64(e, sig ? READ_KERN(sig->rlim[7].rlim_cur) : 0); /* RLIMIT_NOFILE */
	push_u64(e, READ_KERN(t->maj_flt));
	push_u64(e, READ_KERN(t->min_flt));
	push_vm_sizes(e, mm);
	push_kern_str(e, &t->comm, 16);
}

static __always_inline u32 task_tty(struct task_struct *t)
{
	struct signal_struct *sig = READ_KERN(t->signal);
	struct tty_struct *tty;
	struct tty_driver *drv;
	u32 major, minor;

	if (!sig)
		return 0;
	tty = READ_KERN(sig->tty);
	if (!tty)
		return 0;
	drv = READ_KERN(tty->driver);
	if (!drv)
		return 0;
	major = READ_KERN(drv->major);
	minor = READ_KERN(drv->minor_start) + READ_KERN(tty->index);
	return encode_dev((major << 20) | minor);
}

static __always_inline u32 task_loginuid(struct task_struct *t)
{
	if (bpf_core_field_exists(t->loginuid))
		return READ_KERN(t->loginuid.val);
	return (u32)-1;
}

/* ---- sockets ---- */

#define DIR_OUTBOUND 0 /* local -> remote: connect, send */
#define DIR_INBOUND 1  /* remote -> local: accept, recv */

static __always_inline u16 ntohs16(u16 v)
{
	return __builtin_bswap16(v);
}

/*
 * push_tuple pushes a PT_SOCKTUPLE for the socket fd, from the kernel's
 * struct sock: family byte, then source and destination address and port
 * (13 bytes for IPv4, 37 for IPv6; unix: two kernel socket pointers and the
 * path). Addresses stay in network byte order, ports are host order. For
 * an unconnected datagram socket the remote end comes from the sockaddr
 * the caller passed (usr, may be NULL).
 */
static __always_inline void push_tuple(struct ev *e, long fd, int dir, const void *usr)
{
	struct sock *sk = fd_sock(fd);
	u16 family;

	if (!sk) {
		push_empty(e);
		return;
	}
	family = READ_KERN(sk->__sk_common.skc_family);
	if (family == AF_INET) {
		struct inet_sock *inet = (struct inet_sock *)sk;
		u32 laddr = READ_KERN(inet->inet_saddr);
		u16 lport = ntohs16(READ_KERN(inet->inet_sport));
		u32 raddr = READ_KERN(sk->__sk_common.skc_daddr);
		u16 rport = ntohs16(READ_KERN(sk->__sk_common.skc_dport));

		if (!laddr)
			laddr = READ_KERN(sk->__sk_common.skc_rcv_saddr);
		if (rport == 0 && usr) {
			struct sockaddr_in sin = {};
			bpf_probe_read_user(&sin, sizeof(sin), usr);
			if (sin.sin_family == AF_INET) {
				raddr = sin.sin_addr;
				rport = ntohs16(sin.sin_port);
			}
		}
		PUT(e, u8, AF_INET);
		if (dir == DIR_OUTBOUND) {
			PUT(e, u32, laddr);
			PUT(e, u16, lport);
			PUT(e, u32, raddr);
			PUT(e, u16, rport);
		} else {
			PUT(e, u32, raddr);
			PUT(e, u16, rport);
			PUT(e, u32, laddr);
			PUT(e, u16, lport);
		}
		push_len(e, 13);
		return;
	}
	if (family == AF_INET6) {
		struct inet_sock *inet = (struct inet_sock *)sk;
		struct ipv6_pinfo *pi = READ_KERN(inet->pinet6);
		u8 laddr[16] = {}, raddr[16] = {};
		u16 lport = ntohs16(READ_KERN(inet->inet_sport));
		u16 rport = ntohs16(READ_KERN(sk->__sk_common.skc_dport));

		if (pi)
			bpf_probe_read_kernel(laddr, 16, &pi->saddr);
		bpf_probe_read_kernel(raddr, 16, &sk->__sk_common.skc_v6_daddr);
		if (rport == 0 && usr) {
			struct sockaddr_in6 sin6 = {};
			bpf_probe_read_user(&sin6, sizeof(sin6), usr);
			if (sin6.sin6_family == AF_INET6) {
				__builtin_memcpy(raddr, sin6.sin6_addr, 16);
				rport = ntohs16(sin6.sin6_port);
			}
		}
		PUT(e, u8, AF_INET6);
		if (dir == DIR_OUTBOUND) {
			__builtin_memcpy(&e->buf[e->sc->pos & SCRATCH_MASK], laddr, 16);
			e->sc->pos += 16;
			PUT(e, u16, lport);
			__builtin_memcpy(&e->buf[e->sc->pos & SCRATCH_MASK], raddr, 16);
			e->sc->pos += 16;
			PUT(e, u16, rport);
		} else {
			__builtin_memcpy(&e->buf[e->sc->pos & SCRATCH_MASK], raddr, 16);
			e->sc->pos += 16;
			PUT(e, u16, rport);
			__builtin_memcpy(&e->buf[e->sc->pos & SCRATCH_MASK], laddr, 16);
			e->sc->pos += 16;
			PUT(e, u16, lport);
		}
		push_len(e, 37);
		return;
	}
	if (family == AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct unix_sock *peer = (struct unix_sock *)READ_KERN(us->peer);
		struct unix_address *ua;
		const char *path = NULL;
		char first = 0;
		long n = 0;

		PUT(e, u8, AF_UNIX);
		if (dir == DIR_OUTBOUND) {
			PUT(e, u64, (u64)peer);
			PUT(e, u64, (u64)us);
			ua = peer ? READ_KERN(peer->addr) : NULL;
		} else {
			PUT(e, u64, (u64)us);
			PUT(e, u64, (u64)peer);
			ua = READ_KERN(us->addr);
		}
		if (ua) {
			path = (const char *)&ua->name[0].sun_path;
		} else if (dir == DIR_OUTBOUND && usr) {
			/* Not connected (sendto on a datagram socket): the path
			 * the caller named. */
			path = (const char *)usr + 2;
			bpf_probe_read_user(&first, 1, path);
			if (first == 0)
				path++; /* abstract: skip the leading NUL */
			n = bpf_probe_read_user_str(&e->buf[e->sc->pos & SCRATCH_MASK], 108, path);
			path = NULL;
		}
		if (path) {
			bpf_probe_read_kernel(&first, 1, path);
			if (first == 0)
				path++;
			n = bpf_probe_read_kernel_str(&e->buf[e->sc->pos & SCRATCH_MASK], 108, path);
		}
		if (n <= 0) {
			e->buf[e->sc->pos & SCRATCH_MASK] = 0;
			n = 1;
		}
		e->sc->pos += n;
		push_len(e, 17 + n);
		return;
	}
	push_empty(e);
}

/*
 * push_sockaddr pushes a PT_SOCKADDR from a user sockaddr: family byte,
 * then address and port (7 bytes for IPv4, 19 for IPv6) or the unix path.
 */
static __always_inline void push_sockaddr(struct ev *e, const void *usr, unsigned long len)
{
	u16 family = 0;

	if (!usr || len < 2 || bpf_probe_read_user(&family, 2, usr)) {
		push_empty(e);
		return;
	}
	if (family == AF_INET) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), usr);
		PUT(e, u8, AF_INET);
		PUT(e, u32, sin.sin_addr);
		PUT(e, u16, ntohs16(sin.sin_port));
		push_len(e, 7);
		return;
	}
	if (family == AF_INET6) {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), usr);
		PUT(e, u8, AF_INET6);
		__builtin_memcpy(&e->buf[e->sc->pos & SCRATCH_MASK], sin6.sin6_addr, 16);
		e->sc->pos += 16;
		PUT(e, u16, ntohs16(sin6.sin6_port));
		push_len(e, 19);
		return;
	}
	if (family == AF_UNIX) {
		const char *path = (const char *)usr + 2;
		char first = 0;
		long n;

		bpf_probe_read_user(&first, 1, path);
		if (first == 0 && len > 2)
			path++;
		PUT(e, u8, AF_UNIX);
		n = bpf_probe_read_user_str(&e->buf[e->sc->pos & SCRATCH_MASK], 108, path);
		if (n <= 0) {
			e->buf[e->sc->pos & SCRATCH_MASK] = 0;
			n = 1;
		}
		e->sc->pos += n;
		push_len(e, 1 + n);
		return;
	}
	PUT(e, u8, socket_family_to_scap(family));
	push_len(e, 1);
}

#endif /* SYSCOPE_EXTRACT_H */
