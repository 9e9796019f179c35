/**
 * Reference implementation of the labeling family: plain TypeScript, the oracle the parity suite holds
 * the native backend to (native/kernels/labeling/ follows it operation for operation).
 */
import { fracDiffWeights, type LabelingFamily } from '../../../kernels/labeling/labeling.js';
import {
  referenceCusumFilter,
  referenceDailyVolatility,
  referenceFixedHorizonLabels,
  referenceTrendScanningLabels,
  referenceTripleBarrier,
  referenceVerticalBarriers,
} from './events.js';
import { referenceFracDiff } from './fracdiff.js';
import { referencePurgedKFold } from './folds.js';
import {
  referenceAverageUniqueness,
  referenceConcurrentEvents,
  referenceIndicatorMatrix,
  referenceReturnWeights,
  referenceSequentialBootstrap,
  referenceTimeDecayWeights,
} from './weights.js';

/** The reference labeling family, in the shape every backend implements. */
export const referenceLabeling: LabelingFamily = {
  cusumFilter: referenceCusumFilter,
  dailyVolatility: referenceDailyVolatility,
  verticalBarriers: referenceVerticalBarriers,
  tripleBarrier: referenceTripleBarrier,
  trendScanningLabels: referenceTrendScanningLabels,
  fixedHorizonLabels: referenceFixedHorizonLabels,
  concurrentEvents: referenceConcurrentEvents,
  averageUniqueness: referenceAverageUniqueness,
  returnWeights: referenceReturnWeights,
  timeDecayWeights: referenceTimeDecayWeights,
  fracDiffWeights,
  fracDiff: referenceFracDiff,
  purgedKFold: referencePurgedKFold,
  combinatorialPurgedKFold: referencePurgedKFold,
  indicatorMatrix: referenceIndicatorMatrix,
  sequentialBootstrap: referenceSequentialBootstrap,
};
