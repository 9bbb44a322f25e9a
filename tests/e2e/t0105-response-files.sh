#!/bin/bash
# t0105: gcc and ld response files (@file): the response file is a read input, and so is
# every file it names; the temporary response files gcc hands to cc1 and ld are read too.
. "$TOP/tests/e2e/lib.sh"

mkdir inc
printf 'int one(void);\n' >inc/r.h
printf '#include "r.h"\nint one(void) { return 1; }\n' >one.c
printf '#include "r.h"\nint main(void) { return one() - 1; }\n' >main.c
printf -- '-c -Iinc -O0\n-o one.o one.c\n' >cc.rsp
printf -- '-c -Iinc -O0 -o main.o main.c\n' >cc2.rsp
printf -- 'one.o main.o\n-o prog\n' >link.rsp
printf -- '-r one.o main.o -o combined.o\n' >ld.rsp

record_ok -- sh -c 'gcc @cc.rsp && gcc @cc2.rsp && gcc @link.rsp && ld @ld.rsp && ./prog'
assert_build_ok

GCC=$(real "$(command -v gcc)")
CC1=$(real "$(gcc -print-prog-name=cc1)")
LD=$(real "$(command -v ld)")
for f in cc.rsp cc2.rsp link.rsp; do
	assert_read_by "$GCC" "$f"
done
assert_read_by "$LD" ld.rsp
for f in one.c main.c inc/r.h; do
	assert_read_by "$CC1" "$f"
done
assert_read_by "$LD" one.o "ld (through gcc @link.rsp) read one.o"
assert_read_by "$LD" main.o "ld (through gcc @link.rsp) read main.o"
for f in one.o main.o prog combined.o; do
	assert_written "$f"
done
# ld @ld.rsp itself: the process that read ld.rsp also read both objects.
assert_eq "$(sha256 main.o)
$(sha256 one.o)" \
	"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.op = 'open' AND e.access = 'read' AND e.result >= 0
	        AND e.abspath IN ('$PWD/one.o', '$PWD/main.o') AND e.process_id IN (
	          SELECT process_id FROM file_events WHERE build_id = 1 AND abspath = '$PWD/ld.rsp')
	      ORDER BY e.abspath;")" "ld @ld.rsp read main.o and one.o"

# gcc passes its options to cc1 and (through collect2) ld in temporary response files
# written during the build: cc1 and ld read such a file, named @FILE in their argv.
for exe in "$CC1" "$LD"; do
	n=$(q "SELECT count(*) FROM file_events r JOIN processes p ON p.id = r.process_id
	       WHERE r.build_id = 1 AND p.exe = '$exe' AND r.op = 'open' AND r.access = 'read'
	         AND r.result >= 0 AND EXISTS (
	           SELECT 1 FROM file_events w
	           WHERE w.build_id = 1 AND w.op = 'open' AND w.access = 'write'
	             AND w.abspath = r.abspath AND w.id < r.id)
	         AND EXISTS (SELECT 1 FROM processes x WHERE x.id = r.process_id
	           AND instr(CAST(x.argv AS BLOB), CAST('@' || r.abspath AS BLOB)) > 0);")
	[ "$n" -gt 0 ] || die "$exe did not read a response file written during the build"
done
