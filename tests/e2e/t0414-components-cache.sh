#!/bin/bash
# t0414: the resolution cache of `asbuilt components` (components_cache, docs/database.md).
# Record examples/hello-make; the first `components --json` fills the cache with one row
# per listed file, the second prints the same bytes (from the cache).  An edited cached row
# shows up (the cache is what the second run used), `--refresh` resolves afresh and
# rewrites the cache; text output is the same cached or not.  A database the user cannot
# write is resolved without the cache, quietly, and left as it was.
. "$TOP/tests/e2e/lib.sh"

command -v dpkg-query >/dev/null || skip "no dpkg"
command -v sqlite3 >/dev/null || skip "no sqlite3"
VER=$(dpkg-query -W -f='${Version}' libc6-dev 2>/dev/null) || skip "libc6-dev is not installed"

cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok
B=$(build_id)
rows() { q "SELECT count(*) FROM components_cache WHERE build_id = $B;"; }

assert_eq 0 "$(rows)" "cache rows before the first components"
"$ASBUILT" components --db "$DB" --json >first.json 2>first.err
assert_empty "$(cat first.err)" "first run stderr"
nfiles=$(grep -c '^[[:space:]]*"path":' first.json)
[ "$nfiles" -gt 0 ] || die "no files in the components"
assert_eq "$nfiles" "$(rows)" "one cache row per listed file"
assert_eq "$VER" "$(q "SELECT DISTINCT version FROM components_cache
                       WHERE build_id = $B AND name = 'libc6-dev';")" "cached libc6-dev version"
assert_eq '["/var/lib/dpkg/info/libc6-dev:amd64.list"]' \
	"$(q "SELECT DISTINCT evidence FROM components_cache
	      WHERE build_id = $B AND path = '/usr/include/stdio.h';")" "cached evidence of stdio.h"

"$ASBUILT" components --db "$DB" --json >second.json 2>second.err
assert_empty "$(cat second.err)" "second run stderr"
test_cmp first.json second.json
"$ASBUILT" components --db "$DB" >cached.txt
grep -qxF "deb libc6-dev $VER" cached.txt || die "no 'deb libc6-dev $VER' in the cached output"

# The cache is what the run uses: an edited row shows up.
q "UPDATE components_cache SET version = 'cached-test'
   WHERE build_id = $B AND name = 'libc6-dev';"
"$ASBUILT" components --db "$DB" >edited.txt
cat edited.txt >&2
grep -qxF "deb libc6-dev cached-test" edited.txt || die "the edited cache row is not shown"
! grep -qxF "deb libc6-dev $VER" edited.txt || die "libc6-dev $VER shown besides the edited row"

# A read-only database (as nobody; root writes any file): no cache read with --refresh,
# nothing written, nothing said.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0414.XXXXXX")
	trap 'rm -rf "$U"' EXIT
	chmod 1777 "$U" # sqlite makes its -shm file next to the database
	cp "$DB" "$U/ro.db"
	chmod 0644 "$U/ro.db"
	install -m 0755 "$ASBUILT" "$U/asbuilt"
	(cd "$U" && setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		./asbuilt components --db ro.db --refresh) >ro.txt 2>ro.err ||
		die "components on a read-only database failed: $(cat ro.err)"
	assert_empty "$(cat ro.err)" "stderr on a read-only database"
	test_cmp cached.txt ro.txt
	assert_eq "cached-test" "$(sqlite3 -batch -noheader "$U/ro.db" \
		"SELECT DISTINCT version FROM components_cache WHERE name = 'libc6-dev';")" \
		"the read-only database's cache is left as it was"
else
	note "not root or no setpriv: read-only database not tested"
fi

# --refresh resolves afresh and rewrites the cache.
"$ASBUILT" components --db "$DB" --refresh >refreshed.txt 2>refreshed.err
assert_empty "$(cat refreshed.err)" "--refresh stderr"
grep -qxF "deb libc6-dev $VER" refreshed.txt || die "--refresh does not show libc6-dev $VER"
! grep -q "cached-test" refreshed.txt || die "--refresh still shows the edited row"
test_cmp cached.txt refreshed.txt
assert_eq "$VER" "$(q "SELECT DISTINCT version FROM components_cache
                       WHERE build_id = $B AND name = 'libc6-dev';")" "cache rewritten by --refresh"
assert_eq "$nfiles" "$(rows)" "cache rows after --refresh"
"$ASBUILT" components --db "$DB" --json >third.json
test_cmp first.json third.json
assert_db_valid
