#!/usr/bin/env python3
"""Plot one seedsoil run (the folder written by `seedsoil run -o RUN_DIR`).

Reads RUN_DIR/timeseries.csv and writes, into --out (default RUN_DIR/plots):
  population.png    cells by kind (CSC, progenitor, differentiated) over time, log y,
                    primary tumour and metastatic organs (summed) in two panels
  compartments.png  total cells per compartment (primary, circulation, each organ)
  csc_fraction.png  CSC fraction of the primary tumour and of the metastases
  cytokines.png     IL6 and CXCL7 tumour means (ng/mL); skipped if all zero
  niches.png        niche level per organ; skipped without organ rows
Therapy exposures (the *_on columns) are shaded in every time plot.

Example:
  python3 scripts/plot_run.py runs/my-run --pdf
"""

import numpy as np
import pandas as pd

import plotlib
from plotlib import KIND_COLOURS, THERAPY_COLOURS, colour, plt

KINDS = ["csc", "progenitor", "differentiated"]
KIND_LABELS = {"csc": "CSC", "progenitor": "progenitor", "differentiated": "differentiated"}
NON_ORGANS = {"primary", "circulation"}


def therapy_intervals(primary):
    """{column: [(start_day, end_day), ...]} for each *_on column that is ever on."""
    out = {}
    days = primary["day"].to_numpy()
    for col in [c for c in primary.columns if c.endswith("_on")]:
        on = pd.to_numeric(primary[col], errors="coerce").fillna(0).to_numpy() > 0
        if not on.any():
            continue
        spans = []
        i = 0
        while i < len(on):
            if on[i]:
                j = i
                while j + 1 < len(on) and on[j + 1]:
                    j += 1
                # the exposure lasts until the next sample
                end = days[j + 1] if j + 1 < len(days) else days[j]
                spans.append((days[i], end))
                i = j + 1
            else:
                i += 1
        out[col] = spans
    return out


def shade(ax, intervals, label=True):
    for col, spans in intervals.items():
        name = col[: -len("_on")].replace("_", " ")
        for k, (a, b) in enumerate(spans):
            ax.axvspan(
                a,
                max(b, a + 1e-3),
                color=THERAPY_COLOURS.get(col, "#999999"),
                alpha=0.18,
                lw=0,
                label=f"{name} on" if (label and k == 0) else None,
            )


def positive(y):
    y = np.asarray(y, dtype=float)
    return np.where(y > 0, y, np.nan)


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "run folder containing timeseries.csv")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    args = p.parse_args()
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf)

    ts = pd.read_csv(plotlib.require(args.input / "timeseries.csv"))
    ts["day"] = ts["time_h"] / 24.0
    comps = list(dict.fromkeys(ts["compartment"]))
    organs = [c for c in comps if c not in NON_ORGANS]
    primary = ts[ts["compartment"] == "primary"].sort_values("day")
    intervals = therapy_intervals(primary) if len(primary) else {}
    met = ts[ts["compartment"].isin(organs)]
    met_sum = met.groupby("day")[KINDS + ["total"]].sum().sort_index()
    has_met = len(met_sum) > 0 and met_sum["total"].max() > 0

    # population.png
    panels = [("primary tumour", primary.set_index("day"))]
    if has_met:
        panels.append(("metastases (all organs)", met_sum))
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.5), squeeze=False)
    for ax, (title, df) in zip(axes[0], panels):
        for k in KINDS:
            ax.plot(df.index, positive(df[k]), color=KIND_COLOURS[k], lw=2, label=KIND_LABELS[k])
        ax.plot(df.index, positive(df["total"]), color="#000000", lw=1.5, ls="--", label="total")
        shade(ax, intervals)
        ax.set_yscale("log")
        ax.set_xlabel("time (days)")
        ax.set_ylabel("cells (count)")
        ax.set_title(title)
        ax.legend(loc="best")
    saver.save(fig, "population")

    # compartments.png
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, c in enumerate(comps):
        d = ts[ts["compartment"] == c].sort_values("day")
        ax.plot(d["day"], positive(d["total"]), color=colour(i), lw=2, label=c)
    shade(ax, intervals)
    ax.set_yscale("log")
    ax.set_xlabel("time (days)")
    ax.set_ylabel("total cells (count)")
    ax.set_title("cells per compartment")
    ax.legend(loc="best", ncol=2)
    saver.save(fig, "compartments")

    # csc_fraction.png
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    ax.plot(primary["day"], primary["csc_fraction"], color=colour(4), lw=2, label="primary")
    if has_met:
        frac = met_sum["csc"] / met_sum["total"].where(met_sum["total"] > 0)
        ax.plot(frac.index, frac, color=colour(5), lw=2, label="metastases (all organs)")
    shade(ax, intervals)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("CSC fraction (CSCs / all cells)")
    ax.set_title("cancer stem cell fraction")
    ax.set_ylim(bottom=0)
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
            ax.plot(primary["day"], values[col], color=col_c, lw=2, label=label)
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
            d = ts[ts["compartment"] == o].sort_values("day")
            ax.plot(d["day"], pd.to_numeric(d["niche_level"], errors="coerce"),
                    color=colour(i), lw=2, label=o)
        shade(ax, intervals)
        ax.set_xlabel("time (days)")
        ax.set_ylabel("niche level (dimensionless, 0–1)")
        ax.set_title("pre-metastatic niche per organ")
        ax.legend(loc="best")
        saver.save(fig, "niches")

    saver.report()


if __name__ == "__main__":
    main()
