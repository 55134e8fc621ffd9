#!/usr/bin/env bash
# Whole-process benchmark of the default run and of the shipped therapy comparison.
#
#   scripts/bench-default.sh [REPS]
#
# Times `seedsoil run` (the embedded default, 90 days) with --threads 1 and --threads 2,
# alternating, REPS times each (default 3), then `seedsoil compare
# configs/compare-therapies.toml --replicates 1` REPS times, each with /usr/bin/time;
# prints every time with its peak RSS, then the medians, and checks that the two thread
# counts wrote identical tables.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
cargo build --release --quiet
bin=target/release/seedsoil
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() { # timed NAME COMMAND... : wall seconds and peak RSS (KiB) into $out/NAME
  /usr/bin/time -f "%e %M" -o "$out/$1" "${@:2}"
  echo "  $1: $(cut -d' ' -f1 "$out/$1") s wall, $(cut -d' ' -f2 "$out/$1") KiB peak RSS"
}
echo "default run (90 days):"
for rep in $(seq "$reps"); do
  for t in 1 2; do
    timed "run-$t-$rep" "$bin" run -o "$out/run-$t" --force --quiet --threads "$t"
  done
done
for f in timeseries.csv events.csv summary.csv config.toml; do
  cmp "$out/run-1/$f" "$out/run-2/$f"
done
echo "therapy comparison (configs/compare-therapies.toml, 1 replicate, 6 arms to day 130):"
for rep in $(seq "$reps"); do
  timed "compare-$rep" "$bin" compare configs/compare-therapies.toml --replicates 1 \
    -o "$out/compare" --force --quiet
done
for what in run-1 run-2 compare; do
  wall=$(cat "$out"/"$what"-* 2>/dev/null | cut -d' ' -f1 | median)
  rss=$(cat "$out"/"$what"-* 2>/dev/null | cut -d' ' -f2 | median)
  awk -v w="$what" -v t="$wall" -v r="$rss" 'BEGIN {printf "%-8s median %6.2f s, peak RSS %6.1f MiB\n", w, t, r / 1024}'
done
echo "tables of 1 and 2 threads identical"
