/**
 * The kernel families and the kernels each one holds: the catalogue every backend registers against
 * (a backend implements some families, or some kernels of one) and that the dispatching API walks.
 * It is read off the families' descriptor tables (<family>-kernels.ts): adding a kernel to a family is
 * its descriptor there; adding a family is its spec module, one entry in `Families` and one in `FAMILY_SPECS`.
 */
import type { KernelSpec } from './descriptor.js';
import type { FamilyFault } from './fault-codes.js';
import { portfolioFault } from './portfolio/portfolio-faults.js';
import { vpinFault } from './vpin/vpin-faults.js';
import { labelingFault } from './labeling/labeling-faults.js';
import type { LabelingFamily } from './labeling/labeling.js';
import { LABELING_KERNELS } from './labeling/labeling-kernels.js';
import { marginFault } from './margin/margin-faults.js';
import type { MarginFamily } from './margin/margin.js';
import { MARGIN_KERNELS } from './margin/margin-kernels.js';
import { mlFault } from './ml/ml-faults.js';
import type { MlFamily } from './ml/ml.js';
import { ML_KERNELS } from './ml/ml-kernels.js';
import type { BacktestFamily } from './backtest/backtest.js';
import { BACKTEST_KERNELS } from './backtest/backtest-kernels.js';
import type { FactorFamily } from './factor/factor.js';
import type { FeaturesFamily } from './features/features.js';
import { FEATURES_KERNELS } from './features/features-kernels.js';
import { FACTOR_KERNELS } from './factor/factor-kernels.js';
import type { IndicatorsFamily } from './indicators/indicators.js';
import { INDICATORS_KERNELS } from './indicators/indicators-kernels.js';
import { SIGNAL_KERNELS } from './indicators/signals-kernels.js';
import type { PortfolioFamily } from './portfolio/portfolio.js';
import { PORTFOLIO_KERNELS } from './portfolio/portfolio-kernels.js';
import type { RiskFamily } from './risk/risk.js';
import { RISK_KERNELS } from './risk/risk-kernels.js';
import { SPECIAL_KERNELS, type SpecialFamily } from './special/special-family.js';
import type { VolatilityFamily } from './volatility/volatility.js';
import { VOLATILITY_KERNELS } from './volatility/volatility-kernels.js';
import type { VpinFamily } from './vpin/vpin.js';
import { VPIN_KERNELS } from './vpin/vpin-kernels.js';

/** What a backend implementing all of a family provides, per family. */
export interface Families {
  vpin: VpinFamily;
  special: SpecialFamily;
  risk: RiskFamily;
  factor: FactorFamily;
  portfolio: PortfolioFamily;
  features: FeaturesFamily;
  indicators: IndicatorsFamily;
  backtest: BacktestFamily;
  volatility: VolatilityFamily;
  labeling: LabelingFamily;
  margin: MarginFamily;
  ml: MlFamily;
}

export type FamilyName = keyof Families;

/** The indicators family: TA-Lib's indicators, then the crossovers of their outputs. */
const INDICATORS_FAMILY = { ...INDICATORS_KERNELS, ...SIGNAL_KERNELS } as const;

/** Each family's descriptors, by kernel, in documentation order. */
export const FAMILY_SPECS = {
  vpin: VPIN_KERNELS,
  special: SPECIAL_KERNELS,
  risk: RISK_KERNELS,
  factor: FACTOR_KERNELS,
  portfolio: PORTFOLIO_KERNELS,
  features: FEATURES_KERNELS,
  indicators: INDICATORS_FAMILY,
  backtest: BACKTEST_KERNELS,
  volatility: VOLATILITY_KERNELS,
  labeling: LABELING_KERNELS,
  margin: MARGIN_KERNELS,
  ml: ML_KERNELS,
} as const;

type KernelsOf<F extends FamilyName> = keyof (typeof FAMILY_SPECS)[F] & string;

/** The keys of an object, typed. */
const keysOf = <T extends object>(o: T) => Object.keys(o) as (keyof T & string)[];

/** The kernels of each family, in documentation order. */
export const FAMILY_KERNELS: { readonly [F in FamilyName]: readonly KernelsOf<F>[] } = {
  vpin: keysOf(VPIN_KERNELS),
  special: keysOf(SPECIAL_KERNELS),
  risk: keysOf(RISK_KERNELS),
  factor: keysOf(FACTOR_KERNELS),
  portfolio: keysOf(PORTFOLIO_KERNELS),
  features: keysOf(FEATURES_KERNELS),
  indicators: keysOf(INDICATORS_FAMILY),
  backtest: keysOf(BACKTEST_KERNELS),
  volatility: keysOf(VOLATILITY_KERNELS),
  labeling: keysOf(LABELING_KERNELS),
  margin: keysOf(MARGIN_KERNELS),
  ml: keysOf(ML_KERNELS),
};

export type KernelName = { [F in FamilyName]: KernelsOf<F> }[FamilyName];

/** The family of each kernel. */
export const KERNEL_FAMILY = Object.fromEntries(
  Object.entries(FAMILY_KERNELS).flatMap(([family, names]) => names.map((name) => [name, family])),
) as Record<KernelName, FamilyName>;

/** Every kernel's descriptor by name. */
export const KERNEL_SPECS = Object.assign({}, ...Object.values(FAMILY_SPECS)) as Record<KernelName, KernelSpec>;

/** The families' own fault messages, each asked in turn for a code faults.ts does not word itself. */
export const FAMILY_FAULTS: readonly FamilyFault[] = [vpinFault, portfolioFault, labelingFault, marginFault, mlFault];
