/**
 * One model on one series, as arch 8.0 computes it (arch/univariate/mean.py, volatility.py,
 * recursions.pyx, base.py): the mean's residuals, the backcast, the variance bounds, the process's
 * recursion (processes.ts), and the negative log-likelihood with its gradient (forward derivatives of
 * the recursion, exact: the optimizer's). native/kernels/volatility/model.cpp is the same, function for
 * function.
 */
import { VOL_EGARCH } from '../../../kernels/volatility/volatility-processes.js';
import { distCount, MEAN_ZERO, type Model } from '../../../kernels/volatility/volatility.js';
import { distIndividual, distLogLikelihood, type DistTerms, distTerms, LogProduct, type Partials } from './dist.js';
import { ln as log } from './numbers.js';
import { RECURSIONS } from './processes.js';
import type { Problem } from './problem.js';

export { type Problem, problem } from './problem.js';

export { ln } from './numbers.js';

/** The residuals of the mean at `theta` (its first meanCount values) into `e` (arch's resids). */
export function residuals(pr: Problem, theta: ArrayLike<number>, e: Float64Array): void {
  const { m, y, nobs } = pr;
  const L = m.lags;
  if (m.mean === MEAN_ZERO) {
    for (let t = 0; t < nobs; t++) e[t] = y[t];
    return;
  }
  const c = theta[0];
  for (let t = 0; t < nobs; t++) {
    let fit = c;
    for (let j = 1; j <= L; j++) fit += theta[j] * y[t + L - j];
    e[t] = y[t + L] - fit;
  }
}

/**
 * The mean's OLS estimate (arch's starting values: pinv(X) y): the sample mean, or the AR's normal
 * equations; false where they are singular (a constant series: arch's pinv gives a minimum-norm fit).
 */
export function olsMean(pr: Problem, out: Float64Array): boolean {
  const { m, y, nobs } = pr;
  if (m.mean === MEAN_ZERO) return true;
  const L = m.lags;
  const n = 1 + L;
  // X'X and X'y over the rows [1, y[t+L-1], ..., y[t]]
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  const row = new Float64Array(n);
  for (let t = 0; t < nobs; t++) {
    row[0] = 1;
    for (let j = 1; j <= L; j++) row[j] = y[t + L - j];
    const yt = y[t + L];
    for (let i = 0; i < n; i++) {
      b[i] += row[i] * yt;
      for (let j = 0; j <= i; j++) a[i * n + j] += row[i] * row[j];
    }
  }
  if (n === 1) {
    out[0] = b[0] / nobs;
    return true;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i];
  if (!solveSymmetric(a, b, n)) return false;
  for (let i = 0; i < n; i++) out[i] = b[i];
  return true;
}

/** Solves a x = b in place (b becomes x) by Gaussian elimination with partial pivoting; false when singular. */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (!(Math.abs(a[piv * n + c]) > 0)) return false;
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        const s = a[c * n + j];
        a[c * n + j] = a[piv * n + j];
        a[piv * n + j] = s;
      }
      const s = b[c];
      b[c] = b[piv];
      b[piv] = s;
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = b[c];
    for (let j = c + 1; j < n; j++) s -= a[c * n + j] * b[j];
    b[c] = s / a[c * n + c];
  }
  return true;
}

/** 0.94^i normalized to sum 1, i < min(75, nobs) (the powers by repeated products: the same bits in C++). */
function ewmaWeights(nobs: number): Float64Array {
  const tau = Math.min(75, nobs);
  const w = new Float64Array(tau);
  let power = 1;
  let sum = 0;
  for (let i = 0; i < tau; i++) {
    w[i] = power;
    sum += power;
    power *= 0.94;
  }
  for (let i = 0; i < tau; i++) w[i] /= sum;
  return w;
}

/** arch's backcast: sum of w_i e_i^2 over the first min(75, nobs), w_i = 0.94^i normalized (EGARCH: its log). */
export function backcastOf(m: Model, e: Float64Array, nobs: number): number {
  const w = ewmaWeights(nobs);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += e[i] * e[i] * w[i];
  return m.vol === VOL_EGARCH ? log(s) : s;
}

/** The mean of e^2 (arch's `v` of the bounds) and of (e - mean)^2 (np.var). */
export function residualMoments(e: Float64Array, nobs: number): { meanSquare: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let t = 0; t < nobs; t++) {
    s += e[t];
    s2 += e[t] * e[t];
  }
  const mean = s / nobs;
  let v = 0;
  for (let t = 0; t < nobs; t++) v += (e[t] - mean) * (e[t] - mean);
  return { meanSquare: s2 / nobs, variance: v / nobs };
}

/**
 * arch's variance_bounds: an EWMA (0.94) of e^2 started at the backcast, divided and multiplied by 1e6,
 * the lower at least var(e) / 1e8, the upper in [1 + max e^2, 1e7 (1 + max e^2)].
 */
export function varianceBounds(e: Float64Array, nobs: number, lower: Float64Array, upper: Float64Array): void {
  const w = ewmaWeights(nobs);
  let init = 0;
  for (let i = 0; i < w.length; i++) init += w[i] * (e[i] * e[i]);
  let maxSq = 0;
  for (let t = 0; t < nobs; t++) maxSq = Math.max(maxSq, e[t] * e[t]);
  const lo = residualMoments(e, nobs).variance / 1e8;
  const minUpper = 1 + maxSq;
  const hi = 1e7 * (1 + maxSq);
  let prev = 0;
  for (let t = 0; t < nobs; t++) {
    let v = 0;
    v += t === 0 ? 0.06 * init : 0.06 * (e[t - 1] * e[t - 1]);
    v += t === 0 ? 0.94 * init : 0.94 * prev;
    prev = v;
    let l = v / 1e6;
    let u = v * 1e6;
    if (l < lo) l = lo;
    if (u < minUpper) u = minUpper;
    if (u > hi) u = hi;
    lower[t] = l;
    upper[t] = u;
  }
}

/** Sets the problem's backcast and bounds from the residuals at `theta` (the OLS mean when fitting). */
export function fixAt(pr: Problem, theta: ArrayLike<number>): number {
  residuals(pr, theta, pr.e);
  pr.backcast = backcastOf(pr.m, pr.e, pr.nobs);
  varianceBounds(pr.e, pr.nobs, pr.lower, pr.upper);
  return residualMoments(pr.e, pr.nobs).meanSquare;
}

/**
 * The variance recursion at `theta` over the residuals `pr.e` into `pr.sigma2` (and the process's
 * state, `pr.ln`, and EGARCH's `pr.z`): processes.ts, the process's own. With `ds` (nobs x k), each
 * sigma^2_t's derivatives in the parameters (EGARCH: of ln sigma^2_t, and `dz`, nobs x k, the
 * standardized residual's).
 */
export function recursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array, dz?: Float64Array): void {
  RECURSIONS[pr.m.vol].recursion(pr, theta, ds, dz);
}

/** Work arrays of the gradient (nobs x k each), made once per problem and reused. */
export interface GradientWork {
  readonly ds: Float64Array;
  readonly dz: Float64Array;
}
export function gradientWork(pr: Problem): GradientWork {
  const n = Math.max(pr.nobs, 0) * pr.k;
  return { ds: new Float64Array(n), dz: new Float64Array(pr.m.vol === VOL_EGARCH ? n : 0) };
}

/**
 * The negative log-likelihood at `theta` (arch's _loglikelihood), its per-observation terms into
 * `individual` (-l_t) when given, and its gradient into `grad` when given (with `work`): with
 * `scores` (nobs x k) too, each observation's gradient of -l_t (the robust standard errors' scores).
 */
export function negLogLikelihood(
  pr: Problem,
  theta: ArrayLike<number>,
  grad?: Float64Array,
  work?: GradientWork,
  individual?: Float64Array,
  scores?: Float64Array,
): number {
  residuals(pr, theta, pr.e);
  const ds = grad ? work!.ds : undefined;
  recursion(pr, theta, ds, grad ? work!.dz : undefined);
  const terms = distTerms(pr.m.dist, theta, pr.id);
  if (individual) distIndividual(terms, pr.e, pr.sigma2, pr.nobs, individual);
  if (!grad) return -distLogLikelihood(terms, pr.e, pr.sigma2, pr.nobs);
  return -gradientOf(pr, terms, grad, work!, scores);
}

/**
 * The log-likelihood and its gradient (negated into grad): the chain rule over the recursion's
 * derivatives, the logs of the sums taken of products (dist.ts).
 */
function gradientOf(pr: Problem, terms: DistTerms, grad: Float64Array, work: GradientWork, scores?: Float64Array): number {
  const { k, nobs, e, sigma2, iw: km, id } = pr;
  const { ds } = work;
  grad.fill(0);
  const partial = { g: 0, q: 0, dSigma2: 0, dE: 0, dA: 0, dB: 0 };
  const s2 = new LogProduct();
  const gs = new LogProduct();
  let q = 0;
  let g0 = 0;
  let g1 = 0;
  for (let t = 0; t < nobs; t++) {
    terms.partials(e[t], sigma2[t], partial);
    s2.add(sigma2[t]);
    gs.add(partial.g);
    q += partial.q;
    // EGARCH's ds holds d ln sigma^2: dl/d ln sigma^2 = sigma^2 dl/d sigma^2
    const w = pr.m.vol === VOL_EGARCH ? partial.dSigma2 * sigma2[t] : partial.dSigma2;
    const d = t * k;
    for (let i = 0; i < k; i++) grad[i] += w * ds[d + i];
    for (let i = 0; i < km; i++) grad[i] += partial.dE * (i === 0 ? -1 : -pr.y[t + pr.m.lags - i]);
    g0 += partial.dA;
    g1 += partial.dB;
    if (scores) observationScore(pr, terms, partial, w, ds.subarray(d, d + k), t, scores.subarray(d, d + k));
  }
  const logG = gs.log();
  const shapes = distCount(pr.m);
  if (shapes > 0) grad[id] += nobs * terms.constantA - 0.5 * logG + g0;
  if (shapes > 1) grad[id + 1] += g1;
  for (let i = 0; i < k; i++) grad[i] = -grad[i];
  return nobs * terms.constant - 0.5 * s2.log() - terms.h * logG + q;
}

/**
 * One observation's score of -l_t into `row` (k): its terms of the gradient, the shape parameters'
 * constants and log included (their sum over the observations is the gradient, up to rounding).
 */
function observationScore(pr: Problem, terms: DistTerms, part: Partials, w: number, d: Float64Array, t: number, row: Float64Array): void {
  const { k, iw: km, id } = pr;
  for (let i = 0; i < k; i++) row[i] = w * d[i];
  for (let i = 0; i < km; i++) row[i] += part.dE * (i === 0 ? -1 : -pr.y[t + pr.m.lags - i]);
  const shapes = distCount(pr.m);
  if (shapes > 0) row[id] += terms.constantA - 0.5 * log(part.g) + part.dA;
  if (shapes > 1) row[id + 1] += part.dB;
  for (let i = 0; i < k; i++) row[i] = -row[i];
}
