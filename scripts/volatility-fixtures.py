#!/usr/bin/env python3
"""Writes test/fixtures/volatility/arch.json: stored test vectors of arch 8.0.0 (bashtage/arch,
`arch/univariate/mean.py`, `volatility.py`, `distribution.py`, `base.py`) for the volatility family.

Run by hand, never by a test (the tests read the file; no Python at test time):

    python3 -m venv /opt/arch-venv
    /opt/arch-venv/bin/pip install arch==8.0.0 numpy==2.4.6 scipy==1.17.1 statsmodels==0.15.0   # pandas with it
    /opt/arch-venv/bin/python scripts/volatility-fixtures.py          # [--out PATH] [--append] [--boundary]

--out PATH: arch.json's path; arch-var.json, arch-boundary.json and arch-aparch.json go beside it.
--append: keep every entry the files at --out already hold (a case by its name, a tail row by its dist,
shape and alpha; arch-boundary.json whole) and compute only the missing ones, appended after them. arch's
fits are reproducible only on the same machine: SLSQP's steps go through OpenBLAS, whose kernel (CPU
type, OPENBLAS_CORETYPE) and thread count change the path. Regenerated on another machine (AMD EPYC,
AVX2, 2 threads; same versions, same series), the first ten cases' default fits
moved by 2e-8..6e-4 in the params (likelihood 5e-11..5e-8), and where the likelihood is flat in the
shape (garch11-ar2-t, egarch111-constant-skewt on `calm`) by 3 and 15 in nu/eta, tight fits too
(likelihood 3e-4, 3e-3). So cases are added with --append and the committed ones do not churn; the GED
and APARCH entries were added that way, on that machine.

Every series is generated here from fixed numpy seeds (percent returns of a simulated GJR-GARCH with
Student-t shocks, one with an AR(1) mean) and stored in the file beside arch's outputs.

JSON: NaN -> null. Top level: { generator, arch, numpy, scipy, statsmodels, series: { name: [T] },
cases: [] }. A case:
- name, series (a key of `series`), spec: { vol, p, o, q, mean, lags, dist } in our option names (dist
  'normal', 't', 'skewt' or 'ged': arch's dist='ged', GeneralizedError, shape nu);
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
- forecast: res.forecast(horizon=10 (1 for EGARCH and APARCH), method='analytic', reindex=False) from
  the default fit -> { horizon, mean, variance, residualVariance } (the last row);
- forecastAtFix: the same forecast from the fixed result (am.fix(fix.params));
- simulationAtFix (EGARCH, APARCH): forecast(horizon=10, method='simulation', simulations=20000) from
  the fixed result: { horizon, simulations, residualVariance, rng? }. arch ignores random_state for
  'simulation' and draws from the distribution's own unseeded default_rng(): the first three EGARCH
  cases (no `rng` field) hold one such unseeded run; the cases with rng: 'RandomState(12345)' pass
  rng=<the distribution class built with seed=RandomState(12345)>.simulate(shape), reproducible.

Also test/fixtures/volatility/arch-var.json: garchVar's definition by arch (var_case): window 400,
refit 50, confidence 0.99, for GARCH(1,1) normal, GJR t, AR(1)-GARCH skew-t, GARCH(1,1) GED (parametric)
and GARCH(1,1) normal (filtered): { tails: [{ dist, shape, alpha, q, es }] (the quantile and tail mean of a
standardized distribution; the GED rows' es in closed form, checked against quadrature and arch's
partial_moment to 1e-12), cases: [{ name, series, spec, window, refit, confidence, method, var [T], es [T] }] }
(null before the window).

Also test/fixtures/volatility/arch-aparch.json: APARCH (arch's vol='APARCH', Ding-Granger-Engle
sigma^delta dynamics, delta estimated, or fixed with spec.delta: arch_model has no delta argument, so the
model's volatility is set to APARCH(p, o, q, delta=...)), in a file of its own: { generator, arch,
numpy, scipy, statsmodels, series (the same as arch.json's), cases } with arch.json's case fields, spec
{ vol: 'aparch', p, o, q, mean, lags, dist, delta? }; forecast and forecastAtFix of horizon 1 (arch's
analytic APARCH forecast stops there) and simulationAtFix (seeded, as above) for every case.

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
    vol = {"garch": "GARCH", "gjr": "GARCH", "egarch": "EGARCH", "aparch": "APARCH"}[spec["vol"]]
    dist = {"normal": "normal", "t": "t", "skewt": "skewt", "ged": "ged"}[spec["dist"]]
    kw = dict(mean=mean, vol=vol, p=spec["p"], o=spec["o"], q=spec["q"], dist=dist)
    if spec["mean"] == "ar":
        kw["lags"] = spec["lags"]
    return kw


def build(y, spec):
    """arch_model(y, **arch_spec(spec)); a fixed APARCH delta (arch_model has no delta argument) by
    setting the model's volatility to APARCH(p, o, q, delta=...)."""
    am = arch_model(y, **arch_spec(spec))
    if spec.get("delta") is not None:
        from arch.univariate import APARCH

        am.volatility = APARCH(p=spec["p"], o=spec["o"], q=spec["q"], delta=spec["delta"])
    return am


def call_of(spec):
    """The arch call made, as text."""
    s = f"arch_model(y, {', '.join(f'{k}={v!r}' for k, v in arch_spec(spec).items())})"
    if spec.get("delta") is not None:
        s = f"am = {s}; am.volatility = APARCH(p={spec['p']}, o={spec['o']}, q={spec['q']}, delta={spec['delta']!r}); am"
    return s + ".fit(disp='off')"


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
        elif n == "delta":
            out[i] += 0.1
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
    """res.forecast(horizon, method='simulation') with arch's own draws, seeded: the residual variances.

    arch's forecast ignores random_state for method='simulation' (it is bootstrap's); the draws come from
    rng, by default the model distribution's own simulate(), whose generator is an unseeded
    default_rng(). So rng is the same distribution class built with seed=RandomState(12345): its
    simulate(shape params)((simulations, horizon)) draws the standardized shocks once (one origin)."""
    model = res.model
    dp = model._parse_parameters(np.asarray(res.params, dtype=float))[2]
    rng = type(model.distribution)(seed=np.random.RandomState(12345)).simulate(dp)
    f = res.forecast(horizon=horizon, method="simulation", simulations=simulations, reindex=False, rng=rng)
    return {"horizon": horizon, "simulations": simulations, "rng": "RandomState(12345)",
            "residualVariance": clean(f.residual_variance.values[-1])}


def case(name, series_name, y, spec):
    am = build(y, spec)
    res = am.fit(disp="off")
    names = list(res.params.index)
    tight = build(y, spec).fit(disp="off", options={"ftol": 1e-14, "maxiter": 1000})
    am_cov = build(y, spec)
    am_cov.fit(disp="off")  # sets the model's backcast, as compute_param_cov after fit reads it
    cov_at = am_cov.compute_param_cov(np.asarray(tight.params))
    fixp = moved(res.params.values, names, spec)
    fixed = build(y, spec).fix(fixp)
    simulated = spec["vol"] in ("egarch", "aparch")  # arch: analytic forecasts of horizon 1 only
    horizon = 1 if simulated else 10
    return {
        "name": name,
        "series": series_name,
        "spec": spec,
        "call": call_of(spec),
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
        **({"simulationAtFix": simulation(fixed)} if simulated else {}),
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


def ged_tail_mean(nu, q, alpha):
    """E[z | z <= q] of the unit-variance GED (arch's GeneralizedError: scipy's gennorm(nu) with scale
    s = 1/sqrt(gennorm(nu).var())), closed form: int_{-inf}^{q} z f(z) dz = -s G(2/nu) / (2 G(1/nu))
    * Q(2/nu, (|q|/s)^nu) for either sign of q (Q the regularized upper incomplete gamma), over alpha."""
    from scipy import special, stats

    s = 1.0 / math.sqrt(stats.gennorm(nu).var())
    part = -s * math.exp(special.gammaln(2 / nu) - special.gammaln(1 / nu)) / 2 * special.gammaincc(2 / nu, (abs(q) / s) ** nu)
    return part / alpha


def tail_case(dist, shape, alpha):
    """The quantile at alpha (arch's ppf) and E[z | z <= q] (quadrature of arch's density; the GED's in
    closed form, checked against the quadrature and arch's partial_moment to 1e-12)."""
    from scipy import integrate
    from arch.univariate import GeneralizedError, Normal, SkewStudent, StudentsT

    d = {"normal": Normal, "t": StudentsT, "skewt": SkewStudent, "ged": GeneralizedError}[dist]()
    sh = np.array(shape, dtype=float)
    q = float(d.ppf(alpha, sh))
    pdf = lambda x: float(np.exp(d.loglikelihood(sh, np.array([x]), np.array([1.0]), individual=True)[0]))
    if dist == "ged":
        es = ged_tail_mean(float(sh[0]), q, alpha)
        # the density has a kink at 0 for nu < 2: split the quadrature there
        pieces = [(-np.inf, q)] if q <= 0 else [(-np.inf, 0.0), (0.0, q)]
        num = sum(integrate.quad(lambda x: x * pdf(x), a, b, epsabs=1e-14, epsrel=1e-13, limit=400)[0] for a, b in pieces)
        assert abs(num / alpha - es) <= 1e-12 * abs(es), (shape, alpha, num / alpha, es)
        pm = float(d.partial_moment(1, q, sh)) / alpha
        assert abs(pm - es) <= 1e-12 * abs(es), (shape, alpha, pm, es)
        return {"dist": dist, "shape": shape, "alpha": alpha, "q": q, "es": es}
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


def spec(vol, p, o, q, mean, dist, lags=1, delta=None):
    out = {"vol": vol, "p": p, "o": o, "q": q, "mean": mean, "lags": lags, "dist": dist}
    if delta is not None:
        out["delta"] = delta  # APARCH's fixed power (estimated when absent)
    return out


def load_kept(path, append):
    """With --append, the JSON already at path (None when absent or without --append)."""
    if not append or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def keep_or_make(kept, keys, make):
    """One entry per key, in order: the kept entry (a dict with that key, from --append's file) when there
    is one, else make(i) for the i-th key. The kept entries must lead, in the file's order, so that
    appending never moves them."""
    have = {k: e for k, e in kept} if kept else {}
    out = [have[k] if k in have else make(i) for i, k in enumerate(keys)]
    if kept:
        assert list(keys[:len(kept)]) == [k for k, _ in kept], "kept entries must lead, in order"
    return out


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT, help="arch.json's path; the other files go beside it")
    ap.add_argument("--boundary", action="store_true", help="write arch-boundary.json alone")
    ap.add_argument("--append", action="store_true",
                    help="keep the entries the files at --out already hold, compute only the missing ones")
    args = ap.parse_args()

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    boundary_path = os.path.join(out_dir, "arch-boundary.json")
    if load_kept(boundary_path, args.append) is None:
        boundary = boundary_case(os.path.join(HERE, "..", "examples", "returns.csv"))
        write_json(boundary_path, boundary)
        b = boundary["fit"]
        print(f"boundary (EQUITY gjr t)       ll {b['logLikelihood']:.6f} tight {boundary['tight']['logLikelihood']:.6f} flag {b['convergenceFlag']}")
    if args.boundary:
        return

    series = {
        "gjrT": simulate(seed=20261127, T=800),
        "arGarch": simulate(seed=70, T=600, phi=0.15, gamma=0.0, alpha=0.09, beta=0.88, nu=8.0),
        "calm": simulate(seed=7, T=500, mu=0.02, omega=0.1, alpha=0.04, gamma=0.05, beta=0.8, nu=12.0),
    }
    stored = {k: clean(v) for k, v in series.items()}
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
        # the generalized error distribution (arch's dist='ged'), appended
        ("garch11-constant-ged", "gjrT", spec("garch", 1, 0, 1, "constant", "ged")),
        ("gjr111-zero-ged", "gjrT", spec("gjr", 1, 1, 1, "zero", "ged")),
        ("egarch111-constant-ged", "calm", spec("egarch", 1, 1, 1, "constant", "ged")),
        ("garch11-ar1-ged", "arGarch", spec("garch", 1, 0, 1, "ar", "ged")),
    ]
    kept = load_kept(args.out, args.append)
    if kept:
        assert kept["series"] == stored, "the kept file's series differ from the generated ones"
    cases = keep_or_make(kept and [(c["name"], c) for c in kept["cases"]], [n for n, _, _ in specs],
                         lambda i: case(specs[i][0], specs[i][1], series[specs[i][1]], specs[i][2]))
    import scipy
    import statsmodels

    versions = {
        "generator": "scripts/volatility-fixtures.py",
        "arch": arch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
    }
    out = {**versions, "series": stored, "cases": cases}
    var_specs = [
        ("garch11-normal-parametric", "gjrT", spec("garch", 1, 0, 1, "constant", "normal"), "parametric"),
        ("gjr111-t-parametric", "gjrT", spec("gjr", 1, 1, 1, "constant", "t"), "parametric"),
        ("garch11-ar1-skewt-parametric", "arGarch", spec("garch", 1, 0, 1, "ar", "skewt"), "parametric"),
        ("garch11-normal-filtered", "gjrT", spec("garch", 1, 0, 1, "constant", "normal"), "filtered"),
        ("garch11-ged-parametric", "gjrT", spec("garch", 1, 0, 1, "constant", "ged"), "parametric"),
    ]
    var_path = os.path.join(out_dir, "arch-var.json")
    kept_var = load_kept(var_path, args.append)
    var_cases = keep_or_make(kept_var and [(c["name"], c) for c in kept_var["cases"]], [v[0] for v in var_specs],
                             lambda i: var_case(var_specs[i][0], var_specs[i][1], series[var_specs[i][1]],
                                                var_specs[i][2], 400, 50, 0.99, var_specs[i][3]))
    tail_specs = [
        ("skewt", [8.3, -0.1], 0.01), ("skewt", [5.0, 0.3], 0.05), ("skewt", [30.0, -0.5], 0.6),
        ("t", [6.0], 0.01), ("t", [2.5], 0.05), ("normal", [], 0.025),
    ] + [("ged", [nu], a) for nu in (1.05, 1.2, 1.5, 2.0, 3.0, 10.0, 100.0) for a in (0.01, 0.025, 0.05, 0.6)]
    tail_key = lambda d, sh, a: json.dumps([d, sh, a])
    tails = keep_or_make(kept_var and [(tail_key(t["dist"], t["shape"], t["alpha"]), t) for t in kept_var["tails"]],
                         [tail_key(*t) for t in tail_specs], lambda i: tail_case(*tail_specs[i]))
    write_json(var_path, {"generator": "scripts/volatility-fixtures.py", "arch": arch.__version__, "tails": tails, "cases": var_cases})
    write_json(args.out, out)
    for c in cases:
        gap = c["tight"]["logLikelihood"] - c["fit"]["logLikelihood"]
        print(f"{c['name']:28s} ll {c['fit']['logLikelihood']:.6f} tight-default {gap:.3e} flag {c['fit']['convergenceFlag']}")

    # APARCH, in a file of its own (arch.json's readers know GARCH, GJR and EGARCH only)
    aparch_specs = [
        ("aparch111-constant-normal", "gjrT", spec("aparch", 1, 1, 1, "constant", "normal")),
        ("aparch111-constant-t", "gjrT", spec("aparch", 1, 1, 1, "constant", "t")),
        ("aparch101-zero-normal", "gjrT", spec("aparch", 1, 0, 1, "zero", "normal")),
        ("aparch111-ar1-skewt", "arGarch", spec("aparch", 1, 1, 1, "ar", "skewt")),
        ("aparch101-constant-t", "arGarch", spec("aparch", 1, 0, 1, "constant", "t")),
        ("aparch211-constant-normal", "gjrT", spec("aparch", 2, 1, 1, "constant", "normal")),
        ("aparch221-zero-normal", "gjrT", spec("aparch", 2, 2, 1, "zero", "normal")),
        ("aparch201-zero-t", "gjrT", spec("aparch", 2, 0, 1, "zero", "t")),
        ("aparch111-constant-t-delta1", "gjrT", spec("aparch", 1, 1, 1, "constant", "t", delta=1.0)),
        ("aparch111-zero-skewt-delta2", "arGarch", spec("aparch", 1, 1, 1, "zero", "skewt", delta=2.0)),
        ("aparch111-constant-ged", "calm", spec("aparch", 1, 1, 1, "constant", "ged")),
    ]
    aparch_path = os.path.join(out_dir, "arch-aparch.json")
    kept_ap = load_kept(aparch_path, args.append)
    if kept_ap:
        assert kept_ap["series"] == stored, "the kept file's series differ from the generated ones"
    ap_cases = keep_or_make(kept_ap and [(c["name"], c) for c in kept_ap["cases"]], [n for n, _, _ in aparch_specs],
                            lambda i: case(aparch_specs[i][0], aparch_specs[i][1], series[aparch_specs[i][1]], aparch_specs[i][2]))
    write_json(aparch_path, {**versions, "series": stored, "cases": ap_cases})
    for c in ap_cases:
        gap = c["tight"]["logLikelihood"] - c["fit"]["logLikelihood"]
        print(f"{c['name']:28s} ll {c['fit']['logLikelihood']:.6f} tight-default {gap:.3e} flag {c['fit']['convergenceFlag']}")


if __name__ == "__main__":
    main()
