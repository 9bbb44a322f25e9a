#!/bin/bash
# t0132: under preload the processes of a build share one connection to the collector
# (wrappers/conn.c): the first image connects, every process it forks and every image they
# exec send on the same socket, inherited, instead of connecting each (a socket, a
# connection and an accept less per process).  Every process here prints the inode of each
# socket it holds above descriptor 999, where the interposer keeps the shared one (a process
# that writes files also holds a connection of its own for its waiting exit, lower): one,
# the same in all, also after a program dup2s onto its number (the interposer moves it and
# tells the images exec'd after where it went).  The records stay
# whole: each reader's read, its parent, and the waiting exits of the writers (their
# outputs hashed with their final content).  A process that waits at its exit sleeps until
# the collector's watermark passes its exit record; when it cannot map the watermark (here
# the build removes it) it makes a connection of its own for the record and the ack.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
cat >sockino.c <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* prints "inode" for each socket this process holds above descriptor 999, then copies
 * argv[1] to argv[2] */
int main(int argc, char **argv)
{
	char link[64], path[300], b[256];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int in, out;
	ssize_t n;

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, "socket:[", 8)) && atoi(e->d_name) > 999)
			printf("%.*s\n", (int)(n - 9), link + 8);
	}
	if (d)
		closedir(d);
	if (argc < 3)
		return 2;
	in = open(argv[1], O_RDONLY);
	n = in < 0 ? -1 : read(in, b, sizeof b);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (n < 0 || out < 0 || write(out, b, (size_t)n) != n)
		return 1;
	return 0;
}
EOF
cat >squat.c <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dup2s /dev/null onto the number of the socket it holds, then execs argv[1...] */
int main(int argc, char **argv)
{
	char link[64], path[300];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int sock = -1, nul = open("/dev/null", O_RDONLY);
	ssize_t n;

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n > 0 && (link[n] = 0, !strncmp(link, "socket:[", 8)))
			sock = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	if (argc < 2 || sock < 0 || nul < 0 || dup2(nul, sock) != sock)
		return 3;
	execv(argv[1], argv + 1);
	return 127;
}
EOF
gcc -O0 -o sockino sockino.c || die "cannot compile sockino.c"
gcc -O0 -o squat squat.c || die "cannot compile squat.c"
for f in a b c d; do echo "$f input" >"$f.in"; done

record_ok -- sh -c './sockino a.in a.out >s1 &&
	sh -c "./sockino b.in b.out >s2" &&
	(./sockino c.in c.out >s3) &&
	./squat ./sockino d.in d.out >s4'
assert_build_ok

for s in s1 s2 s3 s4; do
	assert_eq 1 "$(wc -l <"$s")" "$s: the process holds one socket above 999"
done
assert_eq "$(cat s1)" "$(cat s2)" "a grandchild holds the socket of the first"
assert_eq "$(cat s1)" "$(cat s3)" "a subshell's child holds the same socket"
assert_eq "$(cat s1)" "$(cat s4)" "an image exec'd after a dup2 onto its number holds it"

SOCKINO=$PWD/sockino
for f in a b c d; do
	assert_read_by "$SOCKINO" "$f.in"
	assert_written "$f.out"
	id=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
	        WHERE e.build_id = 1 AND p.exe = '$SOCKINO' AND e.abspath = '$PWD/$f.in';")
	assert_eq 1 "$(printf '%s\n' "$id" | grep -c .)" "one sockino read $f.in"
	ancestors "$id" >anc
	[ -s anc ] || die "the sockino that read $f.in has no parent"
	assert_eq 0 "$(q "SELECT count(*) FROM processes WHERE id = $id AND (end_ns IS NULL
		OR exit_status IS NOT 0);")" "the sockino that read $f.in ended with status 0"
done
# the squat image and the sockino it exec'd are one process
squat_pid=$(q "SELECT pid FROM processes WHERE build_id = 1 AND exe = '$PWD/squat';")
[ -n "$squat_pid" ] || die "no process row for squat"
assert_eq "$PWD/squat|$SOCKINO" \
	"$(q "SELECT group_concat(exe, '|') FROM (SELECT exe FROM processes
	      WHERE build_id = 1 AND pid = $squat_pid AND exe IS NOT NULL ORDER BY id);")" \
	"squat then sockino in one process"

# Without the watermark file: the writers wait for an ack on connections of their own, and
# their outputs are still hashed before the next step changes them.
DB=$PWD/nowm.db
record_ok -- sh -c 'rm -f "$ASBUILT_DIR/w"; ./sockino a.in e.out >s5 &&
	./sockino e.out f.out >s6 && echo more >>e.out'
assert_build_ok
assert_eq 1 "$(wc -l <s5)" "without the watermark: one shared socket above 999"
assert_eq 2 "$(q "SELECT count(*) FROM file_versions WHERE build_id = 1
	AND path = '$PWD/e.out' AND state = 'ok';")" "without the watermark: both versions of e.out"
assert_eq "$(sha256 a.in)" "$(q "SELECT sha256 FROM file_versions WHERE build_id = 1
	AND path = '$PWD/e.out' AND vseq = 1;")" "without the watermark: e.out as sockino wrote it"
assert_eq 1 "$(q "SELECT v.vseq FROM file_events e JOIN file_versions v ON v.id = e.version_id
	WHERE e.build_id = 1 AND e.access = 'read' AND e.abspath = '$PWD/e.out';")" \
	"without the watermark: the read of e.out took the version before the append"
