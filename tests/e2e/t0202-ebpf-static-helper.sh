#!/bin/bash
# t0202: a build compiles a statically linked helper (gcc -static), runs it to turn a data
# file into a generated header, then compiles a program that includes the header.
#   preload: the interposer cannot enter the static helper: an incomplete row
#            'static-binary' names it, builds.complete = 0, and the helper's read of the
#            data file is missing from the record.
#   ebpf:    the kernel sees inside it: complete = 1, the helper's process row has
#            static = 1, its read of the data file and its write of the header are there
#            with the right sha256, and the compile's read of the header links to the very
#            version the helper wrote.
. "$TOP/tests/e2e/lib.sh"

# rec BACKEND COMMAND...: record COMMAND with BACKEND into $DB; fail unless it exits 0.
rec() {
	local backend=$1 rc=0
	shift
	timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend "$backend" -- "$@" \
		2>record.err || rc=$?
	[ ! -s record.err ] || sed "s/^/record($backend): /" record.err >&2
	assert_eq 0 "$rc" "asbuilt record --backend $backend exit status"
}

need_asbuilt
need_ebpf
echo 'int main(void) { return 0; }' >probe.c
gcc -static -o probe probe.c 2>/dev/null || skip "gcc -static does not work (no libc.a?)"
rm -f probe probe.c

cat >helper.c <<'C'
/* helper DATA OUT: writes OUT, a header defining DATA_SUM (sum of DATA's bytes) and
 * DATA_LEN, using only open/read/write (a static binary: no interposer inside). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096], out[256];
	unsigned long sum = 0, len = 0;
	ssize_t n, i;
	int in, fd;

	if (argc != 3 || (in = open(argv[1], O_RDONLY)) < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++, len++)
			sum += (unsigned char)buf[i];
	close(in);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	n = snprintf(out, sizeof(out), "#define DATA_SUM %luUL\n#define DATA_LEN %luUL\n", sum, len);
	if (write(fd, out, (size_t)n) != n)
		return 1;
	return close(fd) != 0;
}
C
cat >prog.c <<'C'
#include <stdio.h>
#include "gen.h"

int main(void)
{
	printf("%lu %lu\n", DATA_SUM, DATA_LEN);
	return 0;
}
C
printf 'the data the static helper reads\n' >data.txt
cat >Makefile <<'MK'
all: prog
helper: helper.c
	$(CC) -static -O0 -o $@ helper.c
gen.h: helper data.txt
	./helper data.txt gen.h
prog: prog.c gen.h
	$(CC) -O0 -o $@ prog.c
clean:
	rm -f helper gen.h prog
.PHONY: all clean
MK
want_run="$(od -An -v -tu1 data.txt | tr -s ' ' '\n' | awk 'NF { s += $1; n++ } END { print s, n }')"

CC1=$(real "$(gcc -print-prog-name=cc1)")
HELPER=$PWD/helper
DATA=$PWD/data.txt
GEN=$PWD/gen.h

# --- preload: blind inside the static helper ----------------------------------------
rec preload make CC=gcc
assert_eq "$want_run" "$(./prog)" "prog prints the sum and length of data.txt (preload build)"
assert_eq "1|preload|finished|0|0" \
	"$(q "SELECT id, backend, state, exit_status, complete FROM builds WHERE id = 1;")" \
	"preload build: id|backend|state|exit_status|complete"
assert_eq 1 "$(q "SELECT count(*) FROM incomplete WHERE build_id = 1 AND reason = 'static-binary'
                  AND (detail = '$HELPER' OR detail = './helper');")" \
	"preload build: one incomplete row 'static-binary' naming the helper"
assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = 1
                   AND reason != 'static-binary';")" "preload build: other incomplete rows"
assert_eq 0 "$(q "SELECT count(*) FROM file_events WHERE build_id = 1
                  AND (abspath = '$DATA' OR realpath = '$DATA');")" \
	"preload build: no event of data.txt (only the helper reads it, from inside)"

# --- ebpf: sees inside ---------------------------------------------------------------
make clean >/dev/null
rec ebpf make CC=gcc
assert_eq "$want_run" "$(./prog)" "prog prints the sum and length of data.txt (ebpf build)"
assert_eq "2|ebpf|finished|0|1" \
	"$(q "SELECT id, backend, state, exit_status, complete FROM builds WHERE id = 2;")" \
	"ebpf build: id|backend|state|exit_status|complete"
assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = 2;")" \
	"ebpf build has incomplete rows"

hid=$(q "SELECT id FROM processes WHERE build_id = 2 AND exe = '$HELPER';")
assert_eq 1 "$(printf '%s\n' "$hid" | grep -c .)" "ebpf build: one process row for the helper"
assert_eq "1|ebpf|$(sha256 helper)" \
	"$(q "SELECT static, source, ifnull(exe_sha256, '$(sha256 helper)') FROM processes WHERE id = $hid;")" \
	"ebpf build: helper row static|source|exe_sha256 (when known)"

# Its read of the data file, with the data file's hash.
assert_eq "$(sha256 data.txt)|ok" \
	"$(q "SELECT DISTINCT v.sha256, v.state FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.process_id = $hid AND e.op = 'open' AND e.access = 'read' AND e.result >= 0
	        AND e.realpath = '$DATA';")" "ebpf build: the helper's read of data.txt sha256|state"

# Its write of the header: the event points at a version written by the helper, whose hash
# is the header's content; no one else wrote the header.
gvid=$(q "SELECT DISTINCT e.version_id FROM file_events e
          WHERE e.process_id = $hid AND e.op = 'open' AND e.access = 'write' AND e.result >= 0
            AND e.realpath = '$GEN';")
assert_eq 1 "$(printf '%s\n' "$gvid" | grep -c .)" "ebpf build: one write of gen.h by the helper"
assert_eq "$(sha256 gen.h)|ok|written|$hid" \
	"$(q "SELECT sha256, state, origin, writer_id FROM file_versions WHERE id = $gvid;")" \
	"ebpf build: version the helper wrote: sha256|state|origin|writer_id"
assert_eq "1|$gvid" "$(q "SELECT count(*), max(id) FROM file_versions WHERE build_id = 2 AND path = '$GEN';")" \
	"ebpf build: gen.h has exactly the one version the helper wrote"

# The compile of prog.c read that version of the header.
assert_eq "$gvid" \
	"$(q "SELECT DISTINCT e.version_id FROM file_events e JOIN processes p ON p.id = e.process_id
	      WHERE e.build_id = 2 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
	        AND e.result >= 0 AND e.realpath = '$GEN';")" \
	"ebpf build: cc1's read of gen.h links to the version the helper wrote"
assert_eq "$(sha256 prog.c)" \
	"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN processes p ON p.id = e.process_id
	      JOIN file_versions v ON v.id = e.version_id
	      WHERE e.build_id = 2 AND p.exe = '$CC1' AND e.access = 'read' AND e.realpath = '$PWD/prog.c'
	        AND e.process_id IN (SELECT process_id FROM file_events WHERE version_id = $gvid
	                             AND access = 'read');")" \
	"ebpf build: the cc1 that read gen.h compiled prog.c"
