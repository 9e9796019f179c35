/**
 * The portfolio family's mean-variance optimizers as the API offers them (OptimizerKernels) and one
 * descriptor per kernel (OPTIMIZER_KERNELS, see descriptor.ts). Each follows PyPortfolioOpt's
 * `EfficientFrontier` method of the same job, named in its JSDoc, and solves P problems per call
 * (portfolio.ts: a stack of covariances, of means, of bounds or of targets). The solver is an
 * active-set QP (src/backends/reference/portfolio-qp.ts, native/kernels/portfolio_qp.cpp).
 */
import { KernelInputError } from '../errors.js';
import { type Call, requireKnownOptions, type Outputs, type OutputSpec } from './descriptor.js';
import type { Matrix } from './matrix.js';
import {
  CONSTRAINT_OPTIONS,
  perProblem,
  problemCount,
  requireCovStack,
  requireFinite,
  requireMeans,
  requireTargets,
  resolveConstraints,
  type EfficientFrontierOptions,
  type EfficientFrontierResult,
  type MaxUtilityOptions,
  type MeanVarianceOptions,
  type MinVarianceOptions,
  type MinVarianceResult,
  type OptimizerFamily,
  type PortfolioResult,
  turningPointCapacity,
} from './portfolio.js';
import { type GuardedCall, psdGuarded, type PsdOptions } from './portfolio-psd.js';
import { describeValue } from './validate.js';

/** The largest |bound| efficientFrontier takes (native/kernels/portfolio_entry.cpp's kFrontierBoundLimit): a weight of 10^12 times the value is no bound, and beyond it the turning points overflow. */
const FRONTIER_BOUND_LIMIT = 1e12;
/** The portfolio family's optimizers (each also exists as `<name>Async`). */
export interface OptimizerKernels {
  /**
   * The minimum-variance portfolio: min w'Sw (+ l2Gamma |w|^2) under the constraints
   * (PyPortfolioOpt `EfficientFrontier.min_volatility`). `cov` N x N, or a stack of P (P·N rows) for
   * P problems at once; bounds may be P x N too.
   */
  minVariance(cov: Matrix, options?: MinVarianceOptions): MinVarianceResult;
  /**
   * The maximum-Sharpe (tangency) portfolio, (mu'w - riskFree) / sqrt(w'Sw) at its highest under the
   * constraints, as PyPortfolioOpt `max_sharpe` solves it: min y'Sy (+ l2Gamma |y|^2, on y as there)
   * s.t. (mu - riskFree)'y = 1 with every constraint scaled by k = sum(y) >= 0, then w = budget y / k.
   * Needs an expected return above riskFree within the constraints. `mean` N values or P x N.
   */
  maxSharpe(mean: Float64Array | Matrix, cov: Matrix, options?: MeanVarianceOptions): PortfolioResult;
  /** max mu'w - riskAversion/2 w'Sw (- l2Gamma |w|^2): PyPortfolioOpt `max_quadratic_utility`. */
  maxUtility(mean: Float64Array | Matrix, cov: Matrix, options?: MaxUtilityOptions): PortfolioResult;
  /**
   * The minimum-variance portfolio whose expected return is at least `targetReturn` (one, or one per
   * problem): PyPortfolioOpt `efficient_return`. A target above the highest feasible return is a
   * KernelInputError naming that return.
   */
  efficientReturn(
    mean: Float64Array | Matrix,
    cov: Matrix,
    targetReturn: number | Float64Array,
    options?: MeanVarianceOptions,
  ): PortfolioResult;
  /**
   * The highest expected return (- l2Gamma |w|^2) whose volatility is at most `targetVolatility`:
   * PyPortfolioOpt `efficient_risk`. The volatility constraint binds (to 1e-12) unless the highest-return
   * portfolio is below it; a target under the minimum volatility is a KernelInputError naming it.
   */
  efficientRisk(
    mean: Float64Array | Matrix,
    cov: Matrix,
    targetVolatility: number | Float64Array,
    options?: MeanVarianceOptions,
  ): PortfolioResult;
  /**
   * The long-only (or bounded) efficient frontier by the critical line algorithm (PyPortfolioOpt `CLA`,
   * weights summing to 1): every turning point, exact, from the highest-return portfolio to the
   * minimum-variance one (PyPortfolioOpt drops some; none is dropped here), then `points` portfolios
   * evenly spaced in expected return between them. Batched as the others: `mean` N values or P x N,
   * `cov` N x N or a stack of P (P·N rows), bounds per asset or P x N; P frontiers in one call, each
   * computed whole by one thread, stacked in the result (EfficientFrontierResult; `frontierOf(result,
   * p)` gives problem p's).
   */
  efficientFrontier(mean: Float64Array | Matrix, cov: Matrix, options?: EfficientFrontierOptions): EfficientFrontierResult;
}

const l2Gamma = { key: 'l2Gamma', name: 'options.l2Gamma', expected: 'a finite number >= 0' } as const;
const riskFree = { key: 'riskFree', name: 'options.riskFree', expected: 'a finite number' } as const;
const MEAN_OUTPUTS = { weights: ['P', 'N'], expectedReturn: ['P'], volatility: ['P'], sharpe: ['P'], iterations: ['P'] } as const;

/** dims of a kernel taking (mean, meanCount, cov, covCount, n, ...13 more: problems). */
const meanDims = (...a: unknown[]) => ({ P: a[13] as number, N: a[4] as number });
const MEAN_OPTIONS = [...CONSTRAINT_OPTIONS, 'riskFree'];

/** The checked inputs of an optimizer over expected returns: the backend's leading arguments and P. */
function meanInputs(mean: unknown, cov: unknown, opts: MeanVarianceOptions | undefined, targets?: Float64Array) {
  const s = requireCovStack(cov);
  const mu = requireMeans(mean, s.n);
  const c = resolveConstraints(opts, s.n);
  const rf = requireFinite(opts?.riskFree ?? 0, 'options.riskFree');
  const P = problemCount([
    [mu.count, 'mean (rows)'],
    [s.count, 'cov (stacked matrices)'],
    [c.boundCount, 'options.bounds (rows)'],
    [targets?.length ?? 1, 'the targets'],
  ]);
  const lead = [mu.data, mu.count, s.data, s.count, s.n, c.lower, c.upper, c.boundCount, c.rows, c.rlo, c.rhi, c.tags, c.m, P];
  return { lead, P, size: s.n * s.n * P, l2Gamma: c.l2Gamma, riskFree: rf, count: s.count, n: s.n };
}

const asResult = (o: Outputs) => o as unknown as PortfolioResult;

/** The optimizer's Call behind the covariance test (portfolio-psd.ts psdGuarded). */
const guarded = <T>(
  kernel: keyof OptimizerFamily,
  c: GuardedCall<T>,
  covAt: number,
  count: number,
  n: number,
  opts?: PsdOptions,
): Call<T> => psdGuarded(kernel, OPTIMIZER_KERNELS[kernel] as OutputSpec, c, covAt, count, n, opts);

/**
 * efficientFrontier's outputs (each problem's turning points in its room of turningPointCapacity(n)
 * rows) as its result: the turning points packed one problem after the other with their offsets (one
 * problem: views, no copy).
 */
function stackFrontiers(o: Outputs, n: number, P: number): EfficientFrontierResult {
  const count = o.count as Float64Array;
  const C = turningPointCapacity(n);
  const offsets = new Float64Array(P + 1);
  for (let p = 0; p < P; p++) offsets[p + 1] = offsets[p] + count[p];
  const T = offsets[P];
  const weights = (o.weights as Matrix).data;
  const pack = (v: Float64Array, width: number) => {
    if (P === 1) return v.subarray(0, T * width);
    const packed = new Float64Array(T * width);
    for (let p = 0; p < P; p++) packed.set(v.subarray(p * C * width, (p * C + count[p]) * width), offsets[p] * width);
    return packed;
  };
  return {
    turningPoints: {
      weights: { data: pack(weights, n), rows: T, cols: n },
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

/** One descriptor per optimizer (see the module's comment). */
export const OPTIMIZER_KERNELS = {
  minVariance: {
    params: [l2Gamma],
    outputs: { weights: ['P', 'N'], volatility: ['P'], iterations: ['P'] },
    dims: (...a: unknown[]) => ({ P: a[11] as number, N: a[2] as number }),
    options: [...CONSTRAINT_OPTIONS],
    api(cov: Matrix, opts?: MinVarianceOptions) {
      const s = requireCovStack(cov);
      requireKnownOptions(OPTIMIZER_KERNELS.minVariance, opts);
      const c = resolveConstraints(opts, s.n);
      const P = problemCount([
        [s.count, 'cov (stacked matrices)'],
        [c.boundCount, 'options.bounds (rows)'],
      ]);
      const args = [s.data, s.count, s.n, c.lower, c.upper, c.boundCount, c.rows, c.rlo, c.rhi, c.tags, c.m, P, c.l2Gamma];
      const shape = (o: Outputs) => o as unknown as MinVarianceResult;
      return guarded('minVariance', { size: s.n * s.n * P, args, shape }, 0, s.count, s.n, opts);
    },
  },
  maxSharpe: {
    params: [riskFree, l2Gamma],
    outputs: MEAN_OUTPUTS,
    dims: meanDims,
    options: MEAN_OPTIONS,
    api(mean: Float64Array | Matrix, cov: Matrix, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.maxSharpe, opts);
      const x = meanInputs(mean, cov, opts);
      const budget = opts?.budget ?? 1;
      if (!(budget > 0))
        throw new KernelInputError('options.budget', 'a number > 0 (maxSharpe scales a portfolio to it)', describeValue(budget));
      return guarded('maxSharpe', { size: x.size, args: [...x.lead, x.riskFree, x.l2Gamma], shape: asResult }, 2, x.count, x.n, opts);
    },
  },
  maxUtility: {
    params: [{ key: 'riskAversion', name: 'options.riskAversion', expected: 'a finite number > 0' }, l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: meanDims,
    options: [...MEAN_OPTIONS, 'riskAversion'],
    api(mean: Float64Array | Matrix, cov: Matrix, opts?: MaxUtilityOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.maxUtility, opts);
      const x = meanInputs(mean, cov, opts);
      const delta = opts?.riskAversion ?? 1;
      if (typeof delta !== 'number' || !(delta > 0 && delta < Infinity)) {
        throw new KernelInputError('options.riskAversion', 'a finite number > 0', describeValue(delta));
      }
      return guarded(
        'maxUtility',
        { size: x.size, args: [...x.lead, delta, x.l2Gamma, x.riskFree], shape: asResult },
        2,
        x.count,
        x.n,
        opts,
      );
    },
  },
  efficientReturn: {
    params: [l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: meanDims,
    options: MEAN_OPTIONS,
    api(mean: Float64Array | Matrix, cov: Matrix, targetReturn: number | Float64Array, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientReturn, opts);
      const targets = requireTargets(targetReturn, 'targetReturn', -Infinity);
      const x = meanInputs(mean, cov, opts, targets);
      return guarded(
        'efficientReturn',
        { size: x.size, args: [...x.lead, perProblem(targets, x.P), x.l2Gamma, x.riskFree], shape: asResult },
        2,
        x.count,
        x.n,
        opts,
      );
    },
  },
  efficientRisk: {
    params: [l2Gamma, riskFree],
    outputs: MEAN_OUTPUTS,
    dims: meanDims,
    options: MEAN_OPTIONS,
    api(mean: Float64Array | Matrix, cov: Matrix, targetVolatility: number | Float64Array, opts?: MeanVarianceOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientRisk, opts);
      const targets = requireTargets(targetVolatility, 'targetVolatility', 0);
      const x = meanInputs(mean, cov, opts, targets);
      return guarded(
        'efficientRisk',
        { size: x.size, args: [...x.lead, perProblem(targets, x.P), x.l2Gamma, x.riskFree], shape: asResult },
        2,
        x.count,
        x.n,
        opts,
      );
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
    dims: (...a: unknown[]) => {
      const [n, P, M] = [a[4] as number, a[8] as number, a[9] as number];
      return { P, N: n, PC: P * turningPointCapacity(n), PM: P * M };
    },
    options: ['bounds', 'points', 'repair', 'assumePsd'],
    api(mean: Float64Array | Matrix, cov: Matrix, opts?: EfficientFrontierOptions) {
      requireKnownOptions(OPTIMIZER_KERNELS.efficientFrontier, opts);
      const s = requireCovStack(cov);
      const mu = requireMeans(mean, s.n);
      const c = resolveConstraints({ bounds: opts?.bounds }, s.n);
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
      const args = [mu.data, mu.count, s.data, s.count, n, c.lower, c.upper, c.boundCount, P, points];
      return guarded('efficientFrontier', { size: n * n * P, args, shape: (o: Outputs) => stackFrontiers(o, n, P) }, 2, s.count, n, opts);
    },
  },
} as const satisfies { [K in keyof OptimizerFamily]: OutputSpec };
