/**
 * The portfolio family's allocation kernels (beside the mean-variance optimizers of
 * portfolio-kernels.ts): risk parity (risk budgeting), hierarchical risk parity, the nearest positive
 * semidefinite covariance and expected returns. Their options, results, backend signatures
 * (`AllocationFamily`: arrays and numbers only, the packed parameters last) and one descriptor per
 * kernel (`ALLOCATION_KERNELS`, see descriptor.ts). Conventions: PyPortfolioOpt (HRPOpt,
 * fix_nonpositive_semidefinite, expected_returns), scipy's linkage, Riskfolio-Lib / skfolio risk budgeting.
 */
import { KernelInputError } from '../../errors.js';
import { type Call, requireKnownOptions, type Outputs, type OutputSpec } from '../descriptor.js';
import { columnSplit, labelVector, type PerColumn, type Vector } from '../labels.js';
import { asColumns, requireMatrix, type Matrix, type Series } from '../matrix.js';
import { checkParam, code, finite, flag, option, param, positive } from '../param-rules.js';
import { type CheckPsdResult, type CheckPsdStackResult, type PsdOptions, psdGuarded } from './portfolio-psd.js';
import { problemSplit } from '../labels.js';
import { type CovStack, covNames, type IsBatch, isStack, namesIn, type Returned } from './portfolio-shapes.js';
import type { Sampler } from '../sample.js';
import { requireCovariance } from '../matrix.js';
import { describeValue, requireFloat64Array, optionsObject } from '../validate.js';

/** Options of `riskParity()`. */
export interface RiskParityOptions extends PsdOptions {
  /**
   * The risk budgets b (N values, finite and > 0; scaled to sum 1 per problem): asset i's share of the
   * portfolio's variance, w_i (S w)_i / w'Sw = b_i; or a P x N Matrix, one set per problem. Default:
   * equal budgets 1 / N (equal risk contributions).
   */
  budgets?: Float64Array | Matrix;
}

/**
 * The risk-budgeting portfolios, as minVariance's: for one problem (`RiskParityResult<number, Vector>`)
 * numbers and Vectors of N; for a batch of P (the defaults) Vectors of P and P x N Matrices. The
 * per-asset results carry the asset names (`cov.columns`, else `cov.index` of names, else the
 * budgets' `index` of names).
 */
export interface RiskParityResult<V extends number | Vector = Vector, W extends Vector | Matrix = Matrix> {
  /** Long-only weights summing to 1: N, or P x N. */
  weights: W;
  /** w_i (S w)_i / w'Sw per asset, the budgets to about 1e-12: N, or P x N. */
  riskContributions: W;
  /** sqrt(w'Sw) per problem. */
  volatility: V;
  /** Newton steps per problem. */
  iterations: V;
}

/** riskParity's result for a batch (B true) or one problem (B false): see IsBatch. */
export type RiskParityOf<B extends boolean> = B extends true ? RiskParityResult : RiskParityResult<number, Vector>;

/** scipy's linkage methods that HRP can cluster with (scipy.cluster.hierarchy.linkage's `method`). */
export type LinkageMethod = 'single' | 'complete' | 'average' | 'weighted' | 'ward';

/** The methods in the order of their codes (what backends receive). */
export const LINKAGE_METHODS = ['single', 'complete', 'average', 'weighted', 'ward'] as const satisfies readonly LinkageMethod[];

/** Options of `hrp()`. */
export interface HrpOptions {
  /** The linkage of the clustering (scipy's `method`; PyPortfolioOpt's `linkage_method`). Default 'single'. */
  linkage?: LinkageMethod;
}

/**
 * HRP's input when no returns are given: a covariance (N x N, or a stack of P: P·N rows) and, optionally,
 * the correlation to cluster by (the same shape as cov).
 */
export interface HrpModel {
  cov: Matrix;
  /** Default: PyPortfolioOpt's `cov_to_corr(cov).round(6)`, per problem. */
  corr?: Matrix;
}

/**
 * The hierarchical risk parity portfolios: for one problem (returns, or `{ cov }` of one N x N
 * covariance: `HrpResult<Vector>`) the weights and the order as Vectors of N; for a batch (`{ cov }`
 * a stack of P: the default) P x N Matrices. The weights carry the asset names (the returns'
 * `columns`; `cov.columns`, else `cov.index` of names, else corr's), as a Vector's `index` or a
 * Matrix's `columns`; one problem's order its names in that order.
 */
export interface HrpResult<W extends Vector | Matrix = Matrix> {
  /** Per asset (input order), long-only, summing to 1: N, or P x N. */
  weights: W;
  /**
   * The quasi-diagonal order, the dendrogram's leaves from left to right (scipy to_tree().pre_order()):
   * asset indices, N (its `index` the assets' names in that order, where the input had names), or P x N.
   */
  order: W;
  /**
   * scipy's linkage matrices stacked, P·(N - 1) x 4 (problem p's rows p(N - 1) to (p + 1)(N - 1); one
   * problem: N - 1 rows): the two clusters merged, their distance, the new cluster's size.
   */
  linkage: Matrix;
}

/** hrp's result for a batch (B true) or one problem (B false). */
export type HrpOf<B extends boolean> = B extends true ? HrpResult : HrpResult<Vector>;

/** Whether hrp's input is a batch: `{ cov }` with cov a CovStack. */
export type HrpBatched<I> = I extends { cov: CovStack } ? true : false;

/** How `nearestPsd()` repairs a matrix that is not positive semidefinite. */
export type NearestPsdMethod = 'spectral' | 'diag';

export const NEAREST_PSD_METHODS = ['spectral', 'diag'] as const satisfies readonly NearestPsdMethod[];

/** Options of `nearestPsd()`. */
export interface NearestPsdOptions {
  /**
   * `'spectral'` (default): the negative eigenvalues set to 0 and the matrix rebuilt, V diag(max(q, 0))
   * V'; `'diag'`: -1.1 x the smallest eigenvalue added to the diagonal.
   */
  method?: NearestPsdMethod;
}

/**
 * `nearestPsd()`'s result: the N x N matrix itself (unchanged, a copy, when it passed the test, else
 * repaired), labelled as the input (`columns` and `index` its asset names: `cov.columns`, else
 * `cov.index` of names), so that it goes straight into an optimizer: `minVariance(nearestPsd(cov))`.
 */
export interface NearestPsdResult extends Matrix {
  /** Whether it was repaired (PyPortfolioOpt warns "The covariance matrix is non positive semidefinite"). */
  readonly repaired: boolean;
}

/** The estimators of `expectedReturns()`. */
export type ExpectedReturnsMethod = 'mean' | 'ema' | 'capm';

export const EXPECTED_RETURNS_METHODS = ['mean', 'ema', 'capm'] as const satisfies readonly ExpectedReturnsMethod[];

/** Options of `expectedReturns()`. */
export interface ExpectedReturnsOptions {
  /**
   * `'mean'` (default): mean_historical_return; `'ema'`: ema_historical_return (pandas ewm(span).mean(),
   * adjust=True, of the last date); `'capm'`: capm_return, rf + beta_i (E[R_m] - rf).
   */
  method?: ExpectedReturnsMethod;
  /** The geometric mean (CAGR) when true (default), the arithmetic mean x frequency when false. */
  compounding?: boolean;
  /** The EMA's span (> 0; alpha = 2 / (span + 1)). Default 500. */
  span?: number;
  /** Periods per year (> 0). Default 252. */
  frequency?: number;
  /** capm: the market's prices (T, aligned with `prices`); default: the mean of the assets' returns per date. */
  benchmark?: Float64Array;
  /** capm: the risk-free rate, annual (as the result). Default 0. */
  riskFree?: number;
  /** The input (and benchmark) are returns, not prices. Default false. */
  returnsData?: boolean;
  /** Log returns log(1 + r) instead of simple returns. Default false. */
  logReturns?: boolean;
}

export const EXPECTED_RETURNS_DEFAULTS = {
  method: 'mean',
  compounding: true,
  span: 500,
  frequency: 252,
  riskFree: 0,
  returnsData: false,
  logReturns: false,
} as const;

/** What a backend implementing the allocation kernels provides (inputs checked by the API). */
export interface AllocationFamily {
  /**
   * Risk budgeting of P problems: `cov` covCount stacked n x n matrices (row-major, symmetric), budgets
   * budgetCount x n (> 0), each count 1 or P: the weights (P x n), the risk contributions (P x n), the
   * volatilities (P), the Newton steps (P). Faults (the first failing problem's): PORTFOLIO_COV_INVALID,
   * VARIANCE_NOT_POSITIVE, BUDGET_INVALID, RISK_PARITY_NOT_CONVERGED.
   */
  riskParity(cov: Float64Array, covCount: number, n: number, budgets: Float64Array, budgetCount: number, problems: number): Float64Array;
  /**
   * HRP: `source` 0: `data` is returns (rows x cols, one problem: P = 1), `corr` empty; 1: `data` is a
   * stack of P = rows / cols covariances (cols x cols each), corr from each rounded to 6 decimals; 2:
   * `data` that stack and `corr` a stack of correlations as it. The weights (P x cols), the orders (P x
   * cols), the linkage matrices (P x (cols - 1) x 4). Faults (the first failing problem's):
   * RETURN_NOT_FINITE, PORTFOLIO_COV_INVALID, VARIANCE_NOT_POSITIVE, CORRELATION_UNDEFINED.
   */
  hrp(data: Float64Array, rows: number, cols: number, corr: Float64Array, linkage: number, source: number): Float64Array;
  /** The matrix (n x n) then 1 if it was repaired, else 0. Fault: PORTFOLIO_COV_INVALID. */
  nearestPsd(cov: Float64Array, n: number, method: number): Float64Array;
  /**
   * The covariance test (portfolio-psd.ts) of `covCount` stacked n x n matrices: the first failing
   * one's index, asset and pivot (-1, -1, 0: all pass). Fault: PORTFOLIO_COV_INVALID.
   */
  checkPsd(cov: Float64Array, covCount: number, n: number): Float64Array;
  /**
   * Per column of `prices` (rows x cols) the expected return; `benchmark` empty or of `rows` values.
   * Faults: PRICE_NOT_POSITIVE (RETURN_NOT_FINITE for returns).
   */
  expectedReturns(
    prices: Float64Array,
    rows: number,
    cols: number,
    benchmark: Float64Array,
    method: number,
    compounding: number,
    span: number,
    frequency: number,
    riskFree: number,
    returnsData: number,
    logReturns: number,
  ): Float64Array;
}

/**
 * The allocation kernels as the API offers them (each also as `<name>Async`, A true: the same
 * signature, the result as a promise). One problem or a batch as the optimizers' (OptimizerKernels):
 * one problem's statistics are numbers and its per-asset results Vectors of N, labelled by the asset
 * names of the input.
 */
export interface AllocationKernels<A extends boolean = false> {
  /**
   * Risk parity (risk budgeting, Riskfolio-Lib's `rp_optimization` / skfolio's `RiskBudgeting` with
   * the variance as the risk measure): the long-only weights summing to 1 whose risk contributions
   * w_i (S w)_i / w'Sw equal the budgets. Solved as the convex problem min 1/2 y'Sy - sum b_i log y_i
   * (Spinu 2013; its minimiser has y_i (S y)_i = b_i) by Newton's method with a backtracking line
   * search, each Newton system by preconditioned conjugate gradients, to max |y_i (Sy)_i - b_i| <=
   * 1e-13; then w = y / sum(y). A diagonal covariance with equal budgets gives inverse-volatility weights.
   * One problem (`cov` N x N, `budgets` N values): the weights and risk contributions as Vectors of N
   * (labelled by the asset names: `cov.columns`, else `cov.index` of names, else the budgets' index),
   * `volatility` and `iterations` numbers. Batched as minVariance: `cov` a stack of P (`stackCovariances`,
   * or P·N rows, e.g. rolling windows) or `budgets` P x N: P problems in one call, shared between
   * threads (the results do not depend on their count), one output row each.
   */
  riskParity<C extends Matrix, O extends RiskParityOptions = RiskParityOptions>(
    cov: C,
    options?: O,
  ): Returned<A, RiskParityOf<IsBatch<C, Float64Array, number, O>>>;
  /**
   * Hierarchical risk parity (Lopez de Prado 2016) exactly as PyPortfolioOpt's `HRPOpt.optimize`:
   * from returns (T x N) pandas' pairwise `corr()` and `cov()` (ddof 1; the pairs' common dates where
   * values are NaN), or from `{ cov, corr? }` (corr default `cov_to_corr(cov).round(6)`); the distance
   * sqrt(clip((1 - rho) / 2, 0, 1)) as a condensed matrix into scipy's `linkage` (single: the MST,
   * others: the nearest-neighbour chain with Lance-Williams updates; ties broken as scipy, then its
   * stable sort by distance and relabelling), the leaves of `to_tree(Z).pre_order()` as the order, then
   * the recursive bisection of that order, each half weighted by its inverse-variance portfolio's variance.
   * One problem (returns, or `{ cov }` of one N x N covariance; the pairwise statistics of returns are
   * shared between threads): the weights and the order as Vectors of N, the weights labelled by the
   * asset names (the returns' `columns`, `cov.columns`, else `cov.index` of names, else corr's), the
   * order's `index` those names in its order; the linkage (N - 1) x 4. Batched as riskParity: `{ cov,
   * corr? }` with cov a stack of P (`stackCovariances`, or P·N rows, e.g. rolling windows) and corr,
   * when given, the same shape; P problems in one call, each solved whole by one thread (the results
   * do not depend on their count): P x N weights and orders (`columns` the names on the weights).
   */
  hrp<I extends Series | HrpModel>(input: I, options?: HrpOptions): Returned<A, HrpOf<HrpBatched<I>>>;
  /**
   * PyPortfolioOpt's `fix_nonpositive_semidefinite`: the matrix as it is when `cholesky(cov + 1e-16 I)`
   * succeeds; else from its eigen-decomposition (`eigh`, the lower triangle): 'spectral' clips the
   * negative eigenvalues to 0 and rebuilds V diag(q) V', 'diag' subtracts 1.1 x the smallest
   * eigenvalue from the diagonal. The result is the N x N Matrix itself with `repaired`, labelled as the
   * input (`columns` and `index` its asset names), for the optimizers: `minVariance(nearestPsd(cov))`.
   */
  nearestPsd(cov: Matrix, options?: NearestPsdOptions): Returned<A, NearestPsdResult>;
  /**
   * Whether a covariance (N x N, or a stack of P: P·N rows) is positive semidefinite, by the test the
   * optimizers run before they solve: a Cholesky factorization of S / max(diag S) stopping at the
   * first pivot below -1e-8 (a zero pivot with a zero column, as a singular semidefinite matrix
   * has, passes). One covariance: `{ psd, asset, pivot }`, the failing asset and its pivot; a stack (a
   * CovStack, or P·N rows): also `problem`, the first failing covariance.
   */
  checkPsd<C extends Matrix>(cov: C): Returned<A, C extends CovStack ? CheckPsdStackResult : CheckPsdResult>;
  /**
   * PyPortfolioOpt's `expected_returns` on prices (T x N, NaN for a missing price; returns with
   * `returnsData`): returns `pct_change(fill_method=None)` with the all-NaN dates dropped, then
   * 'mean': (prod(1 + r))^(frequency / count) - 1 (compounding) or mean(r) x frequency;
   * 'ema': (1 + ewm)^frequency - 1 or ewm x frequency, ewm the last value of pandas'
   * `ewm(span).mean()` (adjust=True, ignore_na=False); 'capm': riskFree + beta_i (m - riskFree) with
   * beta_i = cov(r_i, r_m) / var(r_m) (pandas' pairwise cov) and m the market's mean return as 'mean'
   * computes it, the market the benchmark's returns or, without one, the mean of the assets' returns per date.
   * Annual, per column: a Vector of N for prices T x N, labelled by their `columns` (it goes straight
   * into the optimizers: `maxSharpe(expectedReturns(prices), covariance(returns))`); a number for one
   * series (a Float64Array), as the risk family's statistics per column.
   */
  expectedReturns<R extends Series>(prices: R, options?: ExpectedReturnsOptions): Returned<A, PerColumn<R>>;
}

/** What hrp's input is, by the code its `source` parameter packs (the input's shape, not an option). */
export const HRP_SOURCES = ['returns', '{ cov }', '{ cov, corr }'] as const;

/**
 * The allocation kernels' packed parameters (ALLOCATION_KERNELS' `params`), each with its rule
 * (param-rules.ts): the resolvers check the options by them, and `npm run gen` writes their C++
 * (native/kernels/generated/portfolio.hpp).
 */
export const ALLOCATION_PARAMS = {
  linkage: option('linkage', code(LINKAGE_METHODS)),
  hrpSource: param('source', code(HRP_SOURCES), 'input'),
  nearestPsdMethod: param('method', code(NEAREST_PSD_METHODS), 'options.method'),
  expectedReturnsMethod: param('method', code(EXPECTED_RETURNS_METHODS), 'options.method'),
  compounding: option('compounding', flag()),
  span: option('span', positive()),
  frequency: option('frequency', positive()),
  riskFree: option('riskFree', finite()),
  returnsData: option('returnsData', flag()),
  logReturns: option('logReturns', flag()),
};
const A = ALLOCATION_PARAMS;

/**
 * riskParity's covariances: one N x N or a stack of P (P·N rows), each square, finite and symmetric
 * (requireCovariance, the matrix named `cov[p]` in a stack); whether it is the batch form (a stack,
 * portfolio-shapes.ts isStack) and its asset names.
 */
function requireCovStackOf(
  cov: unknown,
  name = 'cov',
): { data: Float64Array; n: number; count: number; stacked: boolean; names: readonly string[] | undefined } {
  requireMatrix(cov, name);
  if (cov.rows === 0 && cov.cols === 0) throw new KernelInputError(name, 'at least one asset', '0 x 0');
  if (cov.rows === cov.cols) {
    requireCovariance(cov, name);
    return { data: cov.data, n: cov.cols, count: 1, stacked: isStack(cov, name), names: covNames(cov) };
  }
  // as portfolio.ts requireCovStack (not imported: portfolio.ts imports this module's types)
  if (cov.cols < 1 || cov.rows === 0 || cov.rows % cov.cols !== 0) {
    throw new KernelInputError(name, 'an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns)', `${cov.rows} x ${cov.cols}`);
  }
  const s = { data: cov.data, n: cov.cols, count: cov.rows / cov.cols, stacked: isStack(cov, name), names: covNames(cov) };
  for (let p = 0; p < s.count; p++) {
    const m = { data: s.data.subarray(p * s.n * s.n, (p + 1) * s.n * s.n), rows: s.n, cols: s.n };
    requireCovariance(m, `${name}[${p}]`);
  }
  return s;
}

/**
 * The budgets of riskParity: n finite values > 0 or a P x n Matrix of them (the batch form; default
 * 1 / n each), with the names a Vector of them carries.
 */
function resolveBudgets(budgets: unknown, n: number): { data: Float64Array; count: number; batch: boolean; names?: readonly string[] } {
  if (budgets === undefined) return { data: new Float64Array(n).fill(1 / n), count: 1, batch: false };
  let data: Float64Array;
  let count = 1;
  let names: readonly string[] | undefined;
  if (budgets instanceof Float64Array) {
    requireFloat64Array(budgets, 'options.budgets');
    if (budgets.length !== n) throw new KernelInputError('options.budgets', `length ${n} (the size of cov)`, `length ${budgets.length}`);
    data = budgets;
    names = namesIn((budgets as Vector).index, n);
  } else {
    const m = asColumns(budgets, 'options.budgets');
    if (m.cols !== n || m.rows < 1) {
      throw new KernelInputError('options.budgets', `N = ${n} values or a P x ${n} Matrix (one row per problem)`, `${m.rows} x ${m.cols}`);
    }
    data = m.data;
    count = m.rows;
  }
  for (let k = 0; k < data.length; k++) {
    if (!(data[k] > 0 && data[k] < Infinity)) {
      const at = count > 1 ? `[${Math.floor(k / n)}][${k % n}]` : `[${k}]`;
      throw new KernelInputError('options.budgets', 'finite budgets > 0', `budgets${at} = ${data[k]}`);
    }
  }
  return { data, count, batch: !(budgets instanceof Float64Array), names };
}

/** riskParity's arguments with its covariances (the first) replaced by `fixed`. */
const withFirst = (args: readonly unknown[], fixed: Float64Array): unknown[] => [fixed, ...args.slice(1)];

/** The empty array a call passes for an absent input (hrp's corr, expectedReturns' benchmark). */
const EMPTY: Float64Array = new Float64Array(0);

/** One descriptor per allocation kernel (see the module's comment). */
export const ALLOCATION_KERNELS = {
  riskParity: {
    params: [],
    outputs: { weights: ['P', 'N'], riskContributions: ['P', 'N'], volatility: ['P'], iterations: ['P'] },
    dims: (_c: Float64Array, _cc: number, n: number, _b: Float64Array, _bc: number, problems: number) => ({ P: problems, N: n }),
    options: ['budgets', 'repair', 'assumePsd'],
    api(cov: Matrix, opts?: RiskParityOptions): Call<RiskParityOf<boolean>> {
      const s = requireCovStackOf(cov);
      optionsObject(opts);
      requireKnownOptions(ALLOCATION_KERNELS.riskParity, opts);
      const b = resolveBudgets(opts?.budgets, s.n);
      // each count 1 or P, as portfolio.ts problemCount words it
      if (s.count !== 1 && b.count !== 1 && b.count !== s.count) {
        throw new KernelInputError('options.budgets (rows)', `1 or ${s.count} problems (as the others)`, `${b.count}`);
      }
      const P = Math.max(s.count, b.count);
      const call = {
        size: s.n * s.n * P,
        args: [s.data, s.count, s.n, b.data, b.count, P],
        split: problemSplit(P === 1 && !s.stacked && !b.batch, s.names ?? b.names),
        shape: (o: Outputs) => o as unknown as RiskParityOf<boolean>,
      };
      const covs = { data: s.data, count: s.count, n: s.n, replace: withFirst };
      return psdGuarded('riskParity', ALLOCATION_KERNELS.riskParity, call, covs, opts);
    },
  },
  hrp: {
    params: [A.linkage, A.hrpSource],
    // the order's positions (L) are not the assets (N): the asset names label the weights only
    outputs: { weights: ['P', 'N'], order: ['P', 'L'], linkage: ['M', 'F'] },
    dims: (_d: Float64Array, rows: number, cols: number, _c: Float64Array, _l: number, source: number) => {
      const P = source === 0 || cols === 0 ? 1 : rows / cols;
      return { P, N: cols, L: cols, M: P * Math.max(cols - 1, 0), F: 4 };
    },
    options: ['linkage'],
    api(input: Series | HrpModel, opts?: HrpOptions) {
      optionsObject(opts);
      requireKnownOptions(ALLOCATION_KERNELS.hrp, opts);
      const linkage = checkParam(A.linkage, opts?.linkage ?? 'single');
      let args: unknown[];
      let one = true;
      let names: readonly string[] | undefined;
      if (input instanceof Float64Array || (typeof input === 'object' && input !== null && 'data' in input)) {
        const r = asColumns(input, 'returns');
        args = [r.data, r.rows, r.cols, EMPTY, linkage, 0];
        names = r.columns;
      } else {
        if (typeof input !== 'object' || input === null) {
          throw new KernelInputError('input', 'returns (a Matrix) or { cov, corr? }', describeValue(input));
        }
        const { cov, corr } = input as HrpModel;
        const s = requireCovStackOf(cov, 'input.cov');
        if (corr !== undefined) {
          requireMatrix(corr, 'input.corr');
          if (corr.rows !== cov.rows || corr.cols !== cov.cols) {
            throw new KernelInputError('input.corr', `${cov.rows} x ${cov.cols} (as cov)`, `${corr.rows} x ${corr.cols}`);
          }
        }
        args = [cov.data, cov.rows, cov.cols, corr ? corr.data : EMPTY, linkage, corr ? 2 : 1];
        one = !s.stacked;
        names = s.names ?? (corr && covNames(corr));
      }
      const n = args[2] as number;
      if (n === 0) throw new KernelInputError(args[5] === 0 ? 'returns' : 'input.cov', 'at least one asset', 'no columns');
      const shape = (o: Outputs): HrpOf<boolean> => {
        const order = o.order as Vector;
        // one problem's order: its index the names in that order (N strings, not the data)
        if (one && names)
          labelVector(
            order,
            Array.from(order, (j) => names[j]),
          );
        return { weights: o.weights, order, linkage: o.linkage } as HrpOf<boolean>;
      };
      return { size: (args[0] as Float64Array).length, args, split: problemSplit(one, names), shape };
    },
  },
  nearestPsd: {
    params: [A.nearestPsdMethod],
    signature: 'cov[n x n], n',
    outputs: { cov: ['N', 'N'], repaired: [] },
    dims: { N: 'n' },
    sample: (s: Sampler) => {
      const cov = s.covariance(s.int(1, 30));
      for (let i = 0; i < cov.cols; i++) cov.data[i * cov.cols + i] *= s.pick(1, 0.5, 0.1);
      return [cov, { method: s.pick('spectral', 'diag') }];
    },
    options: ['method'],
    api(cov: Matrix, opts?: NearestPsdOptions) {
      requireCovariance(cov, 'cov');
      optionsObject(opts);
      requireKnownOptions(ALLOCATION_KERNELS.nearestPsd, opts);
      const method = checkParam(A.nearestPsdMethod, opts?.method ?? 'spectral');
      return {
        size: cov.data.length,
        args: [cov.data, cov.cols, method],
        split: problemSplit(false, covNames(cov)),
        shape: (o: Outputs): NearestPsdResult => ({ ...(o.cov as Matrix), repaired: o.repaired === 1 }),
      };
    },
  },
  checkPsd: {
    params: [],
    signature: 'cov[covCount x n x n], covCount, n',
    outputs: { problem: [], asset: [], pivot: [] },
    dims: {},
    sample: (s: Sampler) => {
      // a stack of P covariances, some made indefinite (a diagonal entry negated)
      const [n, P] = [s.int(1, 30), s.pick(1, s.int(2, 5))];
      const data = new Float64Array(P * n * n);
      for (let p = 0; p < P; p++) {
        const c = s.covariance(n);
        if (s.random() < 0.4) c.data[s.int(0, n - 1) * (n + 1)] *= -1;
        data.set(c.data, p * n * n);
      }
      return [{ data: s.view(data), rows: P * n, cols: n }];
    },
    options: [],
    api(cov: Matrix) {
      const s = requireCovStackOf(cov);
      const shape = (o: Outputs): CheckPsdResult | CheckPsdStackResult => {
        const [psd, asset, pivot] = [o.problem === -1, o.asset as number, o.pivot as number];
        return s.stacked ? { psd, problem: o.problem as number, asset, pivot } : { psd, asset, pivot };
      };
      return { size: s.data.length, args: [s.data, s.count, s.n], shape };
    },
  },
  expectedReturns: {
    params: [A.expectedReturnsMethod, A.compounding, A.span, A.frequency, A.riskFree, A.returnsData, A.logReturns],
    outputs: { mean: ['N'] },
    dims: (_p: Float64Array, _rows: number, cols: number) => ({ N: cols }),
    options: ['method', 'compounding', 'span', 'frequency', 'benchmark', 'riskFree', 'returnsData', 'logReturns'],
    api(prices: Series, opts?: ExpectedReturnsOptions) {
      const p = asColumns(prices, 'prices');
      optionsObject(opts);
      requireKnownOptions(ALLOCATION_KERNELS.expectedReturns, opts);
      const d = EXPECTED_RETURNS_DEFAULTS;
      const method = checkParam(A.expectedReturnsMethod, opts?.method ?? d.method);
      const compounding = checkParam(A.compounding, opts?.compounding ?? d.compounding);
      const span = checkParam(A.span, opts?.span ?? d.span);
      const frequency = checkParam(A.frequency, opts?.frequency ?? d.frequency);
      const riskFree = checkParam(A.riskFree, opts?.riskFree ?? d.riskFree);
      const returnsData = checkParam(A.returnsData, opts?.returnsData ?? d.returnsData);
      const logReturns = checkParam(A.logReturns, opts?.logReturns ?? d.logReturns);
      let benchmark = EMPTY;
      if (opts?.benchmark !== undefined) {
        requireFloat64Array(opts.benchmark, 'options.benchmark');
        if (opts.benchmark.length !== p.rows) {
          throw new KernelInputError('options.benchmark', `length ${p.rows} (the rows of prices)`, `length ${opts.benchmark.length}`);
        }
        for (let t = 0; t < p.rows; t++) {
          const b = opts.benchmark[t];
          if (!(returnsData ? Math.abs(b) !== Infinity : (b > 0 && b < Infinity) || b !== b)) {
            const what = returnsData ? 'finite returns (NaN for a missing one)' : 'finite prices > 0 (NaN for a missing one)';
            throw new KernelInputError('options.benchmark', what, `benchmark[${t}] = ${b}`);
          }
        }
        benchmark = opts.benchmark;
      }
      return {
        size: p.data.length,
        args: [p.data, p.rows, p.cols, benchmark, method, compounding, span, frequency, riskFree, returnsData, logReturns],
        // labelled by the columns of prices; a series' is a number (as the risk family's per-column statistics)
        split: columnSplit(prices, p),
        shape: (o: Outputs) => o.mean as PerColumn<Series>,
      };
    },
  },
} as const satisfies { [K in keyof AllocationFamily]: OutputSpec };
