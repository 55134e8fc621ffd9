#!/usr/bin/env bash
# Whole-run benchmark of the reference rule set R0 (configs/reference-r0.toml).
#
#   scripts/bench-r0.sh                 # seedsoil only
#   REF_R0=/tmp/r0 scripts/bench-r0.sh  # also time a yardstick binary taking "SEED N..." in the same run
#
# Prints, for 1 and 2 threads: the step and wall time at which 1e5, 2.5e5 and 5e5 cells
# are reached and the cell-updates per second (cells present summed over steps / wall
# time), from the in-process benchmark `cargo bench --bench r0_growth`; then the whole
# process (start-up, outputs) timed with /usr/bin/time -v, with its peak memory; then a
# 3D R0 run to 1e6 cells.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3"}
cargo build --release --quiet
cargo bench --quiet --bench r0_growth --no-run 2>/dev/null
bench=$(ls -t target/release/deps/r0_growth-* | grep -v '\.d$' | head -n 1)
bin=target/release/seedsoil
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for seed in $SEEDS; do
  for t in 1 2; do
    "$bench" --threads "$t" --seed "$seed" 100000 250000 500000
  done
  if [ -n "${REF_R0:-}" ]; then
    echo "yardstick $REF_R0, seed $seed"
    "$REF_R0" "$seed" 100000 250000 500000
  fi
done

echo
echo "whole process, R0 2D to 5e5 cells (seed 1):"
for t in 1 2; do
  /usr/bin/time -f "  threads $t: %e s wall, %M KiB peak RSS" \
    "$bin" run configs/reference-r0.toml --seed 1 --threads "$t" --stop-at-cells 500000 \
    -o "$out/r0-$t" --force --quiet
done

echo
echo "R0 3D (domain 400^3) to 1e6 cells (seed 1):"
for t in 1 2; do
  "$bench" --dims 3 --threads "$t" --seed 1 1000000
  /usr/bin/time -f "  whole process, threads $t: %e s wall, %M KiB peak RSS" \
    "$bin" run configs/reference-r0.toml --seed 1 --threads "$t" --stop-at-cells 1000000 \
    --set space.dims=3 --set space.max_size=400 --set space.initial_size=32 \
    -o "$out/r0-3d-$t" --force --quiet
done

echo
echo "primary with fields and MSCs (dissemination off) vs R0, 2D domain 2000^2, to 1e6 cells (seed 1):"
for t in 1 2; do
  /usr/bin/time -f "  fields+MSCs, threads $t: %e s wall, %M KiB peak RSS" \
    "$bin" run --seed 1 --threads "$t" --stop-at-cells 1000000 --days 400 \
    --set dissemination.enabled=false -o "$out/full-$t" --force --quiet
  /usr/bin/time -f "  R0,         threads $t: %e s wall, %M KiB peak RSS" \
    "$bin" run configs/reference-r0.toml --seed 1 --threads "$t" --stop-at-cells 1000000 \
    --set space.max_size=2000 -o "$out/r0-2000-$t" --force --quiet
done
