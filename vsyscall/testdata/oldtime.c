// oldtime calls the legacy vsyscall page the way Debian Wheezy's glibc 2.13
// did: through function pointers to the fixed addresses 0xffffffffff600000
// (gettimeofday), 0xffffffffff600400 (time) and 0xffffffffff600800 (getcpu).
// Under vsyscall=none the first call dies with SIGSEGV (exit status 139);
// under xonly and emulate the kernel emulates each call.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

__attribute__((noinline)) time_t old_time(void)
{
	return ((time_t(*)(time_t *))0xffffffffff600400)(NULL);
}

__attribute__((noinline)) int old_gettimeofday(struct timeval *tv)
{
	return ((int (*)(struct timeval *, void *))0xffffffffff600000)(tv, NULL);
}

__attribute__((noinline)) int old_getcpu(unsigned *cpu)
{
	return ((long (*)(unsigned *, unsigned *, void *))0xffffffffff600800)(cpu, NULL, NULL);
}

int main(void)
{
	time_t t = old_time();
	struct timeval tv = {0};
	unsigned cpu = 99;
	old_gettimeofday(&tv);
	old_getcpu(&cpu);
	printf("old_time: %ld\n", (long)t);
	printf("old_gettimeofday: %ld\n", (long)tv.tv_sec);
	printf("old_getcpu: %u\n", cpu);
	return t > 0 && tv.tv_sec > 0 ? 0 : 1;
}
