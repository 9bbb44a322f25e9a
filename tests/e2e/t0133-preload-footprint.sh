#!/bin/bash
# t0133: what the interposer adds to every process it is loaded into, in pages: each fresh
# page a process writes costs a page fault (1.5-2.5 us on a virtual machine), in every
# traced process of a build.  The library's small variables must share one page with its
# initialised data (its .bss under a page), its large buffers stay out of .bss (in .lbss,
# from a page boundary: a process touches the start of one or two of them), and a recorded
# /bin/true may take at most 16 page faults more than an untraced one (12 at the time of
# writing; 19 when small variables lay scattered between the buffers).  The faults are
# counted by the kernel for the waited children (getrusage), not timed.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
LIB=$(dirname "$ASBUILT")/../lib/asbuilt/libasbuilt-preload.so
[ -f "$LIB" ] || die "no interposer at $LIB"

sections=$(readelf -SW "$LIB")
bss=$(printf '%s\n' "$sections" | sed -n 's/.*] \.bss  *NOBITS  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
[ -n "$bss" ] || die "no .bss in $LIB: $sections"
[ $((16#$bss)) -lt 4096 ] ||
	die ".bss of the interposer is $((16#$bss)) bytes: a large buffer without WBIG (wrappers/internal.h)?"
if [ "$(uname -m)" = x86_64 ]; then
	lbss=$(printf '%s\n' "$sections" | sed -n 's/.*] \.lbss  *NOBITS  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	[ -n "$lbss" ] && [ $((16#$lbss)) -ge 65536 ] ||
		die "the interposer's large buffers are not in .lbss: $sections"
fi

cat >faults.c <<'EOF'
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

/* runs argv[2] argv[1] times, one after the other; prints the children's minor page faults
 * per run */
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), st;
	struct rusage ru;

	for (int i = 0; i < n; i++) {
		pid_t pid;

		if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) ||
		    waitpid(pid, &st, 0) != pid)
			return 1;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%ld\n", ru.ru_minflt / n);
	return 0;
}
EOF
cc -O2 -o faults faults.c || die "cannot compile faults.c"

untraced=$(./faults 50 /bin/true) || die "faults failed untraced"
record_ok -- sh -c './faults 50 /bin/true >traced.txt'
assert_build_ok
traced=$(cat traced.txt)
note "page faults of /bin/true: $untraced untraced, $traced recorded under preload"
[ "$traced" -gt "$untraced" ] || die "no page faults counted for the interposer: $untraced / $traced"
[ $((traced - untraced)) -le 16 ] ||
	die "the interposer adds $((traced - untraced)) page faults to /bin/true (at most 16)"
# every one of the runs was recorded
assert_eq 50 "$(q "SELECT count(*) FROM processes WHERE exe = '$(real /bin/true)';")" \
	"recorded runs of /bin/true"
