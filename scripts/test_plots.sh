#!/usr/bin/env bash
# The plotting test (CI): makes a small real run (2 snapshot days), a tiny 3D run (1
# snapshot day), a grid sweep (2 × 2, 2 replicates), an LHS sweep (6 points), a Morris
# sweep (3 axes, 4 trajectories, 2 replicates), a Sobol' sweep (3 axes, 8 base samples),
# a comparison (control vs surgery, branched, with detections and relapses) and a tiny
# ABC-SMC fit (`seedsoil fit`: 2 parameters, 2 generations of 30 particles, 5 predictive
# runs, to configs/fit/growth.csv up to day 8; about a second), runs `seedsoil
# sensitivity` on the Morris, Sobol' and LHS sweeps, runs every scripts/plot_*.py on
# them and checks each expected PNG (49) with scripts/check_png.py --source (not blank,
# and the data embedded in the PNG re-derive from the source CSVs) and, from those data,
# what the figures show (colours, units, scales, labels; the σ/μ* lines of the Morris
# plane and a distinct colour and marker per parameter, the top-to-bottom ranking of the
# horizontal Sobol' and PRCC bars, PRCC on x from −1 to 1, the p < 0.05 marks, the
# stochastic share in the titles; for the fit: one marginal panel per key labelled with
# symbol and unit, whose 90 % credible-interval ends and mean are the weighted 5 %, 95 %
# quantiles and mean of posterior.csv's last generation recomputed here, its rug every
# posterior particle, a pairs scatter per pair of keys, a predictive panel per observed
# output with the pointwise median and the observed points, log y iff they span more
# than two decades, and ε per generation without generation 0's ∞). Also checks that
# check_png.py --source fails on an axes-only all-NaN figure, a figure without embedded
# data and a figure whose plotted values differ from its CSV, that plot_run.py refuses a
# comparison or sweep folder (exit 2), that plot_sweep.py draws the LHS, Morris and
# Sobol' sweeps as scatter plots (no grid heat map), that plot_sensitivity.py refuses a
# sweep without sensitivity.csv and a folder that is not a sweep (exit 2), and that
# plot_fit.py refuses a sweep, a run and an unfinished fit folder (exit 2).
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
# a tiny fit of T_c and p_s to the growth curve of configs/fit/growth.csv up to day 8
mkdir -p "$WORK/fit-in"
awk -F, 'NR == 1 || $1 <= 8' configs/fit/growth.csv >"$WORK/fit-in/growth.csv"
cat >"$WORK/fit-in/fit.toml" <<EOF
base = "$repo/configs/reference-r0.toml"
set = { "init.kind" = "disc", "init.radius" = 5.0, "init.csc_fraction" = 0.1, "cells.p_symmetric_max" = 1.0 }
seed = 7
observed = "growth.csv"
population = 30
max_generations = 2
min_acceptance = 0.01
predictive = 5

[[param]]
key = "cells.cycle_time_h"
prior = "uniform"
range = [12.0, 48.0]

[[param]]
key = "cells.p_symmetric"
prior = "uniform"
range = [0.05, 0.8]
EOF
"$SEEDSOIL" fit "$WORK/fit-in/fit.toml" -o "$WORK/fit" --force -q || fail "seedsoil fit failed"
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
"$PY" scripts/plot_fit.py "$WORK/fit" --pdf || fail "plot_fit.py failed"
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
# sensitivity`) and a folder that is not a sweep; plot_fit.py refuses a sweep, a run and
# a fit folder whose fit has not completed (no posterior.csv: naming --resume)
refuses plot_run.py cmp plot_compare.py
refuses plot_run.py sweep plot_sweep.py
refuses plot_sensitivity.py sweep "seedsoil sensitivity"
refuses plot_sensitivity.py run "not a sweep folder"
refuses plot_fit.py sweep "not a fit folder: no fit.toml"
refuses plot_fit.py run "not a fit folder: no fit.toml"
mkdir -p "$WORK/fit-unfinished"
cp "$WORK/fit/fit.toml" "$WORK/fit/observed.csv" "$WORK/fit-unfinished/"
refuses plot_fit.py fit-unfinished "without posterior.csv, generations.csv.*--resume"
for s in run snapshot sweep compare sensitivity fit; do
    "$PY" "scripts/plot_$s.py" --help >/dev/null || fail "plot_$s.py --help failed"
done

R=$WORK/run/plots
S=$WORK/sweep/plots
L=$WORK/lhs/plots
C=$WORK/cmp-plots
M=$WORK/morris/plots
B=$WORK/sobol/plots
F=$WORK/fit/plots
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
    "$F/marginals.png" "$F/pairs.png" "$F/predictive.png" "$F/generations.png"
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
# fit figures: the marked intervals and means are the weighted 5 %, 95 % quantiles and
# mean of the last generation of posterior.csv, recomputed here (plotting positions
# C_k − w_k/2, as seedsoil's fit::weighted_quantile), and so are generations.csv's
import numpy as np
def wq(v, wt, q):
    v, wt = np.asarray(v, float), np.asarray(wt, float)
    v, wt = v[wt > 0], wt[wt > 0]
    o = np.argsort(v, kind="stable")
    v, wt = v[o], wt[o]
    return float(np.interp(q, (np.cumsum(wt) - 0.5 * wt) / wt.sum(), v))
def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))
fd = w / "fit"
post = pd.read_csv(fd / "posterior.csv")
gens = pd.read_csv(fd / "generations.csv")
obs = pd.read_csv(fd / "observed.csv")
pred = pd.read_csv(fd / "predictive.csv")
FKEYS = {"cells.cycle_time_h": "T_c (h) — cells.cycle_time_h",
         "cells.p_symmetric": "p_s (per CSC division) — cells.p_symmetric"}
PRIOR = {"cells.cycle_time_h": (12.0, 48.0), "cells.p_symmetric": (0.05, 0.8)}
G = int(post["generation"].max())
last = post[post["generation"] == G]
need(G == 1 and len(last) == 30, f"fit: 2 generations of 30 particles (last {G}, {len(last)})")
for g, d in post.groupby("generation"):
    row = gens[gens["generation"] == g].iloc[0]
    for k in FKEYS:
        for q, col in ((0.05, "q05"), (0.5, "q50"), (0.95, "q95")):
            need(close(row[f"{k}_{col}"], wq(d[k], d["weight"], q)),
                 f"generations.csv: {k}_{col} of generation {g} is the weighted {q} quantile")
        need(close(row[f"{k}_mean"], float((d[k] * d["weight"]).sum())),
             f"generations.csv: {k}_mean of generation {g} is the weighted mean")
def by_label(ax, lab):
    return [s for s in ax["series"] if s["label"] == lab]
def vals(s, c="x"):
    return s["data"][c]["values"]
CI = "90 % credible interval (5 %, 95 % weighted quantiles)"
panels = [a for a in data(fd / "plots/marginals.png")["axes"] if a["series"]]
need(sorted(a["xlabel"] for a in panels) == sorted(FKEYS.values()),
     "marginals.png: one panel per key, x labelled with symbol and unit")
for a in panels:
    k = next((k for k, v in FKEYS.items() if v == a["xlabel"]), None)
    if k is None:
        continue
    tag = f"marginals.png ({k})"
    ci = by_label(a, CI)
    lo, hi = wq(last[k], last["weight"], 0.05), wq(last[k], last["weight"], 0.95)
    need(len(ci) == 2 and all("id" in s for s in ci) and set(vals(ci[0])) == {vals(ci[0])[0]}
         and close(vals(ci[0])[0], lo) and close(vals(ci[1])[0], hi),
         f"{tag}: 90 % CI at the weighted 5 %, 95 % quantiles {lo:.6g}, {hi:.6g}")
    mean = by_label(a, "posterior mean (weighted)")
    need(len(mean) == 1 and close(vals(mean[0])[0], float((last[k] * last["weight"]).sum())),
         f"{tag}: the weighted posterior mean")
    need("90 % CI" in a["title"] and f"{lo:.4g}" in a["title"] and f"{hi:.4g}" in a["title"],
         f"{tag}: CI in the title")
    rug = by_label(a, f"posterior particles: {k}")
    need(len(rug) == 1 and np.allclose(sorted(vals(rug[0])), sorted(last[k]), rtol=1e-12),
         f"{tag}: a rug of every particle")
    for lab in ("prior density", "generation 0 (prior sample)", f"posterior: generation {G} (ESS "):
        need(any(s["label"].startswith(lab) for s in a["series"]), f"{tag}: {lab!r} drawn")
    need(a["ylim"][0] == 0 and a["xlim"][0] < PRIOR[k][0] and a["xlim"][1] > PRIOR[k][1],
         f"{tag}: x holds the prior's support {PRIOR[k]}, y from 0")
pa = data(fd / "plots/pairs.png")["axes"]
pts = [s for a in pa for s in a["series"] if s["type"] == "PathCollection"]
need(len(pa) == 4 and len(pts) == 1 and pts[0]["data"]["x"]["n"] == 30 and "id" in pts[0],
     "pairs.png: 2 × 2 panels, one scatter of the 30 posterior particles")
need(sum(1 for a in pa for s in a["series"] if s["label"].startswith("posterior histogram: ")) == 2,
     "pairs.png: a histogram per key on the diagonal")
pp = [a for a in data(fd / "plots/predictive.png")["axes"] if a["series"]]
need([a["ylabel"] for a in pp] == ["total cells (count)", "CSCs (count)"], "predictive.png: a panel per output")
for a, o in zip(pp, ["total", "csc"]):
    tag = f"predictive.png ({o})"
    med = by_label(a, "median")
    days = sorted(pred["day"].unique())
    need(len(med) == 1 and "id" in med[0] and np.allclose(vals(med[0]), days)
         and np.allclose(vals(med[0], "y"), pred.groupby("day")[o].median().to_numpy()),
         f"{tag}: the pointwise median of the predictive runs")
    ob = [s for s in a["series"] if s["label"].startswith("observed")]
    o_rows = obs[obs["output"] == o]
    need(len(ob) == 1 and np.allclose(vals(ob[0]), o_rows["day"])
         and np.allclose(vals(ob[0], "y"), o_rows["value"], rtol=1e-12), f"{tag}: the observed points")
    need({s["label"] for s in a["series"] if s["type"].endswith("PolyCollection")}
         == {"90 % band (5–95 %)", "50 % band (25–75 %)"}, f"{tag}: 50 % and 90 % bands")
    q = pred.groupby("day")[o].quantile([0.05, 0.95]).to_numpy()
    allv = np.r_[q, o_rows["value"]]
    allv = allv[allv > 0]
    wide = np.log10(allv.max() / allv.min()) > 2
    need(a["yscale"] == ("log" if wide else "linear"), f"{tag}: log y iff the values span > 2 decades")
ga = data(fd / "plots/generations.png")["axes"]
eps = [s for a in ga for s in a["series"] if s["label"] == "ε"]
need(len(eps) == 1 and vals(eps[0]) == list(range(1, G + 1))
     and eps[0]["data"]["y"]["finite"] == G, "generations.png: ε of generations 1.. only (no ∞)")
for lab in ("acceptance rate", "ESS", "particles (the largest ESS)"):
    need(sum(1 for a in ga for s in a["series"] if s["label"] == lab and "id" in s) == 1,
         f"generations.png: {lab} per generation")
for k in FKEYS:
    need(sum(1 for a in ga for s in a["series"] if s["label"] in (f"q05: {k}", f"q95: {k}") and "id" in s) == 2,
         f"generations.png: the 5–95 % band of {k} per generation")
need(sum(1 for a in ga for s in a["series"] if s["label"] == "weighted mean") == len(FKEYS),
     "generations.png: the weighted mean of each key per generation")
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
[ -s "$F/marginals.pdf" ] || fail "plot_fit.py --pdf wrote no PDF"

[ "$keep" = 1 ] || rm -rf "$WORK"
echo "test_plots: PASS (${#expected[@]} figures) in $(( $(date +%s) - start )) s"
