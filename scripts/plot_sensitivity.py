#!/usr/bin/env python3
"""Plot the sensitivity indices of a seedsoil sweep (the sensitivity.csv of `seedsoil sensitivity SWEEP_DIR`).

Reads SWEEP_DIR/sensitivity.csv (run `seedsoil sensitivity SWEEP_DIR` first) and
SWEEP_DIR/sweep.toml (its `design`, `trajectories`, `samples`). Tick and legend labels
give each parameter's symbol and unit from `seedsoil params --format json` (the binary in
$SEEDSOIL, else `seedsoil` on PATH; the bare key without one). Error bars are the 95 %
bootstrap intervals of sensitivity.csv (none when its ci_low, ci_high are empty, e.g.
with --bootstrap 0); a point is the estimate. Writes, into --out (default
SWEEP_DIR/plots), for every output O of sensitivity.csv (--outputs, default all):
  morris design:
  morris_<O>.png  the μ*–σ plane: one point per parameter (μ*, the mean absolute
                  elementary effect, against σ, their standard deviation; effects per
                  unit of each parameter's scaled range), each with its own colour and
                  marker (the markers o, s, ^, D, ... change when the colours repeat),
                  with the lines σ/μ* = 0.1, 0.5 and 1.0 that split it into linear,
                  monotonic, almost monotonic and non-linear or non-monotonic effects
                  (Garcia Sanchez et al. 2014). Points are labelled with their symbol,
                  largest μ* first, where the label overlaps no other label, point or
                  line name and is nearest its own point; the legend names them all
                  (and says how many are labelled when some are not)
  sobol design:
  sobol_<O>.png   first-order S1 and total-order ST indices, a pair of horizontal bars
                  per parameter (S1 above ST), parameters ranked by ST from the top
                  (S2 is not drawn)
  any design (every sweep has PRCC rows):
  prcc_<O>.png    partial rank correlation per parameter as horizontal bars (a tornado
                  chart), ranked by |PRCC| from the top, x from −1 to 1 with the zero
                  line: solid bars and a ★ right of the axes for p < 0.05, hatched bars
                  for p ≥ 0.05
The bar charts have one row per parameter (symbol and unit, then the key) and grow in
height with the number of parameters. Every title gives the stochastic share of O (the
variance between the replicates of a point over the total variance) when
sensitivity.csv has it (2 or more replicates). A figure whose indices are all undefined
(an output that does not vary) is skipped. A folder that is not a sweep, or a sweep
without sensitivity.csv, is refused (exit 2).

Example:
  seedsoil sensitivity runs/screen --bootstrap 200
  python3 scripts/plot_sensitivity.py runs/screen --outputs total
"""

import sys
import tomllib

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

import plotlib
from plot_sweep import label
from plotlib import colour, plt

#: The σ/μ* lines of Garcia Sanchez et al. (2014) and the regions they bound.
MORRIS_RATIOS = [0.1, 0.5, 1.0]
MORRIS_REGIONS = ["linear", "monotonic", "almost monotonic", "non-linear or non-monotonic"]
#: Significance level of the PRCC marks.
ALPHA = 0.05
S1_COLOUR, ST_COLOUR = plotlib.OKABE_ITO[1], plotlib.OKABE_ITO[4]
POS_COLOUR, NEG_COLOUR = plotlib.OKABE_ITO[4], plotlib.OKABE_ITO[5]
#: Marker shapes of the Morris points, the next one each time the colours repeat.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h"]
#: Where a Morris point's label may go, in order: (dx, dy) in points, ha, va.
LABEL_SPOTS = [(6, 5, "left", "bottom"), (7, 0, "left", "center"), (6, -5, "left", "top"),
               (-6, 5, "right", "bottom"), (-7, 0, "right", "center"), (-6, -5, "right", "top")]


def refuse(folder):
    """Exit 2 unless `folder` is a sweep folder holding sensitivity.csv."""
    if not (folder / "sweep.toml").is_file():
        if (folder / "compare.toml").is_file():
            what = "a comparison (compare.toml)"
        elif (folder / "timeseries.csv").is_file():
            what = "one run"
        else:
            what = "not a sweep folder"
        what = what if what.startswith("not") else f"{what}, not a sweep folder"
        print(f"error: {folder} is {what}: no sweep.toml (sensitivity indices come from "
              f"`seedsoil sweep FILE -o DIR` then `seedsoil sensitivity DIR`)", file=sys.stderr)
        sys.exit(2)
    if not (folder / "sensitivity.csv").is_file():
        print(f"error: {folder / 'sensitivity.csv'} not found: run `seedsoil sensitivity {folder}` "
              "first", file=sys.stderr)
        sys.exit(2)


def read_sweep(folder):
    try:
        with open(folder / "sweep.toml", "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"error: cannot read {folder / 'sweep.toml'}: {e}", file=sys.stderr)
        sys.exit(2)


def short(lab):
    """The symbol (or key) of a param_labels() label."""
    return lab.split(" — ")[0].split(" (")[0]


def tick(lab):
    """A param_labels() label on two lines: symbol (unit), then the key."""
    return lab.replace(" — ", "\n")


class Table:
    """The rows of one output of sensitivity.csv."""

    def __init__(self, df, src, output):
        self.df = df[df["output"] == output]
        self.src = src
        self.output = output

    def rows(self, index):
        """{parameter: (estimate, ci_low, ci_high)} in file order."""
        d = self.df[self.df["index"] == index]
        return {p: (e, lo, hi) for p, e, lo, hi in
                zip(d["parameter"], d["estimate"], d["ci_low"], d["ci_high"])}

    def spec(self, index, parameter, column="estimate"):
        return {"file": self.src, "column": column,
                "where": {"output": self.output, "index": index, "parameter": parameter}}

    def share(self):
        r = self.rows("stochastic_share")
        v = r.get("(seed)", (np.nan,))[0]
        return float(v) if np.isfinite(v) else None


def share_note(t):
    s = t.share()
    return "" if s is None else f"; stochastic share of the variance {s:.3g}"


def ci_caps(fig, ax, t, index, p, pos, lo, hi, horizontal=False, at=None, c="#000000"):
    """Whisker from lo to hi at `pos` (x for vertical, y for horizontal), with tracked
    caps at the CI ends (ci_low, ci_high of sensitivity.csv); nothing without a CI."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if horizontal:
        ax.hlines(pos, lo, hi, color=c, lw=1.3, zorder=3)
        for col, v in (("ci_low", lo), ("ci_high", hi)):
            (cap,) = ax.plot([v], [pos], ls="none", marker="|", ms=8, mew=1.3, color=c, zorder=3,
                             label=f"{col}: {p}")
            src = {"x": t.spec(index, p, col)}
            if at is not None:
                src["y"] = at
            plotlib.track(fig, cap, **src)
    else:
        ax.vlines(pos, lo, hi, color=c, lw=1.3, zorder=3)
        for col, v in (("ci_low", lo), ("ci_high", hi)):
            (cap,) = ax.plot([pos], [v], ls="none", marker="_", ms=8, mew=1.3, color=c, zorder=3,
                             label=f"{col}: {p}")
            plotlib.track(fig, cap, y=t.spec(index, p, col))
    return True


def region_point(slope, xmax, ymax, frac=0.93):
    """Where the ray y = slope·x leaves the box [0, xmax] × [0, ymax], pulled inwards."""
    if slope * xmax <= ymax:
        return frac * xmax, frac * slope * xmax
    return frac * ymax / slope, frac * ymax


def point_style(i):
    """The (colour, marker) of the i-th parameter: the colours in turn, then again with
    the next marker, so no two of the first len(LINE_COLOURS) × len(MARKERS) share both."""
    n = len(plotlib.LINE_COLOURS)
    return colour(i), MARKERS[(i // n) % len(MARKERS)]


def place_labels(fig, saver, ax, points, obstacles, ms):
    """Label the points [(x, y, text)], in the given order, each at the first of
    LABEL_SPOTS where its text stays inside the axes, overlaps no earlier label, no point
    (of diameter `ms` pt) and no artist of `obstacles`, and is nearer to its own point
    than to any other; a point with no such spot is left unlabelled (the legend names
    it). The number labelled."""
    saver.layout(fig)  # the layout of the saved figure, so extents on screen hold
    r = fig.canvas.get_renderer()
    box = ax.get_window_extent(r)
    rad = ms / 2 * fig.dpi / 72
    taken = [o.get_window_extent(r).padded(2) for o in obstacles]
    centres = [ax.transData.transform((x, y)) for x, y, _ in points]
    for px, py in centres:
        taken.append(Bbox.from_extents(px - rad, py - rad, px + rad, py + rad))

    def gap(bb, c):
        return np.hypot(max(bb.x0 - c[0], 0, c[0] - bb.x1), max(bb.y0 - c[1], 0, c[1] - bb.y1))

    placed = 0
    for k, (x, y, text) in enumerate(points):
        for dx, dy, ha, va in LABEL_SPOTS:
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                              ha=ha, va=va, fontsize=10, zorder=5,
                              bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none",
                                    "alpha": 0.75})
            bb = ann.get_window_extent(r).padded(2)
            inside = (bb.x0 >= box.x0 and bb.x1 <= box.x1 and bb.y0 >= box.y0 and bb.y1 <= box.y1)
            # no other point nearer to the label than its own (it would read as that one's)
            own = gap(bb, centres[k])
            clear = all(gap(bb, c) > own + rad for j, c in enumerate(centres) if j != k)
            if inside and clear and not any(bb.overlaps(o) for o in taken):
                taken.append(bb)
                placed += 1
                break
            ann.remove()
    return placed


def plot_morris(saver, t, plabel, sweep):
    mu_star, sigma = t.rows("mu_star"), t.rows("sigma")
    params = [p for p in mu_star if p in sigma
              and np.isfinite(mu_star[p][0]) and np.isfinite(sigma[p][0])]
    name = f"morris_{t.output}"
    if not params:
        saver.skip(name, f"no finite μ*, σ for {t.output}")
        return
    if all(mu_star[p][0] == 0 and sigma[p][0] == 0 for p in params):
        saver.skip(name, f"{t.output} does not vary (μ* = σ = 0 for every parameter)")
        return
    fig, ax = plt.subplots(figsize=(10.5, 6.0))
    with_ci = False
    ms = 9.0
    for i, p in enumerate(params):
        m, mlo, mhi = mu_star[p]
        s, slo, shi = sigma[p]
        c, mk = point_style(i)
        if ci_caps(fig, ax, t, "mu_star", p, s, mlo, mhi, horizontal=True, at=t.spec("sigma", p), c=c):
            with_ci = True
        if ci_caps(fig, ax, t, "sigma", p, m, slo, shi, c=c):
            with_ci = True
        (h,) = ax.plot([m], [s], ls="none", marker=mk, ms=ms, color=c, mfc=c, mec="#000000",
                       mew=0.7, zorder=4, label=plabel[p])
        plotlib.track(fig, h, x=t.spec("mu_star", p), y=t.spec("sigma", p))
    vals = [v for p in params for k in (mu_star[p], sigma[p]) for v in k if np.isfinite(v)]
    xs = [v for p in params for v in mu_star[p] if np.isfinite(v)]
    ys = [v for p in params for v in sigma[p] if np.isfinite(v)]
    xmax = max(xs) * 1.15 if max(xs) > 0 else max(vals) or 1.0
    ymax = max(ys) * 1.15 if max(ys) > 0 else max(vals) or 1.0
    names = []
    # the reference lines σ/μ* = k, from the origin out of the box
    for k, ls in zip(MORRIS_RATIOS, [":", "--", "-."]):
        x_end = min(xmax, ymax / k)
        ax.plot([0, x_end], [0, k * x_end], color="#555555", lw=1.0, ls=ls, zorder=1,
                label=f"σ/μ* = {k:.1f}")
        # its name where it leaves the box, inside
        if k * xmax <= ymax:
            tx, ty, va = 0.99 * xmax, 0.99 * k * xmax, "bottom"
        else:
            tx, ty, va = 0.97 * ymax / k - 0.015 * xmax, 0.98 * ymax, "top"
        names.append(ax.text(tx, ty, f"σ/μ* = {k:.1f}", ha="right", va=va, fontsize=8.5,
                             color="#555555"))
    # the region names, each on the bisecting ray of its wedge
    bounds = [0.0] + MORRIS_RATIOS + [np.inf]
    for (a, b), name_r in zip(zip(bounds[:-1], bounds[1:]), MORRIS_REGIONS):
        slope = (a * 0.3 + 0.03 if a == 0 else (np.sqrt(a * b) if np.isfinite(b) else 3 * a))
        tx, ty = region_point(slope, xmax, ymax, frac=0.8)
        names.append(ax.text(tx, ty, name_r, ha="center", va="center", fontsize=9, style="italic",
                             color="#777777", zorder=2))
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.set_xlabel(f"μ* (mean |elementary effect|) of {label(t.output)}\nper unit of scaled range")
    ax.set_ylabel(f"σ (s.d. of the elementary effects)\nof {label(t.output)}")
    r = sweep.get("trajectories", "?")
    ci = "; bars: 95 % bootstrap CI" if with_ci else ""
    ax.set_title(f"Morris screening of {t.output} ({r} trajectories{ci})\n"
                 f"σ/μ* lines after Garcia Sanchez et al. 2014{share_note(t)}", fontsize=11)
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels) if not lab.startswith("ci_")]
    ax.legend(*zip(*keep), loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5)
    # point labels, the largest μ* first, where they overlap nothing
    ranked = sorted(params, key=lambda p: -mu_star[p][0])
    n = place_labels(fig, saver, ax, [(mu_star[p][0], sigma[p][0], short(plabel[p])) for p in ranked],
                     names, ms)
    if n < len(params):
        ax.get_legend().set_title(f"{n} of {len(params)} points labelled", prop={"size": 8.5})
    saver.save(fig, name)


def rank_axis(ax, params, plabel, what):
    """Parameters on the y axis, one per row, the first at the top."""
    ax.set_yticks(range(len(params)), [tick(plabel[p]) for p in params], fontsize=9)
    ax.set_ylim(len(params) - 0.4, -0.6)
    ax.grid(False, axis="y")
    ax.set_ylabel(f"parameter, ranked by {what}\n(largest at the top)")


def bars_height(n, per):
    """Figure height (in) for n parameter rows of `per` inches."""
    return max(4.0, per * n + 2.2)


def plot_sobol(saver, t, plabel, sweep):
    s1, st = t.rows("S1"), t.rows("ST")
    params = [p for p in st if p in s1 and (np.isfinite(st[p][0]) or np.isfinite(s1[p][0]))]
    name = f"sobol_{t.output}"
    if not params:
        saver.skip(name, f"no finite S1, ST for {t.output}")
        return
    params.sort(key=lambda p: -st[p][0] if np.isfinite(st[p][0]) else np.inf)
    fig, ax = plt.subplots(figsize=(10.0, bars_height(len(params), 0.62)))
    width = 0.38
    with_ci = False
    # S1 above ST in each row (the y axis runs downwards)
    for idx, rows, off, c in (("S1", s1, -width / 2, S1_COLOUR), ("ST", st, width / 2, ST_COLOUR)):
        for i, p in enumerate(params):
            e, lo, hi = rows[p]
            if not np.isfinite(e):
                continue
            ax.barh([i + off], [e], height=width, color=c, edgecolor="#000000", lw=0.6, zorder=2)
            if ci_caps(fig, ax, t, idx, p, i + off, lo, hi, horizontal=True):
                with_ci = True
            (pt,) = ax.plot([e], [i + off], ls="none", marker="o", ms=4, color="#000000", zorder=4,
                            label=f"{idx}: {plabel[p]}")
            plotlib.track(fig, pt, x=t.spec(idx, p))
    ax.axvline(0, color="#000000", lw=0.8, zorder=1)
    rank_axis(ax, params, plabel, "ST")
    vals = [v for p in params for r in (s1[p], st[p]) for v in r if np.isfinite(v)]
    ax.set_xlim(min(0.0, min(vals)) - 0.05, max(1.0, max(vals)) + 0.05)
    ax.set_xlabel(f"Sobol' index of {label(t.output)} (share of its variance)")
    ax.legend(handles=[Patch(facecolor=S1_COLOUR, edgecolor="#000000", label="S1 (first order)"),
                       Patch(facecolor=ST_COLOUR, edgecolor="#000000", label="ST (total order)")],
              loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5)
    n = sweep.get("samples", "?")
    total_s1 = sum(s1[p][0] for p in params if np.isfinite(s1[p][0]))
    ci = "; bars: 95 % bootstrap CI" if with_ci else ""
    ax.set_title(f"Sobol' indices of {t.output} (N = {n} base samples{ci})\n"
                 f"ΣS1 = {total_s1:.3g}; ST − S1: interactions{share_note(t)}", fontsize=11)
    saver.save(fig, name)


def plot_prcc(saver, t, plabel, sweep):
    est, pv = t.rows("prcc"), t.rows("prcc_p_value")
    params = [p for p in est if np.isfinite(est[p][0])]
    name = f"prcc_{t.output}"
    if not params:
        saver.skip(name, f"PRCC undefined for {t.output} (it does not vary)")
        return
    params.sort(key=lambda p: -abs(est[p][0]))
    fig, ax = plt.subplots(figsize=(10.0, bars_height(len(params), 0.48)))
    with_ci = False
    n_sig = 0
    for i, p in enumerate(params):
        e, lo, hi = est[p]
        pval = pv.get(p, (np.nan,))[0]
        sig = bool(np.isfinite(pval) and pval < ALPHA)
        n_sig += sig
        c = POS_COLOUR if e >= 0 else NEG_COLOUR
        ax.barh([i], [e], height=0.6, color=c if sig else "white", edgecolor=c,
                hatch=None if sig else "///", lw=1.5, zorder=2)
        if ci_caps(fig, ax, t, "prcc", p, i, lo, hi, horizontal=True):
            with_ci = True
        ptxt = f"p = {pval:.2g}" if np.isfinite(pval) else "p undefined"
        (pt,) = ax.plot([e], [i], ls="none", marker="o", ms=4, color="#000000", zorder=4,
                        label=f"PRCC: {plabel[p]}; {ptxt}")
        plotlib.track(fig, pt, x=t.spec("prcc", p))
        if sig:
            # a star right of the axes, on the bar's row (clear of bars and intervals)
            ax.plot([1.025], [i], ls="none", marker="*", ms=13, color="#000000", clip_on=False,
                    transform=ax.get_yaxis_transform(), zorder=5, label=f"p < {ALPHA}: {p}")
    ax.axvline(0, color="#000000", lw=1.0, zorder=3, label="zero")
    rank_axis(ax, params, plabel, "|PRCC|")
    ax.set_xlim(-1.0, 1.0)
    ax.set_xlabel(f"PRCC with {label(t.output)}")
    ax.legend(handles=[Patch(facecolor="#888888", edgecolor="#888888", label=f"p < {ALPHA} (★)"),
                       Patch(facecolor="white", edgecolor="#888888", hatch="///",
                             label=f"p ≥ {ALPHA}"),
                       Patch(facecolor=POS_COLOUR, label="positive"),
                       Patch(facecolor=NEG_COLOUR, label="negative")],
              loc="upper left", bbox_to_anchor=(1.06, 1.0), fontsize=8.5)
    design = sweep.get("design", "grid")
    ci = "; bars: 95 % bootstrap CI" if with_ci else ""
    ax.set_title(f"partial rank correlation of {t.output} ({design} design; {n_sig} of "
                 f"{len(params)} with p < {ALPHA})\n{ci[2:] or 'no bootstrap CI'}{share_note(t)}",
                 fontsize=11)
    saver.save(fig, name)


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "sweep folder containing sensitivity.csv")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    p.add_argument("--outputs", default=None,
                   help="comma-separated outputs of sensitivity.csv to plot (default: all)")
    args = p.parse_args()
    refuse(args.input)
    sweep = read_sweep(args.input)
    src = args.input / "sensitivity.csv"
    df = pd.read_csv(src, keep_default_na=False, na_values=["", "NaN", "nan"])
    need = ["output", "parameter", "index", "estimate", "ci_low", "ci_high"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        sys.exit(f"error: {src} has no column {', '.join(missing)}")
    for c in ("estimate", "ci_low", "ci_high"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    outputs = list(dict.fromkeys(df["output"]))
    if args.outputs:
        want = [o.strip() for o in args.outputs.split(",") if o.strip()]
        for o in want:
            if o not in outputs:
                sys.exit(f"error: output {o!r} is not in {src} (it has {', '.join(outputs)})")
        outputs = want
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf, args.input)
    design = str(sweep.get("design", "grid"))
    params = [q for q in dict.fromkeys(df["parameter"]) if q != "(seed)" and " × " not in q]
    plabel = plotlib.param_labels(params)
    print(f"design {design}; outputs {', '.join(outputs)}", file=sys.stderr)
    for o in outputs:
        t = Table(df, src, o)
        idx = set(t.df["index"])
        if design == "morris" or {"mu_star", "sigma"} <= idx:
            plot_morris(saver, t, plabel, sweep)
        if design == "sobol" or {"S1", "ST"} <= idx:
            plot_sobol(saver, t, plabel, sweep)
        if "prcc" in idx:
            plot_prcc(saver, t, plabel, sweep)
        else:
            saver.skip(f"prcc_{o}", "no prcc rows in sensitivity.csv")
    saver.report()


if __name__ == "__main__":
    main()
