#!/bin/bash
# t0128: a build process that chroots (as pbuilder and sbuild do, or a build's own step)
# names files by paths under its new root.  Under ebpf the kernel side walks every path up
# to the build's root, not the process's, so the record holds the files' real names and
# their hashes: a read and a write by absolute name, a read by relative name, an unlink and
# a rename by absolute name, all below the jail.  Under preload the interposer cannot
# follow (and the programs exec'd there would not find it): the record says so ('chroot',
# naming the new root) instead of hashing the host's /etc/hostname for the jail's.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" != true ] || die "not root under CI=true: chroot needs CAP_SYS_CHROOT"
	skip "not root: chroot needs CAP_SYS_CHROOT"
fi
cat >jailed.c <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int copy(const char *in, const char *out)
{
	char b[256];
	int fd = open(in, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b);

	if (n < 0)
		return 1;
	close(fd);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, b, (size_t)n) != n)
		return 1;
	return close(fd);
}

int main(int argc, char **argv)
{
	if (chroot(argv[1]) || chdir("/src")) {
		perror("chroot");
		return 1;
	}
	return copy("/etc/hostname", "/out.txt") || copy("data.txt", "/src/copy.tmp") ||
	       rename("/src/copy.tmp", "/src/copy.txt") || unlink("/old.txt");
}
EOF
gcc -O0 -o jailed jailed.c || die "cannot compile jailed.c"
JAIL=$PWD/jail

setup() {
	rm -rf jail
	mkdir -p jail/etc jail/src
	echo "jailed host name" >jail/etc/hostname
	echo "data in the jail" >jail/src/data.txt
	echo old >jail/old.txt
}

backends_here

for b in $BACKENDS; do
	setup
	DB=$PWD/$b.db
	st=0
	"$ASBUILT" record -q --backend "$b" -o "$DB" -- ./jailed "$JAIL" 2>"$b.err" || st=$?
	sed "s/^/record($b): /" "$b.err" >&2
	assert_eq 0 "$st" "$b: record exit status"
	cmp -s jail/etc/hostname jail/out.txt || die "$b: the program did not copy in its jail"
	[ ! -e jail/old.txt ] || die "$b: the program did not unlink in its jail"
	if [ "$b" = preload ]; then
		assert_eq "0|$JAIL" "$(q "SELECT b.complete, i.detail FROM builds b JOIN incomplete i
		                          WHERE i.reason = 'chroot';")" "preload: complete|the new root"
		grep -q 'chroot' "$b.err" || die "preload: record did not warn"
		continue
	fi
	assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
		"ebpf: complete|incomplete rows"
	J=$(sqlstr "$(real jailed)")
	# rows: op|access|path as given|name below the build's root|sha256 of that version
	assert_eq "open|read|/etc/hostname|$JAIL/etc/hostname|$(sha256 jail/etc/hostname)
open|write|/out.txt|$JAIL/out.txt|$(sha256 jail/out.txt)
open|read|data.txt|$JAIL/src/data.txt|$(sha256 jail/src/data.txt)
open|write|/src/copy.tmp|$JAIL/src/copy.tmp|" \
		"$(q "SELECT e.op, e.access, e.path, e.abspath, ifnull(v.sha256, '')
		      FROM file_events e JOIN processes p ON p.id = e.process_id
		      LEFT JOIN file_versions v ON v.id = e.version_id
		      WHERE p.exe = $J AND e.op = 'open' AND e.abspath LIKE '$JAIL/%' ORDER BY e.id;")" \
		"ebpf: the opens below the jail"
	assert_eq "rename|$JAIL/src/copy.tmp|$JAIL/src/copy.txt|$(sha256 jail/src/copy.txt)
unlink|$JAIL/old.txt||" \
		"$(q "SELECT e.op, e.abspath, ifnull(e.abspath2, ''), ifnull(v.sha256, '')
		      FROM file_events e JOIN processes p ON p.id = e.process_id
		      LEFT JOIN file_versions v ON v.id = e.version_id
		      WHERE p.exe = $J AND e.op IN ('rename', 'unlink') ORDER BY e.id;")" \
		"ebpf: the rename and the unlink by absolute names in the jail"
done
