/*
 * oldtime calls time() the way Debian 7's glibc 2.13 does: through the
 * legacy vsyscall page, at 0xffffffffff600400. Under vsyscall=none the
 * call faults and the program dies with SIGSEGV (status 139 in a shell).
 * Built with gcc -static, so it runs in a bare initramfs.
 */
#include <stdio.h>
#include <time.h>

typedef time_t (*time_fn)(time_t *);

int main(void)
{
	time_fn vtime = (time_fn)0xffffffffff600400;
	time_t t = vtime(NULL);

	printf("time: %ld\n", (long)t);
	return 0;
}
