/**
 * The tfjs backend's risk kernels: the dense linear algebra in tfjs ops (float32), the rest written once
 * in the reference and reused (src/backends/reference/risk/risk.ts is the oracle).
 * - covariance: the complete rows, their centring (or the EWMA weights, or the semicovariance's
 *   shortfalls) and the faults on the host in float64, exactly as the reference; the cross-products
 *   D'D (weighted for EWMA) by tf.matMul; the shrinkage formulas are the reference's over that S
 *   (the PyPortfolioOpt targets' fourth-moment cross-products stay float64, see covariance()).
 * - portfolioVolatility: sqrt(rowsum((W S) .* W)) for all portfolios in one matMul.
 * - monteCarloVar / monteCarloScenarios: the normals are the reference's Philox4x32-10 + Box-Muller
 *   (float64 on the host, identical on every backend, then float32), the Cholesky factor the
 *   reference's (float64); per block of paths tfjs forms Z (L'w) (VaR) or Z L' (scenarios) scaled per
 *   path; the P&L's tail is tf.topk; drift + sqrt(h) (...) and the quantile/ES arithmetic are float64
 *   on the host, as in the reference.
 */
import { allocateOutputs } from '../../kernels/descriptor.js';
import type { RiskFamily } from '../../kernels/risk/risk.js';
import { RISK_KERNELS } from '../../kernels/risk/risk-kernels.js';
import { chiSquare, seedKey, standardNormals } from '../../math/random.js';
import { checkReturns, checkWeights, completeRows, linearQuantile, meanOfSmallest } from '../reference/risk-common.js';
import { cholesky } from '../reference/risk/risk-montecarlo.js';
import { constantCorrelation, shrink, singleFactor } from '../reference/risk/risk.js';
import { toFloat32 } from './float32.js';
import { requireReady, tidyRead, type TfjsRuntime } from './runtime.js';

/** The risk kernels the tfjs backend implements. */
export const TFJS_RISK_KERNELS = [
  'covariance',
  'portfolioVolatility',
  'monteCarloVar',
  'monteCarloScenarios',
] as const satisfies readonly (keyof RiskFamily)[];

/** Paths per tfjs block of the Monte Carlo kernels (bounds the float32 normals held at once). */
const PATH_BLOCK = 8192;

/** The risk kernels on tfjs ops. */
export function tfjsRisk({ tf }: TfjsRuntime): Pick<RiskFamily, (typeof TFJS_RISK_KERNELS)[number]> {
  /** sum over t of w_t a[t][i] a[t][j] (w_t = 1 without weights): p x p, from float32 a (n x p row-major). */
  function gram(a: Float32Array, n: number, p: number, weights?: Float32Array): Float32Array {
    return tidyRead(tf, () => {
      const A = tf.tensor2d(a, [n, p]);
      const left = weights ? tf.mul(A, tf.tensor2d(weights, [n, 1])) : A;
      return tf.matMul(left, A, true, false).dataSync() as Float32Array;
    });
  }

  function covariance(
    returns: Float64Array,
    rows: number,
    cols: number,
    method: number,
    lambda: number,
    adjust: number,
    benchmark: number,
  ): Float64Array {
    checkReturns(returns, cols);
    toFloat32(returns, 'returns', cols);
    requireReady();
    const { data: x, n } = completeRows(returns, rows, cols);
    const { out, views } = allocateOutputs(RISK_KERNELS.covariance, returns, rows, cols);
    const cov = views.cov;
    views.shrinkage[0] = NaN;
    const store = (s: Float32Array, divisor: number) => {
      // the upper triangle, mirrored (the reference's symmetric fill)
      for (let i = 0; i < cols; i++) for (let j = i; j < cols; j++) cov[i * cols + j] = cov[j * cols + i] = s[i * cols + j] / divisor;
    };
    if (method === 1) {
      if (n === 0) return out.fill(NaN);
      // EWMA as weights: S_0 = r_0 r_0', S_t = lambda S_{t-1} + (1 - lambda) r_t r_t' is the sum of
      // lambda^(n-1) r_0 r_0' and (1 - lambda) lambda^(n-1-t) r_t r_t'; adjust: lambda^(n-1-t) / their sum
      const w = new Float64Array(n);
      let total = 0;
      for (let t = 0; t < n; t++) {
        w[t] = Math.pow(lambda, n - 1 - t);
        total += w[t];
      }
      for (let t = 0; t < n; t++) w[t] = adjust ? w[t] / total : t === 0 ? w[t] : (1 - lambda) * w[t];
      store(gram(Float32Array.from(x), n, cols, Float32Array.from(w)), 1);
      return out;
    }
    const ddof1 = method === 0 || method === 5;
    if (n < (ddof1 ? 2 : 1)) return out.fill(NaN);
    let d: Float64Array;
    if (method === 4) {
      d = x.map((v) => Math.min(v - benchmark, 0));
    } else {
      const mean = new Float64Array(cols);
      for (let t = 0; t < n; t++) for (let i = 0; i < cols; i++) mean[i] += x[t * cols + i];
      for (let i = 0; i < cols; i++) mean[i] /= n;
      d = x.map((v, k) => v - mean[k % cols]);
    }
    store(gram(toFloat32(d, 'returns', cols), n, cols), ddof1 ? n - 1 : n);
    if (method === 2 || method === 3) views.shrinkage[0] = shrink(cov, d, n, cols, method);
    // the PyPortfolioOpt targets' intensity is a difference of fourth-moment sums: their cross-products
    // stay float64 (the reference's cross; in float32 data spanning 1e9 lost the intensity entirely)
    if (method === 5) views.shrinkage[0] = constantCorrelation(cov, d, n, cols);
    if (method === 6) views.shrinkage[0] = singleFactor(cov, d, n, cols);
    return out;
  }

  function portfolioVolatility(cov: Float64Array, n: number, weights: Float64Array, portfolios: number): Float64Array {
    checkWeights(weights, n);
    const S = toFloat32(cov, 'cov', n);
    const W = toFloat32(weights, 'weights', n);
    if (portfolios === 0 || n === 0) return new Float64Array(portfolios);
    requireReady();
    const q = tidyRead(tf, () => {
      const w = tf.tensor2d(W, [portfolios, n]);
      return tf.sqrt(tf.sum(tf.mul(tf.matMul(w, tf.tensor2d(S, [n, n])), w), 1)).dataSync();
    });
    return Float64Array.from(q);
  }

  /**
   * For each block of paths, the normals Z (paths x n, float32) and the per-path scale s (1, or the
   * Student t's sqrt((nu - 2) / chi2)), handed to `use` with the block's first path and size.
   */
  function forEachBlock(
    n: number,
    paths: number,
    seed: number,
    nu: number,
    use: (first: number, size: number, z: Float32Array, s: Float32Array) => void,
  ): void {
    const [k0, k1] = seedKey(seed);
    const z = new Float64Array(n);
    for (let first = 0; first < paths; first += PATH_BLOCK) {
      const size = Math.min(PATH_BLOCK, paths - first);
      const Z = new Float32Array(size * n);
      const s = new Float32Array(size);
      for (let q = 0; q < size; q++) {
        standardNormals(k0, k1, first + q, z, n);
        Z.set(z, q * n);
        s[q] = nu === 0 ? 1 : Math.sqrt((nu - 2) / chiSquare(k0, k1, first + q, nu));
      }
      use(first, size, Z, s);
    }
  }

  function monteCarloVar(
    mean: Float64Array,
    cov: Float64Array,
    n: number,
    weights: Float64Array,
    portfolios: number,
    paths: number,
    confidence: number,
    horizon: number,
    seed: number,
    nu: number,
  ): Float64Array {
    checkWeights(weights, n);
    const L = cholesky(cov, n);
    const L32 = toFloat32(L, 'cov', n);
    const W32 = toFloat32(weights, 'weights', n);
    requireReady();
    const P = portfolios;
    const drift = new Float64Array(P); // h w'mu, float64 (the mean never enters a tensor)
    for (let p = 0; p < P; p++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += weights[p * n + i] * mean[i];
      drift[p] = horizon * m;
    }
    // u[p][k] = s_k (z_k . b_p), b_p = L' w_p: the P&L less its drift, over sqrt(h)
    const u = new Float32Array(P * paths);
    const b = tf.tensor2d(
      tidyRead(tf, () => tf.matMul(tf.tensor2d(W32, [P, n]), tf.tensor2d(L32, [n, n])).dataSync() as Float32Array),
      [P, n],
    );
    try {
      forEachBlock(n, paths, seed, nu, (first, size, Z, s) => {
        const block = tidyRead(
          tf,
          () =>
            tf
              .transpose(tf.mul(tf.matMul(b, tf.tensor2d(Z, [size, n]), false, true), tf.tensor2d(s, [1, size])))
              .dataSync() as Float32Array,
        );
        for (let p = 0; p < P; p++) for (let q = 0; q < size; q++) u[p * paths + first + q] = block[q * P + p];
      });
    } finally {
      b.dispose();
    }
    // the smallest values each quantile and tail mean read (numpy's linear quantile, empyrical's ES)
    const alpha = 1 - confidence;
    const h = paths * alpha + (1 - alpha) - 1;
    const lo = Math.min(Math.max(Math.floor(h), 0), paths - 1);
    const k = Math.floor((paths - 1) * alpha);
    const need = Math.min(paths, Math.max(lo + 1, k) + 1);
    const smallest = tidyRead(tf, () => tf.topk(tf.neg(tf.tensor2d(u, [P, paths])), need, true).values.dataSync() as Float32Array);
    const root = Math.sqrt(horizon);
    const { out, views: o } = allocateOutputs(RISK_KERNELS.monteCarloVar, mean, cov, n, weights, P);
    const sorted = new Float64Array(paths);
    for (let p = 0; p < P; p++) {
      for (let i = 0; i < need; i++) sorted[i] = drift[p] + root * -smallest[p * need + i];
      o.var[p] = -linearQuantile(sorted, alpha);
      o.es[p] = -meanOfSmallest(sorted, k);
    }
    return out;
  }

  function monteCarloScenarios(
    mean: Float64Array,
    cov: Float64Array,
    n: number,
    paths: number,
    horizon: number,
    seed: number,
    nu: number,
  ): Float64Array {
    const L = cholesky(cov, n);
    const L32 = toFloat32(L, 'cov', n);
    requireReady();
    const root = Math.sqrt(horizon);
    const out = new Float64Array(paths * n);
    const factor = tf.tensor2d(L32, [n, n]);
    try {
      forEachBlock(n, paths, seed, nu, (first, size, Z, s) => {
        // s_k (L z_k) for the block's paths: (Z L') scaled per row
        const v = tidyRead(tf, () =>
          tf.mul(tf.matMul(tf.tensor2d(Z, [size, n]), factor, false, true), tf.tensor2d(s, [size, 1])).dataSync(),
        );
        for (let q = 0; q < size; q++) for (let i = 0; i < n; i++) out[(first + q) * n + i] = horizon * mean[i] + root * v[q * n + i];
      });
    } finally {
      factor.dispose();
    }
    return out;
  }

  return { covariance, portfolioVolatility, monteCarloVar, monteCarloScenarios };
}
