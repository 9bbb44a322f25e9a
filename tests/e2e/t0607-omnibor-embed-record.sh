#!/bin/bash
# t0607: the record notes the rewrite `asbuilt sbom --format omnibor --embed` makes.  After
# embedding into examples/hello-make's hello: a new file_versions row of hello (next vseq,
# origin 'written', state 'ok') with the file's real sha256, sha1, both gitoids and size
# (computed here with sha256sum, sha1sum, git hash-object); its writer is a processes row
# for the objcopy run (exe the objcopy binary, argv adding .note.omnibor to hello, exit 0,
# source 'asbuilt', no parent) whose events exec objcopy (its version has objcopy's real
# sha256), read the pre-embed version and write the new one; the ELF facts of the new version
# are stored (its build-id is the one readelf shows).  The database stays consistent.
# `asbuilt show` prints the objcopy process and the new hash; `artifacts` names hello with
# its new hash; `deps` still reaches main.o through the old version; the SBOM says the
# embedded hello was made from the recorded one; provenance names the new digest.  A second
# embedding changes nothing in the file or the record.
. "$TOP/tests/e2e/lib.sh"

command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc
assert_build_ok
H=$(real hello)
old_sha=$(sha256 hello)
old=$(q "SELECT id || '|' || vseq FROM file_versions WHERE path = $(sqlstr "$H") ORDER BY vseq DESC LIMIT 1;")
old_id=${old%|*} old_vseq=${old#*|}
nproc_before=$(q "SELECT count(*) FROM processes;")

"$ASBUILT" sbom --db "$DB" --format omnibor --embed -o ob >embed.out 2>embed.err ||
	die "sbom --format omnibor --embed: $(cat embed.err)"
grep -qx "embedded  gitoid:blob:sha256:$(gitoid_sha256 hello)  $H" embed.out ||
	die "no 'embedded' line: $(cat embed.out)"
new_sha=$(sha256 hello)
[ "$new_sha" != "$old_sha" ] || die "hello was not rewritten"

# The new version.
assert_eq "$((old_vseq + 1))|$new_sha|$(sha1sum <hello | cut -d' ' -f1)|$(gitoid_sha1 hello)|$(gitoid_sha256 hello)|$(stat -c %s hello)|written|ok" \
	"$(q "SELECT vseq, sha256, sha1, gitoid_sha1, gitoid_sha256, size, origin, state
	      FROM file_versions WHERE path = $(sqlstr "$H") ORDER BY vseq DESC LIMIT 1;")" \
	"newest version of hello: vseq|sha256|sha1|gitoids|size|origin|state"
new_id=$(q "SELECT id FROM file_versions WHERE path = $(sqlstr "$H") ORDER BY vseq DESC LIMIT 1;")
assert_eq "$((nproc_before + 1))" "$(q "SELECT count(*) FROM processes;")" "one process row added"

# Its writer: the objcopy run.
w=$(q "SELECT writer_id FROM file_versions WHERE id = $new_id;")
IFS='|' read -r exe src status how parent ok_times <<<"$(q "SELECT exe, source, exit_status, exit_how,
	coalesce(parent_id, '-'), end_ns >= start_ns FROM processes WHERE id = $w;")"
case $exe in */*objcopy) ;; *) die "the writer is not objcopy: $exe" ;; esac
assert_eq "asbuilt|0|exit|-|1" "$src|$status|$how|$parent|$ok_times" \
	"writer: source|exit status|exit how|parent|end >= start"
argv=$(q "SELECT hex(argv) FROM processes WHERE id = $w;" | /usr/bin/python3 -c \
	'import sys; print(bytes.fromhex(sys.stdin.read().strip()).replace(b"\0", b" ").decode())')
case $argv in *"--add-section .note.omnibor="*"$H"*) ;; *) die "objcopy argv: $argv" ;; esac
assert_eq "exec|read|$(sha256 "$exe")
open|read|$old_id
open|write|$new_id" \
	"$(q "SELECT e.op, e.access, CASE e.op WHEN 'exec' THEN v.sha256 ELSE e.version_id END
	      FROM file_events e JOIN file_versions v ON v.id = e.version_id
	      WHERE e.process_id = $w ORDER BY e.id;")" "events of the objcopy run"
assert_eq "$(readelf -n hello | awk '/Build ID/ { print $3 }')" \
	"$(q "SELECT build_id FROM elf_info WHERE version_id = $new_id;")" "elf_info of the new version"

# Still a consistent database (assert_db_valid minus processes.source, which gains 'asbuilt').
assert_eq ok "$(q "PRAGMA integrity_check;")" "database integrity"
assert_empty "$(q "PRAGMA foreign_key_check;")" "foreign keys that do not resolve"
assert_empty "$(q "SELECT source FROM processes WHERE source NOT IN ('preload', 'ebpf', 'asbuilt');")" \
	"processes.source values docs/database.md does not list"

# The commands see it.
"$ASBUILT" show --db "$DB" >show.out || die "asbuilt show"
grep -q "exe: $exe" show.out || die "show does not print the objcopy process"
grep -qE "open +write +$H +sha256 $new_sha" show.out || die "show does not print the new version"
"$ASBUILT" show --db "$DB" --json | grep -q '"source":"asbuilt"' || die "show --json: no source asbuilt"
"$ASBUILT" artifacts --db "$DB" >arts.out || die "asbuilt artifacts"
grep -qE "^$new_sha +executable +$H\$" arts.out || die "artifacts does not name the embedded hello: $(cat arts.out)"
grep -q "$old_sha" arts.out && die "artifacts still names the pre-embed hello"
"$ASBUILT" deps --db "$DB" hello >deps.out || die "asbuilt deps hello"
grep -q "^$old_sha  $H\$" deps.out || die "deps does not reach the recorded hello"
grep -q "  $(real main.o)\$" deps.out || die "deps no longer reaches main.o"
"$ASBUILT" sbom --db "$DB" --format cyclonedx -o cdx.json || die "sbom after embedding"
/usr/bin/python3 - "$H" "$old_sha" "$new_sha" <<'PY' || die "the SBOM after embedding"
import json, sys
h, old, new = sys.argv[1:4]
c = json.load(open("cdx.json"))
files = {x["bom-ref"]: {a["alg"]: a["content"] for a in x["hashes"]}["SHA-256"]
         for x in c["components"] if x["type"] == "file" and x["name"] == h}
ref = {v: k for k, v in files.items()}
assert new in ref and old in ref, files
deps = {d["ref"]: d.get("dependsOn", []) for d in c["dependencies"]}
assert ref[old] in deps[ref[new]], "the embedded hello does not depend on the recorded one"
assert ref[new] in deps[c["metadata"]["component"]["bom-ref"]], "the product is not the new hello"
PY
"$ASBUILT" provenance --db "$DB" >prov.json || die "provenance after embedding"
grep -q "$new_sha" prov.json || die "provenance does not name the embedded hello's digest"

# A second embedding: nothing changes.
n=$(q "SELECT count(*) FROM file_versions;")
"$ASBUILT" sbom --db "$DB" --format omnibor --embed -o ob >again.out || die "second embedding"
grep -q "^already embedded  " again.out || die "no 'already embedded': $(cat again.out)"
assert_eq "$new_sha" "$(sha256 hello)" "hello after a second embedding"
assert_eq "$n" "$(q "SELECT count(*) FROM file_versions;")" "versions after a second embedding"
