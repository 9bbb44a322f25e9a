#!/bin/bash
# t0110: the hashes in file_versions and processes match what sha256sum and git compute:
# sha256, gitoid_sha1 (= git hash-object) and gitoid_sha256 (sha256 of "blob <len>\0" +
# content, computed here with a shell pipeline), and size, for inputs and outputs: an empty
# file, one byte, binary bytes with NULs, a 64-byte block and a 3 MB file.
. "$TOP/tests/e2e/lib.sh"

: >empty
printf x >one
printf 'a\0b\0\377\376\r\n' >binary
printf '%064d' 0 >block64
head -c 3145728 /dev/urandom >big
printf 'text with a CRLF\r\nand no newline at the end' >crlf

record_ok -- sh -c 'for f in empty one binary block64 big crlf; do cat "$f" >/dev/null; done
	cp big big.copy && cat binary one >joined'
assert_build_ok

CAT=$(real /bin/cat)
check() { # FILE ORIGIN: the newest version of FILE has the right hashes and size
	assert_eq "$(sha256 "$1")|$(gitoid_sha1 "$1")|$(gitoid_sha256 "$1")|$(stat -c %s "$1")|$2|ok" \
		"$(q "SELECT sha256, gitoid_sha1, gitoid_sha256, size, origin, state FROM file_versions
		      WHERE build_id = 1 AND path = '$PWD/$1' ORDER BY vseq DESC LIMIT 1;")" \
		"$1: sha256|gitoid_sha1|gitoid_sha256|size|origin|state"
}
for f in empty one binary block64 big crlf; do
	check "$f" preexisting
	assert_read_by "$CAT" "$f"
done
check big.copy written
check joined written

# Known values, so the test does not only agree with itself.
assert_eq "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855|e69de29bb2d1d6434b8b29ae775ad8c2e48c5391|473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813" \
	"$(q "SELECT sha256, gitoid_sha1, gitoid_sha256 FROM file_versions WHERE path = '$PWD/empty';")" \
	"the empty file's well-known hashes"

# Executables are hashed too.
assert_eq "$(sha256 "$CAT")" \
	"$(q "SELECT DISTINCT exe_sha256 FROM processes WHERE build_id = 1 AND exe = '$CAT';")" \
	"exe_sha256 of cat"
# Every hash in the database is lowercase hex of the right length.
assert_empty "$(q "SELECT id FROM file_versions WHERE build_id = 1 AND state = 'ok' AND NOT (
                     length(sha256) = 64 AND length(gitoid_sha1) = 40 AND length(gitoid_sha256) = 64
                     AND sha256 NOT GLOB '*[^0-9a-f]*' AND gitoid_sha1 NOT GLOB '*[^0-9a-f]*'
                     AND gitoid_sha256 NOT GLOB '*[^0-9a-f]*');")" "malformed hashes"
assert_empty "$(q "SELECT id FROM file_versions WHERE build_id = 1 AND state != 'ok'
                   AND sha256 IS NOT NULL;")" "a hash kept for a version whose state is not ok"
