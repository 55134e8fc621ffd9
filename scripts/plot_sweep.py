#!/usr/bin/env python3
"""Plot a seedsoil parameter sweep (the folder written by `seedsoil sweep -o SWEEP_DIR`).

Reads SWEEP_DIR/summary.csv, SWEEP_DIR/runs.csv and SWEEP_DIR/sweep.toml (its `design`).
The varied parameters are the runs.csv columns after `error` that take more than one
value. Axis labels give each parameter's symbol and unit from `seedsoil params --format
json` (the binary in $SEEDSOIL, else `seedsoil` on PATH; the bare key without one).
Writes, into --out (default SWEEP_DIR/plots), for every endpoint E (--endpoints,
default total,csc_fraction):
  grid design:
  heatmap_<E>.png            median of E over replicates on the grid of the first two
                             varied parameters (log colour scale; needs two varied
                             parameters with > 1 value each)
  lines_<E>_vs_<param>.png   median of E (line) and the band over the replicates
                             (shaded: min-max with fewer than 40 replicates per point,
                             else the 2.5-97.5 % quantiles; the title says which and n)
                             against each varied parameter, one line per value of a
                             second varied parameter; other varied parameters are pooled
  lhs, zip, morris or sobol design (not a grid):
  scatter_<E>_vs_<param>.png E of every run against each varied parameter (the indices
                             of a morris or sobol design: scripts/plot_sensitivity.py)

Example:
  python3 scripts/plot_sweep.py runs/sweep-rho-max --endpoints total,csc_fraction,csc
"""

import sys
import tomllib

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, Normalize

import plotlib
from plotlib import colour, plt

LABELS = {
    "total": "total cells (count)",
    "csc": "CSCs (count)",
    "progenitor": "progenitors (count)",
    "differentiated": "differentiated cells (count)",
    "csc_fraction": "CSC fraction (CSCs / all cells)",
    "metastatic_cells": "metastatic cells (count)",
    "peak_total": "peak total cells (count)",
}
#: With fewer replicates than this per point, the band is min-max, not 2.5-97.5 %.
QUANTILE_MIN_N = 40


def label(endpoint):
    return LABELS.get(endpoint, endpoint)


def fmt(v):
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


def read_design(folder):
    """(design, {param: log}) from SWEEP_DIR/sweep.toml; ("grid", {}) without it."""
    try:
        with open(folder / "sweep.toml", "rb") as f:
            sw = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return "grid", {}
    logs = {a.get("param"): bool(a.get("log", False)) for a in sw.get("axis", [])}
    return str(sw.get("design", "grid")), logs


def log_if_wide(ax, values):
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if vals.size and (vals > 0).all() and vals.max() / vals.min() > 20:
        ax.set_yscale("log")


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "sweep folder containing summary.csv and runs.csv")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    p.add_argument(
        "--endpoints",
        default="total,csc_fraction",
        help="comma-separated summary.csv columns to plot (default: total,csc_fraction)",
    )
    args = p.parse_args()
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf, args.input)

    src = plotlib.require(args.input / "summary.csv")
    summary = pd.read_csv(src)
    runs = pd.read_csv(plotlib.require(args.input / "runs.csv"))
    if "error" not in runs.columns:
        sys.exit("error: runs.csv has no `error` column")
    params = list(runs.columns[list(runs.columns).index("error") + 1 :])
    varied = [c for c in params if c in summary.columns and summary[c].nunique() > 1]
    if not varied:
        sys.exit("error: no parameter takes more than one value in this sweep")
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    for e in endpoints:
        if e not in summary.columns:
            sys.exit(f"error: endpoint {e!r} is not a summary.csv column")
        summary[e] = pd.to_numeric(summary[e], errors="coerce")
    design, logs = read_design(args.input)
    plabel = plotlib.param_labels(varied)
    print(f"design {design}; varied parameters: {', '.join(varied)}", file=sys.stderr)

    if design != "grid":
        # scatter of every run: an lhs, zip, morris or sobol design has no grid to draw
        for e in endpoints:
            for px in varied:
                fig, ax = plt.subplots(figsize=(7.5, 4.8))
                h = ax.scatter(summary[px], summary[e], s=36, color=colour(3),
                               edgecolor="#000000", lw=0.5, zorder=3, label="one run")
                plotlib.track(fig, h, x={"file": src, "column": px},
                              y={"file": src, "column": e})
                if logs.get(px):
                    ax.set_xscale("log")
                log_if_wide(ax, summary[e])
                ax.set_xlabel(plabel[px])
                ax.set_ylabel(label(e))
                others = [q for q in varied if q != px]
                note = f"; {', '.join(others)} also varied" if others else ""
                ax.set_title(f"{e} of each of {len(summary)} runs ({design} design{note})",
                             fontsize=11)
                ax.legend(loc="best")
                saver.save(fig, f"scatter_{e}_vs_{px}")
        saver.report()
        return

    # heat maps
    if len(varied) >= 2:
        px, py = varied[0], varied[1]
        xs = sorted(summary[px].unique())
        ys = sorted(summary[py].unique())
        for e in endpoints:
            med = summary.groupby([py, px])[e].median().unstack(px).reindex(index=ys, columns=xs)
            z = med.to_numpy(dtype=float)
            pos = z[np.isfinite(z) & (z > 0)]
            spec = {"file": src, "column": e,
                    "pivot": {"x": px, "y": py, "xs": xs, "ys": ys, "how": "median"}}
            if pos.size and pos.max() > pos.min():
                norm = LogNorm(vmin=pos.min(), vmax=pos.max())
                zplot = np.ma.masked_where(~(z > 0), z)
                scale = "log scale; 0 left blank"
                spec["mask"] = "nonpositive"
            else:
                norm = Normalize()
                zplot = np.ma.masked_invalid(z)
                scale = "linear scale"
            fig, ax = plt.subplots(figsize=(1.2 * len(xs) + 4.5, 0.8 * len(ys) + 3.2))
            im = ax.imshow(zplot, origin="lower", aspect="auto", cmap="viridis", norm=norm)
            plotlib.track(fig, im, array=spec)
            ax.set_xticks(range(len(xs)), [fmt(v) for v in xs])
            ax.set_yticks(range(len(ys)), [fmt(v) for v in ys])
            ax.set_xlabel(plabel[px])
            ax.set_ylabel(plabel[py])
            ax.grid(False)
            for (i, j), v in np.ndenumerate(z):
                if np.isfinite(v):
                    light = float(np.ma.filled(im.norm(v), 1.0)) > 0.6  # blank: black text
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=10,
                            color="black" if light else "white")
            cb = fig.colorbar(im, ax=ax)
            cb.set_label(f"median {label(e)}\n({scale})")
            n = summary.groupby([py, px]).size()
            ax.set_title(f"median {e} over {fmt_n(n)} replicates per point")
            saver.save(fig, f"heatmap_{e}")
    else:
        saver.skip("heatmap_*", "needs two varied parameters with more than one value each")

    # line plots
    for e in endpoints:
        for px in varied:
            others = [q for q in varied if q != px]
            group = others[0] if others else None
            fig, ax = plt.subplots(figsize=(7.5, 4.8))
            levels = sorted(summary[group].unique()) if group else [None]
            sizes = []
            for i, lv in enumerate(levels):
                d = summary if lv is None else summary[summary[group] == lv]
                where = {} if lv is None else {group: lv}
                g = d.groupby(px)[e]
                sizes += list(g.size())
                n_min = int(g.size().min())
                if n_min >= QUANTILE_MIN_N:
                    lo, hi = g.quantile(0.025), g.quantile(0.975)
                else:
                    lo, hi = g.min(), g.max()
                stats = pd.DataFrame({"median": g.median(), "lo": lo, "hi": hi}).sort_index()
                name = "median" if lv is None else f"{plabel[group].split(' — ')[0].split(' (')[0]} = {fmt(lv)}"
                c = colour(i)
                (ln,) = ax.plot(stats.index, stats["median"], "o-", color=c, lw=2, label=name)
                plotlib.track(fig, ln,
                              x={"file": src, "column": px, "where": where,
                                 "agg": {"by": px, "how": "min"}},
                              y={"file": src, "column": e, "where": where,
                                 "agg": {"by": px, "how": "median"}})
                ax.fill_between(stats.index, stats["lo"], stats["hi"], color=c, alpha=0.2, lw=0)
            log_if_wide(ax, summary[e])
            ax.set_xlabel(plabel[px])
            ax.set_ylabel(label(e))
            n = pd.Series(sizes)
            band = ("2.5–97.5 % quantiles" if n.min() >= QUANTILE_MIN_N else "min–max")
            pooled = [q for q in others if q != group]
            note = f"; pooled over {', '.join(pooled)}" if pooled else ""
            ax.set_title(f"{e}: median (line), {band} over {fmt_n(n)} replicates (band){note}",
                         fontsize=10)
            ax.legend(loc="best")
            saver.save(fig, f"lines_{e}_vs_{px}")

    saver.report()


def fmt_n(sizes):
    """'n' or 'n1–n2' for the replicate counts per point."""
    lo, hi = int(np.min(sizes)), int(np.max(sizes))
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


if __name__ == "__main__":
    main()
