/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * progs.h: the shape of a syscall filler.
 *
 * The dispatchers on raw_syscalls:sys_enter and sys_exit tail-call one
 * program per decoded syscall (enter_progs / exit_progs, indexed by syscall
 * number). Each is a tp_btf program of the same hook as its dispatcher, as
 * tail calls require, and receives the dispatcher's context: the struct
 * pt_regs of the syscall and the syscall number (enter) or return value
 * (exit).
 */
#ifndef SYSCOPE_PROGS_H
#define SYSCOPE_PROGS_H

#include "extract.h"
#include "syscalls.h"

#define PROG_ENTER(name) SEC("tp_btf/sys_enter") int enter_##name(u64 *ctx)
#define PROG_EXIT(name) SEC("tp_btf/sys_exit") int exit_##name(u64 *ctx)

#define REGS ((struct pt_regs *)ctx[0])
#define RET ((long)ctx[1])
#define ARG(i) sc_arg(REGS, i)
/* The syscall number; at exit it is only in orig_ax. */
#define NR ((long)REGS->orig_ax)

#define BEGIN(code, n)                                                        \
	struct ev e;                                                          \
	if (!ev_begin(&e, code, n))                                           \
		return 0
#define END()                                                                 \
	ev_submit(&e);                                                        \
	return 0

/* File descriptors are ints in the syscall ABI and s64 in events. */
static __always_inline void push_fd(struct ev *e, unsigned long fd)
{
	push_s64(e, (s64)(s32)fd);
}

#endif /* SYSCOPE_PROGS_H */
