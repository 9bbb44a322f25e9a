#!/bin/bash
# t0601: asbuilt omnibor on examples/hello-make.  Manifests are written for hello (the
# artifact) and the objects and archive that went into it, under
# DIR/manifests/gitoid_blob_sha256/XX/..., each named by its own gitoid (sha256 of
# "blob <len>\0" + bytes, computed here).  main.o's manifest lists exactly the gitoids of
# the files the compiler's -MD list names (computed here from the files), version.h with
# its own manifest; hello's manifest references main.o's and libgreet.a's manifests.
# Two runs give the same bytes.
. "$TOP/tests/e2e/lib.sh"

cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc "CFLAGS=-O2 -g -MD"
assert_build_ok

"$ASBUILT" omnibor --db "$DB" -o ob >omnibor.out || die "asbuilt omnibor failed"
[ -f ob/index.tsv ] || die "no ob/index.tsv"

# manifest_of PATH: the manifest id the index gives for PATH (its newest version).
manifest_of() {
	awk -F'\t' -v p="$(real "$1")" '$1 == p { m = $3 } END { sub(/^gitoid:blob:sha256:/, "", m); print m }' ob/index.tsv
}
# mfile ID: the manifest file of ID.
mfile() {
	printf 'ob/manifests/gitoid_blob_sha256/%s/%s' "${1:0:2}" "${1:2}"
}

for f in hello main.o greet.o libgreet.a x.o libx.so; do
	m=$(manifest_of "$f")
	[ -n "$m" ] || die "index.tsv has no manifest for $f"
	[ -f "$(mfile "$m")" ] || die "manifest of $f missing at $(mfile "$m")"
	assert_eq "$m" "$(gitoid_sha256 "$(mfile "$m")")" "manifest of $f is named by its gitoid"
	assert_eq "gitoid:blob:sha256" "$(head -n 1 "$(mfile "$m")")" "manifest header of $f"
	assert_eq "$(gitoid_sha256 "$f")" \
		"$(awk -F'\t' -v p="$(real "$f")" '$1 == p { sub(/^gitoid:blob:sha256:/, "", $2); print $2 }' ob/index.tsv)" \
		"index.tsv gives the gitoid of $f"
done
assert_eq "gitoid:blob:sha256:$(manifest_of hello)  $(real hello)" "$(cat omnibor.out)" \
	"stdout: one line per artifact"
grep -qP '\tartifact$' <(grep -F "$(real hello)" ob/index.tsv) || die "hello is not marked artifact"

# Every manifest file: sorted, distinct lines of 64 hex [manifest 64 hex], ends in newline.
for mf in $(find ob/manifests -type f); do
	tail -n +2 "$mf" | grep -vxE '[0-9a-f]{64}( manifest [0-9a-f]{64})?' &&
		die "$mf has a malformed line"
	tail -n +2 "$mf" | LC_ALL=C sort -c -u || die "$mf lines are not sorted and distinct"
	[ "$(tail -c 1 "$mf" | od -An -c | tr -d ' ')" = '\n' ] || die "$mf does not end in a newline"
done

# main.o: exactly the gitoids of the files in main.d (the compiler's own list).
sed -e 's/^[^:]*://' -e 's/\\$//' main.d | tr ' ' '\n' | grep -v '^$' | while IFS= read -r f; do
	gitoid_sha256 "$(real "$f")"
done | LC_ALL=C sort -u >expect.main.o
tail -n +2 "$(mfile "$(manifest_of main.o)")" | cut -d' ' -f1 >actual.main.o
test_cmp expect.main.o actual.main.o
for f in main.c greet.h x.h version.h; do
	grep -q "^$(gitoid_sha256 "$f")" actual.main.o || die "main.o's manifest lacks $f"
done
grep -qx "$(gitoid_sha256 version.h) manifest $(manifest_of version.h)" \
	"$(mfile "$(manifest_of main.o)")" || die "version.h (generated) is listed without its manifest"

# hello references main.o's and libgreet.a's manifests; libgreet.a references greet.o's.
H=$(mfile "$(manifest_of hello)")
grep -qx "$(gitoid_sha256 main.o) manifest $(manifest_of main.o)" "$H" ||
	die "hello's manifest does not reference main.o's manifest"
grep -qx "$(gitoid_sha256 libgreet.a) manifest $(manifest_of libgreet.a)" "$H" ||
	die "hello's manifest does not reference libgreet.a's manifest"
grep -qx "$(gitoid_sha256 greet.o) manifest $(manifest_of greet.o)" \
	"$(mfile "$(manifest_of libgreet.a)")" || die "libgreet.a's manifest does not reference greet.o's"
grep -qx "$(gitoid_sha256 "$(real /usr/lib/x86_64-linux-gnu/crti.o 2>/dev/null || echo /nonexistent)")" "$H" ||
	note "crti.o not found at the Debian path (not checked)"

# Deterministic: a second run writes the same files.
"$ASBUILT" omnibor --db "$DB" -o ob2 >/dev/null || die "second asbuilt omnibor failed"
diff -r ob ob2 >&2 || die "two runs differ"

# ARTIFACT names select; a non-output is refused with exit 2.
"$ASBUILT" omnibor --db "$DB" -o ob3 main.o >one.out || die "omnibor main.o failed"
assert_eq "gitoid:blob:sha256:$(manifest_of main.o)  $(real main.o)" "$(cat one.out)" "omnibor main.o"
rc=0
"$ASBUILT" omnibor --db "$DB" -o ob4 main.c 2>err.out || rc=$?
assert_eq 2 "$rc" "omnibor of a file the build did not write"
grep -q "is not an output of build" err.out || die "no message for a non-output: $(cat err.out)"
