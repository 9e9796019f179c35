/**
 * arch 8.0's fit (arch/univariate/base.py ARCHModel.fit and compute_param_cov): starting values from
 * the mean's OLS estimate, the variance model's grid and the distribution's kurtosis; arch's bounds
 * and linear constraints; the optimum (optimize.ts, not arch's SLSQP: ours goes on to the optimum);
 * the robust (sandwich) standard errors by statsmodels' approx_hess3 steps and the analytic scores.
 * native/kernels/volatility/fit.cpp is the same, function for function.
 */
import { DISTRIBUTIONS } from '../../../kernels/volatility/volatility-dists.js';
import { PROCESSES, type Residuals, VOL_EGARCH } from '../../../kernels/volatility/volatility-processes.js';
import { DIST_NORMAL, FAULT_CONSTANT, FAULT_OVERFLOW, type Model, fitLayout } from '../../../kernels/volatility/volatility.js';
import { fixAt, gradientWork, negLogLikelihood, olsMean, type Problem, problem, recursion, residuals } from './model.js';
import { distLogLikelihood, distTerms } from './dist.js';
import { hasHessian, negLogLikelihoodHessian } from './hessian.js';
import { type Minimum, minimize, type Polytope } from './optimize.js';

/**
 * arch's bounds and constraints (single-variable rows folded into the bounds), given the residuals'
 * moments: the process's (volatility-processes.ts), then the distribution's bounds.
 */
export function polytope(pr: Problem, stats: Residuals): Polytope {
  const { m, k, id } = pr;
  const into = {
    lo: new Float64Array(k).fill(-Infinity),
    hi: new Float64Array(k).fill(Infinity),
    rows: [] as number[][],
    b: [] as number[],
  };
  PROCESSES[m.vol].polytope(m, pr, k, stats, into);
  const { lo, hi, rows, b } = into;
  DISTRIBUTIONS[m.dist].bounds.forEach(([l, h], j) => {
    lo[id + j] = l;
    hi[id + j] = h;
  });
  const a = new Float64Array(rows.length * k);
  rows.forEach((row, i) => a.set(row, i * k));
  return { lo, hi, a, b: Float64Array.from(b), rows: rows.length };
}

/** The Gaussian log-likelihood of variance parameters alone (arch's _gaussian_loglikelihood: starting values). */
function gaussianLogLikelihood(pr: Problem, theta: Float64Array): number {
  recursion(pr, theta);
  return distLogLikelihood(distTerms(DIST_NORMAL, theta, 0), pr.e, pr.sigma2, pr.nobs);
}

/** arch's starting values of the process: the best of its grid (volatility-processes.ts) by the Gaussian likelihood, over the residuals in pr.e. */
function varianceStart(pr: Problem, theta: Float64Array): void {
  const { m, nobs, e, iw, id } = pr;
  let meanSq = 0;
  for (let t = 0; t < nobs; t++) meanSq += e[t] * e[t];
  meanSq /= nobs;
  const sv = Float64Array.from(theta);
  let best = Number.NaN;
  const found = Float64Array.from(theta);
  PROCESSES[m.vol].starts(m, pr, { e, meanSquare: meanSq }, sv, () => {
    const ll = gaussianLogLikelihood(pr, sv);
    // np.argmax: the first of the largest
    if (Number.isNaN(best) || ll > best) {
      best = ll;
      found.set(sv);
    }
  });
  theta.set(found.subarray(iw, id), iw);
}

/** The kurtosis of the standardized residuals at the variance's start (the (skew-)t's starting nu). */
function kurtosisAt(pr: Problem, theta: Float64Array): number {
  const { nobs, e, sigma2, z } = pr;
  recursion(pr, theta);
  let mean = 0;
  for (let t = 0; t < nobs; t++) {
    z[t] = e[t] / Math.sqrt(sigma2[t]); // the standardized residuals, made once
    mean += z[t];
  }
  mean /= nobs;
  let m2 = 0;
  let m4 = 0;
  for (let t = 0; t < nobs; t++) {
    const d = z[t] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= nobs;
  m4 /= nobs;
  return m4 / (m2 * m2);
}

/** The distribution's starting values (volatility-dists.ts), at the variance's start. */
function distStart(pr: Problem, theta: Float64Array): void {
  theta.set(
    DISTRIBUTIONS[pr.m.dist].start(() => kurtosisAt(pr, theta)),
    pr.id,
  );
}

/** arch's starting values at the OLS mean (theta's mean part already set), the backcast and bounds fixed. */
export function startingValues(pr: Problem, theta: Float64Array): void {
  residuals(pr, theta, pr.e);
  varianceStart(pr, theta);
  distStart(pr, theta);
}

/**
 * The smallest mean square of the residuals a model takes: below it the variance bounds (v / 1e8, an
 * EWMA / 1e6) and EGARCH's exp(ln v - ln 1e4) underflow, and sigma^2 could be 0.
 */
export const MIN_MEAN_SQUARE = 1e-290;

/**
 * A problem fixed at the OLS mean: its parameters' start (the mean's OLS part) and v, or null for a
 * constant series (residuals 0 to 1e-12 of the returns' scale, singular normal equations, or a mean
 * square below MIN_MEAN_SQUARE).
 */
export function olsProblem(m: Model, y: Float64Array): { pr: Problem; theta: Float64Array; v: number } | null {
  const pr = problem(m, y);
  const theta = new Float64Array(pr.k);
  if (!olsMean(pr, theta)) return null;
  const v = fixAt(pr, theta);
  // constant: residuals 0, or rounding's (below 1e-12 of the returns' scale)
  let ySq = 0;
  for (let t = m.lags; t < y.length; t++) ySq += y[t] * y[t];
  if (!(v > 1e-24 * (ySq / pr.nobs)) || !(v >= MIN_MEAN_SQUARE) || !Number.isFinite(v)) return null;
  return { pr, theta, v };
}

/** statsmodels' approx_hess3 steps: EPS^(1/4) max(|x_i|, 0.1). */
function hess3Steps(x: Float64Array): Float64Array {
  return Float64Array.from(x, (v) => Math.sqrt(Math.sqrt(Number.EPSILON)) * Math.max(Math.abs(v), 0.1));
}

/** statsmodels' approx_hess3 of -ll / nobs at x (steps h). */
function approxHess3(pr: Problem, x: Float64Array, h: Float64Array): Float64Array {
  const n = x.length;
  const hess = new Float64Array(n * n);
  const at = (si: number, i: number, sj: number, j: number) => {
    const xs = new Float64Array(n);
    for (let c = 0; c < n; c++) xs[c] = x[c] + (c === i ? si * h[i] : 0) + (c === j ? sj * h[j] : 0);
    return negLogLikelihood(pr, xs);
  };
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      hess[i * n + j] = (at(1, i, 1, j) - at(1, i, -1, j) - (at(-1, i, 1, j) - at(-1, i, -1, j))) / (4.0 * (h[i] * h[j]));
      hess[j * n + i] = hess[i * n + j];
    }
  for (let i = 0; i < n * n; i++) hess[i] /= pr.nobs;
  return hess;
}

/**
 * approx_hess3's Hessian of -ll / nobs from the analytic gradient: central differences at steps
 * sqrt(2) h_i, symmetrized. Where the likelihood is smooth within the steps it equals approx_hess3's
 * to O(h^4) (both err by (h_i^2 f_iiij + h_j^2 f_ijjj) / 6), from 2k gradients for its 2k(k + 1) values.
 */
function gradientHess3(pr: Problem, x: Float64Array, h: Float64Array): Float64Array {
  const n = x.length;
  const hess = new Float64Array(n * n);
  const work = gradientWork(pr);
  const xs = Float64Array.from(x);
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.SQRT2 * h[i];
    xs[i] = x[i] + s;
    negLogLikelihood(pr, xs, up, work);
    xs[i] = x[i] - s;
    negLogLikelihood(pr, xs, down, work);
    xs[i] = x[i];
    for (let j = 0; j < n; j++) hess[j * n + i] = (up[j] - down[j]) / (2 * s) / pr.nobs;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) hess[i * n + j] = hess[j * n + i] = 0.5 * (hess[i * n + j] + hess[j * n + i]);
  return hess;
}

/**
 * Whether approx_hess3's steps can reach EGARCH's kink, |z_t| at a residual of 0: a residual at theta
 * within twice the steps' move of 0 (only the mean's parameters move the residuals).
 */
function kinkInReach(pr: Problem, theta: Float64Array, h: Float64Array): boolean {
  const { m, nobs, y, e } = pr;
  if (m.vol !== VOL_EGARCH || pr.iw === 0) return false;
  residuals(pr, theta, e);
  for (let t = 0; t < nobs; t++) {
    let reach = h[0];
    for (let j = 1; j <= m.lags; j++) reach += h[j] * Math.abs(y[t + m.lags - j]);
    if (Math.abs(e[t]) <= 2 * reach) return true;
  }
  return false;
}

/** The inverse of a k x k matrix by Gauss-Jordan elimination with partial pivoting, or null when singular. */
function inverse(a: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (!(Math.abs(m[piv * n + c]) > 0)) return null;
    for (let j = 0; j < n; j++) {
      [m[c * n + j], m[piv * n + j]] = [m[piv * n + j], m[c * n + j]];
      [inv[c * n + j], inv[piv * n + j]] = [inv[piv * n + j], inv[c * n + j]];
    }
    const d = m[c * n + c];
    for (let j = 0; j < n; j++) {
      m[c * n + j] /= d;
      inv[c * n + j] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

/**
 * arch's robust standard errors at theta (compute_param_cov): H the Hessian of -ll over nobs by
 * approx_hess3's steps, S each observation's score of -l_t, cov = H^-1 cov(S) H^-1 / nobs (numpy's
 * cov: demeaned, n - 1); NaN where H is singular. H from central differences of the analytic gradient
 * and S analytic (gradientHess3, observationScore: within 1e-5 of arch's, its own noise ~1e-6),
 * except where approx_hess3's steps reach EGARCH's kink (kinkInReach): there arch's own arithmetic,
 * approx_hess3 of the values and forward differences of each -l_t, which straddle it as arch's do.
 */
export function robustStdErrors(pr: Problem, theta: Float64Array, out: Float64Array): void {
  const { k, nobs } = pr;
  const h = hess3Steps(theta);
  const kink = kinkInReach(pr, theta, h);
  const hess = kink ? approxHess3(pr, theta, h) : gradientHess3(pr, theta, h);
  const inv = inverse(hess, k);
  if (!inv) {
    out.fill(Number.NaN, 0, k);
    return;
  }
  const scores = new Float64Array(nobs * k);
  if (kink) {
    const f0 = new Float64Array(nobs);
    negLogLikelihood(pr, theta, undefined, undefined, f0);
    const fi = new Float64Array(nobs);
    const xs = Float64Array.from(theta);
    for (let i = 0; i < k; i++) {
      const eps = Math.sqrt(Number.EPSILON) * Math.max(Math.abs(theta[i]), 0.1);
      xs[i] = theta[i] + eps;
      negLogLikelihood(pr, xs, undefined, undefined, fi);
      xs[i] = theta[i];
      for (let t = 0; t < nobs; t++) scores[t * k + i] = (fi[t] - f0[t]) / eps;
    }
  } else {
    negLogLikelihood(pr, theta, new Float64Array(k), gradientWork(pr), undefined, scores);
  }
  const means = new Float64Array(k);
  for (let t = 0; t < nobs; t++) for (let i = 0; i < k; i++) means[i] += scores[t * k + i];
  for (let i = 0; i < k; i++) means[i] /= nobs;
  const cov = new Float64Array(k * k);
  for (let t = 0; t < nobs; t++)
    for (let i = 0; i < k; i++) {
      const di = scores[t * k + i] - means[i];
      for (let j = 0; j <= i; j++) cov[i * k + j] += di * (scores[t * k + j] - means[j]);
    }
  for (let i = 0; i < k; i++)
    for (let j = 0; j <= i; j++) {
      cov[i * k + j] /= nobs - 1;
      cov[j * k + i] = cov[i * k + j];
    }
  for (let i = 0; i < k; i++) {
    // (H^-1 S H^-1)_ii / nobs
    let v = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) v += inv[i * k + a] * cov[a * k + b] * inv[b * k + i];
    out[i] = Math.sqrt(v / nobs);
  }
}

/** Whether `start` (k values) lies within the bounds and rows: a warm start the fit may use. */
function feasible(p: Polytope, x: Float64Array): boolean {
  const n = x.length;
  for (let i = 0; i < n; i++) if (!(x[i] >= p.lo[i] && x[i] <= p.hi[i])) return false;
  for (let r = 0; r < p.rows; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += p.a[r * n + i] * x[i];
    if (!(s >= p.b[r])) return false;
  }
  return true;
}

/**
 * Fits the model to y into `out` (fitLayout: params, stdErrors, logLikelihood, status, iterations,
 * conditional volatility and standardized residuals over the whole series, NaN before the AR's lags).
 * `start`: k values to start from when feasible (a warm start), else arch's starting values;
 * `stdErrors` false leaves them NaN (garchVar's refits).
 */
export function fitSeries(m: Model, y: Float64Array, out: Float64Array, start?: Float64Array, stdErrors = true): void {
  const T = y.length;
  const lay = fitLayout(m, T);
  const ols = olsProblem(m, y);
  if (!ols) {
    out.fill(Number.NaN);
    out[lay.status] = FAULT_CONSTANT;
    return;
  }
  const { pr, theta, v } = ols;
  const poly = polytope(pr, { e: pr.e, meanSquare: v });
  const warm = start !== undefined && start.length === pr.k && feasible(poly, start);
  if (warm) theta.set(start);
  else startingValues(pr, theta);
  const nobs = pr.nobs;
  const work = gradientWork(pr);
  const objective = (x: Float64Array, grad: Float64Array) => {
    const f = negLogLikelihood(pr, x, grad, work) / nobs;
    for (let i = 0; i < pr.k; i++) grad[i] /= nobs;
    return f;
  };
  // GARCH(1,1) and GJR(1,1,1), any distribution: Newton's model from the analytic Hessian (hessian.ts)
  const curvature = hasHessian(m)
    ? (x: Float64Array, grad: Float64Array, hess: Float64Array) => {
        const f = negLogLikelihoodHessian(pr, x, grad, hess) / nobs;
        for (let i = 0; i < pr.k; i++) grad[i] /= nobs;
        for (let i = 0; i < pr.k * pr.k; i++) hess[i] /= nobs;
        return f;
      }
    : undefined;
  let best: Minimum;
  if (curvature && DISTRIBUTIONS[m.dist].reciprocalShape) {
    // Newton's steps in u = 1 / eta (the (skew-)t's degrees of freedom): -ll is near
    // quadratic in 1 / eta where eta is large, so Newton takes a step or two where in eta itself it took
    // eta up by ~1.4x a step (eta 12 to 300 in 8). A warm start (garchVar's and the risk engine's refits)
    // steps in u too: in eta it stopped at lower optima on 60-return windows (fit.cpp, the same operations)
    const id = pr.id;
    const k = pr.k;
    const pu: Polytope = { ...poly, lo: Float64Array.from(poly.lo), hi: Float64Array.from(poly.hi) };
    pu.lo[id] = 1 / poly.hi[id];
    pu.hi[id] = 1 / poly.lo[id];
    const xs = new Float64Array(k);
    const u0 = Float64Array.from(theta);
    u0[id] = 1 / theta[id];
    const toTheta = (u: Float64Array, x: Float64Array) => {
      x.set(u);
      x[id] = Math.min(Math.max(1 / u[id], poly.lo[id]), poly.hi[id]);
    };
    const inU = (u: Float64Array, grad: Float64Array) => {
      toTheta(u, xs);
      const f = objective(xs, grad);
      grad[id] *= -(xs[id] * xs[id]);
      return f;
    };
    const curvatureInU = (u: Float64Array, grad: Float64Array, hess: Float64Array) => {
      toTheta(u, xs);
      const f = curvature(xs, grad, hess);
      // d eta / du = -eta^2, d2 eta / du2 = 2 eta^3
      const e = xs[id];
      const e2 = e * e;
      hess[id * k + id] = hess[id * k + id] * (e2 * e2) + 2 * grad[id] * (e2 * e);
      for (let j = 0; j < k; j++) if (j !== id) hess[j * k + id] = hess[id * k + j] = hess[id * k + j] * -e2;
      grad[id] *= -e2;
      return f;
    };
    best = minimize(inU, u0, pu, curvatureInU);
    const x = new Float64Array(k);
    toTheta(best.x, x);
    best = { ...best, x };
  } else {
    best = minimize(objective, theta, poly, curvature);
  }
  const x = best.x;
  const k = pr.k;
  out.set(x, lay.params);
  if (stdErrors) robustStdErrors(pr, x, out.subarray(lay.stdErrors, lay.stdErrors + k));
  else out.fill(Number.NaN, lay.stdErrors, lay.stdErrors + k);
  out[lay.ll] = -negLogLikelihood(pr, x);
  // a process past the doubles (APARCH's |e|^delta of returns near 1e100): no fit, a fault (a
  // log-likelihood of -inf stays: the GED's density past the doubles is 0, as numpy's gives arch)
  if (Number.isNaN(out[lay.ll]) || !x.every(Number.isFinite)) {
    out.fill(Number.NaN);
    out[lay.status] = FAULT_OVERFLOW;
    return;
  }
  out[lay.status] = best.status;
  out[lay.iterations] = best.iterations;
  const L = m.lags;
  for (let t = 0; t < L; t++) {
    out[lay.vol + t] = Number.NaN;
    out[lay.std + t] = Number.NaN;
  }
  for (let t = 0; t < nobs; t++) {
    const sd = Math.sqrt(pr.sigma2[t]);
    out[lay.vol + L + t] = sd;
    out[lay.std + L + t] = pr.e[t] / sd;
  }
}
