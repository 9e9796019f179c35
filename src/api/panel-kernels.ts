/**
 * The risk and factor kernels of the API, written once over a Run (see dispatch.ts): validation and
 * defaults from the specs, the backend call, and its output split into named results by the kernel's
 * descriptor (no offsets here: `splitOutputs`).
 */
import { constants } from 'node:buffer';
import { KernelInputError } from '../errors.js';
import { requireKnownOptions, splitOutputs, type Dims, type OutputSpec, type OutputValue } from '../kernels/descriptor.js';
import { KERNEL_SPECS, type KernelName } from '../kernels/families.js';
import {
  FACTOR_DEFAULTS,
  FACTOR_KERNELS,
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
import type { Matrix, Series } from '../kernels/matrix.js';
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
  RISK_KERNELS,
  SHRUNK_COVARIANCE_METHODS,
  type ComponentVarOptions,
  type ComponentVarResult,
  type CovarianceOptions,
  type CovarianceResult,
  type MonteCarloOptions,
  type PerformanceOptions,
  type PerformanceStats,
  type ReturnModel,
  type VarOptions,
  type VarResult,
} from '../kernels/risk.js';
import { describeValue, requireFloat64Array } from '../kernels/validate.js';
import type { Result, Run } from './dispatch.js';

/** The longest typed array this runtime allocates (elements). */
const MAX_LENGTH = constants.MAX_LENGTH;

/** `portfolioReturns`: a series for weights of N assets, a T x P matrix for P x N weights. */
export type PortfolioReturnsFunction = {
  (returns: Series, weights: Float64Array): Float64Array;
  (returns: Series, weights: Matrix): Matrix;
};

/** A panel result: a Matrix, or one date's Float64Array when the input was one date. */
export type Panel<X> = X extends Float64Array ? Float64Array : Matrix;

/**
 * The risk and factor kernels (each also exists as `<name>Async`). A factor kernel taking a panel
 * (rows = dates) takes one date as a Float64Array too, and returns one then.
 */
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
  winsorize<X extends Matrix | Float64Array>(x: X, options?: WinsorizeOptions): Panel<X>;
  /** Each row minus its mean, over its sd (ddof 1): toraniko's center_xsection(standardize=True). */
  standardize<X extends Matrix | Float64Array>(x: X): Panel<X>;
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

/** The fixed-layout kernels' results: a backend call's output split by the kernel's descriptor. */
type Outputs = Record<string, OutputValue>;

/**
 * The risk and factor kernels over `run`. Each validates its arguments, resolves its options, calls
 * the backend with the family's positional arguments and shapes the named outputs of its descriptor.
 */
export function panelKernels<Async extends boolean>(run: Run<Async>): { [K in keyof PanelKernels]: (...args: never[]) => unknown } {
  /** Runs a fixed-layout kernel over `args` and hands `shape` its named outputs. */
  function fixed<T>(
    family: 'risk' | 'factor',
    kernel: KernelName,
    size: number,
    args: unknown[],
    shape: (o: Outputs) => T,
  ): Result<Async, T> {
    const spec = KERNEL_SPECS[kernel] as OutputSpec;
    const dims = (spec.dims as (...a: unknown[]) => Dims)(...args);
    return run(
      family,
      kernel,
      size,
      (f) => (f as unknown as Record<string, (...a: unknown[]) => Float64Array>)[kernel](...args),
      (out) => shape(splitOutputs(spec.outputs, out, dims)),
    );
  }
  /** A panel result as its input came: a Matrix, or one date's values for a Float64Array. */
  const asInput = (input: unknown, m: OutputValue) => (input instanceof Float64Array ? (m as Matrix).data : m);

  return {
    portfolioReturns(returns: Series, weights: Series) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      return fixed('risk', 'portfolioReturns', r.data.length, [r.data, r.rows, r.cols, w.data, w.rows], (o) =>
        asWeights(weights, o.returns),
      );
    },
    performanceStats(returns: Series, opts?: PerformanceOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.performanceStats, opts);
      const { periodsPerYear, riskFree } = resolvePerformanceOptions(opts);
      return fixed(
        'risk',
        'performanceStats',
        r.data.length,
        [r.data, r.rows, r.cols, periodsPerYear, riskFree],
        (o) => o as PerformanceStats,
      );
    },
    portfolioVolatility(cov: Matrix, weights: Series) {
      requireCovariance(cov, 'cov');
      const w = weightsMatrix(weights, cov.cols, 'the size of cov');
      return fixed('risk', 'portfolioVolatility', w.data.length, [cov.data, cov.cols, w.data, w.rows], (o) => o.volatility);
    },
    covariance(returns: Series, opts?: CovarianceOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.covariance, opts);
      const { method, lambda, adjust, benchmark } = resolveCovarianceOptions(opts);
      const shrunk = SHRUNK_COVARIANCE_METHODS.includes(COVARIANCE_METHODS[method]);
      return fixed('risk', 'covariance', r.data.length, [r.data, r.rows, r.cols, method, lambda, adjust ? 1 : 0, benchmark], (o) =>
        shrunk ? { cov: o.cov, shrinkage: o.shrinkage } : { cov: o.cov },
      );
    },
    valueAtRisk(returns: Series, opts: VarOptions) {
      const r = asColumns(returns, 'returns');
      requireKnownOptions(RISK_KERNELS.valueAtRisk, opts);
      const { method, confidence, ddof } = resolveVarOptions(opts);
      return fixed(
        'risk',
        'valueAtRisk',
        r.data.length,
        [r.data, r.rows, r.cols, method, confidence, ddof],
        (o) => o as unknown as VarResult,
      );
    },
    monteCarloVar(model: ReturnModel, weights: Series, opts?: MonteCarloOptions) {
      requireReturnModel(model);
      const n = model.cov.cols;
      const w = weightsMatrix(weights, n, 'the size of cov');
      requireKnownOptions(RISK_KERNELS.monteCarloVar, opts);
      const { paths, confidence, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, w.rows, 'portfolio', 'losses');
      const args = [model.mean, model.cov.data, n, w.data, w.rows, paths, confidence, horizon, seed, nu];
      return fixed('risk', 'monteCarloVar', paths * n, args, (o) => o as unknown as VarResult);
    },
    monteCarloScenarios(model: ReturnModel, opts?: MonteCarloOptions) {
      requireReturnModel(model);
      const n = model.cov.cols;
      requireKnownOptions(RISK_KERNELS.monteCarloScenarios, opts);
      const { paths, horizon, seed, nu } = resolveMonteCarloOptions(opts);
      requirePathsFit(paths, n, 'asset', 'scenarios');
      return fixed('risk', 'monteCarloScenarios', paths * n, [model.mean, model.cov.data, n, paths, horizon, seed, nu], (o) => o.scenarios);
    },
    componentVar(returns: Series, weights: Series, opts: ComponentVarOptions) {
      const r = asColumns(returns, 'returns');
      const w = weightsMatrix(weights, r.cols, 'the columns of returns');
      requireKnownOptions(RISK_KERNELS.componentVar, opts);
      const { method, confidence } = resolveComponentVarOptions(opts);
      const args = [r.data, r.rows, r.cols, w.data, w.rows, method, confidence];
      return fixed('risk', 'componentVar', r.data.length, args, (o) => o as unknown as ComponentVarResult);
    },
    winsorize(x: Matrix | Float64Array, opts?: WinsorizeOptions) {
      const [m] = requirePanels([[x, 'x']]);
      requireKnownOptions(FACTOR_KERNELS.winsorize, opts);
      const { lower, upper } = resolveWinsorizeOptions(opts);
      return fixed('factor', 'winsorize', m.data.length, [m.data, m.rows, m.cols, lower, upper], (o) => asInput(x, o.x));
    },
    standardize(x: Matrix | Float64Array) {
      const [m] = requirePanels([[x, 'x']]);
      return fixed('factor', 'standardize', m.data.length, [m.data, m.rows, m.cols], (o) => asInput(x, o.x));
    },
    momentum(returns: Matrix, opts?: MomentumOptions) {
      const [r] = requirePanels([[returns, 'returns']]);
      requireKnownOptions(FACTOR_KERNELS.momentum, opts);
      const { weights, lag, winsorize } = resolveMomentumOptions(opts);
      return fixed('factor', 'momentum', r.data.length, [r.data, r.rows, r.cols, weights, lag, winsorize], (o) =>
        asInput(returns, o.scores),
      );
    },
    size(marketCap: Matrix, opts?: SizeOptions) {
      const [c] = requirePanels([[marketCap, 'marketCap']]);
      requireKnownOptions(FACTOR_KERNELS.size, opts);
      const { lower, upper } = resolveSizeOptions(opts);
      return fixed('factor', 'size', c.data.length, [c.data, c.rows, c.cols, lower, upper], (o) => asInput(marketCap, o.scores));
    },
    value(bookPrice: Matrix, salesPrice: Matrix, cashFlowPrice: Matrix, opts?: ValueOptions) {
      const [b, s, c] = requirePanels([
        [bookPrice, 'bookPrice'],
        [salesPrice, 'salesPrice'],
        [cashFlowPrice, 'cashFlowPrice'],
      ]);
      requireKnownOptions(FACTOR_KERNELS.value, opts);
      const p = resolveWinsorizePercentile(opts?.winsorize, null, 'options.winsorize');
      return fixed('factor', 'value', b.data.length, [b.data, s.data, c.data, b.rows, b.cols, p], (o) => asInput(bookPrice, o.scores));
    },
    factorReturns(inputs: FactorInputs, opts?: FactorReturnsOptions) {
      const x = resolveFactorInputs(inputs);
      requireKnownOptions(FACTOR_KERNELS.factorReturns, opts);
      const p = resolveWinsorizePercentile(opts?.winsorize, FACTOR_DEFAULTS.factorReturns.winsorize, 'options.winsorize');
      const residualize = opts?.residualizeStyles ?? FACTOR_DEFAULTS.factorReturns.residualizeStyles;
      if (typeof residualize !== 'boolean')
        throw new KernelInputError('options.residualizeStyles', 'a boolean', describeValue(residualize));
      const { rows, cols } = x.returns;
      const args = [
        x.returns.data,
        x.marketCap.data,
        rows,
        cols,
        x.sectors,
        x.perDate ? 1 : 0,
        x.sectorNames.length,
        x.styles,
        p,
        residualize ? 1 : 0,
      ];
      const names = ['market', ...x.sectorNames, ...x.styleNames];
      return fixed('factor', 'factorReturns', x.returns.data.length, args, (o) => ({ ...(o as unknown as FactorReturnsResult), names }));
    },
    factorCovariance(factorReturnsPanel: Matrix, opts?: FactorCovarianceOptions) {
      const [f] = requirePanels([[factorReturnsPanel, 'factorReturns']]);
      requireKnownOptions(FACTOR_KERNELS.factorCovariance, opts);
      const { weights, lags } = resolveFactorCovarianceOptions(f.rows, opts);
      return fixed('factor', 'factorCovariance', f.data.length, [f.data, f.rows, f.cols, weights, lags], (o) => o.cov);
    },
    specificRisk(residuals: Matrix, opts?: SpecificRiskOptions) {
      const [e] = requirePanels([[residuals, 'residuals']]);
      requireKnownOptions(FACTOR_KERNELS.specificRisk, opts);
      const weights = resolveSpecificRiskOptions(e.rows, opts);
      return fixed('factor', 'specificRisk', e.data.length, [e.data, e.rows, e.cols, weights], (o) => o.variance);
    },
    riskDecomposition(model: FactorRiskModel, weights: Series) {
      requireFactorRiskModel(model);
      const { rows: N, cols: K } = model.exposures;
      const w = weightsMatrix(weights, N, 'the assets of model.exposures');
      const args = [model.exposures.data, N, K, model.factorCov.data, model.specificVar, w.data, w.rows];
      return fixed('factor', 'riskDecomposition', w.data.length, args, (o) => o as unknown as RiskDecomposition);
    },
  };
}

/** portfolioReturns' result: the series of one portfolio for a weights vector, else the T x P matrix. */
function asWeights(weights: Series, returns: OutputValue): Float64Array | Matrix {
  return weights instanceof Float64Array ? (returns as Matrix).data : (returns as Matrix);
}

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
