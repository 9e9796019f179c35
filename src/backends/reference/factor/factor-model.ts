/**
 * Reference factor risk model (src/kernels/factor/factor-model.ts), the oracle; native/kernels/factor/factor_model.cpp
 * follows it in the same order of operations.
 * - factorCovariance: over the complete rows (no NaN factor return), weights w_t by date (expWeights:
 *   a missing date does not shift the decay), the weighted mean removed; C_0 = sum w_t d_t d_t' / sum w_t
 *   and, for Newey-West lag l, C_l = sum over dates t with t - l also complete of w_t d_(t-l) d_t' / the
 *   sum of those w_t; F = C_0 + sum_l (1 - l / (L + 1)) (C_l + C_l') (Bartlett). Fewer than 2 complete
 *   rows give NaN.
 * - specificRisk: per asset sum w_t e_t^2 / sum w_t over its finite residuals (zero mean, as residuals
 *   of a regression with an intercept are); NaN when it has none.
 * - riskDecomposition: x = X'w summed over the assets in order (an asset of weight 0 is skipped, so a
 *   missing exposure of an asset not held does no harm), v = F x, factor = sum_k x_k v_k with
 *   contributions x_k v_k, specific = sum_i w_i^2 s_i, total = factor + specific.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { FACTOR_KERNELS } from '../../../kernels/factor/factor-kernels.js';
import { checkWeights } from '../risk-common.js';

const finite = (v: number) => v - v === 0;

function factorCovariance(f: Float64Array, rows: number, K: number, weights: Float64Array, lags: number): Float64Array {
  const complete: number[] = [];
  for (let t = 0; t < rows; t++) {
    let ok = true;
    for (let k = 0; k < K; k++) ok &&= finite(f[t * K + k]);
    if (ok) complete.push(t);
  }
  const out = new Float64Array(K * K);
  if (complete.length < 2) return out.fill(NaN);
  let total = 0;
  const mean = new Float64Array(K);
  for (const t of complete) {
    total += weights[t];
    for (let k = 0; k < K; k++) mean[k] += weights[t] * f[t * K + k];
  }
  for (let k = 0; k < K; k++) mean[k] /= total;
  const d = (t: number, k: number) => f[t * K + k] - mean[k];
  for (const t of complete) {
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) out[a * K + b] += weights[t] * (d(t, a) * d(t, b));
  }
  for (let i = 0; i < K * K; i++) out[i] /= total;
  const isComplete = new Uint8Array(rows);
  for (const t of complete) isComplete[t] = 1;
  for (let l = 1; l <= lags; l++) {
    const c = new Float64Array(K * K);
    let sum = 0;
    for (const t of complete) {
      if (t - l < 0 || !isComplete[t - l]) continue;
      sum += weights[t];
      for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) c[a * K + b] += weights[t] * (d(t - l, a) * d(t, b));
    }
    if (sum === 0) continue;
    const bartlett = 1 - l / (lags + 1);
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) out[a * K + b] += bartlett * (c[a * K + b] / sum + c[b * K + a] / sum);
  }
  return out;
}

function specificRisk(residuals: Float64Array, rows: number, cols: number, weights: Float64Array): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < cols; i++) {
    let num = 0;
    let den = 0;
    for (let t = 0; t < rows; t++) {
      const e = residuals[t * cols + i];
      if (!finite(e)) continue;
      num += weights[t] * (e * e);
      den += weights[t];
    }
    out[i] = den > 0 ? num / den : NaN;
  }
  return out;
}

function riskDecomposition(
  X: Float64Array,
  N: number,
  K: number,
  cov: Float64Array,
  specificVar: Float64Array,
  weights: Float64Array,
  P: number,
): Float64Array {
  checkWeights(weights, N);
  const { out, views: o } = allocateOutputs(FACTOR_KERNELS.riskDecomposition, X, N, K, cov, specificVar, weights, P);
  for (let p = 0; p < P; p++) {
    const w = weights.subarray(p * N, (p + 1) * N);
    const x = new Float64Array(K);
    let specific = 0;
    for (let i = 0; i < N; i++) {
      if (w[i] === 0) continue;
      for (let k = 0; k < K; k++) x[k] += w[i] * X[i * K + k];
      specific += w[i] * w[i] * specificVar[i];
    }
    let factor = 0;
    for (let k = 0; k < K; k++) {
      let v = 0;
      for (let j = 0; j < K; j++) v += cov[k * K + j] * x[j];
      const c = x[k] * v;
      o.contributions[p * K + k] = c;
      o.exposures[p * K + k] = x[k];
      factor += c;
    }
    o.total[p] = factor + specific;
    o.factor[p] = factor;
    o.specific[p] = specific;
  }
  return out;
}

export const referenceFactorModel = { factorCovariance, specificRisk, riskDecomposition };
