/**
 * The portfolio construction family: types, options and their resolution, defined once for every
 * backend. Conventions are PyPortfolioOpt's (robertmartin8/PyPortfolioOpt, `EfficientFrontier`), named
 * per kernel in portfolio-optimizers.ts.
 *
 * - `mean` (N) and `cov` (N x N) are in one unit of time, the caller's: per period or annualized
 *   (PyPortfolioOpt's `expected_returns` and `risk_models` annualize by default, 252 periods); the
 *   outputs (expected return, volatility, Sharpe ratio) are in the same unit, and `riskFree` must be.
 * - One problem or a batch (portfolio-shapes.ts): one problem's inputs (`cov` N x N, `mean` a
 *   Float64Array of N, a number target, per-asset bounds) give numbers and Vectors of N; a batch of P
 *   (`cov` a CovStack of P·N rows and N columns from `stackCovariances`: rolling windows, zero-copy;
 *   means or bounds a P x N Matrix, one row per problem; targets a Float64Array, one per problem) keeps
 *   P-row matrices and Vectors of P. P problems are solved in one call, each output row by one thread.
 *   The asset names of the inputs label every per-asset output.
 * - Constraints, written once as general rows rlo <= a'w <= rhi for the solver: the budget sum(w) =
 *   budget (default 1, 0 for a market-neutral long-short portfolio), each sector's bounds on its total
 *   weight, `inequality` A w <= b and `equality` A w = b; per-asset bounds (default long-only [0, 1],
 *   PyPortfolioOpt's `weight_bounds`; -Infinity/Infinity for none).
 */
import { KernelInputError } from '../../errors.js';
import type { Vector } from '../labels.js';
import { asColumns, requireMatrix, type Matrix } from '../matrix.js';
import { atLeast, checkParam, finite, flag, option, param, positive } from '../param-rules.js';
import type { AllocationFamily } from './portfolio-allocation.js';
import { covNames, isStack, namesIn } from './portfolio-shapes.js';
import { describeValue, requireFloat64Array } from '../validate.js';

/** Per-asset bounds: a number for every asset, a Float64Array of N, or a P x N Matrix (one row per problem). */
export type BoundValue = number | Float64Array | Matrix;

/** General linear constraints `A w <= b` or `A w = b`: A is R x N, b has R values. */
export interface LinearConstraints {
  A: Matrix;
  b: Float64Array;
}

/** The constraints every mean-variance optimizer accepts. */
export interface PortfolioConstraints {
  /** Per-asset weight bounds (PyPortfolioOpt `weight_bounds`). Default { lower: 0, upper: 1 }: long only. */
  bounds?: { lower?: BoundValue; upper?: BoundValue };
  /** The weights sum to this (default 1; 0: market neutral, PyPortfolioOpt `market_neutral=True`). */
  budget?: number;
  /** A sector code (an integer >= 0) per asset (PyPortfolioOpt `add_sector_constraints`' sector_mapper). */
  sectors?: Int32Array;
  /**
   * Bounds on each sector's total weight, by sector code: a number for every sector or a Float64Array
   * indexed by code (-Infinity/Infinity: none). Needs `sectors`.
   */
  sectorBounds?: { lower?: number | Float64Array; upper?: number | Float64Array };
  /** A w <= b, row by row. */
  inequality?: LinearConstraints;
  /** A w = b, row by row. */
  equality?: LinearConstraints;
  /** PyPortfolioOpt's `L2_reg` objective term gamma * sum(w^2) (>= 0; default 0). */
  l2Gamma?: number;
  /** See PsdOptions (portfolio-psd.ts): repair a covariance that is not PSD (default false: refused). */
  repair?: boolean;
  /** See PsdOptions: skip the covariance test for a matrix known to be PSD (default false). */
  assumePsd?: boolean;
}

/** Options of `minVariance()`. */
export type MinVarianceOptions = PortfolioConstraints;

/**
 * What `minVariance()` gives: for one problem (`MinVarianceResult<number, Vector>`) numbers and the N
 * weights as a Vector; for a batch of P (the defaults) a P x N Matrix of weights and a Vector of P per
 * statistic. The weights carry the asset names (a Vector's `index`, a Matrix's `columns`) where the
 * input had them (`cov.columns`, else `cov.index` of names).
 */
export interface MinVarianceResult<V extends number | Vector = Vector, W extends Vector | Matrix = Matrix> {
  /** The weights: N for one problem, P x N for a batch. */
  weights: W;
  /** sqrt(w'Sw) per problem. */
  volatility: V;
  /** The solver's active-set iterations per problem. */
  iterations: V;
}

/** minVariance's result for a batch (B true) or one problem (B false): see IsBatch. */
export type MinVarianceOf<B extends boolean> = B extends true ? MinVarianceResult : MinVarianceResult<number, Vector>;

/** Options of the optimizers that take expected returns: the constraints and the risk-free rate of the Sharpe ratio reported. */
export interface MeanVarianceOptions extends PortfolioConstraints {
  /** The risk-free rate, in the unit of `mean` (default 0: PyPortfolioOpt's portfolio_performance). */
  riskFree?: number;
}

/** Options of `maxUtility()`. */
export interface MaxUtilityOptions extends MeanVarianceOptions {
  /** delta in mu'w - delta/2 w'Sw (> 0; default 1, PyPortfolioOpt's risk_aversion). */
  riskAversion?: number;
}

/**
 * What the optimizers that take expected returns give: for one problem (`PortfolioResult<number,
 * Vector>`) numbers and the N weights as a Vector; for a batch of P (the defaults) a P x N Matrix of
 * weights and a Vector of P per statistic. The weights carry the asset names where the input had them
 * (`cov.columns`, else `cov.index` of names, else the names of `mean`: its `index`, or its `columns`).
 */
export interface PortfolioResult<V extends number | Vector = Vector, W extends Vector | Matrix = Matrix> {
  /** The weights: N for one problem, P x N for a batch. */
  weights: W;
  /** mean'w per problem. */
  expectedReturn: V;
  /** sqrt(w'Sw) per problem. */
  volatility: V;
  /** (expectedReturn - riskFree) / volatility per problem. */
  sharpe: V;
  /** The solver's active-set iterations per problem (all its solves). */
  iterations: V;
}

/** The result of an optimizer over expected returns for a batch (B true) or one problem (B false): see IsBatch. */
export type PortfolioOf<B extends boolean> = B extends true ? PortfolioResult : PortfolioResult<number, Vector>;

/**
 * A constraint row's tag, kind * ROW_KIND + id: what an infeasible row is called in the error
 * (src/kernels/faults.ts). Kinds: the budget, a sector (id = its code), an inequality or equality row
 * (id = its row), the target return, the Sharpe normalisation, an asset's bound (id = the asset).
 */
export const ROW_KIND = 2 ** 24;
export const RowKind = { BUDGET: 0, SECTOR: 1, INEQUALITY: 2, EQUALITY: 3, TARGET_RETURN: 4, SHARPE: 5, BOUND: 6 } as const;

/**
 * The problems of one optimizer call as the backends take them (the first of their two records): P
 * problems over N assets, each of `cov` (covCount 1 or P stacked N x N covariances) and `mean`
 * (meanCount 1 or P rows of N expected returns; empty with meanCount 0 for minVariance, which takes
 * none). native/kernels/portfolio/portfolio_entry.hpp reads it by these names.
 */
export interface ProblemStack {
  mean: Float64Array;
  meanCount: number;
  cov: Float64Array;
  covCount: number;
  /** N, the assets. */
  n: number;
  /** P, the problems. */
  problems: number;
}

/**
 * The constraints as the backends take them (the second record): bounds per problem or shared, rows
 * shared by every problem. native/kernels/portfolio/portfolio_entry.hpp reads it by these names.
 */
export interface ResolvedConstraints {
  /** boundCount (1 or P) x N lower and upper bounds. */
  lower: Float64Array;
  upper: Float64Array;
  boundCount: number;
  /** m x N rows, their sides rlo <= a'w <= rhi and tags (ROW_KIND). */
  rows: Float64Array;
  rlo: Float64Array;
  rhi: Float64Array;
  tags: Float64Array;
  m: number;
}

/**
 * The family's backend interface: the optimizers' (portfolio-optimizers.ts) and the allocation
 * kernels' (portfolio-allocation.ts) signatures: records, arrays and counts, the packed parameters last.
 */
export interface PortfolioFamily extends OptimizerFamily, AllocationFamily {}

/**
 * The optimizers' backend signatures: the problems and the constraints as two records, then the
 * kernel's own arguments (the packed parameters last).
 */
export interface OptimizerFamily {
  /**
   * The stack's covariances only (meanCount 0). psdTest 1: each covariance through the covariance
   * test first (PORTFOLIO_COV_NOT_PSD when one fails), the factorization it leaves reused by the solve.
   */
  minVariance(stack: ProblemStack, constraints: ResolvedConstraints, l2Gamma: number, psdTest: number): Float64Array;
  /** psdTest 1: each covariance through the covariance test first, as minVariance's. */
  maxSharpe(stack: ProblemStack, constraints: ResolvedConstraints, riskFree: number, l2Gamma: number, psdTest: number): Float64Array;
  maxUtility(stack: ProblemStack, constraints: ResolvedConstraints, riskAversion: number, l2Gamma: number, riskFree: number): Float64Array;
  /** targets: one per problem. */
  efficientReturn(
    stack: ProblemStack,
    constraints: ResolvedConstraints,
    targets: Float64Array,
    l2Gamma: number,
    riskFree: number,
  ): Float64Array;
  efficientRisk(
    stack: ProblemStack,
    constraints: ResolvedConstraints,
    targets: Float64Array,
    l2Gamma: number,
    riskFree: number,
  ): Float64Array;
  /**
   * Per problem its turning points (at most turningPointCapacity(N)) and `points` frontier portfolios;
   * of the constraints only the bounds (finite; the weights sum to 1).
   */
  efficientFrontier(stack: ProblemStack, constraints: ResolvedConstraints, points: number): Float64Array;
}

/**
 * Up to this many assets minVariance tries the budget row's closed form before the QP (where the
 * constraints are the budget row and bounds: src/backends/reference/portfolio/portfolio.ts budgetOnly):
 * its Cholesky factorization (n^3 / 6 multiply-adds: checkPsd's kernel took 0.4 us at N = 10 here)
 * costs little next to the QP it may save (7.4 us at N = 10), and a problem's answer does not depend
 * on whether the covariance test ran; above it, where the QP's working sets stay small next to N
 * (long-only portfolios hold few assets), the factorization could cost more than the solve (about 3
 * ms at N = 500, for a 5 ms solve). native/kernels/portfolio/portfolio.hpp kClosedFormMaxAssets is
 * the same.
 */
export const CLOSED_FORM_MAX_ASSETS = 16;

/** The most turning points a frontier of n assets may have (each problem's room in the backends' output). */
export const turningPointCapacity = (n: number) => 4 * n + 4;

/** Options of `efficientFrontier()`. */
export interface EfficientFrontierOptions {
  /**
   * Per-asset weight bounds, finite: numbers, Float64Arrays of N or P x N Matrices (one row per
   * problem), as the other optimizers' (default { lower: 0, upper: 1 }); the weights sum to 1.
   */
  bounds?: { lower?: BoundValue; upper?: BoundValue };
  /** Frontier portfolios per problem, evenly spaced in expected return, from the highest to the lowest (default 100, at least 1). */
  points?: number;
  /** As the optimizers' `repair` (PortfolioConstraints): each covariance through `nearestPsd` first. Default false. */
  repair?: boolean;
  /**
   * As the optimizers' `assumePsd` (PortfolioConstraints): skip the covariance test. Default false. A
   * turning point that is then not finite (a weight, its return or volatility) is a KernelInputError.
   */
  assumePsd?: boolean;
}

/**
 * Portfolios along a frontier: K x N weights (one row per portfolio, `columns` the asset names where
 * the input had them) with their expected returns and volatilities.
 */
export interface FrontierPortfolios {
  weights: Matrix;
  returns: Vector;
  volatilities: Vector;
}

/** A frontier's turning points: portfolios with their lambdas, from the highest return (lambda = Infinity) to the minimum variance (lambda = 0). */
export type TurningPoints = FrontierPortfolios & { lambdas: Vector };

/**
 * What `efficientFrontier()` gives for one problem: its K turning points (K x N weights and K values
 * each) and `points` frontier portfolios between them (points x N weights and points values each),
 * views of one buffer; the weights' `columns` are the asset names where the input had them.
 */
export interface EfficientFrontier {
  /** Every turning point, from the highest return (lambda = Infinity) to the minimum variance (lambda = 0). */
  turningPoints: TurningPoints;
  /** `points` portfolios between them, evenly spaced in expected return, from the highest to the lowest. */
  frontier: FrontierPortfolios;
}

/**
 * What `efficientFrontier()` gives for a batch of P problems, stacked as the family stacks its
 * outputs: the turning points of every problem one after the other (problem p's are the rows
 * `offsets[p]` to `offsets[p + 1]`: their number varies), then `points` frontier portfolios per
 * problem (problem p's are the rows p·points to (p + 1)·points). `frontierOf(result, p)` gives one
 * problem's as a one-problem call does.
 */
export interface EfficientFrontierResult {
  /** Every turning point, from the highest return (lambda = Infinity) to the minimum variance (lambda = 0), per problem. */
  turningPoints: TurningPoints & {
    /** P + 1 row offsets: problem p's turning points are rows offsets[p] to offsets[p + 1]. */
    offsets: Float64Array;
  };
  /** `points` portfolios between them per problem (P·points rows). */
  frontier: FrontierPortfolios;
}

/** efficientFrontier's result for a batch (B true) or one problem (B false): see IsBatch. */
export type FrontierOf<B extends boolean> = B extends true ? EfficientFrontierResult : EfficientFrontier;

/** A Matrix of `rows` x `cols` over `data` labelled with `columns` (when given). */
function labelled(data: Float64Array, rows: number, cols: number, columns: readonly string[] | undefined): Matrix {
  return columns ? { data, rows, cols, columns } : { data, rows, cols };
}

/** Problem p's frontier of a batch's result (views into it, no copy), as a one-problem call gives it. */
export function frontierOf(result: EfficientFrontierResult, p: number): EfficientFrontier {
  const { turningPoints: t, frontier: f } = result;
  const P = t.offsets.length - 1;
  if (!Number.isInteger(p) || p < 0 || p >= P) throw new KernelInputError('p', `a problem index in [0, ${P - 1}]`, describeValue(p));
  const n = t.weights.cols;
  const a = t.offsets[p];
  const b = t.offsets[p + 1];
  const m = f.returns.length / P;
  const rows = (x: Float64Array, lo: number, hi: number) => x.subarray(lo, hi);
  return {
    turningPoints: {
      weights: labelled(rows(t.weights.data, a * n, b * n), b - a, n, t.weights.columns),
      returns: rows(t.returns, a, b),
      volatilities: rows(t.volatilities, a, b),
      lambdas: rows(t.lambdas, a, b),
    },
    frontier: {
      weights: labelled(rows(f.weights.data, p * m * n, (p + 1) * m * n), m, n, f.weights.columns),
      returns: rows(f.returns, p * m, (p + 1) * m),
      volatilities: rows(f.volatilities, p * m, (p + 1) * m),
    },
  };
}

/**
 * Expected returns: N values, or a P x N Matrix (one row per problem, the batch form): data, count,
 * whether it is the batch form, and the asset names it carries (a Vector's index of names, a
 * Matrix's columns).
 */
export function requireMeans(
  mean: unknown,
  n: number,
): { data: Float64Array; count: number; batch: boolean; names: readonly string[] | undefined } {
  if (mean instanceof Float64Array) {
    requireFloat64Array(mean, 'mean');
    if (mean.length !== n) throw new KernelInputError('mean', `${n} expected returns (as cov)`, `length ${mean.length}`);
    return { data: mean, count: 1, batch: false, names: namesIn((mean as Vector).index, n) };
  }
  const m = asColumns(mean, 'mean');
  if (m.cols !== n || m.rows < 1) throw new KernelInputError('mean', `N = ${n} values or a P x ${n} Matrix`, `${m.rows} x ${m.cols}`);
  return { data: m.data, count: m.rows, batch: true, names: m.columns };
}

/** Targets: a finite number, or a Float64Array of finite numbers (one per problem), >= min. */
export function requireTargets(value: unknown, name: string, min: number): Float64Array {
  const expected =
    min === -Infinity
      ? 'a finite number or a Float64Array of them (one per problem)'
      : `a finite number >= ${min} or a Float64Array of them (one per problem)`;
  const ok = (x: number) => Number.isFinite(x) && x >= min;
  if (typeof value === 'number') {
    if (!ok(value)) throw new KernelInputError(name, expected, describeValue(value));
    return Float64Array.of(value);
  }
  if (!(value instanceof Float64Array) || value.length === 0) throw new KernelInputError(name, expected, describeValue(value));
  requireFloat64Array(value, name);
  for (let k = 0; k < value.length; k++) if (!ok(value[k])) throw new KernelInputError(name, expected, `${name}[${k}] = ${value[k]}`);
  return value;
}

/** `values` (1 or P of them) as P values. */
export function perProblem(values: Float64Array, P: number): Float64Array {
  return values.length === P ? values : new Float64Array(P).fill(values[0]);
}

/**
 * A covariance (N x N) or a stack of P (P·N rows, N columns): its data, N, P, whether it is the
 * batch form (a stack, even of one: `isStack`) and its asset names (`covNames`).
 */
export function requireCovStack(
  cov: unknown,
  name = 'cov',
): { data: Float64Array; n: number; count: number; stacked: boolean; names: readonly string[] | undefined } {
  requireMatrix(cov, name);
  const m = cov;
  if (m.cols < 1 || m.rows === 0 || m.rows % m.cols !== 0) {
    throw new KernelInputError(name, 'an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns)', `${m.rows} x ${m.cols}`);
  }
  return { data: m.data, n: m.cols, count: m.rows / m.cols, stacked: isStack(m, name), names: covNames(m) };
}

/** Whether options' bounds are the batch form (BatchBounds: `lower` or `upper` a Matrix). */
export function boundsBatched(options: { bounds?: { lower?: BoundValue; upper?: BoundValue } } | undefined): boolean {
  const b = options?.bounds;
  return b !== undefined && (isBoundMatrix(b.lower) || isBoundMatrix(b.upper));
}

/** Whether a bound is a Matrix (not a number or a Float64Array); at module level: see asOutputs. */
const isBoundMatrix = (v: unknown) => typeof v === 'object' && v !== null && !(v instanceof Float64Array);

/** A finite number, else KernelInputError naming it. */
export function requireFinite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new KernelInputError(name, 'a finite number', describeValue(value));
  return value;
}

/** A bound option as boundCount x N values (a number: every asset; NaN refused). */
function boundValues(value: BoundValue, n: number, name: string): { data: Float64Array; count: number } {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new KernelInputError(name, 'a number (-Infinity/Infinity for none)', 'NaN');
    return { data: new Float64Array(n).fill(value), count: 1 };
  }
  let data: Float64Array;
  let count: number;
  if (value instanceof Float64Array) {
    requireFloat64Array(value, name);
    if (value.length !== n) throw new KernelInputError(name, `${n} values (one per asset)`, `length ${value.length}`);
    data = value;
    count = 1;
  } else {
    const m = asColumns(value, name);
    if (m.cols !== n || m.rows < 1) throw new KernelInputError(name, `a Matrix of P x ${n} (one row per problem)`, `${m.rows} x ${m.cols}`);
    data = m.data;
    count = m.rows;
  }
  for (let k = 0; k < data.length; k++) {
    if (Number.isNaN(data[k])) throw new KernelInputError(name, 'numbers (-Infinity/Infinity for none)', `${name}[${k}] = NaN`);
  }
  return { data, count };
}

/** A per-sector bound (number or Float64Array by code) for sector k; fallback when absent. */
function sectorBound(value: number | Float64Array | undefined, k: number, sectors: number, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new KernelInputError(name, 'a number or a Float64Array by sector code', 'NaN');
    return value;
  }
  requireFloat64Array(value, name);
  if (value.length !== sectors)
    throw new KernelInputError(name, `${sectors} values (one per sector code 0..${sectors - 1})`, `length ${value.length}`);
  if (Number.isNaN(value[k])) throw new KernelInputError(name, 'numbers (-Infinity/Infinity for none)', `${name}[${k}] = NaN`);
  return value[k];
}

/** One `inequality` / `equality` option checked: R x N with R sides. */
function linearRows(value: unknown, n: number, name: string): LinearConstraints | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new KernelInputError(name, '{ A: Matrix, b: Float64Array }', describeValue(value));
  const { A, b } = value as Partial<LinearConstraints>;
  const m = asColumns(A, `${name}.A`);
  if (m.cols !== n) throw new KernelInputError(`${name}.A`, `${n} columns (one per asset)`, `${m.cols}`);
  requireFloat64Array(b, `${name}.b`);
  if (b.length !== m.rows) throw new KernelInputError(`${name}.b`, `${m.rows} values (one per row of A)`, `length ${b.length}`);
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) throw new KernelInputError(`${name}.A`, 'finite numbers', `A.data[${k}] = ${m.data[k]}`);
  }
  for (let k = 0; k < b.length; k++)
    if (!Number.isFinite(b[k])) throw new KernelInputError(`${name}.b`, 'finite numbers', `b[${k}] = ${b[k]}`);
  return { A: m, b };
}

/**
 * The optimizers' packed parameters (OPTIMIZER_KERNELS' `params`, portfolio-optimizers.ts), each with
 * its rule (param-rules.ts): the resolvers check the options by them, and `npm run gen` writes their
 * C++ (native/kernels/generated/portfolio.hpp).
 */
export const PORTFOLIO_PARAMS = {
  l2Gamma: option('l2Gamma', atLeast(0)),
  riskFree: option('riskFree', finite()),
  riskAversion: option('riskAversion', positive()),
  /** minVariance's own covariance test (portfolio-psd.ts psdGuarded sets it): 1 runs it in the kernel. */
  psdTest: param('psdTest', flag('the covariance test runs in the kernel')),
};

/** The option keys of PortfolioConstraints (the descriptors' `options` start with them). */
export const CONSTRAINT_OPTIONS = [
  'bounds',
  'budget',
  'sectors',
  'sectorBounds',
  'inequality',
  'equality',
  'l2Gamma',
  'repair',
  'assumePsd',
] as const;

/**
 * Checks the constraints of N assets and builds their rows: the budget first, then each sector with
 * a finite bound (code order), the inequality rows, the equality rows; with the L2 term's gamma
 * (a parameter of the kernels, not a constraint), checked in its place among them.
 */
export function resolveConstraints(
  options: PortfolioConstraints | undefined,
  n: number,
): { constraints: ResolvedConstraints; l2Gamma: number } {
  const o = options ?? {};
  const defaults =
    o.bounds === undefined &&
    o.budget === undefined &&
    o.sectors === undefined &&
    o.sectorBounds === undefined &&
    o.inequality === undefined &&
    o.equality === undefined &&
    o.l2Gamma === undefined;
  return defaults ? defaultConstraints(n) : resolveGiven(o, n);
}

/**
 * The default constraints of N assets (long only, the budget 1), resolved once per N and shared by
 * every call that gives none: an engine's call per message builds no arrays for them (about 1 us of
 * the 5 a small minVariance call costs), and the backends, which only read them, see the same arrays
 * each time. At most DEFAULTS_HELD orders are kept (the map is cleared past that).
 */
function defaultConstraints(n: number): { constraints: ResolvedConstraints; l2Gamma: number } {
  let d = defaultsByN.get(n);
  if (!d) {
    if (defaultsByN.size >= DEFAULTS_HELD) defaultsByN.clear();
    d = resolveGiven({}, n);
    defaultsByN.set(n, d);
  }
  return d;
}
const DEFAULTS_HELD = 64;
const defaultsByN = new Map<number, { constraints: ResolvedConstraints; l2Gamma: number }>();

/** resolveConstraints of options that give some constraint (`o`). */
function resolveGiven(o: PortfolioConstraints, n: number): { constraints: ResolvedConstraints; l2Gamma: number } {
  if (o.bounds !== undefined && (typeof o.bounds !== 'object' || o.bounds === null)) {
    throw new KernelInputError('options.bounds', '{ lower, upper }', describeValue(o.bounds));
  }
  const lo = boundValues(o.bounds?.lower ?? 0, n, 'options.bounds.lower');
  const hi = boundValues(o.bounds?.upper ?? 1, n, 'options.bounds.upper');
  if (lo.count !== hi.count && lo.count !== 1 && hi.count !== 1) {
    throw new KernelInputError('options.bounds.upper', `${lo.count} rows (as options.bounds.lower)`, `${hi.count}`);
  }
  const boundCount = Math.max(lo.count, hi.count);
  const lower = lo.count === boundCount ? lo.data : repeatRows(lo.data, n, boundCount);
  const upper = hi.count === boundCount ? hi.data : repeatRows(hi.data, n, boundCount);
  for (let k = 0; k < lower.length; k++) {
    if (!(lower[k] <= upper[k]) || lower[k] === Infinity || upper[k] === -Infinity) {
      const at = boundCount > 1 ? `[${Math.floor(k / n)}][${k % n}]` : `[${k}]`;
      throw new KernelInputError(
        'options.bounds',
        'lower <= upper, lower < Infinity, upper > -Infinity',
        `lower${at} = ${lower[k]}, upper${at} = ${upper[k]}`,
      );
    }
  }
  const budget = requireFinite(o.budget ?? 1, 'options.budget');
  const l2Gamma = checkParam(PORTFOLIO_PARAMS.l2Gamma, o.l2Gamma ?? 0);
  // the rows one after another (n values each), built flat
  const rows: number[] = new Array(n).fill(1);
  const rlo = [budget];
  const rhi = [budget];
  const tags = [RowKind.BUDGET * ROW_KIND];
  if (o.sectorBounds !== undefined && o.sectors === undefined)
    throw new KernelInputError('options.sectors', 'sector codes (options.sectorBounds needs them)', 'undefined');
  if (o.sectors !== undefined) {
    const sectors = o.sectors;
    if (!(sectors instanceof Int32Array))
      throw new KernelInputError('options.sectors', 'an Int32Array of sector codes', describeValue(sectors));
    if (sectors.length !== n) throw new KernelInputError('options.sectors', `${n} codes (one per asset)`, `length ${sectors.length}`);
    let count = 0;
    for (let j = 0; j < n; j++) {
      if (sectors[j] < 0 || sectors[j] >= 1 << 20)
        throw new KernelInputError('options.sectors', 'codes in [0, 2^20)', `sectors[${j}] = ${sectors[j]}`);
      count = Math.max(count, sectors[j] + 1);
    }
    const sb = o.sectorBounds;
    if (sb !== undefined && (typeof sb !== 'object' || sb === null))
      throw new KernelInputError('options.sectorBounds', '{ lower, upper }', describeValue(sb));
    for (let k = 0; k < count; k++) {
      const l = sectorBound(sb?.lower, k, count, 'options.sectorBounds.lower', -Infinity);
      const u = sectorBound(sb?.upper, k, count, 'options.sectorBounds.upper', Infinity);
      if (!(l <= u) || l === Infinity || u === -Infinity) {
        throw new KernelInputError('options.sectorBounds', 'lower <= upper per sector', `sector ${k}: lower ${l}, upper ${u}`);
      }
      if (l === -Infinity && u === Infinity) continue;
      for (let j = 0; j < n; j++) rows.push(sectors[j] === k ? 1 : 0);
      rlo.push(l);
      rhi.push(u);
      tags.push(RowKind.SECTOR * ROW_KIND + k);
    }
  }
  const built = { rows, rlo, rhi, tags };
  addLinearRows(built, linearRows(o.inequality, n, 'options.inequality'), n, RowKind.INEQUALITY, false);
  addLinearRows(built, linearRows(o.equality, n, 'options.equality'), n, RowKind.EQUALITY, true);
  const constraints: ResolvedConstraints = {
    lower,
    upper,
    boundCount,
    rows: new Float64Array(rows),
    rlo: new Float64Array(rlo),
    rhi: new Float64Array(rhi),
    tags: new Float64Array(tags),
    m: rlo.length,
  };
  return { constraints, l2Gamma };
}

/**
 * Appends the rows of `c` (n values each, flat), their bounds (`equal`: b both sides, else at most b)
 * and tags; a function of the module, not a closure made per call (see descriptor.ts asOutputs).
 */
function addLinearRows(
  to: { rows: number[]; rlo: number[]; rhi: number[]; tags: number[] },
  c: LinearConstraints | undefined,
  n: number,
  kind: number,
  equal: boolean,
): void {
  if (!c) return;
  for (let r = 0; r < c.A.rows; r++) {
    for (let j = 0; j < n; j++) to.rows.push(c.A.data[r * n + j]);
    to.rlo.push(equal ? c.b[r] : -Infinity);
    to.rhi.push(c.b[r]);
    to.tags.push(kind * ROW_KIND + r);
  }
}

/** `count` copies of one row of n values. */
function repeatRows(row: Float64Array, n: number, count: number): Float64Array {
  const out = new Float64Array(n * count);
  for (let p = 0; p < count; p++) out.set(row.subarray(0, n), p * n);
  return out;
}

/** The problem count of a batch: each count 1 or P, else KernelInputError naming the one that differs. */
export function problemCount(counts: readonly (readonly [number, string])[]): number {
  let P = 1;
  for (let k = 0; k < counts.length && P === 1; k++) P = counts[k][0];
  for (const [c, name] of counts) {
    if (c !== 1 && c !== P) throw new KernelInputError(name, `1 or ${P} problems (as the others)`, `${c}`);
  }
  return P;
}
