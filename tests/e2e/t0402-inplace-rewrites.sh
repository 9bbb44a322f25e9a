#!/bin/bash
# t0402: in-place rewrites keep their chains.  An archive updated twice (ar rcs lib a.o,
# then ar rcs lib b.o) reaches both objects and both sources; a binary stripped after
# linking reaches, through its pre-strip version, its objects and sources.
. "$TOP/tests/e2e/lib.sh"

cat >a.c <<'X'
int a(void) { return 1; }
X
cat >b.c <<'X'
int b(void) { return 2; }
X
cat >m.c <<'X'
int a(void);
int b(void);
int main(void) { return a() + b() - 3; }
X
cat >Makefile <<'X'
prog: m.o libab.a
	gcc -o prog m.o libab.a
	strip prog
libab.a: a.o b.o
	rm -f libab.a
	ar rcs libab.a a.o
	ar rcs libab.a b.o
%.o: %.c
	gcc -O2 -c -o $@ $<
X
record_ok -- make
assert_build_ok
./prog || die "prog does not run"

"$ASBUILT" deps --db "$DB" libab.a >deps.lib
for f in a.o b.o a.c b.c; do
	grep -qxF "$(sha256 "$f")  $(real "$f")" deps.lib || die "deps libab.a lacks $f"
done
assert_eq 2 "$(q "SELECT count(*) FROM file_versions WHERE path = '$PWD/libab.a';")" \
	"two versions of libab.a"

"$ASBUILT" deps --db "$DB" prog >deps.prog
for f in m.o m.c a.c b.c a.o b.o libab.a; do
	grep -qxF "$(sha256 "$f")  $(real "$f")" deps.prog || die "deps prog lacks $f"
done
# --direct of the stripped binary: its pre-strip version (same path, other content).
"$ASBUILT" deps --db "$DB" --direct prog >direct.prog
grep -q "  $PWD/prog\$" direct.prog || die "deps --direct prog lacks the unstripped prog"
if grep -qxF "$(sha256 prog)  $PWD/prog" direct.prog; then die "prog is its own input"; fi
assert_eq "$(sha256 prog)  executable  $PWD/prog" "$("$ASBUILT" artifacts --db "$DB")" \
	"artifacts: only the stripped prog"
"$ASBUILT" why --db "$DB" a.c prog >why.out
cat why.out >&2
grep -q '\[strip: strip prog\]' why.out || die "why: no strip step"
grep -q '\[archive: ar rcs libab.a' why.out || die "why: no archive step"
