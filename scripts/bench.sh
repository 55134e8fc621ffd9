#!/usr/bin/env bash
# The benchmark suite: every performance figure in the docs comes from this script.
#
#   scripts/bench.sh [--quick | --scale] [--only NAME,...] [--reps N] [--write-docs] [--list]
#
# Each workload is one whole `seedsoil` process (start-up, simulation, outputs) timed with
# /usr/bin/time -v: wall time ("Elapsed (wall clock)"), CPU time (user + sys) and peak
# resident memory ("Maximum resident set size"). The repetitions alternate between the
# workloads (rep 1 of every workload, then rep 2, ...) so that a slow spell of a shared
# machine hits all of them alike. The table gives, per workload, the median wall time with
# its min-max, the median CPU time, the median peak RSS and, for single runs, the cells at
# the end (primary + metastatic, read from the run's summary.csv) and bytes of peak RSS per
# cell. Outputs go to a temporary folder under target/ that is removed at the end.
#
# Workloads (full suite; `--list` prints the exact commands of both modes):
#   r0-2d-t1, r0-2d-t2  R0 (configs/reference-r0.toml) in 2D, one CSC to 5e5 cells, 1 and 2 threads
#   yardstick           only with REF_R0=/path/to/binary: the yardstick ("BINARY SEED N" grows
#                       one CSC to N cells) on the same task; the seedsoil/yardstick speed
#                       ratio (yardstick wall / seedsoil wall) is printed
#   r0-3d               R0 in 3D (domain 1000^3) to 1e7 cells, 2 threads
#   default-2d          the default run (embedded configs/baseline.toml), full length
#   default-3d          the default model in 3D to 1e6 primary cells
#   default-3d-nodiss   the same without dissemination (no colonies)
#   compare             configs/compare-therapies.toml (6 arms x 4 replicates)
#   sweep               configs/sweeps/enderling-paradox.toml --replicates 4 (64 runs)
#
# Scale workloads (only with --scale; long, one rep by default):
#   r0-3d-1e8           R0 in 3D (domain 2000^3) to 1e8 cells, 2 threads
#   clinical-3d         configs/clinical-3d.toml: R0 in 3D to 1e9 cells, 2 threads
#
# Options:
#   --scale       the scale workloads instead (about an hour on 2 cores; 1 rep unless --reps)
#   --quick       small versions of the workloads, 1 rep each (under 2 minutes on 2 cores);
#                 fails (exit 1) if a workload's peak RSS exceeds twice the figure recorded
#                 in the memory file (a workload missing from the file is reported only).
#                 Time is reported, never asserted: it depends on the machine, memory does not.
#   --only LIST   run only these workloads (comma-separated names)
#   --reps N      repetitions per workload (default 3, or 1 with --quick)
#   --write-docs  full suite: replace the table between the markers in docs/performance.md
#                 (all workloads and 3 reps required); with --scale: the scale table between
#                 its own markers (all scale workloads); with --quick: write the measured peak
#                 RSS of the quick workloads to the memory file (rows of other workloads kept)
#   --list        print the workloads and their commands, run nothing
#
# Environment:
#   SEEDSOIL      seedsoil binary (default: target/release/seedsoil, built with cargo first)
#   REF_R0        a yardstick binary, adds the yardstick workload
#   BENCH_MEMORY  the memory file of --quick (default scripts/bench-memory.csv)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

die() { echo "bench: $*" >&2; exit 2; }
trap 'echo "bench: unexpected failure at line $LINENO" >&2' ERR
usage() { echo "usage: $(sed -n '4s/^#  *//p' "$0")" >&2; exit 2; }

# ---------------------------------------------------------------------------------------
# Arguments
quick=0 scale=0 only="" reps="" write_docs=0 list=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --scale) scale=1 ;;
    --only) [ $# -ge 2 ] || usage; only=$2; shift ;;
    --only=*) only=${1#--only=} ;;
    --reps) [ $# -ge 2 ] || usage; reps=$2; shift ;;
    --reps=*) reps=${1#--reps=} ;;
    --write-docs) write_docs=1 ;;
    --list) list=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument: $1" >&2; usage ;;
  esac
  shift
done
[ "$quick" = 0 ] || [ "$scale" = 0 ] || die "--quick and --scale exclude each other"
[ -n "$reps" ] || reps=$((quick || scale ? 1 : 3))
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps needs a positive integer, got '$reps'"
memory_file=${BENCH_MEMORY:-scripts/bench-memory.csv}
doc=docs/performance.md

# ---------------------------------------------------------------------------------------
# Workloads: name -> seedsoil arguments (the script adds -o <temp folder> --force --quiet).
# The quick versions keep each workload's kind of work at a size that takes seconds.
# Every seedsoil workload names its thread count: with `--threads 0` (all cores) a sweep
# or comparison would hold as many runs in memory at once as the machine has cores, and
# the peak RSS would no longer compare across machines.
declare -A CMD
names=(r0-2d-t1 r0-2d-t2 yardstick r0-3d default-2d default-3d default-3d-nodiss compare sweep)
scale_names=(r0-3d-1e8 clinical-3d)
CMD[r0-3d-1e8]="run configs/reference-r0.toml --seed 1 --threads 2 --set space.dims=3 --set space.max_size=2000 --stop-at-cells 100000000"
CMD[clinical-3d]="run configs/clinical-3d.toml --threads 2"
if [ "$quick" = 1 ]; then
  r0_cells=100000
  CMD[r0-3d]="run configs/reference-r0.toml --seed 1 --threads 2 --set space.dims=3 --set space.max_size=400 --stop-at-cells 1000000"
  CMD[default-2d]="run --threads 2 --days 30"
  CMD[default-3d]="run --threads 2 --set space.dims=3 --stop-at-cells 100000"
  # A branched comparison of tests/data/compare (R0, 8 days): 3 arms x 2 replicates.
  CMD[compare]="compare tests/data/compare/branch.toml --threads 2 --replicates 2"
  # The sweep file of the full workload with one replicate per point: 16 runs.
  CMD[sweep]="sweep configs/sweeps/enderling-paradox.toml --threads 2 --replicates 1"
else
  r0_cells=500000
  CMD[r0-3d]="run configs/reference-r0.toml --seed 1 --threads 2 --set space.dims=3 --set space.max_size=1000 --stop-at-cells 10000000"
  CMD[default-2d]="run --threads 2"
  CMD[default-3d]="run --threads 2 --set space.dims=3 --stop-at-cells 1000000"
  CMD[compare]="compare configs/compare-therapies.toml --threads 2"
  # No shipped sweep file has 64 runs; enderling-paradox.toml is a 4 x 4 grid, so 4
  # replicates per point make 64 runs (the file's own 8 make 128).
  CMD[sweep]="sweep configs/sweeps/enderling-paradox.toml --threads 2 --replicates 4"
fi
CMD[r0-2d-t1]="run configs/reference-r0.toml --seed 1 --threads 1 --stop-at-cells $r0_cells"
CMD[r0-2d-t2]="run configs/reference-r0.toml --seed 1 --threads 2 --stop-at-cells $r0_cells"
CMD[default-3d-nodiss]="${CMD[default-3d]} --set dissemination.enabled=false"
CMD[yardstick]="1 $r0_cells" # arguments of $REF_R0: SEED N

# The command line of a workload as shown to the reader.
shown() {
  if [ "$1" = yardstick ]; then echo "\$REF_R0 ${CMD[yardstick]}"; else echo "seedsoil ${CMD[$1]}"; fi
}

if [ "$list" = 1 ]; then
  echo "workloads ($([ "$quick" = 1 ] && echo quick || echo full) suite; each also gets -o <temp folder> --force --quiet):"
  for n in "${names[@]}"; do printf '  %-18s %s\n' "$n" "$(shown "$n")"; done
  echo "scale workloads (--scale):"
  for n in "${scale_names[@]}"; do printf '  %-18s %s\n' "$n" "$(shown "$n")"; done
  exit 0
fi
# The suite chosen: the scale workloads with --scale, else the others.
[ "$scale" = 0 ] || names=("${scale_names[@]}")

# The selection: --only, else every workload (the yardstick only when REF_R0 is set).
selected=()
if [ -n "$only" ]; then
  IFS=, read -r -a wanted <<<"$only"
  for w in "${wanted[@]}"; do
    [[ " ${names[*]} " == *" $w "* ]] || die "unknown workload '$w' (known$([ "$scale" = 1 ] && echo " with --scale"): ${names[*]})"
    selected+=("$w")
  done
else
  for n in "${names[@]}"; do
    [ "$n" = yardstick ] && [ -z "${REF_R0:-}" ] && continue
    selected+=("$n")
  done
fi
for w in "${selected[@]}"; do
  if [ "$w" = yardstick ]; then
    [ -n "${REF_R0:-}" ] || die "workload yardstick needs REF_R0=/path/to/binary"
    [ -x "$REF_R0" ] || die "REF_R0=$REF_R0 is not an executable file"
    REF_R0=$(cd "$(dirname "$REF_R0")" && pwd)/$(basename "$REF_R0")
  fi
done
if [ "$write_docs" = 1 ] && [ "$quick" = 0 ]; then
  # The docs table is one session of the whole suite: one machine, date and commit.
  [ -z "$only" ] || die "--write-docs without --quick runs the whole suite (no --only)"
  [ "$reps" -ge 3 ] || [ "$scale" = 1 ] || die "--write-docs of the full suite needs at least 3 reps"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian/Ubuntu: apt-get install time)"

# ---------------------------------------------------------------------------------------
# The binary, the machine, the commit
if [ -n "${SEEDSOIL:-}" ]; then
  bin=$SEEDSOIL
else
  # A no-op when up to date, so the binary always matches the commit reported below.
  cargo build --release --locked --quiet
  bin=target/release/seedsoil
fi
[ -x "$bin" ] || die "no seedsoil binary at $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name:/ && !n++ { print $2 }' || true)
[ -n "$cpu" ] || cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
mem_gib=$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
machine="${cpu:-unknown CPU}, $cores cores, $mem_gib GiB"
date_utc=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit-dirty"; fi
mode=$( ( [ "$quick" = 1 ] && echo quick ) || ( [ "$scale" = 1 ] && echo scale ) || echo full)

echo "bench: $mode suite, $reps rep(s) of ${#selected[@]} workload(s): ${selected[*]}"
echo "bench: machine $machine; $date_utc; commit $commit; binary $bin"

# Under target/ (ignored by git) rather than /tmp: a run killed with SIGKILL (the docs
# check cuts long commands so) leaves its folder inside the copy it ran in.
mkdir -p target
tmp=$(mktemp -d "$repo/target/bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------------------------------
# Measurement
# One process of workload $1, rep $2: appends "name rep wall_s cpu_s rss_kib cells" to
# $tmp/results (cells "-" when unknown).
measure() {
  local name=$1 rep=$2 dir="$tmp/out-$1" tv="$tmp/time" log="$tmp/log"
  rm -rf "$dir"
  local status=0
  if [ "$name" = yardstick ]; then
    # Run in the temp folder, in case the yardstick writes files.
    mkdir -p "$dir"
    # shellcheck disable=SC2086  # CMD holds the argument words
    (cd "$dir" && /usr/bin/time -v -o "$tv" "$REF_R0" ${CMD[$name]}) >"$log" 2>&1 || status=$?
  else
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$tv" "$bin" ${CMD[$name]} -o "$dir" --force --quiet >"$log" 2>&1 || status=$?
  fi
  if [ "$status" != 0 ]; then
    echo "bench: $name (rep $rep) failed with status $status: $(shown "$name")" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  # wall: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.35"
  read -r wall cpu rss < <(awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /User time \(seconds\)/ { c += $2 }
    /System time \(seconds\)/ { c += $2 }
    /Maximum resident set size/ { r = $2 }
    END { printf "%.2f %.2f %d\n", w, c, r }' "$tv")
  # Cells at the end of a single run: primary (total) + metastatic_cells, by column name.
  local cells=-
  if [[ ${CMD[$name]} == run* ]] && [ -f "$dir/summary.csv" ]; then
    cells=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
      { c = $col["total"] + (("metastatic_cells" in col) ? $col["metastatic_cells"] : 0) }
      END { print (NR >= 2 ? c : "-") }' "$dir/summary.csv")
  fi
  echo "$name $rep $wall $cpu $rss $cells" >>"$tmp/results"
  awk -v n="$name" -v r="$rep" -v R="$reps" -v w="$wall" -v m="$rss" \
    'BEGIN { printf "  rep %d/%d  %-18s %8.2f s wall %10.1f MiB peak RSS\n", r, R, n, w, m / 1024 }'
  rm -rf "$dir"
}

for rep in $(seq "$reps"); do
  for w in "${selected[@]}"; do measure "$w" "$rep"; done
done

# ---------------------------------------------------------------------------------------
# Summary: one row per workload, "name wall_median wall_min wall_max cpu_median rss_median cells".
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
: >"$tmp/summary"
for w in "${selected[@]}"; do
  rows=$(awk -v n="$w" '$1 == n' "$tmp/results")
  wmed=$(awk '{ print $3 }' <<<"$rows" | median)
  wmin=$(awk 'NR == 1 || $3 < m { m = $3 } END { print m }' <<<"$rows")
  wmax=$(awk 'NR == 1 || $3 > m { m = $3 } END { print m }' <<<"$rows")
  cmed=$(awk '{ print $4 }' <<<"$rows" | median)
  rmed=$(awk '{ print $5 }' <<<"$rows" | median)
  cells=$(awk 'END { print $6 }' <<<"$rows")
  echo "$w $wmed $wmin $wmax $cmed $rmed $cells" >>"$tmp/summary"
done

# The Markdown table (also what the terminal shows).
awk -v reps="$reps" '
  BEGIN {
    wall = (reps > 1) ? "wall, s: median (min–max)" : "wall, s"
    print "| workload | cells at the end | " wall " | CPU (user+sys), s | peak RSS, MiB | peak RSS per cell, bytes |"
    print "|---|---:|---:|---:|---:|---:|"
  }
  {
    range = (reps > 1) ? sprintf(" (%.2f–%.2f)", $3, $4) : ""
    cells = ($7 == "-") ? "–" : sprintf("%d", $7)
    per = ($7 == "-" || $7 == 0) ? "–" : sprintf("%.0f", $6 * 1024 / $7)
    printf "| %s | %s | %.2f%s | %.2f | %.1f | %s |\n", $1, cells, $2, range, $5, $6 / 1024, per
  }' "$tmp/summary" >"$tmp/table.md"

# seedsoil/yardstick speed ratio: yardstick median wall / seedsoil median wall.
: >"$tmp/ratio.md"
if grep -q '^yardstick ' "$tmp/summary"; then
  ywall=$(awk '$1 == "yardstick" { print $2 }' "$tmp/summary")
  for t in r0-2d-t1 r0-2d-t2; do
    awk -v t="$t" -v y="$ywall" '$1 == t && $2 > 0 {
      printf "Speed ratio seedsoil/yardstick, %s: %.2f× (yardstick %.2f s / seedsoil %.2f s, medians)\n", t, y / $2, y, $2 }' \
      "$tmp/summary" >>"$tmp/ratio.md"
  done
fi

echo
cat "$tmp/table.md"
[ -s "$tmp/ratio.md" ] && { echo; cat "$tmp/ratio.md"; }
echo
echo "Machine: $machine. Date: $date_utc. Commit: $commit. Reps: $reps, alternating."

# ---------------------------------------------------------------------------------------
# --quick: peak RSS against the recorded figures (more than 2x fails)
failed=0
if [ "$quick" = 1 ] && [ "$write_docs" = 0 ]; then
  echo
  echo "memory check against $memory_file (fails above 2× the recorded peak RSS):"
  while read -r w _ _ _ _ rss _; do
    recorded=$(awk -F, -v n="$w" '$1 == n { r = $2 } END { print r }' "$memory_file" 2>/dev/null || true)
    if [ -z "$recorded" ]; then
      echo "  $w: $rss KiB, no recorded figure (not checked)"
    elif [ "$rss" -gt $((2 * recorded)) ]; then
      echo "  $w: FAIL: peak RSS $rss KiB, more than 2× the recorded $recorded KiB" | tee -a "$tmp/failures"
      failed=1
    else
      echo "  $w: $rss KiB, recorded $recorded KiB: ok"
    fi
  done <"$tmp/summary"
  if [ "$failed" = 1 ]; then
    echo "bench: memory above twice the recorded figure:" >&2
    sed 's/^  //' "$tmp/failures" >&2
  fi
fi

# ---------------------------------------------------------------------------------------
# --write-docs
if [ "$write_docs" = 1 ] && [ "$quick" = 1 ]; then
  # The memory file: one row per quick workload; rows of workloads not run are kept.
  {
    echo "workload,peak_rss_kib,recorded"
    if [ -f "$memory_file" ]; then
      awk -F, 'NR > 1' "$memory_file" | while IFS=, read -r w r d; do
        grep -q "^$w " "$tmp/summary" || echo "$w,$r,$d"
      done
    fi
    # The yardstick is not seedsoil: its memory is not checked.
    awk -v d="$date_utc commit $commit" '$1 != "yardstick" { print $1 "," $6 "," d }' "$tmp/summary"
  } >"$tmp/memory.csv"
  # Keep the suite's order.
  { head -n1 "$tmp/memory.csv"
    for n in "${names[@]}"; do grep "^$n," "$tmp/memory.csv" || true; done; } >"$memory_file"
  echo "bench: wrote $memory_file"
elif [ "$write_docs" = 1 ]; then
  # The block between the markers of docs/performance.md: table, ratio, machine line, commands.
  # The full suite's block, or with --scale the scale block.
  marker=$([ "$scale" = 1 ] && echo bench-scale || echo bench)
  grep -q "^<!-- $marker:begin -->\$" "$doc" && grep -q "^<!-- $marker:end -->\$" "$doc" ||
    die "$doc lacks the lines <!-- $marker:begin --> and <!-- $marker:end -->"
  {
    cat "$tmp/table.md"
    if [ -s "$tmp/ratio.md" ]; then echo; sed 's/$/./; s/\.\.$/./' "$tmp/ratio.md"; fi
    echo
    runs=$([ "$reps" = 1 ] && echo "one run" || echo "median of $reps alternating runs")
    echo "Machine: $machine. Date: $date_utc. Commit: $commit. Each workload is one whole process, $runs."
    flags=$([ "$scale" = 1 ] && echo " --scale")$([ "$reps" = $((scale ? 1 : 3)) ] || echo " --reps $reps")
    produced="scripts/bench.sh$flags --write-docs"
    echo "Produced by \`$produced\`$([ -n "${REF_R0:-}" ] && echo ' with `REF_R0` set to the yardstick binary'). The workloads:"
    echo
    echo '```text'
    for n in "${selected[@]}"; do printf '%-18s %s\n' "$n" "$(shown "$n")"; done
    echo '```'
  } >"$tmp/block.md"
  awk -v block="$tmp/block.md" -v m="$marker" '
    $0 == "<!-- " m ":end -->" { skip = 0 }
    !skip { print }
    $0 == "<!-- " m ":begin -->" { while ((getline line < block) > 0) print line; skip = 1 }' \
    "$doc" >"$tmp/doc.md"
  cp "$tmp/doc.md" "$doc"
  echo "bench: wrote the table of $doc"
fi
exit "$failed"
