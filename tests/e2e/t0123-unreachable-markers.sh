#!/bin/bash
# t0123: a process that cannot reach the collector leaves a marker in record's private run
# directory ($TMPDIR/asbuilt.XXXXXX), and record turns each marker into an incomplete row
# 'collector-unreachable' naming its pid, then removes the directory.  Here the build
# removes the collector's socket, and a helper closes every descriptor above 2 (the
# connection it shares with the build's other processes too) and execs `cat` by raw system
# calls, behind the interposer's hooks: that `cat` finds no connection to use and cannot
# make one.  Also under sudo
# (SUDO_UID, as root): record made the directory as root and later works as the user who
# ran sudo, who may not read it; the markers must still count and the directory go.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
# a directory others may enter (the test's own is private), for the sudo user's database
W=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0123.XXXXXX")
trap 'rm -rf "$W"' EXIT
chmod 0755 "$W"
cd "$W"
echo a >a.txt
cat >closer.c <<'C'
#include <sys/syscall.h>
#include <unistd.h>
extern char **environ;
/* a system call by the instruction itself: no hook of the interposer sees it */
static long raw3(long nr, long a, long b, long c)
{
	long r;
#if defined(__x86_64__)
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr, x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b, x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	r = x0;
#else
#error "no raw system call for this architecture in the test"
#endif
	return r;
}
int main(int argc, char **argv)
{
	(void)argc;
	raw3(SYS_close_range, 3, (long)(~0UL >> 32), 0);
	raw3(SYS_execve, (long)argv[1], (long)(argv + 1), (long)environ);
	return 127;
}
C
gcc -O0 -o closer closer.c || die "cannot compile closer.c"
chmod 0755 closer

# run_case NAME [VAR=VALUE...]: records the build with the given environment into
# $W/NAME/a.db, with TMPDIR set to a directory of its own to see what record leaves there.
run_case() {
	local name=$1 st=0
	shift
	mkdir -p "$name/tmp"
	chmod 0777 "$name/tmp"
	env "$@" TMPDIR="$PWD/$name/tmp" "$ASBUILT" record -q --backend preload \
		-o "$PWD/$name/a.db" -- sh -c 'rm -f "$ASBUILT_SOCK"; ./closer /bin/cat a.txt >/dev/null' \
		2>"$name/stderr" || st=$?
	sed "s/^/$name: record: /" "$name/stderr" >&2
	assert_eq 0 "$st" "$name: record exits with the build's status (preload warns)"
	DB=$PWD/$name/a.db
	assert_eq 0 "$(q "SELECT complete FROM builds WHERE id = 1;")" \
		"$name: the record says it is incomplete"
	# the pid in the row is cat's: the one process of the build with no row of its own
	assert_eq 1 "$(q "SELECT count(*) FROM incomplete WHERE build_id = 1
		AND reason = 'collector-unreachable' AND detail GLOB 'pid [0-9]* could not send its events';")" \
		"$name: one incomplete row 'collector-unreachable' for the cat that could not connect"
	grep -q 'collector-unreachable' "$name/stderr" ||
		die "$name: record did not warn about the process it could not hear from"
	assert_eq "" "$(ls -A "$name/tmp")" "$name: record left nothing in TMPDIR"
}

run_case plain
if [ "$(id -u)" = 0 ]; then
	U=65534 # nobody
	mkdir sudo
	chown "$U:$U" sudo
	chmod 0755 sudo
	run_case sudo SUDO_UID=$U SUDO_GID=$U SUDO_USER=nobody
	assert_eq "$U" "$(stat -c %u sudo/a.db)" "sudo: the database belongs to the sudo user"
else
	note "not root: the sudo case is left out"
fi
