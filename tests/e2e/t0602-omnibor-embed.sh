#!/bin/bash
# t0602: asbuilt omnibor --embed adds a .note.omnibor section to the ELF artifact (hello):
# SHT_NOTE, owner OMNIBOR, type 1 (NT_GITOID_BLOB_SHA256), the 32 bytes of hello's manifest
# id as descriptor.  hello still runs and prints what it printed before.  A second --embed
# leaves hello alone (already embedded, as the record says: t0607); one into a file changed
# since the record is refused.
. "$TOP/tests/e2e/lib.sh"

command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok
./hello >before.out 2>&1 || die "hello does not run before embedding"
old=$(gitoid_sha256 hello)

"$ASBUILT" omnibor --db "$DB" -o ob --embed >embed.out 2>embed.err ||
	die "omnibor --embed failed: $(cat embed.err)"
assert_empty "$(cat embed.err)" "omnibor --embed wrote to stderr"
m=$(awk -F'\t' -v p="$(real hello)" '$1 == p { sub(/^gitoid:blob:sha256:/, "", $3); print $3 }' ob/index.tsv)
[ ${#m} = 64 ] || die "no manifest id for hello in index.tsv"
grep -qx "embedded  gitoid:blob:sha256:$(gitoid_sha256 hello)  $(real hello)" embed.out ||
	die "no 'embedded' line with hello's new gitoid: $(cat embed.out)"
[ "$old" != "$(gitoid_sha256 hello)" ] || die "hello did not change"
assert_eq "$old" "$(awk -F'\t' -v p="$(real hello)" '$1 == p { sub(/^gitoid:blob:sha256:/, "", $2); print $2 }' ob/index.tsv)" \
	"index.tsv keeps the gitoid of hello as recorded"

readelf -S -W hello >sections.out
grep -E '\.note\.omnibor +NOTE ' sections.out >&2 || die "no .note.omnibor NOTE section: $(cat sections.out)"
grep -E '\.note\.omnibor +NOTE .* A ' sections.out >/dev/null || die ".note.omnibor is not SHF_ALLOC"
# The raw section: namesz 8, descsz 32, type 1, "OMNIBOR\0", the manifest id.
objcopy --dump-section .note.omnibor=note.bin hello copy.tmp || die "cannot dump .note.omnibor"
want="0800000020000000010000004f4d4e49424f5200$m"
assert_eq "$want" "$(od -An -v -tx1 note.bin | tr -d ' \n')" ".note.omnibor bytes"
readelf -n hello | grep -A2 'OMNIBOR' >&2 || die "readelf -n does not show the OMNIBOR note"

./hello >after.out 2>&1 || die "hello does not run after embedding"
test_cmp before.out after.out

# A second --embed finds hello already embedded (the record noted the rewrite): nothing
# changes.  A file changed behind the record's back is refused.
after=$(sha256 hello)
"$ASBUILT" omnibor --db "$DB" -o ob --embed >again.out 2>again.err ||
	die "a second --embed failed: $(cat again.err)"
grep -qx "already embedded  gitoid:blob:sha256:$(gitoid_sha256 hello)  $(real hello)" again.out ||
	die "no 'already embedded' line: $(cat again.out)"
assert_eq "$after" "$(sha256 hello)" "a second --embed leaves hello alone"
cp hello hello.keep
printf 'x' >>hello
rc=0
"$ASBUILT" omnibor --db "$DB" -o ob --embed >/dev/null 2>stale.err || rc=$?
assert_eq 1 "$rc" "--embed into a file changed since the record is refused"
grep -q "no longer the one the build wrote" stale.err || die "unclear message: $(cat stale.err)"
