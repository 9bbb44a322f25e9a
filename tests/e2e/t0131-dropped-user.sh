#!/bin/bash
# t0131: a build recorded as root under preload (a container without eBPF, say) that runs a
# step as another user (setpriv, runuser, su).  That user could not connect to the
# collector's socket, which is root's alone, but the step's process inherits the connection
# the build's processes share (wrappers/conn.c) and is recorded like any other, with its
# uid.  (A process of another user that has no connection to inherit leaves a marker in
# record's private directory, whose m is writable by everyone: t0123.)  If that user cannot
# even read the interposer, the step runs without it: the process that execs it says so
# before ('collector-unreachable', naming the program).  Before, both were left out
# without a word.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" != true ] || die "not root under CI=true: cannot run a step as another user"
	skip "not root: cannot run a build step as another user"
fi
command -v setpriv >/dev/null || die "setpriv (util-linux) is not installed"

# copies of asbuilt laid out as bin/asbuilt + lib/asbuilt/: one where nobody can read the
# interposer (open: 0755), one where nobody cannot (private: 0700)
W=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0131.XXXXXX")
trap 'rm -rf "$W"' EXIT
for k in open private; do
	mkdir -p "$W/$k/bin" "$W/$k/lib/asbuilt"
	install -m 0755 "$ASBUILT" "$W/$k/bin/asbuilt"
	install -m 0755 "$(dirname "$ASBUILT")/../lib/asbuilt/libasbuilt-preload.so" "$W/$k/lib/asbuilt/"
done
chmod 0755 "$W" "$W/open"
chmod 0700 "$W/private"
mkdir "$W/work"
chmod 0755 "$W/work"
cd "$W/work"
echo data >in.txt
chmod 0644 in.txt

# rec KIND: records, as root, a step that reads in.txt as nobody
rec() {
	local st=0
	DB=$W/work/$1.db
	TMPDIR=$W/work "$W/$1/bin/asbuilt" record -q --backend preload -o "$DB" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups cat in.txt >"$1.out" 2>"$1.err" || st=$?
	sed "s/^/record($1): /" "$1.err" >&2
	assert_eq 0 "$st" "$1: record exits with the build's status (preload warns)"
	assert_eq data "$(cat "$1.out")" "$1: the step ran"
	assert_eq "" "$(ls -d "$W"/work/asbuilt.* 2>/dev/null)" "$1: record removed its directory"
}

rec open
assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
	"open: the record is complete"
assert_read_by "$(real /usr/bin/cat)" in.txt "open: the read of the step run as nobody"
assert_eq "65534|65534" \
	"$(q "SELECT uid, gid FROM processes WHERE exe = $(sqlstr "$(real /usr/bin/cat)");")" \
	"open: the step's uid|gid"

rec private
assert_eq "0|collector-unreachable|$(real /usr/bin/cat)" \
	"$(q "SELECT b.complete, i.reason, i.detail FROM builds b JOIN incomplete i;")" \
	"private: complete|reason|detail (the program that ran without the interposer)"
