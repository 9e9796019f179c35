/**
 * The analytic Hessian of -ll for GARCH(1,1) and GJR(1,1,1) with normal, Student's t or skew-t errors, the
 * mean's parameters at most 3: the second derivatives of sigma^2 carried forward beside its first, in the pass that gives the
 * value and the gradient (their bits the gradient pass's). The fit's Newton model: one pass an iteration
 * where forward differences of the gradient took k more (docs/volatility.md, speed).
 * native/kernels/volatility/hessian.cpp is the same, in the same order of operations.
 */
import { DISTRIBUTIONS } from '../../../kernels/volatility/volatility-dists.js';
import { VOL_GARCH } from '../../../kernels/volatility/volatility-processes.js';
import { DIST_NORMAL, distCount, meanCount, type Model } from '../../../kernels/volatility/volatility.js';
import { digamma } from '../../../math/digamma.js';
import { logGamma } from '../../../math/gamma.js';
import { distTerms, LogProduct, type Partials, trigamma } from './dist.js';
import { ln as log, type Problem, residuals } from './model.js';
import { exp, finiteClamp } from './numbers.js';

/** Whether the model has the analytic Hessian (its distribution's terms included: volatility-dists.ts `curvature`). */
export function hasHessian(m: Model): boolean {
  return m.vol === VOL_GARCH && m.p === 1 && m.o <= 1 && m.q === 1 && meanCount(m) <= 3 && DISTRIBUTIONS[m.dist].curvature;
}

/** (i, j), j <= i, in a lower triangle packed by rows. */
const at = (i: number, j: number) => (i * (i + 1)) / 2 + j;

/** The row and column of each entry of a K x K lower triangle packed by rows. */
function triangle(K: number): { row: Int32Array; col: Int32Array } {
  const N = (K * (K + 1)) / 2;
  const row = new Int32Array(N);
  const col = new Int32Array(N);
  for (let i = 0, n = 0; i < K; i++)
    for (let j = 0; j <= i; j++, n++) {
      row[n] = i;
      col[n] = j;
    }
  return { row, col };
}

/**
 * GARCH(1,1)'s and GJR(1,1,1)'s sigma^2 with its first (d) and second (h, packed by rows) derivatives
 * in the process's parameters and the mean's (KM of them), carried forward step by step and through
 * arch's bounds_check: the recursion both passes share (s and d are the gradient pass's operations).
 * `step(t)` advances to t in order from 0, sets pr.sigma2[t] and returns it.
 */
function curvatureRecursion(pr: Problem, theta: ArrayLike<number>, KM: number) {
  const { m, e, y, sigma2, lower, upper, backcast: bc } = pr;
  const O = m.o;
  const K = KM + 3 + O;
  const IW = KM;
  const IA = KM + 1;
  const IG = KM + 2;
  const IB = KM + 2 + O;
  const N = (K * (K + 1)) / 2;
  const { row, col } = triangle(K);
  const L = m.lags;
  const rd = (t: number, i: number) => (i === 0 ? -1 : -y[t + L - i]); // d e_t / d theta_i
  const omega = theta[IW];
  const a = theta[IA];
  const g = O ? theta[IG] : 0;
  const b = theta[IB];
  const d = new Float64Array(K);
  const prev = new Float64Array(K); // d at t - 1
  const h = new Float64Array(N);
  const step = (t: number): number => {
    prev.set(d);
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
    return s;
  };
  return { d, h, step };
}

/**
 * -ll at theta, its gradient into grad and its Hessian into hess (k x k, row-major), sigma2 filled;
 * the model must have one (hasHessian).
 */
export function negLogLikelihoodHessian(pr: Problem, theta: ArrayLike<number>, grad: Float64Array, hess: Float64Array): number {
  residuals(pr, theta, pr.e);
  if (pr.m.dist !== DIST_NORMAL) return shapePass(pr, theta, grad, hess);
  const { m, nobs, e, y } = pr;
  const KM = meanCount(m);
  const K = KM + 3 + m.o;
  const N = (K * (K + 1)) / 2;
  const { row, col } = triangle(K);
  const L = m.lags;
  const rd = (t: number, i: number) => (i === 0 ? -1 : -y[t + L - i]); // d e_t / d theta_i
  const constant = distTerms(DIST_NORMAL, theta, 0).constant;
  // d: d sigma^2_t; h: d2 sigma^2_t, packed; gr, hl: of ll
  const rec = curvatureRecursion(pr, theta, KM);
  const { d, h } = rec;
  const gr = new Float64Array(K);
  const hl = new Float64Array(N);
  const s2p = new LogProduct();
  let q = 0;
  for (let t = 0; t < nobs; t++) {
    const s = rec.step(t);
    // the normal's partials, their operations: r, u, q, dl/d sigma^2 (w) and dl/de
    const r = 1 / s;
    const u = e[t] * e[t] * r;
    s2p.add(s);
    q += -0.5 * u;
    const w = finiteClamp(-0.5 * (r - u * r));
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
  }
  for (let i = 0; i < K; i++) grad[i] = -gr[i];
  for (let n = 0; n < N; n++) hess[row[n] * K + col[n]] = hess[col[n] * K + row[n]] = -hl[n];
  return -(nobs * constant - 0.5 * s2p.log() + q);
}

/** The skew-t's constants at (eta, lambda), dist.ts skewT's operations (the same bits; dist.hpp Dist::Constants). */
function skewTConstants(eta: number, lambda: number) {
  const c = logGamma((eta + 1) / 2) - logGamma(eta / 2) - log(Math.PI * (eta - 2)) / 2;
  const dc = 0.5 * digamma((eta + 1) / 2) - 0.5 * digamma(eta / 2) - 0.5 / (eta - 2);
  const ec = exp(c);
  const a = (4 * lambda * ec * (eta - 2)) / (eta - 1);
  const b = Math.sqrt(1 + 3 * (lambda * lambda) - a * a);
  const lam = Math.abs(lambda) >= 1 ? Math.sign(lambda) * (1 - 1e-6) : lambda;
  const daEta = a * (dc + 1 / (eta - 2) - 1 / (eta - 1));
  const daLam = (4 * ec * (eta - 2)) / (eta - 1);
  const dbEta = (-a * daEta) / b;
  const dbLam = (3 * lambda - a * daLam) / b;
  const h = (eta + 1) / 2;
  const inu2 = 1 / (eta - 2);
  return {
    a,
    b,
    lam,
    clipped: lam !== lambda,
    daEta,
    daLam,
    dbEta,
    dbLam,
    aob: a / b,
    ipl: 1 / (1 + lam),
    iml: 1 / (1 - lam),
    hi2: h * inu2 * inu2,
    dbLamOb: dbLam / b,
  };
}

/**
 * The (skew-)t's second partials (hessian.cpp ShapeCurvature, the same operations): of one observation's
 * l_t = -log(sigma^2) / 2 - h(eta) log g(v) in sigma^2 (s), e, eta (E) and lambda (L), v = (b z + a) / (1 +
 * sign(z + a / b) lambda), z = e / sqrt(sigma^2), and of the constant K = log b + log c in eta and lambda.
 * Student's t is the skew-t at a = 0, b = 1, lambda = 0 (v = z).
 */
class ShapeCurvature {
  w: number;
  h: number;
  cv: number;
  a = 0;
  b = 1;
  aob = 0;
  ipl = 1;
  iml = 1;
  lam = 0;
  aE = 0;
  aL = 0;
  bE = 0;
  bL = 0;
  aEE = 0;
  aEL = 0;
  bEE = 0;
  bEL = 0;
  bLL = 0;
  kEE: number;
  kEL = 0;
  kLL = 0;
  clipped = true;
  /** The skew-t's constants (partials' operations). */
  readonly c: ReturnType<typeof skewTConstants> | undefined;

  constructor(theta: ArrayLike<number>, id: number, nd: number) {
    const eta = theta[id];
    this.w = 1 / (eta - 2);
    this.h = (eta + 1) / 2;
    this.cv = -(eta + 1) * this.w;
    // c'' and phi = (log(a / lambda))', phi'
    const i2 = 1 / (eta - 2);
    const i1 = 1 / (eta - 1);
    const dc = 0.5 * digamma((eta + 1) / 2) - 0.5 * digamma(eta / 2) - 0.5 * i2;
    const ddc = 0.25 * trigamma((eta + 1) / 2) - 0.25 * trigamma(eta / 2) + 0.5 * (i2 * i2);
    if (nd === 1) {
      this.kEE = ddc;
      return;
    }
    const c = skewTConstants(eta, theta[id + 1]);
    this.c = c;
    this.a = c.a;
    this.b = c.b;
    this.aob = c.aob;
    this.ipl = c.ipl;
    this.iml = c.iml;
    this.lam = c.lam;
    this.clipped = c.clipped;
    const aE = (this.aE = c.daEta);
    const aL = (this.aL = c.daLam);
    const bE = (this.bE = c.dbEta);
    const bL = (this.bL = c.dbLam);
    const a = c.a;
    const b = c.b;
    const phi = dc + i2 - i1;
    const dphi = ddc - i2 * i2 + i1 * i1;
    const aEL = (this.aEL = aL * phi);
    const aEE = (this.aEE = a * (phi * phi + dphi));
    // b^2 = 1 + 3 lambda^2 - a^2: b_xy = (b^2_xy / 2 - b_x b_y) / b
    const bLL = (this.bLL = (3 - aL * aL - bL * bL) / b);
    const bEL = (this.bEL = (-(aE * aL + a * aEL) - bE * bL) / b);
    const bEE = (this.bEE = (-(aE * aE + a * aEE) - bE * bE) / b);
    // (log b)_xy = b_xy / b - b_x b_y / b^2
    const ib = 1 / b;
    this.kEE = bEE * ib - bE * ib * (bE * ib) + ddc;
    this.kEL = bEL * ib - bE * ib * (bL * ib);
    this.kLL = bLL * ib - bL * ib * (bL * ib);
  }

  /**
   * l_t's second partials at (e, s) into o: ss, se, ee, sE, eE, sL, eL, EE, EL, LL; with `fused` (the
   * skew-t), its partials into part too, dist.ts's operations (the same bits).
   */
  at(e: number, s: number, part: Partials, o: Float64Array, fused: boolean): void {
    const { w, h, cv, a, b, aob, ipl, iml, lam, aE, aL, bE, bL, aEE, aEL, bEE, bEL, bLL } = this;
    const isd = 1 / Math.sqrt(s);
    const z = e * isd;
    const x = z + aob;
    const sg = x > 0 ? 1 : x < 0 ? -1 : x;
    const dd = sg > 0 ? ipl : sg < 0 ? iml : 1 / (1 + sg * lam);
    const v = (b * z + a) * dd;
    const vw2 = v * v * w;
    const g = 1 + vw2;
    const ig = 1 / g;
    // P(v, eta) = -h log g: its partials
    const pv = cv * v * ig;
    if (fused) {
      const c = this.c!;
      part.g = g;
      part.q = 0;
      const dz = pv * c.b * dd;
      part.dE = dz * isd;
      part.dSigma2 = -0.5 * (isd * isd) * (1 + dz * z);
      part.dA = c.hi2 * (v * v) * ig + pv * (c.daEta + z * c.dbEta) * dd;
      part.dB = c.dbLamOb + pv * (c.daLam + z * c.dbLam) * dd - (c.clipped ? 0 : pv * v * sg * dd);
    }
    const pvv = cv * (1 - vw2) * (ig * ig);
    const hw = h * w;
    const pvE = v * w * ig * (-1 + 2 * hw - 2 * hw * vw2 * ig);
    const pEE = vw2 * w * ig * (1 - 2 * hw + hw * vw2 * ig);
    // v's partials in z, eta, lambda (1 / (1 + sign lambda)'s in lambda: -sign D^2, 2 sign^2 D^3)
    const vz = b * dd;
    const vE = (bE * z + aE) * dd;
    const sd = this.clipped ? 0 : sg * dd;
    const vL = (bL * z + aL) * dd - v * sd;
    const vzE = bE * dd;
    const vzL = bL * dd - b * dd * sd;
    const vEE = (bEE * z + aEE) * dd;
    const vEL = (bEL * z + aEL) * dd - vE * sd;
    const vLL = bLL * z * dd - 2 * ((bL * z + aL) * dd) * sd + 2 * v * (sd * sd);
    // Q(z, eta, lambda) = P(v(z, eta, lambda), eta)
    const qz = pv * vz;
    const qzz = pvv * (vz * vz);
    const qzE = pvv * vz * vE + pv * vzE + pvE * vz;
    const qzL = pvv * vz * vL + pv * vzL;
    // z's partials in e and s: 1 / sqrt(s), -z / (2 s); -1 / (2 s sqrt(s)), 3 z / (4 s^2)
    const r = isd * isd;
    const ze = isd;
    const zs = -0.5 * z * r;
    o[0] = 0.5 * (r * r) + qzz * (zs * zs) + qz * (0.75 * z * (r * r));
    o[1] = qzz * zs * ze + qz * (-0.5 * isd * r);
    o[2] = qzz * (ze * ze);
    o[3] = qzE * zs;
    o[4] = qzE * ze;
    o[5] = qzL * zs;
    o[6] = qzL * ze;
    o[7] = pvv * (vE * vE) + pv * vEE + 2 * pvE * vE + pEE;
    o[8] = pvv * vE * vL + pv * vEL + pvE * vL;
    o[9] = pvv * (vL * vL) + pv * vLL;
  }
}

/**
 * negLogLikelihoodHessian for Student's t and the skew-t (hessian.cpp shapePass): the value and the gradient
 * the gradient pass's operations (its bits), the Hessian from ShapeCurvature's partials; sigma^2's second
 * derivatives over the mean's and the variance's parameters (K0) alone, the shape parameters' rows last.
 */
function shapePass(pr: Problem, theta: ArrayLike<number>, grad: Float64Array, hess: Float64Array): number {
  const { m, nobs, e, y } = pr;
  const KM = meanCount(m);
  const ND = distCount(m);
  const K0 = KM + 3 + m.o;
  const K = K0 + ND;
  const ID = K0;
  const N = (K * (K + 1)) / 2;
  const N0 = (K0 * (K0 + 1)) / 2;
  const { row, col } = triangle(K);
  const L = m.lags;
  const rd = (t: number, i: number) => (i === 0 ? -1 : -y[t + L - i]); // d e_t / d theta_i
  const dist = distTerms(m.dist, theta, ID);
  const sc = new ShapeCurvature(theta, ID, ND);
  const rec = curvatureRecursion(pr, theta, KM);
  const { d, h } = rec;
  const gr = new Float64Array(K);
  const hl = new Float64Array(N);
  const o = new Float64Array(10);
  const s2p = new LogProduct();
  const gs = new LogProduct();
  const part: Partials = { g: 0, q: 0, dSigma2: 0, dE: 0, dA: 0, dB: 0 };
  let q = 0;
  let g0 = 0;
  let g1 = 0;
  for (let t = 0; t < nobs; t++) {
    const s = rec.step(t);
    // the value and the gradient: the gradient pass's operations
    if (ND === 2) {
      sc.at(e[t], s, part, o, true);
    } else {
      dist.partials(e[t], s, part);
      sc.at(e[t], s, part, o, false);
    }
    s2p.add(s);
    gs.add(part.g);
    q += part.q;
    const w = part.dSigma2;
    for (let i = 0; i < K0; i++) gr[i] += w * d[i];
    for (let i = 0; i < KM; i++) gr[i] += part.dE * rd(t, i);
    g0 += part.dA;
    g1 += part.dB;
    // the Hessian: sigma^2 and e's terms, then the shape parameters' rows
    const lss = o[0];
    const les = o[1];
    const lee = o[2];
    for (let n = 0; n < N0; n++) hl[n] += lss * d[row[n]] * d[col[n]] + w * h[n];
    for (let i = 0; i < K0; i++)
      for (let j = 0; j < KM && j <= i; j++) {
        let c = les * rd(t, j) * d[i];
        if (i < KM) c += les * rd(t, i) * d[j] + lee * rd(t, i) * rd(t, j);
        hl[at(i, j)] += c;
      }
    for (let r = 0; r < ND; r++) {
      const ls = o[3 + 2 * r];
      const le = o[4 + 2 * r];
      const base = at(ID + r, 0);
      for (let j = 0; j < K0; j++) hl[base + j] += ls * d[j];
      for (let j = 0; j < KM; j++) hl[base + j] += le * rd(t, j);
    }
    hl[at(ID, ID)] += o[7];
    if (ND > 1) {
      hl[at(ID + 1, ID)] += o[8];
      hl[at(ID + 1, ID + 1)] += o[9];
    }
  }
  const logG = gs.log();
  gr[ID] += nobs * dist.constantA - 0.5 * logG + g0;
  if (ND > 1) gr[ID + 1] += g1;
  hl[at(ID, ID)] += nobs * sc.kEE;
  if (ND > 1) {
    hl[at(ID + 1, ID)] += nobs * sc.kEL;
    hl[at(ID + 1, ID + 1)] += nobs * sc.kLL;
  }
  for (let i = 0; i < K; i++) grad[i] = -gr[i];
  for (let n = 0; n < N; n++) hess[row[n] * K + col[n]] = hess[col[n] * K + row[n]] = -hl[n];
  return -(nobs * dist.constant - 0.5 * s2p.log() - dist.h * logG + q);
}
