#!/usr/bin/env bash
# The four arms of Liu 2011 (configs/liu2011-msc.toml) over replicate seeds: mean and
# standard error of the CSC fraction and tumour size on the last day, and each arm's
# CSC fraction relative to the arm without MSCs.
#
#   scripts/liu2011.sh [REPLICATES] [extra seedsoil run flags, e.g. --set key=value]
#
# Seeds are 1..REPLICATES (default 8). Runs go to a temporary folder, two at a time
# (JOBS=n to change). Needs a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-8}
shift || true
. scripts/arms.sh
config=configs/liu2011-msc.toml

arms=(no_msc msc msc_anti_il6 msc_cxcr2i)
declare -A flags=(
  [no_msc]="--set msc.inject_count=0"
  [msc]=""
  [msc_anti_il6]="--set signalling.il6_blockade=0.9"
  [msc_cxcr2i]="--set signalling.cxcr2_blockade=0.9"
)
run_arms "$config" "$out" "$reps" "$@"

first=$out/no_msc-1/summary.csv
c_frac=$(summary_col "$first" csc_fraction)
c_total=$(summary_col "$first" total)
c_il6=$(summary_col "$first" il6_tumour_mean_ng_ml)
c_cx=$(summary_col "$first" cxcl7_tumour_mean_ng_ml)
c_pos=$(summary_col "$first" msc_aldh_pos)
c_neg=$(summary_col "$first" msc_aldh_neg)

printf '%-14s %-18s %-18s %-9s %-10s %-8s %s\n' arm csc_fraction total_cells il6_ng_ml cxcl7_ng_ml mscs "vs no_msc"
base=""
for arm in "${arms[@]}"; do
  line=$(for seed in $(seq 1 "$reps"); do sed -n 2p "$out/$arm-$seed/summary.csv"; done |
    awk -F, -v f="$c_frac" -v t="$c_total" -v i="$c_il6" -v c="$c_cx" -v p="$c_pos" -v n="$c_neg" '
      { sf += $f; sf2 += $f * $f; st += $t; st2 += $t * $t; si += $i; sc += $c; sm += $p + $n }
      END {
        mf = sf / NR; mt = st / NR
        ef = sqrt((sf2 - NR * mf * mf) / (NR - 1) / NR); et = sqrt((st2 - NR * mt * mt) / (NR - 1) / NR)
        printf "%.4f %.4f %.0f %.0f %.3f %.3f %.0f\n", mf, ef, mt, et, si / NR, sc / NR, sm / NR
      }')
  read -r mf ef mt et il cx ms <<<"$line"
  [ -z "$base" ] && base=$mf
  ratio=$(awk -v a="$mf" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-14s %-18s %-18s %-9s %-10s %-8s %s\n' "$arm" "$mf ± $ef" "$mt ± $et" "$il" "$cx" "$ms" "$ratio"
done
