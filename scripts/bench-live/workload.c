/*
 * workload.c: the syscall-heavy loops of scripts/bench-live.sh.
 *
 *   workload getppid SECONDS       getppid() in a loop
 *   workload orc SECONDS FILE      open(FILE), read(64 bytes), close in a loop
 *
 * It runs the loop for SECONDS of wall time and prints one line:
 *
 *   syscalls=N seconds=S rate=R
 *
 * where N counts the syscalls made by the loop (1 per getppid iteration,
 * 3 per open/read/close iteration) and R = N / S. The clock is read
 * through the vDSO (clock_gettime(CLOCK_MONOTONIC) makes no syscall), and
 * only every 1024 iterations, so the loop is all syscalls. Syscalls are
 * made with syscall(2) so that libc cannot cache or replace them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char buf[64];
	unsigned long long n = 0;
	double secs, start, end, t;
	int orc;

	if (argc < 3 || (strcmp(argv[1], "getppid") && strcmp(argv[1], "orc")) ||
	    (!strcmp(argv[1], "orc") && argc < 4)) {
		fprintf(stderr, "usage: workload getppid SECONDS | workload orc SECONDS FILE\n");
		return 2;
	}
	orc = !strcmp(argv[1], "orc");
	secs = atof(argv[2]);
	if (orc) {
		/* Fail early rather than time a loop of failing opens. */
		int fd = syscall(SYS_open, argv[3], O_RDONLY);
		if (fd < 0) {
			perror(argv[3]);
			return 1;
		}
		close(fd);
	}
	start = now();
	end = start + secs;
	for (;;) {
		for (int i = 0; i < 1024; i++) {
			if (orc) {
				long fd = syscall(SYS_open, argv[3], O_RDONLY);
				syscall(SYS_read, fd, buf, sizeof(buf));
				syscall(SYS_close, fd);
				n += 3;
			} else {
				syscall(SYS_getppid);
				n++;
			}
		}
		t = now();
		if (t >= end)
			break;
	}
	printf("syscalls=%llu seconds=%.3f rate=%.0f\n", n, t - start, n / (t - start));
	return 0;
}
