/**
 * log Gamma and log k! in double precision (Lanczos), for PIN's likelihood.
 * native/kernels/math/special.cpp implements the same formulas with the same constants in the same order
 * of operations (built with -ffp-contract=off), so the two agree to rounding (src/math/special.ts).
 */

import { logOf } from './random.js';

/** Lanczos's coefficients for g = 7, n = 9 (the set Numerical Recipes 3rd ed. and many libraries use). */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.91893853320467274178; // log(2 pi) / 2

/**
 * log Gamma(x) for x > 0 (Lanczos's approximation, g = 7, n = 9: relative error about 1e-15 where
 * |log Gamma| is not near 0; absolute error about 1e-15 near its zeros x = 1, 2, where it is exact:
 * 0). +Infinity at 0, NaN below 0 or for NaN. Used for log k! in PIN's likelihood (logFactorial).
 */
export function logGamma(x: number): number {
  if (!(x >= 0)) return NaN;
  if (x === 0) return Infinity;
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  // fdlibm's log (random.ts logOf), which the C++ computes bit for bit: PIN's log k! the same on every backend
  return HALF_LOG_2PI + (z + 0.5) * logOf(t) - t + logOf(sum);
}

/** log k! for an integer k >= 0 (logGamma(k + 1)). */
export function logFactorial(k: number): number {
  return k < 2 ? 0 : logGamma(k + 1);
}
