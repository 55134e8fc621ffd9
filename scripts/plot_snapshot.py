#!/usr/bin/env python3
"""Plot the lattice and cytokine-field snapshots of one seedsoil run.

Reads RUN_DIR/snapshots/lattice_day<D>.csv (x,y[,z],kind,rho), fields_day<D>.csv
(x,y[,z],il6_ng_ml,cxcl7_ng_ml), mscs_day<D>.csv if present, and RUN_DIR/config.toml
(space.spacing_um, fields.coarsen, cells.rho_max, space.max_size), and writes, into
--out (default RUN_DIR/plots), one figure per snapshot day:
  snapshot_day<D>.png  the cells coloured by kind next to the IL6 and CXCL7 fields
Colours are those of the run's own pictures (seedsoil render): CSC #D55E00, progenitor
from #56B4E9 (rho = 1) to #0072B2 (rho = rho_max), differentiated #999999, empty white,
MSC ALDH- #F0E442, ALDH+ #009E73. MSCs are small translucent dots (smaller the more
there are) over the cells, ALDH+ on top, so that the tumour stays visible. Fields use
viridis on a log10 scale: values below max/10^4 are shown at that floor (the colour bar
says so). All panels cover the same area (the field grid, which spans the lattice
window) with axes in um (sites x space.spacing_um). 3D runs show the central z slice
(z = space.max_size / 2, the slice of the run's pictures) and every panel names it.
Snapshots are written when the run's config has output.snapshot_days, e.g.
  seedsoil run --days 20 --set output.snapshot_days=[10.0,20.0] -o runs/r

Example:
  python3 scripts/plot_snapshot.py runs/r
"""

import re
import sys

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, LogNorm, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import plotlib
from plotlib import KIND_COLOURS, MSC_COLOURS, PROGENITOR_DARK, PROGENITOR_LIGHT, plt

FIELDS = [("il6_ng_ml", "IL6"), ("cxcl7_ng_ml", "CXCL7")]
#: Field values below max / FLOOR_RATIO are shown at the floor.
FLOOR_RATIO = 1e4


def progenitor_colour(rho, rho_max):
    """#56B4E9 at rho = 1 to #0072B2 at rho = rho_max, linearly in RGB."""
    t = 0.0 if rho_max <= 1 else min(max((rho - 1) / (rho_max - 1), 0.0), 1.0)
    a, b = np.array(to_rgb(PROGENITOR_LIGHT)), np.array(to_rgb(PROGENITOR_DARK))
    return tuple(a + (b - a) * t)


def main():
    p = plotlib.parser(__doc__.split("\n\n")[0], "run folder containing snapshots/")
    p.epilog = "\n\n".join(__doc__.split("\n\n")[1:])
    args = p.parse_args()
    plotlib.setup_style()

    snap = args.input / "snapshots"
    if not snap.is_dir():
        sys.exit(f"error: {snap} not found (run with output.snapshot_days set)")
    days = {}
    for f in snap.glob("lattice_day*.csv"):
        m = re.fullmatch(r"lattice_day(.+)\.csv", f.name)
        if m:
            days[m.group(1)] = f
    if not days:
        sys.exit(f"error: no lattice_day<D>.csv in {snap}")
    cfg = plotlib.read_config(args.input)
    space = cfg.get("space", {})
    sp = float(space.get("spacing_um", 10.0))
    coarsen = int(cfg.get("fields", {}).get("coarsen", 4))
    rho_max = int(cfg.get("cells", {}).get("rho_max", 10))
    domain = int(space.get("max_size", 0))
    out = plotlib.out_dir(args)
    saver = plotlib.Saver(out, args.pdf, args.input)

    # codes: 0 empty, 1 differentiated, 1 + rho progenitor(rho), rho_max + 2 CSC
    csc_code = rho_max + 2
    codes = {"differentiated": 1, "progenitor": 1, "csc": csc_code}
    palette = (["#FFFFFF", KIND_COLOURS["differentiated"]]
               + [progenitor_colour(r, rho_max) for r in range(1, rho_max + 1)]
               + [KIND_COLOURS["csc"]])
    cmap = ListedColormap(palette)

    def order(d):
        try:
            return float(d)
        except ValueError:
            return float("inf")

    for d in sorted(days, key=order):
        lat_all = pd.read_csv(days[d])
        three_d = "z" in lat_all.columns and (space.get("dims") == 3 or lat_all["z"].nunique() > 1)
        zc = None
        if three_d:
            zc = domain // 2 if domain else int(np.sort(lat_all["z"].unique())[lat_all["z"].nunique() // 2])
        lat = lat_all[lat_all["z"] == zc] if three_d else lat_all
        slice_note = f"\nz = {zc * sp:g} µm, central slice" if three_d else ""
        lat_where = {"z": zc} if three_d else {}

        fpath = snap / f"fields_day{d}.csv"
        fields = pd.read_csv(fpath) if fpath.is_file() else None
        fmax = {}
        f_where = {}
        if fields is not None:
            fmax = {c: float(pd.to_numeric(fields[c], errors="coerce").max())
                    for c, _ in FIELDS if c in fields.columns}
            if three_d:
                zs = np.sort(fields["z"].unique())
                zf = int(zs[zs <= zc].max()) if (zs <= zc).any() else int(zs[0])
                fields = fields[fields["z"] == zf]
                f_where = {"z": zf}
        fcols = [(c, n) for c, n in FIELDS if fields is not None and c in fields.columns]

        # the common area, in sites: the field grid (it spans the lattice window), grown to
        # hold every cell
        if fcols:
            x0, x1 = int(fields["x"].min()), int(fields["x"].max()) + coarsen
            y0, y1 = int(fields["y"].min()), int(fields["y"].max()) + coarsen
        else:
            x0, x1, y0, y1 = 10**9, -10**9, 10**9, -10**9
        if len(lat):
            x0, x1 = min(x0, int(lat["x"].min()) - 2), max(x1, int(lat["x"].max()) + 3)
            y0, y1 = min(y0, int(lat["y"].min()) - 2), max(y1, int(lat["y"].max()) + 3)
        if x1 <= x0:
            x0, x1, y0, y1 = 0, 1, 0, 1
        extent = (x0 * sp, x1 * sp, y0 * sp, y1 * sp)

        n = 1 + len(fcols)
        fig, axes = plt.subplots(2, n, figsize=(5.0 * n + 0.4, 6.4), squeeze=False,
                                 layout="constrained", gridspec_kw={"height_ratios": [1, 0.045]})
        ax = axes[0][0]
        lax = axes[1][0]
        lax.axis("off")
        kinds = lat["kind"].astype(str).str.strip().str.lower()
        rho = pd.to_numeric(lat["rho"], errors="coerce").fillna(0) if "rho" in lat.columns else 0
        code = kinds.map(codes).fillna(0) + np.where(kinds == "progenitor", rho, 0)
        img = np.zeros((y1 - y0, x1 - x0), dtype=float)
        img[lat["y"].to_numpy(int) - y0, lat["x"].to_numpy(int) - x0] = code.to_numpy(float)
        im = ax.imshow(img, origin="lower", cmap=cmap, vmin=-0.5, vmax=csc_code + 0.5,
                       interpolation="nearest", extent=extent)
        plotlib.track(fig, im, array={
            "file": days[d], "column": "kind", "where": lat_where,
            "codes": codes, "add_column": "rho", "add_when": {"kind": "progenitor"},
            "pivot": {"x": "x", "y": "y", "xs": list(range(x0, x1)), "ys": list(range(y0, y1)),
                      "fill": 0}})
        ax.grid(False)
        counts = kinds.value_counts()
        handles = [
            Patch(color=KIND_COLOURS["csc"], label=f"CSC ({counts.get('csc', 0)})"),
            Patch(color=PROGENITOR_LIGHT, label=f"progenitors ({counts.get('progenitor', 0)}): ρ = 1"),
            Patch(color=PROGENITOR_DARK, label=f"… to ρ = ρmax = {rho_max}"),
            Patch(color=KIND_COLOURS["differentiated"],
                  label=f"differentiated ({counts.get('differentiated', 0)})"),
        ]
        mpath = snap / f"mscs_day{d}.csv"
        if mpath.is_file():
            ms = pd.read_csv(mpath)
            if three_d and "z" in ms.columns:
                ms = ms[ms["z"] == zc]
            n_msc = len(ms)
            # small translucent dots, smaller the more MSCs there are
            size = float(np.clip(1500.0 / max(n_msc, 1), 0.2, 9.0))
            alpha = 0.9 if n_msc < 500 else 0.5
            edge = 0.25 if n_msc < 500 else 0.0
            for pos, key, lab in ((0, "aldh_neg", "MSC ALDH−"), (1, "aldh_pos", "MSC ALDH+")):
                m = ms[pd.to_numeric(ms["aldh_pos"], errors="coerce") == pos]
                if m.empty:
                    continue
                h = ax.scatter((m["x"] + 0.5) * sp, (m["y"] + 0.5) * sp, s=size,
                               color=MSC_COLOURS[key], alpha=alpha, lw=edge,
                               edgecolors="#555555", zorder=3, label=f"{lab} ({len(m)})")
                where = {**({"z": zc} if three_d else {}), "aldh_pos": pos}
                plotlib.track(fig, h,
                              x={"file": mpath, "column": "x", "where": where, "scale": sp,
                                 "offset": 0.5 * sp},
                              y={"file": mpath, "column": "y", "where": where, "scale": sp,
                                 "offset": 0.5 * sp})
                handles.append(Line2D([], [], ls="", marker="o", ms=5, color=MSC_COLOURS[key],
                                      mec="#555555", mew=0.4,
                                      label=f"{lab} ({len(m)}, dots)"))
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        ax.set_title(f"cells, day {d}{slice_note}")
        lax.legend(handles=handles, loc="upper center", ncol=2, fontsize=8, frameon=False,
                   borderaxespad=0)
        for ax, cax, (col, name) in zip(axes[0][1:], axes[1][1:], fcols):
            vals = pd.to_numeric(fields[col], errors="coerce")
            xs = sorted(fields["x"].unique())
            ys = sorted(fields["y"].unique())
            grid = fields.assign(_v=vals).pivot_table(index="y", columns="x", values="_v",
                                                      aggfunc="mean").reindex(index=ys, columns=xs)
            z = grid.to_numpy(dtype=float)
            vmax = fmax.get(col, np.nan)
            fext = (xs[0] * sp, (xs[-1] + coarsen) * sp, ys[0] * sp, (ys[-1] + coarsen) * sp)
            spec = {"file": fpath, "column": col, "where": f_where,
                    "pivot": {"x": "x", "y": "y", "xs": [int(v) for v in xs],
                              "ys": [int(v) for v in ys]}}
            if np.isfinite(vmax) and vmax > 0:
                floor = vmax / FLOOR_RATIO
                zc_ = np.where(np.isnan(z), np.nan, np.maximum(z, floor))
                im = ax.imshow(zc_, origin="lower", cmap="viridis", interpolation="nearest",
                               norm=LogNorm(vmin=floor, vmax=vmax), extent=fext)
                plotlib.track(fig, im, array={**spec, "clip_min": floor})
                cb = fig.colorbar(im, cax=cax, orientation="horizontal")
                cb.set_label(f"{name} (ng/mL), log10 scale;\n< max/10⁴ = {floor:.2g} shown at the floor",
                             fontsize=9)
            else:
                im = ax.imshow(np.zeros_like(z), origin="lower", cmap="viridis", vmin=0, vmax=1,
                               interpolation="nearest", extent=fext)
                plotlib.track(fig, im, array=spec)
                ax.text(0.5, 0.5, f"{name} = 0 everywhere", transform=ax.transAxes,
                        ha="center", va="center", color="white")
                cax.axis("off")
            ax.grid(False)
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
            ax.set_aspect("equal")
            ax.set_xlabel("x (µm)")
            ax.set_ylabel("y (µm)")
            ax.set_title(f"{name}, day {d}{slice_note}")
        saver.save(fig, f"snapshot_day{d}")

    saver.report()


if __name__ == "__main__":
    main()
