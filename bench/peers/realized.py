#!/usr/bin/env python3
"""The Python peer of the realized measures' bench (issues 55, 71: native >= 50x a numpy port of
highfrequency's formulas): one round, run by bench/features-realized.ts in a child process between its
own rounds, on the bench's own tape (raw float64 files of the prices and their ms timestamps).

highfrequency's per-day formulas as scripts/features-fixtures/realized.py ports them, vectorized with
numpy where the port loops (MedRV's medians of three, the kernel's autocovariances as dot products),
per UTC day of the tape; per case the median of --runs runs. Prints one JSON document: versions, and
per case (named as bench/features-realized.ts names its rows) the prices and seconds.

    <peers venv>/bin/python bench/peers/realized.py --price P.f64 --ts TS.f64
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "features-fixtures"))
import realized as port  # noqa: E402

DAY_MS = 86_400_000


def per_day(price, ts, f):
    day = ts // DAY_MS
    bounds = np.flatnonzero(np.diff(day)) + 1
    return [f(p) for p in np.split(price, bounds)]


def medrv(p):
    q = np.abs(port.make_returns(p))
    m = np.median(np.stack([q[:-2], q[1:-1], q[2:]]), axis=0)
    N = len(m) + 2
    return (math.pi / (6 - 4 * math.sqrt(3) + math.pi)) * (N / (N - 2)) * np.sum(m**2)


def kernel(p, q=1):
    r = port.make_returns(p)
    n = len(r)
    ans = np.dot(r, r)
    for h in range(1, q + 1):
        ab = np.dot(r[:-h], r[h:])
        ans += port.kk((h - 1) / q, 9) * (n / (n - h)) * (ab + ab)
    return ans


CASES = {
    "realizedVariance": lambda p: port.r_rvar(port.make_returns(p)),
    "bipowerVariation": lambda p: port.rbpvar(port.make_returns(p)),
    "medRV": medrv,
    "minRV": lambda p: port.r_minrvar(port.make_returns(p)),
    "realizedKernel parzen, bandwidth 1": kernel,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--price", required=True)
    ap.add_argument("--ts", required=True)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    price = np.fromfile(args.price, dtype="<f8")
    ts = np.fromfile(args.ts, dtype="<f8").astype(np.int64)
    results = []
    for name, f in CASES.items():
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            per_day(price, ts, f)
            times.append(time.perf_counter() - t0)
        results.append({"case": name, "prices": len(price), "seconds": statistics.median(times)})
        print(name, results[-1]["seconds"], file=sys.stderr)
    print(json.dumps({"versions": {"numpy": np.__version__, "Python": platform.python_version()}, "results": results}))


if __name__ == "__main__":
    main()
