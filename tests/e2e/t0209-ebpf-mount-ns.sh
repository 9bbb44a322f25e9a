#!/bin/bash
# t0209: a build step in a mount namespace of its own (unshare -m, bwrap, a container,
# sbuild's unshare mode) names files by that namespace's mounts.  Under ebpf, a file of a
# directory bound into the namespace from the host's root filesystem is recorded under its
# host path, with the hash of its content; a file of a filesystem only the namespace has (a
# tmpfs mounted there) has no host path: the record says so ('mount-namespace', naming the
# namespace's path) instead of looking the name up on the host, where it is nothing or
# another file.  Before, every such file was recorded under the namespace's path and
# ended as 'vanished-before-hash'.  Under preload the process that calls unshare(2), or
# clone(2) with CLONE_NEWNS (directly or through syscall()), is named ('mount-namespace').
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
# the bound directory must be on the filesystem of / for its files to have host paths
[ "$(stat -c %d "$PWD")" = "$(stat -c %d /)" ] ||
	die "the test directory $PWD is not on the root filesystem"

mkdir -p src mnt
echo "bound in from the host" >src/in.txt
DB=$PWD/ns.db
st=0
"$ASBUILT" record -q --allow-incomplete --backend ebpf -o "$DB" -- \
	unshare -m --propagation private sh -c '
		mount --bind "$1/src" "$1/mnt" &&
		cat "$1/mnt/in.txt" >/dev/null &&
		cp "$1/mnt/in.txt" "$1/mnt/out.txt" &&
		mount -t tmpfs none "$1/mnt" &&
		echo only in the namespace >"$1/mnt/tmp.txt" &&
		cat "$1/mnt/tmp.txt" >/dev/null' sh "$PWD" 2>record.err || st=$?
sed 's/^/record: /' record.err >&2
assert_eq 0 "$st" "record exit status (--allow-incomplete)"
cmp -s src/in.txt src/out.txt || die "cp in the namespace did not write src/out.txt"
[ ! -e mnt/tmp.txt ] || die "the namespace's tmpfs leaked to the host"

# the files bound in: recorded under their host paths, hashed
P=$(sqlstr "$PWD/mnt/%")
assert_eq "cat|read|$PWD/mnt/in.txt|$PWD/src/in.txt|$(sha256 src/in.txt)
cp|read|$PWD/mnt/in.txt|$PWD/src/in.txt|$(sha256 src/in.txt)
cp|write|$PWD/mnt/out.txt|$PWD/src/out.txt|$(sha256 src/out.txt)" \
	"$(q "SELECT replace(p.exe, rtrim(p.exe, replace(p.exe, '/', '')), ''), e.access, e.path,
	             e.realpath, ifnull(v.sha256, '')
	      FROM file_events e JOIN processes p ON p.id = e.process_id
	      LEFT JOIN file_versions v ON v.id = e.version_id
	      WHERE e.op = 'open' AND e.path LIKE $P AND e.path NOT LIKE '%tmp.txt'
	      ORDER BY e.id;")" "the opens of the bound files: host path and hash"

# the namespace's own tmpfs: said, once per use, and nothing else is incomplete
assert_eq "0|mount-namespace|$PWD/mnt/tmp.txt|2" \
	"$(q "SELECT b.complete, i.reason, i.detail, count(*) FROM builds b
	      JOIN incomplete i ON i.build_id = b.id GROUP BY i.reason, i.detail;")" \
	"the tmpfs file: builds.complete|reason|detail|rows"
assert_eq "" "$(q "SELECT v.id FROM file_versions v WHERE v.path LIKE $P;")" \
	"no version of a namespace path was looked up on the host"
grep -q 'mount-namespace' record.err || die "record did not warn about the namespace"

# preload cannot see the namespace's mounts: the process that entered it says so
# ('mount-namespace', naming the call), besides what its children's lookups on the host give
DB=$PWD/ns-preload.db
rm -f src/out.txt
st=0
"$ASBUILT" record -q --backend preload -o "$DB" -- \
	unshare -m --propagation private sh -c '
		mount --bind "$1/src" "$1/mnt" && cat "$1/mnt/in.txt" >/dev/null' sh "$PWD" \
	2>record.err || st=$?
sed 's/^/record(preload): /' record.err >&2
assert_eq 0 "$st" "preload: record exit status"
assert_eq "0|unshare|unshare" \
	"$(q "SELECT b.complete, i.detail, replace(p.exe, rtrim(p.exe, replace(p.exe, '/', '')), '')
	      FROM builds b JOIN incomplete i ON i.build_id = b.id
	      JOIN processes p ON p.id = i.process_id WHERE i.reason = 'mount-namespace';")" \
	"preload: builds.complete|detail|the process that called unshare"

# clone(CLONE_NEWNS) made directly (as bwrap starts its child) and by number (bwrap's
# raw_clone, through syscall()): the parent says so too
cat >clonens.c <<'CEOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *path;

static int child(void *arg)
{
	return open(path, O_RDONLY) < 0;
}

int main(int argc, char **argv)
{
	static char stack[65536];
	int st, bad = 0;
	pid_t p;

	path = argv[1];
	p = clone(child, stack + sizeof stack, CLONE_NEWNS | SIGCHLD, NULL);
	if (p < 0 || waitpid(p, &st, 0) != p || st)
		bad = 1;
	p = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (p == 0)
		_exit(child(NULL));
	if (p < 0 || waitpid(p, &st, 0) != p || st)
		bad = 1;
	return bad;
}
CEOF
gcc -O2 -o clonens clonens.c || die "cannot compile clonens.c"
DB=$PWD/ns-clone.db
st=0
"$ASBUILT" record -q --backend preload -o "$DB" -- ./clonens "$PWD/src/in.txt" 2>record.err ||
	st=$?
sed 's/^/record(clone): /' record.err >&2
assert_eq 0 "$st" "clone: record exit status"
assert_eq "0|clone|clonens
0|clone by syscall()|clonens" \
	"$(q "SELECT b.complete, i.detail, replace(p.exe, rtrim(p.exe, replace(p.exe, '/', '')), '')
	      FROM builds b JOIN incomplete i ON i.build_id = b.id
	      JOIN processes p ON p.id = i.process_id WHERE i.reason = 'mount-namespace'
	      ORDER BY i.id;")" \
	"clone: builds.complete|detail|the process that called clone"
