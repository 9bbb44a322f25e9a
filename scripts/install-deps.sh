#!/usr/bin/env bash
# install-deps.sh - install the Debian packages asbuilt needs to build, test and benchmark.
#
# Idempotent: asks dpkg which packages are missing and installs only those; runs
# `apt-get update` only when something is missing.  Prints one line per action and nothing
# else on success; on failure prints apt's log and exits non-zero.
#
# Usage: bash scripts/install-deps.sh [--check]
#   --check   list the missing packages and exit 1 if any, without installing.
set -euo pipefail

# Grouped by what needs them.  Keep this list and README's in step.
PKGS_BUILD=(build-essential pkg-config libsqlite3-dev libssl-dev libcjson-dev
            libelf-dev libdw-dev librpm-dev libgit2-dev)
PKGS_EBPF=(libbpf-dev bpftool clang llvm)
# rpm: rpmbuild and rpm make the fixture rpm database of tests/unit/test_resolve_rpm.c (and
# t0507 builds examples/hello-deb with rpmbuild); debhelper: t0505/t0506 dpkg-buildpackage it;
# jq: the end-to-end tests read JSON documents with it (t0508, t0603, t0604); golang-go,
# liburing-dev: t0125 records a real Go program and a ring made by liburing (both make their
# system calls without libc) under the interposer; libcap2-bin: t0126's setcap;
# libc6-i386: t0129 runs a 32-bit program.
PKGS_TEST=(libcriterion-dev sqlite3 python3-jsonschema cmake git rpm mandoc debhelper jq
           golang-go liburing-dev libcap2-bin libc6-i386)
PKGS_DEV=(clang-format)
# bench/run.sh: dpkg-dev for `apt-get source`, bear and strace as reference tracers,
# time for /usr/bin/time (CPU time of a build).
PKGS_BENCH=(dpkg-dev bear strace time)

# Auditor tools (issue 6): chromium renders `asbuilt graph --format html` in the tests,
# graphviz checks the dot output, zlib1g-dev is the library the symbols/vex example links.
PKGS_AUDIT=(chromium graphviz zlib1g-dev)

# tests/realworld (make check-realworld); its Debian package's build dependencies come from
# `apt-get build-dep` in tests/realworld/setup.sh.
PKGS_REAL=(dpkg-dev python3 cmake sqlite3 binutils)

PKGS=("${PKGS_BUILD[@]}" "${PKGS_EBPF[@]}" "${PKGS_TEST[@]}" "${PKGS_DEV[@]}" "${PKGS_BENCH[@]}"
      "${PKGS_AUDIT[@]}" "${PKGS_REAL[@]}")

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: %s\n' "$*" >&2; exit 1; }

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  *) die "unknown argument '$1' (usage: install-deps.sh [--check])" ;;
esac

command -v dpkg-query >/dev/null 2>&1 ||
  die "dpkg-query not found: this script supports Debian 12 and derivatives only"

# A package counts as present only when dpkg says 'install ok installed'.
missing=()
for p in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all ${#PKGS[@]} packages present"
  exit 0
fi

if [ "$check_only" -eq 1 ]; then
  say "missing: ${missing[*]}"
  exit 1
fi

# Root, or sudo without a password prompt we cannot answer; else say what to run.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "missing packages: ${missing[*]}; not root and sudo not found: run as root:" \
        "apt-get update && apt-get install -y ${missing[*]}"
  fi
fi

log=$(mktemp "${TMPDIR:-/tmp}/asbuilt-install-deps.XXXXXX")
trap 'rm -f "$log"' EXIT

run_apt() {
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

say "apt-get update"
run_apt apt-get update
say "installing ${missing[*]}"
run_apt apt-get install -y --no-install-recommends "${missing[@]}"

# Verify: a package name apt silently resolved elsewhere would otherwise go unnoticed.
still=()
for p in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || still+=("$p")
done
[ "${#still[@]}" -eq 0 ] || die "still missing after install: ${still[*]}"
