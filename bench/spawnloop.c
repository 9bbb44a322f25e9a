/* spawnloop N PROGRAM [ARG...] - runs PROGRAM N times, one after the other (posix_spawn,
 * then waitpid; its standard output to /dev/null), and prints the mean microseconds per
 * run on stdout.  bench/perproc.sh
 * times it untraced and under `asbuilt record`: the difference is what tracing costs one
 * process, without a whole build's noise. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec a, b;
	posix_spawn_file_actions_t fa;
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : 0;

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
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
				 1e3 / (double)n);
	return 0;
}
