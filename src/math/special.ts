/**
 * Special functions in double precision, one file each by what it computes: the standard normal
 * distribution (CDF, complement, density, quantile: ./normal.ts), Student's t (CDF, complement,
 * quantile) for any real nu > 0 (./student-t.ts), and log Gamma (./gamma.ts).
 *
 * native/kernels/math/special.cpp implements the same formulas with the same constants in the same order
 * of operations (built with -ffp-contract=off), so the two agree to rounding: they differ only where
 * V8's Math.exp/atan/... and the C library round differently in the last bit (measured: at most
 * 6.4e-16 relative over 3e5 values; the one place where a last-bit difference would be amplified, the
 * logarithm in Student's t tails, is computed by arithmetic alone, log1pDD).
 *
 * Accuracy, measured against mpmath at 50 digits (test/fixtures/special-values.json,
 * scripts/special-values.py, test/special/reference.test.ts): see each function.
 */

export { logFactorial, logGamma } from './gamma.js';
export { normalCdf, normalPdf, normalQuantile, normalSf } from './normal.js';
export { studentTCdf, studentTQuantile, studentTSf } from './student-t.js';
