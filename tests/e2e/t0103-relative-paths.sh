#!/bin/bash
# t0103: paths are recorded as given, made absolute against the right directory, and
# resolved: relative opens after chdir and fchdir, openat with a real directory fd, a path
# through a symlinked directory, and a compile that includes a symlinked header.
. "$TOP/tests/e2e/lib.sh"

mkdir -p sub sub2 dir3 realdir real inc
echo a >sub/a.txt
echo b >sub/b.txt
echo c >dir3/c.txt
echo d >realdir/d.txt
ln -s realdir lnkdir
printf '#define ANSWER 42\n' >real/target.h
ln -s ../real/target.h inc/link.h
printf '#include "link.h"\nint answer(void) { return ANSWER; }\n' >use.c

cat >paths.c <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int slurp(int fd)
{
	char buf[64];

	if (fd < 0)
		return 1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return close(fd);
}

int main(void)
{
	int top = open(".", O_RDONLY | O_DIRECTORY);
	int sub2 = open("sub2", O_RDONLY | O_DIRECTORY);
	int dir3 = open("dir3", O_RDONLY | O_DIRECTORY);
	int err = 0;

	err |= slurp(open("lnkdir/d.txt", O_RDONLY));   /* through a symlinked directory */
	err |= slurp(openat(dir3, "c.txt", O_RDONLY));  /* dirfd, cwd unchanged */
	err |= chdir("sub");
	err |= slurp(open("a.txt", O_RDONLY));          /* relative to sub */
	err |= fchdir(sub2);
	err |= slurp(open("../sub/b.txt", O_RDONLY));   /* relative to sub2, with .. */
	err |= fchdir(top);
	err |= slurp(openat(AT_FDCWD, "./dir3/../sub/a.txt", O_RDONLY));
	return err ? 1 : 0;
}
C
gcc -O0 -o paths paths.c || die "cannot compile paths.c"

record_ok -- sh -c './paths && gcc -Iinc -c -o use.o use.c'
assert_build_ok

P=$(q "SELECT id FROM processes WHERE build_id = 1 AND exe = '$PWD/paths';")
assert_eq 1 "$(printf '%s\n' "$P" | grep -c .)" "one process row for paths"
# events FILE: path|abspath|realpath|sha256 of the reads by paths whose realpath is FILE.
events() {
	q "SELECT e.path, e.abspath, e.realpath, v.sha256 FROM file_events e
	   LEFT JOIN file_versions v ON v.id = e.version_id
	   WHERE e.process_id = $P AND e.op = 'open' AND e.access = 'read'
	     AND e.realpath = '$PWD/$1' ORDER BY e.id;"
}
assert_eq "lnkdir/d.txt|$PWD/lnkdir/d.txt|$PWD/realdir/d.txt|$(sha256 realdir/d.txt)" \
	"$(events realdir/d.txt)" "open through a symlinked directory"
assert_eq "c.txt|$PWD/dir3/c.txt|$PWD/dir3/c.txt|$(sha256 dir3/c.txt)" \
	"$(events dir3/c.txt)" "openat with a directory fd"
assert_eq "a.txt|$PWD/sub/a.txt|$PWD/sub/a.txt|$(sha256 sub/a.txt)
./dir3/../sub/a.txt|$PWD/sub/a.txt|$PWD/sub/a.txt|$(sha256 sub/a.txt)" \
	"$(events sub/a.txt)" "open after chdir, and a path with . and .."
assert_eq "../sub/b.txt|$PWD/sub/b.txt|$PWD/sub/b.txt|$(sha256 sub/b.txt)" \
	"$(events sub/b.txt)" "open after fchdir"
# The chdir itself is an event, made absolute.
assert_eq "sub|$PWD/sub" \
	"$(q "SELECT path, abspath FROM file_events WHERE process_id = $P AND op = 'chdir'
	      AND result = 0 ORDER BY id LIMIT 1;")" "chdir event"

# The symlinked header: path as cc1 gave it, abspath keeps the link, realpath is the target,
# and the version is the target's content.
CC1=$(real "$(gcc -print-prog-name=cc1)")
assert_eq "inc/link.h|$PWD/inc/link.h|$PWD/real/target.h|$(sha256 real/target.h)|$PWD/real/target.h" \
	"$(q "SELECT e.path, e.abspath, e.realpath, v.sha256, v.path FROM file_events e
	      JOIN processes p ON p.id = e.process_id JOIN file_versions v ON v.id = e.version_id
	      WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
	        AND e.abspath = '$PWD/inc/link.h';")" \
	"symlinked header: path|abspath|realpath|sha256|version path"
assert_written use.o
