#!/bin/bash
# t0126: a set-user-ID program that changes the process's identity (or one whose file
# capabilities raise a user's) runs in the loader's secure-execution mode, where ld.so
# ignores LD_PRELOAD: under the preload backend nothing it reads or writes can be seen.
# The record must say so ('setid-binary' naming the program, builds.complete = 0) and keep
# a row for the program, rather than look complete.
# Controls: the same program without the bit, and a set-user-ID program of the user who
# runs it (no identity change: the interposer loads), are recorded in full.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" != true ] || die "not root under CI=true: cannot make a set-user-ID program"
	skip "not root: cannot make a set-user-ID root program and run it as another user"
fi
U=65534 # nobody

# A directory nobody may write (the test's own is private), with a copy of asbuilt laid out
# as bin/asbuilt + lib/asbuilt/ (the build tree may be private to root too).
W=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0126.XXXXXX")
trap 'rm -rf "$W"' EXIT
chmod 0777 "$W"
mkdir -p "$W/bin" "$W/lib/asbuilt"
install -m 0755 "$ASBUILT" "$W/bin/asbuilt"
install -m 0755 "$(dirname "$ASBUILT")/../lib/asbuilt/libasbuilt-preload.so" "$W/lib/asbuilt/"
NASBUILT=$W/bin/asbuilt
cd "$W"
cat >rd.c <<'EOF'
#include <stdio.h>

int main(void)
{
	char b[64];
	size_t n;
	FILE *in = fopen("data.txt", "r"), *out;

	if (!in)
		return 1;
	n = fread(b, 1, sizeof b, in);
	fclose(in);
	out = fopen("out.txt", "w");
	if (!out || fwrite(b, 1, n, out) != n)
		return 1;
	return fclose(out) != 0;
}
EOF
gcc -O0 -o rd rd.c || die "cannot compile rd.c"
cp rd plain
chmod 4755 rd # set-user-ID root
chmod 0755 plain
echo data >data.txt
chmod 0644 data.txt

# as_nobody NAME PROGRAM: records `sh -c ./PROGRAM` as nobody into $W/NAME.db
as_nobody() {
	local st=0
	rm -f out.txt
	setpriv --reuid=$U --regid=$U --clear-groups env HOME="$W" "$NASBUILT" record -q \
		--backend preload -o "$W/$1.db" -- sh -c "./$2" 2>"$1.err" || st=$?
	sed "s/^/$1: record: /" "$1.err" >&2
	assert_eq 0 "$st" "$1: record exits with the build's status (preload warns)"
	DB=$W/$1.db
}

# the set-user-ID root program run by nobody: unseen, and said so
as_nobody setid rd
[ -s out.txt ] || die "setid: the program did not run"
assert_eq "0" "$(q "SELECT complete FROM builds;")" "setid: the record says it is incomplete"
assert_eq "setid-binary|$W/rd" "$(q "SELECT reason, detail FROM incomplete;")" \
	"setid: the reason names the program"
assert_eq "$W/rd|0" "$(q "SELECT p.exe, p.static FROM processes p
	JOIN processes f ON f.id = p.prev_id JOIN incomplete i ON i.process_id = f.id;")" \
	"setid: the program's row (exe|static) follows the process that exec'd it"
grep -q 'setid-binary' setid.err || die "setid: record did not warn"

# a program with file capabilities run by nobody: secure-execution mode as well
if command -v setcap >/dev/null 2>&1; then
	cp plain capd
	setcap cap_net_raw+ep capd || die "setcap failed"
	as_nobody caps capd
	[ -s out.txt ] || die "caps: the program did not run"
	assert_eq "0|setid-binary|$W/capd" \
		"$(q "SELECT b.complete, i.reason, i.detail FROM builds b JOIN incomplete i;")" \
		"caps: complete|reason|program"
elif [ "${CI:-}" = true ]; then
	die "no setcap under CI=true (scripts/install-deps.sh installs libcap2-bin)"
else
	note "no setcap: the program with file capabilities is left out"
fi

# the same program without the bit: seen in full
as_nobody plain plain
assert_eq "1|0" "$(q "SELECT complete, (SELECT count(*) FROM incomplete) FROM builds;")" \
	"plain: complete|incomplete rows"
assert_eq "$(sha256 data.txt)" "$(q "SELECT v.sha256 FROM file_events e
	JOIN file_versions v ON v.id = e.version_id
	WHERE e.abspath = '$W/data.txt' AND e.access = 'read';")" "plain: the read, with its hash"
assert_eq 1 "$(q "SELECT count(*) FROM file_events WHERE abspath = '$W/out.txt' AND access = 'write';")" \
	"plain: the write"

# root running its own set-user-ID program: no identity change, the interposer loads
rm -f out.txt
DB=$W/root.db
record_ok -- sh -c ./rd
assert_build_ok
assert_eq 1 "$(q "SELECT count(*) FROM file_events WHERE abspath = '$W/data.txt' AND access = 'read';")" \
	"root: the read"
