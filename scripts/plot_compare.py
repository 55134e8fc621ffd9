#!/usr/bin/env python3
"""Plot a seedsoil scenario comparison (the folder written by `seedsoil compare -o DIR`).

Reads COMPARE_DIR/summary.csv, comparison.csv, time_to_event.csv, kaplan_meier.csv,
timeseries.csv and configs/<scenario>.toml and writes, into --out (default COMPARE_DIR/plots):
  endpoints.png           per scenario, every replicate's final total cells, CSC
                          fraction and metastatic cells (points; the same seed in
                          different scenarios, a paired replicate, joined by a thin
                          line; a bar at the median; box plots from 10 replicates on)
  paired_differences.png  per scenario and endpoint, the paired differences vs the
                          control (small points), their median and the interval of
                          comparison.csv (type 7 2.5-97.5 % quantiles of the n
                          differences), horizontal, scenario names on the y axis
  km_relapse.png          Kaplan-Meier curves of time to relapse per scenario, with
  km_detection.png        the pointwise 95 % log-log (Greenwood) band, censoring marks,
                          the medians of comparison.csv and a numbers-at-risk table;
                          "no events in any arm" (and curves offset) when nothing happened
  timecourse.png          total primary cells (+ 1, log) over time, one panel per
                          scenario: each replicate (thin) and the mean (thick), therapy
                          windows from configs/<scenario>.toml shaded (instant ones
                          dash-dotted)
A Kaplan-Meier plot is skipped when its event has no rows. The curves, bands and
medians are seedsoil compare's own (kaplan_meier.csv, comparison.csv): nothing is
estimated again here.

Example:
  python3 scripts/plot_compare.py runs/compare-arms --pdf
"""

import sys
import textwrap
import tomllib

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
    ("relapse", "km_relapse", "time to relapse (days after therapy start)", "relapse-free",
     "time_to_relapse_days"),
    ("detected_metastasis", "km_detection", "time to first detected metastasis (days)",
     "free of detected metastasis", "first_detection_day"),
]
BOX_MIN_N = 10


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


def wrap(name, width=16):
    return "\n".join(textwrap.wrap(str(name), width)) or str(name)


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
    saver = plotlib.Saver(out, args.pdf, args.input)

    sum_src = plotlib.require(args.input / "summary.csv")
    cmp_src = plotlib.require(args.input / "comparison.csv")
    tte_src = plotlib.require(args.input / "time_to_event.csv")
    summary = pd.read_csv(sum_src)
    comparison = pd.read_csv(cmp_src)
    tte = pd.read_csv(tte_src)
    km_src = plotlib.require(args.input / "kaplan_meier.csv")
    km = pd.read_csv(km_src)
    scenarios = list(dict.fromkeys(summary["scenario"]))
    control = args.control or ("control" if "control" in scenarios else scenarios[0])
    col_of = {s: colour(i) for i, s in enumerate(scenarios)}
    pos_of = {s: i for i, s in enumerate(scenarios)}
    seeds = list(dict.fromkeys(summary["seed"])) if "seed" in summary.columns else []
    paired = bool(seeds) and summary.groupby("seed")["scenario"].nunique().max() > 1

    # endpoints.png
    eps = [(e, lab) for e, lab in ENDPOINTS if e in summary.columns]
    fig, axes = plt.subplots(1, len(eps), figsize=(4.6 * len(eps), 5.0), squeeze=False)
    for ax, (e, lab) in zip(axes[0], eps):
        vals = pd.to_numeric(summary[e], errors="coerce")
        if paired:
            for seed in seeds:
                rows = summary[(summary["seed"] == seed) & vals.notna()]
                if len(rows) < 2:
                    continue
                (ln,) = ax.plot(rows["scenario"].map(pos_of), vals[rows.index], color="#888888",
                                lw=0.7, alpha=0.7, zorder=2)
                plotlib.track(fig, ln, y={"file": sum_src, "column": e, "where": {"seed": seed},
                                          "dropna": True})
        for i, s in enumerate(scenarios):
            d = vals[summary["scenario"] == s].dropna()
            if len(d) >= BOX_MIN_N:
                ax.boxplot([d.to_numpy()], positions=[i], widths=0.5, showfliers=False,
                           medianprops={"color": "#000000", "lw": 2})
            elif len(d):
                ax.plot([i - 0.22, i + 0.22], [d.median()] * 2, color="#000000", lw=2.5, zorder=4,
                        label="median" if (i == 0 and e == eps[0][0]) else None)
            h = ax.scatter(np.full(len(d), float(i)), d, color=col_of[s], s=40,
                           edgecolor="#000000", lw=0.5, zorder=3,
                           label=f"{s} (n = {len(d)})" if e == eps[0][0] else None)
            plotlib.track(fig, h, y={"file": sum_src, "column": e, "where": {"scenario": s},
                                     "dropna": True})
        ax.set_xticks(range(len(scenarios)), [wrap(s, 12) for s in scenarios])
        ax.set_xlim(-0.6, len(scenarios) - 0.4)
        ax.set_xlabel("scenario")
        ax.set_ylabel(lab)
        log_if_wide(ax, vals)
    axes[0][0].legend(loc="best", fontsize=9)
    pair_note = "; lines join the same seed (paired replicates)" if paired else ""
    box_note = f"; boxes from n ≥ {BOX_MIN_N}" if summary.groupby("scenario").size().max() >= BOX_MIN_N else ""
    fig.suptitle(f"final endpoints per scenario (points: replicates; bar: median{box_note}{pair_note})",
                 fontsize=11)
    saver.save(fig, "endpoints")

    # paired_differences.png
    others = [s for s in scenarios if s != control]
    cmp_eps = [(e, lab) for e, lab in ENDPOINTS if e in set(comparison["endpoint"])]
    if not others or not cmp_eps:
        saver.skip("paired_differences", "no scenario besides the control")
    else:
        fig, axes = plt.subplots(1, len(cmp_eps), figsize=(4.4 * len(cmp_eps) + 1.2,
                                                           0.7 * len(others) + 3.0),
                                 squeeze=False, sharey=True)
        ns = []
        for ax, (e, lab) in zip(axes[0], cmp_eps):
            rows = comparison[(comparison["endpoint"] == e) & comparison["scenario"].isin(others)]
            rows = rows.set_index("scenario").reindex(others)
            for i, s in enumerate(others):
                m, lo, hi, n = (pd.to_numeric(rows.loc[s, k], errors="coerce")
                                for k in ("diff_median", "diff_q025", "diff_q975", "diff_vs_control_n"))
                if paired:
                    a = summary[summary["scenario"] == s].set_index("seed")[e]
                    b = summary[summary["scenario"] == control].set_index("seed")[e]
                    diff = (pd.to_numeric(a, errors="coerce")
                            - pd.to_numeric(b, errors="coerce").reindex(a.index)).dropna()
                    ax.scatter(diff, np.full(len(diff), i + 0.18), s=14, color="#666666",
                               zorder=2, label="one pair" if (i == 0 and e == cmp_eps[0][0]) else None)
                if not np.isfinite(m):
                    continue
                ns.append(int(n) if np.isfinite(n) else 0)
                xerr = [[max(m - lo, 0) if np.isfinite(lo) else 0],
                        [max(hi - m, 0) if np.isfinite(hi) else 0]]
                cont = ax.errorbar(m, i, xerr=xerr, fmt="o", color=col_of[s], ms=8, capsize=5,
                                   lw=2, zorder=3)
                plotlib.track(fig, cont[0], x={"file": cmp_src, "column": "diff_median",
                                               "where": {"endpoint": e, "scenario": s}})
            ax.axvline(0, color="#000000", lw=1, ls="--")
            ax.set_yticks(range(len(others)), [wrap(s) for s in others])
            ax.set_ylim(-0.6, len(others) - 0.4)
            ax.set_xlabel(f"Δ {lab}\n(scenario − {control}, same seed)", fontsize=10)
            ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        axes[0][0].set_ylabel("scenario")
        if paired:
            axes[0][0].legend(loc="best", fontsize=9)
        n_txt = (f"n = {min(ns)}" if ns and min(ns) == max(ns) else
                 f"n = {min(ns)}–{max(ns)}" if ns else "")
        fig.suptitle(f"paired difference vs {control}: median (dot) and 2.5–97.5 % quantiles "
                     f"of the {n_txt} paired differences (bar)", fontsize=11)
        saver.save(fig, "paired_differences")

    # Kaplan-Meier curves
    for event, name, xlabel, ylabel, endpoint in KM:
        d = tte[tte["event"] == event]
        if d.empty:
            saver.skip(name, f"no {event} rows in time_to_event.csv")
            continue
        arms = [s for s in scenarios if (d["scenario"] == s).any()]
        any_events = bool((d["observed"] > 0).any())
        fig, (ax, tax) = plt.subplots(2, 1, figsize=(8.0, 5.2 + 0.28 * len(arms)), sharex=True,
                                      gridspec_kw={"height_ratios": [4, 0.45 + 0.28 * len(arms)]})
        tmax = float(d["time_days"].max())
        meds = comparison[comparison["endpoint"] == endpoint].set_index("scenario")
        for k, s in enumerate(arms):
            ds = d[d["scenario"] == s]
            t = ds["time_days"].to_numpy(float)
            o = ds["observed"].to_numpy() > 0
            # The curve as seedsoil compare estimated it (kaplan_meier.csv): a start row at
            # day 0, then (time, at_risk, events, S, lower, upper) per event time.
            curve = km[(km["event"] == event) & (km["scenario"] == s)].sort_values("time_days")
            steps = list(curve[["time_days", "at_risk", "events", "survival", "lower",
                                "upper"]].itertuples(index=False, name=None))[1:]
            off = 0.0 if any_events else -0.015 * k
            xs = [0.0] + [st[0] for st in steps] + [max(t.max(), steps[-1][0] if steps else 0)]
            ys = [1.0] + [st[3] for st in steps]
            ys.append(ys[-1])
            lo = [1.0] + [st[4] for st in steps]
            lo.append(lo[-1])
            hi = [1.0] + [st[5] for st in steps]
            hi.append(hi[-1])
            c = col_of[s]
            ls = ["-", "--", ":", "-."][k % 4]
            (ln,) = ax.step(xs, np.array(ys) + off, where="post", color=c, lw=2.4 - 0.3 * (k % 4),
                            ls=ls,
                            label=f"{s} (n = {len(ds)}, events = {int(o.sum())})")
            plotlib.track(fig, ln, x={"file": tte_src, "column": "time_days",
                                      "where": {"event": event, "scenario": s},
                                      "mode": "subset", "extra": [0.0]},
                          y={"file": km_src, "column": "survival",
                             "where": {"event": event, "scenario": s},
                             "offset": off, "mode": "subset"})
            if steps:
                ax.fill_between(xs, lo, hi, step="post", color=c, alpha=0.15, lw=0)
            # censoring marks at S just after each censored time
            for tc in t[~o]:
                sc = ([1.0] + [st[3] for st in steps if st[0] <= tc])[-1]
                ax.plot([tc], [sc + off], "|", color=c, ms=12, mew=2)
            # the median as comparison.csv gives it (from the same curve)
            med = None
            if s in meds.index:
                rmed = pd.to_numeric(meds.loc[s, "median"], errors="coerce")
                med = float(rmed) if np.isfinite(rmed) else None
            if med is not None:
                ax.plot([med, med], [0, 0.5], color=c, lw=1, ls=":")
        if not any_events:
            ax.text(0.5, 0.45, "no events in any arm", transform=ax.transAxes, ha="center",
                    va="center", fontsize=14, color="#444444",
                    bbox={"facecolor": "white", "edgecolor": "#999999"})
        ax.set_ylim(-0.03, 1.05)
        ax.set_xlim(-0.01 * max(tmax, 1), max(tmax, 1) * 1.02)
        ax.set_ylabel(f"fraction {ylabel}")
        band = "shaded: pointwise 95 % log–log band (Greenwood)"
        if len(arms) > 1:
            band += "\narms solid, dashed, dotted… so that equal curves stay visible"
        offs = "; curves offset by −0.015 per arm" if not any_events else ""
        ax.set_title(f"Kaplan–Meier: {event.replace('_', ' ')}\n| = censored; dotted: median; "
                     f"{band}{offs}", fontsize=10)
        ax.legend(loc="lower left", fontsize=9)
        # numbers at risk
        ticks = [x for x in ax.get_xticks() if 0 <= x <= tmax * 1.02]
        tax.set_ylim(-0.5, len(arms) - 0.5)
        tax.set_yticks(range(len(arms)), list(reversed(arms)), fontsize=9)
        for k, s in enumerate(arms):
            ts = d.loc[d["scenario"] == s, "time_days"].to_numpy(float)
            for x in ticks:
                tax.text(x, len(arms) - 1 - k, str(int((ts >= x).sum())), ha="center",
                         va="center", fontsize=9, color=col_of[s])
        tax.grid(False)
        for sp in ("top", "right", "left"):
            tax.spines[sp].set_visible(False)
        tax.tick_params(axis="y", length=0)
        tax.set_title("number at risk", fontsize=9, loc="left")
        tax.set_xlabel(xlabel)
        ax.set_xticks(ticks)
        saver.save(fig, name)

    # timecourse.png
    ts_path = args.input / "timeseries.csv"
    if not ts_path.is_file():
        saver.skip("timecourse", "no timeseries.csv")
    else:
        ts = pd.read_csv(ts_path)
        prim = ts[ts["compartment"] == "primary"].copy()
        prim["day"] = prim["time_h"] / 24.0
        n = len(scenarios)
        ncol = min(n, 3)
        nrow = (n + ncol - 1) // ncol
        fig, axes = plt.subplots(nrow, ncol, figsize=(5.0 * ncol, 3.9 * nrow), squeeze=False,
                                 sharex=True, sharey=True)
        for k, s in enumerate(scenarios):
            ax = axes[k // ncol][k % ncol]
            ps = prim[prim["scenario"] == s]
            where = {"scenario": s, "compartment": "primary"}
            for r in sorted(ps["replicate"].unique()):
                pr = ps[ps["replicate"] == r]
                (ln,) = ax.plot(pr["day"], pr["total"] + 1, color=col_of[s], lw=0.8, alpha=0.5,
                                label="replicates" if r == ps["replicate"].min() else None)
                plotlib.track(fig, ln,
                              x={"file": ts_path, "column": "time_h", "where": {**where, "replicate": int(r)},
                                 "scale": 1 / 24},
                              y={"file": ts_path, "column": "total", "where": {**where, "replicate": int(r)},
                                 "offset": 1})
            mean = ps.groupby("time_h")["total"].mean()
            (ln,) = ax.plot(mean.index / 24.0, mean + 1, color="#000000", lw=2,
                            label=f"mean of {ps['replicate'].nunique()}")
            plotlib.track(fig, ln,
                          x={"file": ts_path, "column": "time_h", "where": where,
                             "agg": {"by": "time_h", "how": "min"}, "scale": 1 / 24},
                          y={"file": ts_path, "column": "total", "where": where,
                             "agg": {"by": "time_h", "how": "mean"}, "offset": 1})
            cfg = {}
            try:
                with open(args.input / "configs" / f"{s}.toml", "rb") as f:
                    cfg = tomllib.load(f)
            except (OSError, tomllib.TOMLDecodeError):
                pass
            windows = plotlib.therapy_windows(cfg, until=float(ps["day"].max())) if cfg else plotlib.therapy_intervals(
                ps[ps["replicate"] == ps["replicate"].min()])
            plotlib.shade(ax, windows)
            ax.set_yscale("log")
            ax.set_title(s)
            ax.legend(loc="upper left", fontsize=8)
            if k % ncol == 0:
                ax.set_ylabel("primary cells + 1 (log)")
            if k // ncol == nrow - 1:
                ax.set_xlabel("time (days)")
        for k in range(n, nrow * ncol):
            axes[k // ncol][k % ncol].axis("off")
        fig.suptitle("total primary cells per scenario: replicates (thin) and mean (thick)",
                     fontsize=11)
        saver.save(fig, "timecourse")

    saver.report()


if __name__ == "__main__":
    main()
