/**
 * The risk and factor kernels of the API, written once over a dispatch: validation and defaults, the
 * backend call, the shaping of its output. kernels() instantiates them twice: with a synchronous
 * dispatch (the plain functions) and with one whose backend calls return promises (the `<name>Async`
 * functions: the native addon runs them on its thread pool).
 */
import { constants } from 'node:buffer';
import { KernelInputError } from '../errors.js';
import type { Families, KernelName } from '../kernels/families.js';
import {
  FACTOR_DEFAULTS,
  requirePanels,
  resolveFactorInputs,
  resolveMomentumOptions,
  resolveSizeOptions,
  resolveWinsorizeOptions,
  resolveWinsorizePercentile,
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
import {
  asColumns,
  COVARIANCE_METHODS,
  requireCovariance,
  requireReturnModel,
  resolveComponentVarOptions,
  resolveCovarianceOptions,
  resolveMonteCarloOptions,
  resolvePerformanceOptions,
  resolveVarOptions,
  SHRUNK_COVARIANCE_METHODS,
  splitStats,
  type ComponentVarOptions,
  type ComponentVarResult,
  type CovarianceOptions,
  type CovarianceResult,
  type Matrix,
  type MonteCarloOptions,
  type PerformanceOptions,
  type PerformanceStats,
  type ReturnModel,
  type Series,
  type VarOptions,
  type VarResult,
} from '../kernels/risk.js';
import { describeValue, requireFloat64Array } from '../kernels/validate.js';

/** The longest typed array this runtime allocates (elements). */
const MAX_LENGTH = constants.MAX_LENGTH;

/** How the panel kernels reach a backend: sync (values) or async (promises of them). */
export interface Dispatch {
  /** The implementation of `kernel` for `size` elements (in async mode its methods return promises). */
  family<F extends 'risk' | 'factor'>(name: F, kernel: KernelName, size: number): Families[F];
  /** Applies `shape` to a backend's output: at once (sync) or when its promise resolves (async). */
  then<T>(out: Float64Array, shape: (out: Float64Array) => T): T;
}

/** `portfolioReturns`: a series for weights of N assets, a T x P matrix for P x N weights. */
export type PortfolioReturnsFunction = {
  (returns: Series, weights: Float64Array): Float64Array;
  (returns: Series, weights: Matrix): Matrix;
};

/** The risk and factor kernels (each also exists as `<name>Async`, see AsyncPanelKernels). */
export interface PanelKernels {
  /** Returns of fixed-weight portfolios, rebalanced every period: T x P (a series for one). */
  portfolioReturns: PortfolioReturnsFunction;
  /** Annual return and volatility, Sharpe, Sortino, downside risk, max drawdown, Calmar, skewness, excess kurtosis per column (empyrical). */
  performanceStats(returns: Series, options?: PerformanceOptions): PerformanceStats;
  /** Value at risk and expected shortfall per column, positive losses: historical, Gaussian or Cornish-Fisher. */
  valueAtRisk(returns: Series, options: VarOptions): VarResult;
  /** Covariance of the columns over the complete rows: sample, RiskMetrics EWMA, Ledoit-Wolf or OAS (scikit-learn), semicovariance and shrinkage targets (PyPortfolioOpt). */
  covariance(returns: Series, options?: CovarianceOptions): CovarianceResult;
  /** sqrt(w' S w) per portfolio: weights of N assets (one value) or P x N (P values), in one call. */
  portfolioVolatility(cov: Matrix, weights: Series): Float64Array;
  /** Per portfolio the VaR and ES and their Euler contributions per asset (PerformanceAnalytics' component method). */
  componentVar(returns: Series, weights: Series, options: ComponentVarOptions): ComponentVarResult;
  /** Monte Carlo VaR and ES per portfolio from `{ mean, cov }` (Philox4x32-10: the same seed, the same scenarios on every backend). */
  monteCarloVar(model: ReturnModel, weights: Series, options?: MonteCarloOptions): VarResult;
  /** The asset-return scenarios monteCarloVar draws, paths x N. */
  monteCarloScenarios(model: ReturnModel, options?: MonteCarloOptions): Matrix;
  /** Each row (date) clipped to its linearly interpolated lower and upper percentiles (toraniko's winsorize). */
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

/** The kernels of PanelKernels that have a promise variant. */
export const ASYNC_KERNELS = [
  'performanceStats', 'valueAtRisk', 'covariance', 'portfolioVolatility', 'componentVar', 'monteCarloVar', 'monteCarloScenarios',
  'winsorize', 'standardize', 'momentum', 'size', 'value', 'factorReturns', 'factorCovariance', 'specificRisk', 'riskDecomposition',
] as const satisfies readonly (keyof PanelKernels)[];

type AsyncKernel = (typeof ASYNC_KERNELS)[number];

/**
 * `<name>Async(...)`: the same validation and result as `<name>`, as a promise; on the native backend
 * the kernel runs on the addon's thread pool, so the event loop stays free (elsewhere it runs on the
 * JS thread). Do not write to the arrays passed, nor transfer their buffers, until it settles.
 */
export type AsyncPanelKernels = {
  [K in AsyncKernel as `${K}Async`]: (...args: Parameters<PanelKernels[K]>) => Promise<ReturnType<PanelKernels[K]>>;
};

/** Weights of N assets (one portfolio) or P x N, as a matrix; KernelInputError unless N = `n` (`what` names n). */
function weightsMatrix(weights: Series, n: number, what: string): Matrix {
  const one = weights instanceof Float64Array;
  if (one) requireFloat64Array(weights, 'weights');
  const w = one ? { data: weights, rows: 1, cols: weights.length } : asColumns(weights, 'weights');
  if (w.cols !== n) throw new KernelInputError(one ? 'weights' : 'weights.cols', `${n} (${what})`, String(w.cols));
  return w;
}

/** The risk and factor kernels over dispatch `d`. */
export function panelKernels(d: Dispatch): PanelKernels {
  const { family, then } = d;
  return {
    portfolioReturns: ((returns: Series, weights: Series) => {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      const out = family('risk', 'portfolioReturns', r.data.length).portfolioReturns(r.data, r.rows, r.cols, w.data, w.rows);
      return then(out, (data) => (weights instanceof Float64Array ? data : { data, rows: r.rows, cols: w.rows }));
    }) as PortfolioReturnsFunction,
    performanceStats(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { periodsPerYear, riskFree } = resolvePerformanceOptions(opts);
      return then(family('risk', 'performanceStats', r.data.length).performanceStats(r.data, r.rows, r.cols, periodsPerYear, riskFree), (out) => splitStats(out, r.cols));
    },
    portfolioVolatility(cov, weights) {
      requireCovariance(cov, 'cov');
      const w = weightsMatrix(weights, cov.cols, 'the size of cov');
      return family('risk', 'portfolioVolatility', w.data.length).portfolioVolatility(cov.data, cov.cols, w.data, w.rows);
    },
    covariance(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { method, lambda, adjust, benchmark } = resolveCovarianceOptions(opts);
      return then(family('risk', 'covariance', r.data.length).covariance(r.data, r.rows, r.cols, method, lambda, adjust ? 1 : 0, benchmark), (out) => {
        const cov = { data: out.subarray(0, r.cols * r.cols), rows: r.cols, cols: r.cols };
        return SHRUNK_COVARIANCE_METHODS.includes(COVARIANCE_METHODS[method]) ? { cov, shrinkage: out[r.cols * r.cols] } : { cov };
      });
    },
    valueAtRisk(returns, opts) {
      const r = asColumns(returns, 'returns');
      const { method, confidence, ddof } = resolveVarOptions(opts);
      const out = family('risk', 'valueAtRisk', r.data.length).valueAtRisk(r.data, r.rows, r.cols, method, confidence, ddof);
      return then(out, (o) => ({ var: o.subarray(0, r.cols), es: o.subarray(r.cols) }));
    },
    monteCarloVar(model, weights, opts) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const w = weightsMatrix(weights, n, 'the size of cov');
      const { paths, confidence, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, w.rows, 'portfolio', 'losses');
      const out = family('risk', 'monteCarloVar', paths * n).monteCarloVar(model.mean, model.cov.data, n, w.data, w.rows, paths, confidence, horizon, seed, nu);
      return then(out, (o) => ({ var: o.subarray(0, w.rows), es: o.subarray(w.rows) }));
    },
    monteCarloScenarios(model, opts) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const { paths, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, n, 'asset', 'scenarios');
      const out = family('risk', 'monteCarloScenarios', paths * n).monteCarloScenarios(model.mean, model.cov.data, n, paths, horizon, seed, nu);
      return then(out, (data) => ({ data, rows: paths, cols: n }));
    },
    componentVar(returns, weights, opts) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      const { method, confidence } = resolveComponentVarOptions(opts);
      const out = family('risk', 'componentVar', r.data.length).componentVar(r.data, r.rows, r.cols, w.data, w.rows, method, confidence);
      const P = w.rows;
      const N = r.cols;
      return then(out, (o) => ({
        var: o.subarray(0, P),
        es: o.subarray(P, 2 * P),
        varContributions: { data: o.subarray(2 * P, 2 * P + P * N), rows: P, cols: N },
        esContributions: { data: o.subarray(2 * P + P * N), rows: P, cols: N },
      }));
    },
    winsorize(x, opts) {
      const [m] = requirePanels([[x, 'x']]);
      const { lower, upper } = resolveWinsorizeOptions(opts);
      return then(family('factor', 'winsorize', m.data.length).winsorize(m.data, m.rows, m.cols, lower, upper), (data) => ({ data, rows: m.rows, cols: m.cols }));
    },
    standardize(x) {
      const [m] = requirePanels([[x, 'x']]);
      return then(family('factor', 'standardize', m.data.length).standardize(m.data, m.rows, m.cols), (data) => ({ data, rows: m.rows, cols: m.cols }));
    },
    momentum(returns, opts) {
      const [r] = requirePanels([[returns, 'returns']]);
      const { weights, lag, winsorize } = resolveMomentumOptions(opts);
      return then(family('factor', 'momentum', r.data.length).momentum(r.data, r.rows, r.cols, weights, lag, winsorize), (data) => ({ data, rows: r.rows, cols: r.cols }));
    },
    size(marketCap, opts) {
      const [c] = requirePanels([[marketCap, 'marketCap']]);
      const { lower, upper } = resolveSizeOptions(opts);
      return then(family('factor', 'size', c.data.length).size(c.data, c.rows, c.cols, lower, upper), (data) => ({ data, rows: c.rows, cols: c.cols }));
    },
    value(bookPrice, salesPrice, cashFlowPrice, opts) {
      const [b, s, c] = requirePanels([[bookPrice, 'bookPrice'], [salesPrice, 'salesPrice'], [cashFlowPrice, 'cashFlowPrice']]);
      const p = resolveWinsorizePercentile(opts?.winsorize, null, 'options.winsorize');
      return then(family('factor', 'value', b.data.length).value(b.data, s.data, c.data, b.rows, b.cols, p), (data) => ({ data, rows: b.rows, cols: b.cols }));
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
      return then(out, (o) => ({
        factorReturns: { data: o.subarray(0, rows * K), rows, cols: K },
        residuals: { data: o.subarray(rows * K), rows, cols },
        names: ['market', ...x.sectorNames, ...x.styleNames],
      }));
    },
    factorCovariance(factorReturnsPanel, opts) {
      const [f] = requirePanels([[factorReturnsPanel, 'factorReturns']]);
      const { weights, lags } = resolveFactorCovarianceOptions(f.rows, opts);
      return then(family('factor', 'factorCovariance', f.data.length).factorCovariance(f.data, f.rows, f.cols, weights, lags), (data) => ({ data, rows: f.cols, cols: f.cols }));
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
      return then(out, (o) => ({
        total: o.subarray(0, P),
        factor: o.subarray(P, 2 * P),
        specific: o.subarray(2 * P, 3 * P),
        contributions: { data: o.subarray(3 * P, 3 * P + P * K), rows: P, cols: K },
        exposures: { data: o.subarray(3 * P + P * K), rows: P, cols: K },
      }));
    },
  };
}

/** The `<name>Async` functions over the async instance of the panel kernels: validation errors reject too. */
export function asyncVariants(panel: PanelKernels): AsyncPanelKernels {
  const out: Record<string, unknown> = {};
  for (const name of ASYNC_KERNELS) {
    const f = panel[name] as (...args: unknown[]) => unknown;
    out[`${name}Async`] = (...args: unknown[]) => Promise.resolve().then(() => f(...args));
  }
  return out as AsyncPanelKernels;
}

/**
 * Throws KernelInputError naming options.paths when paths x `per` values (the scenarios, or every
 * portfolio's losses, which the quantiles need together) exceed the longest array this runtime makes.
 */
function requirePathsFit(paths: number, per: number, unit: string, what: string): void {
  if (paths * per > MAX_LENGTH) {
    const most = Math.floor(MAX_LENGTH / per);
    throw new KernelInputError('options.paths', `at most ${most} with ${per} ${unit}${per === 1 ? '' : 's'} (the ${what} are paths x ${unit}s values, at most ${MAX_LENGTH} in one array)`, describeValue(paths));
  }
}
