#!/bin/bash
# t0205: the eBPF backend under load: make -j32 of 2,000 generated translation units (each
# compile -MD, all including one shared header), recorded with --backend ebpf.  Nothing
# may be lost: builds.nlost = 0 and no 'events-lost' row; for every compile, every
# dependency its .d file lists was read by that compile's cc1 with the file's sha256, and
# each .c was read exactly once, by one cc1.
# Measured on 2 cores: the recorded build of 2,000 TUs takes ~40 s and the whole test about
# a minute, so the default stays 2,000 (T0205_N and T0205_JOBS override).
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf
N=${T0205_N:-2000}
JOBS=${T0205_JOBS:-32}

mkdir src obj
cat >src/shared.h <<'H'
#ifndef SHARED_H
#define SHARED_H
#include <stdint.h>
#define BASE 11
#endif
H
awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++) {
		f = "src/u" i ".c"
		printf "#include \"shared.h\"\nuint32_t u%d(void) { return BASE * %d; }\n", i, i > f
		close(f)
	}
}'
cat >Makefile <<'MK'
OBJS := $(patsubst src/%.c,obj/%.o,$(wildcard src/u*.c))
all: $(OBJS)
obj/%.o: src/%.c
	@$(CC) -O0 -MD -Isrc -c -o $@ $<
MK

rc=0
timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend ebpf -- make -j"$JOBS" CC=gcc \
	2>record.err || rc=$?
[ ! -s record.err ] || sed 's/^/record: /' record.err | head -n 50 >&2
assert_eq 0 "$rc" "asbuilt record exit status"
assert_eq "finished|1|0|ebpf|0" \
	"$(q "SELECT state, complete, exit_status, backend, nlost FROM builds WHERE id = 1;")" \
	"build state|complete|exit_status|backend|nlost"
assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = 1;")" \
	"build has incomplete rows (events-lost or other)"
note "$(q "SELECT nevents FROM builds WHERE id = 1;") events"
assert_eq "$N" "$(ls obj/*.d | wc -l)" "one .d file per translation unit"

CC1=$(real "$(gcc -print-prog-name=cc1)")
assert_eq "$N" "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$CC1';")" \
	"one cc1 per translation unit"

# want.csv: "source (absolute),dependency (real path),sha256", one row per dependency of
# each .d file.  A .d file is "obj/uN.o: src/uN.c src/shared.h \" and more lines of deps.
for d in obj/*.d; do
	tr -d '\\\n' <"$d" | sed 's/^[^:]*://' | tr -s ' ' '\n' | grep . | sed "s|^|$d |"
done >deps
[ "$(wc -l <deps)" -ge $((N * 3)) ] || die "fewer than 3 dependencies per translation unit"
cut -d' ' -f2 deps | sort -u >dep.paths
while IFS= read -r p; do
	printf '%s %s %s\n' "$p" "$(real "$p")" "$(sha256 "$p")"
done <dep.paths | sort >dep.info
sort -k2,2 deps | join -1 2 -2 1 -o 1.1,2.2,2.3 - dep.info |
	awk -v pwd="$PWD" '{ n = $1; sub(/^obj\//, "", n); sub(/\.d$/, ".c", n);
	                     printf "%s/src/%s,%s,%s\n", pwd, n, $2, $3 }' >want.csv
[ "$(wc -l <want.csv)" = "$(wc -l <deps)" ] || die "lost dependencies while joining: $(wc -l <want.csv) of $(wc -l <deps)"
grep -q "^$PWD/src/u0.c,$PWD/src/shared.h,$(sha256 src/shared.h)\$" want.csv ||
	die "obj/u0.d does not list src/shared.h"

qs >problems <<SQL
CREATE TEMP TABLE want (src TEXT, dep TEXT, sha TEXT);
.mode csv
.import want.csv want
.mode list
CREATE INDEX want_src ON want (src);
-- cc1 reads, with the hash of the version each read
CREATE TEMP TABLE r AS
  SELECT e.process_id AS cc1, e.realpath AS path, e.abspath AS abspath, v.sha256 AS sha
  FROM file_events e JOIN processes p ON p.id = e.process_id
  LEFT JOIN file_versions v ON v.id = e.version_id
  WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
    AND e.result >= 0;
CREATE INDEX r_cc1 ON r (cc1, path);
-- the compile of each source: the cc1 that read it
CREATE TEMP TABLE unit AS SELECT cc1, abspath AS src FROM r WHERE abspath LIKE '%.c';
CREATE INDEX unit_src ON unit (src);
SELECT 'read ' || count(*) || ' times by cc1: ' || src FROM unit GROUP BY src
  HAVING count(*) != 1 LIMIT 20;
SELECT 'cc1 ' || cc1 || ' read ' || count(*) || ' sources' FROM unit GROUP BY cc1
  HAVING count(*) != 1 LIMIT 20;
SELECT 'never read by a cc1: ' || s.src FROM (SELECT DISTINCT src FROM want) s
  WHERE s.src NOT IN (SELECT src FROM unit) LIMIT 20;
SELECT 'read by cc1 but no .d lists it: ' || src FROM unit
  WHERE src NOT IN (SELECT src FROM want) LIMIT 20;
SELECT 'missing or wrong hash: ' || w.src || ' -> ' || w.dep FROM want w JOIN unit u ON u.src = w.src
  WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.cc1 = u.cc1 AND r.path = w.dep AND r.sha = w.sha)
  LIMIT 20;
SQL
assert_empty "$(cat problems)" "dependencies of the compiles"
assert_eq "$N" "$(q "SELECT count(DISTINCT e.process_id) FROM file_events e
                     JOIN file_versions v ON v.id = e.version_id
                     WHERE e.build_id = 1 AND v.path = '$PWD/src/shared.h'
                       AND v.sha256 = '$(sha256 src/shared.h)';")" \
	"shared.h read, with its hash, by every compile"
assert_eq "$N" "$(q "SELECT count(*) FROM file_versions WHERE build_id = 1
                     AND path LIKE '$PWD/obj/%.o' AND state = 'ok' AND origin = 'written';")" \
	"one hashed, written version per object"
