/**
 * The factor family's kernels as the API offers them (FactorKernels) and one descriptor per kernel
 * (FACTOR_KERNELS, see descriptor.ts): its packed parameters (the trailing numbers of its
 * FactorFamily call, in order; native/kernels unpacks and checks them), the named outputs of the
 * Float64Array it fills and their dimensions, the options it accepts, and `api`: the caller's
 * arguments checked, the options resolved, the backend call and the result. A kernel taking a panel
 * (rows = dates) takes one date as a Float64Array too, and returns one then.
 *
 * Labels (labels.ts) travel from the inputs to the outputs by the dimensions of the descriptors'
 * shapes, without a copy (a label is the caller's array itself): `T` the dates (a panel's `index`),
 * `N` the assets (a panel's `columns`, or one date's `index`), `K` the factors (factorReturns' names,
 * then the columns of its factorReturns matrix), `P` the portfolios (the `index` of P x N weights).
 */
import { requireKnownOptions, type Outputs, type OutputSpec, type Returned } from '../descriptor.js';
import { covNames, indexOf, labelVector, type Index, type Split, type Vector } from '../labels.js';
import { checkParam } from '../param-rules.js';
import {
  FACTOR_DEFAULTS,
  FACTOR_PARAMS,
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
  type RiskDecompositionOf,
  type SpecificRiskOptions,
} from './factor-model.js';
import type { Matrix, Series } from '../matrix.js';
import type { Sampler } from '../sample.js';
import { weightsMatrix } from '../matrix.js';

/**
 * A panel kernel's result for an input of type X: a T x N Matrix with the input's `index` (dates) and
 * `columns` (assets); for one date (a Float64Array) a Vector of N carrying the input's `index` (assets)
 * and `name`.
 */
export type Panel<X> = X extends Float64Array ? Vector : Matrix;

/** The factor family's kernels (each also exists as `<name>Async`). */
export interface FactorKernels<A extends boolean = false> {
  /**
   * Each row (date) clipped to its linearly interpolated lower and upper percentiles (toraniko's
   * winsorize). A Matrix as `x` (its index and columns), or one date's Vector (its index and name).
   */
  winsorize<X extends Matrix | Float64Array>(x: X, options?: WinsorizeOptions): Returned<A, Panel<X>>;
  /**
   * Each row minus its mean, over its sd (ddof 1): toraniko's center_xsection(standardize=True). A
   * Matrix as `x` (its index and columns), or one date's Vector (its index and name).
   */
  standardize<X extends Matrix | Float64Array>(x: X): Returned<A, Panel<X>>;
  /** toraniko's momentum score per date and asset (factor_mom): T x N, labelled as `returns` (index: dates, columns: assets). */
  momentum(returns: Matrix, options?: MomentumOptions): Returned<A, Matrix>;
  /**
   * toraniko's size score (factor_sze): -ln(cap) standardized, 0 strictly inside the quantile band.
   * T x N, labelled as `marketCap` (index: dates, columns: assets).
   */
  size(marketCap: Matrix, options?: SizeOptions): Returned<A, Matrix>;
  /**
   * toraniko's value score (factor_val) from book/price, sales/price and cash-flow/price panels: T x N,
   * labelled as the first of them that carries labels (index: dates, columns: assets).
   */
  value(bookPrice: Matrix, salesPrice: Matrix, cashFlowPrice: Matrix, options?: ValueOptions): Returned<A, Matrix>;
  /**
   * Market, sector and style factor returns and residuals per date (toraniko's
   * estimate_factor_returns), all dates in one call: `factorReturns` T x K with the factor names as its
   * `columns` (the same array as `names`), `residuals` T x N with the assets (the columns of
   * `inputs.returns`, else of `inputs.marketCap`) as its `columns`; both carry the dates (the index of
   * `inputs.returns`, else of `inputs.marketCap`) as their `index`.
   */
  factorReturns(inputs: FactorInputs, options?: FactorReturnsOptions): Returned<A, FactorReturnsResult>;
  /**
   * EWMA factor covariance (weighted mean removed, optional Newey-West), K x K, per period (Barra
   * USE4's conventions). The factor names of `factorReturns` (its columns: factorReturns() puts them
   * there) label the result's rows (`index`) and `columns`.
   */
  factorCovariance(factorReturns: Matrix, options?: FactorCovarianceOptions): Returned<A, Matrix>;
  /** EWMA specific variance per asset from the residuals (per period): a Vector of N labelled by the residuals' columns (assets). */
  specificRisk(residuals: Matrix, options?: SpecificRiskOptions): Returned<A, Vector>;
  /**
   * Per portfolio: total, factor and specific variance, each factor's Euler contribution and the
   * portfolio's exposures. One portfolio (weights a Float64Array of N): numbers, and `contributions`
   * and `exposures` Vectors of K; P x N weights: Vectors of P and P x K matrices. The factors (K) are
   * labelled by the model's names (`model.exposures.columns`, else `model.factorCov`'s), the portfolios
   * (P) by the weights' `index`.
   */
  riskDecomposition<W extends Series>(model: FactorRiskModel, weights: W): Returned<A, RiskDecompositionOf<W>>;
}

const NO_SPLIT: Split = {};
const ONE_DATE: Split = { one: 'T' };
const ONE_PORTFOLIO: Split = { one: 'P' };

/**
 * The Split of a panel kernel whose inputs are `inputs` ([as given, as a panel] pairs): one date (the
 * first a Float64Array) drops T, its output a Vector of N labelled by that input's index; a panel's
 * output takes the dates (`index`) and assets (`columns`) of the first input that has each. Shared
 * objects when nothing is labelled (the hot path allocates none).
 */
function panelSplit(...inputs: [unknown, Matrix][]): Split {
  if (inputs[0][0] instanceof Float64Array) {
    const index = indexOf(inputs[0][0]);
    return index === undefined ? ONE_DATE : { one: 'T', labels: { N: index } };
  }
  let T: Index | undefined;
  let N: readonly string[] | undefined;
  for (const [, m] of inputs) {
    T ??= m.index;
    N ??= m.columns;
  }
  return T === undefined && N === undefined ? NO_SPLIT : { labels: { T, N } };
}

/** A panel kernel's output: the Matrix, or one date's Vector carrying the input's `name` too. */
function asInput(input: unknown, out: Outputs[string]): Matrix | Vector {
  const name = input instanceof Float64Array ? (input as Vector).name : undefined;
  return name === undefined ? (out as Matrix | Vector) : labelVector(out as Vector, undefined, name);
}

/** A Split labelling one dimension `dim` with `names` (none: the shared empty Split). */
const namesSplit = (dim: string, names: readonly string[] | undefined): Split => (names ? { labels: { [dim]: names } } : NO_SPLIT);

const panelDims = (_x: Float64Array, rows: number, cols: number) => ({ T: rows, N: cols });
const P = FACTOR_PARAMS;

/**
 * riskDecomposition's Split: one portfolio (a Float64Array) drops P; the factors (K) are labelled by
 * the model's names (its exposures' columns, else its covariance's), the portfolios by the weights' index.
 */
function decompositionSplit(model: FactorRiskModel, weights: Series): Split {
  const one = weights instanceof Float64Array;
  const K = model.exposures.columns ?? covNames(model.factorCov);
  const P = one ? undefined : weights.index;
  if (K === undefined && P === undefined) return one ? ONE_PORTFOLIO : NO_SPLIT;
  return { one: one ? 'P' : undefined, labels: { K, P } };
}

/** One descriptor per kernel of the factor family (see the module's comment). */
export const FACTOR_KERNELS = {
  winsorize: {
    params: [P.lower, P.upper],
    signature: 'x[rows x cols], rows, cols',
    outputs: { x: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => [
      s.matrix(s.int(0, 30), s.int(1, 40), () => s.ret()),
      { lower: s.pick(0, 0.05, 0.1), upper: s.pick(1, 0.95, 0.9) },
    ],
    options: ['lower', 'upper'],
    api(x: Matrix | Float64Array, opts?: WinsorizeOptions) {
      const [m] = requirePanels([[x, 'x']]);
      requireKnownOptions(FACTOR_KERNELS.winsorize, opts);
      const { lower, upper } = resolveWinsorizeOptions(opts);
      const split = panelSplit([x, m]);
      return { size: m.data.length, args: [m.data, m.rows, m.cols, lower, upper], split, shape: (o: Outputs) => asInput(x, o.x) };
    },
  },
  standardize: {
    params: [],
    signature: 'x[rows x cols], rows, cols',
    outputs: { x: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => [s.matrix(s.int(0, 30), s.int(1, 40), () => s.ret())],
    options: [],
    api(x: Matrix | Float64Array) {
      const [m] = requirePanels([[x, 'x']]);
      return { size: m.data.length, args: [m.data, m.rows, m.cols], split: panelSplit([x, m]), shape: (o: Outputs) => asInput(x, o.x) };
    },
  },
  momentum: {
    params: [P.lag, P.percentile],
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
        split: panelSplit([returns, r]),
        shape: (o: Outputs) => asInput(returns, o.scores),
      };
    },
  },
  size: {
    params: [P.lower, P.upper],
    signature: 'marketCap[rows x cols], rows, cols',
    outputs: { scores: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => [s.matrix(s.int(0, 30), s.int(1, 30), () => (s.random() < 0.03 ? Number.NaN : 1e9 * s.positive()))],
    options: ['lower', 'upper'],
    api(marketCap: Matrix, opts?: SizeOptions) {
      const [c] = requirePanels([[marketCap, 'marketCap']]);
      requireKnownOptions(FACTOR_KERNELS.size, opts);
      const { lower, upper } = resolveSizeOptions(opts);
      return {
        size: c.data.length,
        args: [c.data, c.rows, c.cols, lower, upper],
        split: panelSplit([marketCap, c]),
        shape: (o: Outputs) => asInput(marketCap, o.scores),
      };
    },
  },
  value: {
    params: [P.percentileOrOff],
    signature: 'bookPrice[rows x cols], salesPrice[rows x cols], cashFlowPrice[rows x cols], rows, cols',
    outputs: { scores: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    sample: (s: Sampler) => {
      const [rows, cols] = [s.int(0, 30), s.int(1, 30)];
      const m = () => s.matrix(rows, cols, () => (s.random() < 0.03 ? Number.NaN : s.uniform(-1, 5)));
      return [m(), m(), m(), { winsorize: s.pick(0.01, 0.05) }];
    },
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
        split: panelSplit([bookPrice, b], [salesPrice, s], [cashFlowPrice, c]),
        shape: (o: Outputs) => asInput(bookPrice, o.scores),
      };
    },
  },
  factorReturns: {
    params: [P.percentileOrOff, P.residualize],
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
      const residualize = checkParam(P.residualize, opts?.residualizeStyles ?? FACTOR_DEFAULTS.factorReturns.residualizeStyles);
      const { rows, cols } = x.returns;
      const m = x.sectorNames.length;
      const args = [x.returns.data, x.marketCap.data, rows, cols, x.sectors, x.perDate ? 1 : 0, m, x.styles, p, residualize];
      const names = ['market', ...x.sectorNames, ...x.styleNames];
      const T = x.returns.index ?? x.marketCap.index;
      const split: Split = { labels: { T, N: x.returns.columns ?? x.marketCap.columns, K: names } };
      return { size: x.returns.data.length, args, split, shape: (o: Outputs) => ({ ...(o as unknown as FactorReturnsResult), names }) };
    },
  },
  factorCovariance: {
    params: [P.lags],
    outputs: { cov: ['K', 'K'] },
    dims: (_f: Float64Array, _rows: number, K: number) => ({ K }),
    options: ['halfLife', 'neweyWestLags'],
    api(factorReturns: Matrix, opts?: FactorCovarianceOptions) {
      const [f] = requirePanels([[factorReturns, 'factorReturns']]);
      requireKnownOptions(FACTOR_KERNELS.factorCovariance, opts);
      const { weights, lags } = resolveFactorCovarianceOptions(f.rows, opts);
      const split = namesSplit('K', f.columns);
      return { size: f.data.length, args: [f.data, f.rows, f.cols, weights, lags], split, shape: (o: Outputs) => o.cov };
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
      const split = namesSplit('N', e.columns);
      return { size: e.data.length, args: [e.data, e.rows, e.cols, weights], split, shape: (o: Outputs) => o.variance };
    },
  },
  riskDecomposition: {
    params: [],
    signature: 'model.exposures[N x K], N, K, model.factorCov[K x K], model.specificVar[N], weights[portfolios x N], portfolios',
    outputs: { total: ['P'], factor: ['P'], specific: ['P'], contributions: ['P', 'K'], exposures: ['P', 'K'] },
    dims: { P: 'portfolios', K: 'K' },
    sample: (s: Sampler) => {
      const [N, K] = [s.int(1, 20), s.int(1, 6)];
      const model = {
        exposures: s.matrix(N, K, () => s.normal()),
        factorCov: s.covariance(K),
        specificVar: s.fill(N, () => s.uniform(0, 1e-3)),
      };
      return [model, s.random() < 0.3 ? s.fill(N, () => s.uniform(-1, 1)) : s.matrix(s.int(1, 3), N, () => s.uniform(-1, 1))];
    },
    api(model: FactorRiskModel, weights: Series) {
      requireFactorRiskModel(model);
      const { rows: N, cols: K } = model.exposures;
      const w = weightsMatrix(weights, N, 'the assets of model.exposures');
      const args = [model.exposures.data, N, K, model.factorCov.data, model.specificVar, w.data, w.rows];
      return {
        size: w.data.length,
        args,
        split: decompositionSplit(model, weights),
        shape: (o: Outputs) => o as unknown as RiskDecomposition,
      };
    },
  },
} as const satisfies { [K in keyof FactorFamily]: OutputSpec };
