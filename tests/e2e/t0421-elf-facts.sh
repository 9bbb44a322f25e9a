#!/bin/bash
# t0421: asbuilt record stores the ELF facts of what the build made and linked with
# (schema version 2: elf_info, elf_needed, elf_imports, elf_link_members).  On
# examples/hello-make: hello's build-id is the one `readelf -n` prints; its DT_NEEDED are
# the ones `readelf -d` prints, libx.so resolved to the libx.so next to it ($ORIGIN rpath)
# and libc.so.6 to the file the loader would use; it imports puts/printf from libc.so.6
# with a GLIBC_ version and x_twice from libx.so; and the link of hello pulled greet.o of
# libgreet.a in, for the symbol greet.
. "$TOP/tests/e2e/lib.sh"

cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

b=$(build_id)
hello=$(sqlstr "$(real hello)")
vid=$(q "SELECT id FROM file_versions WHERE build_id = $b AND path = $hello
         ORDER BY vseq DESC LIMIT 1;")
[ -n "$vid" ] || die "no version of hello"

# elf_info: type, machine, interpreter, build-id
want_bid=$(readelf -n hello | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p')
[ -n "$want_bid" ] || die "readelf -n shows no build-id for hello"
want_interp=$(readelf -l hello | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
assert_eq "pie|62|$want_interp|$want_bid|0" \
	"$(q "SELECT type, machine, interp, build_id, is_static FROM elf_info
	      WHERE version_id = $vid;")" \
	"elf_info of hello: type|machine|interp|build_id|is_static"

# elf_needed: readelf's NEEDED list, in order, resolved
readelf -d hello | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p' >expect.needed
q "SELECT name FROM elf_needed WHERE version_id = $vid ORDER BY idx;" >actual.needed
test_cmp expect.needed actual.needed
assert_eq "$(real libx.so)|1" \
	"$(q "SELECT n.resolved_path, n.resolved_version_id = v.id
	      FROM elf_needed n JOIN file_versions v ON v.path = n.resolved_path
	      WHERE n.version_id = $vid AND n.name = 'libx.so' AND v.build_id = $b
	      ORDER BY v.vseq DESC LIMIT 1;")" \
	"libx.so resolved to the build's own libx.so (and its version)"
libc=$(ldd ./hello | sed -n 's/^[[:space:]]*libc\.so\.6 => \([^ ]*\) .*/\1/p')
[ -n "$libc" ] || die "ldd does not show libc.so.6"
assert_eq "$(real "$libc")" \
	"$(q "SELECT resolved_path FROM elf_needed WHERE version_id = $vid
	      AND name = 'libc.so.6';")" \
	"libc.so.6 resolved to the file ldd shows"

# elf_imports: undefined dynamic symbols with their versions and libraries
nm -D --undefined-only hello | awk '{ print $NF }' | sed 's/@.*//' | sort >expect.imports
q "SELECT name FROM elf_imports WHERE version_id = $vid ORDER BY name;" | sort >actual.imports
test_cmp expect.imports actual.imports
n=$(q "SELECT count(*) FROM elf_imports WHERE version_id = $vid
       AND name IN ('puts', 'printf', 'snprintf', '__printf_chk', '__snprintf_chk')
       AND library = 'libc.so.6' AND version LIKE 'GLIBC\_2.%' ESCAPE '\';")
[ "$n" -ge 1 ] || die "hello imports no puts/printf-family symbol from libc.so.6 with a GLIBC version"
assert_eq "libx.so" "$(q "SELECT coalesce(library, '-') FROM elf_imports
                        WHERE version_id = $vid AND name = 'x_twice';")" \
	"x_twice (unversioned) comes from libx.so"

# elf_link_members: the members of libgreet.a that the link of hello pulled in
libgreet=$(sqlstr "$(real libgreet.a)")
assert_eq "greet.o|greet" \
	"$(q "SELECT m.member, m.symbols FROM elf_link_members m
	      JOIN file_versions a ON a.id = m.archive_version_id
	      WHERE m.link_version_id = $vid AND a.path = $libgreet;")" \
	"libgreet.a members pulled into hello: member|symbols"
assert_eq "ar" "$(q "SELECT e.type FROM elf_info e JOIN file_versions v ON v.id = e.version_id
                   WHERE v.build_id = $b AND v.path = $libgreet;")" \
	"libgreet.a is in elf_info as an archive"
# the objects, the shared library and the generator made by the build are there too
for f in main.o greet.o x.o libx.so gen; do
	t=$(q "SELECT e.type FROM elf_info e JOIN file_versions v ON v.id = e.version_id
	       WHERE v.build_id = $b AND v.path = $(sqlstr "$(real "$f")");")
	[ -n "$t" ] || die "no elf_info row for $f"
done
assert_eq libx.so "$(q "SELECT e.soname FROM elf_info e JOIN file_versions v ON v.id = e.version_id
                      WHERE v.build_id = $b AND v.path = $(sqlstr "$(real libx.so)");")" \
	"soname of libx.so"
assert_empty "$(q "SELECT 'dangling ' || m.link_version_id FROM elf_link_members m
                   LEFT JOIN file_versions v ON v.id = m.archive_version_id WHERE v.id IS NULL
                   UNION ALL SELECT 'needed ' || n.version_id FROM elf_needed n
                   LEFT JOIN elf_info i ON i.version_id = n.version_id WHERE i.version_id IS NULL;")" \
	"rows without their version or elf_info row"
assert_db_valid
