#!/bin/bash
# t0401: asbuilt deps on examples/hello-make.  For every object, `deps --direct OBJ` equals
# the compiler's own -MD dependency list (realpath-normalised, hashed with sha256sum); for
# the final binary, `deps --direct hello` equals what `ld --trace` prints for the same link
# command (taken from the record's argv).  ld --trace names everything the linker opened:
# crt objects, the libc.so / libgcc_s.so linker scripts and the libraries they pull in,
# archives; deps lists the same files, each once.  The transitive deps reach the sources,
# the generated header and its generator; artifacts lists only hello.
. "$TOP/tests/e2e/lib.sh"

cp -R "$EXAMPLES/hello-make/." .
make clean >/dev/null
record_ok -- make -j2 CC=gcc "CFLAGS=-O2 -g -MD"
assert_build_ok

# hashed LIST: "sha256  path" for every path on stdin (made real), sorted, distinct.
hashed() {
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		r=$(real "$f")
		printf '%s  %s\n' "$(sha256 "$r")" "$r"
	done | sort -u -k2
}

for obj in greet.o x.o main.o; do
	d=${obj%.o}.d
	[ -f "$d" ] || die "the compiler wrote no $d"
	sed -e 's/^[^:]*://' -e 's/\\$//' "$d" | tr ' ' '\n' | grep -v '^$' | hashed >"expect.$obj"
	"$ASBUILT" deps --db "$DB" --direct "$obj" >"actual.$obj"
	test_cmp "expect.$obj" "actual.$obj"
done

# The link of hello, re-run from the recorded argv with -Wl,--trace.
GCC=$(real "$(command -v gcc)")
hex=$(q "SELECT hex(argv) FROM processes WHERE build_id = 1 AND exe = '$GCC'
         AND instr(argv, '-o' || char(0) || 'hello' || char(0)) > 0;")
[ -n "$hex" ] || die "no recorded gcc process linked hello"
mapfile -d '' args < <(printf '%s' "$hex" | xxd -r -p)
for i in "${!args[@]}"; do
	[ "${args[$i]}" != hello ] || args[$i]=hello.trace
done
"${args[@]}" -Wl,--trace >trace.out 2>&1 || die "re-running the link failed: $(cat trace.out)"
# "-lx (./libx.so)" and "(libgreet.a)greet.o" (older binutils) name the file in brackets.
sed -E -e 's/^-l[^ ]+ \((.*)\)$/\1/' -e 's/^\(([^)]*)\).*/\1/' trace.out | hashed >expect.hello
"$ASBUILT" deps --db "$DB" --direct hello >actual.hello
test_cmp expect.hello actual.hello
grep -q '/libc\.so$' actual.hello || die "the libc.so linker script is not a link input"
grep -q '/crti\.o$' actual.hello || die "crti.o is not a link input"

# Transitive: the sources, the generated header, the generator and its source.
"$ASBUILT" deps --db "$DB" hello >all.hello
for f in main.c greet.c greet.h x.c x.h version.h gen gen.c main.o greet.o libgreet.a \
	x.o libx.so /usr/include/stdio.h; do
	grep -qxF "$(sha256 "$f")  $(real "$f")" all.hello || die "deps hello lacks $f"
done
if grep -E '/tmp/cc|version\.h\.tmp' all.hello; then die "temporaries in deps"; fi
sha256sum -c --quiet all.hello || die "deps output does not check with sha256sum -c"

# Relative and absolute names, from another directory.
mkdir sub
(cd sub && "$ASBUILT" deps --db "$DB" --direct ../main.o) >actual.rel
test_cmp expect.main.o actual.rel

assert_eq "$(sha256 hello)  executable  $(real hello)" "$("$ASBUILT" artifacts --db "$DB")" \
	"artifacts: only hello"

# why: hello <- main.o <- version.h <- gen (run as a tool) <- gen.c
"$ASBUILT" why --db "$DB" gen.c hello >why.out
cat why.out >&2
grep -q "<- $(real main.o)  \[link: " why.out || die "why: no link step"
grep -q "<- $(real version.h)  \[compile: " why.out || die "why: no compile step"
grep -q "<- $(real gen)  \[codegen, run as tool: " why.out || die "why: no codegen step"
