/**
 * The equity factor-model family (toraniko's conventions, 0xfdf/toraniko): types, defaults and
 * validation, defined once for every backend. Panels are `Matrix` T x N (rows = dates, cols =
 * assets), NaN for a missing value; per-date (cross-sectional) operations use the non-NaN entries of
 * a row.
 */
import { KernelInputError } from '../../errors.js';
import { asPanel, type Matrix } from '../matrix.js';
import { checkParam, closed, closedOr, flag, int, option, param } from '../param-rules.js';
import { describeValue } from '../validate.js';

/** Options of `winsorize()`: the percentiles (in [0, 1]) each row is clipped to. */
export interface WinsorizeOptions {
  /** Default 0.05. */
  lower?: number;
  /** Default 0.95. */
  upper?: number;
}

/** Options of `momentum()` (toraniko's factor_mom). */
export interface MomentumOptions {
  /** Lagged returns in the product, an integer >= 1. Default 504. */
  window?: number;
  /** Half-life of the weights in rows, > 0. Default 126. */
  halfLife?: number;
  /** Rows the returns are lagged by, an integer >= 0. Default 20. */
  lag?: number;
  /** Scores clipped per date to this percentile and 1 - it, in [0, 0.5]. Default 0.01. */
  winsorize?: number;
}

/** Options of `size()` (toraniko's factor_sze). */
export interface SizeOptions {
  /** Scores strictly between the date's `lower` and `upper` quantiles become 0. Default 0.2. */
  lower?: number;
  /** Default 0.8. */
  upper?: number;
}

/** Options of `value()` (toraniko's factor_val). */
export interface ValueOptions {
  /** When a number p in [0, 0.5]: each ratio clipped per date to its p and 1 - p percentiles first. Default null (off). */
  winsorize?: number | null;
}

/** The inputs of `factorReturns()`: panels T x N of the same shape. */
export interface FactorInputs {
  /** Asset returns per date. */
  returns: Matrix;
  /** Market capitalisations (> 0; NaN missing): the regression weights are sqrt(cap). */
  marketCap: Matrix;
  /** Sector code 0..m-1 per asset (an Int32Array of N), or a T x N matrix of codes when assets change sector (NaN missing). */
  sectors: Int32Array | Matrix;
  /** The style score panels, in the order their factor returns are reported, by name or as a list. */
  styles: Record<string, Matrix> | Matrix[];
  /** Sector names (m of them; default: 'sector 0', ... up to the largest code). */
  sectorNames?: string[];
}

/** Options of `factorReturns()` (toraniko's estimate_factor_returns). */
export interface FactorReturnsOptions {
  /** Returns clipped per date to this percentile and 1 - it before the regressions; null: off. Default 0.05. */
  winsorize?: number | null;
  /** Styles regressed on the residuals of the market + sector regression (true) or on the returns. Default true. */
  residualizeStyles?: boolean;
}

/**
 * What `factorReturns()` gives: matrices labelled by dates (`index`: inputs.returns' index, else
 * inputs.marketCap's) and by factor names or assets (`columns`), views of one output array.
 */
export interface FactorReturnsResult {
  /**
   * T x (1 + m + s): market, sectors 0..m-1, styles in the order given (NaN for a date with too few
   * assets); `columns` the factor names (`names`), `index` the dates.
   */
  factorReturns: Matrix;
  /** T x N residual returns (NaN for an asset left out of a date); `columns` the assets (inputs.returns' columns, else marketCap's), `index` the dates. */
  residuals: Matrix;
  /** The column names of factorReturns: 'market', the sector names, the style names (the same array as `factorReturns.columns`). */
  names: string[];
}

export const FACTOR_DEFAULTS = {
  winsorize: { lower: 0.05, upper: 0.95 },
  momentum: { window: 504, halfLife: 126, lag: 20, winsorize: 0.01 },
  size: { lower: 0.2, upper: 0.8 },
  factorReturns: { winsorize: 0.05, residualizeStyles: true },
} as const;

const lower = option('lower', closed(0, 1));

/**
 * The factor kernels' packed parameters (FACTOR_KERNELS' `params`), each with its rule
 * (param-rules.ts): the resolvers below check the options by them, and
 * native/kernels/generated/factor.hpp reads them in C++.
 */
export const FACTOR_PARAMS = {
  lower,
  upper: option('upper', closed(0, 1), lower),
  lag: option('lag', int(0)),
  /** momentum's winsorize: a percentile. */
  percentile: option('winsorize', closed(0, 0.5)),
  /** value's and factorReturns': a percentile, or off (the option null, packed as -1). */
  percentileOrOff: option('winsorize', closedOr(0, 0.5, -1, 'off')),
  residualize: param('residualize', flag(), 'options.residualizeStyles'),
  lags: param('lags', int(0, 10_000), 'options.neweyWestLags'),
} as const;

/** An integer >= min, else KernelInputError naming it. */
function requireInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new KernelInputError(name, `an integer >= ${min}`, describeValue(value));
  }
  return value;
}

/**
 * toraniko's exp_weights: w_k = exp(-ln 2 k / halfLife) for k = 0 (the most recent) .. window - 1,
 * returned oldest first (the last weight is 1). `window` an integer >= 1, `halfLife` > 0.
 */
export function expWeights(window: number, halfLife: number): Float64Array {
  requireInteger(window, 'window', 1);
  if (typeof halfLife !== 'number' || !(halfLife > 0 && halfLife < Infinity))
    throw new KernelInputError('halfLife', 'a finite number > 0', describeValue(halfLife));
  const decay = Math.LN2 / halfLife;
  const out = new Float64Array(window);
  for (let k = 0; k < window; k++) out[window - 1 - k] = Math.exp(-decay * k);
  return out;
}

/** Checks and defaults the options of `winsorize()`. */
export function resolveWinsorizeOptions(options: WinsorizeOptions | undefined): { lower: number; upper: number } {
  const lower = checkParam(FACTOR_PARAMS.lower, options?.lower ?? FACTOR_DEFAULTS.winsorize.lower);
  const upper = checkParam(FACTOR_PARAMS.upper, options?.upper ?? FACTOR_DEFAULTS.winsorize.upper);
  if (lower > upper) throw new KernelInputError('options.upper', `a number >= options.lower (${lower})`, String(upper));
  return { lower, upper };
}

/** Checks and defaults the options of `momentum()`; the weights from expWeights(). */
export function resolveMomentumOptions(options: MomentumOptions | undefined): { weights: Float64Array; lag: number; winsorize: number } {
  const d = FACTOR_DEFAULTS.momentum;
  const window = requireInteger(options?.window ?? d.window, 'options.window', 1);
  const halfLife = options?.halfLife ?? d.halfLife;
  if (typeof halfLife !== 'number' || !(halfLife > 0 && halfLife < Infinity))
    throw new KernelInputError('options.halfLife', 'a finite number > 0', describeValue(halfLife));
  const lag = checkParam(FACTOR_PARAMS.lag, options?.lag ?? d.lag);
  const winsorize = checkParam(FACTOR_PARAMS.percentile, options?.winsorize ?? d.winsorize);
  return { weights: expWeights(window, halfLife), lag, winsorize };
}

/** Checks and defaults the options of `size()`. */
export function resolveSizeOptions(options: SizeOptions | undefined): { lower: number; upper: number } {
  const lower = checkParam(FACTOR_PARAMS.lower, options?.lower ?? FACTOR_DEFAULTS.size.lower);
  const upper = checkParam(FACTOR_PARAMS.upper, options?.upper ?? FACTOR_DEFAULTS.size.upper);
  if (lower > upper) throw new KernelInputError('options.upper', `a number >= options.lower (${lower})`, String(upper));
  return { lower, upper };
}

/** A winsorize option: a percentile in [0, 0.5], or null/undefined for off (-1 to backends). */
export function resolveWinsorizePercentile(value: unknown, fallback: number | null, name: string): number {
  const v = value === undefined ? fallback : value;
  return v === null ? -1 : checkParam(FACTOR_PARAMS.percentile, v, name);
}

/**
 * Requires panels of one shape: each a Matrix with the rows and cols of the first (a Float64Array is
 * one date: 1 x its length).
 */
export function requirePanels(panels: [unknown, string][]): Matrix[] {
  const out: Matrix[] = [];
  for (const [panel, name] of panels) {
    const value = asPanel(panel, name);
    const first = out[0];
    if (first && (value.rows !== first.rows || value.cols !== first.cols)) {
      throw new KernelInputError(name, `a ${first.rows} x ${first.cols} panel (as ${panels[0][1]})`, `${value.rows} x ${value.cols}`);
    }
    out.push(value);
  }
  return out;
}

/** factorReturns' inputs checked and flattened for a backend. */
export interface ResolvedFactorInputs {
  returns: Matrix;
  marketCap: Matrix;
  /** N codes (perDate false) or T x N (true), as doubles. */
  sectors: Float64Array;
  perDate: boolean;
  sectorNames: string[];
  styles: Float64Array[];
  styleNames: string[];
}

/**
 * Checks the inputs of `factorReturns()` (KernelInputError naming the argument): panels of one shape,
 * sector codes of the right shape (their values are the kernel's to check); m = sectorNames.length,
 * else the largest code + 1. Non-finite scores are missing values, as everywhere in the family.
 */
export function resolveFactorInputs(inputs: FactorInputs): ResolvedFactorInputs {
  if (typeof inputs !== 'object' || inputs === null)
    throw new KernelInputError('inputs', '{ returns, marketCap, sectors, styles }', describeValue(inputs));
  const { sectors, styles, sectorNames } = inputs;
  if (typeof styles !== 'object' || styles === null) {
    throw new KernelInputError('inputs.styles', 'a list or a record of T x N score panels', describeValue(styles));
  }
  const styleEntries: [string, unknown][] = Array.isArray(styles) ? styles.map((m, k) => [`style ${k}`, m]) : Object.entries(styles);
  const panels = requirePanels([
    [inputs.returns, 'inputs.returns'],
    [inputs.marketCap, 'inputs.marketCap'],
    ...styleEntries.map(([name, m]): [unknown, string] => [m, `inputs.styles.${name}`]),
  ]);
  const [returns, marketCap] = panels;
  const { cols } = returns;
  let codes: Float64Array;
  let perDate: boolean;
  if (sectors instanceof Int32Array) {
    if (sectors.length !== cols) throw new KernelInputError('inputs.sectors', `${cols} sector codes (one per asset)`, `${sectors.length}`);
    codes = Float64Array.from(sectors);
    perDate = false;
  } else {
    requirePanels([
      [returns, 'inputs.returns'],
      [sectors, 'inputs.sectors'],
    ]);
    codes = (sectors as Matrix).data;
    perDate = true;
  }
  let largest = -1;
  for (const v of codes) if (v > largest && v < 2 ** 31) largest = v;
  if (
    sectorNames !== undefined &&
    (!Array.isArray(sectorNames) || sectorNames.length < 1 || sectorNames.some((n) => typeof n !== 'string'))
  ) {
    throw new KernelInputError('inputs.sectorNames', 'a non-empty list of strings', describeValue(sectorNames));
  }
  const m = sectorNames?.length ?? Math.max(1, Math.floor(largest) + 1);
  return {
    returns,
    marketCap,
    sectors: codes,
    perDate,
    sectorNames: sectorNames ?? Array.from({ length: m }, (_, j) => `sector ${j}`),
    styles: panels.slice(2).map((p) => p.data),
    styleNames: styleEntries.map(([name]) => name),
  };
}

/** What a backend implementing the factor risk model provides (part of the factor family). */
export interface FactorModelFamily {
  /** K x K factor covariance of the complete rows of f (rows x K), weights per row (expWeights), `lags` Newey-West lags. */
  factorCovariance(f: Float64Array, rows: number, K: number, weights: Float64Array, lags: number): Float64Array;
  /** N specific variances: per asset, sum w_t e^2 / sum w_t over its finite residuals. */
  specificRisk(residuals: Float64Array, rows: number, cols: number, weights: Float64Array): Float64Array;
  /**
   * Per portfolio (weights P x N): [total (P), factor (P), specific (P), contributions (P x K),
   * exposures (P x K)]; exposures N x K, cov K x K, specificVar N.
   */
  riskDecomposition(
    exposures: Float64Array,
    N: number,
    K: number,
    cov: Float64Array,
    specificVar: Float64Array,
    weights: Float64Array,
    portfolios: number,
  ): Float64Array;
}

/**
 * What a backend implementing the factor family provides: plain arrays and numbers (shapes checked,
 * options resolved by the API). Data faults (a market cap <= 0, a sector code out of range) use the
 * codes of faults.ts.
 */
export interface FactorFamily extends FactorModelFamily {
  /** Each row clipped to its linear lower and upper percentiles (NaN kept): rows x cols. */
  winsorize(x: Float64Array, rows: number, cols: number, lower: number, upper: number): Float64Array;
  /** Each row minus its mean, over its sd (ddof 1), NaN kept: rows x cols. */
  standardize(x: Float64Array, rows: number, cols: number): Float64Array;
  /** Momentum scores (weights from expWeights, oldest first): rows x cols. */
  momentum(returns: Float64Array, rows: number, cols: number, weights: Float64Array, lag: number, winsorize: number): Float64Array;
  /** Size scores: rows x cols. */
  size(marketCap: Float64Array, rows: number, cols: number, lower: number, upper: number): Float64Array;
  /** Value scores; winsorize -1 for off: rows x cols. */
  value(book: Float64Array, sales: Float64Array, cashFlow: Float64Array, rows: number, cols: number, winsorize: number): Float64Array;
  /**
   * Factor returns then residuals: rows x (1 + m + s) then rows x cols values. `sectors` holds cols
   * codes (perDate 0) or rows x cols (perDate 1); `styles` the s score panels (rows x cols each);
   * winsorize -1 for off; residualize 0 or 1.
   */
  factorReturns(
    returns: Float64Array,
    marketCap: Float64Array,
    rows: number,
    cols: number,
    sectors: Float64Array,
    perDate: number,
    m: number,
    styles: readonly Float64Array[],
    winsorize: number,
    residualize: number,
  ): Float64Array;
}
