#!/usr/bin/env python3
"""Reference numbers for seedsoil's sensitivity estimators, computed once with SALib.

Writes into tests/data/sensitivity/ (the Rust test tests/sensitivity_salib.rs reads them):

- salib-ishigami-design.csv: SALib's Saltelli design for Sobol' indices of 3 parameters,
  N = 128 base samples with second order (1024 runs), in the unit cube, unscrambled and
  unskipped: the Sobol' sequence of SciPy (Joe & Kuo's new-joe-kuo-6.21201 direction
  numbers), so seedsoil's own design must equal it number for number;
- salib-ishigami-indices.csv: SALib's S1, ST and S2 of the Ishigami function (a = 7,
  b = 0.1, inputs u in [0, 1] mapped to [-pi, pi]) on that design;
- salib-morris.csv and salib-morris-indices.csv: a Morris design of SALib (4 parameters,
  10 trajectories, 4 levels, seed 11), Sobol's G function (a = 0, 1, 9, 99) on it, and
  SALib's mu, mu_star and sigma.

Run from the repository root:

    python3 -m venv /tmp/salib && /tmp/salib/bin/pip install SALib==1.5.1 scipy==1.17.1 numpy==2.4.6 pandas==2.2.3
    /tmp/salib/bin/python scripts/sensitivity_reference.py
"""
import csv
import math
import os

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

OUT = os.path.join("tests", "data", "sensitivity")


def ishigami(u):
    x = -math.pi + 2 * math.pi * u
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def g_function(u, a):
    return np.prod((np.abs(4 * u - 2) + a) / (1 + a), axis=1)


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


def main():
    os.makedirs(OUT, exist_ok=True)
    unit3 = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    x = sobol_sample.sample(unit3, 128, calc_second_order=True, scramble=False, skip_values=0)
    write("salib-ishigami-design.csv", ["x1", "x2", "x3"], x)
    s = sobol_analyze.analyze(unit3, ishigami(x), calc_second_order=True, num_resamples=10, seed=1)
    rows = []
    for i in range(3):
        rows.append(["S1", i + 1, "", s["S1"][i]])
        rows.append(["ST", i + 1, "", s["ST"][i]])
        for l in range(i + 1, 3):
            rows.append(["S2", i + 1, l + 1, s["S2"][i, l]])
    write("salib-ishigami-indices.csv", ["index", "i", "l", "salib"], rows)

    a = np.array([0.0, 1.0, 9.0, 99.0])
    unit4 = {"num_vars": 4, "names": ["x1", "x2", "x3", "x4"], "bounds": [[0, 1]] * 4}
    xm = morris_sample.sample(unit4, 10, num_levels=4, seed=11)
    ym = g_function(xm, a)
    write("salib-morris.csv", ["x1", "x2", "x3", "x4", "y"], np.column_stack([xm, ym]))
    m = morris_analyze.analyze(unit4, xm, ym, num_levels=4, num_resamples=10, seed=1)
    rows = [[i + 1, m["mu"][i], m["mu_star"][i], m["sigma"][i]] for i in range(4)]
    write("salib-morris-indices.csv", ["i", "mu", "mu_star", "sigma"], rows)


if __name__ == "__main__":
    main()
