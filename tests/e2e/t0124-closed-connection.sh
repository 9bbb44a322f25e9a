#!/bin/bash
# t0124: a program that closes every descriptor it did not open (closefrom, a loop of
# close, close_range, also by number through syscall()) or dup2s onto the interposer's
# connection keeps being recorded: the reads and writes after that are in the database,
# and nothing of ours lands in the program's file.  A program that closes the connection
# with the system call instruction itself, which no hook sees, loses its later records:
# the record says so (collector-unreachable, its pid).
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
cat >closer.c <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the highest descriptor open that is a socket (the interposer's connection), or -1 */
static int top_socket(void)
{
	char link[64], path[300];
	struct dirent *e;
	int top = -1;
	DIR *d = opendir("/proc/self/fd");

	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		ssize_t n;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, "socket:", 7)) && fd > top)
			top = fd;
	}
	if (d)
		closedir(d);
	return top;
}

static void copy(const char *in, const char *out)
{
	char b[256];
	int fd = open(in, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b);

	if (n < 0) { perror(in); exit(1); }
	close(fd);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, b, (size_t)n) != n) { perror(out); exit(1); }
	close(fd);
}

int main(int argc, char **argv)
{
	const char *how = argv[1];
	int fd;

	copy("a.txt", "before.txt");
	if (!strcmp(how, "closefrom")) {
		closefrom(3);
	} else if (!strcmp(how, "loop")) {
		for (fd = 3; fd < 4096; fd++)
			close(fd);
	} else if (!strcmp(how, "close_range")) {
		close_range(3, ~0U, 0);
	} else if (!strcmp(how, "dup2")) {
		int s = top_socket();
		if (s < 0) { fprintf(stderr, "no socket open\n"); return 1; }
		fd = open("dup2.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, s) != s) { perror("dup2"); return 1; }
		close(fd);
		if (write(s, "mine\n", 5) != 5) { perror("write"); return 1; }
		close(s);
	} else if (!strcmp(how, "bynum")) { /* through libc's syscall(): its hook sees it */
		syscall(SYS_close_range, 3U, ~0U, 0);
	} else if (!strcmp(how, "raw")) { /* the instruction itself: no hook sees it */
		long r;
#if defined(__x86_64__)
		__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_close_range), "D"(3L),
				 "S"(~0UL >> 32), "d"(0L) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
		register long x8 __asm__("x8") = SYS_close_range, x0 __asm__("x0") = 3;
		register long x1 __asm__("x1") = (long)(~0UL >> 32), x2 __asm__("x2") = 0;
		__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
		r = x0;
#else
#error "no raw system call for this architecture in the test"
#endif
		if (r != 0) { fprintf(stderr, "raw close_range: %ld\n", r); return 1; }
	}
	copy("b.txt", "after.txt");
	return 0;
}
EOF
gcc -O0 -o closer closer.c || die "cannot compile closer.c"
echo a >a.txt
echo b >b.txt
CLOSER=$(real closer)

for how in closefrom loop close_range dup2 bynum; do
	rm -f "$DB" before.txt after.txt dup2.txt
	record_ok -- ./closer "$how"
	assert_build_ok
	assert_read_by "$CLOSER" a.txt "$how: the read before"
	assert_read_by "$CLOSER" b.txt "$how: the read after"
	assert_written before.txt "$how: the write before"
	assert_written after.txt "$how: the write after"
	if [ "$how" = dup2 ]; then
		assert_eq mine "$(cat dup2.txt)" "dup2: the program's file holds what it wrote, nothing of ours"
		assert_written dup2.txt "dup2: the file put in the connection's place"
	fi
done

rm -f "$DB"
record -- ./closer raw
assert_eq 0 "$REC_STATUS" "raw: record exits with the build's status (preload warns)"
assert_read_by "$CLOSER" a.txt "raw: the read before"
assert_eq 0 "$(q "SELECT complete FROM builds;")" "raw: the record says it is incomplete"
pid=$(q "SELECT pid FROM processes WHERE exe = $(sqlstr "$CLOSER");")
assert_eq "pid $pid could not send its events" \
	"$(q "SELECT detail FROM incomplete WHERE reason = 'collector-unreachable';")" \
	"raw: the process that lost its connection is named"
grep -q 'collector-unreachable' record.err || die "raw: record did not warn"
