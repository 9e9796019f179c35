/**
 * Fixed-width fractional differences (reference): mlfinlab's frac_diff_ffd per column. The dot product
 * of the weights and the window runs in four interleaved sums, weight k in sum k mod 4, added as
 * (s0 + s1) + (s2 + s3): the order native/kernels/labeling/frac_diff.cpp computes (its vector lanes),
 * so that both backends give the same bits.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { fracDiffWeights } from '../../../kernels/labeling/labeling.js';
import { LABELING_KERNELS } from '../../../kernels/labeling/labeling-kernels.js';
import { valueError, ValueFault } from './checks.js';

/** sum over k < w.length of w[k] x[from + k], in the four sums' order. */
export function weightedWindow(w: Float64Array, x: Float64Array, from: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = w.length;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += w[k] * x[from + k];
    s1 += w[k + 1] * x[from + k + 1];
    s2 += w[k + 2] * x[from + k + 2];
    s3 += w[k + 3] * x[from + k + 3];
  }
  if (k < n) s0 += w[k] * x[from + k];
  if (k + 1 < n) s1 += w[k + 1] * x[from + k + 1];
  if (k + 2 < n) s2 += w[k + 2] * x[from + k + 2];
  return s0 + s1 + (s2 + s3);
}

export function referenceFracDiff(x: Float64Array, rows: number, cols: number, d: number, threshold: number): Float64Array {
  for (let i = 0; i < x.length; i++) if (x[i] === Infinity || x[i] === -Infinity) throw valueError(ValueFault.X_INFINITE, i, x[i]);
  if (rows > 0) for (let c = 0; c < cols; c++) if (x[c] !== x[c]) throw valueError(ValueFault.LEADING_NAN, c, NaN);
  const { out } = allocateOutputs(LABELING_KERNELS.fracDiff, x, rows, cols, d, threshold);
  const w = fracDiffWeights(d, threshold, Math.max(rows, 1));
  const width = w.length - 1;
  const column = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    // pandas' ffill: a NaN takes the value before it
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + c];
      column[r] = v === v ? v : column[r - 1];
    }
    for (let r = 0; r < rows; r++) out[r * cols + c] = r < width ? NaN : weightedWindow(w, column, r - width);
  }
  return out;
}
