/**
 * Reference implementation of the features family: plain TypeScript, the oracle the parity suite
 * holds the native backend to (native/kernels/features/ follows it operation for operation).
 */
import type { BarParams, Bars, FeaturesFamily } from '../../../kernels/features/features.js';
import { BarBuilder } from './bar-builder.js';
import { referenceImbalanceBars, referenceRunBars } from './information-bars.js';

/** mlfinlab's StandardBars._extract_bars: the bar closes at the trade whose sum reaches the threshold. */
function referenceBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: BarParams): Bars {
  const bars = new BarBuilder();
  for (let i = 0; i < ts.length; i++) {
    bars.add(i, ts[i], price[i], volume[i]);
    const sum = params.by === 0 ? bars.ticks : params.by === 1 ? bars.volume : bars.dollarValue;
    if (sum >= params.threshold) bars.close(i, ts[i], price[i]);
  }
  return bars.bars();
}

/** The reference features family, in the shape every backend implements. */
export const referenceFeatures: FeaturesFamily = {
  bars: referenceBars,
  imbalanceBars: referenceImbalanceBars,
  runBars: referenceRunBars,
};
