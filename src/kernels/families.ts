/**
 * The kernel families and the kernels each one holds: the catalogue every backend registers against
 * (a backend implements some families, or some kernels of one) and that the dispatching API walks.
 * Adding a family: its spec module, one entry in `Families` and one in `FAMILY_KERNELS`.
 */
import type { FactorFamily } from './factor.js';
import type { RiskFamily } from './risk.js';
import type { SpecialFamily } from './special-family.js';
import type { VpinFamily } from './vpin.js';

/** What a backend implementing all of a family provides, per family. */
export interface Families {
  vpin: VpinFamily;
  special: SpecialFamily;
  risk: RiskFamily;
  factor: FactorFamily;
}

export type FamilyName = keyof Families;

/** The kernels of each family, in documentation order. */
export const FAMILY_KERNELS = {
  vpin: ['timeBars', 'tickRule', 'bulkClassify', 'vpin', 'vpinStream'],
  special: ['normalCdf', 'normalSf', 'normalPdf', 'normalQuantile', 'studentTCdf', 'studentTQuantile'],
  risk: ['simpleReturns', 'logReturns', 'portfolioReturns', 'performanceStats', 'valueAtRisk', 'covariance', 'portfolioVolatility', 'componentVar', 'monteCarloVar', 'monteCarloScenarios'],
  factor: ['winsorize', 'standardize', 'momentum', 'size', 'value', 'factorReturns', 'factorCovariance', 'specificRisk', 'riskDecomposition'],
} as const satisfies { [F in FamilyName]: readonly (keyof Families[F])[] };

export type KernelName = (typeof FAMILY_KERNELS)[FamilyName][number];

/** The family of each kernel. */
export const KERNEL_FAMILY = Object.fromEntries(
  Object.entries(FAMILY_KERNELS).flatMap(([family, names]) => names.map((name) => [name, family])),
) as Record<KernelName, FamilyName>;
