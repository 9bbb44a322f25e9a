#!/bin/bash
# t0203: a program opens one file with syscall(SYS_openat, AT_FDCWD, ...) and another with
# syscall(SYS_open, ...): system calls by number, which bypass libc's open functions.  The
# eBPF backend traces the system calls themselves and records both reads with the right
# hash.  The preload backend hooks libc's syscall() (hooks_syscall.c) and records them too
# (t0125 tests it further; a call made with the instruction itself stays invisible to it).
. "$TOP/tests/e2e/lib.sh"

# rec BACKEND COMMAND...: record COMMAND with BACKEND into $DB; fail unless it exits 0.
rec() {
	local backend=$1 rc=0
	shift
	timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend "$backend" -- "$@" \
		2>record.err || rc=$?
	[ ! -s record.err ] || sed "s/^/record($backend): /" record.err >&2
	assert_eq 0 "$rc" "asbuilt record --backend $backend exit status"
}

need_asbuilt
need_ebpf
cat >raw.c <<'C'
/* raw A B: reads A opened by syscall(SYS_openat) and B by syscall(SYS_open), prints the
 * number of bytes read from each. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long drain(long fd)
{
	char buf[4096];
	long n, total = 0;

	if (fd < 0)
		return -1;
	while ((n = syscall(SYS_read, fd, buf, sizeof(buf))) > 0)
		total += n;
	syscall(SYS_close, fd);
	return total;
}

int main(int argc, char **argv)
{
	long a, b;

	if (argc != 3)
		return 2;
	a = drain(syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY));
	b = drain(syscall(SYS_open, argv[2], O_RDONLY));
	printf("%ld %ld\n", a, b);
	return a < 0 || b < 0;
}
C
gcc -O0 -o raw raw.c || die "cannot compile raw.c"
printf 'opened with SYS_openat\n' >via-openat.txt
printf 'opened with SYS_open, a little longer\n' >via-open.txt
assert_eq "$(stat -c %s via-openat.txt) $(stat -c %s via-open.txt)" \
	"$(./raw via-openat.txt via-open.txt)" "raw reads both files"

# read_rows BUILD FILE: op|access|sha256 of every successful event of FILE by ./raw.
read_rows() {
	q "SELECT e.op, e.access, ifnull(v.sha256, 'NULL') FROM file_events e
	   JOIN processes p ON p.id = e.process_id LEFT JOIN file_versions v ON v.id = e.version_id
	   WHERE e.build_id = $1 AND p.exe = '$PWD/raw' AND e.result >= 0
	     AND (e.realpath = '$PWD/$2' OR e.abspath = '$PWD/$2');"
}

# ebpf: both raw opens are recorded, by the raw process, with the files' hashes.
rec ebpf ./raw via-openat.txt via-open.txt
assert_eq "finished|1|0|ebpf" "$(q "SELECT state, complete, exit_status, backend FROM builds WHERE id = 1;")" \
	"ebpf build: state|complete|exit_status|backend"
assert_eq 1 "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$PWD/raw';")" \
	"ebpf build: one process row for ./raw"
for f in via-openat.txt via-open.txt; do
	assert_eq "open|read|$(sha256 $f)" "$(read_rows 1 $f)" "ebpf build: the raw read of $f op|access|sha256"
	assert_eq "$f|$PWD/$f" \
		"$(q "SELECT DISTINCT e.path, e.abspath FROM file_events e JOIN processes p ON p.id = e.process_id
		      WHERE e.build_id = 1 AND p.exe = '$PWD/raw' AND e.realpath = '$PWD/$f';")" \
		"ebpf build: $f path as given|made absolute"
done

# preload: the same two reads, through the hook of libc's syscall().
rec preload ./raw via-openat.txt via-open.txt
assert_eq "finished|1|0|preload" "$(q "SELECT state, complete, exit_status, backend FROM builds WHERE id = 2;")" \
	"preload build: state|complete|exit_status|backend"
assert_eq 1 "$(q "SELECT count(*) FROM processes WHERE build_id = 2 AND exe = '$PWD/raw';")" \
	"preload build: one process row for ./raw"
for f in via-openat.txt via-open.txt; do
	assert_eq "open|read|$(sha256 $f)" "$(read_rows 2 $f)" "preload build: the read of $f by number op|access|sha256"
done
