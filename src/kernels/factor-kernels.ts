/**
 * The factor family's kernels as the API offers them (FactorKernels) and one descriptor per kernel
 * (FACTOR_KERNELS, see descriptor.ts): its packed parameters (the trailing numbers of its
 * FactorFamily call, in order; native/kernels unpacks and checks them), the named outputs of the
 * Float64Array it fills and their dimensions, the options it accepts, and `api`: the caller's
 * arguments checked, the options resolved, the backend call and the result. A kernel taking a panel
 * (rows = dates) takes one date as a Float64Array too, and returns one then.
 */
import { KernelInputError } from '../errors.js';
import { requireKnownOptions, type Outputs, type OutputSpec } from './descriptor.js';
import {
  FACTOR_DEFAULTS,
  requirePanels,
  resolveFactorInputs,
  resolveMomentumOptions,
  resolveSizeOptions,
  resolveWinsorizeOptions,
  resolveWinsorizePercentile,
  type FactorFamily,
  type FactorInputs,
  type FactorReturnsOptions,
  type FactorReturnsResult,
  type MomentumOptions,
  type SizeOptions,
  type ValueOptions,
  type WinsorizeOptions,
} from './factor.js';
import {
  requireFactorRiskModel,
  resolveFactorCovarianceOptions,
  resolveSpecificRiskOptions,
  type FactorCovarianceOptions,
  type FactorRiskModel,
  type RiskDecomposition,
  type SpecificRiskOptions,
} from './factor-model.js';
import type { Matrix, Series } from './matrix.js';
import { weightsMatrix } from './risk-kernels.js';
import { describeValue } from './validate.js';

/** A panel result: a Matrix, or one date's Float64Array when the input was one date. */
export type Panel<X> = X extends Float64Array ? Float64Array : Matrix;

/** The factor family's kernels (each also exists as `<name>Async`). */
export interface FactorKernels {
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

/** A panel result as its input came: the Matrix, or one date's values for a Float64Array. */
const asInput = (input: unknown, m: Outputs[string]) => (input instanceof Float64Array ? (m as Matrix).data : m);

const panelDims = (_x: Float64Array, rows: number, cols: number) => ({ T: rows, N: cols });
const lower = { key: 'lower', name: 'options.lower', expected: 'a number in [0, 1]' } as const;
const upper = { key: 'upper', name: 'options.upper', expected: 'a number in [0, 1], >= options.lower' } as const;
const winsorizeOrOff = { key: 'winsorize', name: 'options.winsorize', expected: 'a number in [0, 0.5] or -1 (off)' } as const;

/** One descriptor per kernel of the factor family (see the module's comment). */
export const FACTOR_KERNELS = {
  winsorize: {
    params: [lower, upper],
    outputs: { x: ['T', 'N'] },
    dims: panelDims,
    options: ['lower', 'upper'],
    api(x: Matrix | Float64Array, opts?: WinsorizeOptions) {
      const [m] = requirePanels([[x, 'x']]);
      requireKnownOptions(FACTOR_KERNELS.winsorize, opts);
      const { lower, upper } = resolveWinsorizeOptions(opts);
      return { size: m.data.length, args: [m.data, m.rows, m.cols, lower, upper], shape: (o: Outputs) => asInput(x, o.x) };
    },
  },
  standardize: {
    params: [],
    outputs: { x: ['T', 'N'] },
    dims: panelDims,
    options: [],
    api(x: Matrix | Float64Array) {
      const [m] = requirePanels([[x, 'x']]);
      return { size: m.data.length, args: [m.data, m.rows, m.cols], shape: (o: Outputs) => asInput(x, o.x) };
    },
  },
  momentum: {
    params: [
      { key: 'lag', name: 'options.lag', expected: 'an integer >= 0' },
      { key: 'winsorize', name: 'options.winsorize', expected: 'a number in [0, 0.5]' },
    ],
    outputs: { scores: ['T', 'N'] },
    dims: panelDims,
    options: ['window', 'halfLife', 'lag', 'winsorize'],
    api(returns: Matrix, opts?: MomentumOptions) {
      const [r] = requirePanels([[returns, 'returns']]);
      requireKnownOptions(FACTOR_KERNELS.momentum, opts);
      const { weights, lag, winsorize } = resolveMomentumOptions(opts);
      return {
        size: r.data.length,
        args: [r.data, r.rows, r.cols, weights, lag, winsorize],
        shape: (o: Outputs) => asInput(returns, o.scores),
      };
    },
  },
  size: {
    params: [lower, upper],
    outputs: { scores: ['T', 'N'] },
    dims: panelDims,
    options: ['lower', 'upper'],
    api(marketCap: Matrix, opts?: SizeOptions) {
      const [c] = requirePanels([[marketCap, 'marketCap']]);
      requireKnownOptions(FACTOR_KERNELS.size, opts);
      const { lower, upper } = resolveSizeOptions(opts);
      return { size: c.data.length, args: [c.data, c.rows, c.cols, lower, upper], shape: (o: Outputs) => asInput(marketCap, o.scores) };
    },
  },
  value: {
    params: [winsorizeOrOff],
    outputs: { scores: ['T', 'N'] },
    dims: (_b: Float64Array, _s: Float64Array, _c: Float64Array, rows: number, cols: number) => ({ T: rows, N: cols }),
    options: ['winsorize'],
    api(bookPrice: Matrix, salesPrice: Matrix, cashFlowPrice: Matrix, opts?: ValueOptions) {
      const [b, s, c] = requirePanels([
        [bookPrice, 'bookPrice'],
        [salesPrice, 'salesPrice'],
        [cashFlowPrice, 'cashFlowPrice'],
      ]);
      requireKnownOptions(FACTOR_KERNELS.value, opts);
      const p = resolveWinsorizePercentile(opts?.winsorize, null, 'options.winsorize');
      return {
        size: b.data.length,
        args: [b.data, s.data, c.data, b.rows, b.cols, p],
        shape: (o: Outputs) => asInput(bookPrice, o.scores),
      };
    },
  },
  factorReturns: {
    params: [winsorizeOrOff, { key: 'residualize', name: 'options.residualizeStyles', expected: '0 or 1' }],
    outputs: { factorReturns: ['T', 'K'], residuals: ['T', 'N'] },
    dims: (
      _r: Float64Array,
      _c: Float64Array,
      rows: number,
      cols: number,
      _s: Float64Array,
      _p: number,
      m: number,
      styles: readonly Float64Array[],
    ) => ({ T: rows, N: cols, K: 1 + m + styles.length }),
    options: ['winsorize', 'residualizeStyles'],
    api(inputs: FactorInputs, opts?: FactorReturnsOptions) {
      const x = resolveFactorInputs(inputs);
      requireKnownOptions(FACTOR_KERNELS.factorReturns, opts);
      const p = resolveWinsorizePercentile(opts?.winsorize, FACTOR_DEFAULTS.factorReturns.winsorize, 'options.winsorize');
      const residualize = opts?.residualizeStyles ?? FACTOR_DEFAULTS.factorReturns.residualizeStyles;
      if (typeof residualize !== 'boolean')
        throw new KernelInputError('options.residualizeStyles', 'a boolean', describeValue(residualize));
      const { rows, cols } = x.returns;
      const m = x.sectorNames.length;
      const args = [x.returns.data, x.marketCap.data, rows, cols, x.sectors, x.perDate ? 1 : 0, m, x.styles, p, residualize ? 1 : 0];
      const names = ['market', ...x.sectorNames, ...x.styleNames];
      return { size: x.returns.data.length, args, shape: (o: Outputs) => ({ ...(o as unknown as FactorReturnsResult), names }) };
    },
  },
  factorCovariance: {
    params: [{ key: 'lags', name: 'options.neweyWestLags', expected: 'an integer in [0, 10000]' }],
    outputs: { cov: ['K', 'K'] },
    dims: (_f: Float64Array, _rows: number, K: number) => ({ K }),
    options: ['halfLife', 'neweyWestLags'],
    api(factorReturns: Matrix, opts?: FactorCovarianceOptions) {
      const [f] = requirePanels([[factorReturns, 'factorReturns']]);
      requireKnownOptions(FACTOR_KERNELS.factorCovariance, opts);
      const { weights, lags } = resolveFactorCovarianceOptions(f.rows, opts);
      return { size: f.data.length, args: [f.data, f.rows, f.cols, weights, lags], shape: (o: Outputs) => o.cov };
    },
  },
  specificRisk: {
    params: [],
    outputs: { variance: ['N'] },
    dims: (_e: Float64Array, _rows: number, cols: number) => ({ N: cols }),
    options: ['halfLife'],
    api(residuals: Matrix, opts?: SpecificRiskOptions) {
      const [e] = requirePanels([[residuals, 'residuals']]);
      requireKnownOptions(FACTOR_KERNELS.specificRisk, opts);
      const weights = resolveSpecificRiskOptions(e.rows, opts);
      return { size: e.data.length, args: [e.data, e.rows, e.cols, weights], shape: (o: Outputs) => o.variance };
    },
  },
  riskDecomposition: {
    params: [],
    outputs: { total: ['P'], factor: ['P'], specific: ['P'], contributions: ['P', 'K'], exposures: ['P', 'K'] },
    dims: (_x: Float64Array, _n: number, K: number, _c: Float64Array, _s: Float64Array, _w: Float64Array, portfolios: number) => ({
      P: portfolios,
      K,
    }),
    api(model: FactorRiskModel, weights: Series) {
      requireFactorRiskModel(model);
      const { rows: N, cols: K } = model.exposures;
      const w = weightsMatrix(weights, N, 'the assets of model.exposures');
      const args = [model.exposures.data, N, K, model.factorCov.data, model.specificVar, w.data, w.rows];
      return { size: w.data.length, args, shape: (o: Outputs) => o as unknown as RiskDecomposition };
    },
  },
} as const satisfies { [K in keyof FactorFamily]: OutputSpec };
