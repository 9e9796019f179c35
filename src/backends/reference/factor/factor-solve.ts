/**
 * The factor regressions' small solves: x = pinv(A) c for a symmetric positive semi-definite K x K
 * matrix A (the normal equations B'WB of a weighted least-squares fit), by a cyclic Jacobi
 * eigendecomposition. Eigenvalues at most PINV_RTOL times the largest count as 0, so exactly collinear
 * regressors give the minimum-norm solution (numpy.linalg.lstsq's answer) rather than rounding noise.
 * native/kernels/factor/factor_solve.hpp performs the same operations in the same order.
 */

/** Relative eigenvalue cut-off of pinvSolve (numpy's lstsq uses K x machine epsilon; collinear normal equations need more). */
export const PINV_RTOL = 1e-10;

/** Jacobi sweeps at most (convergence takes 5-10 for K <= 20). */
const MAX_SWEEPS = 60;

/**
 * pinv(A) c: A is read from `a` (K x K row-major, symmetric; overwritten), c has K values. Jacobi
 * rotations in the order p < q, row by row, each zeroing A[p][q] (Numerical Recipes' formulas), until
 * the off-diagonal squares fall below 1e-32 of the diagonal's. Eigenvalues at most `rtol` times the
 * largest count as 0 (a backend whose A carries float32 rounding passes a larger cut-off). A is first
 * scaled by a power of two to a largest entry in [0.5, 2) (unitScale), so that those squares neither
 * underflow (entries below ~1e-154 read as 0 made A look diagonal) nor overflow; scaling by a power of
 * two is exact, and A whose largest entry lies in [2^-400, 2^400] is not scaled at all (same bits).
 */
export function pinvSolve(a: Float64Array, K: number, c: Float64Array, rtol = PINV_RTOL): Float64Array {
  const s = unitScale(a, K);
  const v = new Float64Array(K * K);
  for (let i = 0; i < K; i++) v[i * K + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let p = 0; p < K; p++) {
      diagonal += a[p * K + p] * a[p * K + p];
      for (let q = p + 1; q < K; q++) off += a[p * K + q] * a[p * K + q];
    }
    if (!(off > 1e-32 * diagonal)) break;
    for (let p = 0; p < K; p++) {
      for (let q = p + 1; q < K; q++) {
        const apq = a[p * K + q];
        if (apq === 0) continue;
        const theta = (a[q * K + q] - a[p * K + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < K; k++) {
          // columns p and q of A
          const akp = a[k * K + p];
          const akq = a[k * K + q];
          a[k * K + p] = cs * akp - sn * akq;
          a[k * K + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < K; k++) {
          // rows p and q of A
          const apk = a[p * K + k];
          const aqk = a[q * K + k];
          a[p * K + k] = cs * apk - sn * aqk;
          a[q * K + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < K; k++) {
          const vkp = v[k * K + p];
          const vkq = v[k * K + q];
          v[k * K + p] = cs * vkp - sn * vkq;
          v[k * K + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  let largest = 0;
  for (let i = 0; i < K; i++) largest = a[i * K + i] > largest ? a[i * K + i] : largest;
  const x = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const lambda = a[i * K + i];
    if (!(lambda > rtol * largest)) continue;
    let projection = 0;
    for (let k = 0; k < K; k++) projection += v[k * K + i] * c[k];
    const scale = (projection / lambda) * s;
    for (let k = 0; k < K; k++) x[k] += v[k * K + i] * scale;
  }
  return x;
}

/**
 * Scales A (K x K, in place) by the power of two s that brings its largest finite |entry| into
 * [0.5, 2) (at most 2^+-1000) when it lies outside [2^-400, 2^400], and returns s: pinv(A) =
 * s pinv(s A). Otherwise, and for A without a finite non-zero entry or with an infinite one, A is left
 * as it is (s = 1). native/kernels/factor/factor_solve.hpp: the same.
 */
function unitScale(a: Float64Array, K: number): number {
  let largest = 0;
  let infinite = false;
  for (let i = 0; i < K * K; i++) {
    const m = Math.abs(a[i]);
    if (m === Infinity) infinite = true;
    else if (m > largest) largest = m;
  }
  // inside [2^-400, 2^400] the squares are safe: left as it is (no entry pushed into the subnormals)
  if (infinite || largest === 0 || (largest >= 2 ** -400 && largest <= 2 ** 400)) return 1;
  let s = 1;
  while (largest * s < 0.5 && s < 2 ** 1000) s *= 2;
  while (largest * s >= 2 && s > 2 ** -1000) s /= 2;
  if (s !== 1) for (let i = 0; i < K * K; i++) a[i] *= s;
  return s;
}
