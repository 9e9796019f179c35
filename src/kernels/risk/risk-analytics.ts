/**
 * The risk family's analytics (issue 31): VaR backtesting, drawdowns and calendar aggregation. Their
 * options and resolution, the backend signatures (RiskAnalyticsFamily, part of RiskFamily), the API's
 * methods (RiskAnalyticsKernels, part of RiskKernels) and one descriptor per kernel
 * (RISK_ANALYTICS_KERNELS, spread into RISK_KERNELS): see risk-kernels.ts and descriptor.ts.
 */
import { KernelInputError } from '../../errors.js';
import { AGGREGATE_PERIODS, calendarGroups, type AggregatePeriod } from '../calendar.js';
import { packedOutput, refilled, requireKnownOptions, type Outputs, type OutputSpec, type Returned } from '../descriptor.js';
import { columnSplit, type ColumnsOf, type Index, type PerColumn } from '../labels.js';
import { asColumns, isCount, type Matrix, type Series } from '../matrix.js';
import type { Sampler } from '../sample.js';
import { checkParam, code, finite, int, openUnit, option, positive } from '../param-rules.js';
import { describeValue, requireFloat64Array, requireOut, optionsObject } from '../validate.js';
import type { OutOption } from '../validate.js';

export { AGGREGATE_PERIODS, type AggregatePeriod } from '../calendar.js';

/**
 * The regressors of varBacktest's dynamic quantile test besides the constant, the VaR and the 4 lagged
 * hits: 'gas' adds the squared return of the date before, y_(t-1)^2 (GAS 0.3.x's current `DQOOStest`:
 * 7 regressors, chi-square(7)); 'hits' adds nothing (GAS's older releases, Engle and Manganelli's test
 * on the hits alone: 6 regressors, chi-square(6)).
 */
export type DqRegressors = 'gas' | 'hits';
/** The DQ regressor sets in the order of their codes (the packed parameter `dqRegressors`). */
export const DQ_REGRESSOR_SETS = ['gas', 'hits'] as const satisfies readonly DqRegressors[];

/** Options of `varBacktest()`. */
export interface VarBacktestOptions {
  /**
   * The VaR's confidence level c in (0, 1): an exception is expected with probability 1 - c. Default
   * 0.95 (rugarch's VaRTest, alpha = 0.05).
   */
  confidence?: number;
  /** The traffic light's dates: the last `window` rows (Basel: 250). Default 250. */
  window?: number;
  /** The DQ test's regressors (DqRegressors). Default 'gas', GAS's current form. */
  dqRegressors?: DqRegressors;
}

/**
 * `varBacktest()`'s options with `out`: a result of an earlier call of the same shape, its arrays as
 * returned (views of one buffer), filled again and returned (OutOption): a risk engine that backtests
 * every period reuses one result instead of a fresh T x N exceptions matrix (whose pages a fresh
 * array faults in: about half the time of 500 portfolios x 2520 dates). It must share no memory with
 * returns or var.
 */
export interface VarBacktestOutOptions<R extends Series = Series> extends VarBacktestOptions, OutOption<VarBacktestResult<R>> {}

export const VAR_BACKTEST_DEFAULTS = { confidence: 0.95, window: 250, dqRegressors: 'gas' } as const satisfies Required<VarBacktestOptions>;

/** The Basel traffic-light zones, in the order of their codes (varBacktest's `zone`). */
export const TRAFFIC_LIGHT_ZONES = ['green', 'yellow', 'red'] as const;
export type TrafficLightZone = (typeof TRAFFIC_LIGHT_ZONES)[number];

/**
 * The exceptions and the backtests of a VaR, for returns of type R: numbers for one series, one value
 * per column (portfolio) for a Matrix.
 */
export interface VarBacktestResult<R extends Series = Matrix> {
  /** T x N (a series for one column): 1 where the return is below -VaR, 0 where not, NaN where either is NaN. */
  exceptions: ColumnsOf<R>;
  /** Exceptions over the dates where both are present. */
  count: PerColumn<R>;
  /** The dates where both are present (n). */
  observations: PerColumn<R>;
  /** Kupiec's proportion-of-failures LR_uc, chi-square(1) under the null. */
  kupiecLR: PerColumn<R>;
  kupiecPValue: PerColumn<R>;
  /** Christoffersen's independence LR_ind over the n - 1 transitions, chi-square(1). */
  independenceLR: PerColumn<R>;
  independencePValue: PerColumn<R>;
  /** Conditional coverage LR_cc = LR_uc + LR_ind, chi-square(2). */
  conditionalCoverageLR: PerColumn<R>;
  conditionalCoveragePValue: PerColumn<R>;
  /**
   * Engle and Manganelli's dynamic quantile statistic (GAS's DQOOStest, 4 lags), chi-square(7) with
   * `dqRegressors: 'gas'` (the default), chi-square(6) with 'hits'.
   */
  dqStat: PerColumn<R>;
  dqPValue: PerColumn<R>;
  /** Exceptions and dates present among the last `window` rows. */
  windowExceptions: PerColumn<R>;
  windowObservations: PerColumn<R>;
  /** P(X <= windowExceptions), X ~ Binomial(windowObservations, 1 - confidence). */
  windowProbability: PerColumn<R>;
  /** The traffic-light zone's code (TRAFFIC_LIGHT_ZONES: 0 green, 1 yellow, 2 red; NaN without dates). */
  zone: PerColumn<R>;
}

/** Checks and defaults `varBacktest()`'s options; `dqRegressors` as its code (DQ_REGRESSOR_SETS). */
export function resolveVarBacktestOptions(options: VarBacktestOptions | undefined): {
  confidence: number;
  window: number;
  dqRegressors: number;
} {
  options = optionsObject(options);
  const P = ANALYTICS_PARAMS;
  const confidence = checkParam(P.confidence, options.confidence ?? VAR_BACKTEST_DEFAULTS.confidence);
  const window = checkParam(P.backtestWindow, options.window ?? VAR_BACKTEST_DEFAULTS.window);
  const dqRegressors = checkParam(P.dqRegressors, options.dqRegressors ?? VAR_BACKTEST_DEFAULTS.dqRegressors);
  return { confidence, window, dqRegressors };
}

/**
 * The statistics of `rolling()`, in the order every backend writes them (bit s of the packed `stats`
 * mask is ROLLING_STATS[s]). The last four before the VaRs read the benchmark.
 */
export const ROLLING_STATS = [
  'sharpe',
  'sortino',
  'volatility',
  'maxDrawdown',
  'beta',
  'alpha',
  'upCapture',
  'downCapture',
  'historicalVar',
  'gaussianVar',
] as const;
export type RollingStatName = (typeof ROLLING_STATS)[number];

/** The rolling statistics that need `options.benchmark`. */
export const BENCHMARK_STATS: readonly RollingStatName[] = ['beta', 'alpha', 'upCapture', 'downCapture'];

/** Options of `rolling()`. */
export interface RollingOptions {
  /** The trailing dates of each value: an integer in [2, T]. Required. */
  window: number;
  /** Which statistics (default: every one, those of BENCHMARK_STATS only with a benchmark). */
  stats?: readonly RollingStatName[];
  /** A series of T (finite or NaN): needed by beta, alpha, upCapture, downCapture. */
  benchmark?: Float64Array;
  /** Periods per year. Default 252. */
  periodsPerYear?: number;
  /** Risk-free return per period (Sharpe, Sortino, alpha). Default 0. */
  riskFree?: number;
  /** The VaRs' confidence. Default 0.95. */
  confidence?: number;
}

/** Each requested statistic: T x N (a Float64Array of T for one series), the first window - 1 rows NaN. */
export type RollingResult<R extends Series = Matrix> = Partial<Record<RollingStatName, ColumnsOf<R>>>;

/** Checks and defaults `rolling()`'s options for `rows` dates; the statistics as their mask. */
export function resolveRollingOptions(
  options: RollingOptions | undefined,
  rows: number,
): { window: number; stats: number; benchmark: Float64Array; periodsPerYear: number; riskFree: number; confidence: number } {
  if (typeof options !== 'object' || options === null) {
    throw new KernelInputError('options', 'an object with a window', describeValue(options));
  }
  const { window } = options;
  if (!isCount(window) || window < 2 || window > rows) {
    throw new KernelInputError('options.window', `an integer in [2, ${rows}] (2 to the rows of returns)`, describeValue(window));
  }
  // no benchmark: NaN on every date (no pair, no up or down date), so the kernels always get rows values
  let benchmark: Float64Array = new Float64Array(rows).fill(NaN);
  if (options.benchmark !== undefined) {
    benchmark = requireLike(options.benchmark, { data: benchmark, rows, cols: 1 }, true, 'options.benchmark', 'returns');
  }
  const names = options.stats ?? ROLLING_STATS.filter((s) => options.benchmark !== undefined || !BENCHMARK_STATS.includes(s));
  if (!Array.isArray(names) || names.length === 0) {
    throw new KernelInputError('options.stats', `a non-empty array of ${ROLLING_STATS.join(', ')}`, describeValue(names));
  }
  let stats = 0;
  for (const name of names) {
    const s = ROLLING_STATS.indexOf(name);
    if (s < 0) throw new KernelInputError('options.stats', `names of ${ROLLING_STATS.join(', ')}`, describeValue(name));
    if (BENCHMARK_STATS.includes(name) && options.benchmark === undefined) {
      throw new KernelInputError('options.benchmark', `a Float64Array of ${rows} returns (${name} reads it)`, 'undefined');
    }
    stats |= 1 << s;
  }
  const periodsPerYear = checkParam(ANALYTICS_PARAMS.periodsPerYear, options.periodsPerYear ?? 252);
  const riskFree = checkParam(ANALYTICS_PARAMS.riskFree, options.riskFree ?? 0);
  const confidence = checkParam(ANALYTICS_PARAMS.confidence, options.confidence ?? 0.95);
  return { window, stats, benchmark, periodsPerYear, riskFree, confidence };
}

/** Whose drawdown table `drawdowns()` reproduces. */
export type DrawdownConvention = 'performance-analytics' | 'pyfolio';
export const DRAWDOWN_CONVENTIONS = ['performance-analytics', 'pyfolio'] as const satisfies readonly DrawdownConvention[];

/** Options of `drawdowns()`. */
export interface DrawdownOptions {
  /** How many drawdowns per column, deepest first: an integer from 1 to max(5, the rows). Default 5. */
  top?: number;
  /** Default 'performance-analytics'. */
  convention?: DrawdownConvention;
}

export const DRAWDOWN_DEFAULTS = { top: 5, convention: 'performance-analytics' } as const satisfies Required<DrawdownOptions>;

/**
 * The analytics kernels' packed parameters (RISK_ANALYTICS_KERNELS' `params`), each with its rule
 * (param-rules.ts). rolling's window and stats and drawdowns' top are checked against the returns by
 * their resolvers first (their bounds depend on the rows); the rules are what C++ accepts.
 */
export const ANALYTICS_PARAMS = {
  confidence: option('confidence', openUnit()),
  backtestWindow: option('window', int(1)),
  dqRegressors: option('dqRegressors', code(DQ_REGRESSOR_SETS)),
  rollingWindow: option('window', int(2)),
  stats: option('stats', int(1, 2 ** ROLLING_STATS.length - 1, 'a mask of ROLLING_STATS')),
  periodsPerYear: option('periodsPerYear', positive()),
  riskFree: option('riskFree', finite()),
  top: option('top', int(1)),
  convention: option('convention', code(DRAWDOWN_CONVENTIONS)),
} as const;

/**
 * PerformanceAnalytics' table (findDrawdowns + sortDrawdowns, table.Drawdowns' columns): K x N
 * matrices (a Float64Array of K for one series), K the drawdowns there are (at most `top`), rows
 * 0-based, NaN past a column's last drawdown.
 */
export interface PerformanceAnalyticsDrawdowns<R extends Series = Matrix> {
  /** The first row under water. */
  from: ColumnsOf<R>;
  /** The row of the deepest point (the first, at a tie). */
  trough: ColumnsOf<R>;
  /** The first row back at the peak; NaN when never. */
  to: ColumnsOf<R>;
  /** The deepest W / peak - 1 (a negative fraction). */
  depth: ColumnsOf<R>;
  /** to - from + 1 rows; T - from + 1 when never recovered (findDrawdowns' end one past the data). */
  length: ColumnsOf<R>;
  /** trough - from + 1. */
  peakToTrough: ColumnsOf<R>;
  /** to - trough; NaN when never recovered (table.Drawdowns). */
  recovery: ColumnsOf<R>;
}

/** pyfolio's gen_drawdown_table: K x N matrices (a Float64Array of K for one series), K <= top the rows it lists, rows 0-based. */
export interface PyfolioDrawdowns<R extends Series = Matrix> {
  /** The last row at the high before the valley. */
  peak: ColumnsOf<R>;
  /** The row of the lowest point (the first, at a tie). */
  valley: ColumnsOf<R>;
  /** The first row back at the high; NaN when never. */
  recovery: ColumnsOf<R>;
  /** (W[peak] - W[valley]) / W[peak] x 100: a positive percent. */
  netDrawdown: ColumnsOf<R>;
  /** Rows from peak to recovery inclusive (business days when the rows are); NaN when never recovered. */
  duration: ColumnsOf<R>;
}

/**
 * Checks and defaults `drawdowns()`' options for `rows` dates; the convention as its code. `top` is at
 * most the rows (a column has fewer drawdowns than dates: the table's rows past them are NaN) or the
 * default 5 when there are fewer rows, so that an absurd one is an error, not a table the size of it.
 */
export function resolveDrawdownOptions(options: DrawdownOptions | undefined, rows: number): { top: number; convention: number } {
  options = optionsObject(options);
  const top = options?.top ?? DRAWDOWN_DEFAULTS.top;
  const most = Math.max(rows, DRAWDOWN_DEFAULTS.top);
  if (!isCount(top) || top < 1 || top > most) {
    throw new KernelInputError('options.top', `an integer in [1, ${most}] (at most the rows of returns, or 5)`, describeValue(top));
  }
  const convention = checkParam(ANALYTICS_PARAMS.convention, options?.convention ?? DRAWDOWN_DEFAULTS.convention);
  return { top, convention };
}

/** `aggregateReturns()`' result: one row per calendar group, keys in ascending order. */
export interface AggregateReturnsResult<R extends Series = Matrix> {
  /** G x N compounded returns (a Float64Array of G for one series), labelled by each group's first date. */
  returns: ColumnsOf<R>;
  /** Each group's calendar year. */
  year: Float64Array;
  /** Each group's ISO week, month or quarter (0 for yearly). */
  period: Float64Array;
}

/**
 * Requires `value` to have the shape of returns (`r`): a Float64Array of r.rows for a series, else a
 * Matrix of r.rows x r.cols; values finite or NaN. KernelInputError naming `name` otherwise.
 */
export function requireLike(value: unknown, r: Matrix, series: boolean, name: string, what: string): Float64Array {
  if (series) {
    requireFloat64Array(value, name);
    if (value.length !== r.rows) throw new KernelInputError(name, `length ${r.rows} (the length of returns)`, `length ${value.length}`);
  } else {
    const m = asColumns(value, name);
    if (m.rows !== r.rows || m.cols !== r.cols || value instanceof Float64Array) {
      const got = value instanceof Float64Array ? `a Float64Array of length ${m.rows}` : `${m.rows} x ${m.cols}`;
      throw new KernelInputError(name, `a Matrix of ${r.rows} x ${r.cols} (the shape of returns)`, got);
    }
  }
  const data = series ? (value as Float64Array) : (value as Matrix).data;
  for (let i = 0; i < data.length; i++) {
    if (Math.abs(data[i]) === Infinity) {
      const at = series ? `${name}[${i}]` : `${name}[${Math.floor(i / r.cols)}][${i % r.cols}]`;
      throw new KernelInputError(name, `finite ${what} (NaN for a missing one)`, `${at} = ${data[i]}`);
    }
  }
  return data;
}

/** The backend signatures of the analytics kernels (part of RiskFamily: arrays and numbers only). */
export interface RiskAnalyticsFamily {
  /** VarBacktestResult's outputs, in the order of the descriptor; `var` rows x cols like returns. */
  varBacktest(
    returns: Float64Array,
    rows: number,
    cols: number,
    var_: Float64Array,
    confidence: number,
    window: number,
    dqRegressors: number,
    out?: Float64Array,
  ): Float64Array;
  /**
   * ROLLING_STATS whose bit is set in `stats`, each rows x cols (0 values for the others); `benchmark`
   * rows values (all NaN when none was given: no statistic of BENCHMARK_STATS is requested then).
   */
  rolling(
    returns: Float64Array,
    rows: number,
    cols: number,
    benchmark: Float64Array,
    window: number,
    stats: number,
    periodsPerYear: number,
    riskFree: number,
    confidence: number,
  ): Float64Array;
  /** W / cummax(W) - 1 per column, wealth 1 before the first return, a NaN return as 0: rows x cols. */
  drawdownSeries(returns: Float64Array, rows: number, cols: number): Float64Array;
  /** The drawdown table, seven top x cols outputs (start, trough, end, depth, length, peakToTrough, recovery). */
  drawdowns(returns: Float64Array, rows: number, cols: number, top: number, convention: number): Float64Array;
  /** prod(1 + r) - 1 per group (groups[t] in 0 .. groupCount - 1) and column: groupCount x cols. */
  aggregateReturns(returns: Float64Array, rows: number, cols: number, groups: Float64Array, groupCount: number): Float64Array;
}

/** The API's analytics methods (part of RiskKernels; each also exists as `<name>Async`). */
export interface RiskAnalyticsKernels<A extends boolean = false> {
  /**
   * Backtests a VaR forecast per column: `returns` and `var` of the same shape (T x N, or one series),
   * `var[t]` the VaR published for date t as a positive loss (the risk family's convention). An
   * exception is a loss beyond the VaR, r < -VaR (rugarch's VaRTest: actual < VaR). A date where either
   * is NaN is left out; the tests run over the n dates present, in order.
   *
   * - Kupiec's POF (rugarch `.LR.uc`): LR_uc = -2 log((1-p)^(n-x) p^x) + 2 log((1-x/n)^(n-x) (x/n)^x),
   *   p = 1 - confidence, x exceptions; p-value 1 - F_chi2(1).
   * - Christoffersen's independence (rugarch `.LR.cc`, GAS `BacktestVaR`): the n - 1 transitions T_ij
   *   between consecutive dates, pi = (T01 + T11) / (n - 1), pi0 = T01 / (T00 + T01), pi1 = T11 / (T10 +
   *   T11); LR_ind = -2 log((1-pi)^(T00+T10) pi^(T01+T11)) + 2 log((1-pi0)^T00 pi0^T01 (1-pi1)^T10
   *   pi1^T11), chi-square(1); conditional coverage LR_cc = LR_uc + LR_ind, chi-square(2).
   * - Engle and Manganelli's dynamic quantile test as GAS's `DQOOStest` (4 lags): Hit_t = I_t - p
   *   regressed over t = 4 .. n - 1 on a constant, the VaR, Hit_(t-1..t-4) and, with `dqRegressors:
   *   'gas'` (the default: GAS 0.3.x's current form), y_(t-1)^2, the squared return of the date before;
   *   DQ = Hit' X (X'X)^+ X' Hit / (p (1 - p)), chi-square(7), or chi-square(6) with 'hits' (without
   *   y_(t-1)^2: GAS's older releases), the degrees of freedom GAS's ncol(X) whatever X's rank. (X'X)^+
   *   is MASS::ginv's, as GAS takes it: the eigen-directions of X'X whose eigenvalue is at most 2^-26
   *   of the largest are left out, so a singular X (a constant VaR, no exception) gives GAS's number,
   *   and so does a nearly singular one: daily returns of about 1 % or less vary y^2 so little that
   *   ginv drops most of that direction and GAS's 'gas' statistic is close to its 'hits' one. GAS gives
   *   Hit 0 where r equals the VaR exactly; here that date is no exception (Hit = -p). NaN when n <= 4,
   *   and when a sum of the regression overflows (a |return| above about 1e77 or VaR above 1e154).
   * - The Basel traffic light (segMGarch's `TL`) over the last `window` rows: P = P(X <= x_w), X ~
   *   Binomial(n_w, p) over the dates present there; green when P <= 0.95, yellow when P <= 0.9999, else
   *   red (250 dates at 99%: 0-4 green, 5-9 yellow, 10 or more red).
   *
   * The likelihoods are computed in log form with 0 log 0 = 0, so that no exception (x = 0), only
   * exceptions (x = n) and a transition count of 0 give finite statistics. rugarch and GAS form the
   * products first (0^0 = 1 in R, but (x/n)^x underflows for long series, giving -2 log(0) = Inf), and
   * GAS's pi0/pi1 are NaN (0/0) when no transition leaves a state; there the statistics here are finite
   * and their p-values numbers where those libraries report Inf/NaN. An LR rounded below 0 is 0.
   *
   * `options.out`: a result of an earlier call of the same shape, filled again and returned (see
   * VarBacktestOutOptions).
   */
  varBacktest<R extends Series>(returns: R, var_: R, options?: VarBacktestOutOptions<R>): Returned<A, VarBacktestResult<R>>;
  /**
   * empyrical's roll_* statistics per column over the trailing `window` dates: row t of each output is
   * the statistic of rows t - window + 1 .. t (empyrical labels that window's value t and drops the
   * first window - 1, which are NaN here), each exactly the non-rolling function's definition on the
   * window (NaN returns skipped as there): `sharpe`, `sortino`, `volatility` and `maxDrawdown` as
   * performanceStats (the wealth restarted at each window's start, so a loss on its first day counts),
   * `beta`, `alpha`, `upCapture`, `downCapture` against `options.benchmark` as relativeStats
   * (empyrical's conventions), `historicalVar` and `gaussianVar` as valueAtRisk (ddof 1) at
   * `options.confidence`. Every column and statistic in one pass over the dates.
   *
   * Cost per column and statistic: O(T) for the moment statistics (sharpe, sortino, volatility, beta,
   * alpha, gaussianVar) and the captures: running sums (Neumaier-compensated, the date leaving the window
   * subtracted, re-summed from the window's own dates every `window` dates, so that the difference from
   * the windowed computation stays near rounding: the tests hold it to 1e-10); O(T) for maxDrawdown:
   * a wealth path is summed up by its growth, highest and lowest wealth and least wealth-to-peak ratio,
   * which compose associatively, and each window is a suffix of one block of `window` dates followed by
   * a prefix of the next (van Herk / Gil-Werman: suffixes composed backward once per block, prefixes
   * forward, one composition per window; a window whose wealth leaves [1e-150, 1e150] of its start,
   * e.g. through a return of -100 % or below, is computed from its dates); O(T window) for
   * historicalVar (the window kept sorted: a binary search and a move per date). A window whose returns are all equal has a variance of exactly 0
   * in the windowed computation but of a rounding residue in a running one: its Sharpe ratio may then be
   * huge rather than infinite.
   */
  rolling<R extends Series>(returns: R, options: RollingOptions): Returned<A, RollingResult<R>>;
  /**
   * The underwater curve per column: W_t / max(1, W_0 .. W_t) - 1, W the wealth compounded from 1
   * before the first return (so a loss on the first day counts), a NaN return counted as 0 (empyrical
   * cum_returns); the shape of returns.
   */
  drawdownSeries<R extends Series>(returns: R): Returned<A, ColumnsOf<R>>;
  /**
   * The `top` deepest drawdowns per column, deepest first (a stable sort: ties in date order): the
   * drawdowns there are, up to `top` (PerformanceAnalytics' table.Drawdowns lists as many); a Matrix's
   * columns share the rows of the column with the most, NaN past another's last. Rows are 0-based
   * indices of returns; a NaN return counts as 0.
   *
   * `'performance-analytics'` (default): PerformanceAnalytics' findDrawdowns + sortDrawdowns on the
   * underwater curve of drawdownSeries (wealth 1 before the first return): `from`, `trough`, `to`,
   * `depth`, `length`, `peakToTrough`, `recovery` (table.Drawdowns' columns). Only drawdowns (depth <
   * 0) are listed: PerformanceAnalytics' table also fills with the zero-depth runs between them. It
   * drops NaN rows (na.omit) before numbering them; here they count as 0 so the rows stay the input's.
   *
   * `'pyfolio'`: pyfolio's gen_drawdown_table / get_top_drawdowns with its quirks: the underwater curve
   * of cum_returns(returns, 1) has no point before the first return, so row 0 is always a peak (a
   * first-day loss is not a drawdown); each step takes the lowest remaining point, its peak (the last
   * remaining zero before it) and recovery (the first remaining zero after it), then removes the rows
   * strictly between peak and recovery, or, when not recovered, every row after the peak, so an
   * unrecovered drawdown ends the search of later rows; a series never under water gives one row of
   * peak = valley = recovery = 0, netDrawdown 0, duration 1. `duration` counts rows, where pyfolio counts
   * business days from peak to recovery (the same when the rows are consecutive business days).
   */
  drawdowns<R extends Series>(
    returns: R,
    options?: DrawdownOptions & { convention?: 'performance-analytics' },
  ): Returned<A, PerformanceAnalyticsDrawdowns<R>>;
  drawdowns<R extends Series>(returns: R, options: DrawdownOptions & { convention: 'pyfolio' }): Returned<A, PyfolioDrawdowns<R>>;
  /**
   * empyrical's aggregate_returns: returns compounded per calendar group, prod(1 + r) - 1 in date order
   * with a NaN return as 0 (cum_returns(x).iloc[-1]), groups keyed and sorted as pandas' groupby: the
   * UTC calendar year with the ISO week ('weekly'), the month ('monthly'), the quarter ('quarterly'), or
   * the year alone ('yearly'). The weekly key is empyrical's (x.year, x.isocalendar()[1]): the calendar
   * year, not the ISO year, so 2024-12-30 (ISO week 1 of 2025) falls in group (2024, 1) with the first
   * days of January 2024. `dates` are epoch milliseconds, one per row, in any order.
   */
  aggregateReturns<R extends Series>(returns: R, dates: Float64Array, period: AggregatePeriod): Returned<A, AggregateReturnsResult<R>>;
  /** The same, the dates from the returns' own index (a Matrix's `index`, a series' `index`: epoch ms). */
  aggregateReturns<R extends Series>(returns: R, period: AggregatePeriod): Returned<A, AggregateReturnsResult<R>>;
}

/** rolling's Split: each requested statistic's rows (T_<stat>) labelled by the returns' dates. */
function rollingSplit(returns: Series, r: Matrix, stats: number) {
  const split = columnSplit(returns, r);
  if (r.index === undefined) return split;
  const labels: Record<string, Index | undefined> = { N: r.columns };
  ROLLING_STATS.forEach((stat, s) => ((stats >> s) & 1 ? (labels[`T_${stat}`] = r.index) : undefined));
  return { ...split, labels };
}

/**
 * drawdowns' outputs cut to the drawdowns there are: the first K rows, K the most any column has (a
 * column with fewer has NaN rows past its last). Views, no copy.
 */
function existingDrawdowns(o: Outputs, cols: number): Record<string, Float64Array | Matrix> {
  const start = o.start as Float64Array | Matrix;
  const data = start instanceof Float64Array ? start : start.data;
  let k = data.length / cols;
  while (k > 0 && Array.prototype.every.call(data.subarray((k - 1) * cols, k * cols), Number.isNaN)) k--;
  const out: Record<string, Float64Array | Matrix> = {};
  for (const [name, v] of Object.entries(o) as [string, Float64Array | Matrix][]) {
    out[name] = v instanceof Float64Array ? v.subarray(0, k) : { ...v, data: v.data.subarray(0, k * cols), rows: k };
  }
  return out;
}

/** The dates of a returns index (epoch ms), for aggregateReturns without dates. */
function indexDates(index: Index | undefined): Float64Array {
  if (index instanceof Float64Array) return index;
  if (Array.isArray(index) && index.every((d) => typeof d === 'number')) return Float64Array.from(index as number[]);
  throw new KernelInputError('returns.index', 'epoch-ms dates (a Float64Array or numbers), or pass the dates', describeValue(index));
}

/** Each calendar group's first date (epoch ms), the label of its row. */
function firstDates(dates: Float64Array, group: Float64Array, groups: number): Float64Array {
  const first = new Float64Array(groups).fill(Infinity);
  for (let t = 0; t < dates.length; t++) if (dates[t] < first[group[t]]) first[group[t]] = dates[t];
  return first;
}

const DRAWDOWN_OUTPUTS = ['start', 'trough', 'end', 'depth', 'length', 'peakToTrough', 'recovery'] as const;

/** Descriptors of the analytics kernels (spread into RISK_KERNELS). */
export const RISK_ANALYTICS_KERNELS = {
  varBacktest: {
    params: [ANALYTICS_PARAMS.confidence, ANALYTICS_PARAMS.backtestWindow, ANALYTICS_PARAMS.dqRegressors],
    outputs: {
      exceptions: ['T', 'N'],
      count: ['N'],
      observations: ['N'],
      kupiecLR: ['N'],
      kupiecPValue: ['N'],
      independenceLR: ['N'],
      independencePValue: ['N'],
      conditionalCoverageLR: ['N'],
      conditionalCoveragePValue: ['N'],
      dqStat: ['N'],
      dqPValue: ['N'],
      windowExceptions: ['N'],
      windowObservations: ['N'],
      windowProbability: ['N'],
      zone: ['N'],
    },
    signature: 'returns[rows x cols], rows, cols, var[rows x cols]',
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(0, 300), s.int(1, 8), () => s.ret());
      const v = s.matrix(r.rows, r.cols, () => (s.random() < 0.02 ? NaN : s.uniform(0, 0.04)));
      return [r, v, { confidence: s.pick(0.95, 0.99), window: s.pick(250, 20) }];
    },
    arity: 7,
    options: ['confidence', 'window', 'dqRegressors', 'out'],
    api(returns: Series, var_: Series, opts?: VarBacktestOutOptions) {
      const r = asColumns(returns, 'returns');
      const v = requireLike(var_, r, returns instanceof Float64Array, 'var', 'VaR values');
      requireKnownOptions(RISK_ANALYTICS_KERNELS.varBacktest, opts);
      const { confidence, window, dqRegressors } = resolveVarBacktestOptions(opts);
      const given = opts?.out;
      let out: Float64Array | undefined;
      if (given !== undefined) {
        out = packedOutput(RISK_ANALYTICS_KERNELS.varBacktest, { T: r.rows, N: r.cols }, given, 'options.out', 'varBacktest');
        requireOut(out, Float64Array, out.length, [r.data, v]);
      }
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, v, confidence, window, dqRegressors],
        out,
        split: columnSplit(returns, r),
        shape: (o: Outputs) => (given ? refilled(given, o) : o) as unknown as VarBacktestResult,
      };
    },
  },
  rolling: {
    params: [
      ANALYTICS_PARAMS.rollingWindow,
      ANALYTICS_PARAMS.stats,
      ANALYTICS_PARAMS.periodsPerYear,
      ANALYTICS_PARAMS.riskFree,
      ANALYTICS_PARAMS.confidence,
    ],
    outputs: Object.fromEntries(ROLLING_STATS.map((stat) => [stat, [`T_${stat}`, 'N'] as const])) as Record<
      RollingStatName,
      readonly [string, 'N']
    >,
    dims: (_r: Float64Array, rows: number, cols: number, _b: Float64Array, _w: number, stats: number) => {
      const dims: Record<string, number> = { N: cols };
      ROLLING_STATS.forEach((stat, s) => (dims[`T_${stat}`] = (stats >> s) & 1 ? rows : 0));
      return dims;
    },
    options: ['window', 'stats', 'benchmark', 'periodsPerYear', 'riskFree', 'confidence'],
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(2, 200), s.int(1, 8), () => s.ret());
      const stats = s.pick(
        undefined,
        ['sharpe', 'maxDrawdown'],
        ['beta', 'alpha', 'upCapture', 'downCapture', 'historicalVar', 'gaussianVar'],
      );
      return [
        r,
        { window: s.int(2, r.rows), benchmark: s.fill(r.rows, () => s.ret()), ...(stats ? { stats } : {}), confidence: s.pick(0.95, 0.99) },
      ];
    },
    api(returns: Series, opts: RollingOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_ANALYTICS_KERNELS.rolling, opts);
      const { window, stats, benchmark, periodsPerYear, riskFree, confidence } = resolveRollingOptions(opts, r.rows);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, benchmark, window, stats, periodsPerYear, riskFree, confidence],
        split: rollingSplit(returns, r, stats),
        shape: (o: Outputs) => {
          const result: RollingResult = {};
          ROLLING_STATS.forEach((stat, s) => {
            if ((stats >> s) & 1) result[stat] = o[stat] as Matrix;
          });
          return result;
        },
      };
    },
  },
  drawdownSeries: {
    params: [],
    signature: 'returns[rows x cols], rows, cols',
    outputs: { drawdown: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => [s.matrix(s.int(0, 80), s.int(1, 8), () => s.ret())],
    api(returns: Series) {
      const r = asColumns(returns, 'returns');
      return { size: r.data.length, args: [r.data, r.rows, r.cols], split: columnSplit(returns, r), shape: (o: Outputs) => o.drawdown };
    },
  },
  drawdowns: {
    params: [ANALYTICS_PARAMS.top, ANALYTICS_PARAMS.convention],
    outputs: Object.fromEntries(DRAWDOWN_OUTPUTS.map((name) => [name, ['K', 'N'] as const])) as Record<
      (typeof DRAWDOWN_OUTPUTS)[number],
      readonly ['K', 'N']
    >,
    signature: 'returns[rows x cols], rows, cols',
    dims: { K: 'top', N: 'cols' },
    sample: (s: Sampler) => [
      s.matrix(s.int(0, 120), s.int(1, 8), () => s.ret()),
      { top: s.int(1, 6), convention: s.pick('performance-analytics', 'pyfolio') },
    ],
    options: ['top', 'convention'],
    api(returns: Series, opts?: DrawdownOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_ANALYTICS_KERNELS.drawdowns, opts);
      const { top, convention } = resolveDrawdownOptions(opts, r.rows);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, top, convention],
        split: columnSplit(returns, r, undefined),
        shape: (all: Outputs) => {
          const o = existingDrawdowns(all, r.cols);
          return convention === 0
            ? {
                from: o.start,
                trough: o.trough,
                to: o.end,
                depth: o.depth,
                length: o.length,
                peakToTrough: o.peakToTrough,
                recovery: o.recovery,
              }
            : { peak: o.start, valley: o.trough, recovery: o.end, netDrawdown: o.depth, duration: o.length };
        },
      };
    },
  },
  aggregateReturns: {
    params: [],
    signature: 'returns[rows x cols], rows, cols, groups[rows], groupCount',
    outputs: { returns: ['G', 'N'] },
    dims: { G: 'groupCount', N: 'cols' },
    sample: (s: Sampler) => {
      const r = s.matrix(s.int(0, 80), s.int(1, 8), () => s.ret());
      return [r, s.fill(r.rows, () => 9.4e11 + Math.floor(s.random() * 1e10)), s.pick('weekly', 'monthly', 'quarterly', 'yearly')];
    },
    api(returns: Series, datesOrPeriod: Float64Array | AggregatePeriod, periodGiven?: AggregatePeriod) {
      const r = asColumns(returns, 'returns');
      const own = typeof datesOrPeriod === 'string';
      const period = own ? datesOrPeriod : (periodGiven as AggregatePeriod);
      const dates = own ? indexDates(r.index) : datesOrPeriod;
      requireFloat64Array(dates, own ? 'returns.index' : 'dates');
      if (dates.length !== r.rows) throw new KernelInputError('dates', `length ${r.rows} (the rows of returns)`, `length ${dates.length}`);
      for (let t = 0; t < dates.length; t++) {
        if (!(Math.abs(dates[t]) <= 8.64e15)) {
          throw new KernelInputError('dates', 'epoch milliseconds (finite, within +-8.64e15)', `dates[${t}] = ${dates[t]}`);
        }
      }
      if (!AGGREGATE_PERIODS.includes(period)) {
        throw new KernelInputError('period', "'weekly', 'monthly', 'quarterly' or 'yearly'", describeValue(period));
      }
      const g = calendarGroups(dates, period);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, g.group, g.year.length],
        split: { ...columnSplit(returns, r), labels: { G: firstDates(dates, g.group, g.year.length), N: r.columns } },
        shape: (o: Outputs) => ({ returns: o.returns, year: g.year, period: g.period }),
      };
    },
  },
} as const satisfies { [K in keyof RiskAnalyticsFamily]: OutputSpec };
