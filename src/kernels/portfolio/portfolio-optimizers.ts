/**
 * The portfolio family's mean-variance optimizers as the API offers them (OptimizerKernels) and one
 * descriptor per kernel (OPTIMIZER_KERNELS, see descriptor.ts). Each follows PyPortfolioOpt's
 * `EfficientFrontier` method of the same job, named in its JSDoc, and solves P problems per call
 * (portfolio.ts: a stack of covariances, of means, of bounds or of targets). The solver is an
 * active-set QP (src/backends/reference/portfolio/portfolio-qp.ts, native/kernels/portfolio/portfolio_qp.cpp).
 */
import { KernelInputError } from '../../errors.js';
import { type Call, requireKnownOptions, type Outputs, type OutputSpec } from '../descriptor.js';
import type { Matrix } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import {
  boundsBatched,
  CONSTRAINT_OPTIONS,
  PORTFOLIO_PARAMS,
  perProblem,
  problemCount,
  requireCovStack,
  requireMeans,
  requireTargets,
  resolveConstraints,
  type EfficientFrontier,
  type EfficientFrontierOptions,
  type EfficientFrontierResult,
  type FrontierOf,
  type MaxUtilityOptions,
  type MeanVarianceOptions,
  type MinVarianceOf,
  type MinVarianceOptions,
  type OptimizerFamily,
  type PortfolioOf,
  type ProblemStack,
  type ResolvedConstraints,
  turningPointCapacity,
} from './portfolio.js';
import { type GuardedCall, psdGuarded, type PsdOptions } from './portfolio-psd.js';
import { problemSplit } from '../labels.js';
import type { IsBatch, Returned } from './portfolio-shapes.js';
import { describeValue } from '../validate.js';

/** The largest |bound| efficientFrontier takes (native/kernels/portfolio/portfolio_entry.cpp's kFrontierBoundLimit): a weight of 10^12 times the value is no bound, and beyond it the turning points overflow. */
const FRONTIER_BOUND_LIMIT = 1e12;
/** Expected returns: N values (one problem; a Vector's `index` of names labels the assets) or a P x N Matrix (a batch). */
export type Means = Float64Array | Matrix;

/**
 * The portfolio family's optimizers (each also exists as `<name>Async`, A true: the same signature,
 * the result as a promise).
 *
 * One problem or a batch (portfolio-shapes.ts, `IsBatch`): a call is one problem when every input is
 * given in its one-problem form (`cov` N x N, `mean` a Float64Array of N, a target a number, bounds
 * numbers or Float64Arrays of N) and then gives numbers and the weights as a Vector of N; it is a
 * batch of P when any is given in its batch form (`cov` a CovStack from `stackCovariances` or of P·N
 * rows, `mean` a P x N Matrix, targets a Float64Array of P, bounds a P x N Matrix), and then gives
 * Vectors of P and P x N Matrices. Labels: the weights carry the asset names of the inputs (`cov`'s
 * `columns`, else its `index` of names, else the names of `mean`: a Vector's `index`, a Matrix's
 * `columns`), as a Vector's `index` or a Matrix's `columns`, without a copy.
 */
export interface OptimizerKernels<A extends boolean = false> {
  /**
   * The minimum-variance portfolio: min w'Sw (+ l2Gamma |w|^2) under the constraints
   * (PyPortfolioOpt `EfficientFrontier.min_volatility`). One problem: `cov` N x N, the weights a
   * Vector of N, `volatility` and `iterations` numbers. A batch: `cov` a stack of P (`stackCovariances`,
   * or P·N rows) or bounds P x N: P x N weights, Vectors of P.
   */
  minVariance<C extends Matrix, O extends MinVarianceOptions = MinVarianceOptions>(
    cov: C,
    options?: O,
  ): Returned<A, MinVarianceOf<IsBatch<C, Float64Array, number, O>>>;
  /**
   * The maximum-Sharpe (tangency) portfolio, (mu'w - riskFree) / sqrt(w'Sw) at its highest under the
   * constraints, as PyPortfolioOpt `max_sharpe` solves it: min y'Sy (+ l2Gamma |y|^2, on y as there)
   * s.t. (mu - riskFree)'y = 1 with every constraint scaled by k = sum(y) >= 0, then w = budget y / k.
   * Needs an expected return above riskFree within the constraints. One problem: `mean` N values,
   * `cov` N x N: numbers and the weights as a Vector of N. A batch: `mean` P x N, or `cov` a stack of
   * P, or bounds P x N: Vectors of P and P x N weights.
   */
  maxSharpe<M extends Means, C extends Matrix, O extends MeanVarianceOptions = MeanVarianceOptions>(
    mean: M,
    cov: C,
    options?: O,
  ): Returned<A, PortfolioOf<IsBatch<C, M, number, O>>>;
  /**
   * max mu'w - riskAversion/2 w'Sw (- l2Gamma |w|^2): PyPortfolioOpt `max_quadratic_utility`. One
   * problem or a batch as maxSharpe.
   */
  maxUtility<M extends Means, C extends Matrix, O extends MaxUtilityOptions = MaxUtilityOptions>(
    mean: M,
    cov: C,
    options?: O,
  ): Returned<A, PortfolioOf<IsBatch<C, M, number, O>>>;
  /**
   * The minimum-variance portfolio whose expected return is at least `targetReturn`: PyPortfolioOpt
   * `efficient_return`. A target above the highest feasible return is a KernelInputError naming that
   * return. One problem (a number target, `mean` N values, `cov` N x N): numbers and a Vector of N
   * weights; a batch (targets a Float64Array of P, or another input in batch form, as maxSharpe):
   * Vectors of P and P x N weights.
   */
  efficientReturn<M extends Means, C extends Matrix, T extends number | Float64Array, O extends MeanVarianceOptions = MeanVarianceOptions>(
    mean: M,
    cov: C,
    targetReturn: T,
    options?: O,
  ): Returned<A, PortfolioOf<IsBatch<C, M, T, O>>>;
  /**
   * The highest expected return (- l2Gamma |w|^2) whose volatility is at most `targetVolatility`:
   * PyPortfolioOpt `efficient_risk`. The volatility constraint binds (to 1e-12) unless the highest-return
   * portfolio is below it; a target under the minimum volatility is a KernelInputError naming it. One
   * problem or a batch as efficientReturn.
   */
  efficientRisk<M extends Means, C extends Matrix, T extends number | Float64Array, O extends MeanVarianceOptions = MeanVarianceOptions>(
    mean: M,
    cov: C,
    targetVolatility: T,
    options?: O,
  ): Returned<A, PortfolioOf<IsBatch<C, M, T, O>>>;
  /**
   * The long-only (or bounded) efficient frontier by the critical line algorithm (PyPortfolioOpt `CLA`,
   * weights summing to 1): every turning point, exact, from the highest-return portfolio to the
   * minimum-variance one (PyPortfolioOpt drops some; none is dropped here), then `points` portfolios
   * evenly spaced in expected return between them. One problem (`mean` N values, `cov` N x N): that
   * frontier (EfficientFrontier: K x N and points x N weights, Vectors of K and of points). A batch
   * (`mean` P x N, `cov` a stack of P, or bounds P x N): P frontiers in one call, each computed whole
   * by one thread, stacked (EfficientFrontierResult; `frontierOf(result, p)` gives problem p's). The
   * weights' `columns` are the asset names of the inputs.
   */
  efficientFrontier<M extends Means, C extends Matrix, O extends EfficientFrontierOptions = EfficientFrontierOptions>(
    mean: M,
    cov: C,
    options?: O,
  ): Returned<A, FrontierOf<IsBatch<C, M, number, O>>>;
}

const { l2Gamma, riskFree, riskAversion, psdTest } = PORTFOLIO_PARAMS;
const MEAN_OUTPUTS = { weights: ['P', 'N'], expectedReturn: ['P'], volatility: ['P'], sharpe: ['P'], iterations: ['P'] } as const;

/** The dimensions of an optimizer's outputs: its stack's problems and assets. */
const stackDims = (stack: ProblemStack) => ({ P: stack.problems, N: stack.n });
const MEAN_OPTIONS = [...CONSTRAINT_OPTIONS, 'riskFree'];

/** The absent means of minVariance's stack. */
const NO_MEANS = new Float64Array(0);

/**
 * The checked inputs of an optimizer over expected returns: the backend's two records (the stack and
 * the constraints), P, l2Gamma and riskFree, and the Split of its outputs (one problem when P = 1 and
 * no input is in batch form; `target` the caller's target, a number for one problem).
 */
function meanInputs(mean: unknown, cov: unknown, opts: MeanVarianceOptions | undefined, targets?: Float64Array, target?: unknown) {
  const s = requireCovStack(cov);
  const mu = requireMeans(mean, s.n);
  const { constraints, l2Gamma } = resolveConstraints(opts, s.n);
  const rf = checkParam(PORTFOLIO_PARAMS.riskFree, opts?.riskFree ?? 0);
  const P = problemCount([
    [mu.count, 'mean (rows)'],
    [s.count, 'cov (stacked matrices)'],
    [constraints.boundCount, 'options.bounds (rows)'],
    [targets?.length ?? 1, 'the targets'],
  ]);
  const stack: ProblemStack = { mean: mu.data, meanCount: mu.count, cov: s.data, covCount: s.count, n: s.n, problems: P };
  const one = P === 1 && !s.stacked && !mu.batch && !boundsBatched(opts) && (targets === undefined || typeof target === 'number');
  const split = problemSplit(one, s.names ?? mu.names);
  return { stack, constraints, P, l2Gamma, riskFree: rf, split };
}

/** An optimizer's outputs as its result, one problem's or a batch's (the Split shaped them). */
const asResult = (o: Outputs) => o as unknown as PortfolioOf<boolean>;
const asMinVariance = (o: Outputs) => o as unknown as MinVarianceOf<boolean>;

/** An optimizer's arguments with its stack's covariances replaced by `fixed` (the stack is the first). */
function withStackCov(args: readonly unknown[], fixed: Float64Array): unknown[] {
  const replaced = args.slice();
  replaced[0] = { ...(args[0] as ProblemStack), cov: fixed };
  return replaced;
}

/**
 * The optimizer's Call behind the covariance test (portfolio-psd.ts psdGuarded): `rest` its arguments
 * after the two records; a repaired stack replaces the stack's covariances.
 */
const guarded = <T>(
  kernel: keyof OptimizerFamily,
  stack: ProblemStack,
  constraints: ResolvedConstraints,
  rest: readonly unknown[],
  c: Omit<GuardedCall<T>, 'size' | 'args'>,
  opts?: PsdOptions,
): Call<T> => {
  const size = stack.n * stack.n * stack.problems;
  const cov = { data: stack.cov, count: stack.covCount, n: stack.n, replace: withStackCov };
  // the call's fields one by one: an object spread of `c` here costs about 2 us a call
  const call = { size, args: [stack, constraints, ...rest], split: c.split, shape: c.shape, selfTest: c.selfTest };
  return psdGuarded(kernel, OPTIMIZER_KERNELS[kernel] as OutputSpec, call, cov, opts);
};

/**
 * efficientFrontier's outputs (each problem's turning points in its room of turningPointCapacity(n)
 * rows) as its result: the turning points packed one problem after the other with their offsets (one
 * problem: views, no copy); the weights' `columns` the asset names the Split gave the outputs.
 */
function stackFrontiers(o: Outputs, n: number, P: number): EfficientFrontierResult {
  const count = o.count as Float64Array;
  const C = turningPointCapacity(n);
  const offsets = new Float64Array(P + 1);
  for (let p = 0; p < P; p++) offsets[p + 1] = offsets[p] + count[p];
  const T = offsets[P];
  const { data: weights, columns } = o.weights as Matrix;
  const pack = (v: Float64Array, width: number) => {
    if (P === 1) return v.subarray(0, T * width);
    const packed = new Float64Array(T * width);
    for (let p = 0; p < P; p++) packed.set(v.subarray(p * C * width, (p * C + count[p]) * width), offsets[p] * width);
    return packed;
  };
  return {
    turningPoints: {
      weights: columns ? { data: pack(weights, n), rows: T, cols: n, columns } : { data: pack(weights, n), rows: T, cols: n },
      returns: pack(o.returns as Float64Array, 1),
      volatilities: pack(o.volatilities as Float64Array, 1),
      lambdas: pack(o.lambdas as Float64Array, 1),
      offsets,
    },
    frontier: {
      weights: o.frontierWeights as Matrix,
      returns: o.frontierReturns as Float64Array,
      volatilities: o.frontierVolatilities as Float64Array,
    },
  };
}

/** One problem's frontier from its outputs (views, no copy): its turning points and frontier portfolios. */
function oneFrontier(o: Outputs, n: number): EfficientFrontier {
  const { turningPoints: t, frontier } = stackFrontiers(o, n, 1);
  return { turningPoints: { weights: t.weights, returns: t.returns, volatilities: t.volatilities, lambdas: t.lambdas }, frontier };
}

/** One descriptor per optimizer (see the module's comment). */
export const OPTIMIZER_KERNELS = {
  minVariance: {
    params: [l2Gamma, psdTest],
    outputs: { weights: ['P', 'N'], volatility: ['P'], iterations: ['P'] },
    dims: stackDims,
    options: [...CONSTRAINT_OPTIONS],
    api(cov: Matrix, opts?: MinVarianceOptions) {
      const s = requireCovStack(cov);
      requireKnownOptions(OPTIMIZER_KERNELS.minVariance, opts);
      const { constraints, l2Gamma } = resolveConstraints(opts, s.n);
      const P = problemCount([
        [s.count, 'cov (stacked matrices)'],
        [constraints.boundCount, 'options.bounds (rows)'],
      ]);
      const stack: ProblemStack = { mean: NO_MEANS, meanCount: 0, cov: s.data, covCount: s.count, n: s.n, problems: P };
      const split = problemSplit(P === 1 && !s.stacked && !boundsBatched(opts), s.names);
      // psdTest 0 here: the guard sets it (the kernel's own test, the factorization its solve reuses)
      return guarded('minVariance', stack, constraints, [l2Gamma, 0], { split, shape: asMinVariance, selfTest: true }, opts);
    },
  },
  maxSharpe: {
    params: [riskFree, l2Gamma, psdTest],
    outputs: MEAN_OUTPUTS,
    dims: stackDims,
    options: MEAN_OPTIONS,
    api(mean: Means, cov: Matrix, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.maxSharpe, opts);
      const x = meanInputs(mean, cov, opts);
      const budget = opts?.budget ?? 1;
      if (!(budget > 0))
        throw new KernelInputError('options.budget', 'a number > 0 (maxSharpe scales a portfolio to it)', describeValue(budget));
      // psdTest 0 here: the guard sets it (the kernel's own test, beside its solve natively)
      return guarded(
        'maxSharpe',
        x.stack,
        x.constraints,
        [x.riskFree, x.l2Gamma, 0],
        { split: x.split, shape: asResult, selfTest: true },
        opts,
      );
    },
  },
  maxUtility: {
    params: [riskAversion, l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: stackDims,
    options: [...MEAN_OPTIONS, 'riskAversion'],
    api(mean: Means, cov: Matrix, opts?: MaxUtilityOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.maxUtility, opts);
      const x = meanInputs(mean, cov, opts);
      const delta = checkParam(riskAversion, opts?.riskAversion ?? 1);
      const rest = [delta, x.l2Gamma, x.riskFree];
      return guarded('maxUtility', x.stack, x.constraints, rest, { split: x.split, shape: asResult }, opts);
    },
  },
  efficientReturn: {
    params: [l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: stackDims,
    options: MEAN_OPTIONS,
    api(mean: Means, cov: Matrix, targetReturn: number | Float64Array, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientReturn, opts);
      const targets = requireTargets(targetReturn, 'targetReturn', -Infinity);
      const x = meanInputs(mean, cov, opts, targets, targetReturn);
      const rest = [perProblem(targets, x.P), x.l2Gamma, x.riskFree];
      return guarded('efficientReturn', x.stack, x.constraints, rest, { split: x.split, shape: asResult }, opts);
    },
  },
  efficientRisk: {
    params: [l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: stackDims,
    options: MEAN_OPTIONS,
    api(mean: Means, cov: Matrix, targetVolatility: number | Float64Array, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientRisk, opts);
      const targets = requireTargets(targetVolatility, 'targetVolatility', 0);
      const x = meanInputs(mean, cov, opts, targets, targetVolatility);
      const rest = [perProblem(targets, x.P), x.l2Gamma, x.riskFree];
      return guarded('efficientRisk', x.stack, x.constraints, rest, { split: x.split, shape: asResult }, opts);
    },
  },
  efficientFrontier: {
    params: [],
    outputs: {
      count: ['P'],
      lambdas: ['PC'],
      weights: ['PC', 'N'],
      returns: ['PC'],
      volatilities: ['PC'],
      frontierWeights: ['PM', 'N'],
      frontierReturns: ['PM'],
      frontierVolatilities: ['PM'],
    },
    dims: (stack: ProblemStack, _c: ResolvedConstraints, points: number) => {
      const { problems: P, n } = stack;
      return { P, N: n, PC: P * turningPointCapacity(n), PM: P * points };
    },
    options: ['bounds', 'points', 'repair', 'assumePsd'],
    api(mean: Means, cov: Matrix, opts?: EfficientFrontierOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientFrontier, opts);
      const s = requireCovStack(cov);
      const mu = requireMeans(mean, s.n);
      const c = resolveConstraints({ bounds: opts?.bounds }, s.n).constraints;
      for (let k = 0; k < c.lower.length; k++) {
        // finite, and small enough that the turning points' arithmetic cannot overflow
        if (!(Math.abs(c.lower[k]) <= FRONTIER_BOUND_LIMIT && Math.abs(c.upper[k]) <= FRONTIER_BOUND_LIMIT)) {
          const at = c.boundCount > 1 ? `[${Math.floor(k / s.n)}][${k % s.n}]` : `[${k}]`;
          throw new KernelInputError(
            'options.bounds',
            'finite bounds of magnitude at most 1e12 (the critical line algorithm starts from the highest-return portfolio)',
            `lower${at} = ${c.lower[k]}, upper${at} = ${c.upper[k]}`,
          );
        }
      }
      const points = opts?.points ?? 100;
      if (typeof points !== 'number' || !Number.isInteger(points) || points < 1 || points > 1_000_000) {
        throw new KernelInputError('options.points', 'an integer in [1, 1000000]', describeValue(points));
      }
      const P = problemCount([
        [mu.count, 'mean (rows)'],
        [s.count, 'cov (stacked matrices)'],
        [c.boundCount, 'options.bounds (rows)'],
      ]);
      const n = s.n;
      const stack: ProblemStack = { mean: mu.data, meanCount: mu.count, cov: s.data, covCount: s.count, n, problems: P };
      // the outputs keep P (count is per problem); one problem's result is shaped from them
      const one = P === 1 && !s.stacked && !mu.batch && !boundsBatched(opts);
      const split = problemSplit(false, s.names ?? mu.names);
      const shape = (o: Outputs): FrontierOf<boolean> => (one ? oneFrontier(o, n) : stackFrontiers(o, n, P));
      return guarded('efficientFrontier', stack, c, [points], { split, shape }, opts);
    },
  },
} as const satisfies { [K in keyof OptimizerFamily]: OutputSpec };
