/**
 * The ml family's prepared model on the addon (native/binding/ml_binding.cc, native/kernels/ml/
 * prepared.hpp): the packed model checked and laid out once into memory the addon owns (freed when the
 * handle is collected), then each call checks its arguments only. A call sets the addon's threads to
 * the model's first (useThreads: nothing when they are already set).
 */
import type { MlFamily, PreparedLightGbm } from '../../kernels/ml/ml.js';
import { type NativeBinding, useThreads } from './binding.js';

/** MlFamily.lightgbmPrepare over the addon `b`. */
export function nativeLightgbmPrepare(b: NativeBinding): NonNullable<MlFamily['lightgbmPrepare']> {
  return (model, threads): PreparedLightGbm => {
    const handle = b.mlPrepare(model);
    return {
      predict(x, rows, cols, iterations, raw, out) {
        useThreads(b, threads);
        b.mlPredictPrepared(handle, x, rows, cols, iterations, raw, out);
      },
      predictAsync(x, rows, cols, iterations, raw, out) {
        useThreads(b, threads);
        return b.mlPredictPreparedAsync(handle, x, rows, cols, iterations, raw, out);
      },
      contributions(x, rows, cols, iterations, out) {
        useThreads(b, threads);
        b.mlContributionsPrepared(handle, x, rows, cols, iterations, out);
      },
      contributionsAsync(x, rows, cols, iterations, out) {
        useThreads(b, threads);
        return b.mlContributionsPreparedAsync(handle, x, rows, cols, iterations, out);
      },
    };
  };
}
