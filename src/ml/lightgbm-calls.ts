/**
 * How a LightGBM Model (model.ts) reaches its kernels: the model prepared once on the backend where it
 * prepares models (native: Kernels.lightgbmPrepare, checked once and walked with no check per call),
 * else the packed kernels on each call (the reference: lightgbmPredict, lightgbmContributions). The
 * same results either way (test/ml/prepared.test.ts).
 */
import type { Kernels } from '../api/kernels.js';
import type { Matrix } from '../kernels/matrix.js';
import { H } from '../kernels/ml/ml.js';

/** The kernels of one packed model; X of the model's width (the caller checks it), iterations in [1, the model's]. */
export interface LightGbmCalls {
  /** Predictions, rows x classes. */
  predict(x: Matrix, raw: boolean, iterations: number): Matrix;
  predictAsync(x: Matrix, raw: boolean, iterations: number): Promise<Matrix>;
  /** SHAP values, rows x classes (features + 1). */
  contributions(x: Matrix, iterations: number): Matrix;
  /**
   * One row's predictions with every iteration (a row of the model's width): a number for a model of one
   * output, else a new Float64Array of the classes. Only on a prepared model: nothing allocated for one output.
   */
  one?(row: Float64Array): number | Float64Array;
}

/** The calls of `packed` (packLightGbm()) on `k`. */
export function lightGbmCalls(packed: Float64Array, k: Kernels): LightGbmCalls {
  const prepared = k.lightgbmPrepare(packed);
  if (!prepared) {
    return {
      predict: (x, raw, iterations) => k.lightgbmPredict(packed, x, { raw, iterations }),
      predictAsync: (x, raw, iterations) => k.lightgbmPredictAsync(packed, x, { raw, iterations }),
      contributions: (x, iterations) => k.lightgbmContributions(packed, x, { iterations }),
    };
  }
  const K = packed[H.treesPerIteration];
  const F = packed[H.features];
  const width = K * (F + 1);
  // one row's output, written by the addon at each call (its own buffer: off the heap, not moved at each call)
  const scratch = new Float64Array(new ArrayBuffer(8 * K));
  return {
    predict(x, raw, iterations) {
      const out = new Float64Array(x.rows * K);
      prepared.predict(x.data, x.rows, x.cols, iterations, raw ? 1 : 0, out);
      return { data: out, rows: x.rows, cols: K };
    },
    async predictAsync(x, raw, iterations) {
      const out = new Float64Array(x.rows * K);
      await prepared.predictAsync(x.data, x.rows, x.cols, iterations, raw ? 1 : 0, out);
      return { data: out, rows: x.rows, cols: K };
    },
    contributions(x, iterations) {
      const out = new Float64Array(x.rows * width);
      prepared.contributions(x.data, x.rows, x.cols, iterations, out);
      return { data: out, rows: x.rows, cols: width };
    },
    one(row) {
      prepared.predict(row, 1, F, 0, 0, scratch);
      return K === 1 ? scratch[0] : scratch.slice();
    },
  };
}
