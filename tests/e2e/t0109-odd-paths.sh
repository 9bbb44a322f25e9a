#!/bin/bash
# t0109: paths with spaces, newlines and non-UTF-8 bytes, a path of about 4,000 bytes
# through nested directories, and an argv of more than 1 MB (with empty, newline and
# non-UTF-8 arguments) are stored exactly: compared byte for byte with hex().
. "$TOP/tests/e2e/lib.sh"

# The odd names, each a directory and a file in it.
sp='dir with spaces/file name.txt'
nl=$'dir\nwith\nnewlines/new\nline.txt'
bad=$'bad\xff\xfe dir/\xc3\x28-\x80.txt'
quote="it's \"quoted\"/\$x \\ *.txt"
# A ~4,000-byte absolute path: 200-byte components below $PWD.
comp=$(printf 'd%.0s' $(seq 200))
long=
while [ $((${#PWD} + ${#long} + 201 + 9)) -lt 4000 ]; do
	long="$long$comp/"
done
pad=$((4000 - ${#PWD} - 1 - ${#long} - 4))
long="$long$(printf 'f%.0s' $(seq $pad)).txt"
[ ${#long} -gt 3700 ] || die "could not build a long path"
note "long path: $((${#PWD} + 1 + ${#long})) bytes"

i=0
for f in "$sp" "$nl" "$bad" "$quote" "$long"; do
	mkdir -p -- "$(dirname -- "$f")"
	printf 'content %d\n' $i >"$f"
	i=$((i + 1))
done
printf '%s\0' "$sp" "$nl" "$bad" "$quote" "$long" >list

# The big argv: 10,000 arguments of about 110 bytes, plus an empty one, one with newlines
# and one non-UTF-8, exec'd from inside the build by a program that reads them from a file.
cat >bigexec.c <<'C'
/* bigexec FILE: exec ./sink with the NUL-separated arguments in FILE (argv[0] first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[4 << 20];
	static char *av[1 << 16];
	FILE *f = fopen(argv[1], "rb");
	size_t n, i, k = 0;

	if (argc != 2 || !f)
		return 2;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	for (i = 0; i < n; i += strlen(buf + i) + 1)
		av[k++] = buf + i;
	av[k] = NULL;
	execv("./sink", av);
	return 127;
}
C
gcc -O0 -o bigexec bigexec.c || die "cannot compile bigexec.c"
cp "$(real /bin/true)" sink
{
	printf 'sink\0'
	seq -f "arg%06g-$(printf 'x%.0s' $(seq 100))" 1 5000 | tr '\n' '\0'
	printf '\0'                      # an empty argument
	printf 'two\nlines\0'
	printf 'bad\xff\xfe\xc3\x28\0'
	seq -f "arg%06g-$(printf 'y%.0s' $(seq 100))" 5001 10000 | tr '\n' '\0'
	printf 'last'
} >args
[ "$(stat -c %s args)" -gt 1048576 ] || die "argv file is not over 1 MB"

record_ok -- sh -c 'xargs -0 cat -- <list >/dev/null && ./bigexec args'
assert_build_ok

CAT=$(real /bin/cat)
for f in "$sp" "$nl" "$bad" "$quote" "$long"; do
	want=$(hexof "$PWD/$f")
	got=$(q "SELECT DISTINCT hex(e.abspath) || '|' || hex(e.path) || '|' || hex(e.realpath) || '|'
	         || typeof(e.abspath) || '|' || v.sha256 || '|' || hex(v.path)
	         FROM file_events e JOIN processes p ON p.id = e.process_id
	         JOIN file_versions v ON v.id = e.version_id
	         WHERE e.build_id = 1 AND p.exe = '$CAT' AND e.op = 'open' AND e.access = 'read'
	           AND hex(e.abspath) = '$want';")
	assert_eq "$want|$(hexof "$f")|$want|text|$(sha256 "$f")|$want" "$got" \
		"read of $(printf '%q' "$f" | head -c 100): abspath|path|realpath|type|sha256|version path"
	# = on the TEXT column works too (what docs/database.md tells users to do).
	assert_eq 1 "$(q "SELECT count(*) > 0 FROM file_events WHERE build_id = 1
	                  AND abspath = $(sqlstr "$PWD/$f");")" "abspath = literal for $(printf '%q' "$f" | head -c 100)"
done
assert_empty "$(q "SELECT reason FROM incomplete WHERE build_id = 1;")" "nothing truncated"

# The argv of the sink, exactly.
want=$(hexof_file args)
got=$(q "SELECT $(argv_col argv) FROM processes WHERE build_id = 1 AND exe = '$PWD/sink';")
assert_eq "${#want}" "${#got}" "length of the 1 MB argv (hex digits)"
[ "$want" = "$got" ] || die "the 1 MB argv differs from what was exec'd"
# The cat's argv holds the odd paths as separate arguments.
want=$(hexof "cat")00$(hexof "--")00$(od -An -v -tx1 <list | tr -d ' \n' | tr a-f A-F)
got=$(q "SELECT hex(argv) FROM processes WHERE build_id = 1 AND exe = '$CAT';")
[ "$got" = "$want" ] || [ "${got}00" = "$want" ] || die "argv of xargs' cat differs: $got"
