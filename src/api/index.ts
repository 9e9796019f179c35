/**
 * `kernelbus/kernels`: the kernels and their backends, nothing else (no bus, Redis, metrics or msgpack
 * code is loaded). The functions exported here use the default backend choice (KERNELBUS_BACKEND,
 * else 'auto'); `kernels({ backend })` binds them to another.
 */
import { installEveryBackend } from './every-backend.js';
import { defaultBackendChoice, kernels } from './kernels.js';

export {
  kernels,
  type AsyncKernels,
  type BackendChoice,
  type Kernels,
  type Panel,
  type PortfolioReturnsFunction,
  type ReturnsFunction,
  type SpecialFunction,
  type StudentTFunction,
  type SyncKernels,
} from './kernels.js';
export { AUTO_THRESHOLDS } from './auto.js';
export {
  byName,
  series,
  toRecords,
  weightsByName,
  type ColumnsOf,
  type Index,
  type MatrixLabels,
  type PerColumn,
  type SeriesLabels,
  type Vector,
} from '../kernels/labels.js';
export {
  matrix,
  PERFORMANCE_DEFAULTS,
  PERFORMANCE_STATS,
  type Matrix,
  type PerformanceOptions,
  type PerformanceStats,
  type Series,
  COVARIANCE_DEFAULTS,
  type CovarianceMethod,
  type CovarianceOptions,
  type CovarianceOutOptions,
  type CumulativeReturnsOptions,
  RELATIVE_STATS,
  type AlphaConvention,
  type RelativeStatName,
  type RelativeStats,
  type RelativeStatsOptions,
  type CovarianceResult,
  VAR_DEFAULTS,
  type VarMethod,
  type VarOptions,
  type VarResult,
  COMPONENT_VAR_METHODS,
  MONTE_CARLO_DEFAULTS,
  type MonteCarloOptions,
  type ReturnModel,
  type ComponentVarMethod,
  type ComponentVarOptions,
  type ComponentVarResult,
} from '../kernels/risk/risk.js';
export {
  AGGREGATE_PERIODS,
  DQ_REGRESSOR_SETS,
  DRAWDOWN_CONVENTIONS,
  DRAWDOWN_DEFAULTS,
  TRAFFIC_LIGHT_ZONES,
  VAR_BACKTEST_DEFAULTS,
  ROLLING_STATS,
  type RollingOptions,
  type RollingResult,
  type RollingStatName,
  type AggregatePeriod,
  type AggregateReturnsResult,
  type DqRegressors,
  type DrawdownConvention,
  type DrawdownOptions,
  type PerformanceAnalyticsDrawdowns,
  type PyfolioDrawdowns,
  type TrafficLightZone,
  type VarBacktestOptions,
  type VarBacktestOutOptions,
  type VarBacktestResult,
} from '../kernels/risk/risk-analytics.js';
export {
  expWeights,
  FACTOR_DEFAULTS,
  type FactorInputs,
  type FactorReturnsOptions,
  type FactorReturnsResult,
  type MomentumOptions,
  type SizeOptions,
  type ValueOptions,
  type WinsorizeOptions,
} from '../kernels/factor/factor.js';
export {
  factorExposures,
  FACTOR_MODEL_DEFAULTS,
  type Exposures,
  type FactorCovarianceOptions,
  type FactorRiskModel,
  type FactorRiskModelOptions,
  type RiskDecomposition,
  type RiskDecompositionOf,
  type SpecificRiskOptions,
} from '../kernels/factor/factor-model.js';
export {
  frontierOf,
  ROW_KIND,
  RowKind,
  turningPointCapacity,
  type BoundValue,
  type EfficientFrontier,
  type EfficientFrontierOptions,
  type EfficientFrontierResult,
  type FrontierOf,
  type MinVarianceOf,
  type PortfolioOf,
  type TurningPoints,
  type FrontierPortfolios,
  type LinearConstraints,
  type MinVarianceOptions,
  type MinVarianceResult,
  type MaxUtilityOptions,
  type MeanVarianceOptions,
  type PortfolioConstraints,
  type PortfolioResult,
} from '../kernels/portfolio/portfolio.js';
export {
  EXPECTED_RETURNS_METHODS,
  LINKAGE_METHODS,
  NEAREST_PSD_METHODS,
  type ExpectedReturnsMethod,
  type ExpectedReturnsOptions,
  type HrpBatched,
  type HrpModel,
  type HrpOf,
  type HrpOptions,
  type HrpResult,
  type LinkageMethod,
  type NearestPsdMethod,
  type NearestPsdOptions,
  type NearestPsdResult,
  type RiskParityOf,
  type RiskParityOptions,
  type RiskParityResult,
} from '../kernels/portfolio/portfolio-allocation.js';
export { type CheckPsdResult, type CheckPsdStackResult, PSD_TOLERANCE, type PsdOptions } from '../kernels/portfolio/portfolio-psd.js';
export { stackCovariances, type BatchOptions, type CovStack, type IsBatch } from '../kernels/portfolio/portfolio-shapes.js';
export { backends, type BackendInfo, type BackendName } from '../backends/registry.js';
export {
  retainFreedMemory,
  RETAIN_FREED_DEFAULTS,
  type RetainFreedMemoryOptions,
  type RetainFreedMemoryResult,
} from './retain-freed-memory.js';
export { initTfjs, type TfjsBackendName } from '../backends/tfjs/public.js';
export { KernelbusError, KernelInputError, BackendUnavailableError } from '../errors.js';
export { FAMILY_KERNELS, type FamilyName, type KernelName } from '../kernels/families.js';
export { FrameTrades } from '../kernels/frame-trades.js';
export {
  CLASSIFY_ALGORITHMS,
  CLASSIFY_CONVENTIONS,
  type ClassifyAlgorithm,
  type ClassifyConvention,
  type ClassifyTradesOptions,
  type QuotedTrades,
  type QuoteStream,
} from '../kernels/vpin/classify.js';
export {
  PIN_FACTORIZATIONS,
  PIN_INITIALS,
  type AggregatedTrades,
  type AggregateTradesOptions,
  type PinEstimate,
  type PinFactorization,
  type PinInitials,
  type PinOptions,
  type PinParams,
} from '../kernels/vpin/pin.js';
export { dailyVpin, type DailyVpin, type DailyVpinOptions } from '../kernels/vpin/daily-vpin.js';
export {
  BAR_COLUMNS,
  type BarOptions,
  type Bars,
  type BarsBy,
  type InformationBarKind,
  type InformationBarOptions,
} from '../kernels/features/features.js';
export {
  MAX_BUCKETS_PER_CALL,
  VPIN_DEFAULTS,
  type BulkClassifyOptions,
  type ClassifyOptions,
  type OutOption,
  type DistributionOption,
  type SigmaOption,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinClassifier,
  type VpinOptions,
  type VpinStream,
} from '../kernels/vpin/vpin.js';

installEveryBackend(); // every backend, for the sync API from the first call
const defaults = kernels({ backend: defaultBackendChoice() });

/** Non-empty time bars of trades: `{ start, open, close, volume, count }`. */
export const timeBars = defaults.timeBars;
/** Tick rule signs per trade (Int8Array of +1/-1, 0 before the first price change). */
export const tickRule = defaults.tickRule;
/** Trade classification from the quote at each trade (Int8Array of +1 buy, -1 sell, 0): tick, quote, Lee-Ready, EMO, CLNV. */
export const classifyTrades = defaults.classifyTrades;
/** Buys and sells per period (day by default) from trade labels, unclassified trades left out: PINstimation's aggregate_trades. */
export const aggregateTrades = defaults.aggregateTrades;
/** PIN's log-likelihood at given parameters (factorizations 'e', 'lk', 'eho', in log space). */
export const pinLikelihood = defaults.pinLikelihood;
/** Maximum-likelihood PIN from daily buys and sells (PINstimation's pin_ea, pin_gwj, pin_yz). */
export const pin = defaults.pin;
/** Tick, volume, dollar or time bars from trades, mlfinlab's standard bars: `{ ts, tickNum, open, high, low, close, volume, buyVolume, ticks, dollarValue }`. */
export const bars = defaults.bars;
/** mlfinlab's EMA or Const imbalance bars (tick, volume or dollar imbalance), the same columns as `bars`. */
export const imbalanceBars = defaults.imbalanceBars;
/** mlfinlab's EMA or Const run bars, the same columns as `bars`. */
export const runBars = defaults.runBars;
/** Realized variance per day (highfrequency's rRVar): a Vector of days labelled by date. */
export const realizedVariance = defaults.realizedVariance;
/** Bipower variation per day (highfrequency's rBPCov on one asset). */
export const bipowerVariation = defaults.bipowerVariation;
/** MedRV per day (highfrequency's rMedRVar). */
export const medRV = defaults.medRV;
/** MinRV per day (highfrequency's rMinRVar). */
export const minRV = defaults.minRV;
/** Realized semivariances per day (highfrequency's rSVar): `{ positive, negative }`. */
export const realizedSemivariance = defaults.realizedSemivariance;
/** Two-scale realized variance per day (highfrequency's rTSCov on one asset). */
export const twoScaleRV = defaults.twoScaleRV;
/** Realized kernel per day (highfrequency's rKernelCov on one asset). */
export const realizedKernel = defaults.realizedKernel;
/** The HAR model of daily realized variances (highfrequency's HARmodel): `{ coefficients, fitted, forecast }`. */
export const har = defaults.har;
/** Range volatility of bars: Parkinson, Garman-Klass, Rogers-Satchell or Yang-Zhang (mlfinlab). */
export const rangeVolatility = defaults.rangeVolatility;
/** Roll's spread measure of closes, rolling (mlfinlab's get_roll_measure). */
export const rollMeasure = defaults.rollMeasure;
/** Roll impact: the Roll measure over dollar volume (mlfinlab's get_roll_impact). */
export const rollImpact = defaults.rollImpact;
/** Corwin-Schultz spread and Becker-Parkinson volatility from highs and lows (mlfinlab): `{ spread, sigma }`. */
export const corwinSchultz = defaults.corwinSchultz;
/** Kyle's lambda from bars, rolling (mlfinlab's get_bar_based_kyle_lambda). */
export const kyleLambda = defaults.kyleLambda;
/** Amihud's lambda from bars, rolling (mlfinlab's get_bar_based_amihud_lambda). */
export const amihudLambda = defaults.amihudLambda;
/** Hasbrouck's lambda from bars, rolling (mlfinlab's get_bar_based_hasbrouck_lambda). */
export const hasbrouckLambda = defaults.hasbrouckLambda;
/** vectorbt 1.1.0's Portfolio.from_signals: entries and exits into orders, cash, positions and trades (docs/backtest.md). */
export const backtestSignals = defaults.backtestSignals;
/** vectorbt 1.1.0's Portfolio.from_orders: one order per element of `size` (docs/backtest.md). */
export const backtestOrders = defaults.backtestOrders;
/** vectorbt 1.1.0's Portfolio.stats() of a backtest's result (docs/backtest.md). */
export const backtestStats = defaults.backtestStats;
export type {
  BacktestPrices,
  BacktestResult,
  BacktestStats,
  BacktestStatsColumns,
  BacktestStatsResult,
  OrderRecords,
  OrdersOptions,
  PerElement,
  Signals,
  SignalsOptions,
  TradeRecords,
} from '../kernels/backtest/backtest-kernels.js';
/** mlfinlab's cusum_filter: the symmetric CUSUM filter's event times (docs/labeling.md). */
export const cusumFilter = defaults.cusumFilter;
/** mlfinlab's get_daily_vol: the EWM standard deviation of one-day returns at each bar (docs/labeling.md). */
export const dailyVolatility = defaults.dailyVolatility;
/** mlfinlab's add_vertical_barrier: the first bar at or after each event + ms (docs/labeling.md). */
export const verticalBarriers = defaults.verticalBarriers;
/** mlfinlab's get_events + get_bins: triple-barrier labels and meta-labels (docs/labeling.md). */
export const tripleBarrier = defaults.tripleBarrier;
/** mlfinlab's trend_scanning_labels (docs/labeling.md). */
export const trendScanningLabels = defaults.trendScanningLabels;
/** mlfinlab's fixed_time_horizon labels (docs/labeling.md). */
export const fixedHorizonLabels = defaults.fixedHorizonLabels;
/** mlfinlab's num_concurrent_events per bar (docs/labeling.md). */
export const concurrentEvents = defaults.concurrentEvents;
/** mlfinlab's get_av_uniqueness_from_triple_barrier (docs/labeling.md). */
export const averageUniqueness = defaults.averageUniqueness;
/** mlfinlab's get_weights_by_return (docs/labeling.md). */
export const returnWeights = defaults.returnWeights;
/** mlfinlab's get_weights_by_time_decay (docs/labeling.md). */
export const timeDecayWeights = defaults.timeDecayWeights;
/** mlfinlab's get_weights_ffd: fixed-width fractional-difference weights (docs/labeling.md). */
export const fracDiffWeights = defaults.fracDiffWeights;
/** mlfinlab's frac_diff_ffd, per column (docs/labeling.md). */
export const fracDiff = defaults.fracDiff;
/** Purged k-fold cross-validation with an embargo: the book's, or mlfinlab's PurgedKFold (docs/labeling.md). */
export const purgedKFold = defaults.purgedKFold;
/** Combinatorial purged cross-validation: the book's, or mlfinlab's CombinatorialPurgedKFold (docs/labeling.md). */
export const combinatorialPurgedKFold = defaults.combinatorialPurgedKFold;
/** mlfinlab's get_ind_matrix (docs/labeling.md). */
export const indicatorMatrix = defaults.indicatorMatrix;
/** mlfinlab's sequential bootstrap, on this package's seeded generator (docs/labeling.md). */
export const sequentialBootstrap = defaults.sequentialBootstrap;
export type {
  CusumOptions,
  FixedHorizonOptions,
  TrendLabels,
  TrendScanningOptions,
  TripleBarrierEvents,
  TripleBarrierOptions,
  VerticalBarrierOptions,
} from '../kernels/labeling/labeling-kernels.js';
export type { BootstrapOptions, FracDiffOptions, TimeDecayOptions } from '../kernels/labeling/weights-kernels.js';
export type { CombinatorialOptions, Fold, PurgedKFoldOptions } from '../kernels/labeling/folds-kernels.js';
export type { BarTimes, CloseSeries, EventSpans } from '../kernels/labeling/labeling.js';
/** arch 8.0's arch_model(...).fit(): GARCH, GJR-GARCH or EGARCH, each column of a Matrix (docs/volatility.md). */
export const garch = defaults.garch;
/** arch 8.0's am.fix(params): the likelihood and conditional volatility at given parameters (docs/volatility.md). */
export const garchFilter = defaults.garchFilter;
/** arch 8.0's res.forecast(horizon, method='analytic') (docs/volatility.md). */
export const garchForecast = defaults.garchForecast;
/** Each bar's one-step VaR and ES from a model refitted every `refit` bars on the `window` before it (docs/volatility.md). */
export const garchVar = defaults.garchVar;
export type {
  ForecastSource,
  GarchFilterOptions,
  GarchFiltered,
  GarchFit,
  GarchForecast,
  GarchForecastOptions,
  GarchOptions,
  GarchParams,
  GarchVar,
  GarchVarOptions,
  ModelOptions,
} from '../kernels/volatility/volatility-kernels.js';
export { barStream, type BarStream, type BarStreamKind } from './bar-stream.js';
export {
  indicatorStream,
  type IndicatorStream,
  type IndicatorStreamOptions,
  type StreamBar,
  type StreamValue,
} from './indicator-stream.js';
export {
  combinations,
  type ColumnPairs,
  type CrossOptions,
  type SignalMatrix,
  type SignalVector,
} from '../kernels/indicators/signals.js';
export type { Period } from '../kernels/indicators/indicators-kernels.js';
/** Bulk volume classification: buy volume per bar. */
export const bulkClassify = defaults.bulkClassify;
/** VPIN per completed volume bucket: `{ startTs, endTs, duration, buyVolume, sellVolume, vpin, cdf }`. */
export const vpin = defaults.vpin;
/** Streaming VPIN with snapshot/restore. */
export const vpinStream = defaults.vpinStream;
/** Standard normal CDF Phi (number or Float64Array). */
export const normalCdf = defaults.normalCdf;
/** 1 - Phi, accurate in the upper tail (number or Float64Array). */
export const normalSf = defaults.normalSf;
/** Standard normal density (number or Float64Array). */
export const normalPdf = defaults.normalPdf;
/** Inverse of Phi (number or Float64Array). */
export const normalQuantile = defaults.normalQuantile;
/** Student-t CDF with nu degrees of freedom (number or Float64Array). */
export const studentTCdf = defaults.studentTCdf;
/** Inverse of the Student-t CDF (number or Float64Array). */
export const studentTQuantile = defaults.studentTQuantile;
/** Simple returns (p[t] - p[t-1]) / p[t-1] per column: a series or a (T - 1) x N matrix. */
export const simpleReturns = defaults.simpleReturns;
/** Log returns log(p[t] / p[t-1]) per column. */
export const logReturns = defaults.logReturns;
/** Cumulative returns per column, prod(1 + r) - 1 (or the wealth of options.startingValue): empyrical cum_returns. */
export const cumulativeReturns = defaults.cumulativeReturns;
/** Benchmark-relative statistics per column: beta, alpha, captures, up/down beta and alpha (empyrical), tracking error and information ratio (PerformanceAnalytics), correlation. */
export const relativeStats = defaults.relativeStats;
/** VaR backtests per column: exceptions, Kupiec, Christoffersen, the dynamic quantile test, the Basel traffic light. */
export const varBacktest = defaults.varBacktest;
/** empyrical's roll_* statistics per column over a trailing window: T x N per statistic (Sharpe, Sortino, volatility, max drawdown, beta, alpha, captures, VaRs). */
export const rolling = defaults.rolling;
/** The underwater curve W / cummax(W) - 1 per column (wealth 1 before the first return). */
export const drawdownSeries = defaults.drawdownSeries;
/** The deepest drawdowns per column: PerformanceAnalytics' table (default) or pyfolio's. */
export const drawdowns = defaults.drawdowns;
/** Returns compounded per calendar week, month, quarter or year (empyrical aggregate_returns). */
export const aggregateReturns = defaults.aggregateReturns;
/** Returns of fixed-weight portfolios (weights of N assets, or P x N), rebalanced every period. */
export const portfolioReturns = defaults.portfolioReturns;
/** Per-column performance statistics with empyrical's definitions (annual return, volatility, Sharpe, ...). */
export const performanceStats = defaults.performanceStats;
/** Value at risk and expected shortfall per column (positive losses): historical, Gaussian or Cornish-Fisher. */
export const valueAtRisk = defaults.valueAtRisk;
/** Covariance of the columns over the complete rows: sample, EWMA, shrinkage (scikit-learn, PyPortfolioOpt), semicovariance. */
export const covariance = defaults.covariance;
/** sqrt(w' S w) per portfolio (P x N weights in one call). */
export const portfolioVolatility = defaults.portfolioVolatility;
/** Each asset's part of the volatility of given weights (Euler: contributions summing to sigma, shares to 1). */
export const riskContributions = defaults.riskContributions;
/** Component VaR and ES per portfolio with their Euler contributions per asset (PerformanceAnalytics). */
export const componentVar = defaults.componentVar;
/** Monte Carlo VaR and ES per portfolio from `{ mean, cov }` (normal or Student-t scenarios, seeded Philox). */
export const monteCarloVar = defaults.monteCarloVar;
/** The Monte Carlo scenarios themselves (paths x N asset returns). */
export const monteCarloScenarios = defaults.monteCarloScenarios;
/** Each date (row) clipped to its linear lower/upper percentiles (toraniko's winsorize). */
export const winsorize = defaults.winsorize;
/** Each date minus its mean, over its sd (ddof 1): toraniko's center_xsection(standardize=True). */
export const standardize = defaults.standardize;
/** toraniko's momentum score (factor_mom): a T x N panel. */
export const momentum = defaults.momentum;
/** toraniko's size score (factor_sze): a T x N panel. */
export const size = defaults.size;
/** toraniko's value score (factor_val) from book/price, sales/price and cash-flow/price. */
export const value = defaults.value;
/** Market, sector and style factor returns and residuals of every date (toraniko's estimate_factor_returns). */
export const factorReturns = defaults.factorReturns;
/** EWMA factor covariance of factor returns (weighted mean removed, optional Newey-West), per period. */
export const factorCovariance = defaults.factorCovariance;
/** EWMA specific variance per asset from factorReturns()'s residuals, per period. */
export const specificRisk = defaults.specificRisk;
/** Portfolio variance split into factor (with each factor's Euler contribution) and specific parts. */
export const riskDecomposition = defaults.riskDecomposition;
/** The factor risk model (exposures, factor covariance, specific variances) of a factorReturns() fit, for riskDecomposition. */
export const factorRiskModel = defaults.factorRiskModel;
/** The minimum-variance portfolio under bounds and linear constraints (PyPortfolioOpt min_volatility), P problems per call. */
export const minVariance = defaults.minVariance;
/** The tangency portfolio (PyPortfolioOpt max_sharpe's convex reformulation), P problems per call. */
export const maxSharpe = defaults.maxSharpe;
/** max mu'w - delta/2 w'Sw under the constraints (PyPortfolioOpt max_quadratic_utility). */
export const maxUtility = defaults.maxUtility;
/** The least-variance portfolio of at least a target return (PyPortfolioOpt efficient_return). */
export const efficientReturn = defaults.efficientReturn;
/** The highest-return portfolio within a target volatility (PyPortfolioOpt efficient_risk). */
export const efficientRisk = defaults.efficientRisk;
/** The efficient frontier by the critical line algorithm (PyPortfolioOpt CLA): every turning point and points between. */
export const efficientFrontier = defaults.efficientFrontier;
/** Risk budgeting: long-only weights whose risk contributions equal the budgets (equal by default). */
export const riskParity = defaults.riskParity;
/** Hierarchical risk parity as PyPortfolioOpt's HRPOpt (scipy's linkage): weights, order, linkage matrix. */
export const hrp = defaults.hrp;
/** PyPortfolioOpt's fix_nonpositive_semidefinite: the matrix, or its spectral / diagonal repair. */
export const nearestPsd = defaults.nearestPsd;
/** Whether a covariance (or a stack) is positive semidefinite: the optimizers' test, its failing pivot. */
export const checkPsd = defaults.checkPsd;
/** PyPortfolioOpt's expected_returns: mean, ema or capm, annual, per column. */
export const expectedReturns = defaults.expectedReturns;
