#!/usr/bin/env python3
"""The PyPortfolioOpt 1.5.6 peer of the portfolio bench (issue 71), run as a child process by the bench
(bench/portfolio-peers.ts), one round at a time interleaved with ours, or by hand; never by a test.
PyPortfolioOpt comes from `npm run bench:peers` (scripts/bench-peers.sh: the peers' venv finds its
source through a .pth file) or scripts/setup-pfo.sh (venv /opt/pfo-venv, source /opt/pfo-src, which
KERNELBUS_PFO_SRC names). This file is not named pypfopt.py: Python puts a script's own folder first
on sys.path, and `import pypfopt` would then import the script itself.

Each --case NAME=KIND:FILE[,FILE] times, as the median (and best) of --runs calls after one warm-up,
what a user calls, on inputs the bench wrote (little-endian float64, row-major):
- min_volatility COV: EfficientFrontier(None, S, weight_bounds=(0, 1), solver="CLARABEL").min_volatility()
- max_sharpe MEAN,COV: EfficientFrontier(mu, S, solver="CLARABEL").max_sharpe(risk_free_rate=0)
- hrp RETURNS: HRPOpt(pandas.DataFrame(R)).optimize("single") (its covariance and correlation included)
- dpotrf COV: scipy.linalg.lapack.dpotrf(S) (LAPACK's Cholesky in the OpenBLAS numpy and scipy load:
  the yardstick of a blocked factorization at this machine's FLOP rate), on a copy made before the call,
  on OpenBLAS's default threads; dpotrf1 COV: the same on one thread (threadpoolctl's limit).
Each call gets a fresh copy of its covariance (a new array, as an engine passes one), made outside the
timing. N is the square root of the covariance's length; RETURNS has --rows rows.
Prints one JSON document: the date, load, versions and BLAS, and per case its median, best and runs in
seconds.

    /opt/pfo-venv/bin/python bench/peers/portfolio.py --case mv=min_volatility:/tmp/cov.f64 --runs 5
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no bytecode cache folder left in the checkout
sys.path.insert(0, os.environ.get("KERNELBUS_PFO_SRC", "/opt/pfo-src"))

import cvxpy  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg.lapack as lapack  # noqa: E402
from pypfopt import EfficientFrontier, HRPOpt  # noqa: E402


def load(path, rows=None):
    x = np.fromfile(path, dtype="<f8")
    if rows is None:
        n = int(round(len(x) ** 0.5))
        return x.reshape(n, n)
    return x.reshape(rows, len(x) // rows)


def timed(make, call, runs):
    """Median and best seconds of call(make()) over runs calls, after one; make() outside the timing."""
    call(make())
    times = []
    for _ in range(runs):
        arg = make()
        t0 = time.perf_counter()
        call(arg)
        times.append(time.perf_counter() - t0)
    return {"seconds": statistics.median(times), "best": min(times), "runs": [round(t, 6) for t in times]}


def run_case(kind, files, rows, runs):
    if kind == "min_volatility":
        S = load(files[0])
        return timed(
            lambda: S.copy(),
            lambda s: EfficientFrontier(None, s, weight_bounds=(0, 1), solver="CLARABEL").min_volatility(),
            runs,
        )
    if kind == "max_sharpe":
        mu = np.fromfile(files[0], dtype="<f8")
        S = load(files[1])
        return timed(lambda: S.copy(), lambda s: EfficientFrontier(mu, s, solver="CLARABEL").max_sharpe(risk_free_rate=0.0), runs)
    if kind == "hrp":
        R = pd.DataFrame(load(files[0], rows))
        return timed(lambda: R, lambda r: HRPOpt(r).optimize("single"), runs)
    if kind in ("dpotrf", "dpotrf1"):
        S = load(files[0])

        def factor(a):
            _, info = lapack.dpotrf(a, lower=1, overwrite_a=1)
            if info != 0:
                raise RuntimeError(f"dpotrf info {info}")

        if kind == "dpotrf":
            return timed(lambda: np.asfortranarray(S), factor, runs)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return timed(lambda: np.asfortranarray(S), factor, runs)
    raise SystemExit(f"unknown kind {kind}")


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for p in threadpool_info()]
    except ImportError:
        cfg = np.show_config(mode="dicts")
        return [cfg.get("Build Dependencies", {}).get("blas", {})]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", action="append", default=[], help="NAME=KIND:FILE[,FILE]")
    parser.add_argument("--rows", type=int, default=2520)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = []
    for spec in args.case:
        name, rest = spec.split("=", 1)
        kind, files = rest.split(":", 1)
        results.append({"case": name, "kind": kind, **run_case(kind, files.split(","), args.rows, args.runs)})
    versions = {
        "python": sys.version.split()[0],
        "pypfopt": "1.5.6",
        "cvxpy": cvxpy.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
    }
    try:
        import clarabel

        versions["clarabel"] = clarabel.__version__
    except (ImportError, AttributeError):
        pass
    print(
        json.dumps(
            {
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "loadAverage": [round(x, 2) for x in os.getloadavg()],
                "versions": versions,
                "blas": blas_info(),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
