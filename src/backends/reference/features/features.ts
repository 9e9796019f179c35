/**
 * Reference implementation of the features family: plain TypeScript, the oracle the parity suite
 * holds the native backend to (native/kernels/features/ follows it operation for operation). Each bar
 * kind is a resumable state machine of src/simulation/ (a BarMaker), which barStream() and the strategy
 * layer also run.
 */
import type { FeaturesFamily, InformationBarParams } from '../../../kernels/features/features.js';
import { makeBars } from '../../../simulation/bar-builder.js';
import { referenceEstimators } from './estimators.js';
import { referenceHar } from './har.js';
import { ImbalanceBarMaker, RunBarMaker } from '../../../simulation/information-bars.js';
import {
  referenceBipowerVariation,
  referenceMedRv,
  referenceMinRv,
  referenceRealizedKernel,
  referenceRealizedSemivariance,
  referenceRealizedVariance,
  referenceTwoScaleRv,
} from './realized.js';
import { barMaker } from '../../../simulation/standard-bars.js';

/** The reference features family, in the shape every backend implements. */
export const referenceFeatures: FeaturesFamily = {
  bars: (ts, price, volume, p) => makeBars(barMaker(p), ts, price, volume),
  imbalanceBars: (ts, price, volume, p: InformationBarParams) => makeBars(new ImbalanceBarMaker(p), ts, price, volume),
  runBars: (ts, price, volume, p: InformationBarParams) => makeBars(new RunBarMaker(p), ts, price, volume),
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
