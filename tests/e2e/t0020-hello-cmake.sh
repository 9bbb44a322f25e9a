#!/bin/bash
# t0020: record configure and build of examples/hello-cmake under one record: cmake read
# config.h.in and wrote config.h, every compile read its inputs with the right hash, the
# archive and the program were written, and the build row is finished and complete.
. "$TOP/tests/e2e/lib.sh"

command -v cmake >/dev/null || skip "cmake not installed"
cp -R "$EXAMPLES/hello-cmake/." .
record_ok -- sh -c 'cmake -S . -B b >/dev/null && cmake --build b'
assert_eq "HELLO FROM CMAKE 0.3.1" "$(./b/hello)" "hello runs"
assert_build_ok

CC1=$(real "$(gcc -print-prog-name=cc1)")
CMAKE=$(real "$(command -v cmake)")
AR=$(real "$(command -v ar)")
LD=$(real "$(command -v ld)")
for exe in "$CMAKE" "$CC1" "$AR" "$LD" "$(real "$(command -v make)")"; do
	[ "$(q "SELECT count(*) FROM processes WHERE build_id = 1 AND exe = '$exe';")" -gt 0 ] ||
		die "no process row for $exe"
done

# configure_file: cmake read the template and wrote the header.
assert_read_by "$CMAKE" config.h.in
assert_read_by "$CMAKE" CMakeLists.txt
assert_written b/config.h
n=$(q "SELECT count(*) FROM file_events e JOIN processes p ON p.id = e.process_id
       WHERE e.build_id = 1 AND p.exe = '$CMAKE' AND e.result >= 0 AND
       ((e.op = 'open' AND e.access = 'write' AND e.abspath = '$PWD/b/config.h')
        OR (e.op IN ('rename', 'link') AND e.abspath2 = '$PWD/b/config.h'));")
[ "$n" -gt 0 ] || die "cmake did not write b/config.h"

# The compiles: the cc1 that read each source also read its headers, right hashes.
compile_reads() {
	local src=$1 h pid
	shift
	pid=$(q "SELECT DISTINCT e.process_id FROM file_events e JOIN processes p ON p.id = e.process_id
	         WHERE e.build_id = 1 AND p.exe = '$CC1' AND e.op = 'open' AND e.access = 'read'
	           AND e.realpath = '$PWD/$src';")
	assert_eq 1 "$(printf '%s\n' "$pid" | grep -c .)" "one cc1 read $src"
	for h in "$src" "$@"; do
		assert_eq "$(sha256 "$h")" \
			"$(q "SELECT DISTINCT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id
			      WHERE e.process_id = $pid AND e.op = 'open' AND e.access = 'read' AND e.result >= 0
			        AND e.realpath = '$(real "$h")';")" \
			"compile of $src read $h with its sha256"
	done
}
compile_reads shout.c shout.h /usr/include/ctype.h
compile_reads main.c shout.h b/config.h /usr/include/stdio.h

for out in b/CMakeFiles/shout.dir/shout.c.o b/CMakeFiles/hello.dir/main.c.o b/libshout.a b/hello; do
	assert_written "$out"
done
assert_read_by "$AR" b/CMakeFiles/shout.dir/shout.c.o
assert_read_by "$LD" b/libshout.a
