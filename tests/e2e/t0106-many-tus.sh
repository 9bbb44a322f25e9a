#!/bin/bash
# t0106: make -j32 of 2,000 generated translation units sharing one header, compiled with
# -MD: for every compile, every dependency its .d file lists was read by that compile's
# cc1 with the right hash, and no read is duplicated (each .c read exactly once by cc1).
. "$TOP/tests/e2e/lib.sh"

N=${T0106_N:-2000}
JOBS=${T0106_JOBS:-32}
mkdir src
printf '#ifndef COMMON_H\n#define COMMON_H\n#include <stddef.h>\n#define K 7\n#endif\n' >src/common.h
i=0
while [ $i -lt "$N" ]; do
	printf '#include "common.h"\nsize_t f%d(void) { return K + %d; }\n' $i $i >src/tu$i.c
	i=$((i + 1))
done
cat >Makefile <<'MK'
SRCS := $(wildcard src/tu*.c)
OBJS := $(SRCS:src/%.c=obj/%.o)
all: $(OBJS)
obj/%.o: src/%.c
	@$(CC) -O0 -MD -Isrc -c -o $@ $<
$(OBJS): | obj
obj:
	@mkdir -p obj
MK

record_ok -- make -j"$JOBS" CC=gcc
assert_build_ok
[ "$(ls obj/*.d | wc -l)" = "$N" ] || die "expected $N .d files"

CC1=$(real "$(gcc -print-prog-name=cc1)")
assert_eq "$N" "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$CC1';")" \
	"one cc1 per translation unit"

# expect.csv: source,dependency (real path),sha256 for every dependency of every .d file.
# "obj/tu1.o: src/tu1.c src/common.h \\" + " /usr/lib/.../stddef.h" -> "obj/tu1.d DEP" lines
awk 'FNR == 1 { sub(/^[^:]*:/, "") } { sub(/\\$/, ""); for (i = 1; i <= NF; i++) print FILENAME, $i }' \
	obj/*.d >deps
cut -d' ' -f2 deps | sort -u >depfiles
xargs -d '\n' realpath -- <depfiles >depreal
xargs -d '\n' sha256sum -- <depfiles | cut -d' ' -f1 >depsha
paste -d' ' depfiles depreal depsha >hashes
sort -k1,1 hashes >hashes.s
sort -k2,2 deps | join -1 2 -2 1 - hashes.s |
	awk -v pwd="$PWD" '{ src = $2; sub(/^obj\//, "", src); sub(/\.d$/, ".c", src);
	                     print pwd "/src/" src "," $3 "," $4 }' >expect.csv
[ "$(wc -l <expect.csv)" -ge $((N * 3)) ] || die "fewer than 3 dependencies per translation unit"
for f in src/tu0.c src/common.h stddef.h; do
	grep -q "^$PWD/src/tu0.c,.*/$f," expect.csv || die "tu0.o.d does not list $f"
done

qs >bad <<SQL
CREATE TEMP TABLE x (src TEXT, dep TEXT, sha TEXT);
.mode csv
.import expect.csv x
.mode list
   CREATE TEMP TABLE c AS
     SELECT e.process_id AS pid, e.abspath AS src FROM file_events e
     JOIN processes p ON p.id = e.process_id
     WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
       AND e.result >= 0 AND e.abspath LIKE '%.c';
   CREATE INDEX c_src ON c (src);
   SELECT 'missing: ' || x.src || ' ' || x.dep FROM x WHERE NOT EXISTS (
     SELECT 1 FROM c JOIN file_events e ON e.process_id = c.pid
     JOIN file_versions v ON v.id = e.version_id
     WHERE c.src = x.src AND e.op = 'open' AND e.access = 'read' AND e.result >= 0
       AND e.realpath = x.dep AND v.sha256 = x.sha) LIMIT 20;
   SELECT 'read ' || count(*) || ' times: ' || src FROM c GROUP BY src HAVING count(*) != 1
     LIMIT 20;
   SELECT 'not a source: ' || src FROM c WHERE src NOT IN (SELECT src FROM x) LIMIT 20;
SQL
assert_empty "$(cat bad)" "dependencies of the compiles"
assert_eq "$N" "$(q "SELECT count(DISTINCT e.abspath) FROM file_events e JOIN processes p
                     ON p.id = e.process_id WHERE e.build_id = 1 AND p.exe = '$CC1'
                     AND e.op = 'open' AND e.access = 'read' AND e.abspath LIKE '%.c';")" \
	"every source read"
# The shared header has one version (nothing rewrote it), read by every compile.
assert_eq "1|$(sha256 src/common.h)|preexisting" \
	"$(q "SELECT count(*), max(sha256), max(origin) FROM file_versions
	      WHERE build_id = 1 AND path = '$PWD/src/common.h';")" "versions of common.h"
assert_eq "$N" "$(q "SELECT count(DISTINCT e.process_id) FROM file_events e
                     JOIN file_versions v ON v.id = e.version_id
                     WHERE e.build_id = 1 AND v.path = '$PWD/src/common.h';")" \
	"common.h read by every compile"
# Every object was written and hashed.
assert_empty "$(q "SELECT count(*) FROM file_versions WHERE build_id = 1
                   AND path LIKE '$PWD/obj/%.o' AND state = 'ok' HAVING count(*) != $N;")" \
	"one ok version per object"
