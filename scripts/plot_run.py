#!/usr/bin/env python3
"""Plot one seedsoil run (the folder written by `seedsoil run -o RUN_DIR`).

Reads RUN_DIR/timeseries.csv and writes, into --out (default RUN_DIR/plots):
  population.png    cells by kind (CSC, progenitor, differentiated) over time, log y,
                    primary tumour and metastatic organs (summed) in two panels
  compartments.png  total cells per compartment (primary, circulation, each organ)
  csc_fraction.png  CSC fraction of the primary tumour and of the metastases, log y
  cytokines.png     IL6 and CXCL7 tumour means (ng/mL); skipped if all zero
  niches.png        niche level per organ; skipped without organ rows
Therapy exposures are shaded in every time plot (from config.toml's [[therapy]]
tables, instant ones such as surgery as dash-dotted lines; else from the *_on columns).
Cell counts on log axes are drawn as count + 1 (so that 0 stays on the line, at 10^0;
the axis says so); a CSC fraction of 0 is drawn at the axis floor (the label gives it),
an undefined one (no cells) leaves a gap. A comparison or sweep folder is refused (exit 2): use
plot_compare.py or plot_sweep.py.

Example:
  python3 scripts/plot_run.py runs/my-run --pdf
"""

import sys

import numpy as np
import pandas as pd

import plotlib
from plotlib import KIND_COLOURS, colour, plt, shade, therapy_intervals

KINDS = ["csc", "progenitor", "differentiated"]
KIND_LABELS = {"csc": "CSC", "progenitor": "progenitor", "differentiated": "differentiated"}
NON_ORGANS = {"primary", "circulation"}


def plus1(y):
    return np.asarray(y, dtype=float) + 1.0


def refuse_multi(folder):
    """Exit 2 if `folder` is a comparison or a sweep, naming the script to use."""
    if (folder / "compare.toml").is_file():
        kind, script = "a comparison (compare.toml)", "plot_compare.py"
    elif (folder / "sweep.toml").is_file():
        kind, script = "a sweep (sweep.toml)", "plot_sweep.py"
    elif (folder / "runs").is_dir():
        kind, script = "a comparison or a sweep (runs/)", "plot_compare.py or plot_sweep.py"
    else:
        return
    print(f"error: {folder} is {kind}, not one run: its timeseries.csv mixes many runs; "
          f"use scripts/{script}", file=sys.stderr)
    sys.exit(2)


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "run folder containing timeseries.csv")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    args = p.parse_args()
    refuse_multi(args.input)
    plotlib.setup_style()
    src = plotlib.require(args.input / "timeseries.csv")
    ts = pd.read_csv(src)
    if "scenario" in ts.columns or "run_id" in ts.columns:
        print(f"error: {src} mixes many runs (it has a scenario or run_id column); "
              "use scripts/plot_compare.py or scripts/plot_sweep.py", file=sys.stderr)
        sys.exit(2)
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf, args.input)
    ts["day"] = ts["time_h"] / 24.0
    day_src = {"file": src, "column": "time_h", "scale": 1 / 24}
    comps = list(dict.fromkeys(ts["compartment"]))
    organs = [c for c in comps if c not in NON_ORGANS]
    primary = ts[ts["compartment"] == "primary"].sort_values("day")
    cfg = plotlib.read_config(args.input)
    if cfg.get("therapy"):
        # exact windows from the config (instant therapies, such as surgery, as lines)
        intervals = plotlib.therapy_windows(cfg, until=float(ts["day"].max()))
    else:
        intervals = therapy_intervals(primary) if len(primary) else {}
    met = ts[ts["compartment"].isin(organs)]
    met_sum = met.groupby("day")[KINDS + ["total"]].sum().sort_index()
    has_met = len(met_sum) > 0 and met_sum["total"].max() > 0

    # population.png
    prim_where = {"compartment": "primary"}
    met_where = {"compartment": organs}
    panels = [("primary tumour", primary.set_index("day"), prim_where, None)]
    if has_met:
        panels.append(("metastases (all organs)", met_sum, met_where, {"by": "time_h", "how": "sum"}))
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.5), squeeze=False)
    for ax, (title, df, where, agg) in zip(axes[0], panels):
        xs = {**day_src, "where": where}
        if agg:
            xs = {**xs, "agg": {"by": "time_h", "how": "min"}}
        for k in KINDS + ["total"]:
            kw = ({"color": KIND_COLOURS[k], "lw": 2, "label": KIND_LABELS[k]} if k != "total"
                  else {"color": "#000000", "lw": 1.5, "ls": "--", "label": "total"})
            (ln,) = ax.plot(df.index, plus1(df[k]), **kw)
            ys = {"file": src, "column": k, "where": where, "offset": 1}
            if agg:
                ys["agg"] = agg
            plotlib.track(fig, ln, x=xs, y=ys)
        shade(ax, intervals)
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.8)
        ax.set_xlabel("time (days)")
        ax.set_ylabel("cells + 1 (count, log scale)")
        ax.set_title(title)
        ax.legend(loc="best")
    saver.save(fig, "population")

    # compartments.png
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, c in enumerate(comps):
        d = ts[ts["compartment"] == c]
        (ln,) = ax.plot(d["day"], plus1(d["total"]), color=colour(i), lw=2, label=c)
        plotlib.track(fig, ln, x={**day_src, "where": {"compartment": c}},
                      y={"file": src, "column": "total", "where": {"compartment": c}, "offset": 1})
    shade(ax, intervals)
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.8)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("total cells + 1 (count, log scale)")
    ax.set_title("cells per compartment")
    ax.legend(loc="best", ncol=2)
    saver.save(fig, "compartments")

    # csc_fraction.png
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    fracs = [("primary", primary["day"], pd.to_numeric(primary["csc_fraction"], errors="coerce"),
              {"file": src, "column": "csc_fraction", "where": prim_where},
              {**day_src, "where": prim_where}, colour(4))]
    if has_met:
        frac = met_sum["csc"] / met_sum["total"].where(met_sum["total"] > 0)
        fracs.append(("metastases (all organs)", frac.index, frac,
                      {"file": src, "column": "csc", "where": met_where, "divide_by": "total",
                       "agg": {"by": "time_h", "how": "sum"}},
                      {**day_src, "where": met_where, "agg": {"by": "time_h", "how": "min"}},
                      colour(5)))
    pos = np.concatenate([np.asarray(f[2], float) for f in fracs])
    pos = pos[np.isfinite(pos) & (pos > 0)]
    floor = 1e-4 if not pos.size else min(1e-4, 10 ** np.floor(np.log10(pos.min())) / 10)
    for name, x, y, ys, xs, c in fracs:
        (ln,) = ax.plot(x, np.where(np.isnan(y), np.nan, np.maximum(y, floor)), color=c, lw=2,
                        label=name)
        plotlib.track(fig, ln, x=xs, y={**ys, "clip_min": floor})
    shade(ax, intervals)
    ax.set_yscale("log")
    ax.set_ylim(floor / 1.5, 1.5)
    ax.set_xlabel("time (days)")
    ax.set_ylabel(f"CSC fraction (CSCs / all cells, log)\n0 drawn at $10^{{{int(round(np.log10(floor)))}}}$; gap = no cells")
    ax.set_title("cancer stem cell fraction")
    ax.legend(loc="best")
    saver.save(fig, "csc_fraction")

    # cytokines.png
    cyto = [
        ("il6_tumour_mean_ng_ml", "IL6, tumour mean", colour(0)),
        ("cxcl7_tumour_mean_ng_ml", "CXCL7, tumour mean", colour(4)),
    ]
    present = [c for c in cyto if c[0] in primary.columns]
    values = {c[0]: pd.to_numeric(primary[c[0]], errors="coerce").fillna(0) for c in present}
    if not present or all((v == 0).all() for v in values.values()):
        saver.skip("cytokines", "IL6 and CXCL7 are zero throughout (fields off?)")
    else:
        fig, axes = plt.subplots(1, len(present), figsize=(6.5 * len(present), 4.5), squeeze=False)
        for ax, (col, label, col_c) in zip(axes[0], present):
            (ln,) = ax.plot(primary["day"], pd.to_numeric(primary[col], errors="coerce"),
                            color=col_c, lw=2, label=label)
            plotlib.track(fig, ln, x={**day_src, "where": prim_where},
                          y={"file": src, "column": col, "where": prim_where})
            shade(ax, intervals)
            ax.set_xlabel("time (days)")
            ax.set_ylabel("concentration (ng/mL)")
            ax.set_title(label)
            ax.legend(loc="best")
        saver.save(fig, "cytokines")

    # niches.png
    if not organs or "niche_level" not in ts.columns:
        saver.skip("niches", "no organ rows in timeseries.csv")
    else:
        fig, ax = plt.subplots(figsize=(7.5, 4.5))
        for i, o in enumerate(organs):
            d = ts[ts["compartment"] == o]
            (ln,) = ax.plot(d["day"], pd.to_numeric(d["niche_level"], errors="coerce"),
                            color=colour(i), lw=2, label=o)
            plotlib.track(fig, ln, x={**day_src, "where": {"compartment": o}},
                          y={"file": src, "column": "niche_level", "where": {"compartment": o}})
        shade(ax, intervals)
        ax.set_xlabel("time (days)")
        ax.set_ylabel("niche level (dimensionless, 0–1)")
        ax.set_title("pre-metastatic niche per organ")
        ax.legend(loc="best")
        saver.save(fig, "niches")

    saver.report()


if __name__ == "__main__":
    main()
