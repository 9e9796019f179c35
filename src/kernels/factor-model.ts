/**
 * The factor risk model beyond toraniko (types, defaults, validation): factor covariance, specific
 * risk, exposures and the portfolio risk decomposition. Conventions follow Barra's USE4 methodology:
 * exponentially weighted moments with the weighted mean removed, an optional Newey-West correction
 * with Bartlett weights, specific variance as the weighted mean square of the residuals. Everything is
 * per period (per date of the panel): annualise by the periods per year.
 */
import { KernelInputError } from '../errors.js';
import { expWeights, requirePanels } from './factor.js';
import { requireCovariance, requireMatrix, type Matrix } from './risk.js';
import { describeValue, requireFloat64Array } from './validate.js';

/** Options of `factorCovariance()`. */
export interface FactorCovarianceOptions {
  /** Half-life of the weights in dates, > 0 (the latest date weighs 1). Default 90. */
  halfLife?: number;
  /** Newey-West lags L (Bartlett weights 1 - l / (L + 1)), an integer >= 0. Default 0 (none). */
  neweyWestLags?: number;
}

/** Options of `specificRisk()`. */
export interface SpecificRiskOptions {
  /** Half-life of the weights in dates, > 0. Default 90. */
  halfLife?: number;
}

export const FACTOR_MODEL_DEFAULTS = { halfLife: 90, neweyWestLags: 0 } as const;

/** A half-life option: a finite number > 0. */
function requireHalfLife(value: unknown): number {
  const h = value ?? FACTOR_MODEL_DEFAULTS.halfLife;
  if (typeof h !== 'number' || !(h > 0 && h < Infinity))
    throw new KernelInputError('options.halfLife', 'a finite number > 0', describeValue(h));
  return h;
}

/** The date weights (expWeights over the panel's rows, the latest 1) and the lags of `factorCovariance()`. */
export function resolveFactorCovarianceOptions(
  rows: number,
  options: FactorCovarianceOptions | undefined,
): { weights: Float64Array; lags: number } {
  const halfLife = requireHalfLife(options?.halfLife);
  const lags = options?.neweyWestLags ?? FACTOR_MODEL_DEFAULTS.neweyWestLags;
  if (typeof lags !== 'number' || !Number.isInteger(lags) || lags < 0 || lags > 10_000) {
    throw new KernelInputError('options.neweyWestLags', 'an integer in [0, 10000]', describeValue(lags));
  }
  return { weights: rows > 0 ? expWeights(rows, halfLife) : new Float64Array(0), lags };
}

/** The date weights of `specificRisk()`. */
export function resolveSpecificRiskOptions(rows: number, options: SpecificRiskOptions | undefined): Float64Array {
  const halfLife = requireHalfLife(options?.halfLife);
  return rows > 0 ? expWeights(rows, halfLife) : new Float64Array(0);
}

/** The inputs of `riskDecomposition()`: a model of N assets and K factors. */
export interface FactorRiskModel {
  /** N x K exposures of one date (`factorExposures()`). */
  exposures: Matrix;
  /** K x K factor covariance (`factorCovariance()`). */
  factorCov: Matrix;
  /** N specific variances (`specificRisk()`). */
  specificVar: Float64Array;
}

/** Per portfolio, its variance split into factor and specific parts. */
export interface RiskDecomposition {
  /** Total variance x'Fx + sum w_i^2 s_i (P values). */
  total: Float64Array;
  /** Factor variance x'Fx, x = X'w. */
  factor: Float64Array;
  /** Specific variance sum w_i^2 s_i. */
  specific: Float64Array;
  /** P x K: x_k (F x)_k, each row summing to its factor variance (Euler). */
  contributions: Matrix;
  /** P x K: the portfolio's factor exposures x = X'w. */
  exposures: Matrix;
}

/** Checks a risk model (KernelInputError naming the part): shapes agree, cov square, symmetric, finite, specific variances finite and >= 0. */
export function requireFactorRiskModel(model: unknown): asserts model is FactorRiskModel {
  if (typeof model !== 'object' || model === null)
    throw new KernelInputError('model', '{ exposures, factorCov, specificVar }', describeValue(model));
  const { exposures, factorCov, specificVar } = model as FactorRiskModel;
  requireMatrix(exposures, 'model.exposures');
  requireCovariance(factorCov, 'model.factorCov');
  requireFloat64Array(specificVar, 'model.specificVar');
  if (factorCov.cols !== exposures.cols)
    throw new KernelInputError(
      'model.factorCov',
      `${exposures.cols} x ${exposures.cols} (the factors of model.exposures)`,
      `${factorCov.rows} x ${factorCov.cols}`,
    );
  if (specificVar.length !== exposures.rows)
    throw new KernelInputError('model.specificVar', `${exposures.rows} values (the assets of model.exposures)`, `${specificVar.length}`);
  const bad = specificVar.findIndex((v) => !(v >= 0 && v < Infinity));
  if (bad >= 0) throw new KernelInputError('model.specificVar', 'finite variances >= 0', `[${bad}] = ${specificVar[bad]}`);
}

/** The exposures of a date range: dates x assets x factors, row-major (one date: an N x K matrix). */
export interface Exposures {
  data: Float64Array;
  dates: number;
  assets: number;
  factors: number;
  names: string[];
}

/**
 * The exposure cube of dates [from, to) of a factor model's inputs: market 1, sector one-hot, the
 * style scores (names as in factorReturns()), dates x assets x factors. An asset with a missing sector
 * code on a date gets NaN sector exposures there; missing styles stay NaN. Default: the latest date.
 * A reshape, not a kernel: the same on every backend.
 */
export function factorExposures(
  inputs: { sectors: Int32Array | Matrix; styles: Record<string, Matrix> | Matrix[]; sectorNames?: string[] },
  options: { from?: number; to?: number } = {},
): Exposures {
  if (typeof inputs !== 'object' || inputs === null) throw new KernelInputError('inputs', '{ sectors, styles }', describeValue(inputs));
  const styleEntries: [string, Matrix][] = Array.isArray(inputs.styles)
    ? inputs.styles.map((m, k): [string, Matrix] => [`style ${k}`, m])
    : Object.entries(inputs.styles ?? {});
  const sectors = inputs.sectors;
  const panels = requirePanels([
    ...(sectors instanceof Int32Array ? [] : [[sectors, 'inputs.sectors'] as [unknown, string]]),
    ...styleEntries.map(([name, m]): [unknown, string] => [m, `inputs.styles.${name}`]),
  ]);
  const rows = panels[0]?.rows ?? 1;
  const N = sectors instanceof Int32Array ? sectors.length : (sectors as Matrix).cols;
  if (panels.length > 0 && panels[panels.length - 1].cols !== N)
    throw new KernelInputError('inputs.styles', `panels of ${N} assets (as inputs.sectors)`, `${panels[panels.length - 1].cols}`);
  const codeAt = (t: number, i: number) => (sectors instanceof Int32Array ? sectors[i] : (sectors as Matrix).data[t * N + i]);
  let largest = -1;
  for (let t = 0; t < rows; t++) for (let i = 0; i < N; i++) if (codeAt(t, i) > largest) largest = codeAt(t, i);
  const m = inputs.sectorNames?.length ?? Math.max(1, Math.floor(largest) + 1);
  const from = options.from ?? rows - 1;
  const to = options.to ?? from + 1;
  if (!Number.isInteger(from) || from < 0 || from >= rows)
    throw new KernelInputError('options.from', `an integer in [0, ${rows - 1}]`, describeValue(from));
  if (!Number.isInteger(to) || to <= from || to > rows)
    throw new KernelInputError('options.to', `an integer in [${from + 1}, ${rows}]`, describeValue(to));
  const K = 1 + m + styleEntries.length;
  const data = new Float64Array((to - from) * N * K);
  for (let t = from; t < to; t++) {
    for (let i = 0; i < N; i++) {
      const at = ((t - from) * N + i) * K;
      const code = codeAt(t, i);
      const known = Number.isInteger(code) && code >= 0 && code < m;
      data[at] = 1;
      for (let j = 0; j < m; j++) data[at + 1 + j] = known ? (j === code ? 1 : 0) : NaN;
      styleEntries.forEach(([, panel], k) => (data[at + 1 + m + k] = panel.data[t * N + i]));
    }
  }
  const sectorNames = inputs.sectorNames ?? Array.from({ length: m }, (_, j) => `sector ${j}`);
  return { data, dates: to - from, assets: N, factors: K, names: ['market', ...sectorNames, ...styleEntries.map(([n]) => n)] };
}
