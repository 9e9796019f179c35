#!/usr/bin/env python3
"""Margin kernels (issue 92) by a plain numpy implementation of their definitions, and arch's GARCH(1,1) for
filteredScenarios' 'garch' model, on seeded test vectors.

Writes test/margin/fixtures/numpy-margin.json. Run by hand, never by a test (the tests read the file; no
Python at test time), in the venv of scripts/volatility-fixtures.py:

    python3 -m venv /opt/arch-venv
    /opt/arch-venv/bin/pip install arch==8.0.0 numpy==2.4.6 scipy==1.17.1 statsmodels==0.15.0   # pandas 3.0.6 with it
    /opt/arch-venv/bin/python scripts/margin-fixtures/generate.py          # [--out PATH]

Versions of the committed file (also in its "versions"): Python 3.11.7, numpy 2.4.6, pandas 3.0.6,
scipy 1.17.1, arch 8.0.0. Every number but the 'garch' cases' is bit-for-bit reproducible with these
versions on any machine. The 'garch' cases depend on arch's SLSQP path, which goes through OpenBLAS
(its CPU kernel and thread count; this script sets the BLAS thread counts to 1): regenerated on another
machine their scenarios can move in the last digits or, where the likelihood is flat, further (see
scripts/volatility-fixtures.py's docstring). Each 'garch' case stores arch's fit (params, likelihood,
convergence flag, forecast sigma) beside its scenarios, so a kernel's own fit can be compared too. On
g500x2pct arch's default fit is within 3.5e-6 (params) and 1e-8 (log-likelihood) of a tight one
(options={'ftol': 1e-14, 'maxiter': 1000}): a kernel's own optimum should land about that close.

Inputs are seeded (numpy default_rng) daily returns, rounded to 1e-8 (fractions) or 1e-6 (percent)
so that the file is small; the rounded doubles are the inputs. Doubles are written with Python's shortest
round-trip repr, integral ones as integers (compact()).

The definitions, as implemented here (issue 92, verbatim where quoted):

filteredScenarios(returns T x N, { model = 'ewma', lambda = 0.94, seed = 20, horizon = 1, volFloor = 0,
stress? }) -> S x N, S = T - horizon + 1 (+ K - horizon + 1 stress rows), per column:
- 'ewma': s2[0] = mean(r[0..seed-1]^2); s2[t] = lambda s2[t-1] + (1 - lambda) r[t-1]^2, 1 <= t <= T;
  z[t] = r[t] / sqrt(s2[t]), 0 <= t < T; one-day scenario t = z[t] x max(sqrt(s2[T]), volFloor x
  stdev(column, ddof 1)).
- 'garch': arch_model(col, mean='Constant', vol='GARCH', p=1, q=1, dist='normal').fit(disp='off') on the
  column as given (percent); z = res.std_resid; one-day scenario t = mu + z[t] x sigma, mu =
  res.params['mu'], sigma = sqrt(res.forecast(horizon=1).variance.iloc[-1, 0]); volFloor ignored.
  Every fit here has res.convergence_flag == 0 (asserted).
- h-day scenario t (0 <= t <= T - h) = one-day scenarios t + ... + t + h - 1, summed left to right
  (overlapping windows, no sqrt(h) scaling).
- stress (K x N one-day returns, unfiltered): its h-day sums of rows k .. k + h - 1 (left to right),
  k = 0 .. K - h, appended after the S filtered rows.
initialMargin(positions, scenarios, { confidence = 0.99, measure = 'es' }) -> { margin, pnl }:
- pnl[s] = sum_i positions[i] x scenarios[s][i], an explicit left-to-right loop over i starting from
  0.0 + positions[0] x scenarios[s][0] (what the kernels do); margin is computed from this pnl.
- VaR = -numpy.quantile(pnl, 1 - c, method='linear'); ES = -(sum of the k + 1 smallest pnl, added in
  ascending order, / (k + 1)), k = floor((n - 1)(1 - c)), both in float64 (1 - c rounded first, as
  written). margin = max(0, VaR or ES). A panel (P x N positions) gives P margins and P x S pnl.
- expected.marginMatmul: the margin from pnl = scenarios @ positions (numpy's matmul) instead, for
  reference; expected.pnlMatmulDiffers counts the pnl entries where matmul and the loop differ.
marginalMargin(positions, scenarios, { instrument, value }, options) = initialMargin with
positions[instrument] + value (float64 add) minus initialMargin with positions, both floored at 0.

JSON (NaN never occurs): { source, versions, inputs: { name: { rows, cols, data (row-major) } }, cases }.
A case: name, kernel, and
- filteredScenarios: returns (an input's name), options (in the kernel's option names; {} = defaults),
  stress? (an input's name), expected: { rows, cols, data, forecastVol?, floorVol? } ('ewma'),
  floorBinds? ('ewma': per column, floorVol > forecastVol), arch? ('garch': { call, fits: per column
  { params, names, logLikelihood, convergenceFlag, forecastVariance, sigma } });
- initialMargin: positions { rows (P, or null for one book), cols, data }, scenarios (an input's name or
  { fromCase: a filteredScenarios case's name }), options, expected: { margin (a number, or P of them),
  pnl (S numbers, or { rows: P, cols: S, data }), unfloored (VaR or ES before max(0, .)), marginMatmul,
  pnlMatmulDiffers };
- marginalMargin: positions [N], scenarios (as above), order { instrument, value }, options, expected:
  { marginal, before, after } (the two floored margins).

Choices where the definition is ambiguous (the reading taken):
- `mean(r[0..seed-1]^2)`: the mean of the squares of the first `seed` returns r[0], ..., r[seed - 1]
  (both ends inclusive; a raw second moment, not demeaned; divisor seed, not seed - 1), computed as
  numpy.mean(r[:seed] ** 2). numpy's sum is pairwise (8 accumulators for 8 <= n <= 128), so for seed = 20
  it is not the left-to-right sum: a kernel summing left to right can differ in the last bit of s2[0],
  which carries through. seed = 5 sums left to right. seed <= T is required.
  s2[0] thus uses r[0..seed-1], including the returns it standardizes (z[0..seed-1]): a look-ahead the
  definition states, kept.
- The recursion is evaluated as lam * s2[t-1] + (1.0 - lam) * (r[t-1] * r[t-1]), with (1 - lam) rounded
  first; z[t] = r[t] / sqrt(s2[t]) (a division, not a multiply by 1 / sqrt).
- "the column's stdev over all T returns, ddof 1" is numpy.std(col, ddof=1) (the mean and the sum of
  squared deviations pairwise-summed by numpy); the floor is volFloor x that, compared with sqrt(s2[T]);
  volFloor = 0 gives sqrt(s2[T]) always. The floor is per column. expected.forecastVol (sqrt(s2[T])) and
  expected.floorVol (volFloor x stdev) per column, and case.floorBinds, are recorded for 'ewma'.
- 'garch' works in the units of its input (percent here): no rescaling in or out; mu is added once per
  one-day scenario, so an h-day scenario carries h x mu. z[t] = res.std_resid = resid / conditional
  volatility. The last row of res.forecast(horizon=1).variance (arch 8's default reindex=False: one row).
- The stress rows use the case's horizon h (K - h + 1 rows), are not filtered, scaled or floored, and are
  in the same units as `returns`.
- `k = floor((n - 1)(1 - c))` is computed as math.floor((n - 1) * (1.0 - c)) in float64, and checked to
  equal the exact floor for c's decimal literal in every case. One case sits on the boundary: n = 241,
  c = 0.975 ('es 0.975 all-short r250x3 h10 floor2'), where (n - 1)(1 - c) is exactly 6 and float64 gives
  6.000000000000005 (1 - 0.975 rounds up): k = 6 either way, but a kernel computing (n - 1) - (n - 1) c or
  ceil-based forms must land on 6 too.
- ES "the mean of the k + 1 smallest" is their left-to-right sum in ascending order divided by k + 1 (not
  numpy.mean, which would sum pairwise for k + 1 >= 8).
- margin = max(0, x) returns +0 when x is -0 or negative (written as 0).
"""

import os

for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import warnings  # noqa: E402
from fractions import Fraction  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402

import arch  # noqa: E402
from arch import arch_model  # noqa: E402

warnings.simplefilter('ignore')

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, '..', '..', 'test', 'margin', 'fixtures', 'numpy-margin.json')

EWMA_DEFAULTS = {'model': 'ewma', 'lambda': 0.94, 'seed': 20, 'horizon': 1, 'volFloor': 0.0}
MARGIN_DEFAULTS = {'confidence': 0.99, 'measure': 'es'}


def compact(values):
    """Doubles for JSON: integral ones as integers (the same double read back, fewer bytes)."""
    out = []
    for x in np.asarray(values, dtype=float).reshape(-1).tolist():
        if math.isnan(x) or math.isinf(x):
            raise ValueError('non-finite value in a fixture')
        out.append(int(x) if x.is_integer() and abs(x) < 2**53 else x)
    return out


def number(x):
    return compact([x])[0]


def matrix(a):
    a = np.asarray(a, dtype=float)
    return {'rows': a.shape[0], 'cols': a.shape[1], 'data': compact(a)}


# ---------------------------------------------------------------------------------------------- inputs

def regime_returns(seed, T, N, calm, calm_vol, turb_vol, rho=0.4, reversed_cols=(), drift=0.0002, nu=5.0):
    """Daily returns (fractions): Student-t shocks (unit variance) with equicorrelation rho, daily vol
    calm_vol x scale[j] for the first `calm` days and turb_vol x scale[j] after; the columns in
    reversed_cols are turbulent first and calm after (a stressed past, a quiet present). Rounded to 1e-8."""
    rng = np.random.default_rng(seed)
    corr = np.full((N, N), rho) + (1 - rho) * np.eye(N)
    L = np.linalg.cholesky(corr)
    z = rng.standard_t(nu, (T, N)) / math.sqrt(nu / (nu - 2)) @ L.T
    scale = 0.6 + 0.9 * rng.random(N)
    t = np.arange(T)[:, None]
    vol = np.where(t < calm, calm_vol, turb_vol) * np.ones((1, N))
    for j in reversed_cols:
        vol[:, j] = np.where(np.arange(T) < T - calm, turb_vol, calm_vol)
    return np.round(drift + vol * scale * z, 8)


def garch_percent(seed, T, N, mu=0.04, omega=0.03, alpha=0.08, beta=0.9, shift=0.6):
    """Percent returns of a GARCH(1,1) with normal shocks per column (independent), omega x 6 from day
    shift x T on (a calm stretch, then a turbulent one). Rounded to 1e-6."""
    rng = np.random.default_rng(seed)
    burn = 300
    out = np.zeros((T, N))
    for j in range(N):
        z = rng.standard_normal(T + burn)
        s2 = omega / (1 - alpha - beta)
        e = 0.0
        for t in range(T + burn):
            om = omega * (6.0 if t >= burn + shift * T else 1.0)
            s2 = om + alpha * e * e + beta * s2
            e = math.sqrt(s2) * z[t]
            if t >= burn:
                out[t - burn, j] = mu * (j + 1) + e
    return np.round(out, 6)


def carry(seed, T):
    """Two instruments: col 0 a carry asset whose every daily return is positive, col 1 a noisy one."""
    rng = np.random.default_rng(seed)
    c0 = 0.0004 + 0.0006 * rng.random(T)
    c1 = 0.012 * rng.standard_normal(T)
    return np.round(np.column_stack([c0, c1]), 8)


# ------------------------------------------------------------------------------------- the definitions

def h_day_sums(one, h):
    """Row t = one[t] + one[t + 1] + ... + one[t + h - 1], left to right; t = 0 .. len - h."""
    K, N = one.shape
    out = np.zeros((K - h + 1, N))
    for t in range(K - h + 1):
        for j in range(N):
            acc = one[t, j]
            for u in range(1, h):
                acc = acc + one[t + u, j]
            out[t, j] = acc
    return out


def ewma_column(r, lam, seed, vol_floor):
    T = len(r)
    assert 1 <= seed <= T
    s2 = np.zeros(T + 1)
    s2[0] = np.mean(r[:seed] ** 2)
    for t in range(1, T + 1):
        s2[t] = lam * s2[t - 1] + (1.0 - lam) * (r[t - 1] * r[t - 1])
    z = np.array([r[t] / math.sqrt(s2[t]) for t in range(T)])
    forecast = math.sqrt(s2[T])
    floor = vol_floor * float(np.std(r, ddof=1))
    scale = max(forecast, floor)
    return z * scale, forecast, floor


def garch_column(y):
    am = arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='normal')
    res = am.fit(disp='off')
    assert res.convergence_flag == 0, res.convergence_flag
    z = np.asarray(res.std_resid, dtype=float)
    assert not np.isnan(z).any()
    mu = float(res.params['mu'])
    var = float(np.asarray(res.forecast(horizon=1).variance)[-1, 0])
    sigma = math.sqrt(var)
    one = np.array([mu + z[t] * sigma for t in range(len(y))])
    fit = {'params': compact(res.params.to_numpy()), 'names': list(res.params.index),
           'logLikelihood': float(res.loglikelihood), 'convergenceFlag': int(res.convergence_flag),
           'forecastVariance': var, 'sigma': sigma}
    return one, fit


def filtered_scenarios(returns, options, stress=None):
    o = {**EWMA_DEFAULTS, **options}
    T, N = returns.shape
    h = o['horizon']
    one = np.zeros((T, N))
    info = {}
    if o['model'] == 'ewma':
        forecast, floor = [], []
        for j in range(N):
            one[:, j], f, fl = ewma_column(returns[:, j], o['lambda'], o['seed'], o['volFloor'])
            forecast.append(f)
            floor.append(fl)
        info = {'forecastVol': forecast, 'floorVol': floor}
    elif o['model'] == 'garch':
        fits = []
        for j in range(N):
            one[:, j], fit = garch_column(returns[:, j])
            fits.append(fit)
        info = {'fits': fits}
    else:
        raise ValueError(o['model'])
    out = h_day_sums(one, h)
    if stress is not None:
        out = np.vstack([out, h_day_sums(stress, h)])
    return out, info


def book_pnl(pos, scen):
    """pnl[s] = sum_i pos[i] x scen[s][i], left to right over i."""
    S, N = scen.shape
    pnl = np.zeros(S)
    for s in range(S):
        acc = 0.0
        for i in range(N):
            acc = acc + float(pos[i]) * float(scen[s, i])
        pnl[s] = acc
    return pnl


AT_INTEGER = set()


def k_of(n, c):
    """floor((n - 1)(1 - c)) in float64, checked against the exact value for c's decimal literal."""
    k = math.floor((n - 1) * (1.0 - c))
    exact = (n - 1) * (1 - Fraction(repr(c)))
    assert k == math.floor(exact), (n, c)
    if exact.denominator == 1:
        AT_INTEGER.add((n, c))
    return k


def risk(pnl, c, measure):
    if measure == 'var':
        x = -float(np.quantile(pnl, 1.0 - c, method='linear'))
    elif measure == 'es':
        k = k_of(len(pnl), c)
        srt = sorted(float(v) for v in pnl)
        acc = 0.0
        for v in srt[:k + 1]:
            acc = acc + v
        x = -(acc / (k + 1))
    else:
        raise ValueError(measure)
    return max(0.0, x), x


def margin_of(pos, scen, options):
    o = {**MARGIN_DEFAULTS, **options}
    pnl = book_pnl(pos, scen)
    m, raw = risk(pnl, o['confidence'], o['measure'])
    pnl_mm = scen @ np.asarray(pos, dtype=float)
    m_mm, _ = risk(pnl_mm, o['confidence'], o['measure'])
    return m, raw, pnl, m_mm, int(np.sum(pnl_mm != pnl))


# ------------------------------------------------------------------------------------------------ cases

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=DEFAULT_OUT)
    args = ap.parse_args()

    inputs = {
        # T = 250: 150 calm days then 100 turbulent; col 2 of r250x3 is turbulent first, calm at the end.
        'r250x1': regime_returns(101, 250, 1, 150, 0.006, 0.022),
        'r250x3': regime_returns(102, 250, 3, 150, 0.006, 0.022, reversed_cols=(2,)),
        # T = 500: 300 calm days then 200 turbulent; cols 5 and 7 reversed.
        'r500x3': regime_returns(103, 500, 3, 300, 0.007, 0.025),
        'r500x8': regime_returns(104, 500, 8, 300, 0.007, 0.025, reversed_cols=(5, 7)),
        # stressed periods (K = 30), turbulent throughout (one-day returns, fractions).
        'stress30x3': regime_returns(105, 30, 3, 0, 0.0, 0.04, rho=0.7, drift=-0.004),
        'stress30x8': regime_returns(106, 30, 8, 0, 0.0, 0.04, rho=0.7, drift=-0.004),
        # percent returns for 'garch' (T = 500, N = 2), and a percent stress set for it.
        'g500x2pct': garch_percent(107, 500, 2),
        'gstress30x2pct': np.round(regime_returns(108, 30, 2, 0, 0.0, 0.04, rho=0.7, drift=-0.004) * 100, 6),
        # a carry asset (all returns positive) and a noisy one: books long the carry have no losses.
        'carry60x2': carry(109, 60),
    }

    cases = []
    scen_of = {}

    def fs(name, ret, options, stress=None):
        out, info = filtered_scenarios(inputs[ret], options, inputs[stress] if stress else None)
        scen_of[name] = out
        case = {'name': name, 'kernel': 'filteredScenarios', 'returns': ret, 'options': options}
        if stress:
            case['stress'] = stress
        expected = matrix(out)
        o = {**EWMA_DEFAULTS, **options}
        if o['model'] == 'ewma':
            expected['forecastVol'] = compact(info['forecastVol'])
            expected['floorVol'] = compact(info['floorVol'])
            case['floorBinds'] = [fl > f for f, fl in zip(info['forecastVol'], info['floorVol'])]
        else:
            case['arch'] = {'call': "arch_model(col, mean='Constant', vol='GARCH', p=1, q=1, dist='normal')"
                                    ".fit(disp='off')", 'fits': info['fits']}
        case['expected'] = expected
        cases.append(case)

    def ewma(lam, seed, h, floor):
        return {'model': 'ewma', 'lambda': lam, 'seed': seed, 'horizon': h, 'volFloor': floor}

    fs('ewma defaults r250x1', 'r250x1', {})
    fs('ewma l0.94 s20 h5 floor2 r250x1', 'r250x1', ewma(0.94, 20, 5, 2))
    fs('ewma l0.94 s20 h1 r250x3', 'r250x3', ewma(0.94, 20, 1, 0))
    fs('ewma l0.94 s20 h1 floor0.5 r250x3 (binds col 2)', 'r250x3', ewma(0.94, 20, 1, 0.5))
    fs('ewma l0.97 s5 h1 r250x3', 'r250x3', ewma(0.97, 5, 1, 0))
    fs('ewma l0.94 s20 h5 r250x3', 'r250x3', ewma(0.94, 20, 5, 0))
    fs('ewma l0.94 s20 h10 floor2 r250x3', 'r250x3', ewma(0.94, 20, 10, 2))
    fs('ewma l0.97 s20 h10 r500x3', 'r500x3', ewma(0.97, 20, 10, 0))
    fs('ewma l0.94 s20 h1 r500x8', 'r500x8', ewma(0.94, 20, 1, 0))
    fs('ewma l0.97 s20 h5 floor0.5 r500x8', 'r500x8', ewma(0.97, 20, 5, 0.5))
    fs('ewma l0.94 s5 h10 r500x8', 'r500x8', ewma(0.94, 5, 10, 0))
    fs('ewma l0.94 s20 h5 stress r250x3', 'r250x3', ewma(0.94, 20, 5, 0), 'stress30x3')
    fs('ewma l0.94 s20 h1 stress r250x3', 'r250x3', ewma(0.94, 20, 1, 0), 'stress30x3')
    fs('ewma l0.97 s5 h5 floor0.5 stress r500x8', 'r500x8', ewma(0.97, 5, 5, 0.5), 'stress30x8')
    fs('garch h1 g500x2pct', 'g500x2pct', {'model': 'garch', 'horizon': 1})
    fs('garch h1 volFloor2 (ignored) g500x2pct', 'g500x2pct', {'model': 'garch', 'horizon': 1, 'volFloor': 2})
    fs('garch h5 g500x2pct', 'g500x2pct', {'model': 'garch', 'horizon': 5})
    fs('garch h5 stress g500x2pct', 'g500x2pct', {'model': 'garch', 'horizon': 5}, 'gstress30x2pct')

    def scenarios_ref(ref):
        if ref in inputs:
            return ref, inputs[ref]
        return {'fromCase': ref}, scen_of[ref]

    def im(name, positions, ref, options):
        ref_json, scen = scenarios_ref(ref)
        pos = np.asarray(positions, dtype=float)
        case = {'name': name, 'kernel': 'initialMargin'}
        if pos.ndim == 1:
            m, raw, pnl, m_mm, diff = margin_of(pos, scen, options)
            case['positions'] = {'rows': None, 'cols': len(pos), 'data': compact(pos)}
            expected = {'margin': number(m), 'pnl': compact(pnl), 'unfloored': number(raw),
                        'marginMatmul': number(m_mm), 'pnlMatmulDiffers': diff}
        else:
            ms, raws, pnls, mms, diffs = zip(*(margin_of(p, scen, options) for p in pos))
            case['positions'] = matrix(pos)
            expected = {'margin': compact(ms), 'pnl': matrix(np.array(pnls)), 'unfloored': compact(raws),
                        'marginMatmul': compact(mms), 'pnlMatmulDiffers': sum(diffs)}
        case['scenarios'] = ref_json
        case['options'] = options
        case['expected'] = expected
        cases.append(case)

    long3 = [1_000_000, 500_000, 250_000]
    ls3 = [1_500_000, -800_000, 400_000]
    short3 = [-600_000, -900_000, -300_000]
    ls8 = [800_000, -350_000, 1_200_000, -600_000, 250_000, -150_000, 500_000, -900_000]
    long8 = [300_000, 400_000, 250_000, 600_000, 150_000, 350_000, 200_000, 450_000]

    im('defaults long-only r250x3 h1', long3, 'ewma l0.94 s20 h1 r250x3', {})
    for c in (0.99, 0.975, 0.95):
        for meas in ('var', 'es'):
            im(f'{meas} {c} long-only r250x3 h1', long3, 'ewma l0.94 s20 h1 r250x3',
               {'confidence': c, 'measure': meas})
    im('es 0.99 long-short r250x3 h5', ls3, 'ewma l0.94 s20 h5 r250x3', {'confidence': 0.99, 'measure': 'es'})
    im('var 0.975 long-short r250x3 h10 floor2', ls3, 'ewma l0.94 s20 h10 floor2 r250x3',
       {'confidence': 0.975, 'measure': 'var'})
    im('es 0.975 all-short r250x3 h10 floor2', short3, 'ewma l0.94 s20 h10 floor2 r250x3',
       {'confidence': 0.975, 'measure': 'es'})
    im('var 0.95 all-short r250x3 stress h5', short3, 'ewma l0.94 s20 h5 stress r250x3',
       {'confidence': 0.95, 'measure': 'var'})
    im('es 0.99 long-short r500x8 h1', ls8, 'ewma l0.94 s20 h1 r500x8', {'confidence': 0.99, 'measure': 'es'})
    im('var 0.99 long-short r500x8 h5 floor0.5', ls8, 'ewma l0.97 s20 h5 floor0.5 r500x8',
       {'confidence': 0.99, 'measure': 'var'})
    im('es 0.95 long-only r500x8 stress h5', long8, 'ewma l0.97 s5 h5 floor0.5 stress r500x8',
       {'confidence': 0.95, 'measure': 'es'})
    im('es 0.975 long-only r250x1 h5 floor2', [2_000_000], 'ewma l0.94 s20 h5 floor2 r250x1',
       {'confidence': 0.975, 'measure': 'es'})
    panel = [long8, ls8, [-v for v in long8], [0, 0, 0, 1_000, 0, 0, 0, 0]]
    im('panel of 4 books es 0.99 r500x8 h5 floor0.5', panel, 'ewma l0.97 s20 h5 floor0.5 r500x8',
       {'confidence': 0.99, 'measure': 'es'})
    im('panel of 4 books var 0.95 r500x8 h10', panel, 'ewma l0.94 s5 h10 r500x8',
       {'confidence': 0.95, 'measure': 'var'})
    im('es 0.99 long-short garch h1 (percent scenarios)', [10_000, -6_000], 'garch h1 g500x2pct',
       {'confidence': 0.99, 'measure': 'es'})
    im('var 0.975 long garch h5 stress (percent scenarios)', [5_000, 8_000], 'garch h5 stress g500x2pct',
       {'confidence': 0.975, 'measure': 'var'})
    # the floor: long the carry asset only (every pnl > 0: VaR and ES negative, margin 0)
    im('floored es 0.99 long carry (raw returns)', [1_000_000, 0], 'carry60x2', {'confidence': 0.99, 'measure': 'es'})
    im('floored var 0.95 long carry, tiny noisy (raw returns)', [1_000_000, 1_000], 'carry60x2',
       {'confidence': 0.95, 'measure': 'var'})
    im('panel with a floored book es 0.975 (raw returns)', [[1_000_000, 0], [1_000_000, 200_000], [0, -500_000],
                                                             [1_000_000, 20_000]],
       'carry60x2', {'confidence': 0.975, 'measure': 'es'})
    im('var 0.99 long-short raw returns r500x3', [700_000, -300_000, 900_000], 'r500x3',
       {'confidence': 0.99, 'measure': 'var'})

    def mm(name, positions, ref, instrument, value, options):
        ref_json, scen = scenarios_ref(ref)
        pos = np.asarray(positions, dtype=float)
        new = pos.copy()
        new[instrument] = pos[instrument] + value
        before = margin_of(pos, scen, options)[0]
        after = margin_of(new, scen, options)[0]
        cases.append({'name': name, 'kernel': 'marginalMargin', 'positions': compact(pos), 'scenarios': ref_json,
                      'order': {'instrument': instrument, 'value': number(value)}, 'options': options,
                      'expected': {'marginal': number(after - before), 'before': number(before),
                                   'after': number(after)}})

    mm('add to instrument 0, es 0.99 r250x3 h1', long3, 'ewma l0.94 s20 h1 r250x3', 0, 250_000, {})
    mm('reduce the last instrument, es 0.99 r250x3 h1', long3, 'ewma l0.94 s20 h1 r250x3', 2, -100_000,
       {'confidence': 0.99, 'measure': 'es'})
    mm('flip instrument 0, var 0.975 r250x3 h5', ls3, 'ewma l0.94 s20 h5 r250x3', 0, -3_000_000,
       {'confidence': 0.975, 'measure': 'var'})
    mm('flip the last instrument, es 0.95 r500x8 h5 floor0.5', ls8, 'ewma l0.97 s20 h5 floor0.5 r500x8', 7, 1_800_000,
       {'confidence': 0.95, 'measure': 'es'})
    mm('add to the last instrument (hedge), var 0.99 r500x8 h1', ls8, 'ewma l0.94 s20 h1 r500x8', 7, -400_000,
       {'confidence': 0.99, 'measure': 'var'})
    mm('reduce instrument 0, es 0.975 r500x8 stress h5', long8, 'ewma l0.97 s5 h5 floor0.5 stress r500x8', 0,
       -200_000, {'confidence': 0.975, 'measure': 'es'})
    mm('from floored to positive: add the noisy last instrument, es 0.99 carry', [1_000_000, 0], 'carry60x2', 1,
       300_000, {'confidence': 0.99, 'measure': 'es'})
    mm('floored before and after: tiny order, var 0.95 carry', [1_000_000, 0], 'carry60x2', 1, 1_000,
       {'confidence': 0.95, 'measure': 'var'})
    mm('flip instrument 0, es 0.99 garch h1 (percent)', [10_000, -6_000], 'garch h1 g500x2pct', 0, -20_000,
       {'confidence': 0.99, 'measure': 'es'})

    versions = {'python': platform.python_version(), 'numpy': np.__version__, 'pandas': pd.__version__,
                'scipy': scipy.__version__, 'arch': arch.__version__}
    doc = {
        'source': 'scripts/margin-fixtures/generate.py: issue 92\'s definitions in plain numpy (filteredScenarios '
                  '\'ewma\', h-day sums, stress rows, initialMargin historical VaR/ES as numpy.quantile linear and '
                  'the mean of the k + 1 smallest, marginalMargin) and arch 8.0.0\'s GARCH(1,1) normal constant-mean '
                  'fit for \'garch\'; pnl summed left to right over instruments',
        'versions': versions,
        'inputs': {k: matrix(v) for k, v in inputs.items()},
        'cases': cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(doc, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    check(args.out)
    print('ES cases where (n - 1)(1 - c) is an integer (n, c):', sorted(AT_INTEGER))


def check(path):
    """Re-reads the file: every case's shapes, references and the invariants the cases are there to show."""
    with open(path) as f:
        doc = json.load(f)
    inputs = doc['inputs']
    for k, v in inputs.items():
        assert len(v['data']) == v['rows'] * v['cols'], k
    by_name = {}
    counts = {}
    for c in doc['cases']:
        assert c['name'] not in by_name, c['name']
        by_name[c['name']] = c
        counts[c['kernel']] = counts.get(c['kernel'], 0) + 1

    def scen_shape(ref):
        if isinstance(ref, str):
            return inputs[ref]['rows'], inputs[ref]['cols']
        e = by_name[ref['fromCase']]
        assert e['kernel'] == 'filteredScenarios'
        return e['expected']['rows'], e['expected']['cols']

    for c in doc['cases']:
        e = c['expected']
        if c['kernel'] == 'filteredScenarios':
            o = {**EWMA_DEFAULTS, **c['options']}
            r = inputs[c['returns']]
            S = r['rows'] - o['horizon'] + 1
            if 'stress' in c:
                st = inputs[c['stress']]
                assert st['cols'] == r['cols']
                S += st['rows'] - o['horizon'] + 1
            assert (e['rows'], e['cols']) == (S, r['cols']), c['name']
            assert len(e['data']) == S * r['cols'], c['name']
            if o['model'] == 'ewma':
                assert len(e['forecastVol']) == len(e['floorVol']) == len(c['floorBinds']) == r['cols']
                if o['volFloor'] == 0:
                    assert not any(c['floorBinds'])
        elif c['kernel'] == 'initialMargin':
            S, N = scen_shape(c['scenarios'])
            p = c['positions']
            assert p['cols'] == N and len(p['data']) == (p['rows'] or 1) * N, c['name']
            if p['rows'] is None:
                assert isinstance(e['margin'], (int, float)) and len(e['pnl']) == S, c['name']
                ms = [e['margin']]
            else:
                assert len(e['margin']) == p['rows'], c['name']
                assert (e['pnl']['rows'], e['pnl']['cols'], len(e['pnl']['data'])) == (p['rows'], S, p['rows'] * S)
                ms = e['margin']
            assert all(m >= 0 for m in ms)
        elif c['kernel'] == 'marginalMargin':
            S, N = scen_shape(c['scenarios'])
            assert len(c['positions']) == N and 0 <= c['order']['instrument'] < N, c['name']
            assert e['marginal'] == e['after'] - e['before']
        else:
            raise AssertionError(c['kernel'])

    # the floor binds somewhere, not everywhere; a margin is floored; garch ignores volFloor
    binds = [b for c in doc['cases'] if 'floorBinds' in c for b in c['floorBinds']]
    assert any(binds) and not all(binds)
    assert any(c['floorBinds'] != [True] * len(c['floorBinds']) and any(c['floorBinds'])
               for c in doc['cases'] if 'floorBinds' in c)
    floored = [c['name'] for c in doc['cases'] if c['kernel'] == 'initialMargin'
               and any(u < 0 for u in (c['expected']['unfloored'] if isinstance(c['expected']['unfloored'], list)
                                       else [c['expected']['unfloored']]))]
    assert floored
    assert by_name['garch h1 g500x2pct']['expected'] == by_name['garch h1 volFloor2 (ignored) g500x2pct']['expected']

    for c in doc['cases']:
        e = c['expected']
        if c['kernel'] == 'filteredScenarios':
            extra = f" floorBinds={c['floorBinds']}" if 'floorBinds' in c else ''
            print(f"{c['kernel']:>18} {e['rows']}x{e['cols']}{extra}  {c['name']}")
        elif c['kernel'] == 'initialMargin':
            print(f"{c['kernel']:>18} margin={e['margin']} unfloored={e['unfloored']} "
                  f"matmulDiffers={e['pnlMatmulDiffers']}  {c['name']}")
        else:
            print(f"{c['kernel']:>18} marginal={e['marginal']} ({e['before']} -> {e['after']})  {c['name']}")
    for c in doc['cases']:
        if 'arch' in c:
            for f in c['arch']['fits']:
                print('  arch fit', c['name'], f['names'], f['params'], 'flag', f['convergenceFlag'])
    print('cases per kernel:', counts, 'total', len(doc['cases']))
    print('floored margins:', floored)
    print(f'{os.path.getsize(path)} bytes, versions {doc["versions"]}')


if __name__ == '__main__':
    main()
