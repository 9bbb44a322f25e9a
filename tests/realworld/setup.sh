#!/usr/bin/env bash
# setup.sh - fetch the real-world suite's sources and the Debian package's build dependencies.
#
# Usage: bash tests/realworld/setup.sh
# Fills $REALWORLD_CACHE (default build/realworld in the repository):
#   src/lua5.4 src/hello src/cjson   pristine upstream trees (the .orig tarballs of Debian's
#                                    source packages, through bench/fetch.sh)
#   deb/<srcpkg>/<srcpkg>-<version>  the Debian source package $REALWORLD_DEB (default
#                                    libsodium), unpacked with its patches (`apt-get source`)
# and installs that package's build dependencies (`apt-get build-dep`).  apt gets a deb-src
# entry when it has none: /etc/apt/sources.list.d/asbuilt-src.sources, a copy of
# debian.sources with `Types: deb-src`.  Everything cached is reused: a second run fetches
# nothing and needs no root (unless the build dependencies went missing).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${REALWORLD_CACHE:-$root/build/realworld}
deb=${REALWORLD_DEB:-libsodium}
UPSTREAM=(lua5.4 hello cjson)

say() { printf 'realworld: %s\n' "$*" >&2; }
die() { printf 'realworld: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
as_root() {
	if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
		die "$1 needs root (or sudo): run 'bash tests/realworld/setup.sh' as root once"
	fi
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${@:2}"
}

have_deb_src() {
	grep -Eqs '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources && return 0
	grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}

# apt's source index: a deb-src entry derived from the system's own, then apt-get update.
ensure_deb_src() {
	apt-cache showsrc "$deb" 2>/dev/null | grep '^Package:' >/dev/null && return 0
	if ! have_deb_src; then
		local src=/etc/apt/sources.list.d/debian.sources
		[ -r "$src" ] || die "no deb-src entry in apt's sources and no $src to copy one from"
		say "adding /etc/apt/sources.list.d/asbuilt-src.sources (deb-src of $src)"
		sed -E 's/^([[:space:]]*Types:).*/\1 deb-src/' "$src" |
			as_root "adding a deb-src entry" tee /etc/apt/sources.list.d/asbuilt-src.sources >/dev/null
	fi
	say "apt-get update"
	as_root "apt-get update" apt-get update -qq >/dev/null || die "apt-get update failed"
	apt-cache showsrc "$deb" 2>/dev/null | grep '^Package:' >/dev/null ||
		die "apt has no source package '$deb' even with deb-src entries"
}

# The unpacked Debian source tree of $deb, patched; cached with a marker file.
fetch_deb() {
	local dir=$cache/deb/$deb tree
	tree=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name "$deb-*" 2>/dev/null | head -n 1 || true)
	if [ -n "$tree" ] && [ -f "$dir/.asbuilt-realworld-ok" ]; then
		return 0
	fi
	command -v dpkg-source >/dev/null 2>&1 || die "dpkg-source is missing (apt-get install dpkg-dev)"
	ensure_deb_src
	rm -rf "$dir"
	mkdir -p "$dir"
	say "apt-get source $deb"
	(cd "$dir" && apt-get source -qq "$deb" >/dev/null 2>&1) || die "apt-get source $deb failed"
	touch "$dir/.asbuilt-realworld-ok"
}

# The build dependencies, when dpkg-checkbuilddeps says some are missing.
build_deps() {
	local tree
	tree=$(find "$cache/deb/$deb" -mindepth 1 -maxdepth 1 -type d -name "$deb-*" 2>/dev/null | head -n 1 || true)
	[ -n "$tree" ] || die "no unpacked source tree of $deb under $cache/deb/$deb"
	if (cd "$tree" && dpkg-checkbuilddeps >/dev/null 2>&1); then
		return 0
	fi
	ensure_deb_src
	say "apt-get build-dep $deb"
	as_root "apt-get build-dep" apt-get build-dep -y -qq "$deb" >/dev/null ||
		die "apt-get build-dep $deb failed"
}

mkdir -p "$cache"
for p in "${UPSTREAM[@]}"; do
	[ -f "$cache/src/$p/.asbuilt-bench-ok" ] || ensure_deb_src
	BENCH_CACHE=$cache bash "$root/bench/fetch.sh" "$p" >/dev/null ||
		die "fetching the upstream source of $p failed"
done
fetch_deb
build_deps
say "sources ready in $cache"
