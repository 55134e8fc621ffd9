#!/usr/bin/env python3
"""Check that PNG figures exist, are large enough, are not blank and (--source) plot their data.

Exits 1 and names every failing file. Used by scripts/test_plots.sh.
Example: python3 scripts/check_png.py out/plots/*.png --min-width 400 --min-height 300

With --source, each PNG must also carry the `seedsoil-data` text chunk that the plotting
scripts embed (scripts/plotlib.py): for every tracked series it re-reads the named CSV
column, derives the plotted values again (filters, aggregation, scale, ...) and checks
that the counts match, that finite values exist and that the values (at least the last
one) are equal. A figure without the chunk, without the provenance footer, without any
tracked series, or whose series have no finite value (an axes-only figure) fails.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import pandas as pd  # noqa: E402
from PIL import Image  # noqa: E402

DATA_KEY = "seedsoil-data"
RTOL = 1e-9
ATOL = 1e-12


def derive(spec, cache):
    """The values a tracked series should have, from its source spec (see
    scripts/plotlib.py `track`)."""
    f = spec["file"]
    if f not in cache:
        cache[f] = pd.read_csv(f, low_memory=False)
    df = cache[f]
    for col, val in (spec.get("where") or {}).items():
        vals = val if isinstance(val, list) else [val]
        keep = df[col].isin(vals)
        if not keep.any():
            # numbers written as text in the spec, or the reverse
            keep = df[col].astype(str).isin([str(v) for v in vals])
        df = df[keep]
    col = spec["column"]
    if col not in df.columns:
        raise ValueError(f"column {col!r} not in {f}")
    if spec.get("dropna"):
        df = df[pd.to_numeric(df[col], errors="coerce").notna()]
    if "pivot" in spec:
        pv = spec["pivot"]
        v = df[col].map(spec["codes"]) if "codes" in spec else pd.to_numeric(df[col], errors="coerce")
        if "add_column" in spec:
            add = pd.to_numeric(df[spec["add_column"]], errors="coerce").fillna(0)
            when = pd.Series(True, index=df.index)
            for c, val in (spec.get("add_when") or {}).items():
                when &= df[c] == val
            v = v + add.where(when, 0)
        d = df.assign(_v=v)
        grid = d.pivot_table(index=pv["y"], columns=pv["x"], values="_v",
                             aggfunc=pv.get("how", "mean"))
        if "xs" in pv:
            grid = grid.reindex(columns=pv["xs"])
        if "ys" in pv:
            grid = grid.reindex(index=pv["ys"])
        out = grid.to_numpy(dtype=float)
        if "fill" in pv:
            out = np.where(np.isnan(out), pv["fill"], out)
        out = out.ravel()
    else:
        if "codes" in spec:
            v = df[col].map(spec["codes"]).astype(float)
        else:
            v = pd.to_numeric(df[col], errors="coerce")
        if "agg" in spec:
            by = spec["agg"]["by"]
            how = spec["agg"]["how"]
            g = df.assign(_v=v).groupby(by)["_v"]
            num = getattr(g, how)()
            if "divide_by" in spec:
                den = df.assign(_d=pd.to_numeric(df[spec["divide_by"]], errors="coerce")).groupby(by)["_d"]
                den = getattr(den, how)()
                num = num / den.where(den != 0)
            out = num.to_numpy(dtype=float)
        else:
            if "divide_by" in spec:
                den = pd.to_numeric(df[spec["divide_by"]], errors="coerce")
                v = v / den.where(den != 0)
            out = v.to_numpy(dtype=float)
    out = out * float(spec.get("scale", 1.0)) + float(spec.get("offset", 0.0))
    if "clip_min" in spec:
        out = np.where(np.isnan(out), np.nan, np.maximum(out, spec["clip_min"]))
    if spec.get("mask") == "nonpositive":
        out = np.where(out > 0, out, np.nan)
    return out


def close(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    ok = np.isclose(a, b, rtol=RTOL, atol=ATOL) | both_nan
    return bool(np.all(ok))


def compare(coord, dig, spec, cache):
    """None if the plotted digest matches the derived values, else why not."""
    if not dig.get("finite"):
        return f"{coord}: no finite plotted value"
    exp = derive(spec, cache)
    plotted = None if dig.get("values") is None else np.array(
        [np.nan if v is None else v for v in dig["values"]], dtype=float)
    if spec.get("mode") == "subset":
        allowed = np.concatenate([exp[np.isfinite(exp)], np.asarray(spec.get("extra", []), float)])
        if plotted is None:
            return f"{coord}: subset check needs the plotted values"
        fin = plotted[np.isfinite(plotted)]
        bad = [v for v in fin if not np.isclose(allowed, v, rtol=RTOL, atol=ATOL).any()]
        if bad:
            return f"{coord}: plotted {float(bad[0])!r} is not a value of {spec['column']}"
        return None
    if exp.size != dig["n"]:
        return f"{coord}: {dig['n']} plotted values, {exp.size} derived from {spec['column']}"
    fin = exp[np.isfinite(exp)]
    if fin.size != dig["finite"]:
        return f"{coord}: {dig['finite']} finite plotted values, {fin.size} derived"
    last = np.nan if dig["last"] is None else dig["last"]
    if not close(last, exp[-1]):
        return f"{coord}: last plotted value {last!r}, CSV {spec['column']} gives {float(exp[-1])!r}"
    if plotted is not None:
        if not close(plotted, exp):
            i = int(np.argmax(~(np.isclose(plotted, exp, rtol=RTOL, atol=ATOL)
                                | (np.isnan(plotted) & np.isnan(exp)))))
            return f"{coord}: value {i} plotted {float(plotted[i])!r}, derived {float(exp[i])!r}"
    else:
        for k, fn in (("sum", np.sum), ("min", np.min), ("max", np.max)):
            if fin.size and not close(dig[k], fn(fin)):
                return f"{coord}: plotted {k} {dig[k]!r}, derived {float(fn(fin))!r}"
    return None


def check_source(path):
    """None if the embedded data of `path` re-derive from their CSVs, else why not."""
    try:
        text = Image.open(path).text
    except Exception as e:  # noqa: BLE001
        return f"unreadable ({e})"
    if DATA_KEY not in text:
        return f"no {DATA_KEY} text chunk (not made by a seedsoil plotting script?)"
    try:
        data = json.loads(text[DATA_KEY])
    except ValueError as e:
        return f"{DATA_KEY} is not JSON ({e})"
    if not data.get("provenance"):
        return "no provenance footer recorded"
    cache = {}
    tracked = 0
    for ax in data.get("axes", []):
        for s in ax.get("series", []):
            if "source" not in s:
                continue
            tracked += 1
            for coord, spec in s["source"].items():
                dig = s["data"].get(coord)
                if dig is None:
                    return f"series {s.get('label')!r}: no plotted {coord}"
                try:
                    why = compare(coord, dig, spec, cache)
                except Exception as e:  # noqa: BLE001
                    why = f"{coord}: cannot derive from {spec.get('file')} ({type(e).__name__}: {e})"
                if why:
                    return f"axes {ax['index']} ({ax.get('title')!r}), series {s.get('label')!r}: {why}"
    if not tracked:
        return "no plotted series names its source CSV"
    return None


def check(path, min_w, min_h, min_std, min_frac):
    if not path.is_file():
        return "missing"
    try:
        img = mpimg.imread(path)
    except Exception as e:  # noqa: BLE001
        return f"unreadable ({e})"
    h, w = img.shape[:2]
    if w < min_w or h < min_h:
        return f"too small: {w}x{h} px (need >= {min_w}x{min_h})"
    rgb = img[..., :3] if img.ndim == 3 else img[..., None]
    rgb = rgb.astype(float)
    if rgb.max() > 1.0:
        rgb = rgb / 255.0
    std = float(rgb.std())
    if std <= min_std:
        return f"blank: pixel standard deviation {std:.4f} <= {min_std}"
    # background = the most common colour
    flat = np.round(rgb.reshape(-1, rgb.shape[-1]) * 255).astype(np.int32)
    keys = flat[:, 0] * 65536 + flat[:, 1] * 256 + flat[:, -1]
    vals, counts = np.unique(keys, return_counts=True)
    frac = 1.0 - counts.max() / keys.size
    if frac <= min_frac:
        return f"blank: only {100 * frac:.2f} % of pixels differ from the background"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", type=Path, help="PNG files to check")
    p.add_argument("--min-width", type=int, default=400, help="minimum width in px (400)")
    p.add_argument("--min-height", type=int, default=300, help="minimum height in px (300)")
    p.add_argument("--min-std", type=float, default=0.01,
                   help="minimum pixel standard deviation, 0-1 scale (0.01)")
    p.add_argument("--min-fraction", type=float, default=0.01,
                   help="minimum fraction of non-background pixels (0.01)")
    p.add_argument("--source", action="store_true",
                   help="also check the embedded data against the source CSVs")
    args = p.parse_args()
    bad = 0
    for f in args.files:
        why = check(f, args.min_width, args.min_height, args.min_std, args.min_fraction)
        if not why and args.source:
            why = check_source(f)
        if why:
            print(f"FAIL {f}: {why}", file=sys.stderr)
            bad += 1
    if bad:
        print(f"check_png: {bad} of {len(args.files)} figures failed", file=sys.stderr)
        sys.exit(1)
    extra = " (embedded data re-derived from their CSVs)" if args.source else ""
    print(f"check_png: {len(args.files)} figures ok{extra}")


if __name__ == "__main__":
    main()
