#!/usr/bin/env bash
# run.sh - the real-world suite (make check-realworld): real projects nobody here wrote,
# built under `asbuilt record` with each backend, and asbuilt's record measured against
# the ground truth each build writes itself (docs/accuracy.md).
#
# Usage: bash tests/realworld/run.sh [PROJECT...]
# Projects (default: all four):
#   lua    Lua 5.4 upstream, plain Makefile   make -j2 linux
#   hello  GNU hello upstream, autotools      ./configure && make -j2
#   cjson  cJSON upstream, CMake              cmake -S . -B build && cmake --build build -j2
#   deb    Debian source package $REALWORLD_DEB (default libsodium: autoreconf, libtool),
#          dpkg-buildpackage -b -uc -us -j2; then its per-package SBOMs are checked
# Every build gets -MD in its CFLAGS and -Wl,-Map=%.map in its LDFLAGS: the compiler's
# own dependency list of every object and the linker's own list of every link's inputs.
#
# Environment:
#   ASBUILT            the asbuilt binary (default build/bin/asbuilt)
#   DIRECTDEPS         rw-directdeps built from directdeps.c (make check-realworld builds
#                      it); without it each object costs one `asbuilt deps --direct` run
#   REALWORLD_CACHE    sources (default build/realworld), filled by setup.sh
#   REALWORLD_OUT      work trees, databases and results (default $REALWORLD_CACHE/out)
#   REALWORLD_BACKENDS backends (default "preload ebpf")
#   REALWORLD_DEB      the Debian source package of the dpkg-buildpackage run
#   REALWORLD_JOBS     parallel jobs of each build (default 2)
#   CI=true            a backend that cannot run here (ebpf without privileges) and a
#                      missing `sbom --per-package` fail instead of being skipped
# Exit status: 0 every target met; 1 a target missed (the misses are printed); 2 the suite
# could not run (no asbuilt, setup failed, unknown project).
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ASBUILT=${ASBUILT:-$root/build/bin/asbuilt}
DIRECTDEPS=${DIRECTDEPS:-}
export REALWORLD_CACHE=${REALWORLD_CACHE:-$root/build/realworld}
export REALWORLD_DEB=${REALWORLD_DEB:-libsodium}
OUT=${REALWORLD_OUT:-$REALWORLD_CACHE/out}
BACKENDS=${REALWORLD_BACKENDS:-preload ebpf}
JOBS=${REALWORLD_JOBS:-2}
PROJECTS=("$@")
[ "${#PROJECTS[@]}" -gt 0 ] || PROJECTS=(lua hello cjson deb)

say() { printf 'realworld: %s\n' "$*" >&2; }
die() { printf 'realworld: %s\n' "$*" >&2; exit 2; }

case "$ASBUILT" in /*) ;; *) ASBUILT=$PWD/$ASBUILT ;; esac
[ -x "$ASBUILT" ] || die "asbuilt binary not found: $ASBUILT (make, or set ASBUILT)"
[ -z "$DIRECTDEPS" ] || [ -x "$DIRECTDEPS" ] || die "DIRECTDEPS '$DIRECTDEPS' is not executable"
command -v python3 >/dev/null 2>&1 || die "python3 is missing (bash scripts/install-deps.sh)"
for p in "${PROJECTS[@]}"; do
	case "$p" in lua | hello | cjson | deb) ;; *) die "unknown project '$p' (lua hello cjson deb)" ;; esac
done

t_suite=$(date +%s.%N)
bash "$here/setup.sh" || die "setup failed"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT/work" "$OUT/db" "$OUT/results"
rm -f "$OUT"/results/*
failures=()
fail() {
	failures+=("$*")
	printf 'realworld: FAIL %s\n' "$*" >&2
}

# ebpf needs privileges and a kernel with BTF: find out once.
backend_ok() {
	local b=$1 probe="$OUT/db/probe-$1.db"
	rm -f "$probe"
	"$ASBUILT" record -q --backend "$b" -o "$probe" -- true >"$OUT/probe-$b.log" 2>&1
}

# upstream trees (bench/fetch.sh layout) and the Debian source tree
src_of() {
	case "$1" in
	lua) echo "$REALWORLD_CACHE/src/lua5.4" ;;
	hello | cjson) echo "$REALWORLD_CACHE/src/$1" ;;
	deb) find "$REALWORLD_CACHE/deb/$REALWORLD_DEB" -mindepth 1 -maxdepth 1 -type d \
		-name "$REALWORLD_DEB-*" | head -n 1 ;;
	esac
}

label() {
	case "$1" in
	lua) echo "lua5.4 (make)" ;;
	hello) echo "hello (autotools)" ;;
	cjson) echo "cjson (cmake)" ;;
	deb) echo "$REALWORLD_DEB (dpkg-buildpackage)" ;;
	esac
}

# Sets cmd (the recorded command, run in dir) for project $1 unpacked in $2.
project_cmd() {
	local map='-Wl,-Map=%.map'
	dir=$2
	case "$1" in
	lua) cmd=(make -j"$JOBS" linux MYCFLAGS=-MD "MYLDFLAGS=$map") ;;
	hello) cmd=(sh -c "./configure CFLAGS='-g -O2 -MD' LDFLAGS='$map' && make -j$JOBS") ;;
	cjson) cmd=(sh -c "cmake -S . -B build -DENABLE_CJSON_UTILS=On -DCMAKE_C_FLAGS=-MD \
'-DCMAKE_EXE_LINKER_FLAGS=$map' '-DCMAKE_SHARED_LINKER_FLAGS=$map' && cmake --build build -j$JOBS") ;;
	deb)
		dir=$2/$(basename "$(src_of deb)")
		cmd=(env DEB_CFLAGS_APPEND=-MD "DEB_LDFLAGS_APPEND=$map" dpkg-buildpackage -b -uc -us -j"$JOBS")
		;;
	esac
}

# run_one PROJECT BACKEND: a fresh copy, the recorded build, the accuracy report.
run_one() {
	local p=$1 b=$2 name="$1-$2" src work db t0 t1 rc
	src=$(src_of "$p")
	[ -n "$src" ] && [ -d "$src" ] || { fail "$name: no source tree (setup.sh)"; return; }
	work="$OUT/work/$name"
	db="$OUT/db/$name.db"
	rm -rf "$work" "$db" "$db-wal" "$db-shm"
	mkdir -p "$work"
	if [ "$p" = deb ]; then cp -a "$src" "$work/"; else cp -a "$src/." "$work/"; fi
	project_cmd "$p" "$work"
	touch "$work.stamp"
	say "$name: recording ${cmd[*]}"
	t0=$(date +%s.%N)
	# --allow-incomplete: what the record could not see is reported in the table (the
	# `incomplete` rows), and a gap that touches an input shows up as a miss
	(cd "$dir" && timeout -k 10 3600 "$ASBUILT" record -q --allow-incomplete --backend "$b" \
		-o "$db" -- "${cmd[@]}") \
		>"$OUT/results/$name.build.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	printf '%s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >"$OUT/results/$name.seconds"
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$OUT/results/$name.build.log" >&2
		fail "$name: asbuilt record exited $rc (log: $OUT/results/$name.build.log)"
		[ -f "$db" ] || return
	fi
	local extra=()
	[ -z "$DIRECTDEPS" ] || extra+=(--helper "$DIRECTDEPS")
	[ "$name" != lua-preload ] || extra+=(--crosscheck)
	python3 "$here/accuracy.py" --asbuilt "$ASBUILT" --db "$db" --tree "$work" \
		--since "$work.stamp" --project "$(label "$p")" --backend "$b" \
		--json "$OUT/results/$name.json" "${extra[@]}" | tee "$OUT/results/$name.txt"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || fail "$name: accuracy targets missed (exit $rc, $OUT/results/$name.txt)"
	if [ "$p" = deb ]; then
		python3 "$here/debcheck.py" --asbuilt "$ASBUILT" --db "$db" --tree "$work" \
			--srcdir "$dir" --out "$OUT/results/$name-sbom" --since "$work.stamp" \
			--json "$OUT/results/$name.sbom.json" | tee "$OUT/results/$name.sbom.txt"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 77 ] && [ "${CI:-}" != true ]; then
			say "$name: per-package SBOMs skipped (see above)"
		elif [ "$rc" -ne 0 ]; then
			fail "$name: per-package SBOM check failed (exit $rc)"
		fi
	fi
	if [ "$name" = lua-preload ]; then
		bash "$here/controls.sh" "$db" "$work" || fail "negative controls: accuracy.py missed a planted error"
	fi
}

for b in $BACKENDS; do
	if ! backend_ok "$b"; then
		if [ "${CI:-}" = true ]; then
			fail "backend $b cannot record here: $(tail -n 1 "$OUT/probe-$b.log")"
		else
			say "SKIP backend $b: $(tail -n 1 "$OUT/probe-$b.log")"
		fi
		continue
	fi
	for p in "${PROJECTS[@]}"; do
		run_one "$p" "$b"
	done
done

t_end=$(date +%s.%N)
python3 "$here/summary.py" "$OUT/results" "$(awk -v a="$t_suite" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')" | tee "$OUT/results.md"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "summary.py could not write the table"
if [ "${#failures[@]}" -gt 0 ]; then
	printf 'realworld: %d failures:\n' "${#failures[@]}" >&2
	printf '  %s\n' "${failures[@]}" >&2
	exit 1
fi
say "all targets met ($OUT/results.md)"
