#!/usr/bin/env bash
# Whole-process benchmark of a sweep of 64 small runs (issue 6's target: with 2 threads
# at most 0.6 x the time with 1).
#
#   scripts/bench-sweep.sh [REPS]
#
# Runs configs/sweeps/enderling-paradox.toml with --replicates 4 (4 x 4 points x 4 = 64 runs of
# R0 for 60 days, from one CSC) with --threads 1 and --threads 2, alternating, REPS times
# each (default 3), timed with /usr/bin/time; prints each time, the medians and their
# ratio, and checks that the two thread counts wrote identical tables.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
cargo build --release --quiet
bin=target/release/seedsoil
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sweep=configs/sweeps/enderling-paradox.toml
for rep in $(seq "$reps"); do
  for t in 1 2; do
    /usr/bin/time -f "%e %M" -o "$out/time-$t-$rep" \
      "$bin" sweep "$sweep" --replicates 4 -o "$out/sweep-$t" --force --quiet --threads "$t"
    echo "  threads $t, rep $rep: $(cut -d' ' -f1 "$out/time-$t-$rep") s wall, $(cut -d' ' -f2 "$out/time-$t-$rep") KiB peak RSS"
  done
done
for f in runs.csv summary.csv timeseries.csv; do
  cmp "$out/sweep-1/$f" "$out/sweep-2/$f"
done
m1=$(cat "$out"/time-1-* | cut -d' ' -f1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
m2=$(cat "$out"/time-2-* | cut -d' ' -f1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
awk -v a="$m1" -v b="$m2" 'BEGIN {printf "64 runs: median %.2f s with 1 thread, %.2f s with 2: ratio %.2f (target <= 0.6); tables identical\n", a, b, b / a}'
