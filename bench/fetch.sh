#!/usr/bin/env bash
# fetch.sh - fetch and cache the upstream source of a Debian source package for the bench.
#
# Usage: bash bench/fetch.sh SRCPKG
# Prints the path of a pristine, unpacked upstream tree (the .orig tarball, without Debian's
# patches) under $BENCH_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/asbuilt-bench).
# A cached tree is reused; nothing is fetched then.  When apt has no deb-src entry, one is
# added as /etc/apt/sources.list.d/asbuilt-src.sources: a copy of debian.sources with
# `Types: deb-src` (needs root, or sudo).
set -euo pipefail

pkg=${1:?usage: fetch.sh SRCPKG}
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/asbuilt-bench}
dest="$cache/src/$pkg"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

if [ -f "$dest/.asbuilt-bench-ok" ]; then
  printf '%s\n' "$dest"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO=(sudo)
fi
need_root() {
  [ "$(id -u)" -eq 0 ] || [ "${#SUDO[@]}" -gt 0 ] ||
    die "$1 needs root (or sudo); run the bench as root once to fill $cache"
}

have_deb_src() {
  grep -Eqs '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
  grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}

# apt-cache showsrc succeeds only when the source index is there.
if ! apt-cache showsrc "$pkg" 2>/dev/null | grep '^Package:' >/dev/null; then
  if ! have_deb_src; then
    src=/etc/apt/sources.list.d/debian.sources
    [ -r "$src" ] || die "no deb-src entry in apt's sources and no $src to derive one from"
    need_root "adding a deb-src entry to apt's sources"
    say "adding deb-src entries as /etc/apt/sources.list.d/asbuilt-src.sources"
    sed -E 's/^([[:space:]]*Types:).*/\1 deb-src/' "$src" |
      "${SUDO[@]}" tee /etc/apt/sources.list.d/asbuilt-src.sources >/dev/null
  fi
  need_root "apt-get update"
  say "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 ||
    die "apt-get update failed"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/asbuilt-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "fetching source package $pkg"
(cd "$work" && apt-get source --download-only -qq "$pkg" >/dev/null 2>&1) ||
  die "apt-get source --download-only $pkg failed"

orig=$(find "$work" -maxdepth 1 -name '*.orig.tar.*' ! -name '*.asc' | head -n 1)
[ -n "$orig" ] || die "no upstream (.orig) tarball in source package $pkg"

mkdir -p "$work/x"
tar -xf "$orig" -C "$work/x"
# Upstream tarballs hold one top directory; use it (or the unpack dir if they do not).
set -- "$work"/x/*
if [ "$#" -eq 1 ] && [ -d "$1" ]; then top=$1; else top="$work/x"; fi

mkdir -p "$cache/src"
rm -rf "$dest"
cp -a "$top" "$dest"
basename "$orig" >"$dest/.asbuilt-bench-ok"
say "cached $(basename "$orig") in $dest"
printf '%s\n' "$dest"
