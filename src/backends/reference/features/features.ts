/**
 * Reference implementation of the features family: plain TypeScript, the oracle the parity suite
 * holds the native backend to (native/kernels/features/ follows it operation for operation).
 */
import type { BarParams, Bars, FeaturesFamily } from '../../../kernels/features/features.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { BarBuilder } from './bar-builder.js';
import { referenceEstimators } from './estimators.js';
import { referenceHar } from './har.js';
import { referenceImbalanceBars, referenceRunBars } from './information-bars.js';
import {
  referenceBipowerVariation,
  referenceMedRv,
  referenceMinRv,
  referenceRealizedKernel,
  referenceRealizedSemivariance,
  referenceRealizedVariance,
  referenceTwoScaleRv,
} from './realized.js';

/** mlfinlab's StandardBars._extract_bars: the bar closes at the trade whose sum reaches the threshold. */
function referenceBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: BarParams): Bars {
  if (params.by === 3) return referenceTimeBars(ts, price, volume, params.threshold);
  const bars = new BarBuilder();
  for (let i = 0; i < ts.length; i++) {
    bars.add(i, ts[i], price[i], volume[i]);
    const sum = params.by === 0 ? bars.ticks : params.by === 1 ? bars.volume : bars.dollarValue;
    if (sum >= params.threshold) bars.close(i, ts[i], price[i]);
  }
  return bars.bars();
}

/**
 * mlfinlab's TimeBars._extract_bars: a trade past the open bar's end, (floor(ts / barMs) + 1) barMs,
 * closes it (labelled by that end, its tickNum that trade's position) before it opens the next.
 */
function referenceTimeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): Bars {
  const bars = new BarBuilder();
  let end = NaN;
  let close = NaN;
  for (let i = 0; i < ts.length; i++) {
    const sign = bars.check(i, ts[i], price[i], volume[i]);
    const boundary = (Math.floor(ts[i] / barMs) + 1) * barMs;
    if (!Number.isFinite(boundary)) throw inputFault(Fault.TS_BAR_OUT_OF_RANGE, i, ts[i], barMs);
    if (Number.isNaN(end)) end = boundary;
    else if (end < boundary) {
      bars.close(i, end, close);
      end = boundary;
    }
    bars.accumulate(price[i], volume[i], sign);
    close = price[i];
  }
  return bars.bars();
}

/** The reference features family, in the shape every backend implements. */
export const referenceFeatures: FeaturesFamily = {
  bars: referenceBars,
  imbalanceBars: referenceImbalanceBars,
  runBars: referenceRunBars,
  realizedVariance: referenceRealizedVariance,
  bipowerVariation: referenceBipowerVariation,
  medRV: referenceMedRv,
  minRV: referenceMinRv,
  realizedSemivariance: referenceRealizedSemivariance,
  twoScaleRV: referenceTwoScaleRv,
  realizedKernel: referenceRealizedKernel,
  har: referenceHar,
  ...referenceEstimators,
};
