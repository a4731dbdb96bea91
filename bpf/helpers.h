/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * helpers.h: the BPF helper functions, section macros and CO-RE builtins the
 * probe uses. It stands in for libbpf's bpf_helpers.h, bpf_helper_defs.h and
 * bpf_core_read.h so that building the probe needs clang and nothing else
 * (no libbpf-dev, whose version would otherwise leak into the object).
 *
 * Helper ids are the kernel's stable UAPI numbers (enum bpf_func_id).
 */
#ifndef SYSCOPE_HELPERS_H
#define SYSCOPE_HELPERS_H

#include "vmlinux.h"

#define SEC(name) __attribute__((section(name), used))
#define __always_inline inline __attribute__((always_inline))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static u32 (*bpf_get_smp_processor_id)(void) = (void *)8;
static long (*bpf_tail_call)(void *ctx, void *prog_array_map, u32 index) = (void *)12;
static u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static u64 (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_user)(void *dst, u32 size, const void *unsafe_ptr) = (void *)112;
static long (*bpf_probe_read_kernel)(void *dst, u32 size, const void *unsafe_ptr) = (void *)113;
static long (*bpf_probe_read_user_str)(void *dst, u32 size, const void *unsafe_ptr) = (void *)114;
static long (*bpf_probe_read_kernel_str)(void *dst, u32 size, const void *unsafe_ptr) = (void *)115;
static u64 (*bpf_ktime_get_boot_ns)(void) = (void *)125;
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, u64 size, u64 flags) = (void *)130;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, u64 size, u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, u64 flags) = (void *)132;
/* Linux >= 5.11: guard calls with bpf_core_enum_value_exists(enum
 * bpf_func_id, BPF_FUNC_get_current_task_btf). */
static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;

/* Kernel functions (kfuncs), resolved by the loader against the running
 * kernel's BTF; weak: a kernel without one loads the program with the call
 * poisoned, so every call must sit behind a CO-RE check the verifier can
 * prune.
 *
 * bpf_rdonly_cast (Linux >= 6.2) turns a kernel address the program read
 * as a number into a read-only BTF pointer of the type btf_id, so its fields
 * can be read with plain loads (which fault to 0) instead of one
 * bpf_probe_read_kernel call each. The verifier replaces the call by a
 * register move: it costs nothing. Guard it with
 * bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_cgrp_storage_get),
 * the helper of the same release. */
extern void *bpf_rdonly_cast(const void *obj, u32 btf_id) __attribute__((section(".ksyms"), weak));

/* bpf_printk for debugging only; never left in committed code paths. */
#define bpf_printk(fmt, ...)                                                  \
	({                                                                    \
		char ____fmt[] = fmt;                                         \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);    \
	})

/* CO-RE builtins (see clang's BPF target documentation). */
#define BPF_FIELD_EXISTS 2
#define BPF_TYPE_ID_TARGET 1
#define BPF_ENUMVAL_EXISTS 0
#define BPF_ENUMVAL_VALUE 1

#define bpf_core_field_exists(field) __builtin_preserve_field_info(field, BPF_FIELD_EXISTS)
#define bpf_core_type_id_kernel(type) __builtin_btf_type_id(*(typeof(type) *)0, BPF_TYPE_ID_TARGET)
#define bpf_core_enum_value_exists(enum_type, enum_value)                     \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, enum_value)                            \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)enum_value, BPF_ENUMVAL_VALUE)

/*
 * READ_KERN(ptr->field) reads one kernel field through
 * bpf_probe_read_kernel. Because every kernel struct in vmlinux.h carries
 * preserve_access_index, `&(ptr->field)` compiles to a CO-RE relocation, so
 * the offset is the running kernel's. A fault yields 0.
 */
#define READ_KERN(src)                                                        \
	({                                                                    \
		typeof(src) __r;                                              \
		__builtin_memset((void *)&__r, 0, sizeof(__r));               \
		bpf_probe_read_kernel((void *)&__r, sizeof(__r), (const void *)&(src)); \
		__r;                                                          \
	})

#define READ_USER(src)                                                        \
	({                                                                    \
		typeof(src) __r;                                              \
		__builtin_memset((void *)&__r, 0, sizeof(__r));               \
		bpf_probe_read_user((void *)&__r, sizeof(__r), (const void *)&(src)); \
		__r;                                                          \
	})

#define container_of(ptr, type, member)                                       \
	({                                                                    \
		void *__mptr = (void *)(ptr);                                 \
		((type *)(__mptr - __builtin_offsetof(type, member)));        \
	})

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif /* SYSCOPE_HELPERS_H */
