/**
 * The portfolio-risk family: types, defaults and validation, defined once for every backend: returns,
 * performance statistics, VaR/ES, covariance estimators, batched portfolios, component and Monte Carlo
 * VaR.
 *
 * Shapes: a `Matrix` is row-major, rows = dates (or scenarios), cols = assets. A Float64Array is one
 * series (one column). Per-column functions return one value per column.
 */
import { KernelInputError } from '../../errors.js';
import type { RiskAnalyticsFamily } from './risk-analytics.js';
import { above, checkParam, code, finite, flag, int, openUnit, option, param, positive, zeroOrAbove } from '../param-rules.js';
import { describeValue, requireFloat64Array, optionsObject } from '../validate.js';

export { asColumns, COV_SYMMETRY_RTOL, matrix, requireCovariance, requireMatrix, type Matrix, type Series } from '../matrix.js';
import type { Vector } from '../labels.js';
import { requireCovariance, type Matrix } from '../matrix.js';

/** Options of `cumulativeReturns()`. */
export interface CumulativeReturnsOptions {
  /**
   * 0 (default): cumulative returns, prod(1 + r) - 1; any other number: the value of an investment of
   * that much, startingValue x prod(1 + r) (empyrical `cum_returns`' `starting_value`).
   */
  startingValue?: number;
}

/** Validates `cumulativeReturns()`' options: startingValue a finite number. */
export function resolveCumulativeReturnsOptions(options: CumulativeReturnsOptions | undefined): { startingValue: number } {
  return { startingValue: checkParam(RISK_PARAMS.startingValue, options?.startingValue ?? 0) };
}

/** Options of `performanceStats()`. */
export interface PerformanceOptions {
  /** Periods per year (252 for daily returns, 52 weekly, 12 monthly). Default 252. */
  periodsPerYear?: number;
  /**
   * Risk-free return per period, subtracted before the Sharpe ratio; also the required return of the
   * Sortino ratio and the downside risk (empyrical's `required_return`). Default 0.
   */
  riskFree?: number;
  /**
   * The omega ratio's annual required return (empyrical omega_ratio's `required_return`): its
   * per-period threshold is (1 + requiredReturn)^(1 / periodsPerYear) - 1. Default 0; > -1.
   */
  requiredReturn?: number;
}

export const PERFORMANCE_DEFAULTS = { periodsPerYear: 252, riskFree: 0, requiredReturn: 0 } as const satisfies Required<PerformanceOptions>;

/**
 * The statistics of `performanceStats()`, in the order every backend writes them (stat-major: stat s
 * of column c at `s * cols + c`). Definitions are empyrical's (see the reference).
 */
export const PERFORMANCE_STATS = [
  'annualReturn',
  'annualVolatility',
  'sharpe',
  'sortino',
  'downsideRisk',
  'maxDrawdown',
  'calmar',
  'skewness',
  'excessKurtosis',
  'omega',
  'tailRatio',
  'stability',
  'cumulativeReturn',
] as const;

export type PerformanceStatName = (typeof PERFORMANCE_STATS)[number];

/** Per column, one value of each statistic. */
/** Each statistic: a number for one series, a Vector of one value per column for a Matrix (labelled by its columns). */
export type PerformanceStats<V extends number | Float64Array = Vector> = Record<PerformanceStatName, V>;

/** Checks and defaults the options of `performanceStats()`. */
export function resolvePerformanceOptions(options: PerformanceOptions | undefined): Required<PerformanceOptions> {
  const { periodsPerYear, riskFree } = resolvePeriodOptions(options);
  const requiredReturn = checkParam(RISK_PARAMS.requiredReturn, options?.requiredReturn ?? PERFORMANCE_DEFAULTS.requiredReturn);
  return { periodsPerYear, riskFree, requiredReturn };
}

/** Checks and defaults periodsPerYear and riskFree (performanceStats, relativeStats). */
function resolvePeriodOptions(options: { periodsPerYear?: number; riskFree?: number } | undefined): {
  periodsPerYear: number;
  riskFree: number;
} {
  options = optionsObject(options);
  return {
    periodsPerYear: checkParam(RISK_PARAMS.periodsPerYear, options?.periodsPerYear ?? PERFORMANCE_DEFAULTS.periodsPerYear),
    riskFree: checkParam(RISK_PARAMS.riskFree, options?.riskFree ?? PERFORMANCE_DEFAULTS.riskFree),
  };
}

/** Whose alpha `relativeStats()` reports (alpha, upAlpha, downAlpha). */
export type AlphaConvention = 'empyrical' | 'quantstats';

/** The conventions in the order of their codes (what backends receive). */
export const ALPHA_CONVENTIONS = ['empyrical', 'quantstats'] as const satisfies readonly AlphaConvention[];

/** Options of `relativeStats()`. */
export interface RelativeStatsOptions {
  /** Periods per year (252 for daily returns, 52 weekly, 12 monthly). Default 252. */
  periodsPerYear?: number;
  /** Risk-free return per period, subtracted from both series in empyrical's alpha. Default 0. */
  riskFree?: number;
  /**
   * `'empyrical'` (default): alpha_aligned, (1 + mean(r - rf - beta (b - rf)))^periodsPerYear - 1,
   * compounded; `'quantstats'`: greeks' alpha, periodsPerYear x (mean r - beta mean b), not compounded
   * and without riskFree.
   */
  alphaConvention?: AlphaConvention;
}

export const RELATIVE_STATS_DEFAULTS = {
  periodsPerYear: 252,
  riskFree: 0,
  alphaConvention: 'empyrical',
} as const satisfies Required<RelativeStatsOptions>;

/** The statistics of `relativeStats()`, in the order every backend writes them (stat-major). */
export const RELATIVE_STATS = [
  'beta',
  'alpha',
  'upCapture',
  'downCapture',
  'capture',
  'upBeta',
  'upAlpha',
  'downBeta',
  'downAlpha',
  'excessSharpe',
  'trackingError',
  'informationRatio',
  'correlation',
] as const;

export type RelativeStatName = (typeof RELATIVE_STATS)[number];

/** Per column of returns, one value of each statistic against the benchmark. */
/** Each statistic: a number for one series, a Vector of one value per column for a Matrix (labelled by its columns). */
export type RelativeStats<V extends number | Float64Array = Vector> = Record<RelativeStatName, V>;

/** Checks and defaults the options of `relativeStats()`; the convention as its code in ALPHA_CONVENTIONS. */
export function resolveRelativeStatsOptions(options: RelativeStatsOptions | undefined): {
  periodsPerYear: number;
  riskFree: number;
  alphaConvention: number;
} {
  const { periodsPerYear, riskFree } = resolvePeriodOptions(options);
  const alphaConvention = checkParam(RISK_PARAMS.alphaConvention, options?.alphaConvention ?? RELATIVE_STATS_DEFAULTS.alphaConvention);
  return { periodsPerYear, riskFree, alphaConvention };
}

/**
 * Requires a benchmark series for `rows` dates: a Float64Array of that length whose values are finite
 * or NaN (a missing return), else KernelInputError naming `benchmark`.
 */
export function requireBenchmark(value: unknown, rows: number): asserts value is Float64Array {
  requireFloat64Array(value, 'benchmark');
  if (value.length !== rows) throw new KernelInputError('benchmark', `length ${rows} (the rows of returns)`, `length ${value.length}`);
  for (let t = 0; t < rows; t++) {
    if (Math.abs(value[t]) === Infinity) {
      throw new KernelInputError('benchmark', 'finite returns (NaN for a missing one)', `benchmark[${t}] = ${value[t]}`);
    }
  }
}

/** How `valueAtRisk()` estimates the return distribution's tail. */
export type VarMethod = 'historical' | 'gaussian' | 'cornish-fisher';

/** The methods in the order of their codes (what backends receive). */
export const VAR_METHODS = ['historical', 'gaussian', 'cornish-fisher'] as const satisfies readonly VarMethod[];

/** Options of `valueAtRisk()`. */
export interface VarOptions {
  /**
   * `'historical'` (default, as empyrical's value_at_risk and conditional_value_at_risk): the empirical
   * quantile (numpy's linear interpolation) and empyrical's conditional VaR; `'gaussian'`: a normal with
   * the sample mean and sd; `'cornish-fisher'`: PerformanceAnalytics' modified VaR and (operational)
   * modified ES.
   */
  method?: VarMethod;
  /** Confidence c in (0, 1): the VaR is the loss exceeded with probability 1 - c. Default 0.95. */
  confidence?: number;
  /** Delta degrees of freedom of the Gaussian sd (0: PerformanceAnalytics, 1: quantstats). Default 1. */
  ddof?: number;
}

export const VAR_DEFAULTS = { method: 'historical', confidence: 0.95, ddof: 1 } as const;

/**
 * The value at risk and the expected shortfall, as positive losses (fractions of value): numbers for
 * one series (or one portfolio), one per column (portfolio) otherwise.
 */
export interface VarResult<V extends number | Float64Array = Vector> {
  var: V;
  es: V;
}

/** Checks and defaults the options of `valueAtRisk()`; the method as its code in VAR_METHODS. */
export function resolveVarOptions(options: VarOptions | undefined): { method: number; confidence: number; ddof: number } {
  options = optionsObject(options);
  const method = checkParam(RISK_PARAMS.varMethod, options.method ?? VAR_DEFAULTS.method);
  const confidence = checkParam(RISK_PARAMS.confidence, options.confidence ?? VAR_DEFAULTS.confidence);
  const ddof = checkParam(RISK_PARAMS.ddof, options.ddof ?? VAR_DEFAULTS.ddof);
  return { method, confidence, ddof };
}

/** How `componentVar()` models the portfolio's return distribution. */
export type ComponentVarMethod = 'gaussian' | 'cornish-fisher';

/** The methods in the order of their codes (what backends receive). */
export const COMPONENT_VAR_METHODS = ['gaussian', 'cornish-fisher'] as const satisfies readonly ComponentVarMethod[];

/** Options of `componentVar()`. */
export interface ComponentVarOptions {
  /**
   * `'cornish-fisher'` (default, as PerformanceAnalytics' VaR() and ES(), whose method defaults to
   * 'modified'): VaR.CornishFisher.portfolio and operES.CornishFisher.portfolio (portfolio_method =
   * 'component'); `'gaussian'`: VaR.Gaussian.portfolio and ES.Gaussian.portfolio.
   */
  method?: ComponentVarMethod;
  /** Confidence c in (0, 1). Default 0.95. */
  confidence?: number;
}

/**
 * Per portfolio the VaR and ES (positive losses) and their Euler contributions per asset: row p of a
 * contributions matrix (P x N) sums to the portfolio's total.
 */
export interface ComponentVarResult<V extends number | Float64Array = Vector, C extends Float64Array | Matrix = Matrix> {
  var: V;
  es: V;
  varContributions: C;
  esContributions: C;
}

/** componentVar's result for weights of type W: one portfolio's numbers and vectors, or P portfolios'. */
export type ComponentVarOf<W> = W extends Float64Array ? ComponentVarResult<number, Vector> : ComponentVarResult;

/** Checks and defaults the options of `componentVar()`; the method as its code in COMPONENT_VAR_METHODS. */
export function resolveComponentVarOptions(options: ComponentVarOptions | undefined): { method: number; confidence: number } {
  options = optionsObject(options);
  return {
    method: checkParam(RISK_PARAMS.componentVarMethod, options.method ?? 'cornish-fisher'),
    confidence: checkParam(RISK_PARAMS.confidence, options.confidence ?? VAR_DEFAULTS.confidence),
  };
}

/** A return model for Monte Carlo: per-period mean returns (N) and their covariance (N x N). */
export interface ReturnModel {
  mean: Float64Array;
  cov: Matrix;
}

/** Options of `monteCarloVar()` and `monteCarloScenarios()`. */
export interface MonteCarloOptions {
  /**
   * Scenarios (paths), an integer >= 1. Default 10,000. paths x assets (monteCarloScenarios) or paths x
   * portfolios (monteCarloVar) is at most `buffer.constants.MAX_LENGTH`, the longest array Node makes.
   */
  paths?: number;
  /** Confidence c in (0, 1) (monteCarloVar). Default 0.95. */
  confidence?: number;
  /** Periods h > 0 the scenarios span: mean h mu, covariance h cov (square-root-of-time). Default 1. */
  horizon?: number;
  /** Seed, an integer in [0, 2^53): the same seed gives the same scenarios on every backend. Default 0. */
  seed?: number;
  /**
   * `'normal'` (default) or `{ studentT: nu }`, nu > 2: a multivariate Student t with nu degrees of
   * freedom scaled to keep the covariance `cov` (dispersion cov (nu - 2) / nu).
   */
  distribution?: 'normal' | { studentT: number };
}

export const MONTE_CARLO_DEFAULTS = { paths: 10_000, confidence: 0.95, horizon: 1, seed: 0, distribution: 'normal' } as const;

/** Checks and defaults the options of `monteCarloVar()`; nu = 0 for normal scenarios. */
export function resolveMonteCarloOptions(options: MonteCarloOptions | undefined): {
  paths: number;
  confidence: number;
  horizon: number;
  seed: number;
  nu: number;
} {
  options = optionsObject(options, 'an object or undefined');
  const paths = checkParam(RISK_PARAMS.paths, options?.paths ?? MONTE_CARLO_DEFAULTS.paths);
  const horizon = checkParam(RISK_PARAMS.horizon, options?.horizon ?? MONTE_CARLO_DEFAULTS.horizon);
  const seed = checkParam(RISK_PARAMS.seed, options?.seed ?? MONTE_CARLO_DEFAULTS.seed);
  const distribution = options?.distribution ?? MONTE_CARLO_DEFAULTS.distribution;
  let nu = 0;
  if (distribution !== 'normal') {
    const t = typeof distribution === 'object' && distribution !== null ? (distribution as { studentT?: unknown }).studentT : undefined;
    if (typeof t !== 'number' || !(t > 2 && t < Infinity)) {
      throw new KernelInputError('options.distribution', "'normal' or { studentT: nu } with a finite nu > 2", describeValue(distribution));
    }
    nu = t;
  }
  const confidence = checkParam(RISK_PARAMS.confidence, options?.confidence ?? MONTE_CARLO_DEFAULTS.confidence);
  return { paths, confidence, horizon, seed, nu };
}

/** Requires `{ mean, cov }`: a Float64Array of finite means and a covariance of the same size. */
export function requireReturnModel(value: unknown): asserts value is ReturnModel {
  if (typeof value !== 'object' || value === null) throw new KernelInputError('model', '{ mean, cov }', describeValue(value));
  const { mean, cov } = value as ReturnModel;
  requireFloat64Array(mean, 'mean');
  requireCovariance(cov, 'cov');
  if (mean.length !== cov.cols) throw new KernelInputError('mean', `length ${cov.cols} (the size of cov)`, `length ${mean.length}`);
  const bad = mean.findIndex((m) => !Number.isFinite(m));
  if (bad >= 0) throw new KernelInputError('mean', 'finite values', `mean[${bad}] = ${mean[bad]}`);
}

/** How `covariance()` estimates the covariance matrix. */
export type CovarianceMethod =
  | 'sample'
  | 'ewma'
  | 'ledoit-wolf'
  | 'oas'
  | 'semi'
  | 'ledoit-wolf-constant-correlation'
  | 'ledoit-wolf-single-factor';

export const COVARIANCE_METHODS = [
  'sample',
  'ewma',
  'ledoit-wolf',
  'oas',
  'semi',
  'ledoit-wolf-constant-correlation',
  'ledoit-wolf-single-factor',
] as const satisfies readonly CovarianceMethod[];

/** The methods that return a shrinkage intensity. */
export const SHRUNK_COVARIANCE_METHODS: readonly CovarianceMethod[] = [
  'ledoit-wolf',
  'oas',
  'ledoit-wolf-constant-correlation',
  'ledoit-wolf-single-factor',
];

/** Options of `covariance()`. */
export interface CovarianceOptions {
  /**
   * `'sample'` (default): ddof 1 around the column means. `'ewma'`: RiskMetrics, zero mean, decay
   * `lambda`. `'ledoit-wolf'` and `'oas'`: scikit-learn's estimators (centred, ddof 0, shrunk
   * towards mu I, mu = trace / N; the shrinkage is returned). `'semi'`: PyPortfolioOpt's
   * semicovariance, E[min(r_i - b, 0) min(r_j - b, 0)] with b = `benchmark`, per period.
   * `'ledoit-wolf-constant-correlation'` and `'ledoit-wolf-single-factor'`: PyPortfolioOpt's
   * CovarianceShrinkage.ledoit_wolf with those targets, per period (PyPortfolioOpt's / frequency),
   * the intensity clipped to [0, 1] as there and returned.
   */
  method?: CovarianceMethod;
  /** EWMA decay in (0, 1). Default 0.94 (RiskMetrics daily). */
  lambda?: number;
  /**
   * EWMA only. `false` (default): S_0 = r_0 r_0', then S_t = lambda S_{t-1} + (1 - lambda) r_t r_t'.
   * `true`: the weights lambda^(n-1-t) normalised to sum to 1 (pandas' adjust=True weights).
   */
  adjust?: boolean;
  /** 'semi' only: the return below which a return counts as a loss. Default 0.000079, PyPortfolioOpt's. */
  benchmark?: number;
}

/**
 * `covariance()`'s options with `out`: a result of an earlier call of the same size (N x N), whose
 * buffer the call fills again (no fresh array: an engine that estimates a small covariance per message
 * pays V8's allocation of one otherwise, about 0.5 us at N = 10); the result is a Matrix over that
 * buffer. It must share no memory with the returns.
 */
export interface CovarianceOutOptions extends CovarianceOptions {
  out?: Matrix;
}

export const COVARIANCE_DEFAULTS = { method: 'sample', lambda: 0.94, adjust: false, benchmark: 0.000079 } as const;

/**
 * The risk kernels' packed parameters (RISK_KERNELS' `params`), each with its rule (param-rules.ts):
 * the resolvers above check the options by them, and native/kernels/generated/risk.hpp reads
 * them in C++.
 */
export const RISK_PARAMS = {
  startingValue: option('startingValue', finite()),
  periodsPerYear: option('periodsPerYear', positive()),
  riskFree: option('riskFree', finite()),
  requiredReturn: option('requiredReturn', above(-1)),
  alphaConvention: option('alphaConvention', code(ALPHA_CONVENTIONS)),
  varMethod: param('method', code(VAR_METHODS), 'options.method'),
  confidence: option('confidence', openUnit()),
  ddof: option('ddof', int(0)),
  covarianceMethod: param('method', code(COVARIANCE_METHODS), 'options.method'),
  lambda: option('lambda', openUnit()),
  adjust: option('adjust', flag()),
  benchmark: option('benchmark', finite()),
  componentVarMethod: param('method', code(COMPONENT_VAR_METHODS), 'options.method'),
  paths: option('paths', int(1)),
  horizon: option('horizon', positive()),
  seed: option('seed', int(0, 2 ** 53 - 1)),
  // the distribution option: 'normal' (0) or { studentT: nu } (resolveMonteCarloOptions checks it)
  nu: param('nu', zeroOrAbove(2, 'normal')),
} as const;

/** What `covariance()` returns: the N x N matrix (symmetric). */
/**
 * An N x N covariance: a Matrix itself (so it goes straight into the portfolio kernels), labelled by
 * the returns' columns (as `columns` and `index`), with the shrinkage intensity where there is one.
 */
export interface CovarianceResult extends Matrix {
  /** The shrinkage intensity in [0, 1] (ledoit-wolf and oas only). */
  readonly shrinkage?: number;
}

/** Checks and defaults the options of `covariance()`; the method as its code in COVARIANCE_METHODS. */
export function resolveCovarianceOptions(options: CovarianceOptions | undefined): {
  method: number;
  lambda: number;
  adjust: boolean;
  benchmark: number;
} {
  options = optionsObject(options);
  const method = checkParam(RISK_PARAMS.covarianceMethod, options?.method ?? COVARIANCE_DEFAULTS.method);
  const lambda = checkParam(RISK_PARAMS.lambda, options?.lambda ?? COVARIANCE_DEFAULTS.lambda);
  const adjust = checkParam(RISK_PARAMS.adjust, options?.adjust ?? COVARIANCE_DEFAULTS.adjust) === 1;
  const benchmark = checkParam(RISK_PARAMS.benchmark, options?.benchmark ?? COVARIANCE_DEFAULTS.benchmark);
  return { method, lambda, adjust, benchmark };
}

/**
 * What a backend implementing the risk family provides: plain arrays and numbers (shapes checked and
 * options resolved by the API). Data faults (a price <= 0, an infinite return, a non-finite weight)
 * are reported with the codes of faults.ts.
 */
export interface RiskFamily extends RiskAnalyticsFamily {
  /** Simple returns p[t] / p[t-1] - 1 per column: (rows - 1) x cols values. */
  simpleReturns(prices: Float64Array, rows: number, cols: number): Float64Array;
  /** Log returns log(p[t] / p[t-1]) per column: (rows - 1) x cols values. */
  logReturns(prices: Float64Array, rows: number, cols: number): Float64Array;
  /**
   * Cumulative returns per column, rows x cols: prod over s <= t of (1 + r_s), a NaN return counted as
   * 0, minus 1 when startingValue is 0, else times startingValue (empyrical `cum_returns`).
   */
  cumulativeReturns(returns: Float64Array, rows: number, cols: number, startingValue: number): Float64Array;
  /** Returns of `portfolios` fixed-weight portfolios (weights row-major, portfolios x cols): rows x portfolios. */
  portfolioReturns(returns: Float64Array, rows: number, cols: number, weights: Float64Array, portfolios: number): Float64Array;
  /** PERFORMANCE_STATS per column, stat-major: PERFORMANCE_STATS.length x cols values. */
  performanceStats(
    returns: Float64Array,
    rows: number,
    cols: number,
    periodsPerYear: number,
    riskFree: number,
    requiredReturn: number,
  ): Float64Array;
  /**
   * RELATIVE_STATS per column against `benchmark` (rows values), stat-major: RELATIVE_STATS.length x
   * cols values; `alphaConvention` a code of ALPHA_CONVENTIONS.
   */
  relativeStats(
    returns: Float64Array,
    rows: number,
    cols: number,
    benchmark: Float64Array,
    periodsPerYear: number,
    riskFree: number,
    alphaConvention: number,
  ): Float64Array;
  /**
   * The cols x cols covariance of the complete rows (a row with a NaN is left out), row-major, then
   * the shrinkage (NaN for the methods without one): cols * cols + 1 values; `method` a code of
   * COVARIANCE_METHODS, `adjust` 0 or 1.
   */
  covariance(
    returns: Float64Array,
    rows: number,
    cols: number,
    method: number,
    lambda: number,
    adjust: number,
    benchmark: number,
  ): Float64Array;
  /**
   * sqrt(w' S w) per portfolio: `cov` n x n, `weights` portfolios x n row-major; w' S w summed as
   * sum_i w_i v_i with v_i = sum_j w_j S_ji, both in index order, over the assets i of weight other than 0.
   */
  portfolioVolatility(cov: Float64Array, n: number, weights: Float64Array, portfolios: number): Float64Array;
  /**
   * Per portfolio its volatility (P), then each asset's contribution w_i v_i / sigma (P x n) and share
   * w_i v_i / w'Sw (P x n), v and w'Sw as portfolioVolatility sums them; 0 for an asset of weight 0.
   */
  riskContributions(cov: Float64Array, n: number, weights: Float64Array, portfolios: number): Float64Array;
  /** VaR then ES per column: 2 x cols values; `method` a code of VAR_METHODS. */
  valueAtRisk(returns: Float64Array, rows: number, cols: number, method: number, confidence: number, ddof: number): Float64Array;
  /**
   * Component VaR and ES of `portfolios` portfolios (weights portfolios x cols) over the complete
   * rows: [var (P), es (P), var contributions (P x cols), es contributions (P x cols)]; `method` a
   * code of COMPONENT_VAR_METHODS.
   */
  componentVar(
    returns: Float64Array,
    rows: number,
    cols: number,
    weights: Float64Array,
    portfolios: number,
    method: number,
    confidence: number,
  ): Float64Array;
  /**
   * Monte Carlo VaR then ES per portfolio (2 x portfolios values): scenarios from mean (n) and the
   * Cholesky factor of cov (n x n, symmetric, finite; fault COV_NOT_POSITIVE_DEFINITE), weights
   * portfolios x n; nu = 0 for normal scenarios, else the Student-t degrees of freedom (> 2).
   */
  monteCarloVar(
    mean: Float64Array,
    cov: Float64Array,
    n: number,
    weights: Float64Array,
    portfolios: number,
    paths: number,
    confidence: number,
    horizon: number,
    seed: number,
    nu: number,
  ): Float64Array;
  /** The scenarios of monteCarloVar, paths x n row-major. */
  monteCarloScenarios(
    mean: Float64Array,
    cov: Float64Array,
    n: number,
    paths: number,
    horizon: number,
    seed: number,
    nu: number,
  ): Float64Array;
}
