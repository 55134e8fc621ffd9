#!/usr/bin/env python3
"""Plot a seedsoil scenario comparison (the folder written by `seedsoil compare -o DIR`).

Reads COMPARE_DIR/summary.csv, comparison.csv and time_to_event.csv and writes, into
--out (default COMPARE_DIR/plots):
  endpoints.png           per-scenario distributions (box plot and replicate points) of
                          the final total cells, CSC fraction and metastatic cells
  paired_differences.png  median paired difference vs the control with its 2.5-97.5 %
                          interval (error bars), per scenario and endpoint
  km_relapse.png          Kaplan-Meier curves of time to relapse, per scenario
  km_detection.png        Kaplan-Meier curves of time to the first detected metastasis
A Kaplan-Meier plot is skipped when its event has no rows.

Example:
  python3 scripts/plot_compare.py runs/compare-arms --pdf
"""

import numpy as np
import pandas as pd

import plotlib
from plotlib import colour, plt

ENDPOINTS = [
    ("total", "final total cells (count)"),
    ("csc_fraction", "final CSC fraction (CSCs / all cells)"),
    ("metastatic_cells", "final metastatic cells (count)"),
]
KM = [
    ("relapse", "km_relapse", "time to relapse (days after therapy start)", "relapse-free"),
    ("detected_metastasis", "km_detection", "time to first detected metastasis (days)",
     "free of detected metastasis"),
]


def kaplan_meier(times, observed):
    """Step-function points (t, S(t)) of the Kaplan-Meier estimator, and censor marks."""
    order = np.argsort(times, kind="stable")
    t = np.asarray(times, dtype=float)[order]
    o = np.asarray(observed, dtype=bool)[order]
    xs, ys = [0.0], [1.0]
    s = 1.0
    at_risk = len(t)
    censored = []
    for u in np.unique(t):
        here = t == u
        d = int((here & o).sum())
        c = int((here & ~o).sum())
        if d:
            s *= 1.0 - d / at_risk
            xs.append(u)
            ys.append(s)
        if c:
            censored.append((u, s))
        at_risk -= d + c
    return np.array(xs), np.array(ys), censored, (t.max() if len(t) else 0.0)


def log_if_wide(ax, values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size and (v > 0).all() and v.max() / v.min() > 50:
        ax.set_yscale("log")
        ax.set_ylim(v.min() / 2, v.max() * 2)
    elif v.size and (v >= 0).all() and v.max() > 0 and (v > 0).any():
        pos = v[v > 0]
        if pos.max() / pos.min() > 50:
            ax.set_yscale("symlog", linthresh=max(pos.min(), 1e-12))
            ax.set_ylim(bottom=0, top=v.max() * 2)


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0],
                       "comparison folder with summary.csv, comparison.csv, time_to_event.csv")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    p.add_argument("--control", default=None,
                   help="name of the control scenario (default: 'control' if present, "
                        "else the first scenario)")
    args = p.parse_args()
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf)

    summary = pd.read_csv(plotlib.require(args.input / "summary.csv"))
    comparison = pd.read_csv(plotlib.require(args.input / "comparison.csv"))
    tte = pd.read_csv(plotlib.require(args.input / "time_to_event.csv"))
    scenarios = list(dict.fromkeys(summary["scenario"]))
    control = args.control or ("control" if "control" in scenarios else scenarios[0])
    col_of = {s: colour(i) for i, s in enumerate(scenarios)}
    rng = np.random.default_rng(0)

    # endpoints.png
    eps = [(e, l) for e, l in ENDPOINTS if e in summary.columns]
    fig, axes = plt.subplots(1, len(eps), figsize=(4.6 * len(eps), 4.8), squeeze=False)
    for ax, (e, lab) in zip(axes[0], eps):
        data = [pd.to_numeric(summary.loc[summary["scenario"] == s, e], errors="coerce")
                .dropna().to_numpy() for s in scenarios]
        ax.boxplot(data, positions=range(len(scenarios)), widths=0.5, showfliers=False,
                   medianprops={"color": "#000000", "lw": 2})
        for i, (s, d) in enumerate(zip(scenarios, data)):
            ax.scatter(i + rng.uniform(-0.12, 0.12, len(d)), d, color=col_of[s], s=36,
                       edgecolor="#000000", lw=0.5, zorder=3,
                       label=s if e == eps[0][0] else None)
        ax.set_xticks(range(len(scenarios)), scenarios, rotation=20)
        ax.set_xlabel("scenario")
        ax.set_ylabel(lab)
        log_if_wide(ax, np.concatenate(data) if data else [])
    axes[0][0].legend(loc="best", title="replicates")
    fig.suptitle("final endpoints per scenario (box: quartiles; points: replicates)")
    saver.save(fig, "endpoints")

    # paired_differences.png
    others = [s for s in scenarios if s != control]
    cmp_eps = [(e, l) for e, l in ENDPOINTS if e in set(comparison["endpoint"])]
    if not others or not cmp_eps:
        saver.skip("paired_differences", "no scenario besides the control")
    else:
        fig, axes = plt.subplots(1, len(cmp_eps), figsize=(4.6 * len(cmp_eps), 0.6 * len(others) + 3.4),
                                 squeeze=False)
        for ax, (e, lab) in zip(axes[0], cmp_eps):
            rows = comparison[(comparison["endpoint"] == e) & comparison["scenario"].isin(others)]
            rows = rows.set_index("scenario").reindex(others)
            for i, s in enumerate(others):
                m, lo, hi = (pd.to_numeric(rows.loc[s, k], errors="coerce")
                             for k in ("diff_median", "diff_q025", "diff_q975"))
                if not np.isfinite(m):
                    continue
                xerr = [[max(m - lo, 0) if np.isfinite(lo) else 0],
                        [max(hi - m, 0) if np.isfinite(hi) else 0]]
                ax.errorbar(m, i, xerr=xerr, fmt="o", color=col_of[s], ms=8, capsize=5, lw=2,
                            label=s)
            ax.axvline(0, color="#000000", lw=1, ls="--")
            ax.set_yticks(range(len(others)), others)
            ax.set_ylim(-0.6, len(others) - 0.4)
            ax.set_ylabel("scenario")
            ax.set_xlabel(f"Δ {lab}\n(scenario − {control}, paired)")
        fig.suptitle(f"paired difference vs {control}: median and 2.5–97.5 % interval")
        saver.save(fig, "paired_differences")

    # Kaplan-Meier curves
    for event, name, xlabel, ylabel in KM:
        d = tte[tte["event"] == event]
        if d.empty:
            saver.skip(name, f"no {event} rows in time_to_event.csv")
            continue
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        for s in scenarios:
            ds = d[d["scenario"] == s]
            if ds.empty:
                continue
            xs, ys, cens, tmax = kaplan_meier(ds["time_days"].to_numpy(),
                                              ds["observed"].to_numpy() > 0)
            xs = np.append(xs, max(tmax, xs[-1]))
            ys = np.append(ys, ys[-1])
            ax.step(xs, ys, where="post", color=col_of[s], lw=2,
                    label=f"{s} (n = {len(ds)}, events = {int((ds['observed'] > 0).sum())})")
            if cens:
                cx, cy = zip(*cens)
                ax.plot(cx, cy, "|", color=col_of[s], ms=12, mew=2)
        ax.set_ylim(-0.03, 1.05)
        ax.set_xlim(left=0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"fraction {ylabel}")
        ax.set_title(f"Kaplan–Meier: {event.replace('_', ' ')} (| = censored)")
        ax.legend(loc="best")
        saver.save(fig, name)

    saver.report()


if __name__ == "__main__":
    main()
