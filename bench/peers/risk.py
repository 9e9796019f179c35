#!/usr/bin/env python3
"""The Python peers of the risk bench's Ledoit-Wolf and historical-VaR rows (issue 42), run by hand,
never by a test or `npm run bench`.

On a 2,520 x 500 panel of uniform daily returns in (-1.75 %, 1.75 %) (the bench's panel() draws the
same distribution with its own generator), times, as medians and best of 15 after 2 warm-ups:
- scikit-learn: `sklearn.covariance.LedoitWolf().fit(X)` (its covariance_ and shrinkage_), the
  estimator the native `covariance(returns, { method: 'ledoit-wolf' })` follows;
- numpy: `numpy.percentile(X, 5, axis=0)` (linear interpolation), the quantile under
  `valueAtRisk(returns, { method: 'historical' })` (which also gives the expected shortfall).
Prints one JSON document (and writes it to --out): the date, machine, load, versions and, per peer,
the median, best and every time in seconds. bench/risk.ts reads bench/peers/risk.json into its notes
and ratios.

    /work/venv/bin/python bench/peers/risk.py --out bench/peers/risk.json
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import time

import numpy
import sklearn
from sklearn.covariance import LedoitWolf
from threadpoolctl import threadpool_info

RUNS = 15
WARMUPS = 2


def timed(fn):
    for _ in range(WARMUPS):
        fn()
    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return {"seconds": statistics.median(runs), "best": min(runs), "runs": [round(r, 6) for r in runs]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    args = parser.parse_args()
    rng = numpy.random.default_rng(3)
    x = (rng.random((2520, 500)) - 0.5) * 0.035
    results = [
        {"case": "covariance ledoit-wolf 2520 x 500", "peer": "sklearn.covariance.LedoitWolf().fit", **timed(lambda: LedoitWolf().fit(x))},
        {"case": "valueAtRisk historical 2520 x 500", "peer": "numpy.percentile(axis=0)", **timed(lambda: numpy.percentile(x, 5, axis=0))},
    ]
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "loadAverage": [round(v, 2) for v in os.getloadavg()], "platform": platform.platform()},
        "versions": {"python": platform.python_version(), "numpy": numpy.__version__, "scikit-learn": sklearn.__version__},
        "blas": [{"api": p.get("internal_api"), "threads": p.get("num_threads")} for p in threadpool_info()],
        "runs": RUNS,
        "results": results,
    }
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
