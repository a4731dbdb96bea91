/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * stack.h: the user stack of a thread that receives a fatal signal.
 *
 * At signal delivery the thread's saved user registers are still those of
 * the instruction that faulted (the kernel builds a handler's frame only
 * after the signal_deliver tracepoint), so the instruction pointer and the
 * words on top of the user stack tell where the program was and, among
 * them, the return addresses of its callers. Old glibc has no frame
 * pointers, so the probe does not walk frames: it copies the top
 * USER_STACK_WORDS words from the stack pointer and user space keeps
 * those that point into executable file mappings.
 *
 * The event, userstack (code PPME_USER_STACK_E), is syscope's own: its code
 * is far beyond every code of sysdig 0.29.3's table (336) and of libs'
 * (454 today), so sysdig's capture reader skips it and reads the rest of
 * the file unchanged. Parameters: ip (u64), sp (u64), stack (bytes, the
 * words read; empty when the stack was unreadable, as after a stack
 * overflow).
 *
 * Only fatal-by-default signals a fault raises record it (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS): not page faults, which are
 * almost all harmless and would each cost 300 bytes.
 */
#ifndef SYSCOPE_STACK_H
#define SYSCOPE_STACK_H

#include "event.h"

#define PPME_USER_STACK_E 0x7f00
#define USER_STACK_WORDS 32

static struct pt_regs *(*bpf_task_pt_regs)(struct task_struct *task) = (void *)175;

static __always_inline bool stack_signal(int sig)
{
	switch (sig) {
	case 4:  /* SIGILL */
	case 5:  /* SIGTRAP */
	case 6:  /* SIGABRT */
	case 7:  /* SIGBUS */
	case 8:  /* SIGFPE */
	case 11: /* SIGSEGV */
	case 31: /* SIGSYS */
		return true;
	}
	return false;
}

/* send_user_stack sends the userstack event of the current thread. */
static __always_inline void send_user_stack(void)
{
	struct pt_regs *regs = bpf_task_pt_regs(bpf_get_current_task_btf());
	u64 ip, sp;
	u32 n = 0;
	struct ev e;

	if (!regs)
		return;
	ip = regs->ip;
	sp = regs->sp;
	if (!ev_begin(&e, PPME_USER_STACK_E, 3))
		return;
	push_u64(&e, ip);
	push_u64(&e, sp);
	if (sp)
		n = user_bytes(&e, (const void *)sp, USER_STACK_WORDS * 8);
	push_len(&e, n);
	ev_submit(&e);
}

#endif
