/**
 * Special functions for the VPIN classifiers, written out in full so that the C++ kernels
 * (native/kernels/special.cpp) can follow them operation for operation: JavaScript has no erf or
 * lgamma, and using the same algorithm on both sides keeps the backends within rounding of each other.
 */

/** log(sqrt(2 pi)) */
const LOG_SQRT_2PI = 0.9189385332046727418;
/** Below this |x| the power series is used; above it, the continued fraction of the tail. */
const NORMAL_SERIES_LIMIT = 1.5;
const CF_EPS = 1e-16;
const CF_TINY = 1e-300;
const CF_MAX_ITER = 2000;

/**
 * Upper tail Q(x) = 1 - Phi(x) for x >= NORMAL_SERIES_LIMIT, by Laplace's continued fraction
 *   Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...))))
 * evaluated with the modified Lentz method. Relative accuracy ~1e-15 down to underflow.
 */
function normalUpperTail(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j <= CF_MAX_ITER; j++) {
    d = x + j * d;
    if (d === 0) d = CF_TINY;
    d = 1 / d;
    c = x + j / c;
    if (c === 0) c = CF_TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < CF_EPS) break;
  }
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI) / f;
}

/**
 * Standard normal CDF Phi(x), accurate to ~1e-15 relative in both tails.
 * |x| <= 1.5: Phi(x) = 1/2 + phi(x) * (x + x^3/3 + x^5/(3*5) + x^7/(3*5*7) + ...);
 * otherwise the tail continued fraction. NaN gives NaN; +-Infinity give 1 and 0.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  if (x < -NORMAL_SERIES_LIMIT) return normalUpperTail(-x);
  if (x > NORMAL_SERIES_LIMIT) return 1 - normalUpperTail(x);
  const q = x * x;
  let sum = x;
  let term = x;
  for (let i = 3; ; i += 2) {
    term *= q / i;
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return 0.5 + sum * Math.exp(-0.5 * q - LOG_SQRT_2PI);
}

/** Lanczos approximation (g = 7, 9 terms), ~1e-15 relative for Gamma. */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Gamma(x) for x > 0 (reflection below 1/2). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the regularized incomplete beta (DLMF 8.17.22), modified Lentz. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < CF_EPS) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), given x and xc = 1 - x separately so that callers can pass
 * a complement computed without cancellation.
 */
export function regularizedBeta(a: number, b: number, x: number, xc: number): number {
  if (x <= 0) return 0;
  if (xc <= 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(xc) - (logGamma(a) + logGamma(b) - logGamma(a + b)));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, xc)) / b;
}

/**
 * Student-t CDF with nu > 0 degrees of freedom:
 * P(T <= t) = 1 - I_{nu/(nu+t^2)}(nu/2, 1/2) / 2 for t > 0, and the mirror image for t < 0.
 */
export function studentTCdf(t: number, nu: number): number {
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const t2 = t * t;
  const z = nu / (nu + t2);
  const zc = t2 / (nu + t2);
  const tail = 0.5 * regularizedBeta(0.5 * nu, 0.5, z, zc);
  return t > 0 ? 1 - tail : tail;
}
