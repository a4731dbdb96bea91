/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * event.h: building an event in the scap layout and sending it.
 *
 * An event is what a scap file stores (and what package event decodes):
 *
 *   0  u64 ts       nanoseconds since the epoch
 *   8  u64 tid
 *  16  u32 len      of the whole event
 *  20  u16 type     event code, even = enter, odd = exit
 *  22  u32 nparams
 *  26  u16 len[nparams]
 *      values, back to back, in parameter order
 *
 * all little-endian and packed. The probe writes it into the CPU's scratch
 * buffer: ev_begin() writes the header and reserves the length slots, each
 * push_*() appends one value and fills its slot, ev_submit() writes the
 * total length and copies the event into the CPU's ring buffer, so user
 * space reads events exactly as a capture file stores them.
 *
 * Offsets into the scratch buffer are masked with SCRATCH_MASK before every
 * access: the buffer is 2 * MAX_EVENT_SIZE long, so any masked offset plus a
 * write of at most MAX_EVENT_SIZE stays in bounds, which the verifier can
 * prove. An event that grows past MAX_EVENT_SIZE (only possible if the
 * per-parameter caps are wrong) wraps onto itself and is dropped at submit.
 */
#ifndef SYSCOPE_EVENT_H
#define SYSCOPE_EVENT_H

#include "maps.h"

#define EVENT_HEADER_LEN sizeof(struct event_header)

/* The event being built. Its positions live in the scratch map value
 * (sc->pos, sc->lpos, sc->lend), not in registers: the verifier then sees
 * them as unknown numbers, bounded by the masks, instead of tracking every
 * value they can take through every loop, which multiplies its states
 * past its limits. */
struct ev {
	struct scratch *sc;
	u8 *buf; /* sc->buf */
};

static __always_inline void count_drop_other(void)
{
	u32 zero = 0;
	struct counters *c = bpf_map_lookup_elem(&counters_map, &zero);

	if (c) {
		c->events++;
		c->drops_other++;
	}
}

/* ev_begin_tid starts an event of type with nparams parameters (0.29.3's
 * count for that code) on behalf of thread tid. */
static __always_inline bool ev_begin_tid(struct ev *e, u16 type, u32 nparams, u64 tid)
{
	u32 cpu = bpf_get_smp_processor_id();

	e->sc = bpf_map_lookup_elem(&scratch_map, &cpu);
	if (!e->sc) {
		count_drop_other();
		return false;
	}
	e->buf = e->sc->buf;
	/* CLOCK_BOOTTIME keeps counting across suspend, so adding the offset
	 * measured at load time keeps timestamps on the wall clock. Stores
	 * through casts rather than to the packed struct's fields, which clang
	 * would split into single bytes. */
	*(u64 *)&e->buf[__builtin_offsetof(struct event_header, ts)] = bpf_ktime_get_boot_ns() + boot_ts_offset;
	*(u64 *)&e->buf[__builtin_offsetof(struct event_header, tid)] = tid;
	*(u32 *)&e->buf[__builtin_offsetof(struct event_header, len)] = 0;
	*(u16 *)&e->buf[__builtin_offsetof(struct event_header, type)] = type;
	*(u32 *)&e->buf[__builtin_offsetof(struct event_header, nparams)] = nparams;
	e->sc->lpos = EVENT_HEADER_LEN;
	e->sc->lend = EVENT_HEADER_LEN + 2 * nparams;
	e->sc->pos = e->sc->lend;
	return true;
}

static __always_inline bool ev_begin(struct ev *e, u16 type, u32 nparams)
{
	return ev_begin_tid(e, type, nparams, bpf_get_current_pid_tgid() & 0xffffffff);
}

/* push_len fills the next length slot. A push beyond the declared count
 * writes nothing (it would overwrite a value) and makes ev_submit drop the
 * event, as does a missing push: a wrong count is a bug, never a bad file. */
static __always_inline void push_len(struct ev *e, u32 len)
{
	u32 l = e->sc->lpos;

	if (l < e->sc->lend)
		*(u16 *)&e->buf[l & SCRATCH_MASK] = len;
	e->sc->lpos = l + 2;
}

static __always_inline void push_empty(struct ev *e)
{
	push_len(e, 0);
}

#define DEFINE_PUSH(name, T)                                                  \
	static __always_inline void name(struct ev *e, T v)                   \
	{                                                                     \
		*(T *)&e->buf[e->sc->pos & SCRATCH_MASK] = v;                     \
		e->sc->pos += sizeof(T);                                          \
		push_len(e, sizeof(T));                                       \
	}

DEFINE_PUSH(push_u8, u8)
DEFINE_PUSH(push_u16, u16)
DEFINE_PUSH(push_u32, u32)
DEFINE_PUSH(push_u64, u64)
DEFINE_PUSH(push_s32, s32)
DEFINE_PUSH(push_s64, s64)

/* Raw writes of a value inside a parameter being built by hand. */
#define PUT(e, T, v)                                                          \
	do {                                                                  \
		*(T *)&(e)->buf[(e)->sc->pos & SCRATCH_MASK] = (v);               \
		(e)->sc->pos += sizeof(T);                                        \
	} while (0)

/* push_user_str appends a NUL-terminated string from user memory (a path,
 * an argument); unreadable or NULL gives an empty parameter. */
static __always_inline u32 push_user_str(struct ev *e, const void *p)
{
	long n = 0;

	if (p)
		n = bpf_probe_read_user_str(&e->buf[e->sc->pos & SCRATCH_MASK], MAX_PATH, p);
	if (n < 0)
		n = 0;
	e->sc->pos += n;
	push_len(e, n);
	return n;
}

/* max must be a constant no larger than MAX_PATH. */
static __always_inline u32 push_kern_str(struct ev *e, const void *p, u32 max)
{
	long n = 0;

	if (p)
		n = bpf_probe_read_kernel_str(&e->buf[e->sc->pos & SCRATCH_MASK], max, p);
	if (n < 0)
		n = 0;
	e->sc->pos += n;
	push_len(e, n);
	return n;
}

/* clamp_len bounds a length so the verifier knows it; asm keeps clang from
 * dropping the bound through a register copy. */
static __always_inline u64 clamp_len(u64 len, u64 max)
{
	if (len > max)
		len = max;
	asm volatile("%[len] &= 0x7fff" : [len] "+r"(len));
	return len;
}

/* user_bytes copies len (<= MAX_SNAPLEN) bytes of user memory at the
 * current position without pushing a parameter; returns what it copied. */
static __always_inline u32 user_bytes(struct ev *e, const void *p, u64 len)
{
	len = clamp_len(len, MAX_SNAPLEN);
	if (!p || !len)
		return 0;
	if (bpf_probe_read_user(&e->buf[e->sc->pos & SCRATCH_MASK], len, p))
		return 0;
	e->sc->pos += len;
	return len;
}

/* push_user_data appends I/O data: at most snaplen bytes of len. */
static __always_inline void push_user_data(struct ev *e, const void *p, s64 len)
{
	u32 n = 0;

	if (len > 0) {
		if (len > snaplen)
			len = snaplen;
		n = user_bytes(e, p, len);
	}
	push_len(e, n);
}

static __always_inline void ev_submit(struct ev *e)
{
	u32 zero = 0;
	struct counters *c = bpf_map_lookup_elem(&counters_map, &zero);
	u64 size = e->sc->pos;
	u32 cpu;
	void *rb;

	if (!c)
		return;
	c->events++;
	if (e->sc->lpos != e->sc->lend || size > MAX_EVENT_SIZE) {
		c->drops_other++;
		return;
	}
	*(u32 *)&e->buf[__builtin_offsetof(struct event_header, len)] = size;
	cpu = bpf_get_smp_processor_id();
	rb = bpf_map_lookup_elem(&ringbufs, &cpu);
	if (!rb) {
		c->drops_other++;
		return;
	}
	/* Flags 0: the kernel wakes the reader only when it had caught up
	 * (the ring was empty), so a busy reader is never woken needlessly. */
	if (bpf_ringbuf_output(rb, e->buf, size, 0))
		c->drops_full++;
}

/*
 * Events of a fixed size (every parameter a number) skip the scratch
 * buffer: fx_begin reserves the record in the CPU's ring buffer and writes
 * the header there, the filler stores the lengths and values at constant
 * offsets (FX_LEN, FX_PUT), fx_submit commits it. No copy, no scratch
 * lookup. size must be a constant: EVENT_HEADER_LEN + 2 * nparams + the
 * values' sizes.
 */
static __always_inline u8 *fx_begin_tid(u16 type, u32 nparams, u32 size, u64 tid)
{
	u32 zero = 0, cpu;
	struct counters *c = bpf_map_lookup_elem(&counters_map, &zero);
	void *rb;
	u8 *p;

	if (!c)
		return NULL;
	c->events++;
	cpu = bpf_get_smp_processor_id();
	rb = bpf_map_lookup_elem(&ringbufs, &cpu);
	if (!rb) {
		c->drops_other++;
		return NULL;
	}
	p = bpf_ringbuf_reserve(rb, size, 0);
	if (!p) {
		c->drops_full++;
		return NULL;
	}
	*(u64 *)&p[__builtin_offsetof(struct event_header, ts)] = bpf_ktime_get_boot_ns() + boot_ts_offset;
	*(u64 *)&p[__builtin_offsetof(struct event_header, tid)] = tid;
	*(u32 *)&p[__builtin_offsetof(struct event_header, len)] = size;
	*(u16 *)&p[__builtin_offsetof(struct event_header, type)] = type;
	*(u32 *)&p[__builtin_offsetof(struct event_header, nparams)] = nparams;
	return p;
}

static __always_inline u8 *fx_begin(u16 type, u32 nparams, u32 size)
{
	return fx_begin_tid(type, nparams, size, bpf_get_current_pid_tgid() & 0xffffffff);
}

/* FX_LEN(p, i, len): the length of parameter i; FX_PUT(p, off, T, v): a
 * value at offset off from the start of the values. */
#define FX_LEN(p, i, len) (*(u16 *)&(p)[EVENT_HEADER_LEN + 2 * (i)] = (len))
#define FX_PUT(p, nparams, off, T, v) (*(T *)&(p)[EVENT_HEADER_LEN + 2 * (nparams) + (off)] = (v))

/* Flags 0 as in ev_submit. */
static __always_inline void fx_submit(u8 *p)
{
	bpf_ringbuf_submit(p, 0);
}

#endif /* SYSCOPE_EVENT_H */
