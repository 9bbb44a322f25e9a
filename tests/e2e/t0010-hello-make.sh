#!/bin/bash
# t0010: record examples/hello-make (static lib, shared lib, generated header, program) built
# with make -j2: the toolchain processes are there, every compile read its sources and
# headers with the right hash, every output was written and its newest version is the final
# content, and the build row is finished and complete.
. "$TOP/tests/e2e/lib.sh"

cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
[ -x hello ] || die "the build produced no hello"
assert_eq "hello, world (version 1.2.3, x=42)" "$(./hello)" "hello runs"
assert_build_ok

# The toolchain: one row per process image, exe resolved.
CC1=$(real "$(gcc -print-prog-name=cc1)")
COLLECT2=$(real "$(gcc -print-prog-name=collect2)")
GCC=$(real "$(command -v gcc)")
AS=$(real "$(command -v as)")
LD=$(real "$(command -v ld)")
AR=$(real "$(command -v ar)")
MAKE=$(real "$(command -v make)")
for exe in "$MAKE" "$GCC" "$CC1" "$AS" "$COLLECT2" "$LD" "$AR" "$PWD/gen"; do
	n=$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = $(sqlstr "$exe")
	       AND source = 'preload' AND pid > 0 AND start_ns IS NOT NULL;")
	[ "$n" -gt 0 ] || die "no process row for $exe"
done
# 4 compiles (gen.c, greet.c, x.c, main.c), 3 links (gen, libx.so, hello).
assert_eq 4 "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$CC1';")" "cc1 count"
assert_eq 3 "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$LD';")" "ld count"

# Every process but the root has a parent image in this build.
assert_eq 1 "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND parent_id IS NULL
                  AND prev_id IS NULL;")" "exactly one root process image"
assert_empty "$(q "SELECT p.id FROM processes p LEFT JOIN processes x ON x.id = p.parent_id
                   WHERE p.build_id = 1 AND p.parent_id IS NOT NULL
                   AND (x.id IS NULL OR x.build_id != 1);")" "parent_id points outside the build"
# gcc's cc1 is a child of the gcc driver.
assert_empty "$(q "SELECT c.id FROM processes c LEFT JOIN processes d ON d.id = c.parent_id
                   WHERE c.build_id = 1 AND c.exe = '$CC1' AND (d.exe IS NULL OR d.exe != '$GCC');")" \
	"every cc1 has the gcc driver as parent"

# The compile of each source: exactly one cc1 read it, and that cc1 read its headers.
compile_reads() { # SRC HEADER...: the cc1 that read SRC also read each HEADER, right hashes
	local src=$1 h pid
	shift
	pid=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
	         WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
	           AND e.abspath = $(sqlstr "$PWD/$src");")
	assert_eq 1 "$(printf '%s\n' "$pid" | grep -c .)" "one cc1 read $src"
	for h in "$src" "$@"; do
		assert_eq "$(sha256 "$h")" \
			"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
			      WHERE e.process_id = $pid AND e.op = 'open' AND e.access = 'read' AND e.result >= 0
			        AND e.realpath = $(sqlstr "$(real "$h")");")" \
			"compile of $src read $h with its sha256"
	done
}
compile_reads gen.c /usr/include/stdio.h
compile_reads greet.c greet.h /usr/include/stdio.h
compile_reads x.c x.h
compile_reads main.c greet.h version.h x.h /usr/include/stdio.h

# Whatever a cc1 read that is a .c or .h, it read with the content the file has now (nothing
# in this build changes a source after it is read).
q "SELECT DISTINCT e.realpath FROM file_events e JOIN processes p ON p.id = e.process_id
   WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
     AND e.result >= 0 AND e.noise IS NULL
     AND (e.realpath LIKE '%.c' OR e.realpath LIKE '%.h');" >inputs
[ "$(wc -l <inputs)" -ge 10 ] || die "too few compile inputs recorded: $(cat inputs)"
while IFS= read -r f; do
	assert_eq "$(sha256 "$f")" \
		"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
		      JOIN processes p ON p.id = e.process_id
		      WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.access = 'read' AND e.result >= 0
		        AND e.realpath = $(sqlstr "$f");")" "cc1 input $f: version sha256"
done <inputs

# Outputs: written, newest version = final content; the linker read what it linked.
for out in greet.o x.o main.o libgreet.a libx.so gen hello version.h; do
	assert_written "$out"
done
assert_read_by "$AR" greet.o
assert_read_by "$LD" main.o
assert_read_by "$LD" libgreet.a
assert_read_by "$LD" libx.so
assert_read_by "$LD" x.o
# The objects were written by as, the archive by ar, the binaries by ld.
for pair in "greet.o:$AS" "main.o:$AS" "libgreet.a:$AR" "libx.so:$LD" "hello:$LD"; do
	f=${pair%%:*} exe=${pair#*:}
	n=$(q "SELECT count(*) FROM file_events e JOIN processes p ON p.id = e.process_id
	       WHERE e.build_id = 1 AND e.op = 'open' AND e.access = 'write' AND e.result >= 0
	         AND e.abspath = $(sqlstr "$PWD/$f") AND p.exe = '$exe';")
	[ "$n" -gt 0 ] || die "$f has no write event by $exe"
done
# Every write event of an output points at a version of that output.
assert_empty "$(q "SELECT e.id, e.abspath FROM file_events e LEFT JOIN file_versions v ON v.id = e.version_id
                   WHERE e.build_id = 1 AND e.op = 'open' AND e.access = 'write' AND e.result >= 0
                     AND e.abspath IN ('$PWD/hello', '$PWD/libx.so', '$PWD/main.o')
                     AND (v.id IS NULL OR v.path != e.realpath);")" \
	"write events of outputs link to a version of the written path"
# version.h is written by ./gen (through the shell's redirection) and renamed into place.
assert_eq 1 "$(q "SELECT count(*) > 0 FROM file_events WHERE build_id = 1 AND op = 'rename'
                  AND abspath = '$PWD/version.h.tmp' AND abspath2 = '$PWD/version.h';")" \
	"rename version.h.tmp -> version.h recorded"
