#!/bin/bash
# t0119: a directory the build replaces with a symlink resolves to the new target.  The
# collector caches the canonical form of every directory it resolved; a rename, a symlink
# or an rmdir by the build drops what may have changed.  Here d/f and g/f are read, then
# d is renamed away and g removed, both replaced by symlinks to e, and d/f and g/f are read
# again: the second reads must resolve to e/f, with e/f's hash.  Both backends when ebpf
# works here (under CI=true it must).
. "$TOP/tests/e2e/lib.sh"

mkdir d e g
echo old-d >d/f
echo new >e/f
echo old-g >g/f
OLD_D=$(sha256 d/f)
OLD_G=$(sha256 g/f)
NEW=$(sha256 e/f)

BUILD='cat d/f g/f >/dev/null && mv d d.old && ln -s e d && rm -rf g && ln -s e g &&
       cat d/f >/dev/null && cat g/f >/dev/null'

# reads NAME: realpath|sha256 of every read of NAME/f (the path as cat gave it: under ebpf
# the abspath of an opened file is already resolved) by cat in the newest build.
reads() {
	q "SELECT e.realpath, v.sha256 FROM file_events e
	   JOIN processes p ON p.id = e.process_id
	   JOIN file_versions v ON v.id = e.version_id
	   WHERE e.build_id = $(build_id) AND p.exe = '$(real "$(command -v cat)")'
	     AND e.op = 'open' AND e.access = 'read' AND e.path = '$1/f'
	   ORDER BY e.id;"
}

check() {
	local backend=$1
	assert_eq "$PWD/d/f|$OLD_D
$PWD/e/f|$NEW" "$(reads d)" "$backend: d/f before and after d became a symlink (rename)"
	assert_eq "$PWD/g/f|$OLD_G
$PWD/e/f|$NEW" "$(reads g)" "$backend: g/f before and after g became a symlink (rmdir)"
}

record_ok -- sh -c "$BUILD"
assert_build_ok
check preload

if [ "$(id -u)" = 0 ] && "$ASBUILT" record -q -o probe.db --backend ebpf -- true 2>/dev/null; then
	rm -rf d g d.old
	mkdir d g
	echo old-d >d/f
	echo old-g >g/f
	record_ok --backend ebpf -- sh -c "$BUILD"
	check ebpf
elif [ "${CI:-}" = true ]; then
	die "the ebpf backend does not work here, and CI=true requires it"
else
	note "ebpf part skipped: not root or the eBPF backend is not available"
fi
