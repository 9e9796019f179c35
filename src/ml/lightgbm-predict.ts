/**
 * LightGBM's prediction (its C++ Tree::Predict, GBDT::PredictRaw and the objectives' ConvertOutput) over
 * a model of ./lightgbm-text.ts: the reference the native evaluator matches. A row's raw score per class
 * is the sum, iteration by iteration, of its trees' leaf values; predictions are the raw scores through
 * the objective (binary: 1 / (1 + exp(-sigmoid x)); multiclass: softmax less the max; multiclassova: each
 * class's sigmoid; poisson, gamma, tweedie: exp; the other regressions: as is). LightGBM's input rules: |x| <= 1e-35 (its kZeroThreshold, a float)
 * is 0; a numerical split sends NaN to 0 unless its missing type is NaN, sends the missing value (0 for
 * Zero, NaN for NaN) to its default side, else x <= threshold goes left; a categorical split sends NaN,
 * a negative category (truncated toward zero) and one past 2^31 right, a category in its bitset left.
 */
import type { LightGbmModel } from './lightgbm-text.js';

/** LightGBM's kZeroThreshold: 1e-35f as a double. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/** The child (a node, or ~leaf) node n (model-wide) of tree t sends value v to (LightGBM's Tree::Decision). */
export function decide(m: LightGbmModel, t: number, n: number, value: number): number {
  let v = value <= ZERO_THRESHOLD && value >= -ZERO_THRESHOLD ? 0 : value;
  const type = m.decisionType[n];
  if ((type & 1) !== 0) {
    // categorical: the category (truncated toward zero) in the split's bitset goes left
    if (Number.isNaN(v) || v <= -1 || v >= 2147483648) return m.right[n];
    const cat = Math.trunc(v);
    const idx = m.catStart[t] + m.threshold[n];
    const from = m.catBoundaries[idx];
    const word = cat >>> 5;
    const left = word < m.catBoundaries[idx + 1] - from && ((m.catThreshold[from + word] >>> (cat & 31)) & 1) === 1;
    return left ? m.left[n] : m.right[n];
  }
  const missing = (type >> 2) & 3;
  if (Number.isNaN(v) && missing !== 2) v = 0;
  if ((missing === 1 && v === 0) || (missing === 2 && Number.isNaN(v))) return (type & 2) !== 0 ? m.left[n] : m.right[n];
  return v <= m.threshold[n] ? m.left[n] : m.right[n];
}

/** The leaf (model-wide index) tree `t` takes for row x (a row's values from x[at]). */
export function leafOf(m: LightGbmModel, t: number, x: Float64Array, at: number): number {
  if (m.numLeaves[t] === 1) return m.leafStart[t];
  const base = m.nodeStart[t];
  let node = 0;
  while (node >= 0) node = decide(m, t, base + node, x[at + m.splitFeature[base + node]]);
  return m.leafStart[t] + ~node;
}

/** The raw scores of `rows` rows of x (rows x features, row-major) over the first `iterations` iterations, into out (rows x classes). */
export function predictRaw(m: LightGbmModel, x: Float64Array, rows: number, iterations: number, out: Float64Array): void {
  const F = m.features.length;
  const K = m.treesPerIteration;
  for (let r = 0; r < rows; r++) {
    const at = r * F;
    for (let k = 0; k < K; k++) out[r * K + k] = 0;
    for (let i = 0; i < iterations; i++) {
      for (let k = 0; k < K; k++) out[r * K + k] += m.leafValue[leafOf(m, i * K + k, x, at)];
    }
    if (m.averageOutput && iterations > 0) for (let k = 0; k < K; k++) out[r * K + k] /= iterations;
  }
}

/** Raw scores (rows x classes, in place) through the model's objective. */
export function convertOutput(m: LightGbmModel, out: Float64Array, rows: number): void {
  const o = m.objective;
  const K = m.treesPerIteration;
  if (o.kind === 'exp') {
    for (let i = 0; i < rows * K; i++) out[i] = Math.exp(out[i]);
  } else if (o.kind === 'binary' || o.kind === 'multiclassova') {
    for (let i = 0; i < rows * K; i++) out[i] = 1 / (1 + Math.exp(-o.sigmoid * out[i]));
  } else if (o.kind === 'multiclass') {
    for (let r = 0; r < rows; r++) {
      let max = out[r * K];
      for (let k = 1; k < K; k++) max = Math.max(out[r * K + k], max);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        out[r * K + k] = Math.exp(out[r * K + k] - max);
        sum += out[r * K + k];
      }
      for (let k = 0; k < K; k++) out[r * K + k] /= sum;
    }
  }
}
