/**
 * Fixed-width fractional differences (reference): mlfinlab's frac_diff_ffd per column. The dot product
 * of the weights and the window is src/math's interleavedDot (four interleaved sums), which
 * native/kernels/labeling/frac_diff.cpp computes in its vector lanes: both backends give the same bits.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { interleavedDot } from '../../../math/interleaved-dot.js';
import { fracDiffWeights } from '../../../kernels/labeling/labeling.js';
import { LABELING_KERNELS } from '../../../kernels/labeling/labeling-kernels.js';
import { valueError, ValueFault } from './checks.js';

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
    for (let r = 0; r < rows; r++) out[r * cols + c] = r < width ? NaN : interleavedDot(w, 0, column, r - width, w.length);
  }
  return out;
}
