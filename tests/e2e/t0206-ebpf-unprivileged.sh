#!/bin/bash
# t0206: the eBPF backend without privileges.  As an unprivileged user (nobody, through
# setpriv), `asbuilt record --backend ebpf -- CMD` exits 2 without running CMD, says on
# stderr which capabilities are missing (CAP_BPF, CAP_PERFMON), creates no database and
# leaves an existing one byte for byte unchanged.  `--backend auto` as the same user falls
# back to the preload backend, says so and why on stderr, and records the build.
# Needs root (to switch to the unprivileged user) and a working eBPF backend.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
need_ebpf # so that a refusal below is for want of privilege, not a missing backend
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
NOBODY=65534

# A directory the unprivileged user can reach (the test directory is private to root), with
# a copy of asbuilt laid out as bin/asbuilt + lib/asbuilt/ (the interposer is found from
# the binary's location) and a work directory the user owns.
U=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0206.XXXXXX")
trap 'rm -rf "$U"' EXIT
chmod 0755 "$U"
mkdir -p "$U/bin" "$U/lib/asbuilt" "$U/work"
install -m 0755 "$ASBUILT" "$U/bin/asbuilt"
install -m 0755 "$(dirname "$ASBUILT")/../lib/asbuilt/libasbuilt-preload.so" "$U/lib/asbuilt/"
chown "$NOBODY:$NOBODY" "$U/work"
W=$U/work

# as_nobody COMMAND...: run COMMAND in $W as uid/gid 65534 with no supplementary groups.
as_nobody() {
	(cd "$W" && HOME=$W setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$@")
}
as_nobody sh -c 'test "$(id -u)" = 65534 && test -x "$1"' sh "$U/bin/asbuilt" ||
	die "the unprivileged user cannot run $U/bin/asbuilt"
as_nobody sh -c 'grep -q "^CapEff:[[:space:]]*0*$" /proc/self/status' ||
	die "the unprivileged user still has effective capabilities"

# run_ebpf DB: as nobody, record `touch ran` with --backend ebpf into DB; sets rc, err.
run_ebpf() {
	rc=0
	as_nobody "$U/bin/asbuilt" record -o "$1" --backend ebpf -- touch "$W/ran" \
		>"$W/out" 2>"$W/err" || rc=$?
	err=$(cat "$W/err")
	sed 's/^/record(ebpf, nobody): /' "$W/err" >&2
}
# check_refused WHAT: the last run_ebpf was refused the way it should be.
check_refused() {
	assert_eq 2 "$rc" "$1: exit status (usage error, no crash)"
	case $err in *CAP_BPF*) ;; *) die "$1: stderr does not name CAP_BPF: $err" ;; esac
	case $err in *CAP_PERFMON*) ;; *) die "$1: stderr does not name CAP_PERFMON: $err" ;; esac
	case $err in asbuilt:*) ;; *) die "$1: stderr does not start with 'asbuilt:': $err" ;; esac
	[ ! -e "$W/ran" ] || die "$1: the command ran although the record was refused"
	assert_empty "$(cat "$W/out")" "$1: stdout"
}

# 1. No database yet: none is created.
run_ebpf "$W/new.db"
check_refused "ebpf as nobody, new database"
assert_empty "$(cd "$W" && ls -A | grep -v '^err$\|^out$')" "files left in the work directory"

# 2. --backend auto as nobody: preload, and stderr says so and why.
rc=0
as_nobody "$U/bin/asbuilt" record -o "$W/a.db" --backend auto -- touch "$W/ran" 2>"$W/err" || rc=$?
sed 's/^/record(auto, nobody): /' "$W/err" >&2
assert_eq 0 "$rc" "auto as nobody: exit status"
grep -q '^asbuilt: using the preload backend' "$W/err" || die "auto as nobody: no 'using the preload backend' on stderr"
grep '^asbuilt: using the preload backend' "$W/err" | grep -q 'CAP_BPF' ||
	die "auto as nobody: the reason for preload does not name CAP_BPF"
[ -e "$W/ran" ] || die "auto as nobody: the command did not run"
DB=$W/a.db
assert_eq "1|preload|finished|1|0|nobody" \
	"$(q "SELECT count(*), backend, state, complete, exit_status, user FROM builds;")" \
	"auto as nobody: builds count|backend|state|complete|exit_status|user"
assert_eq "$NOBODY|preload" \
	"$(q "SELECT DISTINCT uid, source FROM processes WHERE build_id = 1;")" "auto as nobody: uid|source of the processes"
assert_eq 1 "$(q "SELECT count(*) > 0 FROM file_events WHERE build_id = 1 AND op = 'open'
                  AND access = 'write' AND abspath = '$W/ran';")" "auto as nobody: the touch of ran recorded"
rm -f "$W/ran"

# 3. An existing database (the one just written, owned by nobody): unchanged by a refused
# ebpf record, and still a good database with one build.
for f in "$W"/a.db*; do sha256 "$f"; done >"$U/before"
ls -la --time-style=full-iso "$W" | grep ' a\.db' >>"$U/before"
run_ebpf "$W/a.db"
check_refused "ebpf as nobody, existing database"
for f in "$W"/a.db*; do sha256 "$f"; done >"$U/after"
ls -la --time-style=full-iso "$W" | grep ' a\.db' >>"$U/after"
test_cmp "$U/before" "$U/after"
assert_eq "1|finished" "$(q "SELECT count(*), max(state) FROM builds;")" "existing database: its builds"
assert_eq ok "$(q "PRAGMA integrity_check;")" "existing database: integrity"
