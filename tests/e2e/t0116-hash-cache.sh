#!/bin/bash
# t0116: the persistent hash cache (hashstore.h).  A second build takes the hashes of the
# system files it uses from the cache ($ASBUILT_HASH_CACHE) and records the same hashes as
# the first, which equal sha256sum's; a system header rewritten between builds, even to
# the same size and mtime, is hashed again (its ctime moved); --no-hash-cache and
# ASBUILT_HASH_CACHE=off leave the cache alone; project files are never cached.
. "$TOP/tests/e2e/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to put a header under /usr/local/include"
hdir=$(mktemp -d /usr/local/include/asbuilt-t0116.XXXXXX)
trap 'rm -rf "$hdir"' EXIT
printf '#define ANSWER 42\n' >"$hdir/answer.h"
touch -d '2020-01-01 00:00:00' "$hdir/answer.h"
cat >main.c <<EOF
#include <stdio.h>
#include "$hdir/answer.h"
int main(void) { printf("%d\n", ANSWER); return 0; }
EOF
export ASBUILT_HASH_CACHE=$PWD/cache/hashes.sqlite
HC=$ASBUILT_HASH_CACHE
STDIO=$(real /usr/include/stdio.h)

hash_of() { # BUILD PATH: the sha256 recorded for the newest version of PATH in BUILD
	q "SELECT sha256 FROM file_versions WHERE build_id = $1 AND path = '$2'
	   ORDER BY vseq DESC LIMIT 1;"
}
cached() { # PATH: the sha256 the cache holds for PATH (empty: none)
	sqlite3 "$HC" "SELECT sha256 FROM hashes WHERE path = '$1';"
}

record_ok -- gcc -o prog main.c
assert_build_ok 1
[ -f "$HC" ] || die "no hash cache written at $HC"
assert_eq "$(sha256 "$STDIO")" "$(cached "$STDIO")" "the cache holds stdio.h's sha256"
assert_eq "$(sha256 "$hdir/answer.h")" "$(cached "$hdir/answer.h")" "the cache holds answer.h"
assert_empty "$(sqlite3 "$HC" "SELECT path FROM hashes WHERE path LIKE '$PWD/%';")" \
	"files of the build tree in the cache"

# Poison the cached hash of stdio.h: the second build takes it from the cache (that is the
# point of the cache), so the recorded hash shows where it came from.
poison=0000000000000000000000000000000000000000000000000000000000000000
sqlite3 "$HC" "UPDATE hashes SET sha256 = '$poison' WHERE path = '$STDIO';"
record_ok -- gcc -o prog main.c
assert_build_ok 2
assert_eq "$poison" "$(hash_of 2 "$STDIO")" "the second build took stdio.h's hash from the cache"
sqlite3 "$HC" "UPDATE hashes SET sha256 = '$(sha256 "$STDIO")' WHERE path = '$STDIO';"

# Rewrite the header to other bytes of the same size, and put its mtime back: the
# ctime moved, so the cache entry no longer matches and the header is hashed again.
printf '#define ANSWER 43\n' >"$hdir/answer.h"
touch -d '2020-01-01 00:00:00' "$hdir/answer.h"
record_ok -- gcc -o prog main.c
assert_build_ok 3
assert_eq "$(sha256 "$hdir/answer.h")" "$(hash_of 3 "$hdir/answer.h")" \
	"a header rewritten between builds is hashed again"
assert_eq "$(sha256 "$STDIO")" "$(hash_of 3 "$STDIO")" "stdio.h from the cache is right"
assert_eq "$(sha256 "$PWD/prog")" "$(hash_of 3 "$PWD/prog")" "the program's own hash"

# Opting out: the poisoned entry is not used, and the cache file is not touched.
sqlite3 "$HC" "UPDATE hashes SET sha256 = '$poison' WHERE path = '$STDIO';"
before=$(sha256 "$HC")
record_ok --no-hash-cache -- gcc -o prog main.c
assert_eq "$(sha256 "$STDIO")" "$(hash_of 4 "$STDIO")" "--no-hash-cache hashes stdio.h itself"
ASBUILT_HASH_CACHE=off record_ok -- gcc -o prog main.c
assert_eq "$(sha256 "$STDIO")" "$(hash_of 5 "$STDIO")" "ASBUILT_HASH_CACHE=off hashes it too"
assert_eq "$before" "$(sha256 "$HC")" "the cache file changed without a cache in use"
