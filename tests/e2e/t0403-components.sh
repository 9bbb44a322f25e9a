#!/bin/bash
# t0403: asbuilt components.  Headers from /usr/include resolve to libc6-dev with the exact
# version dpkg-query prints; a header under /usr/local (made by the test) and a prebuilt
# object (compiled outside the record) stay unresolved and are listed with their hashes,
# the object flagged "prebuilt binary"; the sources are the project's own component; the
# JSON form says the same.
. "$TOP/tests/e2e/lib.sh"

command -v dpkg-query >/dev/null || skip "no dpkg"
[ -w /usr/local/include ] || skip "/usr/local/include is not writable"
LOCALH=$(mktemp /usr/local/include/asbuilt-test-XXXXXX.h)
trap 'rm -f "$LOCALH"' EXIT
echo '#define ASBUILT_TEST_LOCAL 1' >"$LOCALH"

cat >u.c <<X
#include <stdio.h>
#include <$(basename "$LOCALH")>
int pre(void);
int main(void) { printf("%d\n", ASBUILT_TEST_LOCAL + pre()); return 0; }
X
mkdir vendor
echo 'int pre(void) { return 41; }' >vendor/pre.c
gcc -c -o vendor/pre.o vendor/pre.c
rm vendor/pre.c
record_ok -- gcc -O2 -o u u.c vendor/pre.o
assert_build_ok
assert_eq 42 "$(./u)" "u runs"

"$ASBUILT" components --db "$DB" >comp.txt
cat comp.txt >&2
VER=$(dpkg-query -W -f='${Version}' libc6-dev)
grep -qxF "deb libc6-dev $VER" comp.txt || die "no libc6-dev $VER component"
# stdio.h is listed under libc6-dev
awk '/^[a-z]/ { c = $0 } /  \/usr\/include\/stdio\.h$/ { print c }' comp.txt >owner
assert_eq "deb libc6-dev $VER" "$(cat owner)" "component of /usr/include/stdio.h"
grep -q "^  purl: pkg:deb/debian/libc6-dev@" comp.txt || die "no purl"
awk '/^[a-z]/ { c = $1 } { print c "|" $0 }' comp.txt >tagged
grep -qxF "unresolved|    $(sha256 "$LOCALH")  $LOCALH" tagged ||
	die "$LOCALH is not listed as unresolved"
grep -qxF "unresolved|    $(sha256 vendor/pre.o)  $PWD/vendor/pre.o  (prebuilt binary)" tagged ||
	die "vendor/pre.o is not listed as an unresolved prebuilt binary"
grep -qxF "project|    $(sha256 u.c)  $PWD/u.c" tagged || die "u.c is not in the project component"
# libc.so.6: a link input and u's DT_NEEDED library, in libc6
LIBC=$(real /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || true)
if [ -n "$LIBC" ]; then
	grep -qxF "deb|    $(sha256 "$LIBC")  $LIBC" tagged || die "libc.so.6 is not listed"
	assert_eq "deb libc6 $(dpkg-query -W -f='${Version}' libc6)" \
		"$(awk -v f="  $LIBC" '/^[a-z]/ { c = $0 } index($0, f) && substr($0, length($0) - length(f) + 1) == f { print c }' comp.txt)" \
		"component of libc.so.6"
fi

if command -v python3 >/dev/null; then
	"$ASBUILT" components --db "$DB" --json >comp.json
	cat >check.py <<'PY'
import json, sys
ver, localh, cwd = sys.argv[1:4]
c = json.load(sys.stdin)
dev = [x for x in c if x["kind"] == "deb" and x["name"] == "libc6-dev"]
assert dev and dev[0]["version"] == ver, dev
assert any(f["path"] == "/usr/include/stdio.h" and
           f["identified_by"] == "dpkg database owns /usr/include/stdio.h"
           for f in dev[0]["files"])
un = [f for x in c if x["kind"] == "unresolved" for f in x["files"]]
assert any(f["path"] == localh and not f["prebuilt_binary"] for f in un), un
assert any(f["path"] == cwd + "/vendor/pre.o" and f["prebuilt_binary"] for f in un), un
PY
	python3 check.py "$VER" "$LOCALH" "$PWD" <comp.json || die "JSON components"
fi
