#!/bin/bash
# t0208: a traced process sets up an io_uring.  Its submissions would open and read files
# without any system call the tracer hooks, so the eBPF backend cannot vouch for the
# record: it must say so (an 'io-uring' row in the incomplete table naming the process,
# builds.complete = 0) and `record` must exit 3 unless --allow-incomplete.  A process
# whose io_uring_setup fails used no ring, and leaves the record complete.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf
cat >ring.c <<'C'
/* ring ENTRIES: io_uring_setup(ENTRIES) by a raw system call (no liburing); prints "ok"
 * when a ring was made, "failed" when not. */
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, argc > 1 ? atoi(argv[1]) : 4, &p);
	puts(fd >= 0 ? "ok" : "failed");
	return 0;
}
C
gcc -O0 -o ring ring.c || die "cannot compile ring.c"
# A ring made: incomplete, exit status 3, the reason names the call.  (A kernel with
# io_uring turned off cannot show this half; the other half still runs.)
if [ "$(./ring 4)" != ok ]; then
	note "io_uring_setup does not work on this kernel: only the failed setup is tested"
else
	rc=0
	timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend ebpf -- ./ring 4 \
		>out.txt 2>record.err || rc=$?
	assert_eq 3 "$rc" "record of a process that set up an io_uring: exit status"
	assert_eq ok "$(cat out.txt)" "the ring was made"
	grep -q "incomplete" record.err || die "record did not say the record is incomplete: $(cat record.err)"
	assert_eq "finished|0" "$(q "SELECT state, complete FROM builds WHERE id = 1;")" \
		"build 1: state|complete"
	assert_eq "io-uring|io_uring_setup|$PWD/ring" \
		"$(q "SELECT i.reason, i.detail, p.exe FROM incomplete i JOIN processes p ON p.id = i.process_id
		      WHERE i.build_id = 1;")" "build 1: the incomplete row names the process"
fi

# A failed setup (0 entries is EINVAL): no ring, nothing unseen, a complete record.
rec_ok=0
timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend ebpf -- ./ring 0 \
	>out.txt 2>record.err || rec_ok=$?
assert_eq 0 "$rec_ok" "record of a failed io_uring_setup: exit status"
assert_eq failed "$(cat out.txt)" "io_uring_setup(0) fails"
assert_eq "finished|1|0" \
	"$(q "SELECT state, complete, (SELECT count(*) FROM incomplete WHERE build_id = b.id)
	      FROM builds b WHERE id = (SELECT max(id) FROM builds);")" \
	"the last build: state|complete|incomplete rows"
