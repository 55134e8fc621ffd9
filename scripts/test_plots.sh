#!/usr/bin/env bash
# The plotting test (CI): makes a small real run (2 snapshot days), a tiny 3D run (1
# snapshot day), a grid sweep (2 × 2, 2 replicates), an LHS sweep (6 points), a Morris
# sweep (3 axes, 4 trajectories, 2 replicates), a Sobol' sweep (3 axes, 8 base samples)
# and a comparison (control vs surgery, branched, with detections and relapses), runs
# `seedsoil sensitivity` on the Morris, Sobol' and LHS sweeps, runs every
# scripts/plot_*.py on them and checks each
# expected PNG with scripts/check_png.py --source (not blank, and the data embedded in the
# PNG re-derive from the source CSVs) and, from those data, what the figures show
# (colours, units, scales, labels; the σ/μ* lines of the Morris plane and a distinct
# colour and marker per parameter, the top-to-bottom ranking of the horizontal Sobol' and
# PRCC bars, PRCC on x from −1 to 1, the p < 0.05 marks, the stochastic share in the
# titles). Also
# checks that check_png.py --source fails on an axes-only all-NaN figure, a figure
# without embedded data and a figure whose plotted values differ from its CSV, that
# plot_run.py refuses a comparison or sweep folder (exit 2), that plot_sweep.py draws
# the LHS, Morris and Sobol' sweeps as scatter plots (no grid heat map), and that
# plot_sensitivity.py refuses a sweep without sensitivity.csv and a folder that is not a
# sweep (exit 2).
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
"$SEEDSOIL" run --days 3 --set space.dims=3 --set space.initial_size=32 --set space.max_size=64 \
    --set 'output.snapshot_days=[3.0]' -o "$WORK/run3d" --force -q || fail "seedsoil run (3D) failed"
"$SEEDSOIL" sweep tests/data/sweep/plots-small.toml -o "$WORK/sweep" --force -q \
    || fail "seedsoil sweep failed"
"$SEEDSOIL" sweep tests/data/sweep/plots-lhs.toml -o "$WORK/lhs" --force -q \
    || fail "seedsoil sweep (LHS) failed"
"$SEEDSOIL" sweep tests/data/sweep/plots-morris.toml -o "$WORK/morris" --force -q \
    || fail "seedsoil sweep (Morris) failed"
"$SEEDSOIL" sweep tests/data/sweep/plots-sobol.toml -o "$WORK/sobol" --force -q \
    || fail "seedsoil sweep (Sobol') failed"
"$SEEDSOIL" compare tests/data/plots/compare.toml -o "$WORK/cmp" --force -q \
    || fail "seedsoil compare failed"
# sensitivity indices (the LHS sweep without bootstrap: PRCC bars without intervals)
"$SEEDSOIL" sensitivity "$WORK/morris" --bootstrap 200 -q || fail "seedsoil sensitivity (Morris) failed"
"$SEEDSOIL" sensitivity "$WORK/sobol" --bootstrap 200 -q || fail "seedsoil sensitivity (Sobol') failed"
"$SEEDSOIL" sensitivity "$WORK/lhs" --bootstrap 0 -q || fail "seedsoil sensitivity (LHS) failed"

# plots
"$PY" scripts/plot_run.py "$WORK/run" || fail "plot_run.py failed"
"$PY" scripts/plot_snapshot.py "$WORK/run" || fail "plot_snapshot.py failed"
"$PY" scripts/plot_snapshot.py "$WORK/run3d" || fail "plot_snapshot.py (3D) failed"
export SEEDSOIL  # plot_sweep.py takes symbols and units from `$SEEDSOIL params`
"$PY" scripts/plot_sweep.py "$WORK/sweep" --pdf || fail "plot_sweep.py failed"
"$PY" scripts/plot_sweep.py "$WORK/lhs" || fail "plot_sweep.py (LHS) failed"
"$PY" scripts/plot_sweep.py "$WORK/morris" || fail "plot_sweep.py (Morris) failed"
"$PY" scripts/plot_sweep.py "$WORK/sobol" || fail "plot_sweep.py (Sobol') failed"
"$PY" scripts/plot_sensitivity.py "$WORK/morris" || fail "plot_sensitivity.py (Morris) failed"
"$PY" scripts/plot_sensitivity.py "$WORK/sobol" --pdf || fail "plot_sensitivity.py (Sobol') failed"
"$PY" scripts/plot_sensitivity.py "$WORK/lhs" --outputs total,csc_fraction \
    || fail "plot_sensitivity.py (LHS) failed"
"$PY" scripts/plot_compare.py "$WORK/cmp" -o "$WORK/cmp-plots" 2>"$WORK/cmp-plots.err" \
    || { cat "$WORK/cmp-plots.err" >&2; fail "plot_compare.py failed"; }
# (its Kaplan-Meier curves are seedsoil's kaplan_meier.csv: check_png.py --source below
# reads the plotted survival back and compares it with that table)

# the comparison must have events, else its Kaplan-Meier figures are flat lines
for ev in relapse detected_metastasis; do
    grep -q ",$ev,[0-9.e+-]*,1\$" "$WORK/cmp/time_to_event.csv" \
        || fail "the test comparison has no observed $ev (tests/data/plots/*.toml)"
done

# refuses SCRIPT FOLDER TEXT: SCRIPT exits with 2 on WORK/FOLDER, says TEXT, draws nothing
refuses() {
    local rc msg
    set +e
    msg=$("$PY" "scripts/$1" "$WORK/$2" -o "$WORK/refused" 2>&1); rc=$?
    set -e
    [ "$rc" = 2 ] || fail "$1 on the $2 folder exited $rc, not 2"
    grep -q "$3" <<<"$msg" || fail "$1 on the $2 folder did not say $3: $msg"
    [ ! -e "$WORK/refused" ] || fail "$1 wrote figures for the $2 folder"
}
# plot_run.py refuses a comparison or a sweep folder, naming the right script;
# plot_sensitivity.py refuses a sweep without sensitivity.csv (naming `seedsoil
# sensitivity`) and a folder that is not a sweep
refuses plot_run.py cmp plot_compare.py
refuses plot_run.py sweep plot_sweep.py
refuses plot_sensitivity.py sweep "seedsoil sensitivity"
refuses plot_sensitivity.py run "not a sweep folder"
for s in run snapshot sweep compare sensitivity; do
    "$PY" "scripts/plot_$s.py" --help >/dev/null || fail "plot_$s.py --help failed"
done

R=$WORK/run/plots
S=$WORK/sweep/plots
L=$WORK/lhs/plots
C=$WORK/cmp-plots
M=$WORK/morris/plots
B=$WORK/sobol/plots
expected=(
    "$R/population.png" "$R/compartments.png" "$R/csc_fraction.png" "$R/cytokines.png"
    "$R/niches.png" "$R/snapshot_day6.png" "$R/snapshot_day12.png"
    "$WORK/run3d/plots/snapshot_day3.png"
    "$S/heatmap_total.png" "$S/heatmap_csc_fraction.png"
    "$S/lines_total_vs_cells.rho_max.png" "$S/lines_total_vs_cells.p_symmetric.png"
    "$S/lines_csc_fraction_vs_cells.rho_max.png" "$S/lines_csc_fraction_vs_cells.p_symmetric.png"
    "$L/scatter_total_vs_cells.p_symmetric.png" "$L/scatter_total_vs_cells.migration_per_day.png"
    "$L/scatter_csc_fraction_vs_cells.p_symmetric.png"
    "$L/scatter_csc_fraction_vs_cells.migration_per_day.png"
    "$L/prcc_total.png" "$L/prcc_csc_fraction.png"
    "$M/morris_total.png" "$M/morris_csc_fraction.png" "$M/prcc_total.png" "$M/prcc_csc_fraction.png"
    "$B/sobol_total.png" "$B/sobol_csc_fraction.png" "$B/prcc_total.png" "$B/prcc_csc_fraction.png"
    "$C/endpoints.png" "$C/paired_differences.png" "$C/km_relapse.png" "$C/km_detection.png"
    "$C/timecourse.png"
)
"$PY" scripts/check_png.py --source "${expected[@]}" \
    || fail "figure check failed (outputs kept in $WORK)"
[ ! -e "$L/heatmap_total.png" ] || fail "plot_sweep.py drew a grid heat map for an LHS design"
for d in "$M" "$B"; do
    for e in total csc_fraction; do
        for px in cells.p_symmetric cells.migration_per_day run.days; do
            expected+=("$d/scatter_${e}_vs_$px.png")
        done
    done
done
"$PY" scripts/check_png.py --source "${expected[@]: -12}" \
    || fail "figure check failed (Morris, Sobol' scatter plots; outputs kept in $WORK)"
for d in "$M" "$B"; do
    ! compgen -G "$d/heatmap_*" >/dev/null || fail "plot_sweep.py drew a grid heat map in $d"
    ! compgen -G "$d/lines_*" >/dev/null || fail "plot_sweep.py drew grid line plots in $d"
done
! compgen -G "$M/sobol_*" >/dev/null || fail "plot_sensitivity.py drew Sobol' bars for a Morris design"
! compgen -G "$B/morris_*" >/dev/null || fail "plot_sensitivity.py drew a Morris plane for a Sobol' design"
! compgen -G "$L/morris_*" >/dev/null && ! compgen -G "$L/sobol_*" >/dev/null \
    || fail "plot_sensitivity.py drew Morris or Sobol' figures for an LHS design"

# what the figures must show (read from the data embedded in the PNGs)
"$PY" - "$WORK" <<'PYEOF' || fail "figure contents (outputs kept in $WORK)"
import json, sys
from pathlib import Path
from PIL import Image
sys.path.insert(0, "scripts")
import plotlib
w = Path(sys.argv[1])
def data(p):
    return json.loads(Image.open(p).text["seedsoil-data"])
bad = []
def need(ok, what):
    if not ok:
        bad.append(what)
need(plotlib.KIND_COLOURS == {"csc": "#D55E00", "progenitor": "#0072B2",
                              "differentiated": "#999999"}, "kind colours")
need(plotlib.MSC_COLOURS == {"aldh_neg": "#F0E442", "aldh_pos": "#009E73"}, "MSC colours")
for p in [w / "run/plots/snapshot_day12.png", w / "run3d/plots/snapshot_day3.png"]:
    axes = [a for a in data(p)["axes"] if a["series"]]
    need(len(axes) == 3, f"{p.name}: 3 panels")
    for a in axes:
        need(a["xlabel"] == "x (µm)" and a["ylabel"] == "y (µm)", f"{p.name}: axes in µm")
        if "3d" in str(p):
            need("central slice" in a["title"] and " µm" in a["title"], f"{p.name}: z slice named")
        for s in a["series"]:
            if "IL6" in a["title"] or "CXCL7" in a["title"]:
                if s["type"] == "AxesImage":
                    need(s["cmap"] == "viridis" and s["norm"] == "LogNorm",
                         f"{p.name}: field viridis, log")
    need(len({(tuple(a["xlim"]), tuple(a["ylim"])) for a in axes}) == 1,
         f"{p.name}: all panels cover the same area")
for p in [w / "run/plots/csc_fraction.png", w / "run/plots/population.png"]:
    need(all(a["yscale"] == "log" for a in data(p)["axes"] if a["series"]), f"{p.name}: log y")
for p in sorted((w / "sweep/plots").glob("*.png")):
    a = data(p)["axes"][0]
    need("—" in a["xlabel"], f"{p.name}: parameter symbol and unit on x")
    if p.name.startswith("lines_"):
        need("min–max over 2 replicates" in a["title"], f"{p.name}: band named min–max")
# sensitivity figures: labels with symbols and units, the Morris σ/μ* lines, rankings,
# p < 0.05 marks and the stochastic share, against sensitivity.csv
import pandas as pd
UNITS = {"cells.p_symmetric": "p_s (per CSC division) — cells.p_symmetric",
         "cells.migration_per_day": "μ (cell widths per day) — cells.migration_per_day",
         "run.days": "run.days (days)"}
def series(ax, prefix):
    """{parameter key: (x, y)} of the tracked one-point series labelled 'prefix: ...'
    (the bar charts: the index on x, the parameter's row on y)."""
    out = {}
    for s in ax["series"]:
        if s["label"].startswith(prefix + ": ") and "id" in s:
            lab = s["label"][len(prefix) + 2:].split("; p = ")[0].split("; p undefined")[0]
            key = next((k for k, v in UNITS.items() if v == lab), lab)
            out[key] = (s["data"]["x"]["values"][0], s["data"]["y"]["values"][0])
    return out
for name in ["morris", "sobol", "lhs"]:
    sens = pd.read_csv(w / name / "sensitivity.csv")
    for o in ["total", "csc_fraction"]:
        rows = sens[sens["output"] == o]
        est = {(r.parameter, r.index): r.estimate for r in rows.itertuples()}
        share = est.get(("(seed)", "stochastic_share"))
        figs = {"morris": ["morris", "prcc"], "sobol": ["sobol", "prcc"], "lhs": ["prcc"]}[name]
        for kind in figs:
            p = w / name / "plots" / f"{kind}_{o}.png"
            a = data(p)["axes"][0]
            tag = f"{name}/{p.name}"
            need(("stochastic share" in a["title"]) == (share is not None and share == share),
                 f"{tag}: stochastic share in the title iff sensitivity.csv has it")
            if share is not None and share == share:
                need(f"{share:.3g}" in a["title"], f"{tag}: stochastic share {share:.3g} in the title")
            has_ci = rows["ci_low"].notna().any()
            need(any(s["label"].startswith("ci_low: ") for s in a["series"]) == has_ci,
                 f"{tag}: interval caps iff sensitivity.csv has intervals")
            if kind == "morris":
                labels = {s["label"] for s in a["series"]}
                for k in ["0.1", "0.5", "1.0"]:
                    need(f"σ/μ* = {k}" in labels, f"{tag}: reference line σ/μ* = {k}")
                need(a["xlabel"].startswith("μ*") and a["ylabel"].startswith("σ"), f"{tag}: μ* on x, σ on y")
                need("cells (count)" in a["xlabel"] or "CSCs / all cells" in a["xlabel"], f"{tag}: output unit on x")
                need("Garcia Sanchez" in a["title"], f"{tag}: reference of the σ/μ* lines")
                pts = [s for s in a["series"] if s["type"] == "Line2D" and s["label"] in UNITS.values()]
                need(sorted(s["label"] for s in pts) == sorted(UNITS.values()),
                     f"{tag}: one point per parameter labelled with symbol and unit")
                styles = [(s["style"]["markerfacecolor"], s["style"]["marker"]) for s in pts]
                need(len(set(styles)) == len(styles) and all(m not in ("None", "", " ") for _, m in styles),
                     f"{tag}: no two parameters share both colour and marker ({styles})")
                for s in pts:
                    key = next(k for k, v in UNITS.items() if v == s["label"])
                    need(abs(s["data"]["x"]["values"][0] - est[(key, "mu_star")]) < 1e-9 * max(1, abs(est[(key, "mu_star")]))
                         and abs(s["data"]["y"]["values"][0] - est[(key, "sigma")]) < 1e-9 * max(1, abs(est[(key, "sigma")])),
                         f"{tag}: {key} at (μ*, σ)")
            elif kind == "sobol":
                st, s1 = series(a, "ST"), series(a, "S1")
                need(set(st) == set(UNITS) and set(s1) == set(UNITS), f"{tag}: S1 and ST bars of every parameter")
                need(a["ylim"][0] > a["ylim"][1], f"{tag}: y axis downwards (first row at the top)")
                order = sorted(st, key=lambda k: st[k][1])  # top to bottom
                need([st[k][0] for k in order] == sorted((st[k][0] for k in st), reverse=True),
                     f"{tag}: parameters ranked by ST from top to bottom")
                need(all(s1[k][1] < st[k][1] < min([v[1] for v in s1.values() if v[1] > s1[k][1]] + [9e9])
                         for k in st), f"{tag}: S1 and ST side by side in each row")
                need("ranked by ST" in a["ylabel"], f"{tag}: ranking named")
                need(a["xlabel"].startswith("Sobol' index"), f"{tag}: index on x")
            else:
                pr = series(a, "PRCC")
                need(set(pr) == {k for k in UNITS if (k, "prcc") in est}, f"{tag}: a bar per parameter")
                need(all(" — " in s["label"] or "(days)" in s["label"] for s in a["series"]
                         if s["label"].startswith("PRCC: ")), f"{tag}: symbols and units")
                need(a["ylim"][0] > a["ylim"][1], f"{tag}: y axis downwards (first row at the top)")
                order = sorted(pr, key=lambda k: pr[k][1])  # top to bottom
                need([abs(pr[k][0]) for k in order] == sorted((abs(v[0]) for v in pr.values()), reverse=True),
                     f"{tag}: parameters ranked by |PRCC| from top to bottom")
                need(a["xlim"] == [-1.0, 1.0], f"{tag}: PRCC on x from −1 to 1")
                need(a["xlabel"].startswith("PRCC") and "ranked by |PRCC|" in a["ylabel"],
                     f"{tag}: PRCC on x, ranked parameters on y")
                zero = [s for s in a["series"] if s["label"] == "zero"]
                need(len(zero) == 1 and zero[0]["data"]["x"]["n"] == 2, f"{tag}: zero line")
                stars = {s["label"].split(": ", 1)[1]: s for s in a["series"] if s["label"].startswith("p < 0.05: ")}
                sig = {k for k in pr if est.get((k, "prcc_p_value"), 1.0) < 0.05}
                need(set(stars) == sig, f"{tag}: p < 0.05 marked for {sorted(sig)}, not {sorted(stars)}")
                need(all(s["style"]["marker"] == "*" for s in stars.values()), f"{tag}: marks are ★")
if bad:
    sys.exit("test_plots: " + "; ".join(bad))
PYEOF

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
[ -s "$B/sobol_total.pdf" ] || fail "plot_sensitivity.py --pdf wrote no PDF"

[ "$keep" = 1 ] || rm -rf "$WORK"
echo "test_plots: PASS (${#expected[@]} figures) in $(( $(date +%s) - start )) s"
