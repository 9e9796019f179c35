#!/usr/bin/env python3
"""Writes test/fixtures/volatility/arch.json: stored test vectors of arch 8.0.0 (bashtage/arch,
`arch/univariate/mean.py`, `volatility.py`, `distribution.py`, `base.py`) for the volatility family.

Run by hand, never by a test (the tests read the file; no Python at test time):

    python3 -m venv /opt/arch-venv
    /opt/arch-venv/bin/pip install arch==8.0.0        # numpy, scipy, pandas, statsmodels with it
    /opt/arch-venv/bin/python scripts/volatility-fixtures.py          # [--out PATH]

Every series is generated here from fixed numpy seeds (percent returns of a simulated GJR-GARCH with
Student-t shocks, one with an AR(1) mean) and stored in the file beside arch's outputs.

JSON: NaN -> null. Top level: { generator, arch, numpy, scipy, statsmodels, series: { name: [T] },
cases: [] }. A case:
- name, series (a key of `series`), spec: { vol, p, o, q, mean, lags, dist } in our option names;
- call: the arch call made;
- fit: arch_model(...).fit(disp='off') -> { params (arch's order), names, logLikelihood,
  conditionalVolatility [T] (NaN for the AR's first `lags`), standardizedResiduals [T], stdErrors
  (robust), aic, bic, nobs, convergenceFlag };
- tight: the same fit with options={'ftol': 1e-14, 'maxiter': 1000}: { params, logLikelihood } (how far
  the default SLSQP stops short of the optimum);
- stdErrorsAt: { params (tight.params), stdErrors }: arch's robust std errors at those params
  (ARCHModel.compute_param_cov), so the sandwich is compared at the same point;
- fix: am.fix(params) at params moved off the optimum -> { params, logLikelihood,
  conditionalVolatility, standardizedResiduals };
- forecast: res.forecast(horizon=10 (1 for EGARCH), method='analytic', reindex=False) from the
  default fit -> { horizon, mean, variance, residualVariance } (the last row);
- forecastAtFix: the same forecast from the fixed result (am.fix(fix.params));
- simulationAtFix (EGARCH): forecast(horizon=10, method='simulation', simulations=20000) from the fixed
  result with arch's draws (RandomState(12345)): { horizon, simulations, residualVariance }.

Also test/fixtures/volatility/arch-var.json: garchVar's definition by arch (var_case): window 400,
refit 50, confidence 0.99, for GARCH(1,1) normal, GJR t, AR(1)-GARCH skew-t (parametric) and GARCH(1,1)
normal (filtered): { tails: [{ dist, shape, alpha, q, es }] (the quantile and tail mean of a
standardized distribution), cases: [{ name, series, spec, window, refit, confidence, method, var [T], es [T] }] }
(null before the window).

Also test/fixtures/volatility/arch-boundary.json (boundary_case; `--boundary` writes it alone): the fit
`kernelbus risk examples/returns.csv --garch gjr --dist t` makes of column EQUITY (its returns x 100,
252 of them), GJR(1,1,1) Student-t with a constant mean, whose optimum lies on alpha + gamma >= 0:
{ series [T], spec, fit: { params, names, logLikelihood, convergenceFlag, iterations }, tight: { params,
logLikelihood } } (arch's tight fit crosses the constraint by ~3e-10, which its likelihood rewards).
"""

import argparse
import json
import math
import os
import warnings

import numpy as np

import arch
from arch import arch_model

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "test", "fixtures", "volatility", "arch.json")


def simulate(seed, T, mu=0.05, phi=0.0, omega=0.04, alpha=0.05, gamma=0.08, beta=0.87, nu=6.0):
    """Percent returns of an AR(1)-GJR-GARCH(1,1) with unit-variance Student-t shocks."""
    rng = np.random.default_rng(seed)
    burn = 200
    z = rng.standard_t(nu, T + burn) / math.sqrt(nu / (nu - 2))
    y = np.zeros(T + burn)
    e_prev, s2 = 0.0, omega / (1 - alpha - gamma / 2 - beta)
    for t in range(T + burn):
        s2 = omega + alpha * e_prev**2 + gamma * e_prev**2 * (e_prev < 0) + beta * s2
        e = math.sqrt(s2) * z[t]
        y[t] = mu + (phi * (y[t - 1] - mu) if t > 0 else 0.0) + e
        e_prev = e
    return y[burn:]


def clean(x):
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in np.asarray(x, dtype=float).tolist()]
    x = float(x)
    return None if math.isnan(x) else x


def arch_spec(spec):
    mean = {"constant": "Constant", "zero": "Zero", "ar": "AR"}[spec["mean"]]
    vol = "EGARCH" if spec["vol"] == "egarch" else "GARCH"
    dist = {"normal": "normal", "t": "t", "skewt": "skewt"}[spec["dist"]]
    kw = dict(mean=mean, vol=vol, p=spec["p"], o=spec["o"], q=spec["q"], dist=dist)
    if spec["mean"] == "ar":
        kw["lags"] = spec["lags"]
    return kw


def moved(params, names, spec):
    """Parameters off the optimum but inside the bounds and constraints (the filter's test point)."""
    out = np.array(params, dtype=float)
    for i, n in enumerate(names):
        if n in ("mu", "Const"):
            out[i] += 0.01
        elif n.startswith("y["):
            out[i] *= 0.9
        elif n == "omega":
            out[i] = out[i] * 1.2 if spec["vol"] != "egarch" else out[i] + 0.01
        elif n.startswith("alpha"):
            out[i] = out[i] * 0.9 + 0.01
        elif n.startswith("gamma"):
            out[i] = out[i] * 0.8 + (0.01 if spec["vol"] != "egarch" else -0.01)
        elif n.startswith("beta"):
            out[i] *= 0.97
        elif n in ("nu", "eta"):
            out[i] += 1.0
        elif n == "lambda":
            out[i] = out[i] * 0.5 - 0.05
    return out


def forecast(res, horizon):
    f = res.forecast(horizon=horizon, method="analytic", reindex=False)
    return {
        "horizon": horizon,
        "mean": clean(f.mean.values[-1]),
        "variance": clean(f.variance.values[-1]),
        "residualVariance": clean(f.residual_variance.values[-1]),
    }


def simulation(res, horizon=10, simulations=20000):
    """res.forecast(horizon, method='simulation') with arch's own draws (seeded): the residual variances."""
    f = res.forecast(horizon=horizon, method="simulation", simulations=simulations, reindex=False,
                     random_state=np.random.RandomState(12345))
    return {"horizon": horizon, "simulations": simulations, "residualVariance": clean(f.residual_variance.values[-1])}


def case(name, series_name, y, spec):
    kw = arch_spec(spec)
    am = arch_model(y, **kw)
    res = am.fit(disp="off")
    names = list(res.params.index)
    tight = arch_model(y, **kw).fit(disp="off", options={"ftol": 1e-14, "maxiter": 1000})
    am_cov = arch_model(y, **kw)
    am_cov.fit(disp="off")  # sets the model's backcast, as compute_param_cov after fit reads it
    cov_at = am_cov.compute_param_cov(np.asarray(tight.params))
    fixp = moved(res.params.values, names, spec)
    fixed = arch_model(y, **kw).fix(fixp)
    horizon = 1 if spec["vol"] == "egarch" else 10
    return {
        "name": name,
        "series": series_name,
        "spec": spec,
        "call": f"arch_model(y, {', '.join(f'{k}={v!r}' for k, v in kw.items())}).fit(disp='off')",
        "fit": {
            "params": clean(res.params.values),
            "names": names,
            "logLikelihood": float(res.loglikelihood),
            "conditionalVolatility": clean(res.conditional_volatility),
            "standardizedResiduals": clean(res.std_resid),
            "stdErrors": clean(res.std_err.values),
            "aic": float(res.aic),
            "bic": float(res.bic),
            "nobs": int(res.nobs),
            "convergenceFlag": int(res.convergence_flag),
        },
        "tight": {"params": clean(tight.params.values), "logLikelihood": float(tight.loglikelihood)},
        "stdErrorsAt": {"params": clean(tight.params.values), "stdErrors": clean(np.sqrt(np.diag(cov_at)))},
        "fix": {
            "params": clean(fixp),
            "logLikelihood": float(fixed.loglikelihood),
            "conditionalVolatility": clean(fixed.conditional_volatility),
            "standardizedResiduals": clean(fixed.std_resid),
        },
        "forecast": forecast(res, horizon),
        "forecastAtFix": forecast(fixed, horizon),
        **({"simulationAtFix": simulation(fixed)} if spec["vol"] == "egarch" else {}),
    }


def var_case(name, series_name, y, spec, window, refit, confidence, method):
    """garchVar's definition by arch: a fit on the window before each refit bar, am.fix(params) on the
    window before every bar and its forecast(horizon=1); q from the distribution's ppf (or numpy's
    percentile of the refit's standardized residuals), E[z | z <= q] by quadrature of the density."""
    from scipy import integrate

    kw = arch_spec(spec)
    alpha = 1 - confidence
    T = len(y)
    var = [None] * T
    es = [None] * T
    params = None
    for t in range(window, T):
        w = y[t - window:t]
        if (t - window) % refit == 0:
            res = arch_model(w, **kw).fit(disp="off")
            params = res.params.values
            am = arch_model(w, **kw)
            d = am.distribution
            k_d = d.num_params
            shape = params[len(params) - k_d:] if k_d else np.empty(0)
            if method == "filtered":
                z = res.std_resid
                z = z[~np.isnan(z)]
                q = float(np.percentile(z, alpha * 100))
                eq = float(np.mean(z[z <= q]))
            else:
                q = float(d.ppf(alpha, shape))
                pdf = lambda x: float(np.exp(d.loglikelihood(shape, np.array([x]), np.array([1.0]), individual=True)[0]))
                num = integrate.quad(lambda x: x * pdf(x), -np.inf, q, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
                eq = num / alpha
        f = arch_model(w, **kw).fix(params).forecast(horizon=1, reindex=False)
        mu = float(f.mean.values[-1, 0])
        sigma = float(np.sqrt(f.variance.values[-1, 0]))
        var[t] = -(mu + sigma * q)
        es[t] = -(mu + sigma * eq)
    return {"name": name, "series": series_name, "spec": spec, "window": window, "refit": refit,
            "confidence": confidence, "method": method, "var": var, "es": es}


def tail_case(dist, shape, alpha):
    """The quantile at alpha (arch's ppf) and E[z | z <= q] (quadrature of arch's density)."""
    from scipy import integrate
    from arch.univariate import Normal, SkewStudent, StudentsT

    d = {"normal": Normal, "t": StudentsT, "skewt": SkewStudent}[dist]()
    sh = np.array(shape, dtype=float)
    q = float(d.ppf(alpha, sh))
    pdf = lambda x: float(np.exp(d.loglikelihood(sh, np.array([x]), np.array([1.0]), individual=True)[0]))
    num = integrate.quad(lambda x: x * pdf(x), -np.inf, q, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    return {"dist": dist, "shape": shape, "alpha": alpha, "q": q, "es": num / alpha}


def boundary_case(csv_path):
    """The CLI's GJR-t fit of examples/returns.csv's EQUITY, an optimum on alpha + gamma >= 0."""
    import csv

    with open(csv_path) as f:
        rows = list(csv.DictReader(f))
    # the CLI's series: the column's present returns times 100 (src/cli/risk-garch.ts presentOf)
    y = np.array([100 * float(r["EQUITY"]) for r in rows if r["EQUITY"] not in ("", "NaN")])
    sp = spec("gjr", 1, 1, 1, "constant", "t")
    am = arch_model(y, **arch_spec(sp))
    res = am.fit(disp="off")
    tight = am.fit(disp="off", options={"ftol": 1e-14, "maxiter": 1000})
    return {
        "generator": "scripts/volatility-fixtures.py",
        "arch": arch.__version__,
        "source": "examples/returns.csv EQUITY x 100",
        "series": clean(y),
        "spec": sp,
        "call": f"arch_model(y, {arch_spec(sp)}).fit(disp='off')",
        "fit": {
            "params": clean(res.params.values),
            "names": list(res.params.index),
            "logLikelihood": float(res.loglikelihood),
            "convergenceFlag": int(res.convergence_flag),
            "iterations": int(res.optimization_result.nit),
        },
        "tight": {"params": clean(tight.params.values), "logLikelihood": float(tight.loglikelihood)},
    }


def spec(vol, p, o, q, mean, dist, lags=1):
    return {"vol": vol, "p": p, "o": o, "q": q, "mean": mean, "lags": lags, "dist": dist}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--boundary", action="store_true", help="write arch-boundary.json alone")
    args = ap.parse_args()

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    boundary = boundary_case(os.path.join(HERE, "..", "examples", "returns.csv"))
    with open(os.path.join(out_dir, "arch-boundary.json"), "w") as f:
        json.dump(boundary, f, separators=(",", ":"))
        f.write("\n")
    b = boundary["fit"]
    print(f"boundary (EQUITY gjr t)       ll {b['logLikelihood']:.6f} tight {boundary['tight']['logLikelihood']:.6f} flag {b['convergenceFlag']}")
    if args.boundary:
        return

    series = {
        "gjrT": simulate(seed=20261127, T=800),
        "arGarch": simulate(seed=70, T=600, phi=0.15, gamma=0.0, alpha=0.09, beta=0.88, nu=8.0),
        "calm": simulate(seed=7, T=500, mu=0.02, omega=0.1, alpha=0.04, gamma=0.05, beta=0.8, nu=12.0),
    }
    specs = [
        ("garch11-constant-normal", "gjrT", spec("garch", 1, 0, 1, "constant", "normal")),
        ("gjr111-constant-t", "gjrT", spec("gjr", 1, 1, 1, "constant", "t")),
        ("egarch111-constant-normal", "gjrT", spec("egarch", 1, 1, 1, "constant", "normal")),
        ("garch21-zero-normal", "gjrT", spec("garch", 2, 0, 1, "zero", "normal")),
        ("garch11-ar1-skewt", "arGarch", spec("garch", 1, 0, 1, "ar", "skewt")),
        ("gjr111-ar1-skewt", "arGarch", spec("gjr", 1, 1, 1, "ar", "skewt")),
        ("egarch111-zero-t", "arGarch", spec("egarch", 1, 1, 1, "zero", "t")),
        ("garch11-ar2-t", "calm", spec("garch", 1, 0, 1, "ar", "t", lags=2)),
        ("egarch111-constant-skewt", "calm", spec("egarch", 1, 1, 1, "constant", "skewt")),
        ("garch12-constant-normal", "calm", spec("garch", 1, 0, 2, "constant", "normal")),
    ]
    cases = [case(n, s, series[s], sp) for n, s, sp in specs]
    import scipy
    import statsmodels

    out = {
        "generator": "scripts/volatility-fixtures.py",
        "arch": arch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
        "series": {k: clean(v) for k, v in series.items()},
        "cases": cases,
    }
    var_specs = [
        ("garch11-normal-parametric", "gjrT", spec("garch", 1, 0, 1, "constant", "normal"), "parametric"),
        ("gjr111-t-parametric", "gjrT", spec("gjr", 1, 1, 1, "constant", "t"), "parametric"),
        ("garch11-ar1-skewt-parametric", "arGarch", spec("garch", 1, 0, 1, "ar", "skewt"), "parametric"),
        ("garch11-normal-filtered", "gjrT", spec("garch", 1, 0, 1, "constant", "normal"), "filtered"),
    ]
    var_cases = [var_case(n, s_, series[s_], sp, 400, 50, 0.99, meth) for n, s_, sp, meth in var_specs]
    tails = [tail_case(d, sh, a) for d, sh, a in [
        ("skewt", [8.3, -0.1], 0.01), ("skewt", [5.0, 0.3], 0.05), ("skewt", [30.0, -0.5], 0.6),
        ("t", [6.0], 0.01), ("t", [2.5], 0.05), ("normal", [], 0.025)]]
    var_out = os.path.join(os.path.dirname(os.path.abspath(args.out)), "arch-var.json")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(var_out, "w") as f:
        json.dump({"generator": "scripts/volatility-fixtures.py", "arch": arch.__version__, "tails": tails, "cases": var_cases}, f, separators=(",", ":"))
        f.write("\n")
    with open(args.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        gap = c["tight"]["logLikelihood"] - c["fit"]["logLikelihood"]
        print(f"{c['name']:28s} ll {c['fit']['logLikelihood']:.6f} tight-default {gap:.3e} flag {c['fit']['convergenceFlag']}")


if __name__ == "__main__":
    main()
