/**
 * Reference Monte Carlo VaR (src/kernels/risk/risk.ts): scenarios of the asset returns over `horizon`
 * periods, x = h mu + sqrt(h) s L z (the square-root-of-time rule), L the lower Cholesky factor of cov,
 * z standard normals of src/math/random.ts (path k, normal j), s = 1 for 'normal' and
 * s = sqrt((nu - 2) / chi2) for the multivariate Student t (chi2 a chi-square draw with nu degrees of
 * freedom per path: the scenarios keep the covariance cov).
 *
 * A portfolio's P&L on a path is w'x = h w'mu + sqrt(h) s (L'w)'z: with b = L'w formed once, a path
 * costs O(N) per portfolio instead of O(N^2). VaR and ES of the simulated P&L are the 'historical'
 * ones of valueAtRisk (numpy's linear quantile, empyrical's mean of the k + 1 smallest).
 *
 * native/kernels/risk/risk_montecarlo.cpp follows this file in the same order of operations.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { chiSquare, seedKey, standardNormals } from '../../../math/random.js';
import { checkWeights, historicalVar } from '../risk-common.js';

/**
 * The lower Cholesky factor of the n x n row-major `cov` (right-looking: after pivot k, every
 * A[i][j], k < j <= i, loses L[i][k] L[j][k]); the upper triangle is 0. Fault
 * COV_NOT_POSITIVE_DEFINITE at the first pivot that is not finite and > 0.
 */
export function cholesky(cov: Float64Array, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = cov[i * n + j];
  for (let k = 0; k < n; k++) {
    const pivot = a[k * n + k];
    if (!(pivot > 0 && pivot < Infinity)) throw inputFault(Fault.COV_NOT_POSITIVE_DEFINITE, k, pivot, n);
    const lkk = Math.sqrt(pivot);
    a[k * n + k] = lkk;
    for (let i = k + 1; i < n; i++) a[i * n + k] /= lkk;
    for (let i = k + 1; i < n; i++) {
      const lik = a[i * n + k];
      for (let j = k + 1; j <= i; j++) a[i * n + j] -= lik * a[j * n + k];
    }
  }
  return a;
}

/** The scale s of path k: 1 for normal scenarios (nu = 0), sqrt((nu - 2) / chi2) for Student t. */
function pathScale(k0: number, k1: number, path: number, nu: number): number {
  return nu === 0 ? 1 : Math.sqrt((nu - 2) / chiSquare(k0, k1, path, nu));
}

/**
 * Per portfolio the VaR then the ES of the simulated P&L (2 x P values); weights P x n row-major
 * (finite), nu = 0 for normal scenarios, else > 2.
 */
export function monteCarloVar(
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
  const P = portfolios;
  const b = new Float64Array(P * n); // b_p = L' w_p: b[j] = sum over i >= j of L[i][j] w[i]
  const drift = new Float64Array(P); // h w'mu
  for (let p = 0; p < P; p++) {
    const w = weights.subarray(p * n, (p + 1) * n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = j; i < n; i++) s += L[i * n + j] * w[i];
      b[p * n + j] = s;
    }
    let m = 0;
    for (let i = 0; i < n; i++) m += w[i] * mean[i];
    drift[p] = horizon * m;
  }
  const root = Math.sqrt(horizon);
  const [k0, k1] = seedKey(seed);
  const z = new Float64Array(n);
  const pnl = new Float64Array(P * paths); // portfolio-major
  for (let k = 0; k < paths; k++) {
    standardNormals(k0, k1, k, z, n);
    const s = pathScale(k0, k1, k, nu);
    for (let p = 0; p < P; p++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += b[p * n + j] * z[j];
      pnl[p * paths + k] = drift[p] + root * (s * dot);
    }
  }
  const { out, views: o } = allocateOutputs(RISK_KERNELS.monteCarloVar, mean, cov, n, weights, P);
  for (let p = 0; p < P; p++) [o.var[p], o.es[p]] = historicalVar(pnl.subarray(p * paths, (p + 1) * paths), confidence);
  return out;
}

/** The scenarios themselves, paths x n row-major: x[k][i] = h mu_i + sqrt(h) (s_k sum over j <= i of L[i][j] z_j). */
export function monteCarloScenarios(
  mean: Float64Array,
  cov: Float64Array,
  n: number,
  paths: number,
  horizon: number,
  seed: number,
  nu: number,
): Float64Array {
  const L = cholesky(cov, n);
  const root = Math.sqrt(horizon);
  const [k0, k1] = seedKey(seed);
  const z = new Float64Array(n);
  const out = new Float64Array(paths * n);
  for (let k = 0; k < paths; k++) {
    standardNormals(k0, k1, k, z, n);
    const s = pathScale(k0, k1, k, nu);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += L[i * n + j] * z[j];
      out[k * n + i] = horizon * mean[i] + root * (s * dot);
    }
  }
  return out;
}
