#!/usr/bin/env bash
# The plotting test (CI): makes a small real run (2 snapshot days), a grid sweep (2 × 2,
# 2 replicates), an LHS sweep (6 points) and a comparison (control vs surgery, branched,
# with detections and relapses), runs every scripts/plot_*.py on them and checks each
# expected PNG with scripts/check_png.py --source (not blank, and the data embedded in the
# PNG re-derive from the source CSVs). Also checks that check_png.py --source fails on an
# axes-only all-NaN figure, a figure without embedded data and a figure whose plotted
# values differ from its CSV, and that plot_run.py refuses a comparison or sweep folder
# (exit 2).
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
"$SEEDSOIL" sweep tests/data/sweep/plots-lhs.toml -o "$WORK/lhs" --force -q \
    || fail "seedsoil sweep (LHS) failed"
"$SEEDSOIL" compare tests/data/plots/compare.toml -o "$WORK/cmp" --force -q \
    || fail "seedsoil compare failed"

# plots
"$PY" scripts/plot_run.py "$WORK/run" || fail "plot_run.py failed"
"$PY" scripts/plot_snapshot.py "$WORK/run" || fail "plot_snapshot.py failed"
export SEEDSOIL  # plot_sweep.py takes symbols and units from `$SEEDSOIL params`
"$PY" scripts/plot_sweep.py "$WORK/sweep" --pdf || fail "plot_sweep.py failed"
"$PY" scripts/plot_sweep.py "$WORK/lhs" || fail "plot_sweep.py (LHS) failed"
"$PY" scripts/plot_compare.py "$WORK/cmp" -o "$WORK/cmp-plots" || fail "plot_compare.py failed"

# the comparison must have events, else its Kaplan-Meier figures are flat lines
for ev in relapse detected_metastasis; do
    grep -q ",$ev,[0-9.e+-]*,1\$" "$WORK/cmp/time_to_event.csv" \
        || fail "the test comparison has no observed $ev (tests/data/plots/*.toml)"
done

# plot_run.py refuses a comparison or a sweep folder with exit 2, naming the right script
for d in cmp:plot_compare.py sweep:plot_sweep.py; do
    set +e
    msg=$("$PY" scripts/plot_run.py "$WORK/${d%%:*}" -o "$WORK/refused" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ] || fail "plot_run.py on a ${d%%:*} folder exited $rc, not 2"
    grep -q "${d##*:}" <<<"$msg" || fail "plot_run.py on ${d%%:*} did not name ${d##*:}: $msg"
    [ ! -e "$WORK/refused" ] || fail "plot_run.py wrote figures for a ${d%%:*} folder"
done
for s in run snapshot sweep compare; do
    "$PY" "scripts/plot_$s.py" --help >/dev/null || fail "plot_$s.py --help failed"
done

R=$WORK/run/plots
S=$WORK/sweep/plots
L=$WORK/lhs/plots
C=$WORK/cmp-plots
expected=(
    "$R/population.png" "$R/compartments.png" "$R/csc_fraction.png" "$R/cytokines.png"
    "$R/niches.png" "$R/snapshot_day6.png" "$R/snapshot_day12.png"
    "$S/heatmap_total.png" "$S/heatmap_csc_fraction.png"
    "$S/lines_total_vs_cells.rho_max.png" "$S/lines_total_vs_cells.p_symmetric.png"
    "$S/lines_csc_fraction_vs_cells.rho_max.png" "$S/lines_csc_fraction_vs_cells.p_symmetric.png"
    "$L/scatter_total_vs_cells.p_symmetric.png" "$L/scatter_total_vs_cells.migration_per_day.png"
    "$L/scatter_csc_fraction_vs_cells.p_symmetric.png"
    "$L/scatter_csc_fraction_vs_cells.migration_per_day.png"
    "$C/endpoints.png" "$C/paired_differences.png" "$C/km_relapse.png" "$C/km_detection.png"
    "$C/timecourse.png"
)
"$PY" scripts/check_png.py --source "${expected[@]}" \
    || fail "figure check failed (outputs kept in $WORK)"
[ ! -e "$L/heatmap_total.png" ] || fail "plot_sweep.py drew a grid heat map for an LHS design"

# self-test: check_png.py --source must fail on figures that do not plot their data
mkdir -p "$WORK/bad"
(cd scripts && "$PY" - "$WORK/bad" "$WORK/run" <<'PYEOF') || fail "could not make the self-test figures"
import sys
from pathlib import Path
import numpy as np
import plotlib
from plotlib import plt
out, run = Path(sys.argv[1]), Path(sys.argv[2])
ts = run / "timeseries.csv"
n = sum(1 for line in open(ts) if ",primary," in line)
saver = plotlib.Saver(out, False, run)
# 1. axes only: a tracked line of NaNs (the CSV has numbers)
fig, ax = plt.subplots(figsize=(6, 4))
(ln,) = ax.plot(np.arange(n), np.full(n, np.nan))
plotlib.track(fig, ln, y={"file": ts, "column": "total", "where": {"compartment": "primary"}})
ax.set_xlim(0, n); ax.set_ylim(0, 1); ax.set_title("axes only"); ax.set_xlabel("x"); ax.set_ylabel("y")
saver.save(fig, "nan")
# 2. a tracked line whose last value is not the CSV's
fig, ax = plt.subplots(figsize=(6, 4))
y = np.arange(n, dtype=float)
(ln,) = ax.plot(y, y)
plotlib.track(fig, ln, y={"file": ts, "column": "total", "where": {"compartment": "primary"}})
saver.save(fig, "wrong")
# 3. no embedded data at all (plain matplotlib)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(y, y); ax.set_title("plain")
fig.savefig(out / "plain.png")
PYEOF
for b in nan wrong plain; do
    "$PY" scripts/check_png.py "$WORK/bad/$b.png" >/dev/null 2>&1 \
        || fail "self-test: check_png.py (pixels only) should pass $b.png"
    if "$PY" scripts/check_png.py --source "$WORK/bad/$b.png" >/dev/null 2>&1; then
        fail "self-test: check_png.py --source passed $b.png"
    fi
done
[ -s "$S/heatmap_total.pdf" ] || fail "plot_sweep.py --pdf wrote no PDF"

[ "$keep" = 1 ] || rm -rf "$WORK"
echo "test_plots: PASS (${#expected[@]} figures) in $(( $(date +%s) - start )) s"
