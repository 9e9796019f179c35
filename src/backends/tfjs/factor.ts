/**
 * The tfjs backend's factor regressions (factorReturns, toraniko's estimate_factor_returns; the oracle is
 * src/backends/reference/factor/factor.ts). All dates at once, as batched tensors T x N with the assets a date
 * cannot use masked out (weight 0):
 * - on the host (float64): the faults, the usable assets of each date, the returns winsorized per date
 *   (a sort), the weights sqrt(cap) scaled by the date's largest (weighted least squares does not
 *   change with the weights' scale, and so any cap fits float32);
 * - in tfjs: the per-sector sums of w and w r (one-hot sectors, batched matMul), the sector-block
 *   residuals e = r - B g, the style normal equations X'WX and X'Wy per date (batched matMul) and the
 *   residuals e - X f;
 * - the small solves (1 + m and s unknowns a date) on the host: the reference's pinvSolve in float64
 *   (tfjs has no linear solve), with the eigenvalue cut-off PINV_RTOL_FLOAT32 for the style normal
 *   equations summed in float32.
 * A date with fewer usable assets than factors gives NaN, as in the reference.
 */
import { allocateOutputs } from '../../kernels/descriptor.js';
import type { FactorFamily } from '../../kernels/factor/factor.js';
import { FACTOR_KERNELS } from '../../kernels/factor/factor-kernels.js';
import { linearQuantile } from '../reference/risk-common.js';
import { checkCaps, checkReturns, checkSectors, sectorStage } from '../reference/factor/factor.js';
import { pinvSolve } from '../reference/factor/factor-solve.js';
import { toFloat32 } from './float32.js';
import { requireReady, tidyRead, type TfjsRuntime } from './runtime.js';

/** The factor kernels the tfjs backend implements. */
export const TFJS_FACTOR_KERNELS = ['factorReturns'] as const satisfies readonly (keyof FactorFamily)[];

/**
 * Eigenvalues of the style normal equations X'WX at most this fraction of the largest count as 0: their
 * float32 sums carry relative errors of about 1e-7 (times the assets' count at worst), so smaller
 * eigenvalues are rounding, not data (the reference's PINV_RTOL is 1e-10 for float64 sums). The price:
 * a style direction weaker than that (scores or weights spanning more than about 1e4) is dropped.
 */
export const PINV_RTOL_FLOAT32 = 1e-5;

const finite = (v: number) => v - v === 0;

/** factorReturns on tfjs ops. */
export function tfjsFactor({ tf }: TfjsRuntime): Pick<FactorFamily, (typeof TFJS_FACTOR_KERNELS)[number]> {
  function factorReturns(
    returns: Float64Array,
    cap: Float64Array,
    rows: number,
    cols: number,
    sectors: Float64Array,
    perDate: number,
    m: number,
    styles: readonly Float64Array[],
    p: number,
    residualize: number,
  ): Float64Array {
    const s = styles.length;
    checkReturns(returns, cols);
    checkCaps(cap, cols);
    checkSectors(sectors, m, cols, perDate);
    toFloat32(returns, 'returns', cols);
    styles.forEach((x, k) => toFloat32(x, `styles[${k}]`, cols));
    const T = rows;
    const N = cols;
    const K = 1 + m + s;
    const { out, views } = allocateOutputs(FACTOR_KERNELS.factorReturns, returns, cap, rows, cols, sectors, perDate, m, styles);
    const F = views.factorReturns.fill(NaN);
    const E = views.residuals.fill(NaN);
    // the usable assets of each date, their (winsorized) returns, scaled weights and sector codes
    const R = new Float32Array(T * N);
    const W = new Float32Array(T * N);
    const code = new Int32Array(T * N).fill(-1); // -1: not usable (a zero one-hot row)
    const X = new Float32Array(T * N * s); // date, asset, style
    const dates: number[] = []; // the dates with enough usable assets
    for (let t = 0; t < T; t++) {
      const use: number[] = [];
      for (let c = 0; c < N; c++) {
        const i = t * N + c;
        let ok = finite(returns[i]) && finite(cap[i]) && finite(sectors[perDate ? i : c]);
        for (let k = 0; k < s; k++) ok &&= finite(styles[k][i]);
        if (ok) use.push(c);
      }
      if (use.length < K) continue;
      dates.push(t);
      const r = Float64Array.from(use, (c) => returns[t * N + c]);
      if (p >= 0) {
        const sorted = r.slice().sort();
        const lo = linearQuantile(sorted, p);
        const hi = linearQuantile(sorted, 1 - p);
        for (let a = 0; a < r.length; a++) r[a] = r[a] < lo ? lo : r[a] > hi ? hi : r[a];
      }
      let largest = 0;
      for (const c of use) largest = Math.max(largest, Math.sqrt(cap[t * N + c]));
      use.forEach((c, a) => {
        const i = t * N + c;
        R[i] = r[a];
        W[i] = Math.sqrt(cap[i]) / largest;
        code[i] = sectors[perDate ? i : c];
        for (let k = 0; k < s; k++) X[i * s + k] = styles[k][i];
      });
    }
    if (dates.length === 0 || m === 0) return out;
    requireReady();
    // 1. market + sector block: per date the sums of w and w r per sector
    // T x N x m (tf.oneHot wants a depth >= 2: one sector is the first column of two)
    const onehot = tf.tidy(() =>
      tf.slice(tf.cast(tf.oneHot(tf.tensor2d(code, [T, N], 'int32'), Math.max(m, 2)), 'float32'), [0, 0, 0], [T, N, m]),
    );
    try {
      return solve(onehot);
    } finally {
      onehot.dispose();
    }

    function solve(onehot: ReturnType<typeof tf.oneHot>): Float64Array {
      const sums = tidyRead(tf, () => {
        const w = tf.tensor3d(W, [T, 1, N]);
        const wr = tf.mul(w, tf.tensor3d(R, [T, 1, N]));
        return tf.concat([tf.matMul(w, onehot), tf.matMul(wr, onehot)], 1).dataSync(); // T x 2 x m
      });
      const fitted = new Float32Array(T * m); // per date, the fitted return of each sector, b(j) . g
      for (const t of dates) {
        const sw = sums.subarray(t * 2 * m, t * 2 * m + m);
        const swr = sums.subarray(t * 2 * m + m, (t + 1) * 2 * m);
        // A1's entries are sums of weights (no cancellation): float32 rounds each relatively, so the
        // reference's cut-off separates the same zero eigenvalues (empty sectors)
        sectorStage(sw, swr, m, fitted, t * m, F, t * K);
      }
      // 2. styles on e (or r): X'WX and X'Wy per date; 3. the residuals e - X f
      const residuals = tidyRead(tf, () => {
        const e = tf.sub(tf.tensor2d(R, [T, N]), tf.reshape(tf.matMul(onehot, tf.tensor3d(fitted, [T, m, 1])), [T, N]));
        if (s === 0) return e.dataSync();
        const Xt = tf.tensor3d(X, [T, N, s]);
        const wX = tf.mul(Xt, tf.tensor3d(W, [T, N, 1]));
        const y = residualize ? e : tf.tensor2d(R, [T, N]);
        const normal = tf.concat([tf.matMul(wX, Xt, true, false), tf.matMul(wX, tf.reshape(y, [T, N, 1]), true, false)], 2).dataSync(); // T x s x (s + 1)
        const f = new Float32Array(T * s);
        for (const t of dates) {
          const A2 = new Float64Array(s * s);
          const c2 = new Float64Array(s);
          for (let x = 0; x < s; x++) {
            for (let z = 0; z < s; z++) A2[x * s + z] = normal[(t * s + x) * (s + 1) + z];
            c2[x] = normal[(t * s + x) * (s + 1) + s];
          }
          const ft = pinvSolve(A2, s, c2, PINV_RTOL_FLOAT32);
          for (let k = 0; k < s; k++) {
            F[t * K + 1 + m + k] = ft[k];
            f[t * s + k] = ft[k];
          }
        }
        return tf.sub(e, tf.reshape(tf.matMul(Xt, tf.tensor3d(f, [T, s, 1])), [T, N])).dataSync();
      });
      for (const t of dates) {
        for (let c = 0; c < N; c++) if (code[t * N + c] >= 0) E[t * N + c] = residuals[t * N + c];
      }
      return out;
    }
  }

  return { factorReturns };
}
