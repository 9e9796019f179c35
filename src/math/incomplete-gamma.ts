/**
 * The regularized incomplete gamma functions P(a, x) = gamma(a, x) / Gamma(a) and Q(a, x) = 1 - P(a, x)
 * for a > 0, x >= 0, and the inverse of Q in x: the generalized error distribution's quantile and tail
 * (the volatility family's 'ged', scipy's gennorm).
 * - P by its power series where x < a + 1 (and x < 1 when a < 1), Q by Legendre's continued fraction
 *   (modified Lentz) elsewhere, each the other's complement, but Q for a < 1 and x < 1 (where P is near
 *   1 when a is small) by 1 - x^a / Gamma(a + 1) and the series' defect, each without cancellation
 *   (DiDonato and Morris's idea: ACM TOMS 12, 1986).
 * - The inverse by Newton's steps on log Q (q < 1/2: far tails stay in range) or Halley's on P, from
 *   Numerical Recipes' starting guesses, and for a deep upper tail x = -log q - log Gamma(a) + (a - 1)
 *   log x.
 * Every log and exp is fdlibm's log and Cody-Waite's exp (logOf, expOf), log Gamma Lanczos's on [1, inf)
 * (below 1 by log Gamma(a) = log Gamma(a + 1) - log a) and expm1 a series, so native/kernels/math/
 * incomplete_gamma.cpp, the same operations in the same order, computes the same bits. Accuracy against
 * mpmath (test/special/incomplete-gamma.test.ts): about 1e-15 relative for a up to 10, less the ulps of
 * the front factor x^a e^-x / Gamma(a)'s exponent: |a ln x| + x + |ln Gamma(a)| (7e-13 at x = 700, 1e-12
 * near x = a = 1000); Q for a < 1 within 2e-13 (ln Gamma(1 + a)'s absolute 1e-15 over a small Q).
 */
import { expOf } from './elementary.js';
import { logGamma } from './gamma.js';
import { logOf } from './random.js';

const EPS = 2 ** -53;
const TINY = 1e-300;
const MAX_TERMS = 5000;

/** log Gamma(a), a > 0, by Lanczos on [1, inf) only (the reflection below 1/2 takes V8's log and sin). */
export function logGammaPositive(a: number): number {
  return a < 1 ? logGamma(a + 1) - logOf(a) : logGamma(a);
}

/** e^t - 1 without cancellation: its Taylor series for |t| < 1/2 (to degree 18, Horner), else expOf. */
function expm1(t: number): number {
  if (!(Math.abs(t) < 0.5)) return expOf(t) - 1;
  let s = 1;
  for (let n = 18; n >= 2; n--) s = 1 + (t * s) / n;
  return t * s;
}

/** log(x^a e^-x / Gamma(a)): the log of the factor P's series and Q's fraction share. */
function logFront(a: number, x: number): number {
  return a * logOf(x) - x - logGammaPositive(a);
}

/**
 * sum over n >= 0 of x^n / ((a + 1) ... (a + n)): P(a, x) / (x^a e^-x / Gamma(a + 1)) (no 1 / a, which
 * overflows for a subnormal a).
 */
function series(a: number, x: number): number {
  let term = 1;
  let sum = 1;
  let ap = a;
  for (let n = 0; n < MAX_TERMS; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum;
}

/** Legendre's continued fraction of Q(a, x) / front, by the modified Lentz method. */
function fraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) break;
  }
  return h;
}

/**
 * Q(a, x) for a < 1, x < 1: (1 - x^a / Gamma(a + 1)) + x^a / Gamma(a + 1) (1 - M), M = e^-x sum x^n /
 * ((a + 1) ... (a + n)), and 1 - M = -e^-x sum_n>=1 x^n / n! D_n, D_n = prod k / (a + k) - 1 =
 * (n D_n-1 - a) / (a + n): every term of one sign.
 */
function smallQ(a: number, x: number): number {
  const t = a * logOf(x) - logGamma(a + 1);
  let term = 1;
  let d = 0;
  let sum = 0;
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= x / n;
    d = (n * d - a) / (a + n);
    const add = term * d;
    sum += add;
    if (Math.abs(add) < Math.abs(sum) * EPS) break;
  }
  return -expm1(t) - expOf(t) * expOf(-x) * sum;
}

/** Where P's series serves (else Q's fraction). */
const bySeries = (a: number, x: number) => x < a + 1 && !(a < 1 && x >= 1);

/** P(a, x): NaN for a <= 0, a infinite, x < 0 or NaN; 0 at x = 0, 1 at x = Infinity. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0 && a < Number.POSITIVE_INFINITY && x >= 0)) return Number.NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return bySeries(a, x) ? expOf(a * logOf(x) - x - logGamma(a + 1)) * series(a, x) : 1 - expOf(logFront(a, x)) * fraction(a, x);
}

/** Q(a, x) = 1 - P(a, x) without the cancellation: NaN for a <= 0, a infinite, x < 0 or NaN; 1 at x = 0, 0 at Infinity. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0 && a < Number.POSITIVE_INFINITY && x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (!bySeries(a, x)) return expOf(logFront(a, x)) * fraction(a, x);
  return a < 1 ? smallQ(a, x) : 1 - expOf(a * logOf(x) - x - logGamma(a + 1)) * series(a, x);
}

/** log Q(a, x), x > 0, finite where Q underflows (the inverse's far tails). */
function logQ(a: number, x: number): number {
  return bySeries(a, x) ? logOf(gammaQ(a, x)) : logFront(a, x) + logOf(fraction(a, x));
}

/**
 * x with Q(a, x) = q (scipy's gammainccinv), a > 0 finite, q in [0, 1]: Infinity at q = 0, 0 at q = 1,
 * NaN outside, 0 where x is below the doubles. Newton's steps on log Q - log q where q < 1/2, else Halley's
 * on P - (1 - q), so that either tail keeps its digits.
 */
export function gammaQInverse(a: number, q: number): number {
  if (!(a > 0 && a < Number.POSITIVE_INFINITY && q >= 0 && q <= 1)) return Number.NaN;
  if (q === 0) return Number.POSITIVE_INFINITY;
  if (q === 1) return 0;
  const p = 1 - q;
  const upper = q < 0.5;
  const lg = logGammaPositive(a);
  const lq = logOf(q);
  // the deep upper tail: Q = x^(a - 1) e^-x / Gamma(a) (1 + O(a / x))
  const x0 = -lq - lg;
  let x: number;
  if (upper && x0 > 3 * a + 10) {
    x = x0 + (a - 1) * logOf(x0);
  } else if (a > 1) {
    const pp = upper ? q : p;
    const t = Math.sqrt(-2 * logOf(pp));
    let z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (!upper) z = -z;
    const w = 1 - 1 / (9 * a) - z / (3 * Math.sqrt(a));
    x = Math.max(1e-3, a * w * w * w);
  } else {
    const t = 1 - a * (0.253 + a * 0.12);
    x = p < t ? expOf(logOf(p / t) / a) : 1 - logOf(q / (1 - t));
  }
  for (let j = 0; j < 100; j++) {
    if (!(x > 0)) return 0;
    const logDensity = (a - 1) * logOf(x) - x - lg; // of P (and -Q) in x
    let step: number;
    if (upper) {
      // d log Q / dx = -density / Q
      const l = logQ(a, x);
      step = (l - lq) / -expOf(logDensity - l);
    } else {
      const u = (gammaP(a, x) - p) / expOf(logDensity);
      step = u / (1 - 0.5 * Math.min(1, u * ((a - 1) / x - 1)));
    }
    if (!Number.isFinite(step)) break;
    const next = x - step;
    x = next <= 0 ? 0.5 * x : next;
    if (Math.abs(step) <= 4 * EPS * x) break;
  }
  return x;
}
