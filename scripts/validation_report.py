#!/usr/bin/env python3
"""Write a Markdown report, with one figure per check, of a `seedsoil validate -o DIR` folder.

Reads DIR/validation.csv (required: one row per criterion and block), and if present
DIR/values.csv (per-seed observations), DIR/checks.csv (claims, arms, power notes),
DIR/manifest.json (provenance) and DIR/power.csv (empirical power over --blocks K > 1).
Writes, into --out (default DIR):
  validation.md             title, provenance, verdict (X of Y checks pass), a summary
                            table of every criterion of block 0 (estimate, 95 % CI,
                            target, pass/FAIL, plug-in power), the empirical power table
                            (with power.csv), then one section per check
  figures/<check>.png       per check: one panel per criterion (estimate and 95 % CI
                            against its target, shaded on the passing side) and one panel
                            per observation of values.csv (per-seed values, one column of
                            jittered points per arm, log axis when they span > 2 decades)
Links in validation.md are relative to it. The files written are printed, one a line.
Exits 2 when DIR/validation.csv is missing or unreadable.

Example:
  python3 scripts/validation_report.py runs/validation
  python3 scripts/validation_report.py runs/validation -o runs/validation-report --pdf
"""

import argparse
import json
import math
import re
import shlex
import sys
import textwrap
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd

import plotlib
from plotlib import OKABE_ITO, colour, plt

PASS_COLOUR = OKABE_ITO[2]  # bluish green
FAIL_COLOUR = OKABE_ITO[5]  # vermillion
TARGET_COLOUR = OKABE_ITO[1]  # sky blue: the passing region
NO_DATA_COLOUR = "#777777"

NUMERIC = {
    "validation": ["block", "estimate", "ci_low", "ci_high", "target_low", "target_high",
                   "seeds", "power"],
    "values": ["block", "replicate", "seed", "value"],
    "checks": ["seeds"],
    "power": ["blocks", "passed", "power", "power_low", "power_high"],
}


# ---------------------------------------------------------------- reading


def read_table(path, kind):
    """A CSV as text columns, with the known numeric columns parsed (empty/NaN -> NaN)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    for c in NUMERIC[kind]:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c].str.strip(), errors="coerce")
    return df


def truthy(s):
    return s.astype(str).str.strip().str.lower().isin(["true", "1", "yes", "pass"])


def optional(path, kind):
    if not path.is_file():
        return None
    try:
        return read_table(path, kind)
    except Exception as e:  # noqa: BLE001
        print(f"warning: ignoring {path}: {e}", file=sys.stderr)
        return None


def read_manifest(path):
    if not path.is_file():
        return {}
    try:
        m = json.loads(path.read_text())
        return m if isinstance(m, dict) else {}
    except Exception as e:  # noqa: BLE001
        print(f"warning: ignoring {path}: {e}", file=sys.stderr)
        return {}


def first_block(df):
    """Rows of block 0 (or of the lowest block present)."""
    if df is None or df.empty or "block" not in df.columns:
        return df
    blocks = df["block"].dropna()
    b = 0 if (blocks == 0).any() or blocks.empty else blocks.min()
    return df[df["block"] == b]


# ---------------------------------------------------------------- formatting


def num(x, sig=4):
    """At most `sig` significant digits, no trailing zeros (as seedsoil's rule text)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if mag >= 6 or mag <= -5:
        mant, _, exp = f"{x:.{sig - 1}e}".partition("e")
        mant = mant.rstrip("0").rstrip(".") if "." in mant else mant
        return f"{mant}e{int(exp)}"
    digits = min(max(sig - 1 - mag, 0), 12)
    s = f"{x:.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def ci_text(lo, hi):
    if not (np.isfinite(lo) or np.isfinite(hi)):
        return "–"
    return f"[{num(lo)}, {num(hi)}]"


def pct(p):
    if p is None or not np.isfinite(p):
        return "–"
    if 0.995 <= p < 1:
        return "> 99 %"
    if 0 < p < 0.005:
        return "< 1 %"
    return f"{100 * p:.0f} %"


def verdict(ok):
    return "pass" if ok else "FAIL"


def md(text):
    """Table-cell safe text."""
    return " ".join(str(text).split()).replace("|", "\\|")


def slug(name):
    """GitHub's heading anchor of `### name`."""
    s = re.sub(r"[^\w\- ]", "", name.strip().lower())
    return s.replace(" ", "-")


def file_stem(check):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", check) or "check"


def parse_arms(text):
    """`label: scenario; label: scenario` -> [(label, scenario)]."""
    arms = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        label, sep, scen = part.partition(":")
        arms.append((label.strip(), scen.strip()) if sep else ("", part))
    return arms


def wall_time(s):
    try:
        s = float(s)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(s):
        return None
    if s < 120:
        return f"{s:.1f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.2f} h"


def wrap(text, width):
    """Wrap a label, keeping short parentheticals such as "(1 = yes)" on one line."""
    text = re.sub(r"\(([^()]{1,14})\)", lambda m: "(" + m[1].replace(" ", "\u00a0") + ")",
                  str(text))
    return "\n".join(textwrap.wrap(text, width=max(width, 8))) or text


# ---------------------------------------------------------------- figures


def log_wide(values):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(v.size) and bool((v > 0).all()) and v.max() / v.min() > 100


def criterion_panel(ax, row, label_width):
    est, lo, hi = row["estimate"], row["ci_low"], row["ci_high"]
    tlo, thi = row["target_low"], row["target_high"]
    rule = str(row["rule"]).strip().lower()
    ok = bool(row["pass_b"])
    col = PASS_COLOUR if ok else FAIL_COLOUR

    ax.set_title(f"{verdict(ok)}: {row['target']}", color=col, fontsize=10.5,
                 fontweight="bold")
    ax.set_ylabel(wrap(row["statistic"], label_width), fontsize=9.5)
    ax.set_xticks([])
    ax.set_xlim(-1, 1)
    ax.grid(axis="x", visible=False)

    pts = [x for x in (est, lo, hi, tlo, thi) if np.isfinite(x)]
    if not pts:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no estimate\nno target", ha="center", va="center",
                transform=ax.transAxes, color=NO_DATA_COLOUR)
        return
    use_log = all(x > 0 for x in pts) and max(pts) / min(pts) > 100
    if use_log:
        ax.set_yscale("log")
        top, bottom = max(pts) * 2.5, min(pts) / 2.5
    else:
        span = max(pts) - min(pts)
        span = span if span > 0 else (abs(max(pts)) or 1.0)
        top, bottom = max(pts) + 0.25 * span, min(pts) - 0.25 * span
        if min(pts) >= 0 and bottom < 0:
            bottom = 0 if min(pts) > 0.1 * span or min(pts) == 0 else min(pts) - 0.1 * span
        if rule in ("exceeds", "at_least") and np.isfinite(tlo):
            bottom = min(bottom, tlo - 0.15 * span)
        if rule in ("under", "at_most") and np.isfinite(thi):
            top = max(top, thi + 0.15 * span)
    ax.set_ylim(bottom, top)

    # target: shaded passing region, bounds as lines
    shade = {"color": TARGET_COLOUR, "alpha": 0.18, "lw": 0, "zorder": 0}
    line = {"color": OKABE_ITO[4], "lw": 1.4, "ls": "--", "zorder": 1}
    if rule == "band" and np.isfinite(tlo) and np.isfinite(thi):
        ax.axhspan(tlo, thi, **shade, label="target band")
        ax.axhline(tlo, **line)
        ax.axhline(thi, **line)
    elif rule in ("at_least", "exceeds") and np.isfinite(tlo):
        ax.axhspan(tlo, top, **shade)
        ax.axhline(tlo, **line)
    elif rule in ("at_most", "under") and np.isfinite(thi):
        ax.axhspan(bottom, thi, **shade)
        ax.axhline(thi, **line)
    ax.set_ylim(bottom, top)

    if not np.isfinite(est):
        ax.set_xlabel("no estimate\n(NaN or empty in validation.csv)", color=NO_DATA_COLOUR,
                      fontsize=9.5)
        ax.text(0.5, 0.5, "no estimate", ha="center", va="center", transform=ax.transAxes,
                color=NO_DATA_COLOUR, fontsize=11, fontweight="bold",
                bbox={"fc": "white", "ec": NO_DATA_COLOUR, "boxstyle": "round"})
        return
    yerr = [[est - lo if np.isfinite(lo) else 0], [hi - est if np.isfinite(hi) else 0]]
    ax.errorbar([0], [est], yerr=np.clip(yerr, 0, None), fmt="o" if ok else "X", color=col,
                ms=9, capsize=9, lw=2.2, mew=1.5, zorder=3)
    ax.set_xlabel(f"estimate {num(est)}\n95 % CI {ci_text(lo, hi)}", color=col, fontsize=9.5)


def values_panel(ax, obs, d, arms, arm_colour, rng, label_width):
    ax.set_ylabel(wrap(obs, label_width), fontsize=9.5)
    ax.grid(axis="x", visible=False)
    here = [a for a in arms if (d["arm"] == a).any()]
    all_v = d["value"].to_numpy(dtype=float)
    finite = all_v[np.isfinite(all_v)]
    if log_wide(finite):
        ax.set_yscale("log")
    labels = []
    for i, a in enumerate(here):
        v = d.loc[d["arm"] == a, "value"].to_numpy(dtype=float)
        ok = v[np.isfinite(v)]
        missing = v.size - ok.size
        ax.scatter(i + rng.uniform(-0.17, 0.17, ok.size), ok, s=34, color=arm_colour[a],
                   edgecolor="#000000", lw=0.5, zorder=3, alpha=0.9)
        if ok.size:
            m = float(np.median(ok))
            ax.plot([i - 0.3, i + 0.3], [m, m], color="#000000", lw=2, zorder=2)
        labels.append(f"{a}\n(n = {ok.size}" + (f", {missing} NaN)" if missing else ")"))
    ax.set_xticks(range(len(here)), labels, fontsize=9)
    ax.set_xlim(-0.6, len(here) - 0.4)
    if not finite.size:
        ax.text(0.5, 0.5, "no finite values", ha="center", va="center",
                transform=ax.transAxes, color=NO_DATA_COLOUR)


def check_figure(check, crit, vals, arms, saver, rng):
    """crit: block-0 criteria rows of the check; vals: its block-0 values (maybe empty)."""
    observations = list(dict.fromkeys(vals["observation"])) if len(vals) else []
    arm_order = [a for a, _ in arms]
    for a in (vals["arm"] if len(vals) else []):
        if a not in arm_order:
            arm_order.append(a)
    arm_colour = {a: colour(i) for i, a in enumerate(arm_order)}
    n_arms = [max(1, vals.loc[vals["observation"] == o, "arm"].nunique()) for o in observations]

    widths = [2.0] * len(crit) + [1.3 + 0.75 * k for k in n_arms]
    fig_w = min(max(sum(widths) + 0.8, 5.0), 20.0)
    fig, axes = plt.subplots(1, len(widths), figsize=(fig_w, 3.7), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    axes = axes[0]
    label_width = 34
    for ax, (_, row) in zip(axes, crit.iterrows()):
        criterion_panel(ax, row, label_width)
    for ax, o in zip(axes[len(crit):], observations):
        values_panel(ax, o, vals[vals["observation"] == o], arm_order, arm_colour, rng,
                     label_width)
    if observations:
        a0 = axes[len(crit)]
        a0.set_title("per-seed values (bar: median)", fontsize=10)
    ok = bool(crit["check_pass_b"].all()) and len(crit) > 0
    n_ok = int(crit["pass_b"].sum())
    fig.suptitle(f"{check} — {verdict(ok)} (criteria passed: {n_ok} of {len(crit)})",
                 color=PASS_COLOUR if ok else FAIL_COLOUR, fontweight="bold", fontsize=12.5)
    saver.save(fig, file_stem(check))


# ---------------------------------------------------------------- markdown


def criteria_table(rows, with_check):
    head = (["check"] if with_check else []) + [
        "statistic", "estimate", "95 % CI", "target", "result", "plug-in power"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in rows.iterrows():
        cells = []
        if with_check:
            cells.append(f"[{md(r['check'])}](#{slug(r['check'])})")
        est = num(r["estimate"]) if np.isfinite(r["estimate"]) else "no estimate"
        res = verdict(r["pass_b"])
        cells += [md(r["statistic"]), est, ci_text(r["ci_low"], r["ci_high"]), md(r["target"]),
                  f"**{res}**" if res == "FAIL" else res, pct(r["power"])]
        out.append("| " + " | ".join(cells) + " |")
    return out


def power_table(power):
    out = ["| check | statistic | blocks passed | empirical power (95 % interval) |",
           "|---|---|---|---|"]
    for _, r in power.iterrows():
        blocks = f"{num(r.get('passed'))} / {num(r.get('blocks'))}"
        emp = pct(r.get("power"))
        if np.isfinite(r.get("power_low", np.nan)) or np.isfinite(r.get("power_high", np.nan)):
            emp += f" [{pct(r.get('power_low'))}, {pct(r.get('power_high'))}]"
        out.append(f"| [{md(r.get('check', ''))}](#{slug(str(r.get('check', '')))}) | "
                   f"{md(r.get('statistic', ''))} | {blocks} | {emp} |")
    return out


def provenance(manifest):
    parts = []
    cl = manifest.get("command_line")
    if isinstance(cl, list) and cl:
        parts.append(f"`{shlex.join(str(c) for c in cl)}`")
    elif isinstance(cl, str) and cl:
        parts.append(f"`{cl}`")
    if "seed" in manifest:
        parts.append(f"seed {manifest['seed']}")
    if "blocks" in manifest:
        parts.append(f"{manifest['blocks']} block" + ("" if manifest["blocks"] == 1 else "s"))
    if manifest.get("date_utc"):
        parts.append(f"{manifest['date_utc']} UTC".replace("Z UTC", "Z"))
    if manifest.get("seedsoil_version"):
        parts.append(f"seedsoil {manifest['seedsoil_version']}")
    wt = wall_time(manifest.get("wall_time_s"))
    if wt:
        parts.append(f"wall time {wt}")
    return " · ".join(parts) if parts else "no manifest.json: provenance unknown"


def get(info, key, default=""):
    if info is None or key not in info.index:
        return default
    v = info[key]
    return default if (isinstance(v, float) and math.isnan(v)) else v


def check_section(check, crit, info, figure, blocks_passed, has_values):
    ok = len(crit) > 0 and bool(crit["check_pass_b"].all())
    lines = [f"### {check}", "", f"**{verdict(ok)}**" + (
        f" — criteria passed: {int(crit['pass_b'].sum())} of {len(crit)}" if len(crit) else
        " — no criteria rows"), ""]
    source = get(info, "source") or (crit["source"].iloc[0] if len(crit) else "")
    if source:
        lines.append(f"- **source:** {source}")
    claim = get(info, "claim")
    if claim:
        lines.append(f"- **claim:** {claim}")
    scen = crit["scenarios"].iloc[0] if len(crit) and "scenarios" in crit else ""
    arms = parse_arms(scen or get(info, "arms"))
    if arms:
        lines.append("- **scenarios:**")
        lines += [f"  - `{a}`: `{s}`" if a else f"  - `{s}`" for a, s in arms]
    seeds = get(info, "seeds", np.nan)
    if not np.isfinite(seeds) and len(crit):
        seeds = crit["seeds"].iloc[0]
    if np.isfinite(seeds):
        lines.append(f"- **seeds:** {int(seeds)} per arm")
    quick = get(info, "quick")
    if quick:
        lines.append(f"- **in `--quick`:** {'yes' if str(quick).lower() == 'true' else 'no'}")
    if blocks_passed:
        lines.append(f"- **blocks:** passed in {blocks_passed[0]} of {blocks_passed[1]}")
    note = str(get(info, "power_note")).strip()
    if note:
        lines.append(f"- **power:** {note}")
    lines.append("")
    if len(crit):
        lines += criteria_table(crit, with_check=False) + [""]
    if figure and not has_values:
        lines += ["No per-seed values for this check in values.csv.", ""]
    if figure:
        lines += [f"![{check}: estimates against targets and per-seed values]"
                  f"({urllib.parse.quote(figure)})", ""]
    return lines


# ---------------------------------------------------------------- main


def main():
    doc = __doc__.split("\n\n")
    p = argparse.ArgumentParser(description=doc[0], epilog="\n\n".join(doc[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", type=Path, metavar="DIR",
                   help="folder written by `seedsoil validate -o DIR`")
    p.add_argument("-o", "--out", type=Path, default=None,
                   help="output folder for validation.md and figures/ (default: DIR)")
    p.add_argument("--pdf", action="store_true", help="also write a PDF of every figure")
    p.add_argument("--figures", default="figures", metavar="NAME",
                   help="folder of the figures under OUT (default: figures)")
    p.add_argument("--power", type=Path, action="append", default=[], metavar="POWER_DIR",
                   help="a `seedsoil validate --blocks K` folder whose power.csv to add to the "
                        "empirical power table, with its provenance (repeatable)")
    args = p.parse_args()

    vpath = args.input / "validation.csv"
    if not vpath.is_file():
        print(f"error: {vpath} not found (is {args.input} a `seedsoil validate -o` folder?)",
              file=sys.stderr)
        sys.exit(2)
    try:
        val = read_table(vpath, "validation")
    except Exception as e:  # noqa: BLE001
        print(f"error: cannot read {vpath}: {e}", file=sys.stderr)
        sys.exit(2)
    missing = {"check", "statistic", "estimate", "pass"} - set(val.columns)
    if missing:
        print(f"error: {vpath} lacks the columns {', '.join(sorted(missing))}", file=sys.stderr)
        sys.exit(2)
    for c, default in [("source", ""), ("block", 0), ("ci_low", np.nan), ("ci_high", np.nan),
                       ("target", ""), ("rule", ""), ("target_low", np.nan),
                       ("target_high", np.nan), ("seeds", np.nan), ("power", np.nan),
                       ("scenarios", ""), ("check_pass", None)]:
        if c not in val.columns:
            val[c] = default
    val["pass_b"] = truthy(val["pass"])
    if val["check_pass"].isna().all():
        val["check_pass_b"] = val.groupby(["check", "block"])["pass_b"].transform("all")
    else:
        val["check_pass_b"] = truthy(val["check_pass"])

    values = optional(args.input / "values.csv", "values")
    if values is not None and not {"check", "observation", "arm", "value"} <= set(values.columns):
        print("warning: values.csv lacks check/observation/arm/value columns; ignored",
              file=sys.stderr)
        values = None
    if values is not None and "block" not in values.columns:
        values["block"] = 0
    checks = optional(args.input / "checks.csv", "checks")
    if checks is not None and "check" in checks.columns:
        checks = checks.drop_duplicates("check").set_index("check")
    else:
        checks = None
    power = optional(args.input / "power.csv", "power")
    manifest = read_manifest(args.input / "manifest.json")
    power_sources = []
    if power is not None and len(power):
        power_sources.append(provenance(manifest))
    for pdir in args.power:
        extra_power = optional(pdir / "power.csv", "power")
        if extra_power is None:
            print(f"error: {pdir / 'power.csv'} not found (run `seedsoil validate --blocks K`)",
                  file=sys.stderr)
            sys.exit(2)
        power = extra_power if power is None else pd.concat([power, extra_power])
        power_sources.append(provenance(read_manifest(pdir / "manifest.json")))

    out = args.out if args.out is not None else args.input
    fig_dir = out / args.figures
    fig_dir.mkdir(parents=True, exist_ok=True)
    plotlib.setup_style()
    saver = plotlib.Saver(fig_dir, args.pdf, args.input)
    rng = np.random.default_rng(0)

    b0 = first_block(val)
    v0 = first_block(values) if values is not None else None
    order = list(dict.fromkeys(val["check"]))
    extra = [c for c in (checks.index if checks is not None else []) if c not in order]

    n_pass = sum(bool(b0.loc[b0["check"] == c, "check_pass_b"].all())
                 for c in order if (b0["check"] == c).any())
    n_checks = len(order) + len(extra)
    failing = [c for c in order if not b0.loc[b0["check"] == c, "check_pass_b"].all()
               or not (b0["check"] == c).any()] + extra

    lines = ["# seedsoil validation report", "", provenance(manifest), ""]
    line = f"**{n_pass} of {n_checks} checks pass**"
    if failing:
        line += " — FAIL: " + ", ".join(f"[{c}](#{slug(c)})" for c in failing)
    lines += [line, ""]
    if "checks_passed" in manifest and "checks" in manifest and (
            manifest["checks_passed"], manifest["checks"]) != (n_pass, n_checks):
        lines += [f"(manifest.json says {manifest['checks_passed']} of {manifest['checks']}.)",
                  ""]
    blocks = b0["block"].dropna()
    which = f"block {int(blocks.iloc[0])}" if len(blocks) else "block 0"
    lines += ["## Summary", "",
              f"One row per criterion ({which}). A check passes when all its criteria pass. "
              "Plug-in power: the chance that a fresh block of as many seeds passes, were the "
              "truth the estimate.", ""]
    lines += criteria_table(b0, with_check=True) + [""]
    if power is not None and len(power):
        lines += ["## Empirical power", "",
                  "Criteria passed over independent blocks of seeds (`--blocks`), with a 95 % "
                  "interval. From:", ""]
        lines += [f"- {s}" for s in power_sources] + [""]
        lines += power_table(power) + [""]
    lines += ["## Checks", "",
              "Figures: one panel per criterion, with its estimate (point) and 95 % CI (bar) "
              "against the target (dashed; the shaded side passes), green when it passes and "
              "vermillion with a cross when it fails; then the per-seed values behind the "
              "statistics, one panel per observation, one column per arm (bar: median).", ""]

    for check in order + extra:
        crit = b0[b0["check"] == check]
        info = checks.loc[check] if checks is not None and check in checks.index else None
        figure = None
        if len(crit):
            vals = (v0[v0["check"] == check] if v0 is not None
                    else pd.DataFrame(columns=["observation", "arm", "value"]))
            arms = parse_arms(crit["scenarios"].iloc[0] or get(info, "arms"))
            check_figure(check, crit, vals, arms, saver, rng)
            figure = f"{args.figures}/{file_stem(check)}.png"
        per_block = val[val["check"] == check].groupby("block")["check_pass_b"].all()
        bp = (int(per_block.sum()), len(per_block)) if len(per_block) > 1 else None
        has_values = v0 is not None and bool((v0["check"] == check).any())
        lines += check_section(check, crit, info, figure, bp, has_values)

    out_md = out / "validation.md"
    out_md.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(out_md)
    saver.report()


if __name__ == "__main__":
    main()
