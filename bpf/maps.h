/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * maps.h: the probe's configuration and maps. Sizes marked "set by the
 * loader" are rewritten by internal/probe before the maps are created.
 */
#ifndef SYSCOPE_MAPS_H
#define SYSCOPE_MAPS_H

#include "helpers.h"

/*
 * Configuration. `const volatile` globals live in .rodata, which the loader
 * rewrites before loading; the verifier then sees them as constants and
 * prunes whatever they switch off.
 */
const volatile u64 boot_ts_offset = 0; /* wall clock - CLOCK_BOOTTIME, ns */
const volatile u32 snaplen = 80;       /* bytes of I/O data per event */
const volatile u32 self_tgid = 0;      /* a process whose events are skipped */

/* The largest event: scratch buffers are twice this, see event.h. */
#define MAX_EVENT_SIZE (64 * 1024)
#define SCRATCH_MASK (MAX_EVENT_SIZE - 1)
/* The loader caps the snaplen here so an event with data always fits. */
#define MAX_SNAPLEN (16 * 1024)
#define MAX_PATH 4096
/* execve args and env, as sysdig 0.29.3 (ARGS_ENV_SIZE_MAX). */
#define MAX_ARGS_ENV 4096

/* x86_64 syscall numbers go up to ~470; the tables have room to spare. */
#define SYSCALL_TABLE_SIZE 512

/*
 * One BPF ring buffer per CPU. A single shared ring buffer serializes every
 * CPU on one spinlock; libs measured ~10.9M records/s per-CPU against ~2M
 * shared. The outer array is indexed by bpf_get_smp_processor_id(); the
 * loader sizes it to the number of possible CPUs and fills a slot for each
 * online one, with ring buffers of the size the user asked for.
 */
struct ringbuf_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* set by the loader */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* set by the loader: possible CPUs */
	__type(key, u32);
	__array(values, struct ringbuf_map);
} ringbufs SEC(".maps");

/*
 * A scratch buffer per CPU where an event is built before it is copied
 * into the ring buffer with bpf_ringbuf_output. Variable-size events cannot
 * be reserved in place (bpf_ringbuf_reserve needs a constant size). Twice
 * MAX_EVENT_SIZE so that a write at (offset & SCRATCH_MASK) of up to
 * MAX_EVENT_SIZE bytes is always in bounds, which is how the verifier
 * accepts variable offsets. A plain array indexed by CPU rather than a
 * per-CPU array, whose values are limited to 32 KiB.
 *
 * Programs on one CPU never interleave: tracepoint programs run with
 * preemption disabled, and none of ours runs in interrupt context.
 */
/* The event header as the scap format lays it out (packed, 26 bytes). The
 * probe writes its fields at these offsets; the Go tests compare this
 * type, read from the object's BTF, with package event's decoder. */
struct event_header {
	u64 ts;
	u64 tid;
	u32 len;
	u16 type;
	u32 nparams;
} __attribute__((packed));

#define MAX_CGROUP_DEPTH 16

struct scratch {
	union {
		struct event_header hdr;
		u8 buf[MAX_EVENT_SIZE * 2];
	};
	u64 pos;  /* where the next value goes */
	u32 lpos; /* where the next length goes */
	u32 lend; /* end of the length slots: header + 2 * nparams */
	/* kernfs names of a cgroup path, leaf first (see cgroup_path) */
	const char *names[MAX_CGROUP_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set by the loader: possible CPUs */
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Per-CPU counters; the layout is mirrored by internal/probe (counters). */
struct counters {
	u64 events;      /* events built, sent or not */
	u64 drops_full;  /* the CPU's ring buffer was full */
	u64 drops_other; /* no ring buffer for the CPU, event too large, bug */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct counters);
} counters_map SEC(".maps");

/*
 * What user space wants for each x86_64 syscall number, and the PPM_SC id
 * generic events carry (sysdig 0.29.3's routing table, filled by the loader
 * from package event). A syscall nobody asked for returns at once.
 */
struct syscall_info {
	u8 enabled;
	u8 pad;
	u16 ppm_sc;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__type(value, struct syscall_info);
} syscall_table SEC(".maps");

#endif /* SYSCOPE_MAPS_H */
