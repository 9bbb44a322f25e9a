#!/bin/bash
# t0605: an incomplete record (a static binary the preload backend cannot see inside) is
# stated in the provenance: runDetails.byproducts holds an "incomplete/static-binary" entry
# naming the binary, its content the same text in base64.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
printf '#include <stdio.h>\nint main(void) { puts("x"); return 0; }\n' >stat.c
gcc -static -O0 -o stathelper stat.c 2>/dev/null || skip "gcc -static does not work (no libc.a?)"
record -- sh -c './stathelper >out.txt && cat out.txt >copy.txt'
assert_eq 0 "$REC_STATUS" "record exits with the build's status"
assert_eq 0 "$(q "SELECT complete FROM builds WHERE id = $(build_id);")" "the record is incomplete"

"$ASBUILT" provenance --db "$DB" -o prov.json || die "asbuilt provenance failed"
jq -e '.predicate.runDetails.byproducts | length > 0' prov.json >/dev/null || die "no byproducts"
jq -c '.predicate.runDetails.byproducts[] | select(.name == "incomplete/static-binary")' prov.json >sb.json
[ -s sb.json ] || die "no incomplete/static-binary byproduct: $(jq -c .predicate.runDetails prov.json)"
grep -q stathelper sb.json || die "the byproduct does not name the binary"
jq -r '.content' sb.json | head -n 1 | base64 -d | grep -q '^static-binary: .*stathelper' ||
	die "byproduct content is not 'static-binary: <detail>'"
