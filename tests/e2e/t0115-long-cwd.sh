#!/bin/bash
# t0115: a process whose working directory is deeper than PATH_MAX opens a file by a short
# relative path: the absolute path (over 4,096 bytes) is either stored exactly, or the
# record says it is not: an incomplete row 'path-truncated' and builds.complete = 0.
. "$TOP/tests/e2e/lib.sh"

comp=$(printf 'x%.0s' $(seq 250))
cat >deep.c <<'C'
/* deep N NAME: create and enter N nested directories NAME (a relative chdir each time),
 * then write "f.txt" there and read it back. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = atoi(argv[1]);
	FILE *f;
	char buf[64];

	for (int i = 0; i < n; i++) {
		mkdir(argv[2], 0755); /* EEXIST is fine */
		if (chdir(argv[2]))
			return 1;
	}
	f = fopen("f.txt", "w");
	if (!f || fputs("deep\n", f) < 0 || fclose(f))
		return 1;
	f = fopen("f.txt", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return 1;
	return fclose(f) ? 1 : 0;
}
C
gcc -O0 -o deep deep.c || die "cannot compile deep.c"
record -- ./deep 20 "$comp"
assert_eq 0 "$REC_STATUS" "record exit status"
assert_db_valid

want=$PWD
for i in $(seq 20); do want=$want/$comp; done
want=$want/f.txt
[ ${#want} -gt 4096 ] || die "the path is not longer than 4096 bytes"
exact=$(q "SELECT count(*) FROM file_events WHERE build_id = 1 AND op = 'open'
           AND path = 'f.txt' AND hex(abspath) = '$(hexof "$want")';")
nopen=$(q "SELECT count(*) FROM file_events WHERE build_id = 1 AND op = 'open' AND path = 'f.txt';")
assert_eq 2 "$nopen" "both opens of f.txt are recorded"
if [ "$exact" = 2 ]; then
	note "the ${#want}-byte path is stored exactly"
	assert_build_ok
	assert_eq "$(printf 'deep\n' | sha256sum | cut -d' ' -f1)" \
		"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
		      WHERE e.build_id = 1 AND e.path = 'f.txt';")" "the version of f.txt written and read"
else
	note "the ${#want}-byte path is not stored exactly; the record must say so"
	assert_eq "finished|0|0" "$(q "SELECT state, complete, exit_status FROM builds WHERE id = 1;")" \
		"build state|complete|exit_status"
	[ "$(q "SELECT count(*) FROM incomplete WHERE build_id = 1 AND reason = 'path-truncated';")" -gt 0 ] ||
		die "a truncated path without an incomplete row 'path-truncated'"
fi
