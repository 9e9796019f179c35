/**
 * Student's t in double precision for any real nu > 0: CDF, complement and quantile, through the
 * incomplete beta function's series of TOMS 708.
 * native/kernels/math/special.cpp implements the same formulas with the same constants in the same order
 * of operations (built with -ffp-contract=off), so the two agree to rounding (src/math/special.ts).
 * Accuracy against mpmath at 50 digits: see each function.
 */

import { INV_SQRT_PI, NORMAL_CENTRAL, SQRT_PI, normalCdf, normalCentral, normalQuantile, normalTailRatio, productError } from './normal.js';

// P(T <= -|t|) = I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2) (Abramowitz & Stegun 26.7.1), and
// P(|T| <= |t|) = I_y(1/2, nu/2) = 1 - I_x(nu/2, 1/2) with y = t^2 / (nu + t^2). The incomplete beta
// with b = 1/2 is evaluated by the methods of A. R. DiDonato and A. H. Morris, "Algorithm 708:
// Significant digit computation of the incomplete beta function ratios", ACM TOMS 18 (1992) 360-373
// (BPSER, BUP, BGRAT, and BRATIO's choice among them for min(a, b) <= 1), each a series with a bounded
// number of terms: no continued fraction, whose length grows like sqrt(nu).

/** From here on Student's t is the normal: their relative difference is below t^4 / (4 nu) < 1e-24. */
const NU_NORMAL = 1e30;
const SQRT3 = 1.7320508075688772935;
const SERIES_EPS = 1e-17;
const BGRAT_EPS = 1e-16;
/** BGRAT's expansion is cut at 30 terms, as in TOMS 708; measured, it stops by 8. */
const BGRAT_TERMS = 30;
const BGRAT_C = new Float64Array(BGRAT_TERMS + 1);
const BGRAT_D = new Float64Array(BGRAT_TERMS + 1);

// Gamma(a + 1/2) / Gamma(a + 1) = w^(-1/2) (1 - 1/(64 w^2) + 21/(8192 w^4) - ...), w = a + 1/4: the
// asymptotic series has only even powers of 1/w (Bernoulli polynomials B_k(1/4) - B_k(3/4) vanish for
// odd k in DLMF 5.11.8); the coefficients are exact rationals (sympy) and give 1e-17 for w >= 10.
const GAMMA_RATIO_SERIES = [
  1,
  -1 / 64,
  21 / 8192,
  -671 / 524288,
  180323 / 134217728,
  -20898423 / 8589934592,
  7426362705 / 1099511627776,
  -1874409467055 / 70368744177664,
];

/** Gamma(a + 1/2) / Gamma(a + 1) for a > 0: the series above, after up to 10 steps of
 * G(a) = G(a + 1) (a + 1) / (a + 1/2). About 3e-16 relative. */
function gammaHalfRatio(a: number): number {
  let num = 1;
  let den = 1;
  while (a < 10) {
    num *= a + 1;
    den *= a + 0.5;
    a += 1;
  }
  const w = a + 0.25;
  const v = 1 / (w * w);
  let s = GAMMA_RATIO_SERIES[7];
  for (let i = 6; i >= 0; i--) s = s * v + GAMMA_RATIO_SERIES[i];
  return (num / den) * (s / Math.sqrt(w));
}

// log(1 + u) in double-double, the same in TS and C++ (the exponent nu/2 log(1 + t^2/nu) reaches 745:
// a last-bit difference between V8's and the C library's log1p would there be 1.6e-13 relative).
// 1 + u = 2^k m, m in [sqrt(1/2), sqrt 2] (exact scaling by powers of two), and
// log m = 2 atanh(s) = 2s + 2 (s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1) <= 0.1716 (as in fdlibm's
// e_log.c), with 2s carried as a double-double and k log 2 from fdlibm's split ln2_hi + ln2_lo.
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.9082149292705877e-10;
const SQRT2 = 1.4142135623730951;
const ATANH_SERIES = [1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15, 1 / 17, 1 / 19, 1 / 21, 1 / 23, 1 / 25];
const POW2_EXP = [512, 256, 128, 64, 32, 16, 8, 4, 2, 1];
const POW2 = POW2_EXP.map((e) => 2 ** e);
const POW2_INV = POW2_EXP.map((e) => 2 ** -e);
/** Low part of the last log1pDD result (a second return value; the C++ passes it by reference). */
let log1pLo = 0;

/** log(1 + u) = hi + log1pLo for 0 <= u < Infinity, |log1pLo| <= ulp(hi) / 2, error about 1e-18 relative. */
function log1pDD(u: number): number {
  const w = 1 + u;
  let k = 0;
  let f = u; // 1 + u = 2^k (1 + f) + werr, f exact
  let werr = 0;
  if (w >= SQRT2) {
    const bv = w - 1;
    werr = 1 - (w - bv) + (u - bv); // Knuth's TwoSum: 1 + u = w + werr exactly
    let m = w;
    for (let i = 0; i < POW2.length; i++) {
      if (m >= POW2[i]) {
        m *= POW2_INV[i];
        k += POW2_EXP[i];
      }
    }
    if (m > SQRT2) {
      m *= 0.5;
      k += 1;
    }
    f = m - 1;
  }
  const den = 2 + f;
  const denLo = 2 - den + f;
  const s = f / den;
  const p = s * den; // s den = p + e exactly (Dekker)
  const e = productError(s, den, p);
  const sLo = (f - p - e - s * denLo) / den;
  const s2 = s * s;
  let r = ATANH_SERIES[11];
  for (let i = 10; i >= 0; i--) r = r * s2 + ATANH_SERIES[i];
  r = 2 * s * s2 * r;
  const kh = k * LN2_HI; // exact: LN2_HI has 32 significant bits
  const hi = kh + 2 * s;
  const bv = hi - kh;
  const lo = kh - (hi - bv) + (2 * s - bv) + (k * LN2_LO + 2 * sLo + r + werr / w);
  const sum = hi + lo;
  log1pLo = hi - sum + lo;
  return sum;
}

/**
 * exp(shift - c (lHi + lLo)) where the exponent is large (up to 745): c * lHi is split exactly (Dekker's
 * product) and shift - c lHi summed exactly (Knuth's two-sum), so the only error left in the exponent
 * is that of lHi + lLo itself. `shift` (0, or TAIL_SHIFT) scales a tail that would be subnormal.
 */
function expNegProduct(c: number, lHi: number, lLo: number, shift: number): number {
  const p = c * lHi;
  const d = shift - p;
  const bv = d - shift;
  const dErr = shift - (d - bv) + (-p - bv);
  return Math.exp(d) * (1 + dErr - (productError(c, lHi, p) + c * lLo));
}

/** BPSER for I_x(a, 1/2), x <= 0.7: x^a / (a B(a, 1/2)) (1 + a sum_n (1/2)_n x^n / (n! (a + n))).
 * The terms fall at least like 0.7^n: about 100 at most (measured 102). */
function betaSeriesTail(a: number, x: number, lHi: number, lLo: number, shift: number): number {
  if (a * lHi - shift > 746) return 0; // x^a underflows
  let sum = 0;
  let c = 1;
  for (let n = 1; n <= 200; n++) {
    c *= ((n - 0.5) / n) * x;
    const w = c / (a + n);
    sum += w;
    if (a * w <= SERIES_EPS) break;
  }
  return expNegProduct(a, lHi, lLo, shift) * gammaHalfRatio(a) * INV_SQRT_PI * (1 + a * sum);
}

/** BPSER for I_y(1/2, a), y < 1/2 and a <= 1, or y < 0.1 and a y <= 0.49:
 * y^(1/2) / (B(1/2, a) / 2) (1 + (1/2) sum_n (1 - a)_n y^n / (n! (n + 1/2))). At most about 55 terms (measured 50). */
function betaSeriesCentral(a: number, y: number): number {
  let sum = 0;
  let c = 1;
  for (let n = 1; n <= 200; n++) {
    c *= (1 - a / n) * y;
    const w = c / (n + 0.5);
    sum += w;
    if (Math.abs(w) <= 2 * SERIES_EPS) break;
  }
  return 2 * Math.sqrt(y) * a * gammaHalfRatio(a) * INV_SQRT_PI * (1 + 0.5 * sum);
}

/** BUP: I_x(a, 1/2) - I_x(a + 20, 1/2) = x^a y^(1/2) / (a B(a, 1/2)) sum_{i<20} d_i,
 * d_i = d_(i-1) x (a + 1/2 + i - 1) / (a + i). */
function betaRecurrence(a: number, y: number, x: number, lHi: number, lLo: number, shift: number): number {
  const apb = a + 0.5;
  const ap1 = a + 1;
  let d = 1;
  let w = 1;
  for (let i = 1; i < 20; i++) {
    const l = i - 1;
    d = ((apb + l) / (ap1 + l)) * x * d;
    w += d;
    if (d <= SERIES_EPS * w) break;
  }
  return expNegProduct(a, lHi, lLo, shift) * Math.sqrt(y) * gammaHalfRatio(a) * INV_SQRT_PI * w;
}

/**
 * BGRAT: w0 + I_x(A, 1/2) for A >= 15 and x >= 0.7, the asymptotic expansion in incomplete gamma
 * functions of z = -(A - 1/4) ln x (TOMS 708's BGRAT). With b = 1/2 its Q(1/2, z) is erfc(sqrt z):
 * J0 = Q(1/2, z) sqrt(pi) e^z / sqrt(z) comes from Cody's ratio normalTailRatio, e^z cancelled
 * analytically, and e^-z = x^T is taken from the exact exponent (expNegProduct).
 */
function betaAsymptotic(A: number, lHi: number, lLo: number, w0: number, shift: number): number {
  const T = A - 0.25;
  const z = T * lHi;
  const sqrtZ = Math.sqrt(z);
  const u = expNegProduct(T, lHi, lLo, shift) * sqrtZ * INV_SQRT_PI * ((A * gammaHalfRatio(A)) / Math.sqrt(T));
  if (u === 0) return w0;
  const s = Math.sqrt(2 * z);
  let j = s > NORMAL_CENTRAL ? (2 * SQRT_PI * normalTailRatio(s)) / sqrtZ : (SQRT_PI * Math.exp(z) * (1 - 2 * normalCentral(s))) / sqrtZ;
  const v = 0.25 / (T * T);
  const t2 = 0.25 * lHi * lHi;
  const l = w0 / u;
  let sum = j;
  let tp = 1;
  let cn = 1;
  let n2 = 0;
  for (let n = 1; n <= BGRAT_TERMS; n++) {
    const bp2n = 0.5 + n2;
    j = (bp2n * (bp2n + 1) * j + (z + bp2n + 1) * tp) * v;
    n2 += 2;
    tp *= t2;
    cn /= n2 * (n2 + 1);
    BGRAT_C[n] = cn;
    let acc = 0;
    let coef = 0.5 - n;
    for (let i = 1; i < n; i++) {
      acc += coef * BGRAT_C[i] * BGRAT_D[n - i];
      coef += 0.5;
    }
    BGRAT_D[n] = -0.5 * cn + acc / n;
    const dj = BGRAT_D[n] * j;
    sum += dj;
    if (Math.abs(dj) <= BGRAT_EPS * (sum + l)) break;
  }
  return w0 + u * sum;
}

/**
 * P(T <= -|t|) (central false) or P(|T| <= |t|) (central true) for 0 < nu < NU_NORMAL, absT = |t|.
 * Each region computes the smaller-error one of the pair directly; the other is its complement, which
 * loses at most a factor 3 (the directly computed value is then below 0.7). `shift` (default 0): the
 * tail times e^shift, for tails that would be subnormal (the quantile's iteration, TAIL_SHIFT).
 */
function tDistribution(absT: number, nu: number, central: boolean, shift = 0): number {
  if (absT === 0) return central ? 0 : 0.5;
  if (absT === Infinity) return central ? 1 : 0;
  const a = 0.5 * nu;
  // u = t^2 / nu as uHi + uLo (Dekker), L = log(1 + u) = log(1/x) as lHi + lLo.
  const sq = absT * absT;
  const uHi = sq / nu;
  let lHi: number;
  let lLo = 0;
  if (absT < 1e-10 && uHi < 1e-20) {
    // 2 |t| f(0) (1 + O(t^2 + u)): also where t^2 / nu underflows
    const w = 2 * absT * ((a * gammaHalfRatio(a)) / Math.sqrt(nu * Math.PI));
    return central ? w : (0.5 - 0.5 * w) * Math.exp(shift);
  }
  if (uHi < 1e290) {
    const sqLo = productError(absT, absT, sq);
    const p = uHi * nu;
    const uLo = (sq - p - productError(uHi, nu, p) + sqLo) / nu;
    lHi = log1pDD(uHi);
    lLo = log1pLo + uLo / (1 + uHi);
  } else if (uHi < Infinity) {
    lHi = log1pDD(uHi); // uLo left out: costs a * 1e-16 <= 1e-16 here (x^a >= 1e-320 needs a < 1.2)
    lLo = log1pLo;
  } else if (absT >= 1 && nu > 1e-300) {
    // t^2 / nu overflows: L = 2 log|t| - log nu (log1p(nu / t^2) < 1e-308 dropped), from double-doubles
    const h1 = 2 * log1pDD(absT - 1);
    const l1 = 2 * log1pLo;
    const h2 = nu >= 1 ? -log1pDD(nu - 1) : log1pDD(1 / nu - 1);
    const l2 = nu >= 1 ? -log1pLo : log1pLo;
    lHi = h1 + h2;
    const bv = lHi - h1;
    lLo = h1 - (lHi - bv) + (h2 - bv) + (l1 + l2);
  } else {
    lHi = 2 * Math.log(absT) - Math.log(nu); // nu <= 1e-300
  }
  const x = 1 / (1 + uHi);
  const y = uHi < Infinity ? uHi / (1 + uHi) : 1;
  let twoTail: number; // I_x(a, 1/2)
  const scale = central ? 0 : shift;
  if (x <= 0.5) {
    twoTail = betaSeriesTail(a, x, lHi, lLo, scale);
  } else if (a <= 1 || (y < 0.1 && a * y <= 0.49)) {
    const w = betaSeriesCentral(a, y);
    return central ? w : (0.5 - 0.5 * w) * Math.exp(shift);
  } else if (y >= 0.3) {
    twoTail = betaSeriesTail(a, x, lHi, lLo, scale);
  } else if (a > 15) {
    twoTail = betaAsymptotic(a, lHi, lLo, 0, scale);
  } else {
    const head = betaRecurrence(a, y, x, lHi, lLo, scale);
    twoTail = betaAsymptotic(a + 20, lHi, lLo, head, scale);
  }
  return central ? 1 - twoTail : 0.5 * twoTail;
}

/** P(T <= -|t|) for the closed forms nu = 1, 2, 4 and the general case; NaN-free for valid input. */
function studentTTail(absT: number, nu: number): number {
  if (nu === 1) return absT > 1 ? Math.atan(1 / absT) / Math.PI : 0.5 - Math.atan(absT) / Math.PI;
  if (nu === 2) {
    if (absT < 1) return 0.5 - (0.5 * absT) / Math.sqrt(2 + absT * absT);
    const r = Math.sqrt(1 + 2 / (absT * absT)); // sqrt(2 + t^2) = |t| r
    return 1 / (r * (r + 1)) / absT / absT;
  }
  if (nu === 4) {
    // I_x(2, 1/2) = 1 - s (3 - s^2) / 2 = x^2 (2 + s) / (2 (1 + s)^2), s = sqrt(1 - x) = |t| / sqrt(4 + t^2)
    const x = 4 / (4 + absT * absT);
    const s = absT < 1 ? absT / Math.sqrt(4 + absT * absT) : 1 / Math.sqrt(1 + 4 / (absT * absT));
    return (x * x * (2 + s)) / (4 * (1 + s) * (1 + s));
  }
  if (nu >= NU_NORMAL) return normalCdf(-absT);
  return tDistribution(absT, nu, false);
}

/**
 * Student's t CDF P(T <= t) with nu > 0 degrees of freedom (real).
 *
 * Method: closed forms for nu = 1 (1/2 + atan(t)/pi, as atan(1/|t|)/pi in the tails), nu = 2
 * (1/2 + t / (2 sqrt(2 + t^2)), tail 1 / (sqrt(2 + t^2) (sqrt(2 + t^2) + |t|))) and nu = 4; otherwise
 * the regularized incomplete beta I_x(nu/2, 1/2) by TOMS 708's bounded series (tDistribution), whatever
 * nu: BPSER <= 102 terms (x <= 0.7), BUP 19 + BGRAT 30 (measured 8); measured worst over nu in
 * [0.1, 1e29]: 102 terms. The exponent (nu/2) log(1 + t^2/nu), up to 690 where the value is 1e-300, is
 * formed in double-double (t^2/nu by Dekker's products, log1pDD, an exact product): with a plain log1p
 * its last-bit error alone would cost up to 1.5e-13 relative. nu >= 1e30 and nu = Infinity: the normal
 * (the difference is below 1e-24 relative there).
 *
 * Accuracy against mpmath over nu in [0.1, 1e6] (and 1e7 .. 1e31) and t in [-1e3, 1e3] (tails included):
 * relative error <= 1e-14 wherever the value is >= 1e-300 (measured 1.8e-15); below 1e-300 only the
 * subnormal digits are lost. |t| beyond 1e154 sqrt(nu) (t^2/nu overflows) is handled too.
 *
 * Edges: t or nu NaN, nu <= 0 -> NaN; t = -Infinity -> 0, +Infinity -> 1 (any valid nu); t = +-0 -> 0.5.
 */
export function studentTCdf(t: number, nu: number): number {
  if (!(nu > 0) || t !== t) return NaN;
  const tail = studentTTail(Math.abs(t), nu);
  return t < 0 ? tail : 1 - tail;
}

/** Student's t survival function P(T > t) = studentTCdf(-t, nu) (exactly, by symmetry): accurate in
 * the upper tail. Edges as studentTCdf, mirrored. */
export function studentTSf(t: number, nu: number): number {
  return studentTCdf(-t, nu);
}

/** Newton/Halley steps of studentTQuantile are capped here; measured, they stop by 7. */
const QUANTILE_STEPS = 50;

/**
 * Starting value for |t| with P(T <= -|t|) = q: G. W. Hill, "Algorithm 396: Student's t-quantiles",
 * CACM 13 (1970) 619-620 (as in R's qt), for nu >= 1, its power-law branch taken in logarithms so that
 * it cannot underflow; for nu < 1, the tail asymptote |t| = sqrt(nu) (q nu B(nu/2, 1/2))^(-1/nu) or,
 * for q >= 1/4, the central line |t| = (1/2 - q) / f(0) (below the root: P(|T| <= t) is concave).
 */
function studentTStart(q: number, nu: number, f0: number): number {
  if (nu < 1) {
    if (q >= 0.25) return (0.5 - q) / f0;
    return Math.sqrt(nu) * Math.exp(-(Math.log(q) + 0.5 * Math.log(nu) - Math.log(f0)) / nu);
  }
  const P = 2 * q;
  const a = 1 / (nu - 0.5);
  const b = 48 / (a * a);
  let c = ((20700 * a) / b - 98) * a - 16;
  c = c * a + 96.36;
  const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt((a * Math.PI) / 2) * nu;
  const ly = (2 / nu) * Math.log(d * P);
  let y = Math.exp(ly);
  if ((nu < 2.1 && P > 0.5) || y > 0.05 + a) {
    const x = normalQuantile(q);
    y = x * x;
    if (nu < 5) c += 0.3 * (nu - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    return Math.sqrt(nu * Math.expm1(a * y * y));
  }
  if (y < 1e-100) return Math.sqrt(nu) * Math.exp(-0.5 * ly); // sqrt(nu / y)
  y = ((1 / (((nu + 6) / (nu * y) - 0.089 * d - 0.822) * (nu + 2) * 3) + 0.5 / (nu + 4)) * y - 1) * ((nu + 1) / (nu + 2)) + 1 / y;
  return Math.sqrt(nu * y);
}

/** log(1 + t^2 / nu), also where t^2 / nu overflows. */
function log1pT2OverNu(t: number, nu: number): number {
  const u = (t * t) / nu;
  return u < Infinity ? Math.log1p(u) : 2 * Math.log(t) - Math.log(nu);
}

/** log(t f(t) / c): t times the density over a probability c, for the steps in log t. */
function logTDensityOver(t: number, nu: number, a: number, f0: number, logC: number): number {
  return Math.log(t) + Math.log(f0) - (a + 0.5) * log1pT2OverNu(t, nu) - logC;
}

/**
 * |t| > 0 with P(T <= -|t|) = q, 0 < q < 1/2, nu not 1, 2, 4 and below NU_NORMAL. For q >= 1/4:
 * Halley's method on P(|T| <= t) = 1 - 2q (exact for q >= 1/4) when nu >= 1, Newton's method on its log
 * in s = log t when nu < 1, where even central quantiles can lie far out (nu = 1e-5, p = 0.498:
 * t = 1.9e100); for q < 1/4, Halley's method on log P(T <= -t) = log q in s = log t, where the tail is
 * nearly a straight line (slope -nu). Quantiles beyond Number.MAX_VALUE are +Infinity (checked first:
 * the steps are then clamped to Number.MAX_VALUE).
 */
/** The smallest normal double, and the scale of the tails below it in the quantile's iteration. */
const MIN_NORMAL = 2.2250738585072014e-308;
const TAIL_SHIFT = 700;
const EXP_TAIL_SHIFT = Math.exp(TAIL_SHIFT);

function studentTQuantileAbs(q: number, nu: number): number {
  const a = 0.5 * nu;
  const f0 = (a * gammaHalfRatio(a)) / Math.sqrt(nu * Math.PI); // density at 0
  if (tDistribution(Number.MAX_VALUE, nu, false) > q) return Infinity;
  let t = Math.min(studentTStart(q, nu, f0), Number.MAX_VALUE);
  if (q >= 0.25 && nu < 1) {
    const r = 1 - 2 * q;
    for (let i = 0; i < QUANTILE_STEPS; i++) {
      const c = tDistribution(t, nu, true);
      const ds = -Math.log(c / r) / (2 * Math.exp(logTDensityOver(t, nu, a, f0, Math.log(c))));
      t = Math.min(t * Math.exp(ds), Number.MAX_VALUE);
      if (Math.abs(ds) <= 1e-9) break;
    }
    return t;
  }
  if (q >= 0.25) {
    const r = 1 - 2 * q;
    for (let i = 0; i < QUANTILE_STEPS; i++) {
      const g = tDistribution(t, nu, true) - r;
      const f = f0 * Math.exp(-(a + 0.5) * log1pT2OverNu(t, nu));
      const d = g / (2 * f);
      let den = 1 + (d * (nu + 1) * t) / (2 * (nu + t * t));
      if (!(den >= 0.5 && den <= 2)) den = 1; // far from the root: Newton
      const step = d / den;
      const next = t - step;
      t = next > 0 ? next : 0.5 * t;
      if (Math.abs(step) <= 1e-9 * t) break;
    }
    return t;
  }
  const qShifted = q * EXP_TAIL_SHIFT;
  for (let i = 0; i < QUANTILE_STEPS; i++) {
    // a subnormal tail has few significant bits: compared as tau e^TAIL_SHIFT with q e^TAIL_SHIFT
    let tau = tDistribution(t, nu, false);
    let tauRatio = tau / q;
    let logTau = 0;
    if (tau < MIN_NORMAL) {
      tau = tDistribution(t, nu, false, TAIL_SHIFT);
      tauRatio = tau / qShifted;
      logTau = -TAIL_SHIFT;
    }
    if (!(tau > 0)) {
      t *= 0.5;
      continue;
    }
    // tau / q overflows where q is subnormal and t still far: the difference of logs there
    const h = tauRatio < Infinity ? Math.log(tauRatio) : Math.log(tau) - Math.log(q);
    logTau += Math.log(tau);
    const eta = Math.exp(logTDensityOver(t, nu, a, f0, logTau)); // t f(t) / tau
    const y = 1 / (1 + nu / (t * t));
    let den = 1 + (h * (1 - (nu + 1) * y + eta)) / (2 * eta);
    if (!(den >= 0.5 && den <= 2)) den = 1;
    const ds = h / eta / den;
    t = Math.min(t * Math.exp(ds), Number.MAX_VALUE);
    if (Math.abs(ds) <= 1e-9) break;
  }
  return t;
}

/**
 * Student's t quantile: t with P(T <= t) = p, nu > 0 real.
 *
 * Method: closed forms for nu = 1 (tan(pi (p - 1/2)), as -1/tan(pi p) in the tails), nu = 2
 * ((2p - 1) / sqrt(2 p (1 - p))) and nu = 4 (the root of s^3 - 3s + 2(1 - 2q) = 0, s = sqrt(y), by
 * trigonometry, written without cancellation at both ends); otherwise Hill's start (algorithm 396) and
 * Halley steps on studentTCdf's own tail or central probability (studentTQuantileAbs), at most 50 and
 * measured at most 7. nu >= 1e30 and nu = Infinity: normalQuantile.
 *
 * Accuracy against mpmath (nu in [0.1, 1e6], p from 5e-324 to 1 - 1e-16; a subnormal p's tail is
 * compared at the scale e^700, where it has all its digits): relative error <= 2e-15 for
 * nu >= 1 (measured 7.2e-16) and <= 1e-14 for nu < 1 (measured 2.4e-15), where the quantile amplifies
 * the CDF's rounding by about 1/nu. For any nu > 0 (down to 1e-300), studentTCdf(Q(p)) = p to 1e-12
 * relative (native/fuzz/fuzz_special.cpp).
 *
 * Edges: p = 0 -> -Infinity, p = 1 -> +Infinity, p = 0.5 -> 0, p < 0, p > 1, p NaN, nu NaN or nu <= 0
 * -> NaN. Quantiles beyond the double range (nu < 1 and p far from 1/2, or a tiny p) are +-Infinity.
 */
export function studentTQuantile(p: number, nu: number): number {
  if (!(nu > 0) || !(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (nu >= NU_NORMAL) return normalQuantile(p);
  const q = p < 0.5 ? p : 1 - p; // exact
  let t: number;
  if (nu === 1) {
    t = q > 0.25 ? Math.tan(Math.PI * (0.5 - q)) : 1 / Math.tan(Math.PI * q);
  } else if (nu === 2) {
    t = (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  } else if (nu === 4) {
    // P(|T| <= t) = s (3 - s^2) / 2 = 1 - 2q with s = t / sqrt(4 + t^2): s = 2 sin(asin(1 - 2q) / 3);
    // in the tails s = cos(b) - sqrt3 sin(b), 1 - s = 2 sin(b/2)^2 + sqrt3 sin(b), b = 2/3 asin(sqrt q).
    if (q >= 0.25) {
      const s = 2 * Math.sin(Math.asin(1 - 2 * q) / 3);
      t = (2 * s) / Math.sqrt(1 - s * s);
    } else {
      const b = (2 / 3) * Math.asin(Math.sqrt(q));
      const h = Math.sin(0.5 * b);
      const oneMinusS = 2 * h * h + SQRT3 * Math.sin(b);
      const s = 1 - oneMinusS;
      t = (2 * s) / Math.sqrt(oneMinusS * (1 + s));
    }
  } else {
    t = studentTQuantileAbs(q, nu);
  }
  return p < 0.5 ? -t : t;
}
