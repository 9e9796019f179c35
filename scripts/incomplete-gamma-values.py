#!/usr/bin/env python3
"""Reference values for src/math/incomplete-gamma.ts and native/kernels/math/incomplete_gamma.cpp.

Writes test/fixtures/incomplete-gamma.json: the regularized incomplete gamma functions P(a, x) and
Q(a, x) = 1 - P(a, x) of exact double inputs, computed with mpmath 1.3.0 at mp.dps = 50
(gammainc(a, 0, x, regularized=True) and gammainc(a, x, inf, regularized=True)), and the inverse of Q
in x (scipy's gammainccinv): x with Q(a, x) = q, found by Newton's steps in log x at mp.dps = 50 from
scipy's value. Values are rounded to the nearest double; 0 where they underflow (an inverse below the doubles:
x^a = (1 - q) Gamma(a + 1) < 1e-308^a, checked).

Run by hand (no test runs Python): /opt/arch-venv/bin/pip install mpmath==1.3.0 scipy, then
    /opt/arch-venv/bin/python scripts/incomplete-gamma-values.py [path]
"""
import json
import sys

import mpmath
from mpmath import mp, mpf
from scipy import special as sc

mp.dps = 50
A = [0.002, 0.01, 0.3, 0.5, 1.0, 1.5, 2.0, 7.5, 30.0, 100.0]
X = [1e-300, 1e-20, 1e-5, 0.01, 0.3, 1.0, 2.5, 8.0, 30.0, 120.0, 700.0]
Q = [1e-300, 1e-100, 1e-10, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-10]


def q_of(a, x):
    return mpmath.gammainc(a, x, mpmath.inf, regularized=True)


def inverse(a, q):
    """x with Q(a, x) = q: Newton's steps in s = log x from scipy's start (or from 1)."""
    x0 = float(sc.gammainccinv(a, q))
    if x0 == 0:
        # below the doubles: x^a = (1 - q) Gamma(a + 1) (1 + O(x)), x = that to the 1/a < 1e-308
        assert mpmath.log((1 - mpf(q)) * mpmath.gamma(a + 1)) / a < -709
        return 0.0
    s = mpmath.log(mpf(x0))
    for _ in range(200):
        x = mpmath.exp(s)
        f = mpmath.log(q_of(a, x)) - mpmath.log(mpf(q))
        # d log Q / d s = -x^a e^-x / (Gamma(a) Q)
        d = -mpmath.exp(a * s - x - mpmath.loggamma(a)) / q_of(a, x)
        step = f / d
        s -= step
        if abs(step) < mpf(10) ** -40:
            break
    return float(mpmath.exp(s))


def main():
    pq = [[a, x, float(mpmath.gammainc(a, 0, x, regularized=True)), float(q_of(a, x))] for a in A for x in X]
    inv = [[a, q, inverse(a, q)] for a in A for q in Q]
    out = {"source": "mpmath %s, mp.dps = 50, scripts/incomplete-gamma-values.py" % mpmath.__version__,
           "pq": pq, "inverse": inv}
    path = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/incomplete-gamma.json"
    with open(path, "w") as f:
        f.write("{\n")
        f.write('  "source": %s,\n' % json.dumps(out["source"]))
        for key in ("pq", "inverse"):
            rows = out[key]
            f.write('  "%s": [\n' % key)
            for j, r in enumerate(rows):
                f.write("    %s%s\n" % (json.dumps(r), "," if j < len(rows) - 1 else ""))
            f.write("  ]%s\n" % ("," if key == "pq" else ""))
        f.write("}\n")


if __name__ == "__main__":
    main()
