#!/usr/bin/env python3
"""Plot a seedsoil parameter sweep (the folder written by `seedsoil sweep -o SWEEP_DIR`).

Reads SWEEP_DIR/summary.csv and SWEEP_DIR/runs.csv. The varied parameters are the
runs.csv columns after `error` that take more than one value. Writes, into --out
(default SWEEP_DIR/plots), for every endpoint E (--endpoints, default total,csc_fraction):
  heatmap_<E>.png            median of E over replicates on the grid of the first two
                             varied parameters (log colour scale; needs two varied
                             parameters with > 1 value each)
  lines_<E>_vs_<param>.png   median of E (line) and its 2.5-97.5 % replicate interval
                             (shaded) against each varied parameter, one line per value
                             of a second varied parameter
Other varied parameters, if any, are pooled.

Example:
  python3 scripts/plot_sweep.py runs/sweep-rho-max --endpoints total,csc_fraction,csc
"""

import sys

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


def label(endpoint):
    return LABELS.get(endpoint, endpoint)


def fmt(v):
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return f"{v:g}"
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


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
    saver = plotlib.Saver(out, args.pdf)

    summary = pd.read_csv(plotlib.require(args.input / "summary.csv"))
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
    print(f"varied parameters: {', '.join(varied)}", file=sys.stderr)

    # heat maps
    if len(varied) >= 2:
        px, py = varied[0], varied[1]
        xs = sorted(summary[px].unique())
        ys = sorted(summary[py].unique())
        for e in endpoints:
            med = summary.groupby([py, px])[e].median().unstack(px).reindex(index=ys, columns=xs)
            z = med.to_numpy(dtype=float)
            pos = z[np.isfinite(z) & (z > 0)]
            if pos.size and pos.max() > pos.min():
                norm = LogNorm(vmin=pos.min(), vmax=pos.max())
                zplot = np.ma.masked_where(~(z > 0), z)
                scale = "log scale"
            else:
                norm = Normalize()
                zplot = np.ma.masked_invalid(z)
                scale = "linear scale"
            fig, ax = plt.subplots(figsize=(1.2 * len(xs) + 4, 0.8 * len(ys) + 3))
            im = ax.imshow(zplot, origin="lower", aspect="auto", cmap="viridis", norm=norm)
            ax.set_xticks(range(len(xs)), [fmt(v) for v in xs])
            ax.set_yticks(range(len(ys)), [fmt(v) for v in ys])
            ax.set_xlabel(px)
            ax.set_ylabel(py)
            ax.grid(False)
            for (i, j), v in np.ndenumerate(z):
                if np.isfinite(v):
                    light = float(np.ma.filled(im.norm(v), 0)) > 0.6
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=10,
                            color="black" if light else "white")
            cb = fig.colorbar(im, ax=ax)
            cb.set_label(f"median {label(e)}, {scale}")
            ax.set_title(f"median {e} over replicates")
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
            for i, lv in enumerate(levels):
                d = summary if lv is None else summary[summary[group] == lv]
                g = d.groupby(px)[e]
                stats = pd.DataFrame(
                    {"median": g.median(), "lo": g.quantile(0.025), "hi": g.quantile(0.975)}
                ).sort_index()
                name = "median" if lv is None else f"{group} = {fmt(lv)}"
                c = colour(i)
                ax.plot(stats.index, stats["median"], "o-", color=c, lw=2, label=name)
                ax.fill_between(stats.index, stats["lo"], stats["hi"], color=c, alpha=0.2, lw=0)
            vals = summary[e].to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            if vals.size and (vals > 0).all() and vals.max() / vals.min() > 20:
                ax.set_yscale("log")
            ax.set_xlabel(px)
            ax.set_ylabel(label(e))
            ax.set_title(f"{e}: median and 2.5–97.5 % replicate interval (shaded)")
            ax.legend(loc="best")
            saver.save(fig, f"lines_{e}_vs_{px}")

    saver.report()


if __name__ == "__main__":
    main()
