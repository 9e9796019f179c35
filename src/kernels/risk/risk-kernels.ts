/**
 * The risk family's kernels as the API offers them (RiskKernels) and one descriptor per kernel
 * (RISK_KERNELS, see descriptor.ts): its packed parameters (the trailing numbers of its RiskFamily
 * call, in order; native/kernels unpacks and checks them), the named outputs of the Float64Array it
 * fills and their dimensions, the options it accepts, and `api`: the caller's arguments checked,
 * the options resolved, the backend call and the result. Adding a kernel to the family is a method
 * here, its descriptor here, its RiskFamily signature (risk.ts) and its implementations.
 */
import { constants } from 'node:buffer';
import { KernelInputError } from '../../errors.js';
import {
  asOutputs,
  outputNamed,
  packedOutput,
  requireKnownOptions,
  resultFault,
  type Outputs,
  type OutputSpec,
  type Returned,
} from '../descriptor.js';
import { columnSplit, covNames, dropLabels, problemSplit, type ColumnsOf, type PerColumn, type Vector } from '../labels.js';
import { asColumns, type Matrix, type Series, weightsMatrix } from '../matrix.js';
import type { Sampler } from '../sample.js';
import { RISK_ANALYTICS_KERNELS, type RiskAnalyticsKernels } from './risk-analytics.js';
import {
  COVARIANCE_METHODS,
  PERFORMANCE_STATS,
  RELATIVE_STATS,
  requireBenchmark,
  requireCovariance,
  requireReturnModel,
  resolveComponentVarOptions,
  resolveCumulativeReturnsOptions,
  resolveCovarianceOptions,
  resolveMonteCarloOptions,
  resolvePerformanceOptions,
  resolveRelativeStatsOptions,
  resolveVarOptions,
  RISK_PARAMS,
  SHRUNK_COVARIANCE_METHODS,
  type ComponentVarOf,
  type ComponentVarOptions,
  type CovarianceOutOptions,
  type CovarianceResult,
  type CumulativeReturnsOptions,
  type MonteCarloOptions,
  type PerformanceOptions,
  type PerformanceStatName,
  type PerformanceStats,
  type RelativeStatName,
  type RelativeStats,
  type RelativeStatsOptions,
  type ReturnModel,
  type RiskFamily,
  type VarOptions,
  type VarResult,
} from './risk.js';
import { describeValue, requireOut } from '../validate.js';

/** Returns from prices: a series gives a series, a T x N matrix a (T - 1) x N matrix (dates from the second on). */
export type ReturnsFunction<A extends boolean = false> = <R extends Series>(prices: R) => Returned<A, ColumnsOf<R>>;

/** `portfolioReturns`: a series for weights of N assets, a T x P matrix for P x N weights. */
export type PortfolioReturnsFunction<A extends boolean = false> = <W extends Series>(
  returns: Series,
  weights: W,
) => Returned<A, ColumnsOf<W>>;

/** What a kernel per portfolio gives for weights of type W: a number for one portfolio, a Vector of P for P x N weights. */
export type PerPortfolio<W> = W extends Float64Array ? number : Vector;

/** The risk family's kernels (each also exists as `<name>Async`). */
export interface RiskKernels<A extends boolean = false> extends RiskAnalyticsKernels<A> {
  /** Simple returns (p[t] - p[t-1]) / p[t-1] per column (empyrical.simple_returns). */
  simpleReturns: ReturnsFunction<A>;
  /** Log returns log(p[t] / p[t-1]) per column. */
  logReturns: ReturnsFunction<A>;
  /**
   * Cumulative returns per column, compounded, a NaN return counted as 0: prod(1 + r) - 1, or the
   * wealth startingValue x prod(1 + r) (empyrical `cum_returns`); a series gives a series.
   */
  cumulativeReturns<R extends Series>(returns: R, options?: CumulativeReturnsOptions): Returned<A, ColumnsOf<R>>;
  /** Returns of fixed-weight portfolios, rebalanced every period: T x P (a series for one). */
  portfolioReturns: PortfolioReturnsFunction<A>;
  /**
   * Per column (empyrical's definitions; NaN returns skipped as its nan-functions skip them): annual
   * return and volatility, Sharpe, Sortino, downside risk, max drawdown, Calmar; scipy's skewness and
   * excess kurtosis; and
   * - `omega` (omega_ratio): with d = r - riskFree - threshold, threshold = (1 + requiredReturn)^(1 /
   *   periodsPerYear) - 1 (computed as expm1(log1p(requiredReturn) / periodsPerYear); requiredReturn
   *   itself when periodsPerYear is 1), sum(d > 0) / -sum(d < 0); NaN when that denominator is 0 or T < 2;
   * - `tailRatio` (tail_ratio): |95th percentile| / |5th percentile| of the returns present, numpy's
   *   linear percentiles; NaN without any;
   * - `stability` (stability_of_timeseries): R^2 of the least-squares line through cumsum(log1p r) of
   *   the returns present against 0 .. n - 1 (scipy linregress' r, squared: 0 for a constant cumsum);
   *   NaN for n < 2;
   * - `cumulativeReturn` (cum_returns_final): prod(1 + r) - 1, a NaN return as 0.
   */
  performanceStats<R extends Series>(returns: R, options?: PerformanceOptions): Returned<A, PerformanceStats<PerColumn<R>>>;
  /**
   * Statistics of each column of `returns` (T x N, or one series) against `benchmark` (a series of T),
   * one value per column each. "Pairs" are the dates where both the column and the benchmark are
   * present (not NaN); n their count; means and sums run over the pairs in date order.
   *
   * Following empyrical (empyrical/stats.py):
   * - `beta` (beta_aligned): mean((b - mean b) r) / mean((b - mean b)^2) over the pairs; NaN when that
   *   variance is < 1e-30 or n < 2.
   * - `alpha` (alpha_aligned, compounded): (1 + mean(r - rf - beta (b - rf)))^periodsPerYear - 1 over the
   *   pairs, computed as expm1(periodsPerYear log1p(mean)); NaN where beta is. With `alphaConvention:
   *   'quantstats'` it is quantstats' `greeks` alpha instead: periodsPerYear x (mean r - beta mean b) over
   *   the pairs, not compounded and without riskFree (greeks takes none). Its beta is empyrical's (the
   *   same ratio as greeks' np.cov, ddof cancelling, to rounding).
   * - `capture` (capture): annual_return(r) / annual_return(b) over all T dates, each series on its
   *   own (not pairwise, as empyrical): annual_return is the CAGR with a NaN return counted as 0 and
   *   years = T / periodsPerYear, i.e. prod(1 + r)^(1 / years) - 1, computed as
   *   expm1(log(prod) / years); NaN when T = 0. A zero annual return of the benchmark gives +-Infinity.
   * - `upCapture` / `downCapture` (up_capture / down_capture): capture over the dates where b > 0
   *   (b < 0; a zero or NaN benchmark in neither), years counted from that subset's length.
   * - `upBeta`, `upAlpha`, `downBeta`, `downAlpha` (up_alpha_beta / down_alpha_beta): beta and alpha
   *   (in the chosen convention) over those subsets.
   * - `excessSharpe` (excess_sharpe; quantstats' information_ratio is the same number): mean(r - b) /
   *   sd(r - b), sd with ddof 1, per period, not annualized. NaN when n < 2 (empyrical: NaN when T < 2,
   *   but +-Infinity from its nan_to_num'd sd of 0 when only one pair is present); a zero sd gives
   *   +-Infinity as in empyrical.
   *
   * Following PerformanceAnalytics (R), annualized unlike empyrical's tracking error:
   * - `trackingError` (TrackingError): sd(r - b) (ddof 1, over the pairs: Return.excess then
   *   sd(na.rm = TRUE)) x sqrt(periodsPerYear); NaN when n < 2.
   * - `informationRatio` (InformationRatio = ActivePremium / TrackingError): (CAGR(r) - CAGR(b)) /
   *   trackingError with ActivePremium's CAGRs over the pairs (na.omit(merge(Ra, Rb)), then
   *   Return.annualized: prod(1 + x)^(periodsPerYear / n) - 1); their difference is computed as
   *   wb^e (exp(e log(wr / wb)) - 1), e = periodsPerYear / n, w the compounded wealths (where wb > 0),
   *   so that it does not cancel when the two are close. Unlike capture, years come from the pairs,
   *   not from T.
   *
   * And `correlation`: Pearson's over the pairs, sum(dr db) / sqrt(sum dr^2 sum db^2) with dr, db the
   * deviations from the pairs' means, clipped to [-1, 1] as numpy's corrcoef; NaN when n < 2 or either
   * series is constant.
   *
   * Returns and benchmark must be finite or NaN (an infinite value is a KernelInputError).
   */
  relativeStats<R extends Series>(
    returns: R,
    benchmark: Float64Array,
    options?: RelativeStatsOptions,
  ): Returned<A, RelativeStats<PerColumn<R>>>;
  /**
   * Value at risk and expected shortfall, positive losses: historical (the default, empyrical's
   * value_at_risk and conditional_value_at_risk, at 95 %), Gaussian or Cornish-Fisher. Numbers for one
   * series, one per column for a Matrix.
   */
  valueAtRisk<R extends Series>(returns: R, options?: VarOptions): Returned<A, VarResult<PerColumn<R>>>;
  /**
   * Covariance of the columns over the complete rows: sample, RiskMetrics EWMA, Ledoit-Wolf or OAS
   * (scikit-learn), semicovariance and shrinkage targets (PyPortfolioOpt). The result is an N x N Matrix
   * labelled by the returns' columns (it goes straight into minVariance, portfolioVolatility, ...).
   */
  covariance(returns: Series, options?: CovarianceOutOptions): Returned<A, CovarianceResult>;
  /** sqrt(w' S w): a number for weights of N assets, one per portfolio (a Vector of P) for P x N, in one call. */
  portfolioVolatility<W extends Series>(cov: Matrix, weights: W): Returned<A, PerPortfolio<W>>;
  /**
   * Each asset's contribution to the volatility of given weights (the Euler decomposition riskfolio-lib's
   * Risk_Contribution and PyPortfolioOpt's risk parity use): `contributions` w_i (S w)_i / sigma, summing
   * to `volatility` sigma = sqrt(w' S w), and `shares` w_i (S w)_i / w' S w, summing to 1; an asset of
   * weight 0 contributes 0. A number and Vectors of N for one portfolio, P values and P x N matrices for
   * P x N weights; labelled by cov's names.
   */
  riskContributions<W extends Series>(cov: Matrix, weights: W): Returned<A, RiskContributionsOf<W>>;
  /**
   * The VaR and ES and their Euler contributions per asset (PerformanceAnalytics' component method,
   * 'cornish-fisher' by default as its VaR()): numbers and vectors of N for one portfolio, P values and
   * P x N matrices for P x N weights.
   */
  componentVar<W extends Series>(returns: Series, weights: W, options?: ComponentVarOptions): Returned<A, ComponentVarOf<W>>;
  /** Monte Carlo VaR and ES per portfolio from `{ mean, cov }` (Philox4x32-10: the same seed, the same scenarios on every backend). */
  monteCarloVar<W extends Series>(model: ReturnModel, weights: W, options?: MonteCarloOptions): Returned<A, VarResult<PerPortfolio<W>>>;
  /** The asset-return scenarios monteCarloVar draws, paths x N. */
  monteCarloScenarios(model: ReturnModel, options?: MonteCarloOptions): Returned<A, Matrix>;
}

/** riskContributions' result: volatility, then the contributions and shares per asset. */
export interface RiskContributions<V extends number | Float64Array = Vector, C extends Float64Array | Matrix = Matrix> {
  volatility: V;
  contributions: C;
  shares: C;
}

/** riskContributions' result for weights of type W: one portfolio's number and Vectors, or P portfolios'. */
export type RiskContributionsOf<W> = W extends Float64Array ? RiskContributions<number, Vector> : RiskContributions;

/** The longest typed array this runtime allocates (elements). */
const MAX_LENGTH = constants.MAX_LENGTH;

/**
 * Throws KernelInputError naming options.paths when paths x `per` values (the scenarios, or every
 * portfolio's losses, which the quantiles need together) exceed the longest array this runtime makes.
 */
function requirePathsFit(paths: number, per: number, unit: string, what: string): void {
  if (paths * per > MAX_LENGTH) {
    const most = Math.floor(MAX_LENGTH / per);
    throw new KernelInputError(
      'options.paths',
      `at most ${most} with ${per} ${unit}${per === 1 ? '' : 's'} (the ${what} are paths x ${unit}s values, at most ${MAX_LENGTH} in one array)`,
      describeValue(paths),
    );
  }
}

const P = RISK_PARAMS;

/** Monte Carlo options of a sample: small path counts, both distributions. */
const monteCarloSample = (s: Sampler) => ({
  paths: s.int(1, 2000),
  horizon: s.pick(1, 10),
  seed: s.int(0, 1e6),
  distribution: s.pick<'normal' | { studentT: number }>('normal', { studentT: 4 }),
});
const monteCarloOptions = ['paths', 'confidence', 'horizon', 'seed', 'distribution'] as const;

/** The outputs the kernels return alone (see asOutputs). */
const returnsOutput = outputNamed('returns');
const volatilityOutput = outputNamed('volatility');
const scenariosOutput = outputNamed('scenarios');
const covOutput = outputNamed('cov');
/** A shrunk covariance: the matrix with its shrinkage. */
const withShrinkage = (o: Outputs): CovarianceResult => ({ ...(o.cov as Matrix), shrinkage: o.shrinkage as number });

/**
 * covariance()'s `out`: a result of an earlier call with N columns, an N x N Matrix over the start of a
 * buffer of N·N + 1 values (the last the shrinkage's place) as the API allocates it, sharing no memory
 * with the returns; that buffer. Checked by hand (packedOutput's general check costs about as much as
 * the allocation it saves at N = 10).
 */
function covarianceOut(given: unknown, returns: Float64Array, n: number): Float64Array {
  const length = n * n + 1;
  const m = typeof given === 'object' && given !== null ? (given as Matrix) : undefined;
  if (!(m?.data instanceof Float64Array) || m.rows !== n || m.cols !== n || m.data.length !== n * n) {
    // the general check names what is wrong (and throws)
    packedOutput(RISK_KERNELS.covariance, { N: n }, m ? { cov: m, shrinkage: 0 } : given, 'options.out', 'covariance');
  }
  const { data } = m as Matrix;
  if (data.byteOffset !== 0 || data.buffer.byteLength !== length * 8) {
    const at = `cov over a buffer of ${data.buffer.byteLength / 8} values at value ${data.byteOffset / 8}`;
    throw resultFault('options.out', 'covariance', length, at);
  }
  return requireOut(new Float64Array(data.buffer), Float64Array, length, [returns]) as Float64Array;
}

/** simpleReturns / logReturns: a series gives a series, a matrix a matrix of one row fewer. */
const returnsKernel = {
  params: [],
  signature: 'prices[rows x cols], rows, cols',
  outputs: { returns: ['T', 'N'] },
  dims: { T: 'rows - 1', N: 'cols' },
  sample: (s: Sampler) => [s.matrix(s.int(0, 60), s.int(1, 8), () => (s.random() < 0.03 ? NaN : s.positive()))],
  api(prices: Series) {
    const m = asColumns(prices, 'prices');
    const split = columnSplit(prices, m, dropLabels(m.index, 1));
    return { size: m.data.length, args: [m.data, m.rows, m.cols], split, shape: returnsOutput };
  },
} as const;

/** One descriptor per kernel of the risk family (see the module's comment). */
export const RISK_KERNELS = {
  simpleReturns: returnsKernel,
  logReturns: returnsKernel,
  cumulativeReturns: {
    params: [P.startingValue],
    signature: 'returns[rows x cols], rows, cols',
    outputs: { returns: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => [s.matrix(s.int(0, 60), s.int(1, 8), () => s.ret()), { startingValue: s.pick(0, 1, 100) }],
    options: ['startingValue'],
    api(returns: Series, opts?: CumulativeReturnsOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.cumulativeReturns, opts);
      const { startingValue } = resolveCumulativeReturnsOptions(opts);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, startingValue],
        split: columnSplit(returns, r),
        shape: returnsOutput,
      };
    },
  },
  portfolioReturns: {
    params: [],
    signature: 'returns[rows x cols], rows, cols, weights[portfolios x cols], portfolios',
    outputs: { returns: ['T', 'P'] },
    dims: { T: 'rows', P: 'portfolios' },
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(0, 60), s.int(1, 8), () => s.ret());
      const weights = s.random() < 0.3 ? s.fill(r.cols, () => s.uniform(-1, 1)) : s.matrix(s.int(1, 4), r.cols, () => s.uniform(-1, 1));
      return [r, weights];
    },
    api(returns: Series, weights: Series) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      const split = problemSplit(weights instanceof Float64Array, undefined, r.index);
      return { size: r.data.length, args: [r.data, r.rows, r.cols, w.data, w.rows], split, shape: returnsOutput };
    },
  },
  performanceStats: {
    params: [P.periodsPerYear, P.riskFree, P.requiredReturn],
    signature: 'returns[rows x cols], rows, cols',
    outputs: Object.fromEntries(PERFORMANCE_STATS.map((stat) => [stat, ['N'] as const])) as Record<PerformanceStatName, readonly ['N']>,
    dims: { N: 'cols' },
    sample: (s: Sampler) => [
      s.matrix(s.int(0, 80), s.int(1, 8), () => s.ret()),
      { periodsPerYear: s.pick(12, 252), riskFree: s.pick(0, 0.01), requiredReturn: s.pick(0, 0.05) },
    ],
    options: ['periodsPerYear', 'riskFree', 'requiredReturn'],
    api(returns: Series, opts?: PerformanceOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.performanceStats, opts);
      const { periodsPerYear, riskFree, requiredReturn } = resolvePerformanceOptions(opts);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, periodsPerYear, riskFree, requiredReturn],
        split: columnSplit(returns, r),
        shape: asOutputs,
      };
    },
  },
  relativeStats: {
    params: [P.periodsPerYear, P.riskFree, P.alphaConvention],
    signature: 'returns[rows x cols], rows, cols, benchmark[rows]',
    outputs: Object.fromEntries(RELATIVE_STATS.map((stat) => [stat, ['N'] as const])) as Record<RelativeStatName, readonly ['N']>,
    dims: { N: 'cols' },
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(0, 80), s.int(1, 8), () => s.ret());
      const options = { periodsPerYear: s.pick(12, 252), riskFree: s.pick(0, 0.001), alphaConvention: s.pick('empyrical', 'quantstats') };
      return [r, s.fill(r.rows, () => s.ret()), options];
    },
    options: ['periodsPerYear', 'riskFree', 'alphaConvention'],
    api(returns: Series, benchmark: Float64Array, opts?: RelativeStatsOptions) {
      const r = asColumns(returns, 'returns');
      requireBenchmark(benchmark, r.rows);
      requireKnownOptions(RISK_KERNELS.relativeStats, opts);
      const { periodsPerYear, riskFree, alphaConvention } = resolveRelativeStatsOptions(opts);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, benchmark, periodsPerYear, riskFree, alphaConvention],
        split: columnSplit(returns, r),
        shape: asOutputs,
      };
    },
  },
  valueAtRisk: {
    params: [P.varMethod, P.confidence, P.ddof],
    signature: 'returns[rows x cols], rows, cols',
    outputs: { var: ['N'], es: ['N'] },
    dims: { N: 'cols' },
    sample: (s: Sampler) => [
      s.matrix(s.int(2, 80), s.int(1, 8), () => s.ret()),
      { method: s.pick('historical', 'gaussian', 'cornish-fisher'), confidence: s.pick(0.9, 0.95, 0.99), ddof: s.pick(0, 1) },
    ],
    options: ['method', 'confidence', 'ddof'],
    api(returns: Series, opts?: VarOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.valueAtRisk, opts);
      const { method, confidence, ddof } = resolveVarOptions(opts);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, method, confidence, ddof],
        split: columnSplit(returns, r),
        shape: asOutputs,
      };
    },
  },
  covariance: {
    params: [P.covarianceMethod, P.lambda, P.adjust, P.benchmark],
    signature: 'returns[rows x cols], rows, cols',
    outputs: { cov: ['N', 'N'], shrinkage: [] },
    dims: { N: 'cols' },
    sample: (s: Sampler) => [
      s.matrix(s.int(3, 80), s.int(1, 8), () => s.ret()),
      {
        method: s.pick(...COVARIANCE_METHODS),
        lambda: s.pick(0.94, 0.97),
        adjust: s.random() < 0.5,
        benchmark: s.pick(0, 0.0001),
      },
    ],
    options: ['method', 'lambda', 'adjust', 'benchmark', 'out'],
    api(returns: Series, opts?: CovarianceOutOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.covariance, opts);
      const { method, lambda, adjust, benchmark } = resolveCovarianceOptions(opts);
      const shrunk = SHRUNK_COVARIANCE_METHODS.includes(COVARIANCE_METHODS[method]);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, method, lambda, adjust ? 1 : 0, benchmark],
        out: opts?.out === undefined ? undefined : covarianceOut(opts.out, r.data, r.cols),
        split: problemSplit(false, r.columns),
        shape: shrunk ? withShrinkage : covOutput,
      };
    },
  },
  portfolioVolatility: {
    params: [],
    signature: 'cov[n x n], n, weights[portfolios x n], portfolios',
    outputs: { volatility: ['P'] },
    dims: { P: 'portfolios' },
    sample: (s: Sampler) => {
      const n = s.int(1, 12);
      return [s.covariance(n), s.matrix(s.int(1, 5), n, () => s.uniform(-1, 1))];
    },
    api(cov: Matrix, weights: Series) {
      requireCovariance(cov, 'cov');
      const w = weightsMatrix(weights, cov.cols, 'the size of cov');
      const split = problemSplit(weights instanceof Float64Array, undefined);
      return { size: w.data.length, args: [cov.data, cov.cols, w.data, w.rows], split, shape: volatilityOutput };
    },
  },
  riskContributions: {
    params: [],
    signature: 'cov[n x n], n, weights[portfolios x n], portfolios',
    outputs: { volatility: ['P'], contributions: ['P', 'N'], shares: ['P', 'N'] },
    dims: { P: 'portfolios', N: 'n' },
    sample: (s: Sampler) => {
      const n = s.int(1, 12);
      const weights = s.random() < 0.3 ? s.fill(n, () => s.pick(0, s.uniform(-1, 1))) : s.matrix(s.int(1, 5), n, () => s.uniform(-1, 1));
      return [s.covariance(n), weights];
    },
    api(cov: Matrix, weights: Series) {
      requireCovariance(cov, 'cov');
      const w = weightsMatrix(weights, cov.cols, 'the size of cov');
      const split = problemSplit(weights instanceof Float64Array, covNames(cov));
      return {
        size: w.data.length,
        args: [cov.data, cov.cols, w.data, w.rows],
        split,
        shape: asOutputs,
      };
    },
  },
  componentVar: {
    params: [P.componentVarMethod, P.confidence],
    signature: 'returns[rows x cols], rows, cols, weights[portfolios x cols], portfolios',
    outputs: { var: ['P'], es: ['P'], varContributions: ['P', 'N'], esContributions: ['P', 'N'] },
    dims: { P: 'portfolios', N: 'cols' },
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(3, 80), s.int(1, 8), () => s.ret());
      const options = { method: s.pick('gaussian', 'cornish-fisher'), confidence: s.pick(0.9, 0.99) };
      return [r, s.matrix(s.int(1, 4), r.cols, () => s.uniform(-1, 1)), options];
    },
    options: ['method', 'confidence'],
    api(returns: Series, weights: Series, opts?: ComponentVarOptions) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      requireKnownOptions(RISK_KERNELS.componentVar, opts);
      const { method, confidence } = resolveComponentVarOptions(opts);
      const args = [r.data, r.rows, r.cols, w.data, w.rows, method, confidence];
      const split = problemSplit(weights instanceof Float64Array, r.columns);
      return { size: r.data.length, args, split, shape: asOutputs };
    },
  },
  monteCarloVar: {
    params: [P.paths, P.confidence, P.horizon, P.seed, P.nu],
    signature: 'mean[n], cov[n x n], n, weights[portfolios x n], portfolios',
    outputs: { var: ['P'], es: ['P'] },
    dims: { P: 'portfolios' },
    workspace: 'portfolios x paths',
    sample: (s: Sampler) => {
      const n = s.int(1, 9);
      const model = { mean: s.fill(n, () => 0.001 * s.normal()), cov: s.covariance(n) };
      const options = { ...monteCarloSample(s), confidence: s.pick(0.9, 0.99) };
      return [model, s.matrix(s.int(1, 4), n, () => s.uniform(-1, 1)), options];
    },
    options: monteCarloOptions,
    api(model: ReturnModel, weights: Series, opts?: MonteCarloOptions) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const w = weightsMatrix(weights, n, 'the size of cov');
      requireKnownOptions(RISK_KERNELS.monteCarloVar, opts);
      const { paths, confidence, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, w.rows, 'portfolio', 'losses');
      const args = [model.mean, model.cov.data, n, w.data, w.rows, paths, confidence, horizon, seed, nu];
      return {
        size: paths * n,
        args,
        split: problemSplit(weights instanceof Float64Array, undefined),
        shape: asOutputs,
      };
    },
  },
  monteCarloScenarios: {
    params: [P.paths, P.horizon, P.seed, P.nu],
    signature: 'mean[n], cov[n x n], n',
    outputs: { scenarios: ['S', 'N'] },
    dims: { S: 'paths', N: 'n' },
    sample: (s: Sampler) => {
      const n = s.int(1, 9);
      return [{ mean: s.fill(n, () => 0.001 * s.normal()), cov: s.covariance(n) }, monteCarloSample(s)];
    },
    options: monteCarloOptions,
    api(model: ReturnModel, opts?: MonteCarloOptions) {
      requireReturnModel(model);
      const n = model.cov.cols;
      requireKnownOptions(RISK_KERNELS.monteCarloScenarios, opts);
      const { paths, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, n, 'asset', 'scenarios');
      return {
        size: paths * n,
        args: [model.mean, model.cov.data, n, paths, horizon, seed, nu],
        split: problemSplit(false, covNames(model.cov)),
        shape: scenariosOutput,
      };
    },
  },
  ...RISK_ANALYTICS_KERNELS,
} as const satisfies { [K in keyof RiskFamily]: OutputSpec };
