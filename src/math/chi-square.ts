/**
 * The chi-square distribution's survival function at integer degrees of freedom: the regularized upper
 * incomplete gamma Q(k/2, x/2) by its finite sums (Abramowitz & Stegun 6.5.13 and 26.4.4-5), which are
 * exact at these orders: for even k, e^-h sum_{i < k/2} h^i / i!; for odd k, erfc(sqrt h) + e^-h sum_{i <
 * (k-1)/2} h^(i+1/2) / Gamma(i + 3/2), h = x / 2, erfc(sqrt h) = 2 normalSf(sqrt x). Each term is a
 * Poisson-like weight (at most 1), so nothing overflows. native/kernels/math/special.cpp (chiSquareSf) is
 * the same code. Used by the VaR backtests' p-values (k = 1, 2, 6).
 */
import { normalSf } from './special.js';

/** 2 / sqrt(pi) = 1 / Gamma(3/2). */
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * P(X > x) for X ~ chi-square(k), k an integer >= 1 (any other k: NaN). Edges: NaN x -> NaN, x <= 0 ->
 * 1, +Infinity -> 0. Relative error a few ulps for k <= 100 wherever the value is above 1e-300.
 */
export function chiSquareSf(x: number, k: number): number {
  if (!(Number.isInteger(k) && k >= 1) || x !== x) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const h = x / 2;
  const m = Math.floor(k / 2);
  if (k % 2 === 0) {
    let term = Math.exp(-h); // e^-h h^0 / 0!
    let sum = term;
    for (let i = 1; i < m; i++) {
      term *= h / i;
      sum += term;
    }
    return sum;
  }
  let sum = 2 * normalSf(Math.sqrt(x));
  let term = Math.exp(-h) * Math.sqrt(h) * TWO_OVER_SQRT_PI; // e^-h h^(1/2) / Gamma(3/2)
  for (let i = 0; i < m; i++) {
    if (i > 0) term *= h / (i + 0.5);
    sum += term;
  }
  return sum;
}
