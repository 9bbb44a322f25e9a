#!/bin/bash
# t0104: a header regenerated in the middle of a build is two inputs: file_versions holds
# vseq 1 and 2 of it, each with the hash of the content it had then, and each compile's read
# event links to the version that compile saw.
. "$TOP/tests/e2e/lib.sh"

cat >mkhdr.c <<'C'
/* mkhdr N FILE: write a header defining V as N into FILE (in place, same size each time) */
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *f;

	if (argc != 3 || !(f = fopen(argv[2], "w")))
		return 2;
	fprintf(f, "#define V %s\n", argv[1]);
	return fclose(f) ? 1 : 0;
}
C
printf '#include "gen.h"\nint a(void) { return V; }\n' >a.c
printf '#include "gen.h"\nint b(void) { return V; }\n' >b.c
cat >Makefile <<'MK'
all: b.o
mkhdr: mkhdr.c
	$(CC) -O0 -o $@ mkhdr.c
a.o: a.c mkhdr
	./mkhdr 1 gen.h
	$(CC) -O0 -c -o $@ a.c
b.o: b.c a.o
	./mkhdr 2 gen.h
	$(CC) -O0 -c -o $@ b.c
MK
printf '#define V 1\n' >v1
printf '#define V 2\n' >v2

record_ok -- make CC=gcc
assert_build_ok
cmp -s gen.h v2 || die "gen.h does not hold the second content"

G=$PWD/gen.h
MKHDR=$PWD/mkhdr
# Two versions, both written by mkhdr, each with the content of its time.
assert_eq "1|$(sha256 v1)|$(gitoid_sha1 v1)|12|written|ok|$MKHDR
2|$(sha256 v2)|$(gitoid_sha1 v2)|12|written|ok|$MKHDR" \
	"$(q "SELECT v.vseq, v.sha256, v.gitoid_sha1, v.size, v.origin, v.state, p.exe
	      FROM file_versions v LEFT JOIN processes p ON p.id = v.writer_id
	      WHERE v.build_id = 1 AND v.path = '$G' ORDER BY v.vseq;")" \
	"versions of gen.h: vseq|sha256|gitoid_sha1|size|origin|state|writer"

# Each compile read the version that existed when it ran.
CC1=$(real "$(gcc -print-prog-name=cc1)")
for pair in a.c:1 b.c:2; do
	src=${pair%:*} vseq=${pair#*:}
	assert_eq "$vseq" \
		"$(q "SELECT group_concat(v.vseq) FROM file_events e
		      JOIN file_versions v ON v.id = e.version_id
		      WHERE e.op = 'open' AND e.access = 'read' AND e.result >= 0
		        AND e.realpath = '$G' AND e.process_id = (
		          SELECT x.process_id FROM file_events x JOIN processes p ON p.id = x.process_id
		          WHERE x.build_id = 1 AND p.exe = '$CC1' AND x.op = 'open'
		            AND x.abspath = '$PWD/$src');")" \
		"the compile of $src read gen.h version $vseq"
done
# The writes of gen.h link to the version each produced.
assert_eq "1
2" "$(q "SELECT v.vseq FROM file_events e JOIN file_versions v ON v.id = e.version_id
         WHERE e.build_id = 1 AND e.op = 'open' AND e.access = 'write' AND e.abspath = '$G'
         ORDER BY e.id;")" "write events of gen.h link to versions 1 and 2, in order"
assert_written a.o
assert_written b.o
