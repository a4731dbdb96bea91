// direct calls the vsyscall time() entry with a direct call instruction to
// the absolute address (a rel32 call that wraps around the top of the
// address space), which a non-PIE executable linked at 0x400000 can
// encode. Build with gcc -static -no-pie.
#include <stdio.h>

__attribute__((noinline)) long direct_time(void)
{
	long t;
	__asm__ volatile("xor %%edi,%%edi\n\tcall 0xffffffffff600400"
			 : "=a"(t)
			 :
			 : "rdi", "rsi", "rdx", "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
	return t;
}

int main(void)
{
	long t = direct_time();
	printf("direct_time: %ld\n", t);
	return t > 0 ? 0 : 1;
}
