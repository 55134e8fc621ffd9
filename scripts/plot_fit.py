#!/usr/bin/env python3
"""Plot an ABC-SMC calibration (the folder written by `seedsoil fit FILE -o FIT_DIR`).

Reads FIT_DIR/fit.toml (the [[param]] priors and the settings), posterior.csv (every
generation's weighted particles; the last generation is the posterior), generations.csv
(tolerance, acceptance rate, ESS and the weighted mean and 5/50/95 % quantiles of each key
per generation), observed.csv (the data), predictive.csv (the posterior predictive runs)
and manifest.json (why the fit stopped). Axis labels give each fitted key's symbol and
unit from `seedsoil params --format json` (the binary in $SEEDSOIL, else `seedsoil` on
PATH; the bare key without one). Every suptitle names the fit file, the number of
generations, particles and runs and why the fit stopped. Writes, into --out (default
FIT_DIR/plots):
  marginals.png    one panel per fitted key: the weighted histogram of the posterior (the
                   last generation; density, per decade of the key for a log-uniform
                   prior on a log axis), the prior density of fit.toml, lighter outlines
                   of the earlier generations, a rug of the posterior particles, the
                   weighted posterior mean (solid) and the 90 % equal-tailed credible
                   interval (dashed, shaded: the 5 % and 95 % weighted quantiles, the
                   q05, q95 of generations.csv); x spans the prior's support
  pairs.png        the posterior's particles for every pair of keys (lower triangle,
                   point area ∝ weight, + the weighted mean), the weighted histogram of
                   each key on the diagonal and the weighted correlation of each pair in
                   the upper triangle; one key: its histogram alone
  predictive.png   one panel per observed output: the pointwise median (line) and the
                   50 % and 90 % bands (25–75 %, 5–95 % quantiles across the draws of
                   predictive.csv on each day) of the posterior predictive runs, with the
                   observed values of observed.csv (points, ± their sd when known); log y
                   when the values span more than two decades
  generations.png  per generation: the tolerance ε (generation 0, the prior sample, has
                   none), the acceptance rate (with min_acceptance), the effective sample
                   size (with the particle count), and for each key its weighted mean with
                   the 5–95 % band (with the prior's range)
Weighted quantiles interpolate between the plotting positions (C_k − w_k/2) of the sorted
particles, as seedsoil does (src/fit/population.rs). predictive.png is skipped when
predictive.csv has no rows (predictive = 0). A folder that is not a fit folder (no
fit.toml or posterior.csv: a run, a sweep, a comparison, or a fit that has not completed)
is refused (exit 2).

Example:
  seedsoil fit configs/fit/growth.toml -o runs/fit-growth
  python3 scripts/plot_fit.py runs/fit-growth --pdf
"""

import json
import math
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

import plotlib
from plot_sweep import label
from plotlib import plt

#: The files a completed fit folder must hold for the figures (predictive.csv is optional).
REQUIRED = ["fit.toml", "posterior.csv", "generations.csv", "observed.csv"]
#: The defaults of the fit file's settings (src/fit/smc.rs Settings::default).
DEFAULTS = {"population": 1000, "max_generations": 10, "min_acceptance": 0.01}
POST_COLOUR = plotlib.OKABE_ITO[4]  # blue
MARK_COLOUR = plotlib.OKABE_ITO[5]  # vermillion
PRIOR_COLOUR = "#000000"
OBS_COLOUR = "#000000"
EPS_COLOUR, ACC_COLOUR, ESS_COLOUR = plotlib.OKABE_ITO[5], plotlib.OKABE_ITO[0], plotlib.OKABE_ITO[2]
#: Credible level of the marked interval (the q05, q95 columns of generations.csv).
LEVEL = 0.9


def refuse(folder):
    """Exit 2 unless `folder` is a completed fit folder, naming what is missing."""
    missing = [f for f in REQUIRED if not (folder / f).is_file()]
    if not missing:
        return
    if not folder.is_dir():
        print(f"error: {folder} is not a folder (a fit folder comes from `seedsoil fit FILE -o DIR`)",
              file=sys.stderr)
        sys.exit(2)
    if "fit.toml" not in missing:
        print(f"error: {folder} is a fit folder without {', '.join(missing)}: the fit has not "
              f"completed (finish it with `seedsoil fit FILE -o {folder} --resume`)", file=sys.stderr)
        sys.exit(2)
    if (folder / "sweep.toml").is_file():
        what = "a sweep (sweep.toml; plot it with plot_sweep.py)"
    elif (folder / "compare.toml").is_file():
        what = "a comparison (compare.toml; plot it with plot_compare.py)"
    elif (folder / "timeseries.csv").is_file():
        what = "one run (timeseries.csv; plot it with plot_run.py)"
    else:
        what = None
    what = f"is {what}, not a fit folder" if what else "is not a fit folder"
    print(f"error: {folder} {what}: no {', '.join(missing)} "
          f"(a fit folder comes from `seedsoil fit FILE -o DIR`)", file=sys.stderr)
    sys.exit(2)


def weighted_quantile(values, weights, p):
    """The p-quantile of `values` with `weights`, interpolated between the plotting
    positions (C_k − w_k/2) / Σw of the sorted values with positive weight; the smallest
    (largest) value below the first (above the last) position. seedsoil's
    fit::weighted_quantile."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = w > 0
    v, w = v[keep], w[keep]
    if v.size == 0:
        return np.nan
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    pos = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(min(max(p, 0.0), 1.0), pos, v))


def weighted_corr(x, y, w):
    w = np.asarray(w, dtype=float) / np.sum(w)
    mx, my = np.sum(w * x), np.sum(w * y)
    sxy = np.sum(w * (x - mx) * (y - my))
    sx, sy = np.sqrt(np.sum(w * (x - mx) ** 2)), np.sqrt(np.sum(w * (y - my) ** 2))
    return float(sxy / (sx * sy)) if sx > 0 and sy > 0 else np.nan


def fmt(v):
    return f"{v:.4g}"


# ---------------------------------------------------------------------------------------
# priors


def _phi(z):
    return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


class Prior:
    """One [[param]] of fit.toml: its family, support and density."""

    def __init__(self, table):
        self.key = str(table.get("key"))
        self.kind = str(table.get("prior", "?"))
        rng = table.get("range")
        self.lo, self.hi = (float(rng[0]), float(rng[1])) if rng else (-np.inf, np.inf)
        self.mean = float(table["mean"]) if "mean" in table else np.nan
        self.sd = float(table["sd"]) if "sd" in table else np.nan
        self.log = self.kind == "log-uniform"

    def describe(self):
        r = f"[{self.lo:g}, {self.hi:g}]"
        return {"uniform": f"uniform on {r}", "log-uniform": f"log-uniform on {r}",
                "normal": f"normal, mean {self.mean:g}, sd {self.sd:g}",
                "truncated-normal": f"normal (mean {self.mean:g}, sd {self.sd:g}) truncated to {r}"
                }.get(self.kind, self.kind)

    def support(self):
        """The interval to draw: the support, or mean ± 4 sd for a normal."""
        if self.kind == "normal":
            return self.mean - 4 * self.sd, self.mean + 4 * self.sd
        return self.lo, self.hi

    def curve(self):
        """(x, density) of the prior, per decade for a log-uniform; None if unknown."""
        lo, hi = self.support()
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            return None
        if self.kind == "uniform":
            d = 1.0 / (hi - lo)
            return np.array([lo, lo, hi, hi]), np.array([0.0, d, d, 0.0])
        if self.kind == "log-uniform":
            if lo <= 0:
                return None
            d = 1.0 / math.log10(hi / lo)
            return np.array([lo, lo, hi, hi]), np.array([0.0, d, d, 0.0])
        if not (self.sd > 0):
            return None
        x = np.linspace(lo, hi, 400)
        y = _phi((x - self.mean) / self.sd) / self.sd
        if self.kind == "normal":
            return x, y
        if self.kind == "truncated-normal":
            z = _cdf((hi - self.mean) / self.sd) - _cdf((lo - self.mean) / self.sd)
            if not z > 0:
                return None
            y = y / z
            return np.r_[lo, x, hi], np.r_[0.0, y, 0.0]
        return None


# ---------------------------------------------------------------------------------------
# the fit folder


class Fit:
    """The tables of a fit folder."""

    def __init__(self, folder):
        self.folder = folder
        try:
            with open(folder / "fit.toml", "rb") as f:
                self.spec = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            sys.exit(f"error: cannot read {folder / 'fit.toml'}: {e}")
        try:
            self.manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError):
            self.manifest = {}
        self.priors = [Prior(t) for t in self.spec.get("param", []) or []]
        self.keys = [p.key for p in self.priors]
        self.prior = dict(zip(self.keys, self.priors))
        self.post_src = folder / "posterior.csv"
        self.gen_src = folder / "generations.csv"
        self.obs_src = folder / "observed.csv"
        self.pred_src = folder / "predictive.csv"
        self.post = pd.read_csv(self.post_src)
        self.gens = pd.read_csv(self.gen_src)
        self.obs = pd.read_csv(self.obs_src)
        self.pred = pd.read_csv(self.pred_src) if self.pred_src.is_file() else None
        for df, src, need in ((self.post, self.post_src, ["generation", "weight"] + self.keys),
                              (self.gens, self.gen_src, ["generation", "epsilon", "acceptance_rate",
                                                         "ess", "particles"]
                               + [f"{k}_{s}" for k in self.keys for s in ("mean", "q05", "q95")]),
                              (self.obs, self.obs_src, ["output", "day", "value", "sd"])):
            missing = [c for c in need if c not in df.columns]
            if missing:
                sys.exit(f"error: {src} has no column {', '.join(missing)}")
        if not self.keys:
            sys.exit(f"error: {folder / 'fit.toml'} has no [[param]] key")
        if self.post.empty:
            sys.exit(f"error: {self.post_src} has no particles")
        self.last = int(self.post["generation"].max())
        self.final = self.post[self.post["generation"] == self.last]
        self.grow = self.gens[self.gens["generation"] == self.last].iloc[0]
        self.outputs = list(dict.fromkeys(self.obs["output"]))
        # the intervals drawn are generations.csv's; they must be the posterior's quantiles
        for key in self.keys:
            for q, col in ((0.05, "q05"), (0.95, "q95")):
                mine = weighted_quantile(self.final[key], self.final["weight"], q)
                theirs = float(self.grow[f"{key}_{col}"])
                if not abs(mine - theirs) <= 1e-9 * max(1.0, abs(theirs)):
                    print(f"warning: {self.gen_src} gives {key}_{col} = {theirs!r} for generation "
                          f"{self.last}, the weighted quantile of {self.post_src} is {mine!r}",
                          file=sys.stderr)

    def setting(self, name):
        return self.spec.get(name, DEFAULTS.get(name))

    def where_last(self):
        return {"generation": self.last}

    def headline(self, sep="; "):
        """The fit, its size and why it stopped, for the suptitles (`sep` before the stop
        reason, e.g. a new line for a narrow figure)."""
        name = Path(str(self.manifest.get("fit_file") or "fit.toml")).name
        n_gen = int(self.manifest.get("generations", len(self.gens)))
        runs = self.manifest.get("runs", int(self.gens["runs"].sum()) if "runs" in self.gens else "?")
        particles = int(self.grow["particles"])
        stop = self.manifest.get("stop")
        why = {
            "max_generations": f"max_generations = {self.setting('max_generations')} reached",
            "min_acceptance": f"generation {self.last + 1} would accept under "
                              f"min_acceptance = {self.setting('min_acceptance')}",
            "final_epsilon": f"ε reached final_epsilon = {self.spec.get('final_epsilon', '?')}",
            "budget": f"the budget of {self.spec.get('budget', '?')} runs could not complete another "
                      "generation",
        }.get(stop, "reason unknown (no manifest.json)" if stop is None else str(stop))
        return (f"{name}: {n_gen} generation{'s' if n_gen != 1 else ''} of {particles} particles, "
                f"{runs} runs{sep}stopped: {why}")

    def footer(self):
        """plotlib.provenance's line, from the fit's manifest (`command_line`)."""
        m = self.manifest
        cmd = m.get("command_line")
        if isinstance(cmd, list) and cmd:
            cmd = " ".join([os.path.basename(str(cmd[0]))] + [str(c) for c in cmd[1:]])
        elif not cmd:
            cmd = "?"
        if len(cmd) > 110:
            cmd = cmd[:107] + "..."
        seed = m.get("seed")
        if seed is None:
            try:
                seed = (self.folder / "seed.txt").read_text().strip()
            except OSError:
                seed = "?"
        return (f"seedsoil {m.get('seedsoil_version') or '?'} · seed {seed} · {cmd} · "
                f"folder {self.folder.resolve().name}")


def short(lab):
    """The symbol and unit of a param_labels() label (without the key)."""
    return lab.split(" — ")[0]


def symbol(lab):
    """The symbol (or key) of a param_labels() label."""
    return short(lab).split(" (")[0]


# ---------------------------------------------------------------------------------------
# histograms


def n_bins(ess):
    return int(np.clip(round(math.sqrt(max(ess, 1.0))), 6, 30))


def histogram(values, weights, log, ess):
    """(edges, density) of the weighted values: density per unit of the key, or per decade
    on a log axis; n_bins(ess) equal bins (equal in log10 on a log axis) from the least to
    the largest value."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    t = np.log10(v) if log else v
    lo, hi = t.min(), t.max()
    if not hi > lo:
        pad = max(abs(lo) * 0.01, 1e-9)
        lo, hi = lo - pad, hi + pad
    edges = np.linspace(lo, hi, n_bins(ess) + 1)
    dens, _ = np.histogram(t, bins=edges, weights=w, density=True)
    return (10 ** edges if log else edges), dens


def draw_hist(fig, ax, edges, dens, c, label, fill=True, lw=1.6, alpha=1.0):
    """A histogram as a closed step line over a filled area. Its embedded data: x the
    first edge, every edge, the last edge; y 0, the density of each bin, the last density
    again, 0 (so the bins are x[1:-1] and the densities y[1:-2])."""
    y = np.r_[dens, dens[-1]]
    if fill:
        ax.fill_between(edges, y, step="post", color=c, alpha=0.25, lw=0)
    (ln,) = ax.step(np.r_[edges[0], edges, edges[-1]], np.r_[0.0, y, 0.0], where="post", color=c,
                    lw=lw, alpha=alpha, label=label)
    return ln


def rug(fig, ax, fit, key, c="#000000"):
    """The posterior particles as ticks along the bottom of `ax` (tracked)."""
    (ln,) = ax.plot(fit.final[key].to_numpy(float), np.full(len(fit.final), 0.025), ls="none",
                    marker="|", ms=9, mew=0.9, color=c, alpha=0.6,
                    transform=ax.get_xaxis_transform(), label=f"posterior particles: {key}")
    plotlib.track(fig, ln, x={"file": fit.post_src, "column": key, "where": fit.where_last()})
    return ln


def panels(n, ncol, w, h, legend_rows=0, top=0.9):
    """A constrained figure of n panels in rows of ncol (w × h inches each) and, with
    legend_rows > 0, an axes-free row below them for a legend of that many rows (inside
    the layout, so clear of the provenance footer). (fig, [axes], legend axes or None)."""
    nrow = math.ceil(n / ncol)
    leg_h = 0.24 * legend_rows + 0.25 if legend_rows else 0.0
    fig = plt.figure(figsize=(w * ncol + 0.4, h * nrow + leg_h + top), layout="constrained")
    gs = fig.add_gridspec(nrow + (1 if legend_rows else 0), ncol,
                          height_ratios=[h] * nrow + ([leg_h] if legend_rows else []))
    axes = [fig.add_subplot(gs[i // ncol, i % ncol]) for i in range(n)]
    lax = None
    if legend_rows:
        lax = fig.add_subplot(gs[nrow, :])
        lax.axis("off")
    return fig, axes, lax


def gen_colour(t, last):
    """Grey, lighter for earlier generations."""
    g = 0.8 - 0.4 * (t / (last - 1)) if last > 1 else 0.6
    return (g, g, g)


# ---------------------------------------------------------------------------------------
# figures


def earlier(last):
    """The earlier generations drawn as outlines: all of them up to 3, else generation 0,
    the middle one and the one before the posterior."""
    gens = list(range(last))
    return gens if len(gens) <= 3 else sorted({0, last // 2, last - 1})


def plot_marginals(saver, fit, plabel):
    k = len(fit.keys)
    ncol = min(k, 3)
    shown = earlier(fit.last)
    lcol = max(ncol, 2)
    fig, axes, lax = panels(k, ncol, 5.3, 3.9, legend_rows=math.ceil((5 + len(shown)) / lcol))
    ess = float(fit.grow["ess"])
    handles = {}
    for i, key in enumerate(fit.keys):
        ax = axes[i]
        pr = fit.prior[key]
        log = pr.log and (fit.post[key] > 0).all()
        if log:
            ax.set_xscale("log")
        # earlier generations, lighter the earlier
        for t in shown:
            d = fit.post[fit.post["generation"] == t]
            if d.empty:
                continue
            g_ess = float(fit.gens.loc[fit.gens["generation"] == t, "ess"].iloc[0])
            e, h = histogram(d[key], d["weight"], log, g_ess)
            name = "generation 0 (prior sample)" if t == 0 else f"generation {t}"
            handles.setdefault(name, draw_hist(fig, ax, e, h, gen_colour(t, fit.last), name,
                                               fill=False, lw=1.1))
        # the posterior
        e, h = histogram(fit.final[key], fit.final["weight"], log, ess)
        name = f"posterior: generation {fit.last} (ESS {ess:.0f})"
        handles.setdefault(name, draw_hist(fig, ax, e, h, POST_COLOUR, name, lw=1.8))
        # the prior
        cv = pr.curve()
        if cv is not None:
            (ln,) = ax.plot(*cv, color=PRIOR_COLOUR, lw=1.3, ls=(0, (4, 2)), label="prior density")
            handles.setdefault(ln.get_label(), ln)
        # mean and credible interval (generations.csv, last generation)
        m, lo, hi = (float(fit.grow[f"{key}_{s}"]) for s in ("mean", "q05", "q95"))
        ax.axvspan(lo, hi, color=MARK_COLOUR, alpha=0.10, lw=0)
        for col, v in (("q05", lo), ("q95", hi)):
            ln = ax.axvline(v, color=MARK_COLOUR, lw=1.3, ls="--",
                            label="90 % credible interval (5 %, 95 % weighted quantiles)")
            plotlib.track(fig, ln, x={"file": fit.gen_src, "column": f"{key}_{col}",
                                      "where": fit.where_last(), "mode": "subset"})
            handles.setdefault(ln.get_label(), ln)
        ln = ax.axvline(m, color=MARK_COLOUR, lw=2.0, label="posterior mean (weighted)")
        plotlib.track(fig, ln, x={"file": fit.gen_src, "column": f"{key}_mean",
                                  "where": fit.where_last(), "mode": "subset"})
        handles.setdefault(ln.get_label(), ln)
        r = rug(fig, ax, fit, key)
        handles.setdefault(f"posterior particles ({len(fit.final)}, rug)", r)
        # x: the prior's support (with a margin), grown to hold every particle
        a, b = pr.support()
        vals = fit.post[key].to_numpy(float)
        a = min(a, vals.min()) if np.isfinite(a) else vals.min()
        b = max(b, vals.max()) if np.isfinite(b) else vals.max()
        if log:
            f = (b / a) ** 0.03
            ax.set_xlim(a / f, b * f)
        else:
            pad = 0.03 * (b - a) if b > a else 1.0
            ax.set_xlim(a - pad, b + pad)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.05)
        ax.set_xlabel(plabel[key])
        ax.set_ylabel("density per decade" if log else "density")
        ax.set_title(f"{symbol(plabel[key])}: mean {fmt(m)}, 90 % CI [{fmt(lo)}, {fmt(hi)}]\n"
                     f"prior: {pr.describe()}", fontsize=10.5)
    order = [n for n in handles if not n.startswith("generation")]
    order += [n for n in handles if n.startswith("generation")]
    lax.legend([handles[n] for n in order], order, loc="center", ncol=lcol, fontsize=9)
    fig.suptitle(f"Posterior marginals of the fitted parameters, with their priors and earlier "
                 f"generations\n{fit.headline()}", fontsize=11.5)
    saver.save(fig, "marginals")


def plot_pairs(saver, fit, plabel):
    keys = fit.keys
    k = len(keys)
    w = fit.final["weight"].to_numpy(float)
    ess = float(fit.grow["ess"])
    size = 6 + 70 * w / w.max() if w.max() > 0 else np.full(w.size, 20.0)
    side = 2.9 if k > 1 else 5.0
    fig, axes = plt.subplots(k, k, figsize=(side * k + 1.0, side * k + 0.9), squeeze=False,
                             layout="constrained")
    lims = {}
    for key in keys:
        v = fit.final[key].to_numpy(float)
        log = fit.prior[key].log and (v > 0).all()
        a, b = v.min(), v.max()
        if log:
            f = (b / a) ** 0.06 if b > a else 1.1
            lims[key] = (a / f, b * f, True)
        else:
            pad = 0.06 * (b - a) if b > a else max(abs(a) * 0.05, 1e-6)
            lims[key] = (a - pad, b + pad, False)
    mean_h = pts_h = None
    for i, ky in enumerate(keys):
        for j, kx in enumerate(keys):
            ax = axes[i][j]
            x0, x1, xlog = lims[kx]
            if i == j:
                if xlog:
                    ax.set_xscale("log")
                e, h = histogram(fit.final[kx], w, xlog, ess)
                draw_hist(fig, ax, e, h, POST_COLOUR, f"posterior histogram: {kx}")
                rug(fig, ax, fit, kx)
                ax.axvline(float(fit.grow[f"{kx}_mean"]), color=MARK_COLOUR, lw=1.6)
                ax.set_ylim(bottom=0)
                ax.set_xlim(x0, x1)
                ax.set_title(short(plabel[kx]), fontsize=10.5)
                ax.tick_params(axis="y", labelleft=(k == 1), left=(k == 1))
                if k == 1:
                    ax.set_ylabel("density per decade" if xlog else "density")
            elif i > j:
                y0, y1, ylog = lims[ky]
                if xlog:
                    ax.set_xscale("log")
                if ylog:
                    ax.set_yscale("log")
                pts_h = ax.scatter(fit.final[kx], fit.final[ky], s=size, color=POST_COLOUR,
                                   alpha=0.55, edgecolor="none", zorder=3,
                                   label=f"particles: {kx} × {ky}")
                plotlib.track(fig, pts_h, x={"file": fit.post_src, "column": kx, "where": fit.where_last()},
                              y={"file": fit.post_src, "column": ky, "where": fit.where_last()})
                (mean_h,) = ax.plot([fit.grow[f"{kx}_mean"]], [fit.grow[f"{ky}_mean"]], ls="none",
                                    marker="P", ms=10, color=MARK_COLOUR, mec="#000000", mew=0.7,
                                    zorder=4, label=f"weighted mean: {kx} × {ky}")
                plotlib.track(fig, mean_h,
                              x={"file": fit.gen_src, "column": f"{kx}_mean", "where": fit.where_last()},
                              y={"file": fit.gen_src, "column": f"{ky}_mean", "where": fit.where_last()})
                ax.set_xlim(x0, x1)
                ax.set_ylim(y0, y1)
            else:
                ax.axis("off")
                r = weighted_corr(fit.final[kx].to_numpy(float), fit.final[ky].to_numpy(float), w)
                y = 0.8 if (i, j) == (0, k - 1) else 0.5
                ax.text(0.5, y + 0.1,
                        f"weighted correlation of\n{symbol(plabel[ky])} and {symbol(plabel[kx])}",
                        transform=ax.transAxes, ha="center", va="bottom", fontsize=9, color="#444444")
                ax.text(0.5, y, f"r = {r:.2f}" if np.isfinite(r) else "r undefined",
                        transform=ax.transAxes, ha="center", va="top", fontsize=14)
            if i == k - 1:
                ax.set_xlabel(plabel[kx] if k <= 2 else short(plabel[kx]),
                              fontsize=9.5 if k > 1 else None)
            else:
                ax.tick_params(axis="x", labelbottom=False)
            if j == 0 and i > 0:
                ax.set_ylabel(plabel[ky] if k <= 2 else short(plabel[ky]), fontsize=9.5)
            elif j > 0 and i != j:
                ax.tick_params(axis="y", labelleft=False)
    if k > 1:
        lax = axes[0][k - 1]
        handles = [Line2D([], [], ls="none", marker="o", ms=7, color=POST_COLOUR, alpha=0.55,
                          label="particle (area ∝ weight)"),
                   Line2D([], [], ls="none", marker="P", ms=10, color=MARK_COLOUR, mec="#000000",
                          mew=0.7, label="weighted mean"),
                   Patch(facecolor=POST_COLOUR, alpha=0.4, edgecolor=POST_COLOUR,
                         label="weighted histogram")]
        lax.legend(handles=handles, loc="lower center", fontsize=9, frameon=True)
    head = fit.headline(sep="\n" if k <= 2 else "; ")
    fig.suptitle(f"Posterior sample (generation {fit.last}, {len(fit.final)} particles, "
                 f"ESS {ess:.0f}), pairwise\n{head}", fontsize=11.5)
    saver.save(fig, "pairs")


def span_decades(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return math.log10(v.max() / v.min()) if v.size else 0.0


def plot_predictive(saver, fit):
    pred = fit.pred
    if pred is None or pred.empty or "day" not in pred.columns:
        saver.skip("predictive", "predictive.csv has no rows (predictive = 0?)")
        return
    outs = [o for o in fit.outputs if o in pred.columns]
    if not outs:
        saver.skip("predictive", "predictive.csv has no observed output column")
        return
    n = len(outs)
    ncol = min(n, 3)
    nrow = math.ceil(n / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.6 * ncol + 0.4, 4.3 * nrow + 0.9),
                             squeeze=False, layout="constrained")
    draws = int(pred["draw"].nunique())
    for i, o in enumerate(outs):
        ax = axes[i // ncol][i % ncol]
        v = pd.to_numeric(pred[o], errors="coerce")
        g = pred.assign(_v=v).groupby("day")["_v"]
        q = g.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        days = q.index.to_numpy(float)
        ax.fill_between(days, q[0.05], q[0.95], color=POST_COLOUR, alpha=0.18, lw=0,
                        label="90 % band (5–95 %)")
        ax.fill_between(days, q[0.25], q[0.75], color=POST_COLOUR, alpha=0.35, lw=0,
                        label="50 % band (25–75 %)")
        (ln,) = ax.plot(days, g.median().to_numpy(float), color=POST_COLOUR, lw=2, label="median")
        plotlib.track(fig, ln, x={"file": fit.pred_src, "column": "day", "agg": {"by": "day", "how": "min"}},
                      y={"file": fit.pred_src, "column": o, "agg": {"by": "day", "how": "median"}})
        ob = fit.obs[fit.obs["output"] == o]
        sd = pd.to_numeric(ob["sd"], errors="coerce").fillna(0).to_numpy(float)
        has_sd = bool((sd > 0).any())
        if has_sd:
            ax.errorbar(ob["day"].to_numpy(float), ob["value"].to_numpy(float),
                        yerr=np.where(sd > 0, sd, np.nan), fmt="none", ecolor=OBS_COLOUR, elinewidth=1.2,
                        capsize=3, zorder=5)
        (pt,) = ax.plot(ob["day"].to_numpy(float), ob["value"].to_numpy(float), ls="none", marker="o", ms=6,
                        mfc="white", mec=OBS_COLOUR, mew=1.5, zorder=6,
                        label="observed (mean ± sd)" if has_sd else "observed")
        plotlib.track(fig, pt, x={"file": fit.obs_src, "column": "day", "where": {"output": o}},
                      y={"file": fit.obs_src, "column": "value", "where": {"output": o}})
        if span_decades(np.r_[q.to_numpy(float).ravel(), ob["value"].to_numpy(float)]) > 2:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("day")
        ax.set_ylabel(label(o))
        ax.set_title(f"{o}: posterior predictive ({draws} runs) vs data", fontsize=10.5)
        ax.legend(loc="best", fontsize=9)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].remove()
    fig.suptitle(f"Posterior predictive check: pointwise median and bands across {draws} runs of "
                 f"posterior draws\n{fit.headline()}", fontsize=11.5)
    saver.save(fig, "predictive")


def plot_generations(saver, fit, plabel):
    gens = fit.gens
    gsrc = fit.gen_src
    k = len(fit.keys)
    ncol = 3
    fig, axes, lax = panels(3 + k, ncol, 5.0, 3.6, legend_rows=1)
    gx = gens["generation"].to_numpy(int)
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(-0.3, max(gx.max(), 1) + 0.3)
        ax.set_xlabel("generation")
    # tolerance
    ax = axes[0]
    later = [int(g) for g in gx if g >= 1]
    eps = pd.to_numeric(gens["epsilon"], errors="coerce")
    if later:
        sel = (gens["generation"] >= 1).to_numpy()
        (ln,) = ax.plot(gx[sel], eps[sel], "o-", color=EPS_COLOUR, lw=1.8, label="ε")
        plotlib.track(fig, ln, x={"file": gsrc, "column": "generation", "where": {"generation": later}},
                      y={"file": gsrc, "column": "epsilon", "where": {"generation": later}})
        fe = fit.spec.get("final_epsilon")
        if fe is not None:
            ax.axhline(float(fe), color="#555555", ls=":", lw=1.2, label=f"final_epsilon = {fe}")
            ax.legend(loc="best", fontsize=9)
        if span_decades(eps[sel]) > 1:
            ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "only generation 0\n(the prior sample: no tolerance)", ha="center",
                va="center", transform=ax.transAxes, color="#555555")
    ax.set_title("tolerance ε (generation 0 accepts every run;\n"
                 "distances rescaled each generation)", fontsize=10.5)
    ax.set_ylabel("tolerance ε (scaled distance)")
    # acceptance rate
    ax = axes[1]
    (ln,) = ax.plot(gx, gens["acceptance_rate"], "o-", color=ACC_COLOUR, lw=1.8,
                    label="acceptance rate")
    plotlib.track(fig, ln, x={"file": gsrc, "column": "generation"},
                  y={"file": gsrc, "column": "acceptance_rate"})
    ma = float(fit.setting("min_acceptance"))
    ax.axhline(ma, color="#555555", ls=":", lw=1.2, label=f"min_acceptance = {ma:g}")
    if span_decades(np.r_[gens["acceptance_rate"].to_numpy(float), ma]) > 1:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, 1.05)
    ax.set_title("acceptance rate\n(accepted particles per simulation run)", fontsize=10.5)
    ax.set_ylabel("acceptance rate")
    ax.legend(loc="best", fontsize=9)
    # ESS
    ax = axes[2]
    (ln,) = ax.plot(gx, gens["ess"], "o-", color=ESS_COLOUR, lw=1.8, label="ESS")
    plotlib.track(fig, ln, x={"file": gsrc, "column": "generation"}, y={"file": gsrc, "column": "ess"})
    (ln,) = ax.plot(gx, gens["particles"], ls="--", color="#555555", lw=1.2,
                    label="particles (the largest ESS)")
    plotlib.track(fig, ln, x={"file": gsrc, "column": "generation"},
                  y={"file": gsrc, "column": "particles"})
    ax.set_ylim(0, float(gens["particles"].max()) * 1.1)
    ax.set_title("effective sample size\nESS = 1 / Σ w² (weights summing to 1)", fontsize=10.5)
    ax.set_ylabel("ESS (particles)")
    ax.legend(loc="lower left", fontsize=9)
    # each key: the weighted mean and the 5–95 % band per generation
    handles = {}
    for i, key in enumerate(fit.keys):
        ax = axes[3 + i]
        c = POST_COLOUR
        band = ax.fill_between(gx, gens[f"{key}_q05"], gens[f"{key}_q95"], color=c, alpha=0.2, lw=0,
                               label="90 % interval (5 %, 95 % weighted quantiles)")
        handles.setdefault(band.get_label(), band)
        for col in ("q05", "q95"):
            (ln,) = ax.plot(gx, gens[f"{key}_{col}"], color=c, lw=0.9, ls="--", marker="_", ms=9,
                            label=f"{col}: {key}")
            plotlib.track(fig, ln, x={"file": gsrc, "column": "generation"},
                          y={"file": gsrc, "column": f"{key}_{col}"})
        (ln,) = ax.plot(gx, gens[f"{key}_mean"], "o-", color=c, lw=1.8, label="weighted mean")
        plotlib.track(fig, ln, x={"file": gsrc, "column": "generation"},
                      y={"file": gsrc, "column": f"{key}_mean"})
        handles.setdefault(ln.get_label(), ln)
        pr = fit.prior[key]
        if pr.kind != "normal" and np.isfinite(pr.lo) and np.isfinite(pr.hi):
            for v in (pr.lo, pr.hi):
                ln = ax.axhline(v, color="#555555", ls=":", lw=1.1, label="prior range")
            handles.setdefault(ln.get_label(), ln)
        elif pr.kind == "normal" and np.isfinite(pr.mean):
            ln = ax.axhline(pr.mean, color="#555555", ls=":", lw=1.1, label="prior mean")
            handles.setdefault(ln.get_label(), ln)
        if pr.log and (gens[f"{key}_q05"] > 0).all():
            ax.set_yscale("log")
        ax.set_ylabel(short(plabel[key]))
        ax.set_title(f"{plabel[key]}:\nweighted mean and 90 % interval", fontsize=10)
    lax.legend(handles.values(), handles.keys(), loc="center", ncol=len(handles), fontsize=9.5,
               title="fitted parameters (lower panels)", title_fontsize=9.5)
    fig.suptitle(f"ABC-SMC generations: tolerance, acceptance, effective sample size and the "
                 f"parameters' convergence\n{fit.headline()}", fontsize=11.5)
    saver.save(fig, "generations")


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "fit folder (seedsoil fit FILE -o FIT_DIR)")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    args = p.parse_args()
    refuse(args.input)
    fit = Fit(args.input)
    plotlib.setup_style()
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf, args.input)
    saver.footer = fit.footer()
    plabel = plotlib.param_labels(fit.keys)
    print(f"fit of {', '.join(fit.keys)}; generation {fit.last} is the posterior", file=sys.stderr)
    plot_marginals(saver, fit, plabel)
    plot_pairs(saver, fit, plabel)
    plot_predictive(saver, fit)
    plot_generations(saver, fit, plabel)
    saver.report()


if __name__ == "__main__":
    main()
