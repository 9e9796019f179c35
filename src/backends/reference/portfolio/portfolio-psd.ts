/**
 * The optimizers' positive-semidefiniteness test (checkPsd, src/kernels/portfolio/portfolio-psd.ts), the
 * reference: native/kernels/portfolio/portfolio_psd.cpp computes the same pivots in the same order of operations
 * (a blocked right-looking form there, whose every element still takes its updates one at a time, k in
 * order), so both report the same asset and the same pivot, to the bit.
 *
 * A Cholesky factorization without pivoting of S (1 / s) (s the largest diagonal value, 1 when it is 0),
 * right-looking: pivot j is what is left of S_jj / s once columns 0..j-1 are taken out. It stops at the
 * first pivot below -PSD_TOLERANCE; a pivot within +-PSD_TOLERANCE is a zero pivot (a singular but
 * semidefinite matrix: duplicate assets, fewer dates than assets), accepted when its column is zero
 * too, to the same tolerance (every a_ij^2 <= (d + tol) S_ii / s), its column of L then 0; else it
 * fails with the pivot d - a_ij^2 s / S_ii that row i's 2 x 2 minor leaves (negative). A PSD matrix
 * runs to the end: n^3 / 6 multiply-adds, the cost of one factorization.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { ALLOCATION_KERNELS } from '../../../kernels/portfolio/portfolio-allocation.js';
import { PSD_TOLERANCE } from '../../../kernels/portfolio/portfolio-psd.js';
import { Fault, inputFault } from '../../../kernels/faults.js';

/**
 * Checks covariance p of a stack: finite, symmetric, a diagonal >= 0 (PORTFOLIO_COV_INVALID at its
 * position in the stack). A kernel checks a shared covariance once, and each of a stack as its problem
 * starts (inside the threads natively: the check is as long as a small solve).
 */
export function checkCovAt(cov: Float64Array, p: number, n: number): void {
  const base = p * n * n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = cov[base + i * n + j];
      if (!Number.isFinite(v) || v !== cov[base + j * n + i] || (i === j && v < 0)) {
        throw inputFault(Fault.PORTFOLIO_COV_INVALID, base + i * n + j, v, n);
      }
    }
  }
}

/** The first failing pivot of covariance p of a stack: its asset and value (in cov's units), or null. */
export function psdPivotAt(cov: Float64Array, p: number, n: number, a: Float64Array): { asset: number; pivot: number } | null {
  const base = p * n * n;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, cov[base + i * n + i]);
  if (scale === 0) scale = 1;
  const inv = 1 / scale;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = cov[base + i * n + j] * inv;
  const tol = PSD_TOLERANCE;
  for (let j = 0; j < n; j++) {
    const d = a[j * n + j];
    if (d < -tol) return { asset: j, pivot: d * scale };
    if (d <= tol) {
      for (let i = j + 1; i < n; i++) {
        const v = a[i * n + j];
        const sii = cov[base + i * n + i] * inv;
        if (v * v > (d + tol) * sii) return { asset: j, pivot: (d - (v * v) / sii) * scale };
      }
      for (let i = j + 1; i < n; i++) a[i * n + j] = 0;
      continue;
    }
    const r = 1 / Math.sqrt(d);
    for (let i = j + 1; i < n; i++) a[i * n + j] *= r;
    for (let i = j + 1; i < n; i++) {
      const l = a[i * n + j];
      for (let m = j + 1; m <= i; m++) a[i * n + m] -= l * a[m * n + j];
    }
  }
  return null;
}

/**
 * checkPsd: every covariance of the stack finite and symmetric with a diagonal >= 0 (else
 * PORTFOLIO_COV_INVALID), then the first problem whose factorization fails, its asset and pivot
 * (problem -1, asset -1, pivot 0 when every one is positive semidefinite).
 */
function checkPsd(cov: Float64Array, covCount: number, n: number): Float64Array {
  const { out, views } = allocateOutputs(ALLOCATION_KERNELS.checkPsd, cov, covCount, n);
  const a = new Float64Array(n * n);
  views.problem[0] = -1;
  views.asset[0] = -1;
  views.pivot[0] = 0;
  for (let p = 0; p < covCount; p++) {
    checkCovAt(cov, p, n);
    const fail = psdPivotAt(cov, p, n, a);
    if (fail) {
      views.problem[0] = p;
      views.asset[0] = fail.asset;
      views.pivot[0] = fail.pivot;
      break;
    }
  }
  return out;
}

export const referencePsd = { checkPsd };
