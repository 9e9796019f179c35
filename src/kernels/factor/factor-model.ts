/**
 * The factor risk model beyond toraniko (types, defaults, validation): factor covariance, specific
 * risk, exposures and the portfolio risk decomposition. Conventions follow Barra's USE4 methodology:
 * exponentially weighted moments with the weighted mean removed, an optional Newey-West correction
 * with Bartlett weights, specific variance as the weighted mean square of the residuals. Everything is
 * per period (per date of the panel): annualise by the periods per year.
 *
 * `factorRiskModelWith(kernels, inputs, fit)` chains the family: factorReturns()' inputs and result
 * in, the labelled FactorRiskModel that riskDecomposition() takes out (the API binds it to its kernels
 * as `factorRiskModel(inputs, fit, options)`).
 */
import { KernelInputError } from '../../errors.js';
import { requireKnownOptions } from '../descriptor.js';
import { expWeights, FACTOR_PARAMS, requirePanels, type FactorInputs, type FactorReturnsResult } from './factor.js';
import type { Vector } from '../labels.js';
import { checkParam } from '../param-rules.js';
import { requireCovariance, requireMatrix, type Matrix } from '../matrix.js';
import { describeValue, requireFloat64Array, optionsObject } from '../validate.js';

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
  const lags = checkParam(FACTOR_PARAMS.lags, options?.neweyWestLags ?? FACTOR_MODEL_DEFAULTS.neweyWestLags);
  return { weights: rows > 0 ? expWeights(rows, halfLife) : new Float64Array(0), lags };
}

/** The date weights of `specificRisk()`. */
export function resolveSpecificRiskOptions(rows: number, options: SpecificRiskOptions | undefined): Float64Array {
  const halfLife = requireHalfLife(options?.halfLife);
  return rows > 0 ? expWeights(rows, halfLife) : new Float64Array(0);
}

/**
 * The inputs of `riskDecomposition()`: a model of N assets and K factors. `factorRiskModel()`
 * (factorRiskModelWith) builds one from factorReturns()' inputs and result, labelled; one built by hand may carry labels too
 * (exposures' `columns`: the factor names riskDecomposition labels its per-factor outputs with).
 */
export interface FactorRiskModel {
  /** N x K exposures of one date (`factorExposures()`); `index` the assets, `columns` the factor names. */
  exposures: Matrix;
  /** K x K factor covariance (`factorCovariance()`), labelled by the factor names. */
  factorCov: Matrix;
  /** N specific variances (`specificRisk()`), labelled by the assets. */
  specificVar: Float64Array;
}

/**
 * Per portfolio, its variance split into factor and specific parts: for P x N weights (the defaults)
 * Vectors of P and P x K matrices; for one portfolio (weights a Float64Array) numbers and Vectors of K
 * (RiskDecompositionOf). Per-factor outputs carry the model's factor names, per-portfolio ones the
 * weights' index.
 */
export interface RiskDecomposition<V extends number | Float64Array = Vector, C extends Float64Array | Matrix = Matrix> {
  /** Total variance x'Fx + sum w_i^2 s_i. */
  total: V;
  /** Factor variance x'Fx, x = X'w. */
  factor: V;
  /** Specific variance sum w_i^2 s_i. */
  specific: V;
  /** Per factor x_k (F x)_k, summing to the factor variance (Euler): K values, or P x K. */
  contributions: C;
  /** The portfolio's factor exposures x = X'w: K values, or P x K. */
  exposures: C;
}

/** riskDecomposition's result for weights of type W: one portfolio's numbers and Vectors of K, or P portfolios'. */
export type RiskDecompositionOf<W> = W extends Float64Array ? RiskDecomposition<number, Vector> : RiskDecomposition;

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

/** Options of `factorRiskModel()`: those of the two kernels it runs, passed through as they are. */
export interface FactorRiskModelOptions {
  /** `factorCovariance()`'s options for the factor covariance (halfLife, neweyWestLags). */
  factorCovariance?: FactorCovarianceOptions;
  /** `specificRisk()`'s options for the specific variances (halfLife). */
  specificRisk?: SpecificRiskOptions;
}

/**
 * The kernels `factorRiskModel()` runs: any object that has them, such as `kernels({ backend })` or
 * the `kernelbus/kernels` module itself (the default backend choice).
 */
export interface FactorModelKernels {
  factorCovariance(factorReturns: Matrix, options?: FactorCovarianceOptions): Matrix;
  specificRisk(residuals: Matrix, options?: SpecificRiskOptions): Float64Array;
}

/** The promise variants of FactorModelKernels (`factorRiskModelWithAsync`). */
export interface FactorModelAsyncKernels {
  factorCovarianceAsync(factorReturns: Matrix, options?: FactorCovarianceOptions): Promise<Matrix>;
  specificRiskAsync(residuals: Matrix, options?: SpecificRiskOptions): Promise<Float64Array>;
}

/** `factorRiskModel()` bound to one set of kernels (the API's form). */
export type FactorRiskModelFunction = (inputs: FactorInputs, fit: FactorReturnsResult, options?: FactorRiskModelOptions) => FactorRiskModel;

const FACTOR_RISK_MODEL_SPEC = { params: [], options: ['factorCovariance', 'specificRisk'] } as const;

/**
 * The options of `factorRiskModel()` and its model's exposures (the last date of `inputs`, an N x K
 * Matrix labelled by the assets and factor names), after checking that `fit` is factorReturns()' result
 * for `inputs` (KernelInputError naming the part that is not).
 */
function modelExposures(inputs: FactorInputs, fit: FactorReturnsResult, options: FactorRiskModelOptions | undefined): Matrix {
  options = optionsObject(options);
  requireKnownOptions(FACTOR_RISK_MODEL_SPEC, options);
  if (typeof fit !== 'object' || fit === null) {
    throw new KernelInputError('fit', 'a result of factorReturns() { factorReturns, residuals, names }', describeValue(fit));
  }
  requireMatrix(fit.factorReturns, 'fit.factorReturns');
  requireMatrix(fit.residuals, 'fit.residuals');
  const x = factorExposures(inputs);
  if (fit.factorReturns.cols !== x.factors) {
    throw new KernelInputError(
      'fit.factorReturns.cols',
      `${x.factors} (the factors of inputs: ${x.names.join(', ')})`,
      `${fit.factorReturns.cols}`,
    );
  }
  if (fit.residuals.cols !== x.assets) {
    throw new KernelInputError('fit.residuals.cols', `${x.assets} (the assets of inputs.sectors)`, `${fit.residuals.cols}`);
  }
  const names = fit.factorReturns.columns ?? x.names;
  const given = (inputs.returns as Partial<Matrix> | undefined)?.columns;
  const assets = given?.length === x.assets ? given : fit.residuals.columns;
  return { data: x.data, rows: x.assets, cols: x.factors, columns: names, ...(assets && { index: assets }) };
}

/**
 * The factor risk model of a fit, ready for `riskDecomposition(model, weights)`: factorReturns()'
 * `inputs` and its result `fit` in, the three parts a decomposition needs out, each labelled. A
 * composition of kernels (no kernel of its own): `k`'s factorCovariance and specificRisk, on whatever
 * backend `k` runs them, and factorExposures.
 *
 * - `exposures`: N x K, the last date's regressors of toraniko's `estimate_factor_returns` (its
 *   `_factor_returns`' design: the market column of ones, the sector one-hot columns, the style scores
 *   of `inputs.styles`), as `factorExposures(inputs)` gives them; `index` the assets
 *   (`inputs.returns.columns`, else the residuals'), `columns` the factor names (the columns of
 *   `fit.factorReturns`, else factorExposures' names: 'market', the sectors, the styles).
 * - `factorCov`: K x K, `factorCovariance(fit.factorReturns, options.factorCovariance)`: the EWMA
 *   covariance of estimate_factor_returns' factor returns with the weights of toraniko's `exp_weights`
 *   (Barra USE4's conventions; toraniko itself stops at the factor returns), labelled by the factor names.
 * - `specificVar`: N, `specificRisk(fit.residuals, options.specificRisk)`: per asset the EWMA mean
 *   square of estimate_factor_returns' residuals (exp_weights again), labelled by the assets.
 *
 * KernelInputError for unknown options, a fit of other shapes than `inputs` (its factor or asset count),
 * and whatever the two kernels reject.
 */
export function factorRiskModelWith(
  k: FactorModelKernels,
  inputs: FactorInputs,
  fit: FactorReturnsResult,
  options?: FactorRiskModelOptions,
): FactorRiskModel {
  const exposures = modelExposures(inputs, fit, options);
  return {
    exposures,
    factorCov: k.factorCovariance(fit.factorReturns, options?.factorCovariance),
    specificVar: k.specificRisk(fit.residuals, options?.specificRisk),
  };
}

/** `factorRiskModelWith()` over the promise variants of the kernels: the same model, as a promise (a check failing rejects). */
export async function factorRiskModelWithAsync(
  k: FactorModelAsyncKernels,
  inputs: FactorInputs,
  fit: FactorReturnsResult,
  options?: FactorRiskModelOptions,
): Promise<FactorRiskModel> {
  const exposures = modelExposures(inputs, fit, options);
  const [factorCov, specificVar] = await Promise.all([
    k.factorCovarianceAsync(fit.factorReturns, options?.factorCovariance),
    k.specificRiskAsync(fit.residuals, options?.specificRisk),
  ]);
  return { exposures, factorCov, specificVar };
}
