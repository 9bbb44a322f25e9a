#!/bin/bash
# t0703: asbuilt verify --attestation ENVELOPE --key PUB.pem checks a DSSE envelope made by
# asbuilt provenance --sign: a valid signature and subjects that match the files on disk:
# exit 0.  The artifact changed since: its subject is 'changed' (exit 1).  Another key, or
# a payload changed after signing: "signature NOT valid", exit 1, and the subjects are not
# trusted (not listed).  Not an envelope, a key that is not Ed25519: exit 2.  With --db the
# record is checked too, in the same run.
. "$TOP/tests/e2e/lib.sh"

command -v jq >/dev/null || skip "jq is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null || skip "openssl cannot make Ed25519 keys"
openssl pkey -in key.pem -pubout -out pub.pem
"$ASBUILT" provenance --db "$DB" --sign key.pem -o env.json || die "provenance --sign failed"
keyid=$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -d' ' -f1)

run_verify() { # ARG...: verify --json ARG..., exit status in $VRC
	VRC=0
	"$ASBUILT" verify --json "$@" >v.json 2>v.err || VRC=$?
	cat v.err >&2
}

# From another directory: subject names are relative to the build's cwd (in the statement).
mkdir elsewhere
(cd elsewhere && "$ASBUILT" verify --attestation ../env.json --key ../pub.pem --json >../v.json) ||
	die "verify --attestation of a good envelope"
assert_eq true "$(jq .signature.valid v.json)" "signature valid"
assert_eq "$keyid" "$(jq -r .signature.keyid v.json)" "keyid"
assert_eq "ok $(sha256 hello)" \
	"$(jq -r --arg p "$PWD/hello" '.files[] | select(.role == "subject" and .path == $p) | "\(.status) \(.recorded_sha256)"' v.json)" \
	"subject hello"
[ "$(jq '[.files[] | select(.role == "input")] | length' v.json)" -gt 10 ] ||
	die "resolvedDependencies not checked"
assert_eq "$(jq '.files | length' v.json)" "$(jq .summary.ok v.json)" "everything ok"

# The artifact changed since the build.
cp hello hello.orig && printf 'X' >>hello
run_verify --attestation env.json --key pub.pem
assert_eq 1 "$VRC" "verify of a changed subject"
assert_eq "changed subject $PWD/hello" \
	"$(jq -r '.files[] | select(.status != "ok") | "\(.status) \(.role) \(.path)"' v.json)" \
	"the changed subject"
# with the record too: the same file is also the record's artifact
run_verify --db "$DB" --attestation env.json --key pub.pem
assert_eq 1 "$VRC" "verify --db --attestation of a changed artifact"
assert_eq "changed artifact $PWD/hello
changed subject $PWD/hello" \
	"$(jq -r '.files[] | select(.status != "ok") | "\(.status) \(.role) \(.path)"' v.json | sort)" \
	"artifact and subject changed"
mv hello.orig hello
run_verify --db "$DB" --attestation env.json --key pub.pem
assert_eq 0 "$VRC" "verify --db --attestation after restoring"

# Another key; a payload changed after signing.
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other.pub
rc=0
"$ASBUILT" verify --attestation env.json --key other.pub >v.txt || rc=$?
assert_eq 1 "$rc" "verify with another key"
grep -q "^invalid *signature *env.json" v.txt || die "no invalid signature line: $(cat v.txt)"
grep -q "signature NOT valid" v.txt || die "summary does not say the signature is not valid"
grep -q subject v.txt && die "subjects of an envelope that does not verify were listed"
p=$(jq -r .payload env.json)
c=${p:100:1}
if [ "$c" = A ]; then n=B; else n=A; fi
jq --arg p "${p:0:100}$n${p:101}" '.payload = $p' env.json >tampered.json
run_verify --attestation tampered.json --key pub.pem
assert_eq 1 "$VRC" "verify of a tampered payload"
assert_eq false "$(jq .signature.valid v.json)" "tampered: signature.valid"

# Unusable input: exit 2 with a message.
expect2() { # MSG PATTERN ARG...
	local msg=$1 pat=$2 rc=0
	shift 2
	"$ASBUILT" verify "$@" >out.txt 2>err.txt || rc=$?
	assert_eq 2 "$rc" "$msg: exit status"
	grep -q -- "$pat" err.txt || die "$msg: message '$(cat err.txt)' does not say '$pat'"
}
echo 'not json' >bad.json
expect2 "not an envelope" "bad.json" --attestation bad.json --key pub.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl pkey -in ec.pem -pubout -out ec.pub
expect2 "EC key" "not Ed25519" --attestation env.json --key ec.pub
expect2 "--attestation without --key" "go together" --attestation env.json
expect2 "missing envelope" "nothere.json" --attestation nothere.json --key pub.pem
