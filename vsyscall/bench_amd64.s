// Trampolines for the time() benchmark: loops that call time() through the
// vDSO, the vsyscall page and the syscall instruction. The vDSO and the
// vsyscall page are C code: they run on a 16-byte aligned stack carved from
// the top of a large Go frame (the frame size makes the Go prologue grow
// the goroutine stack first), and may clobber the C caller-saved registers,
// which Go assembly functions are free to lose. The loop state lives in BX,
// R12 and R13, which C code preserves.

#include "textflag.h"

// func callLoop1(fn uintptr, n int64) int64
//
// Calls the C function long fn(void *) with a NULL argument n times (n > 0)
// and returns the last result: __vdso_time, or the vsyscall entry at
// 0xffffffffff600400.
TEXT ·callLoop1(SB), 0, $8192-24
	MOVQ	fn+0(FP), R12
	MOVQ	n+8(FP), R13
	MOVQ	SP, BX
	ADDQ	$8160, SP
	ANDQ	$~15, SP
loop:
	XORL	DI, DI
	CALL	R12
	DECQ	R13
	JNZ	loop
	MOVQ	BX, SP
	MOVQ	AX, ret+16(FP)
	RET

// func clockLoop(fn uintptr, n int64) int64
//
// Calls int fn(clockid_t, struct timespec *) (__vdso_clock_gettime) with
// CLOCK_REALTIME n times (n > 0) and returns the seconds of the last result.
// The timespec sits just above the aligned stack pointer.
TEXT ·clockLoop(SB), 0, $8192-24
	MOVQ	fn+0(FP), R12
	MOVQ	n+8(FP), R13
	MOVQ	SP, BX
	ADDQ	$8144, SP
	ANDQ	$~15, SP
loop:
	XORL	DI, DI
	MOVQ	SP, SI
	CALL	R12
	DECQ	R13
	JNZ	loop
	MOVQ	0(SP), AX
	MOVQ	BX, SP
	MOVQ	AX, ret+16(FP)
	RET

// func syscallLoop(n int64) int64
//
// Makes the time(NULL) system call (201) n times (n > 0) with the syscall
// instruction and returns the last result.
TEXT ·syscallLoop(SB), NOSPLIT, $0-16
	MOVQ	n+0(FP), R13
loop:
	MOVQ	$201, AX
	XORL	DI, DI
	SYSCALL
	DECQ	R13
	JNZ	loop
	MOVQ	AX, ret+8(FP)
	RET
