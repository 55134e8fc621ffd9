#!/usr/bin/env bash
# The plotting test (CI): makes a small real run (2 snapshot days), sweep (2 × 2 grid,
# 2 replicates) and comparison (control vs surgery, branched), runs every
# scripts/plot_*.py on them and checks each expected PNG with scripts/check_png.py.
#
# Environment:
#   PYTHON    interpreter for the venv (default python3)
#   VENV      venv folder (default <repo>/.venv-plots; reused if present)
#   SEEDSOIL  seedsoil binary (default target/debug/seedsoil, built with cargo if missing)
#   WORK      scratch folder for the outputs (default a fresh mktemp -d, removed on success)
set -euo pipefail

start=$(date +%s)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

fail() { echo "test_plots: FAIL: $*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
VENV=${VENV:-$repo/.venv-plots}
SEEDSOIL=${SEEDSOIL:-target/debug/seedsoil}

# Python environment
if [ ! -x "$VENV/bin/python" ]; then
    echo "test_plots: creating venv $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV" || fail "could not create a venv with $PYTHON"
fi
PY=$VENV/bin/python
"$PY" -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt \
    || fail "pip install -r scripts/requirements.txt failed"

# seedsoil
if [ ! -x "$SEEDSOIL" ]; then
    echo "test_plots: $SEEDSOIL missing, running cargo build"
    cargo build --quiet || fail "cargo build failed"
fi
[ -x "$SEEDSOIL" ] || fail "no seedsoil binary at $SEEDSOIL"
SEEDSOIL=$(cd "$(dirname "$SEEDSOIL")" && pwd)/$(basename "$SEEDSOIL")

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"; keep=1
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/seedsoil-plots.XXXXXX"); keep=0
fi
echo "test_plots: outputs in $WORK"

# inputs
"$SEEDSOIL" run --days 12 --set 'output.snapshot_days=[6.0,12.0]' \
    -o "$WORK/run" --force -q || fail "seedsoil run failed"
"$SEEDSOIL" sweep tests/data/sweep/plots-small.toml -o "$WORK/sweep" --force -q \
    || fail "seedsoil sweep failed"
"$SEEDSOIL" compare tests/data/plots/compare.toml -o "$WORK/cmp" --force -q \
    || fail "seedsoil compare failed"

# plots
"$PY" scripts/plot_run.py "$WORK/run" || fail "plot_run.py failed"
"$PY" scripts/plot_snapshot.py "$WORK/run" || fail "plot_snapshot.py failed"
"$PY" scripts/plot_sweep.py "$WORK/sweep" --pdf || fail "plot_sweep.py failed"
"$PY" scripts/plot_compare.py "$WORK/cmp" -o "$WORK/cmp-plots" || fail "plot_compare.py failed"
for s in run snapshot sweep compare; do
    "$PY" "scripts/plot_$s.py" --help >/dev/null || fail "plot_$s.py --help failed"
done

R=$WORK/run/plots
S=$WORK/sweep/plots
C=$WORK/cmp-plots
expected=(
    "$R/population.png" "$R/compartments.png" "$R/csc_fraction.png" "$R/cytokines.png"
    "$R/niches.png" "$R/snapshot_day6.png" "$R/snapshot_day12.png"
    "$S/heatmap_total.png" "$S/heatmap_csc_fraction.png"
    "$S/lines_total_vs_cells.rho_max.png" "$S/lines_total_vs_cells.p_symmetric.png"
    "$S/lines_csc_fraction_vs_cells.rho_max.png" "$S/lines_csc_fraction_vs_cells.p_symmetric.png"
    "$C/endpoints.png" "$C/paired_differences.png" "$C/km_relapse.png" "$C/km_detection.png"
)
"$PY" scripts/check_png.py "${expected[@]}" || fail "figure check failed (outputs kept in $WORK)"
[ -s "$S/heatmap_total.pdf" ] || fail "plot_sweep.py --pdf wrote no PDF"

[ "$keep" = 1 ] || rm -rf "$WORK"
echo "test_plots: PASS (${#expected[@]} figures) in $(( $(date +%s) - start )) s"
