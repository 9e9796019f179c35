/**
 * The dispatching API: validation and defaults (from the specs in src/kernels/), then a backend per
 * call (from the registry in src/backends/). `kernels({ backend })` binds every kernel to one backend
 * choice; the top-level exports use the default choice (KERNELBUS_BACKEND, else 'auto').
 */
import { backendNames, implementsKernel, loadBackend, type BackendName } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError, KernelInputError } from '../errors.js';
import { KERNEL_FAMILY, type Families, type FamilyName, type KernelName } from '../kernels/families.js';
import { decodeSnapshot, encodeSnapshot } from '../kernels/snapshot.js';
import * as special from '../kernels/special.js';
import { requireNu } from '../kernels/special-family.js';
import { describeValue, requireFloat64Array } from '../kernels/validate.js';
import {
  requireBars,
  requireTrades,
  resolveBarMs,
  resolveClassifyOptions,
  resolveVpinOptions,
  type ClassifyOptions,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinOptions,
  type VpinStream,
} from '../kernels/vpin.js';
import {
  asColumns,
  resolvePerformanceOptions,
  splitStats,
  type Matrix,
  type PerformanceOptions,
  type PerformanceStats,
  type Series,
  resolveVarOptions,
  resolveCovarianceOptions,
  requireCovariance,
  COVARIANCE_METHODS,
  SHRUNK_COVARIANCE_METHODS,
  type CovarianceOptions,
  type CovarianceResult,
  type VarOptions,
  type VarResult,
  resolveComponentVarOptions,
  resolveMonteCarloOptions,
  requireReturnModel,
  type MonteCarloOptions,
  type ReturnModel,
  type ComponentVarOptions,
  type ComponentVarResult,
} from '../kernels/risk.js';
import {
  requirePanels,
  resolveFactorInputs,
  resolveMomentumOptions,
  resolveSizeOptions,
  resolveWinsorizeOptions,
  resolveWinsorizePercentile,
  FACTOR_DEFAULTS,
  type FactorInputs,
  type FactorReturnsOptions,
  type FactorReturnsResult,
  type MomentumOptions,
  type SizeOptions,
  type ValueOptions,
  type WinsorizeOptions,
} from '../kernels/factor.js';
import {
  requireFactorRiskModel,
  resolveFactorCovarianceOptions,
  resolveSpecificRiskOptions,
  type FactorCovarianceOptions,
  type FactorRiskModel,
  type RiskDecomposition,
  type SpecificRiskOptions,
} from '../kernels/factor-model.js';
import { autoBackend } from './auto.js';

/** What `kernels({ backend })` accepts: 'auto' (per call, from the measured thresholds) or a backend. */
export type BackendChoice = 'auto' | BackendName;

/** A special function of x: a number gives a number (pure TS), a Float64Array an array (the backend). */
export interface SpecialFunction {
  (x: number): number;
  (x: Float64Array): Float64Array;
}
/** A Student-t function of (x, nu), number or Float64Array like SpecialFunction. */
export interface StudentTFunction {
  (x: number, nu: number): number;
  (x: Float64Array, nu: number): Float64Array;
}

/** Returns from prices: a series gives a series, a T x N matrix a (T - 1) x N matrix. */
export interface ReturnsFunction {
  (prices: Float64Array): Float64Array;
  (prices: Matrix): Matrix;
}
/** Fixed-weight portfolio returns: weights of N assets give a series, P x N weights a T x P matrix. */
export interface PortfolioReturnsFunction {
  (returns: Series, weights: Float64Array): Float64Array;
  (returns: Series, weights: Matrix): Matrix;
}

/** The kernel functions, bound to one backend choice. */
export interface Kernels {
  readonly backend: BackendChoice;
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): TimeBars;
  /** Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change. */
  tickRule(price: Float64Array): Int8Array;
  /** Bulk volume classification: buy volume per bar, volume * F(dP / sigma). */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: ClassifyOptions): Float64Array;
  /** VPIN per completed volume bucket. */
  vpin(trades: Trades, options: VpinOptions): VpinBuckets;
  /** Streaming VPIN with snapshot/restore; needs a causal sigma. */
  vpinStream(options: VpinOptions): VpinStream;
  /** Standard normal CDF Phi(x) (W. J. Cody's erf/erfc; full double precision). */
  normalCdf: SpecialFunction;
  /** Its complement 1 - Phi(x), without cancellation in the upper tail. */
  normalSf: SpecialFunction;
  /** Standard normal density. */
  normalPdf: SpecialFunction;
  /** Inverse of Phi (Wichura AS241): p in [0, 1], else NaN. */
  normalQuantile: SpecialFunction;
  /** Student-t CDF with nu > 0 degrees of freedom. */
  studentTCdf: StudentTFunction;
  /** Inverse of the Student-t CDF. */
  studentTQuantile: StudentTFunction;
  /** Simple returns (p[t] - p[t-1]) / p[t-1] per column (empyrical.simple_returns). */
  simpleReturns: ReturnsFunction;
  /** Log returns log(p[t] / p[t-1]) per column. */
  logReturns: ReturnsFunction;
  /** Returns of fixed-weight portfolios, rebalanced every period: T x P (a series for one). */
  portfolioReturns: PortfolioReturnsFunction;
  /** Annual return and volatility, Sharpe, Sortino, downside risk, max drawdown, Calmar, skewness, excess kurtosis per column (empyrical). */
  performanceStats(returns: Series, options?: PerformanceOptions): PerformanceStats;
  /** Value at risk and expected shortfall per column, positive losses: historical, Gaussian or Cornish-Fisher. */
  valueAtRisk(returns: Series, options: VarOptions): VarResult;
  /** Covariance of the columns over the complete rows: sample, RiskMetrics EWMA, Ledoit-Wolf or OAS (scikit-learn), semicovariance (PyPortfolioOpt). */
  covariance(returns: Series, options?: CovarianceOptions): CovarianceResult;
  /** sqrt(w' S w) per portfolio: weights of N assets (one value) or P x N (P values), in one call. */
  portfolioVolatility(cov: Matrix, weights: Series): Float64Array;
  /**
   * Per portfolio the VaR and ES and their Euler contributions per asset (P x N, each row summing to
   * the total): PerformanceAnalytics' component method, Gaussian or Cornish-Fisher.
   */
  componentVar(returns: Series, weights: Series, options: ComponentVarOptions): ComponentVarResult;
  /**
   * Monte Carlo VaR and ES per portfolio (positive losses) from `{ mean, cov }`: normal or Student-t
   * scenarios through the Cholesky factor of cov (Philox4x32-10: the same seed, the same scenarios
   * on every backend), each portfolio projected first (O(N) a path).
   */
  monteCarloVar(model: ReturnModel, weights: Series, options?: MonteCarloOptions): VarResult;
  /** The asset-return scenarios monteCarloVar draws, paths x N. */
  monteCarloScenarios(model: ReturnModel, options?: MonteCarloOptions): Matrix;
  /** Each row (date) clipped to its linearly interpolated lower and upper percentiles (numpy nanpercentile; toraniko's winsorize). */
  winsorize(x: Matrix, options?: WinsorizeOptions): Matrix;
  /** Each row minus its mean, over its sd (ddof 1): toraniko's center_xsection(standardize=True). */
  standardize(x: Matrix): Matrix;
  /** toraniko's momentum score per date and asset (factor_mom). */
  momentum(returns: Matrix, options?: MomentumOptions): Matrix;
  /** toraniko's size score (factor_sze): -ln(cap) standardized, 0 strictly inside the quantile band. */
  size(marketCap: Matrix, options?: SizeOptions): Matrix;
  /** toraniko's value score (factor_val) from book/price, sales/price and cash-flow/price panels. */
  value(bookPrice: Matrix, salesPrice: Matrix, cashFlowPrice: Matrix, options?: ValueOptions): Matrix;
  /** Market, sector and style factor returns and residuals per date (toraniko's estimate_factor_returns), all dates in one call. */
  factorReturns(inputs: FactorInputs, options?: FactorReturnsOptions): FactorReturnsResult;
  /** EWMA factor covariance (weighted mean removed, optional Newey-West), K x K, per period (Barra USE4's conventions). */
  factorCovariance(factorReturns: Matrix, options?: FactorCovarianceOptions): Matrix;
  /** EWMA specific variance per asset from the residuals (per period). */
  specificRisk(residuals: Matrix, options?: SpecificRiskOptions): Float64Array;
  /** Per portfolio: total, factor and specific variance, each factor's Euler contribution and the portfolio's exposures. */
  riskDecomposition(model: FactorRiskModel, weights: Series): RiskDecomposition;
}

/** Weights of N assets (one portfolio) or P x N, as a matrix; KernelInputError unless N = `n` (`what` names n). */
function weightsMatrix(weights: Series, n: number, what: string): Matrix {
  const one = weights instanceof Float64Array;
  if (one) requireFloat64Array(weights, 'weights');
  const w = one ? { data: weights, rows: 1, cols: weights.length } : asColumns(weights, 'weights');
  if (w.cols !== n) throw new KernelInputError(one ? 'weights' : 'weights.cols', `${n} (${what})`, String(w.cols));
  return w;
}

/** A loaded backend by name: BackendUnavailableError when it cannot load, KernelInputError when unknown. */
function namedBackend(choice: unknown): Backend {
  if (typeof choice !== 'string' || !backendNames().includes(choice)) {
    throw new KernelInputError('options.backend', `'auto' or one of ${backendNames().map((n) => `'${n}'`).join(', ')}`, describeValue(choice));
  }
  const result = loadBackend(choice);
  if (!result.backend) throw new BackendUnavailableError(choice, result.reason);
  return result.backend;
}

/**
 * The kernel functions bound to a backend: `'auto'` (default: per call, the backend the thresholds of
 * src/api/auto.ts pick for the input size, else the reference) or a registered backend by name
 * (BackendUnavailableError now when it cannot load here, and at the call of a kernel it lacks).
 * `threads`: the threads a native call may use (default: KERNELBUS_THREADS, else the cores); results
 * are the same bits whatever the count (the work is shared out, no sum is split).
 */
export function kernels(options: { backend?: BackendChoice; threads?: number } = {}): Kernels {
  const choice = options.backend ?? 'auto';
  const threads = options.threads;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 1024)) {
    throw new KernelInputError('options.threads', 'an integer in [1, 1024]', describeValue(threads));
  }
  const fixed = choice === 'auto' ? undefined : namedBackend(choice);

  /** The family implementation that runs `kernel` over `size` elements. */
  function family<F extends FamilyName>(name: F, kernel: KernelName, size: number): Families[F] {
    const backend = fixed ?? autoBackend(kernel, size);
    if (!implementsKernel(backend, kernel)) {
      throw new BackendUnavailableError(backend.name, `it does not implement kernel '${kernel}' (family '${KERNEL_FAMILY[kernel]}')`, kernel);
    }
    backend.configure?.({ threads });
    return backend.families[name] as Families[F];
  }

  const special1 = (kernel: 'normalCdf' | 'normalSf' | 'normalPdf' | 'normalQuantile'): SpecialFunction =>
    ((x: number | Float64Array) => {
      if (typeof x === 'number') return special[kernel](x);
      requireFloat64Array(x, 'x');
      return family('special', kernel, x.length)[kernel](x);
    }) as SpecialFunction;
  const specialNu = (kernel: 'studentTCdf' | 'studentTQuantile'): StudentTFunction =>
    ((x: number | Float64Array, nu: number) => {
      requireNu(nu);
      if (typeof x === 'number') return special[kernel](x, nu);
      requireFloat64Array(x, 'x');
      return family('special', kernel, x.length)[kernel](x, nu);
    }) as StudentTFunction;

  const returnsOf = (kernel: 'simpleReturns' | 'logReturns'): ReturnsFunction =>
    ((prices: Series) => {
      const m = asColumns(prices, 'prices');
      const data = family('risk', kernel, m.data.length)[kernel](m.data, m.rows, m.cols);
      return prices instanceof Float64Array ? data : { data, rows: Math.max(m.rows - 1, 0), cols: m.cols };
    }) as ReturnsFunction;

  return {
    backend: choice,
    timeBars(trades, opts) {
      requireTrades(trades);
      const barMs = resolveBarMs(opts);
      return family('vpin', 'timeBars', trades.ts.length).timeBars(trades.ts, trades.price, trades.volume, barMs);
    },
    tickRule(price) {
      requireFloat64Array(price, 'price');
      return family('vpin', 'tickRule', price.length).tickRule(price);
    },
    bulkClassify(bars, opts) {
      requireBars(bars);
      const params = resolveClassifyOptions(opts);
      return family('vpin', 'bulkClassify', bars.open.length).bulkClassify(bars.open, bars.close, bars.volume, params);
    },
    vpin(trades, opts) {
      requireTrades(trades);
      const params = resolveVpinOptions(opts, false);
      return family('vpin', 'vpin', trades.ts.length).vpin(trades.ts, trades.price, trades.volume, params);
    },
    vpinStream(opts) {
      const params = resolveVpinOptions(opts, true);
      const core = family('vpin', 'vpinStream', Infinity).vpinStream(params);
      return {
        update(trades: Trades) {
          requireTrades(trades);
          return core.update(trades.ts, trades.price, trades.volume);
        },
        flush: () => core.flush(),
        snapshot: () => encodeSnapshot(params, core.exportState()),
        restore(bytes: Uint8Array) {
          core.importState(decodeSnapshot(params, bytes));
        },
        get bucketCount() {
          return core.bucketCount;
        },
      };
    },
    normalCdf: special1('normalCdf'),
    normalSf: special1('normalSf'),
    normalPdf: special1('normalPdf'),
    normalQuantile: special1('normalQuantile'),
    studentTCdf: specialNu('studentTCdf'),
    studentTQuantile: specialNu('studentTQuantile'),
    simpleReturns: returnsOf('simpleReturns'),
    logReturns: returnsOf('logReturns'),
    portfolioReturns: ((returns: Series, weights: Series) => {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      const data = family('risk', 'portfolioReturns', r.data.length).portfolioReturns(r.data, r.rows, r.cols, w.data, w.rows);
      return weights instanceof Float64Array ? data : { data, rows: r.rows, cols: w.rows };
    }) as PortfolioReturnsFunction,
    performanceStats(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { periodsPerYear, riskFree } = resolvePerformanceOptions(opts);
      return splitStats(family('risk', 'performanceStats', r.data.length).performanceStats(r.data, r.rows, r.cols, periodsPerYear, riskFree), r.cols);
    },
    portfolioVolatility(cov, weights) {
      requireCovariance(cov, 'cov');
      const w = weightsMatrix(weights, cov.cols, 'the size of cov');
      return family('risk', 'portfolioVolatility', w.data.length).portfolioVolatility(cov.data, cov.cols, w.data, w.rows);
    },
    covariance(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { method, lambda, adjust, benchmark } = resolveCovarianceOptions(opts);
      const out = family('risk', 'covariance', r.data.length).covariance(r.data, r.rows, r.cols, method, lambda, adjust ? 1 : 0, benchmark);
      const cov = { data: out.subarray(0, r.cols * r.cols), rows: r.cols, cols: r.cols };
      return SHRUNK_COVARIANCE_METHODS.includes(COVARIANCE_METHODS[method]) ? { cov, shrinkage: out[r.cols * r.cols] } : { cov };
    },
    valueAtRisk(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { method, confidence, ddof } = resolveVarOptions(opts);
      const out = family('risk', 'valueAtRisk', r.data.length).valueAtRisk(r.data, r.rows, r.cols, method, confidence, ddof);
      return { var: out.subarray(0, r.cols), es: out.subarray(r.cols) };
    },
    monteCarloVar(model, weights, opts) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const w = weightsMatrix(weights, n, 'the size of cov');
      const { paths, confidence, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      const out = family('risk', 'monteCarloVar', paths * n).monteCarloVar(model.mean, model.cov.data, n, w.data, w.rows, paths, confidence, horizon, seed, nu);
      return { var: out.subarray(0, w.rows), es: out.subarray(w.rows) };
    },
    monteCarloScenarios(model, opts) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const { paths, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      const data = family('risk', 'monteCarloScenarios', paths * n).monteCarloScenarios(model.mean, model.cov.data, n, paths, horizon, seed, nu);
      return { data, rows: paths, cols: n };
    },
    winsorize(x, opts) {
      const [m] = requirePanels([[x, 'x']]);
      const { lower, upper } = resolveWinsorizeOptions(opts);
      return { data: family('factor', 'winsorize', m.data.length).winsorize(m.data, m.rows, m.cols, lower, upper), rows: m.rows, cols: m.cols };
    },
    standardize(x) {
      const [m] = requirePanels([[x, 'x']]);
      return { data: family('factor', 'standardize', m.data.length).standardize(m.data, m.rows, m.cols), rows: m.rows, cols: m.cols };
    },
    momentum(returns, opts) {
      const [r] = requirePanels([[returns, 'returns']]);
      const { weights, lag, winsorize } = resolveMomentumOptions(opts);
      return { data: family('factor', 'momentum', r.data.length).momentum(r.data, r.rows, r.cols, weights, lag, winsorize), rows: r.rows, cols: r.cols };
    },
    size(marketCap, opts) {
      const [c] = requirePanels([[marketCap, 'marketCap']]);
      const { lower, upper } = resolveSizeOptions(opts);
      return { data: family('factor', 'size', c.data.length).size(c.data, c.rows, c.cols, lower, upper), rows: c.rows, cols: c.cols };
    },
    value(bookPrice, salesPrice, cashFlowPrice, opts) {
      const [b, s, c] = requirePanels([[bookPrice, 'bookPrice'], [salesPrice, 'salesPrice'], [cashFlowPrice, 'cashFlowPrice']]);
      const p = resolveWinsorizePercentile(opts?.winsorize, null, 'options.winsorize');
      return { data: family('factor', 'value', b.data.length).value(b.data, s.data, c.data, b.rows, b.cols, p), rows: b.rows, cols: b.cols };
    },
    factorReturns(inputs, opts) {
      const x = resolveFactorInputs(inputs);
      const p = resolveWinsorizePercentile(opts?.winsorize, FACTOR_DEFAULTS.factorReturns.winsorize, 'options.winsorize');
      const residualize = opts?.residualizeStyles ?? FACTOR_DEFAULTS.factorReturns.residualizeStyles;
      if (typeof residualize !== 'boolean') throw new KernelInputError('options.residualizeStyles', 'a boolean', describeValue(residualize));
      const { rows, cols } = x.returns;
      const out = family('factor', 'factorReturns', x.returns.data.length).factorReturns(
        x.returns.data, x.marketCap.data, rows, cols, x.sectors, x.perDate ? 1 : 0, x.sectorNames.length, x.styles, p, residualize ? 1 : 0,
      );
      const K = 1 + x.sectorNames.length + x.styleNames.length;
      return {
        factorReturns: { data: out.subarray(0, rows * K), rows, cols: K },
        residuals: { data: out.subarray(rows * K), rows, cols },
        names: ['market', ...x.sectorNames, ...x.styleNames],
      };
    },
    factorCovariance(factorReturnsPanel, opts) {
      const [f] = requirePanels([[factorReturnsPanel, 'factorReturns']]);
      const { weights, lags } = resolveFactorCovarianceOptions(f.rows, opts);
      const data = family('factor', 'factorCovariance', f.data.length).factorCovariance(f.data, f.rows, f.cols, weights, lags);
      return { data, rows: f.cols, cols: f.cols };
    },
    specificRisk(residuals, opts) {
      const [e] = requirePanels([[residuals, 'residuals']]);
      const weights = resolveSpecificRiskOptions(e.rows, opts);
      return family('factor', 'specificRisk', e.data.length).specificRisk(e.data, e.rows, e.cols, weights);
    },
    riskDecomposition(model, weights) {
      requireFactorRiskModel(model);
      const { rows: N, cols: K } = model.exposures;
      const w = weightsMatrix(weights, N, 'the assets of model.exposures');
      const P = w.rows;
      const out = family('factor', 'riskDecomposition', w.data.length).riskDecomposition(model.exposures.data, N, K, model.factorCov.data, model.specificVar, w.data, P);
      return {
        total: out.subarray(0, P),
        factor: out.subarray(P, 2 * P),
        specific: out.subarray(2 * P, 3 * P),
        contributions: { data: out.subarray(3 * P, 3 * P + P * K), rows: P, cols: K },
        exposures: { data: out.subarray(3 * P + P * K), rows: P, cols: K },
      };
    },
    componentVar(returns, weights, opts) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      const { method, confidence } = resolveComponentVarOptions(opts);
      const out = family('risk', 'componentVar', r.data.length).componentVar(r.data, r.rows, r.cols, w.data, w.rows, method, confidence);
      const P = w.rows;
      const N = r.cols;
      return {
        var: out.subarray(0, P),
        es: out.subarray(P, 2 * P),
        varContributions: { data: out.subarray(2 * P, 2 * P + P * N), rows: P, cols: N },
        esContributions: { data: out.subarray(2 * P + P * N), rows: P, cols: N },
      };
    },
  };
}

/** The default backend choice: KERNELBUS_BACKEND when set, else 'auto'. */
export function defaultBackendChoice(): BackendChoice {
  const env = process.env.KERNELBUS_BACKEND;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (backendNames().includes(env)) return env as BackendName;
  throw new BackendUnavailableError(env, `unknown KERNELBUS_BACKEND (expected 'auto' or one of ${backendNames().join(', ')})`);
}
