#!/usr/bin/env bash
# demo.sh - the five-minute tour: install what asbuilt needs, build it, record a build of
# the bundled example examples/hello-make and show what the database holds.
#
# Usage: bash scripts/demo.sh [--no-deps]
#   --no-deps   skip scripts/install-deps.sh (the packages are known to be there)
# Everything the demo writes stays under build/demo/ (removed by `make clean`); the
# example is built in a copy there, so the source tree stays clean.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
demo="$root/build/demo"
asbuilt="$root/build/bin/asbuilt"
example=examples/hello-make

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# Shows a command, then runs it.
run() { printf '$ %s\n' "$*"; "$@"; }

step_deps() {
  step "installing the Debian packages asbuilt needs (scripts/install-deps.sh)"
  run bash "$root/scripts/install-deps.sh"
}

step_build() {
  step "building asbuilt (make)"
  run make -C "$root" --no-print-directory
  [ -x "$asbuilt" ] || die "make finished but $asbuilt is missing"
}

# A fresh copy of the example under build/demo; a fresh database (record appends builds).
step_prepare() {
  step "copying $example to build/demo/$example"
  rm -rf "$demo"
  mkdir -p "$demo/examples"
  cp -R "$root/$example" "$demo/$example"
  make -C "$demo/$example" clean >/dev/null
}

step_record() {
  step "recording a build of the example"
  (cd "$demo" && run "$asbuilt" record -o demo.db -- make -C "$example" -j2)
  [ -x "$demo/$example/hello" ] || die "the recorded build did not produce $example/hello"
  (cd "$demo" && run "./$example/hello")
}

step_show() {
  step "what the database holds"
  (cd "$demo" && "$asbuilt" show --db demo.db >show.txt) ||
    die "asbuilt show failed on $demo/demo.db"
  printf '$ asbuilt show --db demo.db | head\n'
  head -n 10 "$demo/show.txt"
}

step_sbom() {
  step "writing the as-built SBOMs of the example"
  (cd "$demo" && run "$asbuilt" sbom --db demo.db --format spdx -o hello.spdx.json &&
    run "$asbuilt" sbom --db demo.db --format cyclonedx -o hello.cdx.json &&
    run "$asbuilt" components --db demo.db) || die "asbuilt sbom failed on $demo/demo.db"
}

step_summary() {
  step "done"
  printf 'SBOMs:     %s\n' "$demo/hello.spdx.json" "$demo/hello.cdx.json"
  printf 'database:  %s\n' "$demo/demo.db"
  printf 'explore:   %s show --db %s\n' "$asbuilt" "$demo/demo.db"
  printf '           sqlite3 %s .tables\n' "$demo/demo.db"
  printf 'schema:    %s\n' "$root/docs/database.md"
}

main() {
  local with_deps=1
  case "${1:-}" in
    --no-deps) with_deps=0 ;;
    "") ;;
    *) die "unknown argument '$1' (usage: demo.sh [--no-deps])" ;;
  esac
  [ "$with_deps" -eq 0 ] || step_deps
  step_build
  step_prepare
  step_record
  step_show
  step_sbom
  step_summary
}

main "$@"
