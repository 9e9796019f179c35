#!/usr/bin/env python3
"""Reference values for src/math/special.ts and native/kernels/math/special.cpp.

Writes test/fixtures/special-values.json. Every input is a double (written with Python's shortest
round-trip repr, which JSON.parse reads back to the same double) and every reference value is the
exact function value of that double computed with mpmath at mp.dps = 50, stored as an unevaluated
pair [hi, lo] of doubles (hi = value rounded to nearest, lo = value - hi to 3 digits), so that a test can
measure errors below one ulp: err = ((computed - hi) - lo) / value.

Functions (mpmath 1.3.0):
  Phi(x)          = ncdf(x), its complement ncdf(-x), the density npdf(x)
  Phi^-1(p)       = root of log ncdf(x) = log p (p < 1/2; the mirror image above), found by Newton
                    steps in mp from Python's statistics.NormalDist().inv_cdf start
  T_nu(t)         = betainc(nu/2, 1/2, 0, nu/(nu + t^2), regularized=True)/2 for t < 0, 1 - that for
                    t > 0 (checked at several points against the 2F1 form at mp.dps = 450)
  T_nu^-1(p)      = root of log T_nu(-e^s) = log min(p, 1 - p), bisection in s then Newton in mp
Run: python3 scripts/special-values.py   (about a minute; needs mpmath 1.3.0)
"""
import json
import math
import random
import statistics
import sys

import mpmath
from mpmath import mp, mpf

mp.dps = 50
SOURCE = ("mpmath %s, mp.dps = 50, scripts/special-values.py (values stored as [hi, lo] double pairs; "
          "inputs are exact doubles)" % mpmath.__version__)
HALF = mpf(1) / 2


def pair(v):
    hi = float(v)
    if not math.isfinite(hi):
        return None
    return [hi, float('%.3g' % float(v - mpf(hi)))]  # lo to 3 digits: errors resolved to 1e-3 ulp


def nextafter(x, n):
    for _ in range(abs(n)):
        x = math.nextafter(x, math.inf if n > 0 else -math.inf)
    return x


# ---------------------------------------------------------------------------------------------- normal
def normal_points():
    xs = set()
    for k in range(-160, 161):
        xs.add(k / 32)
    rnd = random.Random(20240611)
    for _ in range(200):
        xs.add(rnd.uniform(-5, 5))
    for _ in range(100):
        xs.add(rnd.choice((-1, 1)) * 10 ** rnd.uniform(-20, math.log10(5)))
    # switch points of Cody's ANORM (0.66291, sqrt(32)), of CALERF (0.46875 sqrt(2), 4 sqrt(2)), and
    # their neighbours
    for s in (0.66291, 0.67, 0.47 * math.sqrt(2), 0.46875 * math.sqrt(2), 4 * math.sqrt(2), 5.0):
        for n in range(-2, 3):
            xs.add(nextafter(s, n))
            xs.add(-nextafter(s, n))
    for s in (5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-17, 1e-8):
        xs.add(s)
        xs.add(-s)
    for k in range(1, 129):  # tails 5 < |x| <= 37
        xs.add(5 + k / 4)
        xs.add(-5 - k / 4)
    for _ in range(100):
        v = rnd.uniform(5, 37)
        xs.add(v)
        xs.add(-v)
    for v in (37.25, 37.5, 37.75, 38.0, 38.25, 38.4, 38.5, 39.0, 40.0, 50.0):  # underflow region
        xs.add(v)
        xs.add(-v)
    rows = []
    for x in sorted(xs):
        X = mpf(x)
        rows.append([x] + pair(mp.ncdf(X)) + pair(mp.ncdf(-X)) + pair(mp.npdf(X)))
    rows.append([-0.0] + pair(HALF) + pair(HALF) + pair(mp.npdf(0)))
    return rows


def normal_quantile_mp(p):
    P = mpf(p)
    if P == HALF:
        return mpf(0)
    lower = P < HALF
    q = P if lower else 1 - P
    x = mpf(statistics.NormalDist().inv_cdf(float(q)))  # start (x < 0)
    for _ in range(8):  # Newton on log Phi(x) = log q
        c = mp.ncdf(x)
        x = x - (mp.log(c) - mp.log(q)) * c / mp.npdf(x)
    assert abs(mp.log(mp.ncdf(x) / q)) < mpf(10) ** -40, p
    return x if lower else -x


def normal_quantile_points():
    ps = set(k / 250 for k in range(1, 250))
    for k in range(1, 309):
        ps.add(10.0 ** -k)
    for k in range(1, 54):
        ps.add(1 - 2.0 ** -k)
        ps.add(2.0 ** -k)
    for s in (0.075, 0.925, math.exp(-25), 1 - math.exp(-25), 0.5):
        for n in range(-2, 3):
            ps.add(nextafter(s, n))
    for s in (5e-324, 1e-310, 2.2250738585072014e-308, 1e-320):
        ps.add(s)
    rnd = random.Random(7)
    for _ in range(300):
        v = 10 ** rnd.uniform(-300, math.log10(0.5))
        ps.add(v)
        ps.add(1 - v)
    return [[p] + pair(normal_quantile_mp(p)) for p in sorted(ps) if 0 < p < 1]


# --------------------------------------------------------------------------------------------- student
def t_lower_tail(t, nu):
    """P(T <= -|t|) for an mpf t, nu: I_x(nu/2, 1/2) / 2, or (1 - I_y(1/2, nu/2)) / 2 near the centre
    (nu y / 2 < 1 and y < 1/2), with 50 + log10(nu) digits so that x = 1 - y keeps 50 digits of y."""
    if t == 0:
        return HALF
    with mp.workdps(50 + max(0, int(mp.log10(nu)))):
        x = nu / (nu + t * t)
        y = t * t / (nu + t * t)
        if nu * y / 2 < 1 and y < HALF:
            return (1 - mp.betainc(HALF, nu / 2, 0, y, regularized=True)) / 2
        if nu / 2 * mp.log10(x) < -500:  # far below the double range (mpmath would not converge)
            return mpf(0)
        return mp.betainc(nu / 2, HALF, 0, x, regularized=True) / 2


def t_cdf(t, nu):
    T, NU = mpf(t), mpf(nu)
    tail = t_lower_tail(T, NU)
    return tail if T <= 0 else 1 - tail


NUS = [0.1, 0.5, 1, 1.5, 2, 3, 4, 5, 10, 30, 100, 1e3, 1e4, 1e5, 1e6]
NUS_EXTRA = [0.25, 0.7, 2.5, 7.3, 14.9, 29.9, 30.1, 31.7, 45.7, 333.3, 3000.1, 2.5e5]
NUS_BEYOND = [1e7, 1e9, 1e12, 1e15, 1e20, 1e29, 1e31]
# the quantile's lower tail (p from 5e-324 to 1e-3) at more nu: 1450.79 is where a property test once saw
# the backends differ (issue 67), the rest fill the decades between NUS
NUS_TAIL = [0.75, 7.5, 75, 750, 1450.79, 7500, 75000, 750000]


def student_points():
    pts = set()
    for nu in NUS + NUS_EXTRA + NUS_BEYOND:
        ts = {0.0, 1e-300, 1e-10, 1e-5, 1e-3}
        ts.update(10 ** (k / 4) for k in range(-8, 13))
        # region boundaries of the incomplete beta (x = 1/2, y = 0.3, y = 0.1, a y = 0.49)
        for t2 in (nu, 0.3 * nu / 0.7, nu / 9, 0.98 * nu / (nu - 0.98) if nu > 0.98 else None):
            if t2 is not None and math.sqrt(t2) <= 1e3:
                for n in (-2, 0, 2):
                    ts.add(nextafter(math.sqrt(t2), n))
        if nu >= 10:
            ts.update((1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, 18.0, 22.0, 26.0, 30.0, 33.0, 35.0, 36.0, 37.0, 37.5,
                       38.0, 39.0, 40.0))
        for t in ts:
            pts.add((t, float(nu)))
            pts.add((-t, float(nu)))
    rnd = random.Random(99)
    for _ in range(500):
        nu = 10 ** rnd.uniform(-1, 6)
        t = rnd.choice((-1, 1)) * (10 ** rnd.uniform(-3, 3) if rnd.random() < 0.7 else rnd.uniform(0, 40))
        pts.add((t, nu))
    rows = []
    for t, nu in sorted(pts, key=lambda r: (r[1], r[0])):
        c, s = pair(t_cdf(t, nu)), pair(t_cdf(-t, nu))
        rows.append([t, nu] + c + s)
    return rows


def t_quantile_mp(p, nu):
    P, NU = mpf(p), mpf(nu)
    if P == HALF:
        return mpf(0)
    q = P if P < HALF else 1 - P
    lq = mp.log(q)
    g = lambda s: mp.log(t_lower_tail(mp.exp(s), NU)) - lq  # decreasing in s
    lo, hi = mpf(-800), mpf(1000)
    for _ in range(45):
        mid = (lo + hi) / 2
        if g(mid) > 0:
            lo = mid
        else:
            hi = mid
    s = (lo + hi) / 2
    lc = mp.loggamma((NU + 1) / 2) - mp.loggamma(NU / 2) - mp.log(NU * mp.pi) / 2
    for _ in range(8):  # Newton: d/ds log tau(e^s) = -t f(t) / tau
        t = mp.exp(s)
        tau = t_lower_tail(t, NU)
        f = mp.exp(lc - (NU + 1) / 2 * mp.log(1 + t * t / NU))
        s = s + (mp.log(tau) - lq) * tau / (t * f)
    assert abs(g(s)) < mpf(10) ** -35, (p, nu)
    t = mp.exp(s)
    return -t if P < HALF else t


def student_quantile_points():
    base = [5e-324, 1e-320, 1e-310, 1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.2,
            0.25, 0.3, 0.4, 0.45, 0.49, 0.4999, 0.499999999, 0.5]
    pts = set()
    for nu in NUS + NUS_EXTRA:
        for p in base:
            pts.add((p, float(nu)))
            pts.add((1 - p, float(nu)))
    for nu in NUS_TAIL:
        for p in base[:base.index(1e-3) + 1]:
            pts.add((p, float(nu)))
            pts.add((1 - p, float(nu)))
    rnd = random.Random(3)
    for _ in range(300):
        nu = 10 ** rnd.uniform(-1, 6)
        p = 10 ** rnd.uniform(-300, math.log10(0.5))
        pts.add((p if rnd.random() < 0.5 else 1 - p, nu))
    rows = []
    for p, nu in sorted(pts, key=lambda r: (r[1], r[0])):
        if p <= 0 or p >= 1:
            continue
        v = pair(t_quantile_mp(p, nu))
        if v is not None:  # quantiles past the double range (nu < 1, p tiny) are tested in TS
            rows.append([p, nu] + v)
    return rows


def main():
    out = {
        'source': SOURCE,
        'normal': normal_points(),
        'normalQuantile': normal_quantile_points(),
        'studentT': student_points(),
        'studentTQuantile': student_quantile_points(),
    }
    path = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures/special-values.json'
    with open(path, 'w') as f:
        f.write('{\n')
        keys = list(out)
        for i, k in enumerate(keys):
            sep = ',' if i < len(keys) - 1 else ''
            if isinstance(out[k], str):
                f.write('  %s: %s%s\n' % (json.dumps(k), json.dumps(out[k]), sep))
            else:
                f.write('  %s: [\n' % json.dumps(k))
                rows = out[k]
                for j, r in enumerate(rows):
                    f.write('    %s%s\n' % (json.dumps(r), ',' if j < len(rows) - 1 else ''))
                f.write('  ]%s\n' % sep)
        f.write('}\n')
    print({k: len(v) for k, v in out.items() if not isinstance(v, str)})


if __name__ == '__main__':
    main()
