#!/bin/bash
# t0107: a build step that execs a static binary, which the preload backend cannot see
# inside: asbuilt warns on stderr, the build still succeeds (record exits 0), and the
# database says so: builds.complete = 0, an incomplete row 'static-binary' naming the
# binary, and the static image's process row flagged static = 1.
. "$TOP/tests/e2e/lib.sh"

cat >stat.c <<'C'
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "in.txt", "r");
	int c, n = 0;

	if (!f)
		return 1;
	while ((c = fgetc(f)) != EOF)
		n++;
	printf("%d\n", n);
	return fclose(f);
}
C
gcc -static -O0 -o stathelper stat.c 2>/dev/null || skip "gcc -static does not work (no libc.a?)"
echo "static input" >in.txt
echo "dynamic input" >in2.txt

record -- sh -c './stathelper in.txt >count.txt && cat in2.txt >/dev/null'
assert_eq 0 "$REC_STATUS" "record exits with the build's status"
assert_eq "13" "$(cat count.txt)" "the static helper ran"
grep -q stathelper record.err || die "no warning naming the static binary on stderr"

assert_db_valid
assert_eq "finished|0|0" "$(q "SELECT state, complete, exit_status FROM builds WHERE id = 1;")" \
	"build state|complete|exit_status"
assert_eq "1" "$(q "SELECT count(*) FROM incomplete WHERE build_id = 1 AND reason = 'static-binary'
                    AND (detail = '$PWD/stathelper' OR detail = './stathelper');")" \
	"one incomplete row 'static-binary' whose detail is the binary"
assert_eq "1" \
	"$(q "SELECT static FROM processes WHERE build_id = 1 AND exe = '$PWD/stathelper';")" \
	"the static image's process row is flagged static"
assert_empty "$(q "SELECT exe_sha256 FROM processes WHERE build_id = 1 AND exe = '$PWD/stathelper'
                   AND exe_sha256 IS NOT NULL AND exe_sha256 != '$(sha256 stathelper)';")" \
	"exe_sha256 of the static image, when known, is its hash"
# What ran is still known by hash: the exec event links to the binary's version.
assert_eq "$(sha256 stathelper)" \
	"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.build_id = 1 AND e.op = 'exec' AND e.result >= 0
	        AND e.realpath = '$PWD/stathelper';")" "sha256 of the exec'd static binary"
assert_empty "$(q "SELECT i.id FROM incomplete i LEFT JOIN processes p ON p.id = i.process_id
                   WHERE i.build_id = 1 AND i.process_id IS NOT NULL
                     AND (p.id IS NULL OR p.build_id != 1);")" \
	"incomplete.process_id points at a process of the build"
assert_empty "$(q "SELECT reason FROM incomplete WHERE build_id = 1 AND reason != 'static-binary';")" \
	"no other incompleteness"
# The rest of the build is still recorded.
assert_read_by "$(real /bin/cat)" in2.txt
