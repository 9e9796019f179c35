#!/usr/bin/env python3
"""The Python peer of the realized measures' bench (issue 55: native >= 50x a numpy port of
highfrequency's formulas), run by hand, never by a test or `npm run bench`.

highfrequency's per-day formulas as scripts/features-fixtures/realized.py ports them, vectorized with
numpy where the port loops (MedRV's medians of three, the kernel's autocovariances as dot products),
over DAYS days of PER_DAY cent-grid prices each (45% unchanged, a cent up or down otherwise), the
days split by their UTC date as the bench's tape; medians of RUNS runs. Writes
bench/peers/realized.json: the date, machine, load, versions and per case (named as
bench/features-realized.ts names its rows) the prices and median seconds.

    /work/venv-features/bin/python bench/peers/realized.py --out bench/peers/realized.json
    npx biome check --write bench/peers/realized.json
"""
import argparse
import datetime
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

DAYS = 20
PER_DAY = 1_000_000
RUNS = 3
DAY_MS = 86_400_000


def tape():
    rng = np.random.default_rng(1)
    u = rng.random(DAYS * PER_DAY)
    step = np.where(u < 0.45, 0, np.where(u < 0.725, 1, -1))
    price = (10_000 + np.cumsum(step)) / 100
    i = np.arange(DAYS * PER_DAY)
    ts = 1_704_067_200_000 + (i // PER_DAY) * DAY_MS + (i % PER_DAY) * 86
    return price, ts


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
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    price, ts = tape()
    results = []
    for name, f in CASES.items():
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            per_day(price, ts, f)
            times.append(time.perf_counter() - t0)
        results.append({"case": name, "prices": DAYS * PER_DAY, "seconds": statistics.median(times)})
        print(name, results[-1]["seconds"], file=sys.stderr)
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "loadAverage": [round(x, 2) for x in os.getloadavg()], "platform": platform.platform()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__},
        "results": results,
    }
    text = json.dumps(doc, indent=2)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
