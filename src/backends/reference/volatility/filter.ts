/**
 * The model at given parameters: arch 8.0's `am.fix(params)` (base.py ARCHModel.fix: the backcast and
 * variance bounds of the OLS mean's residuals, then the likelihood at the parameters) and
 * `res.forecast(horizon, method='analytic', reindex=False)` (mean.py HARX.forecast, volatility.py
 * GARCH._analytic_forecast, EGARCH's and APARCH's one step: the backcast and bounds of the residuals at the
 * parameters). native/kernels/volatility/filter.cpp is the same.
 */
import {
  FAULT_CONSTANT,
  FAULT_OMEGA,
  FAULT_OVERFLOW,
  MEAN_ZERO,
  type Model,
  filterLayout,
  forecastLayout,
} from '../../../kernels/volatility/volatility.js';
import { PROCESSES } from '../../../kernels/volatility/volatility-processes.js';
import { olsProblem } from './fit.js';
import { simulateVariance } from './forecast-simulation.js';
import { backcastOf, negLogLikelihood, type Problem, problem, recursion, residuals, varianceBounds } from './model.js';

/** Whether omega is within arch's bounds (the process's, volatility-processes.ts) for the OLS residuals of mean square v. */
function omegaInBounds(pr: Problem, theta: Float64Array, v: number): boolean {
  const [lo, hi] = PROCESSES[pr.m.vol].omegaBounds({ e: pr.e, meanSquare: v });
  return theta[pr.iw] >= lo && theta[pr.iw] <= hi;
}

/**
 * am.fix(params) into `out` (filterLayout): the log-likelihood, conditional volatility and standardized
 * residuals; FAULT_OVERFLOW (every other output NaN) where the log-likelihood is NaN.
 */
export function filterSeries(m: Model, y: Float64Array, params: Float64Array, out: Float64Array): void {
  const T = y.length;
  const lay = filterLayout(T);
  out.fill(Number.NaN);
  const ols = olsProblem(m, y);
  if (!ols) {
    out[lay.status] = FAULT_CONSTANT;
    return;
  }
  const { pr, v } = ols;
  if (!omegaInBounds(pr, params, v)) {
    out[lay.status] = FAULT_OMEGA;
    return;
  }
  const ll = -negLogLikelihood(pr, params);
  // a process past the doubles (APARCH's |e|^delta infinite under an alpha of 0): a fault, as a fit's
  if (Number.isNaN(ll)) {
    out[lay.status] = FAULT_OVERFLOW;
    return;
  }
  out[lay.status] = 0;
  out[lay.ll] = ll;
  const L = m.lags;
  for (let t = 0; t < pr.nobs; t++) {
    const sd = Math.sqrt(pr.sigma2[t]);
    out[lay.vol + L + t] = sd;
    out[lay.std + L + t] = pr.e[t] / sd;
  }
}

/** The AR's impulse response over `steps` (arch's _ar_to_impulse). */
function impulse(steps: number, ar: Float64Array): Float64Array {
  const p = ar.length;
  const out = new Float64Array(steps);
  out[0] = 1;
  if (p === 0) return out;
  for (let i = 1; i < steps; i++) {
    const k = Math.min(p - 1, i - 1);
    const st = Math.max(i - p, 0);
    let s = 0;
    for (let j = st, l = k; j < i; j++, l--) s += out[j] * ar[l];
    out[i] = s;
  }
  return out;
}

/**
 * The forecast from the end of y into `out` (forecastLayout): the mean, the variance (the residual
 * variance summed with the AR's impulse response) and the residual variance of each step; analytic
 * (EGARCH and APARCH: one step, arch's analytic forecast has no more), or with `simulations` > 0 the residual
 * variances beyond the first step by simulation (forecast-simulation.ts; the mean stays analytic, as arch's).
 */
export function forecastSeries(
  m: Model,
  y: Float64Array,
  params: Float64Array,
  horizon: number,
  out: Float64Array,
  simulations = 0,
  seed = 0,
): void {
  const lay = forecastLayout(horizon);
  out.fill(Number.NaN);
  const ols = olsProblem(m, y);
  if (!ols) {
    out[lay.status] = FAULT_CONSTANT;
    return;
  }
  if (!omegaInBounds(ols.pr, params, ols.v)) {
    out[lay.status] = FAULT_OMEGA;
    return;
  }
  out[lay.status] = 0;
  // the backcast and bounds of the residuals at the parameters, one observation more (residual 0, bounds [0, inf))
  const pr = problem(m, y);
  const n = pr.nobs;
  residuals(pr, params, pr.e);
  const bc = backcastOf(m, pr.e, n);
  const longer = new Float64Array(y.length + 1);
  longer.set(y);
  const ext = problem(m, longer);
  ext.backcast = bc;
  varianceBounds(pr.e, n, ext.lower, ext.upper);
  ext.lower[n] = 0;
  ext.upper[n] = Infinity;
  ext.e.set(pr.e);
  ext.e[n] = 0;
  recursion(ext, params);
  const vf = out.subarray(lay.residualVariance, lay.residualVariance + horizon);
  vf[0] = ext.sigma2[n];
  if (simulations > 0 && horizon > 1) simulateVariance(ext, params, horizon, simulations, seed, vf);
  else if (horizon > 1) garchAhead(ext, params, horizon, vf);
  // the mean
  const km = m.mean === MEAN_ZERO ? 0 : 1 + m.lags;
  const c = km > 0 ? params[0] : 0;
  const ar = params.slice(km > 0 ? 1 : 0, km);
  const L = ar.length;
  const path = new Float64Array(L + horizon);
  for (let i = 0; i < L; i++) path[i] = y[y.length - L + i];
  for (let h = 0; h < horizon; h++) {
    let f = c;
    for (let j = 0; j < L; j++) f += path[h + j] * ar[L - 1 - j];
    path[L + h] = f;
    out[lay.mean + h] = f;
  }
  const imp = impulse(horizon, ar);
  for (let h = 0; h < horizon; h++) {
    let s = 0;
    for (let j = 0; j <= h; j++) s += vf[j] * (imp[h - j] * imp[h - j]);
    out[lay.variance + h] = s;
  }
  // parameters whose forecast leaves the doubles (EGARCH's paths: exp of a large ln sigma^2): a fault
  for (let i = 1; i < lay.length; i++) {
    if (!Number.isFinite(out[i])) {
      out.fill(Number.NaN, 1, lay.length);
      out[lay.status] = FAULT_OVERFLOW;
      return;
    }
  }
}

/** GARCH._analytic_forecast beyond the first step: E e^2 = sigma^2, E e^2 1(e < 0) = sigma^2 / 2 (as square roots, squared). */
function garchAhead(ext: Problem, params: Float64Array, horizon: number, vf: Float64Array): void {
  const { m, iw, ia, ig, ib } = ext;
  const t = ext.nobs - 1; // the last observation (ext has one more)
  const mx = Math.max(m.p, m.o, m.q);
  const r = new Float64Array(mx + horizon);
  const asym = new Float64Array(mx + horizon);
  const s2 = new Float64Array(mx + horizon);
  for (let i = 0; i < mx; i++) {
    const at = t - mx + i;
    if (at >= 0) {
      r[i] = ext.e[at];
      asym[i] = r[i] < 0 ? r[i] : 0;
      s2[i] = ext.sigma2[at];
    } else {
      r[i] = Math.sqrt(ext.backcast);
      asym[i] = Math.sqrt(0.5 * ext.backcast);
      s2[i] = ext.backcast;
    }
  }
  for (let h = 0; h < horizon; h++) {
    const loc = h + mx - 1;
    let f = params[iw];
    for (let j = 0; j < m.p; j++) f += params[ia + j] * (r[loc - j] * r[loc - j]);
    for (let j = 0; j < m.o; j++) f += params[ig + j] * (asym[loc - j] * asym[loc - j]);
    for (let j = 0; j < m.q; j++) f += params[ib + j] * s2[loc - j];
    vf[h] = f;
    r[h + mx] = Math.sqrt(f);
    asym[h + mx] = Math.sqrt(0.5 * f);
    s2[h + mx] = f;
  }
}
