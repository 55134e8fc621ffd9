#!/usr/bin/env bash
# Regenerates the README's gallery (docs/gallery/) from the shipped configs:
#
#   scripts/gallery.sh
#
# - the default run (configs/baseline.toml) with snapshots on days 30, 60 and 90:
#   scripts/plot_run.py, scripts/plot_snapshot.py and `seedsoil render` (growth frames);
# - the two science sweeps (configs/sweeps/rho-max.toml, enderling-paradox.toml):
#   scripts/plot_sweep.py;
# - the Kaplan 2005 comparison (configs/compare-kaplan2005.toml): scripts/plot_compare.py;
# - the example fit (configs/fit/growth.toml): scripts/plot_fit.py.
# Uses the venv .venv-plots (created with scripts/requirements.txt if missing) and the
# release binary (built if missing). About three minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
VENV=${VENV:-$repo/.venv-plots}
if [ ! -x "$VENV/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r scripts/requirements.txt
fi
PY=$VENV/bin/python
cargo build --release --quiet
bin=$repo/target/release/seedsoil
export SEEDSOIL=$bin  # plot_sweep.py takes symbols and units from `$SEEDSOIL params`
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$repo/docs/gallery
rm -rf "$out"
mkdir -p "$out"

"$bin" run --set 'output.snapshot_days=[30.0,60.0,90.0]' -o "$work/run" --quiet
"$PY" scripts/plot_run.py "$work/run" -o "$work/run-plots"
"$PY" scripts/plot_snapshot.py "$work/run" -o "$work/run-plots"
"$bin" render "$work/run" -o "$work/render" --frames --scale 1 --quiet
for f in population compartments csc_fraction cytokines niches snapshot_day90; do
  cp "$work/run-plots/$f.png" "$out/run_$f.png"
done
cp "$work/render/frames/frame_0003.png" "$out/render_day90.png"

for s in rho-max enderling-paradox; do
  "$bin" sweep "configs/sweeps/$s.toml" -o "$work/$s" --quiet
  "$PY" scripts/plot_sweep.py "$work/$s" -o "$work/$s-plots"
done
cp "$work/rho-max-plots/heatmap_csc_fraction.png" "$out/sweep_rho_max_csc_fraction.png"
cp "$work/rho-max-plots/lines_csc_fraction_vs_cells.rho_max.png" "$out/sweep_rho_max_lines.png"
cp "$work/enderling-paradox-plots/heatmap_total.png" "$out/sweep_paradox_total.png"
cp "$work/enderling-paradox-plots/heatmap_csc_fraction.png" "$out/sweep_paradox_csc_fraction.png"

"$bin" compare configs/compare-kaplan2005.toml -o "$work/kaplan" --quiet
"$PY" scripts/plot_compare.py "$work/kaplan" -o "$work/kaplan-plots"
for f in endpoints paired_differences km_detection; do
  cp "$work/kaplan-plots/$f.png" "$out/compare_kaplan2005_$f.png"
done
"$bin" fit configs/fit/growth.toml -o "$work/fit" --quiet
"$PY" scripts/plot_fit.py "$work/fit" -o "$work/fit-plots"
for f in marginals predictive; do
  cp "$work/fit-plots/$f.png" "$out/fit_growth_$f.png"
done
"$PY" scripts/check_png.py "$out"/*.png
ls "$out"
