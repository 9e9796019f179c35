/**
 * One model on one series, as arch 8.0 computes it (arch/univariate/mean.py, volatility.py,
 * recursions.pyx, base.py): the mean's residuals, the backcast, the variance bounds, the GARCH/GJR and
 * EGARCH recursions, and the negative log-likelihood with its gradient (forward derivatives of the
 * recursion, exact: the optimizer's). native/kernels/volatility/model.cpp is the same, function for
 * function.
 */
import { distCount, MEAN_ZERO, type Model, meanCount, observations, paramCount } from '../../../kernels/volatility/volatility.js';
import { distIndividual, distLogLikelihood, type DistTerms, distTerms, LogProduct, type Partials } from './dist.js';
import { exp, ln as log } from './numbers.js';

export { ln } from './numbers.js';

/** arch's recursions.pyx constants. */
export const SQRT2_OV_PI = Math.sqrt(2 / Math.PI);
export const LNSIGMA_MAX = log(Number.MAX_VALUE) - 0.1;

/** A model over one series with what stays fixed while its parameters move. */
export interface Problem {
  readonly m: Model;
  /** The whole series (T); the fit uses y[lags..T). */
  readonly y: Float64Array;
  readonly nobs: number;
  readonly k: number;
  /** Where omega, alpha, gamma, beta and the distribution's parameters start in a parameter vector. */
  readonly iw: number;
  readonly ia: number;
  readonly ig: number;
  readonly ib: number;
  readonly id: number;
  /** The recursion's pre-sample value (EGARCH: its log) and the per-observation variance bounds. */
  backcast: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Work: residuals, variances (and EGARCH's ln sigma^2 and standardized residuals). */
  readonly e: Float64Array;
  readonly sigma2: Float64Array;
  readonly ln: Float64Array;
  readonly z: Float64Array;
}

/** A problem over `y` with its fixed parts unset (call `fixAt` with the residuals they come from). */
export function problem(m: Model, y: Float64Array): Problem {
  const nobs = observations(m, y.length);
  const km = meanCount(m);
  const n = Math.max(nobs, 0);
  return {
    m,
    y,
    nobs,
    k: paramCount(m),
    iw: km,
    ia: km + 1,
    ig: km + 1 + m.p,
    ib: km + 1 + m.p + m.o,
    id: km + 1 + m.p + m.o + m.q,
    backcast: 0,
    lower: new Float64Array(n),
    upper: new Float64Array(n),
    e: new Float64Array(n),
    sigma2: new Float64Array(n),
    ln: new Float64Array(n),
    z: new Float64Array(n),
  };
}

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
  return m.egarch ? log(s) : s;
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
 * The variance recursion at `theta` over the residuals `pr.e` into `pr.sigma2` (and EGARCH's `pr.ln`,
 * `pr.z`). With `ds` (nobs x k), each sigma^2_t's derivatives in the parameters: the GARCH family's
 * directly, EGARCH's of ln sigma^2_t (and `dz`, nobs x k, the standardized residual's).
 */
export function recursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array, dz?: Float64Array): void {
  if (pr.m.egarch) egarchRecursion(pr, theta, ds, dz);
  else garchRecursion(pr, theta, ds);
}

/** d e_t / d theta_i for a mean parameter i (the others are 0). */
function residualDerivative(pr: Problem, t: number, i: number): number {
  return i === 0 ? -1 : -pr.y[t + pr.m.lags - i];
}

function garchRecursion(pr: Problem, theta: ArrayLike<number>, ds?: Float64Array): void {
  const { m, nobs, e, sigma2, lower, upper, backcast: bc, k, iw, ia, ig, ib } = pr;
  const km = iw;
  for (let t = 0; t < nobs; t++) {
    const d = ds ? t * k : 0;
    if (ds) {
      ds.fill(0, d, d + k);
      ds[d + iw] = 1;
    }
    let s = theta[iw];
    for (let j = 0; j < m.p; j++) {
      const lag = t - 1 - j;
      const a = theta[ia + j];
      if (lag < 0) {
        s += a * bc;
        if (ds) ds[d + ia + j] += bc;
      } else {
        s += a * (e[lag] * e[lag]);
        if (ds) {
          ds[d + ia + j] += e[lag] * e[lag];
          for (let i = 0; i < km; i++) ds[d + i] += a * 2 * e[lag] * residualDerivative(pr, lag, i);
        }
      }
    }
    for (let j = 0; j < m.o; j++) {
      const lag = t - 1 - j;
      const g = theta[ig + j];
      if (lag < 0) {
        s += g * 0.5 * bc;
        if (ds) ds[d + ig + j] += 0.5 * bc;
      } else if (e[lag] < 0) {
        s += g * (e[lag] * e[lag]);
        if (ds) {
          ds[d + ig + j] += e[lag] * e[lag];
          for (let i = 0; i < km; i++) ds[d + i] += g * 2 * e[lag] * residualDerivative(pr, lag, i);
        }
      }
    }
    for (let j = 0; j < m.q; j++) {
      const lag = t - 1 - j;
      const b = theta[ib + j];
      if (lag < 0) {
        s += b * bc;
        if (ds) ds[d + ib + j] += bc;
      } else {
        s += b * sigma2[lag];
        if (ds) {
          ds[d + ib + j] += sigma2[lag];
          const l = lag * k;
          for (let i = 0; i < k; i++) ds[d + i] += b * ds[l + i];
        }
      }
    }
    // arch's bounds_check
    if (s < lower[t]) {
      s = lower[t];
      if (ds) ds.fill(0, d, d + k);
    } else if (s > upper[t]) {
      if (Number.isFinite(s)) {
        if (ds) for (let i = 0; i < k; i++) ds[d + i] /= s;
        s = upper[t] + log(s / upper[t]);
      } else {
        s = upper[t] + 1000;
        if (ds) ds.fill(0, d, d + k);
      }
    }
    sigma2[t] = s;
  }
}

function egarchRecursion(pr: Problem, theta: ArrayLike<number>, dl?: Float64Array, dz?: Float64Array): void {
  const { m, nobs, e, sigma2, ln, z, lower, upper, backcast: bc, k, iw, ia, ig, ib } = pr;
  const km = iw;
  for (let t = 0; t < nobs; t++) {
    const d = dl ? t * k : 0;
    if (dl) {
      dl.fill(0, d, d + k);
      dl[d + iw] = 1;
    }
    let l = theta[iw];
    for (let j = 0; j < m.p; j++) {
      const lag = t - 1 - j;
      if (lag < 0) continue;
      const a = theta[ia + j];
      l += a * (Math.abs(z[lag]) - SQRT2_OV_PI);
      if (dl && dz) {
        dl[d + ia + j] += Math.abs(z[lag]) - SQRT2_OV_PI;
        const sign = z[lag] > 0 ? 1 : z[lag] < 0 ? -1 : 0;
        for (let i = 0; i < k; i++) dl[d + i] += a * sign * dz[lag * k + i];
      }
    }
    for (let j = 0; j < m.o; j++) {
      const lag = t - 1 - j;
      if (lag < 0) continue;
      const g = theta[ig + j];
      l += g * z[lag];
      if (dl && dz) {
        dl[d + ig + j] += z[lag];
        for (let i = 0; i < k; i++) dl[d + i] += g * dz[lag * k + i];
      }
    }
    for (let j = 0; j < m.q; j++) {
      const lag = t - 1 - j;
      const b = theta[ib + j];
      if (lag < 0) {
        l += b * bc;
        if (dl) dl[d + ib + j] += bc;
      } else {
        l += b * ln[lag];
        if (dl) {
          dl[d + ib + j] += ln[lag];
          for (let i = 0; i < k; i++) dl[d + i] += b * dl[lag * k + i];
        }
      }
    }
    if (l > LNSIGMA_MAX) {
      l = LNSIGMA_MAX;
      if (dl) dl.fill(0, d, d + k);
    }
    let s = exp(l);
    if (s < lower[t]) {
      s = lower[t];
      l = log(s);
      if (dl) dl.fill(0, d, d + k);
    } else if (s > upper[t]) {
      s = upper[t] + log(s) - log(upper[t]);
      l = log(s);
      if (dl) for (let i = 0; i < k; i++) dl[d + i] /= s;
    }
    sigma2[t] = s;
    ln[t] = l;
    const sd = Math.sqrt(s);
    z[t] = e[t] / sd;
    if (dz && dl) {
      for (let i = 0; i < k; i++) dz[d + i] = -0.5 * z[t] * dl[d + i];
      for (let i = 0; i < km; i++) dz[d + i] += residualDerivative(pr, t, i) / sd;
    }
  }
}

/** Work arrays of the gradient (nobs x k each), made once per problem and reused. */
export interface GradientWork {
  readonly ds: Float64Array;
  readonly dz: Float64Array;
}
export function gradientWork(pr: Problem): GradientWork {
  const n = Math.max(pr.nobs, 0) * pr.k;
  return { ds: new Float64Array(n), dz: new Float64Array(pr.m.egarch ? n : 0) };
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
    const w = pr.m.egarch ? partial.dSigma2 * sigma2[t] : partial.dSigma2;
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
