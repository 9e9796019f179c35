/**
 * The standard normal distribution in double precision: CDF, complement, density (Cody's rational
 * approximations, with a double-double product in the tails) and quantile (Wichura's AS 241).
 * native/kernels/math/special.cpp implements the same formulas with the same constants in the same order
 * of operations (built with -ffp-contract=off), so the two agree to rounding (src/math/special.ts).
 * Accuracy against mpmath at 50 digits: see each function.
 */

import { logOf } from './random.js';

const INV_SQRT_2PI = 0.3989422804014327; // 1 / sqrt(2 pi)
export const SQRT_PI = 1.7724538509055160273; // sqrt(pi)
export const INV_SQRT_PI = 0.5641895835477562869; // 1 / sqrt(pi)
const SQRT_32 = 5.656854249492380195; // sqrt(32), Cody's second switch point
/** Cody's first switch point: Phi(0.66291) is about 3/4. */
export const NORMAL_CENTRAL = 0.66291;
/** Phi(-40) < 1e-349: 0 in double precision. */
const NORMAL_UNDERFLOW = 40;
/** 2^27 + 1: Veltkamp's constant to split a double into two 26-bit halves (Dekker 1971). */
const SPLITTER = 134217729;

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631-637, in the form of his ANORM (netlib specfun/anorm, also R's pnorm.c): minimax rational
// functions of x itself (not of x / sqrt 2), accurate to about 18 significant digits.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
  38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303,
];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/** Phi(x) - 1/2 for |x| <= NORMAL_CENTRAL: x A(x^2) / B(x^2) (Cody's first range). Odd in x. */
export function normalCentral(x: number): number {
  const xsq = x * x;
  let num = CODY_A[4] * xsq;
  let den = xsq;
  for (let i = 0; i < 3; i++) {
    num = (num + CODY_A[i]) * xsq;
    den = (den + CODY_B[i]) * xsq;
  }
  return (x * (num + CODY_A[3])) / (den + CODY_B[3]);
}

/**
 * Phi(-y) exp(y^2 / 2) for NORMAL_CENTRAL < y < NORMAL_UNDERFLOW: Cody's second range C(y) / D(y) up to
 * sqrt(32), then his asymptotic range (1/sqrt(2 pi) - r P(r) / Q(r)) / y with r = 1/y^2. A smooth
 * function of y: rounding of y costs no more than it does in y itself.
 */
export function normalTailRatio(y: number): number {
  if (y <= SQRT_32) {
    let num = CODY_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + CODY_C[i]) * y;
      den = (den + CODY_D[i]) * y;
    }
    return (num + CODY_C[7]) / (den + CODY_D[7]);
  }
  const r = 1 / (y * y);
  let num = CODY_P[5] * r;
  let den = r;
  for (let i = 0; i < 4; i++) {
    num = (num + CODY_P[i]) * r;
    den = (den + CODY_Q[i]) * r;
  }
  return (INV_SQRT_2PI - (r * (num + CODY_P[4])) / (den + CODY_Q[4])) / y;
}

/**
 * exp(-y^2 / 2) with one call to exp, for 0 <= y < 1e150. y*y rounds (by up to y^2 eps / 2 in the
 * exponent: 1.5e-13 relative at y = 37), so y^2 is split exactly as hi + lo (Dekker's product with
 * Veltkamp's split, no FMA) and exp(-hi/2 - lo/2) = exp(-hi/2) (1 - lo/2) to within (lo/2)^2.
 */
function gaussFactor(y: number): number {
  const hi = y * y;
  return Math.exp(-0.5 * hi) * (1 - 0.5 * productError(y, y, hi));
}

/** Veltkamp's split: the high half of x (26 bits), so that x - highHalf(x) is exact. */
function highHalf(x: number): number {
  const c = SPLITTER * x;
  return c - (c - x);
}

/**
 * The rounding error of p = a * b, exactly: a * b = p + productError(a, b, p) (Dekker's product, no
 * FMA; every operation below is exact barring underflow).
 */
export function productError(a: number, b: number, p: number): number {
  const ah = highHalf(a);
  const al = a - ah;
  const bh = highHalf(b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Standard normal CDF Phi(x) = P(Z <= x).
 *
 * Method: Cody's rational minimax approximations (ANORM, see CODY_A): |x| <= 0.66291: 1/2 + x R(x^2);
 * beyond, Phi(-|x|) = exp(-x^2/2) R(|x|) with the Gaussian factor from gaussFactor (x^2 split exactly,
 * one exp), the complement 1 - Phi(-|x|) for x > 0. ANORM is Cody's counterpart of his erf/erfc
 * CALERF for Phi itself: the same ranges (0.66291 = 0.46875 sqrt 2, sqrt 32 = 4 sqrt 2), minimax
 * rationals in x, so x / sqrt(2) is never rounded.
 *
 * Accuracy (against mpmath): relative error <= 1e-15 for |x| <= 5 (measured 6.4e-16), and in the lower
 * tail <= 1e-15 down to x = -37 (measured 3.7e-16, Phi(-37) = 5.7e-300). Phi(x) is subnormal below
 * x = -37.5 (absolute error a few 1e-324 there) and 0 from x = -38.5; it is 1 above 8.3.
 *
 * Edges: NaN -> NaN; -Infinity -> 0; +Infinity -> 1; 0, -0 and subnormal x -> 0.5.
 */
export function normalCdf(x: number): number {
  const y = Math.abs(x);
  if (y <= NORMAL_CENTRAL) return 0.5 + normalCentral(x);
  if (!(y < NORMAL_UNDERFLOW)) return x !== x ? NaN : x > 0 ? 1 : 0;
  const tail = gaussFactor(y) * normalTailRatio(y);
  return x > 0 ? 1 - tail : tail;
}

/**
 * Standard normal survival function 1 - Phi(x) = P(Z > x), computed as Phi(-x) (exactly normalCdf(-x)),
 * so without cancellation: same accuracy as normalCdf in the mirrored ranges (<= 1e-15 relative for
 * 5 < x <= 37). Edges: NaN -> NaN, -Infinity -> 1, +Infinity -> 0.
 */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/**
 * Standard normal density phi(x) = exp(-x^2/2) / sqrt(2 pi), with x^2 split exactly (gaussFactor):
 * relative error <= 1e-15 for |x| <= 37.5 (measured 2.8e-16); subnormal beyond |x| = 37.5, 0 from
 * |x| = 38.6. Edges: NaN -> NaN, +-Infinity -> 0.
 */
export function normalPdf(x: number): number {
  const y = Math.abs(x);
  if (!(y < NORMAL_UNDERFLOW)) return x !== x ? NaN : 0;
  return INV_SQRT_2PI * gaussFactor(y);
}

// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied
// Statistics 37 (1988) 477-484, PPND16: rational approximations in p - 1/2 (|p - 1/2| <= 0.425) and in
// r = sqrt(-log(min(p, 1 - p))) - 1.6 (r <= 5) or - 5, about 1e-16 relative.
const AS241_A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
  33430.575583588128105, 2509.0809287301226727,
];
const AS241_B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
  5226.495278852854561,
];
const AS241_C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const AS241_D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966,
  5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const AS241_E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093,
  0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const AS241_F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5,
  1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

/** Degree-7 polynomial c[0] + c[1] r + ... + c[7] r^7 by Horner's rule. */
function poly7(c: number[], r: number): number {
  let s = c[7];
  for (let i = 6; i >= 0; i--) s = s * r + c[i];
  return s;
}

/**
 * Standard normal quantile Phi^-1(p), Wichura's AS 241 (PPND16, see AS241_A). 1 - p is exact for
 * p >= 1/2, so both tails keep full relative accuracy: <= 1e-15 relative (measured 7.4e-16) against mpmath for
 * p from 5e-324 to 1 - 2^-53.
 *
 * Edges: p = 0 -> -Infinity, p = 1 -> +Infinity, p = 0.5 -> 0, p < 0, p > 1 or NaN -> NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly7(AS241_A, r)) / poly7(AS241_B, r);
  }
  // logOf: the same bits as the C++ (Math.log and the C library differ in the last bit)
  let r = Math.sqrt(-logOf(q < 0 ? p : 1 - p));
  let v: number;
  if (r <= 5) {
    r -= 1.6;
    v = poly7(AS241_C, r) / poly7(AS241_D, r);
  } else {
    r -= 5;
    v = poly7(AS241_E, r) / poly7(AS241_F, r);
  }
  return q < 0 ? -v : v;
}
