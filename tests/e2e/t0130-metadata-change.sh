#!/bin/bash
# t0130: a file read and then chmod'ed (debhelper's dh_fixperms between two steps that read
# it, or a step that reads and fixes the mode itself) changed only its change time: the
# collector, which may hash the read later, finds the content it was read with and records
# it with its hash; the record is complete.  (Before, the moved change time made the read
# 'changed-before-hash' under both backends: every ebpf record of libsodium's
# dpkg-buildpackage was incomplete.)
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
cat >chm.c <<'EOF'
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b[64];
	int fd = open(argv[1], O_RDONLY);

	if (fd < 0 || read(fd, b, sizeof b) < 0)
		return 1;
	if (fchmod(fd, 0600)) /* metadata only: the change time moves, not the content */
		return 1;
	return close(fd);
}
EOF
gcc -O0 -o chm chm.c || die "cannot compile chm.c"

backends_here
for b in $BACKENDS; do
	echo "read, then made private" >"in-$b.txt"
	chmod 0644 "in-$b.txt"
	DB=$PWD/$b.db
	st=0
	"$ASBUILT" record -q --backend "$b" -o "$DB" -- ./chm "in-$b.txt" 2>"$b.err" || st=$?
	sed "s/^/record($b): /" "$b.err" >&2
	assert_eq 0 "$st" "$b: record exit status"
	assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
		"$b: complete|incomplete rows"
	assert_eq "ok|$(sha256 "in-$b.txt")" "$(q "SELECT v.state, v.sha256 FROM file_events e
		JOIN file_versions v ON v.id = e.version_id WHERE e.abspath = '$PWD/in-$b.txt';")" \
		"$b: the read's version state|sha256"
done
