#!/bin/bash
# t0207: `sudo asbuilt record --backend ebpf` loads the tracer as root, then hashes files and
# writes the database as the user who ran sudo (SUDO_UID/SUDO_GID), so a build cannot make
# asbuilt read a file that user could not: a root-only file the build reads is recorded
# as read, but left unhashed ('unreadable') and named as a reason the record is incomplete,
# while a file the user may read is hashed. The database belongs to the user.
. "$TOP/tests/e2e/lib.sh"

need_asbuilt
[ "$(id -u)" = 0 ] || skip "not root: the eBPF backend needs CAP_BPF and CAP_PERFMON"
if ! err=$("$ASBUILT" record -q -o "$PWD/probe.db" --backend ebpf -- true 2>&1); then
	skip "eBPF backend unavailable: $(printf '%s' "$err" | head -n 1)"
fi
U=65534 # nobody

# A directory the user owns, holding the database; one file only root may read.
D=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-t0207.XXXXXX")
trap 'rm -rf "$D"' EXIT
chmod 0755 "$D"
mkdir "$D/user"
chown "$U:$U" "$D/user"
printf 'root only\n' >"$D/secret.txt"
chmod 0600 "$D/secret.txt"
printf 'anyone\n' >"$D/public.txt"
chmod 0644 "$D/public.txt"

SUDO_UID=$U SUDO_GID=$U SUDO_USER=nobody "$ASBUILT" record -q --allow-incomplete \
	--backend ebpf -o "$D/user/a.db" -- sh -c "cat '$D/secret.txt' '$D/public.txt' >/dev/null" \
	2>stderr || die "record failed: $(cat stderr)"
DB=$D/user/a.db

assert_eq "$U" "$(stat -c %u "$DB")" "the database belongs to the sudo user"
assert_eq "nobody" "$(q "SELECT user FROM builds WHERE id = 1;")" "builds.user is the sudo user"
assert_eq "unreadable|" "$(q "SELECT v.state, coalesce(v.sha256, '') FROM file_events e
	JOIN file_versions v ON v.id = e.version_id
	WHERE e.abspath = '$D/secret.txt' AND e.access = 'read';")" \
	"the root-only file was read by the build but not hashed by asbuilt"
assert_eq "$(sha256sum <"$D/public.txt" | cut -d' ' -f1)" "$(q "SELECT v.sha256 FROM file_events e
	JOIN file_versions v ON v.id = e.version_id
	WHERE e.abspath = '$D/public.txt' AND e.access = 'read';")" "the readable file is hashed"
assert_eq "unreadable|$D/secret.txt" "$(q "SELECT reason, detail FROM incomplete WHERE build_id = 1;")" \
	"the unreadable file is named as a reason the record is incomplete"
assert_eq 0 "$(q "SELECT complete FROM builds WHERE id = 1;")" "the record says it is incomplete"
