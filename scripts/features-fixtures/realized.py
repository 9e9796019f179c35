#!/usr/bin/env python3
"""highfrequency's realized measures and HAR model, ported to numpy: the fixtures of
test/features/realized-highfrequency.test.ts.

R packages cannot be installed here, so this is a port of R highfrequency 1.0's code (the tree at
github.com/jonathancornelissen/highfrequency 967dc40e, 5 Dec 2022), written line by line from:
  R/realizedMeasures.R          rRVar, rBPCov (-> RBPVar), rMedRVar, rMinRVar, rSVar, rTSCov (-> TSRV),
                                rKernelCov (-> kernelEstimator), their data.table branch's day loop
  R/internalRealizedMeasures.R  RBPVar, TSRV, kernelCharToInt
  R/internal.R                  makeReturns
  highfrequency/src/realizedMeasures.cpp      KK, kernelEstimator
  R/HARmodel.R, highfrequency/src/HARmodel.cpp  HARmodel (type "HAR", h = 1), har_agg, harInsanityFilter, predict
Each function below names the R code it follows. R's 1-based ranges are written as they are and
shifted by one where numpy indexes.

Writes test/features/fixtures/highfrequency-realized.json: seeded tapes (ts epoch ms, prices on a
cent grid; Python's shortest round-trip repr) and per case the measure per day (the day's date as
epoch ms of its UTC midnight), and HAR fits of a series of daily RVs.

    /work/venv-features/bin/python scripts/features-fixtures/realized.py
"""
import json
import math
import os

import numpy as np

DAY_MS = 86_400_000


# R/internal.R makeReturns: x[2:l] <- log(x[2:l]) - log(x[1:(l-1)]); x[1] <- 0
def make_returns(p):
    x = np.array(p, dtype=float)
    r = np.empty_like(x)
    r[1:] = np.log(x[1:]) - np.log(x[:-1])
    r[0] = 0
    return r


# rRVar: rv <- colSums(q^2)
def r_rvar(r):
    return float(np.sum(r**2))


# RBPVar: (pi/2) * sum(abs(returns[1:(n-1)]) * abs(returns[2:n]))
# (one return: R's 1:0 indexing gives NA; numpy's empty sum gives 0, kernelbus's documented value)
def rbpvar(r):
    n = len(r)
    return float((math.pi / 2) * np.sum(np.abs(r[0 : n - 1]) * np.abs(r[1:n])))


# rMedRVar: q <- abs(rData); q <- rollmedian(q, k = 3, align = "center"); N <- nrow(q) + 2
#           medrv <- (pi / (6 - 4 * sqrt(3) + pi)) * (N / (N - 2)) * colSums(q^2)
def r_medrvar(r):
    q = np.abs(r)
    if len(q) < 3:
        return float("nan")  # rollmedian of fewer than 3: no value (N / (N - 2) x 0 is NaN at N = 2)
    q = np.array([np.median(q[i : i + 3]) for i in range(len(q) - 2)])
    N = len(q) + 2
    return float((math.pi / (6 - 4 * math.sqrt(3) + math.pi)) * (N / (N - 2)) * np.sum(q**2))


# rMinRVar: q <- abs(rData); q <- rollapply(q, width = 2, FUN = min, align = "left"); N <- dim(q)[1] + 1
#           minrv <- (pi/(pi - 2)) * (N/(N - 1)) * colSums(q^2)
def r_minrvar(r):
    q = np.abs(r)
    q = np.minimum(q[:-1], q[1:])
    N = len(q) + 1
    if N == 1:
        return float("nan")  # (1/0) x 0
    return float((math.pi / (math.pi - 2)) * (N / (N - 1)) * np.sum(q**2))


# rSVar: rSVard <- colSums((q * select.down)^2); rSVaru <- colSums((q * select.up)^2)
def r_svar(r):
    return float(np.sum((r * (r > 0)) ** 2)), float(np.sum((r * (r < 0)) ** 2))


# TSRV(pData, K, J) (rTSCov on one asset): logprices <- log(pData); n; nbarK <- (n - K + 1)/K;
# nbarJ <- (n - J + 1)/J; adj <- (1 - (nbarK/nbarJ))^-1; for (k in 1:K) { sel <- seq(k, n, K);
# logreturns_K <- logreturns_K + sum(diff(logprices[sel])^2) }; likewise J;
# TSRV <- adj * ((1/K) * logreturns_K - ((nbarK/nbarJ) * (1/J) * logreturns_J))
def tsrv(p, K, J):
    logprices = np.log(np.array(p, dtype=float))
    n = len(logprices)
    if n < K:
        return float("nan")  # R: seq(k, n, K) with k > n stops with an error
    nbarK = (n - K + 1) / K
    nbarJ = (n - J + 1) / J
    adj = (1 - (nbarK / nbarJ)) ** -1
    lK = 0.0
    for k in range(1, K + 1):
        sel = logprices[k - 1 : n : K]
        lK = lK + np.sum(np.diff(sel) ** 2)
    lJ = 0.0
    for j in range(1, J + 1):
        sel = logprices[j - 1 : n : J]
        lJ = lJ + np.sum(np.diff(sel) ** 2)
    return float(adj * ((1 / K) * lK - ((nbarK / nbarJ) * (1 / J) * lJ)))


KERNELS = ["rectangular", "bartlett", "second", "epanechnikov", "cubic", "fifth", "sixth", "seventh",
           "eighth", "parzen", "tukeyHanning", "modifiedTukeyHanning"]


# highfrequency/src/realizedMeasures.cpp KK(x, type)
def kk(x, t):
    if t == 0:
        return 1.0
    if t == 1:
        return 1 - x
    if t == 2:
        return 1 - 2 * x**3
    if t == 3:
        return 1 - x**2
    if t == 4:
        return 1 - 3 * x**2 + 2 * x**3
    if t == 5:
        return 1 - 10 * x**3 + 15 * x**4 - 6 * x**5
    if t == 6:
        return 1 - 15 * x**4 + 24 * x**5 - 10 * x**6
    if t == 7:
        return 1 - 21 * x**5 + 35 * x**6 - 15 * x**7
    if t == 8:
        return 1 - 28 * x**6 + 48 * x**7 - 21 * x**8
    if t == 9:
        return 2 * (1 - x) ** 3 if x > 0.5 else 1 - 6 * x**2 + 6 * x**3
    if t == 10:
        return (1 + math.sin(math.pi / 2 - math.pi * x)) / 2
    return (1 - math.sin(math.pi / 2 - math.pi * (1 - x) * (1 - x))) / 2


# highfrequency/src/realizedMeasures.cpp kernelEstimator(a, b, na, q, adj, type, ab, ab2), a = b = the returns
def kernel_estimator(a, q, adj, t, only_pairs=False):
    na = len(a)
    nab = na - 1
    ab = [0.0] * (q + 1)
    ab2 = [0.0] * (q + 1)
    for j in range(q + 1):
        for i in range(0, nab - j + 1):
            ab[j] += a[i] * a[i + j]
        for i in range(j, nab + 1):
            ab2[j] += a[i] * a[i - j]
    ans = 0.0
    for i in range(q + 1):
        if only_pairs and i >= na:
            break  # kernelbus: a lag with no pair adds 0 (R: NaN at i = na, from 0 x na / 0)
        w = 1.0 if i == 0 else kk((i - 1.0) / q, t)
        if adj == 0:
            theadj = 1.0
        else:
            d = (nab + 1) - i
            theadj = (nab + 1) / d if d != 0 else math.inf
        if i == 0:
            ans += w * theadj * ab[i]
        else:
            term = theadj * ab[i] + theadj * ab2[i]
            ans += w * (term if not math.isnan(term) else math.nan)
    return ans


def r_kernel(r, kernel, bandwidth, adjust, only_pairs=False):
    with np.errstate(all="ignore"):
        return float(kernel_estimator([float(x) for x in r], bandwidth, 1 if adjust else 0, KERNELS.index(kernel), only_pairs))


# highfrequency/src/HARmodel.cpp har_agg: mHARData(j-1, i) = sum(RM(span(j - periods(i), j-1))) / periods(i), NA before
def har_agg(rm, periods):
    n = len(rm)
    out = np.full((n, len(periods)), np.nan)
    for i, p in enumerate(periods):
        for j in range(p, n + 1):
            out[j - 1, i] = np.sum(rm[j - p : j]) / p
    return out


# HARmodel(data, periods, type = "HAR", h = 1): x1 <- RVmatrix1[(maxp:(n-h)), ];
# y <- har_agg(RM1, c(h), 1)[(maxp+h):n]; lm(y ~ .); fitted <- harInsanityFilter(fitted, min(y, 0), max(y), mean(y))
# predict (no newdata): c(1, last(model x)) %*% coefficients: the last fitted value, unfiltered.
def har_model(rm, periods):
    rm = np.array(rm, dtype=float)
    n = len(rm)
    maxp = max(periods)
    agg = har_agg(rm, periods)
    x1 = agg[maxp - 1 : n - 1, :]
    y = rm[maxp:n]
    X = np.column_stack([np.ones(len(y)), x1])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    fitted = X @ coef
    lower, upper = min(np.min(y), 0), np.max(y)
    fitted = np.where((fitted < lower) | (fitted > upper), np.mean(y), fitted)
    predict = float(np.concatenate([[1.0], x1[-1]]) @ coef)
    forecast = float(np.concatenate([[1.0], agg[n - 1]]) @ coef)  # the day after the last: kernelbus's
    return [float(c) for c in coef], [float(f) for f in fitted], predict, forecast


def days_of(ts, price, offset=0, open_=0, close=DAY_MS):
    """The data.table branch's day loop (as.Date of the UTC time: here of ts + offset), the session
    kept as exchangeHoursOnly keeps it (open <= time of day <= close)."""
    out = {}
    for t, p in zip(ts, price):
        local = t + offset
        day = math.floor(local / DAY_MS) * DAY_MS
        tod = local - day
        if open_ <= tod <= close:
            out.setdefault(day, []).append(p)
    return out


def tape(rng, days, per_day, start_day):
    ts, price = [], []
    x = 100.0
    for d in days:
        n = per_day if isinstance(per_day, int) else per_day[d]
        base = (start_day + d) * DAY_MS
        times = np.sort(rng.integers(0, DAY_MS, n))
        for t in times:
            x *= 1 + 0.0005 * rng.standard_normal()
            ts.append(float(base + t))
            price.append(round(x, 2))
    return ts, price


def nan_to_null(v):
    """NaN (a day R gives no number for) as JSON null."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: nan_to_null(x) for k, x in v.items()}
    if isinstance(v, list):
        return [nan_to_null(x) for x in v]
    return v


def main():
    rng = np.random.default_rng(55)
    start = 19723  # 2024-01-01
    tapes = {
        # five weekdays, a weekend gap, 1500 trades a day
        "week": tape(rng, [0, 1, 2, 3, 4, 7, 8], 1500, start),
        # a day of one trade, one of two, one of three, a full day
        "thin": tape(rng, [0, 1, 2, 4], {0: 1, 1: 2, 2: 3, 4: 800}, start),
    }
    cases = []

    def measure(name, f, tape_name, options, session=None):
        ts, price = tapes[tape_name]
        s = session or {}
        d = days_of(ts, price, s.get("offset", 0), s.get("open", 0), s.get("close", DAY_MS))
        rows = {k: f(v) for k, v in sorted(d.items())}
        value = list(rows.values())
        opts = dict(options)
        if session:
            opts["session"] = session
        if isinstance(value[0], tuple):
            cases.append({"kernel": name, "tape": tape_name, "options": opts, "day": list(rows),
                          "positive": [v[0] for v in value], "negative": [v[1] for v in value]})
        else:
            cases.append({"kernel": name, "tape": tape_name, "options": opts, "day": list(rows), "value": value})

    def measure_values(tape_name, f):
        ts, price = tapes[tape_name]
        return [f(v) for _, v in sorted(days_of(ts, price).items())]

    ny = {"offset": -5 * 3_600_000, "open": 34_200_000, "close": 57_600_000}
    for t in tapes:
        measure("realizedVariance", lambda p: r_rvar(make_returns(p)), t, {})
        measure("bipowerVariation", lambda p: rbpvar(make_returns(p)), t, {})
        measure("medRV", lambda p: r_medrvar(make_returns(p)), t, {})
        measure("minRV", lambda p: r_minrvar(make_returns(p)), t, {})
        measure("realizedSemivariance", lambda p: r_svar(make_returns(p)), t, {})
        for k, j in [(300, 1), (5, 1), (10, 3)]:
            measure("twoScaleRV", lambda p, k=k, j=j: tsrv(p, k, j), t, {"k": k, "j": j})
        for kernel, h, adj in [("rectangular", 1, True), ("bartlett", 5, True), ("parzen", 20, True),
                               ("parzen", 3, False), ("tukeyHanning", 4, True), ("cubic", 2, True)]:
            measure("realizedKernel", lambda p, kernel=kernel, h=h, adj=adj: r_kernel(make_returns(p), kernel, h, adj),
                    t, {"kernel": kernel, "bandwidth": h, "adjust": adj})
            # kernelbus's value where R's is NaN (a lag h = N): the lags with pairs only
            cases[-1]["pairsOnly"] = measure_values(
                t, lambda p, kernel=kernel, h=h, adj=adj: r_kernel(make_returns(p), kernel, h, adj, True))
    measure("realizedVariance", lambda p: r_rvar(make_returns(p)), "week", {}, ny)
    measure("medRV", lambda p: r_medrvar(make_returns(p)), "week", {}, ny)

    # HAR on 80 days of RV from a persistent process
    x = 1e-4
    rv = []
    for _ in range(80):
        x = abs(0.3e-4 + 0.7 * x + 0.2e-4 * rng.standard_normal())
        rv.append(float(x))
    har = []
    for periods in [[1, 5, 22], [1, 3], [2, 4, 8]]:
        coef, fitted, predict, forecast = har_model(rv, periods)
        har.append({"lags": periods, "coefficients": coef, "fitted": fitted, "predict": predict, "forecast": forecast})

    out = {
        "source": "numpy port of R highfrequency 1.0 (967dc40e): scripts/features-fixtures/realized.py",
        "tapes": {k: {"ts": v[0], "price": v[1]} for k, v in tapes.items()},
        "cases": cases,
        "har": {"rv": rv, "fits": har},
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "features", "fixtures", "highfrequency-realized.json")
    with open(path, "w") as f:
        json.dump(nan_to_null(out), f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases, {len(har)} HAR fits")


if __name__ == "__main__":
    main()
