/**
 * The portfolio family's mean-variance optimizers as the API offers them (OptimizerKernels) and one
 * descriptor per kernel (OPTIMIZER_KERNELS, see descriptor.ts). Each follows PyPortfolioOpt's
 * `EfficientFrontier` method of the same job, named in its JSDoc, and solves P problems per call
 * (portfolio.ts: a stack of covariances or of bounds). The solver is an active-set QP
 * (src/backends/reference/portfolio-qp.ts, native/kernels/portfolio_qp.cpp).
 */
import { requireKnownOptions, type Outputs, type OutputSpec } from './descriptor.js';
import type { Matrix } from './matrix.js';
import {
  CONSTRAINT_OPTIONS,
  problemCount,
  requireCovStack,
  resolveConstraints,
  type MinVarianceOptions,
  type MinVarianceResult,
  type PortfolioFamily,
} from './portfolio.js';

/** The portfolio family's optimizers (each also exists as `<name>Async`). */
export interface OptimizerKernels {
  /**
   * The minimum-variance portfolio: min w'Sw (+ l2Gamma |w|^2) under the constraints
   * (PyPortfolioOpt `EfficientFrontier.min_volatility`). `cov` N x N, or a stack of P (P·N rows) for
   * P problems at once; bounds may be P x N too.
   */
  minVariance(cov: Matrix, options?: MinVarianceOptions): MinVarianceResult;
}

const l2Gamma = { key: 'l2Gamma', name: 'options.l2Gamma', expected: 'a finite number >= 0' } as const;

/** One descriptor per optimizer (see the module's comment). */
export const OPTIMIZER_KERNELS = {
  minVariance: {
    params: [l2Gamma],
    outputs: { weights: ['P', 'N'], volatility: ['P'], iterations: ['P'] },
    dims: (
      _c: Float64Array,
      _cc: number,
      n: number,
      _l: Float64Array,
      _u: Float64Array,
      _bc: number,
      _r: Float64Array,
      _lo: Float64Array,
      _hi: Float64Array,
      _t: Float64Array,
      _m: number,
      problems: number,
    ) => ({ P: problems, N: n }),
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
      return { size: s.n * s.n * P, args, shape: (o: Outputs) => o as unknown as MinVarianceResult };
    },
  },
} as const satisfies { [K in keyof Pick<PortfolioFamily, 'minVariance'>]: OutputSpec };
