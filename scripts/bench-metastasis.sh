#!/usr/bin/env bash
# Whole-run benchmark of the metastatic compartments (docs/model.md §7.12–7.15).
#
#   scripts/bench-metastasis.sh
#
# Prints the in-process benchmark `cargo bench --bench metastasis` (hundreds of colonies
# on 1 and 2 threads; the per-step cost of dormant cells and empty organs; R0 with and
# without empty organs), then the whole process for configs/metastasis.toml and for the
# default run, on 1 and 2 threads, timed with /usr/bin/time (median of 3, peak memory),
# and a colony-dominated variant of configs/metastasis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo bench --quiet --bench metastasis -- --reps 3
bin=target/release/seedsoil
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

whole() { # label, then the seedsoil arguments
  local label=$1
  shift
  for t in 1 2; do
    for rep in 1 2 3; do
      /usr/bin/time -f "%e %M" -o "$out/time-$t-$rep" \
        "$bin" run "$@" --threads "$t" -o "$out/run" --force --quiet
    done
    sort -n "$out"/time-"$t"-* | sed -n 2p |
      awk -v l="$label" -v t="$t" '{printf "  %s, threads %s: %.2f s wall (median of 3), %d KiB peak RSS\n", l, t, $1, $2}'
  done
}

echo
echo "whole process:"
whole "configs/metastasis.toml" configs/metastasis.toml
# Colony-dominated: 5x the shedding and p_colonise 0.05 (about 12,000 colonies founded,
# 435 by CSCs; the colonies' work far exceeds the primary's).
whole "configs/metastasis.toml, colony-dominated" configs/metastasis.toml \
  --set dissemination.intravasation_per_day=0.05 --set dissemination.p_colonise=0.05
whole "default run (embedded baseline)"
