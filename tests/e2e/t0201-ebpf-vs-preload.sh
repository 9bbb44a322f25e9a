#!/bin/bash
# t0201: the eBPF backend sees what the interposer sees.  examples/hello-make is built twice
# into one database, once per backend (make clean in between).  For the compiler and linker
# steps (cc1, as, collect2, ld, ar), the sets of (exe, realpath of the input, sha256) of
# their reads with noise IS NULL must be equal, except for these differences, each checked
# to be exactly what is explained and nothing more:
#   1. only ebpf: the ELF interpreter (op 'interp') and the shared libraries the dynamic
#      loader maps into a process - the DT_NEEDED closure of the executable and of every
#      object it dlopen()s (ar and ld load the LTO plugins; LLVMgold.so pulls in libLLVM).
#      ld.so does its opens before the interposer's constructor runs and from inside
#      dlopen(), never through the interposer's hooks; the kernel sees them all.
#      (The dlopen'd objects themselves are in both sets: preload records op 'dlopen',
#      ebpf records the openat that ld.so does, op 'open'; op is not compared.)
#   2. gcc's temporary files (/tmp/ccXXXXXX.s read by as, /tmp/ccXXXXXX.o read by ld) have
#      random names in each build: the names are normalised to ccXXXXXX, and the lists are
#      compared as multisets (four different .s files are four lines).
#   3. KNOWN LIMITATION of the ebpf backend (reported, not yet fixed): those temporaries are
#      written, read and deleted by the gcc driver within milliseconds, and the collector
#      reads the ring buffer asynchronously, so under ebpf they are usually gone before
#      they are hashed: their versions have state 'vanished' and no sha256 (the build row
#      still says complete = 1).  Unless T0201_STRICT_TMP=1, the hash of a temporary is
#      left out of the comparison; instead, every ebpf read of a temporary must have either
#      a version in state 'vanished' or the very hash preload recorded for it.
# Any other difference fails the test and is printed.
. "$TOP/tests/e2e/lib.sh"

# rec BACKEND COMMAND...: record COMMAND with BACKEND into $DB; fail unless it exits 0.
rec() {
	local backend=$1 rc=0
	shift
	timeout -k 10 "$REC_TIMEOUT" "$ASBUILT" record -q -o "$DB" --backend "$backend" -- "$@" \
		2>record.err || rc=$?
	[ ! -s record.err ] || sed "s/^/record($backend): /" record.err >&2
	assert_eq 0 "$rc" "asbuilt record --backend $backend exit status"
}

need_asbuilt
need_ebpf
cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
rec ebpf make -j2 CC=gcc
assert_eq "hello, world (version 1.2.3, x=42)" "$(./hello)" "hello runs (ebpf build)"
make clean >/dev/null
rec preload make -j2 CC=gcc
assert_eq "hello, world (version 1.2.3, x=42)" "$(./hello)" "hello runs (preload build)"

EB=1 PL=2
for b in "$EB|ebpf" "$PL|preload"; do
	assert_eq "finished|1|0|${b#*|}" \
		"$(q "SELECT state, complete, exit_status, backend FROM builds WHERE id = ${b%%|*};")" \
		"build ${b%%|*}: state|complete|exit_status|backend"
	assert_empty "$(q "SELECT reason, detail FROM incomplete WHERE build_id = ${b%%|*};")" \
		"build ${b%%|*} has incomplete rows"
done

CC1=$(real "$(gcc -print-prog-name=cc1)")
COLLECT2=$(real "$(gcc -print-prog-name=collect2)")
AS=$(real "$(command -v as)")
LD=$(real "$(command -v ld)")
AR=$(real "$(command -v ar)")
TOOLS="'$CC1', '$AS', '$COLLECT2', '$LD', '$AR'"
# gcc's temporaries, $TMPDIR/ccXXXXXX.s, .o, ... (spelled out: mawk has no {6})
A='[A-Za-z0-9]'
TMPRE="^$(real "${TMPDIR:-/tmp}")/cc$A$A$A$A$A$A\\.[a-z.]+\$"
for exe in $CC1 $AS $COLLECT2 $LD $AR; do
	for b in $EB $PL; do
		assert_eq 1 "$(q "SELECT count(*) > 0 FROM processes WHERE build_id = $b AND exe = '$exe';")" \
			"build $b has a process row for $exe"
	done
done

# reads BUILD: exe|realpath|sha256 (or NULL)|version state, one line per distinct read.
reads() {
	q "SELECT DISTINCT p.exe, e.realpath, ifnull(v.sha256, 'NULL'), ifnull(v.state, 'NULL')
	   FROM file_events e JOIN processes p ON p.id = e.process_id
	   LEFT JOIN file_versions v ON v.id = e.version_id
	   WHERE e.build_id = $1 AND e.access = 'read' AND e.result >= 0 AND e.noise IS NULL
	     AND p.exe IN ($TOOLS);"
}
reads $EB >ebpf.raw
reads $PL >preload.raw
[ "$(wc -l <preload.raw)" -ge 40 ] || die "too few tool reads under preload: $(cat preload.raw)"
note "$(wc -l <ebpf.raw) ebpf reads, $(wc -l <preload.raw) preload reads"

# The limitation of (3), exactly: a temporary read under ebpf either was hashed (and then
# with a hash preload also saw for a temporary of the same tool) or vanished, no sha256.
awk -F'|' -v re="$TMPRE" '$2 ~ re && $3 != "NULL" { print $1 "|" $3 }' preload.raw | sort -u >tmp.preload
awk -F'|' -v re="$TMPRE" '$2 ~ re' ebpf.raw >tmp.ebpf
[ -s tmp.ebpf ] || die "ebpf recorded no read of a gcc temporary (/tmp/cc*.s by as)"
assert_empty "$(awk -F'|' '!(($3 == "NULL" && $4 == "vanished") || $4 == "ok")' tmp.ebpf)" \
	"ebpf reads of temporaries with a version neither hashed nor 'vanished'"
assert_empty "$(awk -F'|' '$4 == "ok" { print $1 "|" $3 }' tmp.ebpf | sort -u | comm -23 - tmp.preload)" \
	"ebpf hashed a temporary with a hash preload never saw"
assert_empty "$(awk -F'|' -v re="$TMPRE" '$2 ~ re && $3 == "NULL"' preload.raw)" \
	"preload read a temporary without hashing it"
nvanished=$(awk -F'|' '$4 == "vanished"' tmp.ebpf | wc -l)
[ "$nvanished" = 0 ] || note "known limitation: $nvanished temporaries vanished before ebpf hashed them"

# normalise FILE: exe|path|sha256 with temporaries renamed ccXXXXXX (and, unless strict,
# their hash dropped), sorted as a multiset.
normalise() {
	awk -F'|' -v OFS='|' -v re="$TMPRE" -v strict="${T0201_STRICT_TMP:-0}" '
		$2 ~ re { sub(/\/cc[A-Za-z0-9]+\./, "/ccXXXXXX.", $2); if (strict != 1) $3 = "-" }
		{ print $1, $2, $3 }' "$1" | sort
}
normalise ebpf.raw >ebpf.set
normalise preload.raw >preload.set
comm -23 ebpf.set preload.set >only.ebpf
comm -13 ebpf.set preload.set >only.preload

# (1): the objects the dynamic loader maps for EXE: ldd of EXE and of everything EXE
# dlopen()ed in the preload build, symlinks resolved (the interpreter is in ldd's list).
loader_objects() {
	local exe=$1 o
	{
		printf '%s\n' "$exe"
		q "SELECT DISTINCT realpath FROM file_events e JOIN processes p ON p.id = e.process_id
		   WHERE e.build_id = $PL AND e.op = 'dlopen' AND e.result >= 0 AND p.exe = '$exe';"
	} | while IFS= read -r o; do
		ldd "$o" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' || :
	done | xargs -r -d '\n' realpath -e -- | sort -u
}
: >explained
for exe in $CC1 $AS $COLLECT2 $LD $AR; do
	loader_objects "$exe" | while IFS= read -r lib; do
		printf '%s|%s|%s\n' "$exe" "$lib" "$(sha256 "$lib")"
	done >>explained
done
sort -u explained -o explained
# Each ebpf-only line must be a loader object of that exe, with the file's current hash.
assert_empty "$(sort only.ebpf | comm -23 - explained | sed 's/^/only ebpf, unexplained: /')" \
	"reads seen only by the ebpf backend that are not the dynamic loader's"
assert_empty "$(sed 's/^/only preload: /' only.preload)" \
	"reads seen only by the preload backend"
# The explanation is not vacuous: ebpf did see the loader's work, and it was all that differed.
INTERP=$(real "$(ldd "$CC1" | awk '$1 ~ /^\// && $2 ~ /^\(/ { print $1 }')")
LIBC=$(real "$(ldd "$CC1" | awk '$1 ~ /^libc\.so/ { print $3 }')")
assert_eq 1 "$(q "SELECT count(*) > 0 FROM file_events e JOIN processes p ON p.id = e.process_id
                  WHERE e.build_id = $EB AND e.op = 'interp' AND p.exe = '$CC1'
                    AND e.realpath = '$INTERP';")" \
	"ebpf recorded cc1's ELF interpreter $INTERP"
grep -q "^$CC1|$LIBC|" only.ebpf || die "ebpf did not record the dynamic loader opening $LIBC for cc1"
note "$(wc -l <only.ebpf) reads only under ebpf, all by the dynamic loader; $(wc -l <ebpf.set) compared"
# The sources and headers each compile read are the same under both backends, hashes included.
for src in gen.c greet.c x.c main.c greet.h x.h version.h; do
	for b in ebpf preload; do
		grep -q "^$CC1|$PWD/$src|$(sha256 "$src")\$" $b.set || die "$b: cc1 read of $src with its hash"
	done
done
