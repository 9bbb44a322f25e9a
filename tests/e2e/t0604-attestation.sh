#!/bin/bash
# t0604: asbuilt provenance --sign KEY wraps the statement in a DSSE envelope signed with an
# Ed25519 key made by openssl.  asbuilt verify-attestation accepts it with the public key
# (exit 0, prints the subjects); openssl itself verifies the signature over the DSSE PAE
# built here; the keyid is the sha256 of the public key's DER.  One flipped byte of the
# payload, another key: exit 1.  Not JSON, a wrong payloadType, a key that is not
# Ed25519, a missing file: exit 2.
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
assert_eq "application/vnd.in-toto+json" "$(jq -r .payloadType env.json)" "payloadType"
jq -r .payload env.json | base64 -d >payload.json || die "payload is not base64"
"$ASBUILT" provenance --db "$DB" | jq -c . >unsigned.json
assert_eq "$(cat unsigned.json)" "$(jq -c . payload.json)" "the payload is the statement"
assert_eq "$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -d' ' -f1)" \
	"$(jq -r '.signatures[0].keyid' env.json)" "keyid = sha256 of the public key DER"

# openssl verifies the signature over PAE("DSSEv1", type, payload).
type=application/vnd.in-toto+json
{ printf 'DSSEv1 %d %s %d ' ${#type} "$type" "$(stat -c %s payload.json)"; cat payload.json; } >pae.bin
jq -r '.signatures[0].sig' env.json | base64 -d >sig.bin
openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae.bin -sigfile sig.bin >&2 ||
	die "openssl does not verify the signature over the PAE"

"$ASBUILT" verify-attestation --key pub.pem env.json >verify.out || die "verify-attestation rejected a good envelope"
grep -qx "subject  sha256:$(sha256 hello)  hello" verify.out || die "subjects not printed: $(cat verify.out)"
"$ASBUILT" verify-attestation --key key.pem env.json >/dev/null || die "a private key file does not verify"

# expect_rc N MSG ARGS...: verify-attestation ARGS exits N and says something.
expect_rc() {
	local want=$1 msg=$2 rc=0
	shift 2
	"$ASBUILT" verify-attestation "$@" >out.txt 2>err.txt || rc=$?
	assert_eq "$want" "$rc" "$msg: exit status"
	[ -s err.txt ] || die "$msg: no message"
	note "$msg: $(cat err.txt)"
}

# One byte of the payload changed (a base64 character swapped for another).
p=$(jq -r .payload env.json)
c=${p:100:1}
if [ "$c" = A ]; then n=B; else n=A; fi
jq --arg p "${p:0:100}$n${p:101}" '.payload = $p' env.json >tampered.json
expect_rc 1 "tampered payload" --key pub.pem tampered.json
grep -q "NOT valid" err.txt || die "tampered: unclear message"
[ ! -s out.txt ] || die "tampered: subjects printed for an invalid envelope"
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other.pub
expect_rc 1 "another key" --key other.pub env.json

echo 'not json' >bad.json
expect_rc 2 "not JSON" --key pub.pem bad.json
jq '.payloadType = "text/plain"' env.json >type.json
expect_rc 2 "wrong payloadType" --key pub.pem type.json
grep -q "text/plain" err.txt || die "wrong payloadType: unclear message"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2>/dev/null
openssl pkey -in ec.pem -pubout -out ec.pub
expect_rc 2 "EC key" --key ec.pub env.json
grep -q "not Ed25519" err.txt || die "EC key: unclear message"
expect_rc 2 "missing file" --key pub.pem nonexistent.json
expect_rc 2 "unsigned statement" --key pub.pem unsigned.json

# provenance --sign with a key that is not Ed25519 is refused.
rc=0
"$ASBUILT" provenance --db "$DB" --sign ec.pem -o x.json 2>err.txt || rc=$?
assert_eq 2 "$rc" "provenance --sign with an EC key"
