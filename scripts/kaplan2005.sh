#!/usr/bin/env bash
# The two arms of Kaplan 2005 (configs/kaplan2005-niche.toml) over replicate seeds: per
# arm, the mean day the lung niche formed, the mean day the first DTC arrived in the lung,
# in how many runs every organ's niche formed before its first arrival, and the mean
# numbers of colonies founded by CSCs and of micrometastases on the last day.
#
#   scripts/kaplan2005.sh [REPLICATES] [extra seedsoil run flags, e.g. --set key=value]
#
# Seeds are 1..REPLICATES (default 8); the arms share each seed, so their difference is
# paired. Runs go to a temporary folder, two at a time (JOBS=n to change). Needs a release
# build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-8}
shift || true
. scripts/arms.sh
config=configs/kaplan2005-niche.toml

arms=(control anti_vegfr1)
declare -A flags=(
  [control]=""
  [anti_vegfr1]="--set niche.vegfr1_blockade=0.95"
)
run_arms "$config" "$out" "$reps" "$@"

first=$out/control-1/summary.csv
organs=$(head -1 "$first" | tr ',' '\n' | sed -n 's/^niche_day_//p')

printf '%-12s %-16s %-20s %-22s %-13s %s\n' arm lung_niche_day lung_first_dtc_day niche_before_arrival csc_colonies micrometastases
for arm in "${arms[@]}"; do
  ln=0 la=0 ok=0 cc=0 mm=0
  for seed in $(seq 1 "$reps"); do
    f=$out/$arm-$seed/summary.csv
    get() { sed -n 2p "$f" | cut -d, -f"$(summary_col "$f" "$1")"; }
    ln=$(awk -v a="$ln" -v b="$(get niche_day_lung)" 'BEGIN { print a + (b == "" ? 0 : b) }')
    la=$(awk -v a="$la" -v b="$(get first_arrival_day_lung)" 'BEGIN { print a + (b == "" ? 0 : b) }')
    cc=$((cc + $(get csc_colonies)))
    mm=$((mm + $(get micrometastases)))
    before=1
    for o in $organs; do
      n=$(get "niche_day_$o")
      a=$(get "first_arrival_day_$o")
      if [ -n "$a" ] && { [ -z "$n" ] || awk -v n="$n" -v a="$a" 'BEGIN { exit !(n >= a) }'; }; then
        before=0
      fi
    done
    ok=$((ok + before))
  done
  printf '%-12s %-16s %-20s %-22s %-13s %s\n' "$arm" \
    "$(awk -v s="$ln" -v r="$reps" 'BEGIN { printf "%.1f", s / r }')" \
    "$(awk -v s="$la" -v r="$reps" 'BEGIN { printf "%.1f", s / r }')" \
    "$ok of $reps" \
    "$(awk -v s="$cc" -v r="$reps" 'BEGIN { printf "%.2f", s / r }')" \
    "$(awk -v s="$mm" -v r="$reps" 'BEGIN { printf "%.2f", s / r }')"
done
