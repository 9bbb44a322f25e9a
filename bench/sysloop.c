/* sysloop N getppid|open [PATH] - makes N system calls of one kind, one after the other:
 * getppid (a call the ebpf backend does not record: what its program costs every call of
 * the machine), or open + close of PATH (a recorded file call: what one costs).
 * bench/bpfcost.sh runs it under `asbuilt record --backend ebpf`. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[1], NULL, 10) : 0;
	int op = argc > 2 && !strcmp(argv[2], "open");

	if (n <= 0 || (op && argc < 4) || (!op && strcmp(argv[2], "getppid"))) {
		fprintf(stderr, "usage: sysloop N getppid|open [PATH]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		if (op) {
			int fd = open(argv[3], O_RDONLY);

			if (fd < 0) {
				perror(argv[3]);
				return 1;
			}
			close(fd);
		} else {
			syscall(SYS_getppid);
		}
	}
	return 0;
}
