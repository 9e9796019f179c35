/**
 * Reference implementation of the features family: plain TypeScript, the oracle the parity suite
 * holds the native backend to (native/kernels/features/ follows it operation for operation). Each bar
 * kind is a resumable state machine (a BarMaker), which barStream() also runs.
 */
import type { BarParams, FeaturesFamily, InformationBarParams } from '../../../kernels/features/features.js';
import { type BarMaker, makeBars } from './bar-builder.js';
import { referenceEstimators } from './estimators.js';
import { referenceHar } from './har.js';
import { ImbalanceBarMaker, RunBarMaker } from './information-bars.js';
import {
  referenceBipowerVariation,
  referenceMedRv,
  referenceMinRv,
  referenceRealizedKernel,
  referenceRealizedSemivariance,
  referenceRealizedVariance,
  referenceTwoScaleRv,
} from './realized.js';
import { StandardBarMaker, TimeBarMaker } from './standard-bars.js';

/** The state machine of `bars()` with these parameters (time bars for by 'time', code 3). */
export const barMaker = (p: BarParams): BarMaker => (p.by === 3 ? new TimeBarMaker(p.threshold) : new StandardBarMaker(p));

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
