#!/usr/bin/env bash
# controls.sh - negative controls: accuracy.py must catch errors planted in a good record.
#
# Usage: bash tests/realworld/controls.sh LUA.db LUA-TREE
# Takes the database of the Lua build (already measured clean), copies it, and plants:
#   1. a lost header: every read of src/lapi.h removed        -> MISS compile ... lapi.h
#   2. a wrong input: one read of src/lopcodes.h made a read of libc.so.6
#                                                             -> UNEXPLAINED ... libc.so.6
#   3. a wrong hash: the recorded sha256 of src/lapi.c zeroed -> WRONG-HASH ... lapi.c
#   4. a wrong version: the cached component of stdio.h      -> WRONG-PACKAGE ... stdio.h
# and fails unless accuracy.py exits 1 and reports each of them.  Uses $ASBUILT, and
# $DIRECTDEPS when set, like run.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
db=${1:?usage: controls.sh LUA.db LUA-TREE}
tree=${2:?usage: controls.sh LUA.db LUA-TREE}
: "${ASBUILT:?ASBUILT is not set}"
work=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-controls.XXXXXX")
trap 'rm -rf "$work"' EXIT

die() { printf 'controls: %s\n' "$*" >&2; exit 1; }

sqlite3 "$db" ".backup '$work/t.db'" || die "cannot copy $db"
# the components cache is written by the clean run's `asbuilt components`
sqlite3 -bail "$work/t.db" "
  DELETE FROM file_events WHERE version_id IN
    (SELECT id FROM file_versions WHERE path = '$tree/src/lapi.h');
  UPDATE file_events SET version_id =
    (SELECT id FROM file_versions WHERE path LIKE '%/x86_64-linux-gnu/libc.so.6' LIMIT 1)
  WHERE id = (SELECT e.id FROM file_events e JOIN file_versions v ON v.id = e.version_id
              WHERE v.path = '$tree/src/lopcodes.h' AND e.access = 'read' LIMIT 1);
  UPDATE file_versions SET sha256 = '$(printf '0%.0s' {1..64})'
  WHERE path = '$tree/src/lapi.c';
  UPDATE components_cache SET version = '0-planted' WHERE path = '/usr/include/stdio.h';
" || die "cannot plant the errors"
[ "$(sqlite3 "$work/t.db" "SELECT count(*) FROM components_cache WHERE version = '0-planted'")" = 1 ] ||
	die "no components_cache row for /usr/include/stdio.h to plant a wrong version in"

extra=()
[ -z "${DIRECTDEPS:-}" ] || extra+=(--helper "$DIRECTDEPS")
python3 "$here/accuracy.py" --asbuilt "$ASBUILT" --db "$work/t.db" --tree "$tree" \
	--since "$tree.stamp" --project lua-planted --backend control "${extra[@]}" >"$work/out" 2>&1
rc=$?
ok=1
[ "$rc" -eq 1 ] || { printf 'controls: accuracy.py exited %d, not 1\n' "$rc" >&2; ok=0; }
for want in "MISS compile .*/src/lapi.o <- $tree/src/lapi.h" \
	"UNEXPLAINED compile .* <- .*/libc.so.6" \
	"WRONG-HASH $tree/src/lapi.c" \
	"WRONG-PACKAGE /usr/include/stdio.h"; do
	if ! grep -q -- "$want" "$work/out"; then
		printf 'controls: not reported: %s\n' "$want" >&2
		ok=0
	fi
done
if [ "$ok" -ne 1 ]; then
	sed 's/^/controls: | /' "$work/out" | head -n 40 >&2
	exit 1
fi
printf 'realworld: negative controls: all 4 planted errors reported\n'
