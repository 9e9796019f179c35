/**
 * The analytic Hessian of -ll for GARCH(1,1) and GJR(1,1,1) with normal errors, the mean's parameters at
 * most 3: the second derivatives of sigma^2 carried forward beside its first, in the pass that gives the
 * value and the gradient (their bits the gradient pass's). The fit's Newton model: one pass an iteration
 * where forward differences of the gradient took k more (docs/volatility.md, speed).
 * native/kernels/volatility/hessian.cpp is the same, in the same order of operations.
 */
import { DIST_NORMAL, meanCount, type Model } from '../../../kernels/volatility/volatility.js';
import { distTerms, LogProduct } from './dist.js';
import { ln as log, type Problem, residuals } from './model.js';

/** Whether the model has the analytic Hessian. */
export function hasHessian(m: Model): boolean {
  return !m.egarch && m.p === 1 && m.o <= 1 && m.q === 1 && meanCount(m) <= 3 && m.dist === DIST_NORMAL;
}

/** (i, j), j <= i, in a lower triangle packed by rows. */
const at = (i: number, j: number) => (i * (i + 1)) / 2 + j;

/**
 * -ll at theta, its gradient into grad and its Hessian into hess (k x k, row-major), sigma2 filled;
 * the model must have one (hasHessian).
 */
export function negLogLikelihoodHessian(pr: Problem, theta: ArrayLike<number>, grad: Float64Array, hess: Float64Array): number {
  residuals(pr, theta, pr.e);
  const { m, nobs, e, y, sigma2, lower, upper, backcast: bc } = pr;
  const O = m.o;
  const KM = meanCount(m);
  const K = KM + 3 + O;
  const IW = KM;
  const IA = KM + 1;
  const IG = KM + 2;
  const IB = KM + 2 + O;
  const N = (K * (K + 1)) / 2;
  const row = new Int32Array(N);
  const col = new Int32Array(N);
  for (let i = 0, n = 0; i < K; i++)
    for (let j = 0; j <= i; j++, n++) {
      row[n] = i;
      col[n] = j;
    }
  const L = m.lags;
  const rd = (t: number, i: number) => (i === 0 ? -1 : -y[t + L - i]); // d e_t / d theta_i
  const constant = distTerms(DIST_NORMAL, theta, 0).constant;
  const omega = theta[IW];
  const a = theta[IA];
  const g = O ? theta[IG] : 0;
  const b = theta[IB];
  // d: d sigma^2_t (prev: at t - 1); h: d2 sigma^2_t, packed; gr, hl: of ll
  const d = new Float64Array(K);
  const prev = new Float64Array(K);
  const gr = new Float64Array(K);
  const h = new Float64Array(N);
  const hl = new Float64Array(N);
  const s2p = new LogProduct();
  let q = 0;
  for (let t = 0; t < nobs; t++) {
    d.fill(0);
    d[IW] = 1;
    let s = omega;
    if (t === 0) {
      s += a * bc;
      d[IA] += bc;
      if (O) {
        s += g * 0.5 * bc;
        d[IG] += 0.5 * bc;
      }
      s += b * bc;
      d[IB] += bc;
    } else {
      const lag = t - 1;
      const el = e[lag];
      // h at t from h and d at t - 1: b h, then the terms of a e^2, g e^2 1(e < 0) and b sigma^2
      for (let n = 0; n < N; n++) h[n] = b * h[n];
      for (let i = 0; i < KM; i++) {
        for (let j = 0; j <= i; j++) h[at(i, j)] += a * 2 * rd(lag, i) * rd(lag, j);
        h[at(IA, i)] += 2 * el * rd(lag, i);
      }
      if (O && el < 0) {
        for (let i = 0; i < KM; i++) {
          for (let j = 0; j <= i; j++) h[at(i, j)] += g * 2 * rd(lag, i) * rd(lag, j);
          h[at(IG, i)] += 2 * el * rd(lag, i);
        }
      }
      for (let i = 0; i < IB; i++) h[at(IB, i)] += prev[i];
      h[at(IB, IB)] += prev[IB] + prev[IB];
      // d at t: the gradient pass's operations
      s += a * (el * el);
      d[IA] += el * el;
      for (let i = 0; i < KM; i++) d[i] += a * 2 * el * rd(lag, i);
      if (O && el < 0) {
        s += g * (el * el);
        d[IG] += el * el;
        for (let i = 0; i < KM; i++) d[i] += g * 2 * el * rd(lag, i);
      }
      s += b * sigma2[lag];
      d[IB] += sigma2[lag];
      for (let i = 0; i < K; i++) d[i] += b * prev[i];
    }
    // arch's bounds_check with the second derivatives: of u + ln(s / u), h / s - d d' / s^2
    if (s < lower[t]) {
      d.fill(0);
      h.fill(0);
      s = lower[t];
    } else if (s > upper[t]) {
      if (Number.isFinite(s)) {
        for (let i = 0; i < K; i++) d[i] /= s;
        for (let n = 0; n < N; n++) h[n] = h[n] / s - d[row[n]] * d[col[n]];
        s = upper[t] + log(s / upper[t]);
      } else {
        d.fill(0);
        h.fill(0);
        s = upper[t] + 1000;
      }
    }
    sigma2[t] = s;
    // the normal's partials, their operations: r, u, q, dl/d sigma^2 (w) and dl/de
    const r = 1 / s;
    const u = e[t] * e[t] * r;
    s2p.add(s);
    q += -0.5 * u;
    const w = -0.5 * (r - u * r);
    const le = -e[t] * r;
    for (let i = 0; i < K; i++) gr[i] += w * d[i];
    for (let i = 0; i < KM; i++) gr[i] += le * rd(t, i);
    // l_t's second partials in sigma^2 and e: (0.5 - u) / s^2, e / s^2, -1 / s
    const lss = (0.5 - u) * r * r;
    const les = e[t] * r * r;
    const lee = -r;
    for (let n = 0; n < N; n++) hl[n] += lss * d[row[n]] * d[col[n]] + w * h[n];
    for (let i = 0; i < K; i++)
      for (let j = 0; j < KM && j <= i; j++) {
        let c = les * rd(t, j) * d[i];
        if (i < KM) c += les * rd(t, i) * d[j] + lee * rd(t, i) * rd(t, j);
        hl[at(i, j)] += c;
      }
    prev.set(d);
  }
  for (let i = 0; i < K; i++) grad[i] = -gr[i];
  for (let n = 0; n < N; n++) hess[row[n] * K + col[n]] = hess[col[n] * K + row[n]] = -hl[n];
  return -(nobs * constant - 0.5 * s2p.log() + q);
}
