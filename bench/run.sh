#!/usr/bin/env bash
# run.sh - tracing overhead of asbuilt on real builds (called by `make bench`).
#
# Builds each project untraced and under every available tracer, alternating the modes
# within each round, from a fresh copy of the pristine tree every time; reports median wall
# times, traced/untraced ratios of wall and of CPU time (user+system of the whole process
# tree), database size per 1,000 file events and the collector's peak memory in one table,
# printed and written to $BENCH_OUT/results.md.
#
# Projects (upstream sources of Debian's source packages, see bench/fetch.sh):
#   lua   lua5.4   make -j2 linux                (Lua 5.4's own Makefile, no readline)
#   zlib  zlib     sh -c './configure && make -j2'
#   cjson cjson    cmake configure + build (CMake's many compiler probes, 2 libraries)
# Modes: untraced; control (the untraced build again: the ratio this run reads when nothing
# changes); asbuilt preload and ebpf (ebpf when `record --backend ebpf` works, i.e. root and
# built with eBPF), each also -cold (--no-hash-cache); bear and strace as references (when
# installed).  Each round runs every mode once, in an order shuffled anew for each round
# (the same for the same round number), so that no mode always runs first, or always right
# after the same other mode.
#
# Environment:
#   BENCH_RUNS      timed runs per project and mode (default 5, at least 1)
#   BENCH_PROJECTS  projects to run (default "lua zlib cjson")
#   BENCH_MODES     modes to try besides untraced, which always runs (default "control
#                   preload preload-cold ebpf ebpf-cold bear strace")
#   ASBUILT         the asbuilt binary (default build/bin/asbuilt)
#   BENCH_BASE      another asbuilt binary to compare with in the same rounds (a build of
#                   an older commit: `make B=/tmp/base` in a worktree of it): adds the modes
#                   preload-base and ebpf-base, the same records made by that binary
#   BENCH_OUT       output directory (default build/bench)
#   BENCH_CACHE     source cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/asbuilt-bench)
BENCH_NAME=bench
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

RUNS=${BENCH_RUNS:-5}
PROJECTS=${BENCH_PROJECTS:-lua zlib cjson}

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (bash scripts/install-deps.sh installs it)"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is missing (bash scripts/install-deps.sh)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work="$OUT/work"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# --- projects ---------------------------------------------------------------------------
CJSON_CMD='cmake -S . -B _b -DCMAKE_BUILD_TYPE=Release -DENABLE_CJSON_TEST=Off >/dev/null && cmake --build _b -j2'
project_srcpkg() {
  case "$1" in
    lua) echo lua5.4 ;;
    zlib) echo zlib ;;
    cjson) echo cjson ;;
    *) die "unknown project '$1' (known: lua zlib cjson)" ;;
  esac
}

# Sets the array build_cmd to the project's build command, run inside its tree.
project_cmd() {
  case "$1" in
    lua) build_cmd=(make -j2 linux) ;;
    zlib) build_cmd=(sh -c './configure && make -j2') ;;
    cjson) build_cmd=(sh -c "$CJSON_CMD") ;;
  esac
}

project_desc() {
  case "$1" in
    lua) echo 'make -j2 linux' ;;
    zlib) echo './configure && make -j2' ;;
    cjson) echo "$CJSON_CMD" ;;
  esac
}

# --- modes ------------------------------------------------------------------------------
# Sets the array tracer to the prefix that runs a command under mode $1; $2 is the
# database (or output) path for this run.
# shellcheck disable=SC2054 # the commas belong to strace's -e argument
mode_prefix() {
  case "$1" in
    untraced | control) tracer=() ;;
    preload | ebpf) tracer=("$ASBUILT" record -q "${record_flags[@]}" --backend "$1" -o "$2" --) ;;
    # the same made by the binary to compare with (BENCH_BASE)
    preload-base | ebpf-base)
      tracer=("$BENCH_BASE" record -q "${record_flags[@]}" --backend "${1%-base}" -o "$2" --) ;;
    # the same without the user's hash cache: every system file hashed again (a first build)
    preload-cold | ebpf-cold)
      tracer=("$ASBUILT" record -q "${record_flags[@]}" --no-hash-cache --backend "${1%-cold}"
        -o "$2" --) ;;
    bear) tracer=(bear --output "$2.json" --) ;;
    strace) tracer=(strace -f -e trace=file,process -o /dev/null --) ;;
  esac
}

# Whether mode $1 works here: runs `true` under it.
mode_works() {
  local db="$work/probe-$1.db"
  mode_prefix "$1" "$db"
  [ "${#tracer[@]}" -eq 0 ] || command -v "${tracer[0]}" >/dev/null 2>&1 || return 1
  (cd "$work" && "${tracer[@]}" true) >"$work/probe-$1.log" 2>&1
}

# An incomplete record is a finding, not a failed run: accept it when asbuilt lets us,
# and count such runs (see record_state).
record_flags=()
if (cd "$work" && "$ASBUILT" record -q --allow-incomplete --backend preload \
  -o "$work/probe-flags.db" -- true) >/dev/null 2>&1; then
  record_flags=(--allow-incomplete)
fi

# The traced modes in table order; the -base ones only with BENCH_BASE.
all_modes=(control preload preload-cold ebpf ebpf-cold bear strace)
spread_modes=(control preload ebpf)
if [ -n "${BENCH_BASE:-}" ]; then
  case "$BENCH_BASE" in /*) ;; *) BENCH_BASE="$PWD/$BENCH_BASE" ;; esac
  [ -x "$BENCH_BASE" ] || die "BENCH_BASE: no asbuilt binary at $BENCH_BASE"
  all_modes=(control preload preload-base preload-cold ebpf ebpf-base ebpf-cold bear strace)
  spread_modes=(control preload preload-base ebpf ebpf-base)
fi

modes=(untraced)
for m in ${BENCH_MODES:-${all_modes[*]}}; do
  if mode_works "$m"; then
    modes+=("$m")
  else
    say "mode $m: not available here ($(tail -n 1 "$work/probe-$m.log" 2>/dev/null ||
      echo "${tracer[0]} not found")); its column shows n/a"
  fi
done
have_mode() { local m; for m in "${modes[@]}"; do [ "$m" = "$1" ] && return 0; done; return 1; }

# --- one run ----------------------------------------------------------------------------
now_ns() { date +%s%N; }

# The machine's steal time so far in clock ticks (/proc/stat: the time the hypervisor ran
# something else while a CPU of this machine wanted to run), 0 where not reported.
steal_ticks() { awk '$1 == "cpu" { print ($9 == "" ? 0 : $9); exit }' /proc/stat 2>/dev/null || echo 0; }
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_build PROJECT MODE TAG: builds a fresh copy of PROJECT's tree under MODE; prints
# "WALL CPU STEAL": wall seconds, user+system seconds of the whole process tree (tracer
# included, from /usr/bin/time), and the seconds of CPU time the hypervisor took from this
# machine meanwhile (all CPUs).  A traced run's database is left at $work/$TAG.db.
run_build() {
  local proj=$1 mode=$2 tag=$3 tree="$work/tree" t0 t1 cpu s0 s1
  rm -rf "$tree" "$work/$tag.db" "$work/$tag.db-wal" "$work/$tag.db-shm" "$work/$tag.db.json"
  cp -a "${pristine[$proj]}" "$tree"
  project_cmd "$proj"
  mode_prefix "$mode" "$work/$tag.db"
  sync
  s0=$(steal_ticks)
  t0=$(now_ns)
  if ! (cd "$tree" && exec /usr/bin/time -f '%U %S' -o "$work/cpu.txt" \
    "${tracer[@]}" "${build_cmd[@]}") >"$work/build.log" 2>&1; then
    tail -n 20 "$work/build.log" >&2
    die "$proj: build failed under mode $mode (log above)"
  fi
  t1=$(now_ns)
  s1=$(steal_ticks)
  cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/cpu.txt")
  awk -v a="$t0" -v b="$t1" -v c="$cpu" -v s=$((s1 - s0)) -v hz="$clk_tck" \
    'BEGIN { printf "%.3f %s %.2f\n", (b - a) / 1e9, c, s / hz }'
}

# Peak resident memory (KiB) of the asbuilt processes (record and its collector: every
# process in the record's tree whose executable is $ASBUILT), sampled every 20 ms from
# /proc/PID/status VmHWM while the build runs.  Prints the peak.
measure_collector_rss() {
  local proj=$1 tree="$work/tree" exe pid peak=0 p k v _ kids
  exe=$(readlink -f "$ASBUILT")
  rm -rf "$tree" "$work/mem.db" "$work/mem.db-wal" "$work/mem.db-shm"
  cp -a "${pristine[$proj]}" "$tree"
  project_cmd "$proj"
  (cd "$tree" && exec "$ASBUILT" record -q "${record_flags[@]}" --backend preload \
    -o "$work/mem.db" -- \
    "${build_cmd[@]}") >"$work/build.log" 2>&1 &
  pid=$!
  local -A seen=()
  seen[$pid]=1
  while kill -0 "$pid" 2>/dev/null; do
    # Direct children of the asbuilt processes seen so far that run asbuilt too.
    for p in "${!seen[@]}"; do
      kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
      for k in $kids; do
        [ -n "${seen[$k]:-}" ] && continue
        [ "$(readlink /proc/"$k"/exe 2>/dev/null)" = "$exe" ] && seen[$k]=1
      done
    done
    for p in "${!seen[@]}"; do
      while read -r k v _; do
        [ "$k" = "VmHWM:" ] && [ "$v" -gt "$peak" ] && peak=$v
      done 2>/dev/null <"/proc/$p/status" || true
    done
    sleep 0.02
  done
  wait "$pid" || die "$proj: build failed under asbuilt record (memory run)"
  echo "$peak"
}

# Prints nothing for a complete record, else "run: reason, reason; ".
record_state() {
  local why
  why=$(sqlite3 "$1" "SELECT group_concat(DISTINCT i.reason) FROM builds b
          LEFT JOIN incomplete i ON i.build_id = b.id WHERE b.complete = 0" 2>/dev/null ||
        echo "database unreadable")
  [ -z "$why" ] || printf 'run %s: %s; ' "$i" "${why:-no reason given}"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
                                                 else printf "%.3f\n", (a[NR/2] + a[NR/2 + 1]) / 2 }'; }
ratio() { awk -v t="$1" -v u="$2" 'BEGIN { printf "%.2fx\n", t / u }'; }

# Sets the array order to the modes in the order of round $1: shuffled (Fisher-Yates) with
# bash's generator seeded by the round number, so every run of the script agrees.
shuffled_modes() {
  local k j t
  order=("${modes[@]}")
  RANDOM=$1
  for ((k = ${#order[@]} - 1; k > 0; k--)); do
    j=$((RANDOM % (k + 1)))
    t=${order[k]} order[k]=${order[j]} order[j]=$t
  done
}

# --- main -------------------------------------------------------------------------------
declare -A pristine times cpus steals incomplete
read -r load0 _ </proc/loadavg
for proj in $PROJECTS; do
  pristine[$proj]=$(bash "$root/bench/fetch.sh" "$(project_srcpkg "$proj")")
done

say "modes: ${modes[*]}; $RUNS timed runs each; projects: $PROJECTS"
declare -A events dbsize peak evrate
for proj in $PROJECTS; do
  say "$proj: warm-up build (untimed)"
  run_build "$proj" untraced warmup >/dev/null
  for ((i = 1; i <= RUNS; i++)); do
    shuffled_modes "$i"
    for mode in "${order[@]}"; do
      read -r t c sl < <(run_build "$proj" "$mode" "$mode")
      [ -n "${c:-}" ] || die "$proj: run $i under mode $mode failed"
      times[$proj,$mode]+="$t "
      case "$mode" in
        preload | ebpf | preload-cold | ebpf-cold | preload-base | ebpf-base)
          incomplete[$proj,$mode]+="$(record_state "$work/$mode.db")" ;;
      esac
      cpus[$proj,$mode]+="$c "
      steals[$proj,$mode]+="$sl "
      say "$proj run $i/$RUNS $mode: wall ${t} s, cpu ${c} s, steal ${sl} s"
    done
  done
  if have_mode preload; then
    db="$work/preload.db"
    events[$proj]=$(sqlite3 "$db" 'SELECT count(*) FROM file_events')
    dbsize[$proj]=0
    for f in "$db" "$db-wal"; do
      [ -f "$f" ] && dbsize[$proj]=$((dbsize[$proj] + $(stat -c %s "$f")))
    done
    if have_mode ebpf; then # events per second at the collector, and drops
      evrate[$proj]=$(sqlite3 "$work/ebpf.db" "SELECT printf('%.0f', nevents * 1e9 /
                        max(ended_ns - started_ns, 1)) || ' / ' || nlost FROM builds")
    fi
    say "$proj: memory run (untimed, sampling the collector)"
    peak[$proj]=$(measure_collector_rss "$proj")
  fi
done

# --- table ------------------------------------------------------------------------------
# The median of a space-separated list.
med_of() { local -a v; read -ra v <<<"$1"; printf '%s\n' "${v[@]}" | median; }
# A space-separated list, one item a line.
lines() { tr -s ' ' '\n' <<<"$1" | sed '/^$/d'; }
read -r load1 _ </proc/loadavg
# shellcheck source=/dev/null
host="$(nproc) CPUs, $(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME")"
ver=$("$ASBUILT" --version 2>/dev/null | head -n 1 || true)
busy=$(awk -v a="$load0" -v b="$load1" -v n="$(nproc)" 'BEGIN { print (a > n / 2 || b > n / 2) }')
{
  echo "# asbuilt tracing overhead"
  echo
  echo "Median of $RUNS run(s) per cell, modes alternating (each round in an order of its"
  echo "own), fresh tree each run."
  echo "ratio = traced / untraced wall time; cpu = traced / untraced user+system time of"
  echo "the whole process tree, tracer included."
  echo "Host: $host; load average $load0 at start, $load1 at end. ${ver:+asbuilt: $ver.}"
  if [ "$busy" = 1 ]; then
    echo
    echo "**The machine was busy during the run (load average above half the CPUs): wall"
    echo "times and their ratios are unreliable; the cpu ratios hold up better.**"
  fi
  echo
  hdr="| project | untraced s | untraced cpu s"
  sep="|---|---|---"
  for mode in "${all_modes[@]}"; do
    hdr+=" | $mode s | ratio | cpu"
    sep+="|---|---|---"
  done
  echo "$hdr | file events | DB KiB / 1k events | collector peak RSS MiB | ebpf events/s / lost |"
  echo "$sep|---|---|---|---|"
  for proj in $PROJECTS; do
    base=$(med_of "${times[$proj,untraced]}")
    cbase=$(med_of "${cpus[$proj,untraced]}")
    row="| $proj | $base | $cbase"
    for mode in "${all_modes[@]}"; do
      if have_mode "$mode"; then
        med=$(med_of "${times[$proj,$mode]}")
        cmed=$(med_of "${cpus[$proj,$mode]}")
        row+=" | $med | $(ratio "$med" "$base") | $(ratio "$cmed" "$cbase")"
      else
        row+=" | n/a | n/a | n/a"
      fi
    done
    if have_mode preload && [ "${events[$proj]:-0}" -gt 0 ]; then
      row+=" | ${events[$proj]}"
      row+=" | $(awk -v s="${dbsize[$proj]}" -v n="${events[$proj]}" \
        'BEGIN { printf "%.1f", s / 1024 / (n / 1000) }')"
      row+=" | $(awk -v k="${peak[$proj]}" 'BEGIN { printf "%.1f", k / 1024 }')"
    else
      row+=" | n/a | n/a | n/a"
    fi
    row+=" | ${evrate[$proj]:-n/a}"
    echo "$row |"
  done
  echo
  echo "Spread: traced / untraced wall time of the same round (the modes of a round run"
  echo "back to back, so they share the machine's state): the median of the $RUNS rounds,"
  echo "in parentheses the range that holds the true median with about 95% confidence"
  echo "(order statistics: no assumption about the noise; wide with few rounds), then"
  echo "[lowest, highest].  On a shared virtual machine a fixed CPU-bound job itself varies"
  echo "by several per cent from run to run: read the ratios above with this spread, and"
  echo "the others against control's."
  echo
  hdr="| project"
  sep="|---"
  for mode in "${spread_modes[@]}"; do
    hdr+=" | $mode"
    sep+="|---"
  done
  echo "$hdr |"
  echo "$sep|"
  for proj in $PROJECTS; do
    row="| $proj"
    for mode in "${spread_modes[@]}"; do
      if have_mode "$mode"; then
        row+=" | $(paste -d' ' <(lines "${times[$proj,$mode]}") <(lines "${times[$proj,untraced]}") |
          awk '{ print $1 / $2 }' | sort -g |
          awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
                 j = int(NR / 2 - 0.98 * sqrt(NR) + 0.5); if (j < 1) j = 1
                 printf "%.2fx (%.2f-%.2f) [%.2f, %.2f]", m, a[j], a[NR + 1 - j], a[1], a[NR] }')"
      else
        row+=" | n/a"
      fi
    done
    echo "$row |"
  done
  echo
  for proj in $PROJECTS; do
    echo "- $proj: $(cat "${pristine[$proj]}/.asbuilt-bench-ok") (upstream tarball of" \
      "Debian's source package), built with \`$(project_desc "$proj")\`."
  done
  echo "- control: the untraced build again, in the same rounds: its ratio is what this run"
  echo "  reads when nothing changes, the noise floor to read the others against."
  echo "- preload, ebpf: \`asbuilt record -q ${record_flags[*]} --backend MODE -o DB -- BUILD\`," \
    "with the user's hash cache of system files warm (a rebuild); *-cold: the same with" \
    "\`--no-hash-cache\` (every system file hashed, as in a first build);" \
    "bear: \`bear --output F -- BUILD\`;" \
    "strace: \`strace -f -e trace=file,process -o /dev/null -- BUILD\`."
  [ -z "${BENCH_BASE:-}" ] ||
    echo "- preload-base, ebpf-base: the same as preload and ebpf, recorded by $BENCH_BASE" \
      "($("$BENCH_BASE" --version 2>/dev/null | head -n 1))."
  echo "- file events: file_events rows of the last timed preload run; DB size: its database"
  echo "  file (plus WAL, if left) per 1,000 of them."
  echo "- collector peak RSS: highest VmHWM of the asbuilt processes (\`record\` and its"
  echo "  collector), sampled every 20 ms during one extra, untimed preload run."
  echo "- ebpf events/s: records the collector took from the ring buffer per second of the"
  echo "  last timed ebpf run's build, and the records the kernel side dropped."
  echo
  for proj in $PROJECTS; do
    for mode in preload preload-base preload-cold ebpf ebpf-base ebpf-cold; do
      [ -z "${incomplete[$proj,$mode]:-}" ] ||
        echo "- $proj $mode: record incomplete in ${incomplete[$proj,$mode]%; }."
    done
  done
  echo
  echo "Raw figures, in run order (wall s / cpu s / steal s: CPU time the hypervisor gave"
  echo "to something else during the run, all CPUs; a run with much of it was slowed by"
  echo "the host, not by the tracer):"
  echo
  for proj in $PROJECTS; do
    for mode in "${modes[@]}"; do
      echo "- $proj $mode: $(paste -d/ <(lines "${times[$proj,$mode]}") \
        <(lines "${cpus[$proj,$mode]}") <(lines "${steals[$proj,$mode]}") | tr '\n' ' ')"
    done
  done
  echo
  for proj in $PROJECTS; do
    echo "- $proj: steal in all its timed runs $(for mode in "${modes[@]}"; do
      lines "${steals[$proj,$mode]}"; done | awk '{ s += $1 } END { printf "%.2f", s }') s"
  done
} >"$OUT/results.md"
cat "$OUT/results.md"
say "written to $OUT/results.md"
