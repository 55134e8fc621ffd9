#!/usr/bin/env bash
# R0 statistics: the step at which the tumour first holds 1e5 cells, over N seeds.
#
#   scripts/r0-stats.sh [N]                 # seedsoil, seeds 1..N (default 16)
#   REF_R0=/tmp/r0 scripts/r0-stats.sh [N]  # also a yardstick binary printing
#                                           # "reached 100000 at step S ..." for "SEED 100000"
#
# Prints each seed's step and the mean, standard deviation and standard error.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-16}
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
stats() { awk '{s+=$1; ss+=$1*$1; n++} END {m=s/n; sd=sqrt((ss-n*m*m)/(n-1)); printf "  n=%d mean=%.1f sd=%.1f se=%.1f\n", n, m, sd, sd/sqrt(n)}'; }
echo "seedsoil R0, step reaching 1e5 cells:"
for s in $(seq 1 "$N"); do
  target/release/seedsoil run configs/reference-r0.toml --seed "$s" --stop-at-cells 100000 \
    -o "$out/s$s" --quiet
  # summary.csv column step_reached_100000
  awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i=="step_reached_100000") c=i} NR==2{print $c}' "$out/s$s/summary.csv"
done | tee "$out/seedsoil.txt" | tr '\n' ' '
echo
stats < "$out/seedsoil.txt"
if [ -n "${REF_R0:-}" ]; then
  echo "yardstick $REF_R0:"
  for s in $(seq 1 "$N"); do
    "$REF_R0" "$s" 100000 | awk '{print $5}'
  done | tee "$out/ref.txt" | tr '\n' ' '
  echo
  stats < "$out/ref.txt"
fi
