#!/usr/bin/env python3
"""Check that PNG figures exist, are large enough and are not blank.

Exits 1 and names every failing file. Used by scripts/test_plots.sh.
Example: python3 scripts/check_png.py out/plots/*.png --min-width 400 --min-height 300
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402


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
    args = p.parse_args()
    bad = 0
    for f in args.files:
        why = check(f, args.min_width, args.min_height, args.min_std, args.min_fraction)
        if why:
            print(f"FAIL {f}: {why}", file=sys.stderr)
            bad += 1
    if bad:
        print(f"check_png: {bad} of {len(args.files)} figures failed", file=sys.stderr)
        sys.exit(1)
    print(f"check_png: {len(args.files)} figures ok")


if __name__ == "__main__":
    main()
