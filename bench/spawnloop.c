/* spawnloop N PROGRAM [ARG...] - runs PROGRAM N times, one after the other (posix_spawn,
 * then waitpid; its standard output to /dev/null), and prints the mean microseconds per
 * run on stdout.  bench/perproc.sh
 * times it untraced and under `asbuilt record`: the difference is what tracing costs one
 * process, without a whole build's noise.
 *
 * Environment: SPAWNLOOP_GAP_US, microseconds to sleep between runs (0: none), as in the
 * serial checks of a configure run, where the collector is idle between processes (the
 * wall time then includes the sleeps); SPAWNLOOP_CPU=1 adds a second number, the mean CPU
 * time (user + system) of the runs themselves in microseconds, from
 * getrusage(RUSAGE_CHILDREN): steadier than wall time on a shared machine. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	posix_spawn_file_actions_t fa;
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
	const char *gap_s = getenv("SPAWNLOOP_GAP_US"), *cpu_s = getenv("SPAWNLOOP_CPU");
	long gap = gap_s ? strtol(gap_s, NULL, 10) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: spawnloop N PROGRAM [ARG...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		pid_t p;
		int st;

		if (posix_spawn(&p, argv[2], &fa, NULL, argv + 2, environ) != 0 ||
		    waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "spawnloop: %s failed\n", argv[2]);
			return 1;
		}
		if (gap > 0)
			usleep((useconds_t)gap);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
			       1e3 / (double)n);
	if (cpu_s && !strcmp(cpu_s, "1") && getrusage(RUSAGE_CHILDREN, &ru) == 0)
		printf(" %.1f", ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
				 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) /
					(double)n);
	printf("\n");
	return 0;
}
