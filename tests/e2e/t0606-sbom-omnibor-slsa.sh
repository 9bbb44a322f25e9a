#!/bin/bash
# t0606: asbuilt sbom --format omnibor and --format slsa write exactly what asbuilt omnibor
# and asbuilt provenance write for a recorded build of examples/hello-make: the same
# OmniBOR directory (manifests and index.tsv, byte for byte) and the same lines on standard
# output; the same in-toto statement (file and standard output), and with --sign KEY the
# same DSSE envelope, which verify-attestation accepts; named ARTIFACTs select the same
# way.  sbom --help lists all five formats.
. "$TOP/tests/e2e/lib.sh"

command -v openssl >/dev/null || skip "openssl is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok

"$ASBUILT" sbom --help >help.out || die "sbom --help"
for f in spdx spdx3 cyclonedx omnibor slsa; do
	grep -qE "^ +$f +[A-Z]" help.out || die "--help does not list the format $f: $(cat help.out)"
done
grep -q "Exit status" help.out || die "--help does not say the exit statuses"

# OmniBOR: directory and standard output.
"$ASBUILT" omnibor --db "$DB" -o ob1 >ob1.out || die "asbuilt omnibor"
"$ASBUILT" sbom --db "$DB" --format omnibor -o ob2 >ob2.out || die "sbom --format omnibor"
diff -r ob1 ob2 >&2 || die "sbom --format omnibor and asbuilt omnibor wrote different directories"
test_cmp ob1.out ob2.out
[ -n "$(find ob2/manifests -type f)" ] || die "no manifest written"
OMNIBOR_DIR=ob3 "$ASBUILT" sbom --db "$DB" --format omnibor >/dev/null || die "omnibor via OMNIBOR_DIR"
diff -r ob1 ob3 >&2 || die "\$OMNIBOR_DIR is not honoured like asbuilt omnibor does"
"$ASBUILT" omnibor --db "$DB" -o ob4 main.o >ob4.out || die "asbuilt omnibor main.o"
"$ASBUILT" sbom --db "$DB" --format omnibor -o ob5 main.o >ob5.out || die "sbom omnibor main.o"
diff -r ob4 ob5 >&2 || die "omnibor of main.o differs"
test_cmp ob4.out ob5.out

# SLSA: file, standard output, named artifact.
"$ASBUILT" provenance --db "$DB" -o p1.json || die "asbuilt provenance"
"$ASBUILT" sbom --db "$DB" --format slsa -o p2.json || die "sbom --format slsa"
test_cmp p1.json p2.json
"$ASBUILT" sbom --db "$DB" --format slsa >p3.json || die "sbom --format slsa to stdout"
test_cmp p1.json p3.json
grep -qE '"predicateType":[[:space:]]+"https://slsa.dev/provenance/v1"' p2.json || die "not SLSA provenance"
"$ASBUILT" provenance --db "$DB" libgreet.a >p4.json || die "provenance libgreet.a"
"$ASBUILT" sbom --db "$DB" --format slsa libgreet.a >p5.json || die "sbom slsa libgreet.a"
test_cmp p4.json p5.json

# Signed: Ed25519 is deterministic, so the envelopes are the same bytes.
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null || skip "openssl cannot make Ed25519 keys"
openssl pkey -in key.pem -pubout -out pub.pem
"$ASBUILT" provenance --db "$DB" --sign key.pem -o e1.json || die "provenance --sign"
"$ASBUILT" sbom --db "$DB" --format slsa --sign key.pem -o e2.json || die "sbom --format slsa --sign"
test_cmp e1.json e2.json
grep -qE '"payloadType":[[:space:]]*"application/vnd.in-toto\+json"' e2.json || die "not a DSSE envelope"
"$ASBUILT" verify-attestation --key pub.pem e2.json >verify.out || die "verify-attestation rejects it"
grep -qx "subject  sha256:$(sha256 hello)  hello" verify.out || die "subjects: $(cat verify.out)"
