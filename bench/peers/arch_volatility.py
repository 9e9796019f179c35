#!/usr/bin/env python3
"""The arch 8.0 peer of the volatility bench, run as a child process by bench/volatility.ts (or by hand),
never by a test. arch comes from its venv (scripts/volatility-fixtures.py says how: /opt/arch-venv).

Reads --returns FILE: T*N little-endian Float64 values, row-major (rows = dates, cols = assets), written
by the bench; --rows T. Times, as medians of --runs runs after one warm-up call:
- garch: arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='normal').fit(disp='off') on column 0;
- gjr-skewt: arch_model(y, vol='GARCH', p=1, o=1, q=1, dist='skewt').fit(disp='off') on column 0;
- panel: the garch fit of each of the first --panel-cols columns, once; `seconds` is that time times
  N / panel-cols (arch fits one column at a time: the whole panel's time at the measured rate).
Prints one JSON document: versions, machine, load, and per case the median seconds.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings

sys.dont_write_bytecode = True
warnings.simplefilter("ignore")

import numpy as np  # noqa: E402

import arch  # noqa: E402
from arch import arch_model  # noqa: E402


def median_seconds(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--returns", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--panel-cols", type=int, default=20)
    ap.add_argument("--cases", default="garch,gjr-skewt,panel")
    args = ap.parse_args()
    data = np.fromfile(args.returns, dtype="<f8")
    T = args.rows
    N = data.size // T
    panel = data.reshape(T, N)
    y = np.ascontiguousarray(panel[:, 0])
    results = []
    for case in args.cases.split(","):
        if case == "garch":
            s = median_seconds(lambda: arch_model(y).fit(disp="off"), args.runs)
        elif case == "gjr-skewt":
            s = median_seconds(lambda: arch_model(y, o=1, dist="skewt").fit(disp="off"), args.runs)
        elif case == "panel":
            P = min(args.panel_cols, N)
            cols = [np.ascontiguousarray(panel[:, c]) for c in range(P)]
            arch_model(cols[0]).fit(disp="off")
            t0 = time.perf_counter()
            for c in cols:
                arch_model(c).fit(disp="off")
            s = (time.perf_counter() - t0) * N / P
        else:
            raise SystemExit(f"unknown case {case}")
        results.append({"case": case, "seconds": s})
    print(json.dumps({
        "arch": arch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load": os.getloadavg(),
        "results": results,
    }))


if __name__ == "__main__":
    main()
