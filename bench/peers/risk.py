#!/usr/bin/env python3
"""The Python peers of the risk bench (issues 42, 71): one round, run by bench/risk.ts in a child
process between its own rounds, on the same inputs (raw float64 files, row-major), timed here.

Per case, the median of --runs calls after one warm-up call (--slow-runs for the cases of seconds):
- scikit-learn: `sklearn.covariance.LedoitWolf().fit(X)`, the estimator `covariance(returns,
  { method: 'ledoit-wolf' })` follows;
- numpy: `numpy.percentile(X, 5, axis=0)` (the quantile under historical valueAtRisk); `numpy.cov(X,
  rowvar=False)` on the BLAS threads there are and on one (threadpoolctl); a portfolio's volatility
  `sqrt(sum((W @ C) * W, axis=1))` for 10,000 portfolios; Monte Carlo VaR as numpy does it: the
  Cholesky factor of C, 100,000 x 500 normal draws times it, the portfolio's P&L and its 1 % quantile;
- pandas: rolling(63) std, mean / std, cov(b) / var(b), and apply(max drawdown, raw=True) over 25
  columns times 20 (the whole panel would take seconds a call).
Prints one JSON document: versions, and per case its seconds.

    <peers venv>/bin/python bench/peers/risk.py --returns R.f64 --cov C.f64 --weights W.f64 \\
        --benchmark B.f64 --rows 2520 --cols 500 --portfolios 10000
"""

import argparse
import json
import platform
import statistics
import sys
import time

import numpy
import pandas
import sklearn
from sklearn.covariance import LedoitWolf
from threadpoolctl import threadpool_info, threadpool_limits


def median_seconds(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def max_drawdown(r):
    wealth = numpy.cumprod(1 + r)
    return numpy.max(1 - wealth / numpy.maximum.accumulate(wealth))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--returns", required=True)
    ap.add_argument("--cov", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--benchmark", required=True)
    ap.add_argument("--rows", type=int, default=2520)
    ap.add_argument("--cols", type=int, default=500)
    ap.add_argument("--portfolios", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slow-runs", type=int, default=1)
    args = ap.parse_args()
    T, N = args.rows, args.cols
    x = numpy.fromfile(args.returns, dtype="<f8").reshape(T, N)
    cov = numpy.fromfile(args.cov, dtype="<f8").reshape(N, N)
    w = numpy.fromfile(args.weights, dtype="<f8").reshape(args.portfolios, N)
    b = numpy.fromfile(args.benchmark, dtype="<f8")
    one = w[0]
    df = pandas.DataFrame(x)
    bench = pandas.Series(b)
    runs, slow = args.runs, args.slow_runs

    def monte_carlo():
        rng = numpy.random.default_rng(7)
        chol = numpy.linalg.cholesky(cov)
        pnl = (rng.standard_normal((100_000, N)) @ chol.T + 0.0003) @ one
        return numpy.quantile(pnl, 0.01)

    def cov_one_thread():
        with threadpool_limits(1):
            return numpy.cov(x, rowvar=False)

    narrow = df.iloc[:, :25]
    cases = {
        "covariance ledoit-wolf 2520 x 500": (lambda: LedoitWolf().fit(x), runs),
        "valueAtRisk historical 2520 x 500": (lambda: numpy.percentile(x, 5, axis=0), runs),
        "covariance sample 2520 x 500": (lambda: numpy.cov(x, rowvar=False), runs),
        "covariance sample 2520 x 500, 1 BLAS thread": (cov_one_thread, runs),
        "portfolioVolatility 10,000 x 500": (lambda: numpy.sqrt(numpy.sum((w @ cov) * w, axis=1)), runs),
        "monteCarloVar 100,000 paths x 500, 1 portfolio": (monte_carlo, slow),
        "rolling volatility 2520 x 500, window 63": (lambda: df.rolling(63).std(), runs),
        "rolling sharpe 2520 x 500, window 63": (lambda: df.rolling(63).mean() / df.rolling(63).std(), runs),
        "rolling beta 2520 x 500, window 63": (lambda: df.rolling(63).cov(bench) / bench.rolling(63).var(), runs),
        # 25 of the 500 columns: times 20 below
        "rolling maxDrawdown 2520 x 500, window 63": (lambda: narrow.rolling(63).apply(max_drawdown, raw=True), slow),
    }
    results = []
    for name, (fn, n) in cases.items():
        seconds = median_seconds(fn, n)
        if name.startswith("rolling maxDrawdown"):
            seconds *= N / 25
        results.append({"case": name, "seconds": seconds})
        print(f"{name}: {seconds * 1000:.1f} ms", file=sys.stderr)
    blas = ", ".join(sorted({f"{p.get('internal_api')} {p.get('num_threads')} threads" for p in threadpool_info() if p.get("user_api") == "blas"}))
    doc = {
        "versions": {
            "numpy": numpy.__version__,
            "scikit-learn": sklearn.__version__,
            "pandas": pandas.__version__,
            "Python": platform.python_version(),
            "BLAS": blas or "unknown",
        },
        "results": results,
    }
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
