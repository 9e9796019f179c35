/**
 * Reference implementation of the portfolio family's optimizers (src/kernels/portfolio/portfolio-optimizers.ts):
 * each kernel writes its problems in the solver's form (portfolio-qp.ts) and reads the optimum back.
 * native/kernels/portfolio/portfolio_qp_kernels.cpp follows it function for function.
 *
 * Batches: problems are solved in blocks of BLOCK, each block in order from a cold start, each problem
 * after the first warm from the one before (the same working set when its point is feasible): the
 * native backend gives each block to one thread, so results do not depend on the thread count.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import {
  CLOSED_FORM_MAX_ASSETS,
  type PortfolioFamily,
  type ProblemStack,
  type ResolvedConstraints,
} from '../../../kernels/portfolio/portfolio.js';
import { PORTFOLIO_KERNELS } from '../../../kernels/portfolio/portfolio-kernels.js';
import { referenceExpectedReturns } from './portfolio-expected.js';
import { referenceHrp } from './portfolio-hrp.js';
import { PSD_TOLERANCE } from '../../../kernels/portfolio/portfolio-psd.js';
import { checkCovAt, psdPivotAt, referencePsd } from './portfolio-psd.js';
import { referenceRiskParity } from './portfolio-riskparity.js';
import { QpSolver, QpStatus, type QpProblem, type QpResult } from './portfolio-qp.js';

/** Problems per block of a batch (one thread's share at a time; warm starts stay inside a block). */
export const BLOCK = 8;

export { checkCovAt };

/** The KernelInputError of a solve that did not reach an optimum, for problem p. */
export function solveFault(r: QpResult, p: number, tags: Float64Array): Error {
  switch (r.status) {
    case QpStatus.INFEASIBLE:
      return inputFault(Fault.PORTFOLIO_INFEASIBLE, p, r.value, tags[r.where]);
    case QpStatus.NOT_PSD:
      return inputFault(Fault.PORTFOLIO_NOT_PSD, p, r.value, r.where);
    case QpStatus.UNBOUNDED:
      return inputFault(Fault.PORTFOLIO_UNBOUNDED, p, 0, r.where);
    default:
      return inputFault(Fault.PORTFOLIO_NOT_CONVERGED, p, r.iterations, 0);
  }
}

/** w'Sw over n assets. */
export function quadratic(S: Float64Array, off: number, w: Float64Array, wOff: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += S[off + i * n + j] * w[wOff + j];
    s += w[wOff + i] * r;
  }
  return s;
}

/** H = a S + b I of one covariance of the stack, into H. */
export function scaledCov(H: Float64Array, cov: Float64Array, off: number, n: number, a: number, b: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) H[i * n + j] = a * cov[off + i * n + j];
    H[i * n + i] += b;
  }
}

/**
 * The budget row's closed form: with one equality row a'w = b (b != 0) and the bounds not binding,
 * min 1/2 w'Hw is w = b H^-1 a / (a'H^-1 a), a KKT point of the convex problem and so its optimum.
 * `F` holds the factor of H / s that psdPivotAt leaves (its pivots d_j on the diagonal, L_jj =
 * sqrt(d_j), L below); `y` gets H^-1 a times s. False (the QP solves the problem) when a pivot is
 * zero (H singular), a'H^-1 a is not > 0, or a weight falls outside its bounds (`w` partly written).
 */
export function budgetOnly(
  F: Float64Array,
  n: number,
  a: Float64Array,
  b: number,
  lower: Float64Array,
  upper: Float64Array,
  bo: number,
  y: Float64Array,
  w: Float64Array,
  wo: number,
): boolean {
  for (let j = 0; j < n; j++) if (!(F[j * n + j] > PSD_TOLERANCE)) return false;
  for (let i = 0; i < n; i++) {
    let v = a[i];
    for (let k = 0; k < i; k++) v -= F[i * n + k] * y[k];
    y[i] = v / Math.sqrt(F[i * n + i]);
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < n; k++) v -= F[k * n + i] * y[k];
    y[i] = v / Math.sqrt(F[i * n + i]);
  }
  let q = 0;
  for (let i = 0; i < n; i++) q += a[i] * y[i];
  if (!(q > 0 && q < Infinity)) return false;
  const f = b / q;
  for (let j = 0; j < n; j++) {
    const x = f * y[j];
    if (!(x >= lower[bo + j] && x <= upper[bo + j])) return false;
    w[wo + j] = x;
  }
  return true;
}

/** What minVariance does with each covariance (see prepareCov). */
interface CovWork {
  n: number;
  l2Gamma: number;
  /** The covariance test first. */
  test: boolean;
  /** H's factor wanted: the problems are the budget row and bounds. */
  direct: boolean;
  H: Float64Array;
  F: Float64Array;
}

/**
 * Covariance p of the stack, checked (checkCovAt), with H = S + l2Gamma I written into w.H: the
 * covariance test of S first when asked (PORTFOLIO_COV_NOT_PSD at `at` when it fails), then, when
 * wanted, H's factor into w.F for the budget row's closed form (the test's own when H = S). Whether
 * w.F holds H's factor (one that fails, untested, is left for the QP to meet).
 */
function prepareCov(cov: Float64Array, p: number, at: number, w: CovWork): boolean {
  const { n, H, F } = w;
  checkCovAt(cov, p, n);
  if (w.test) {
    const fail = psdPivotAt(cov, p, n, F);
    if (fail) throw inputFault(Fault.PORTFOLIO_COV_NOT_PSD, at, fail.pivot, fail.asset);
  }
  scaledCov(H, cov, p * n * n, n, 1, w.l2Gamma);
  if (!w.direct) return false;
  return (w.test && w.l2Gamma === 0) || psdPivotAt(H, 0, n, F) === null;
}

/**
 * minVariance: per problem, the budget row's closed form where the problem is that row and bounds and
 * N <= CLOSED_FORM_MAX_ASSETS (budgetOnly), else the QP; a shared covariance tested and factored once.
 */
function minVariance(stack: ProblemStack, constraints: ResolvedConstraints, l2Gamma: number, psdTest: number): Float64Array {
  const { out, views } = allocateOutputs(PORTFOLIO_KERNELS.minVariance, stack);
  const { cov, covCount, n, problems } = stack;
  const { lower, upper, boundCount, rows, rlo, rhi, tags, m } = constraints;
  const direct = n <= CLOSED_FORM_MAX_ASSETS && m === 1 && rlo[0] === rhi[0] && rlo[0] !== 0;
  const work: CovWork = { n, l2Gamma, test: psdTest === 1, direct, H: new Float64Array(n * n), F: new Float64Array(n * n) };
  const y = new Float64Array(n);
  let factored = covCount === 1 && prepareCov(cov, 0, -1, work);
  const problem: QpProblem = { n, H: work.H, c: new Float64Array(n), lower, upper, m, A: rows, rlo, rhi };
  const solver = new QpSolver(n, m);
  for (let p = 0; p < problems; p++) {
    const co = covCount === 1 ? 0 : p * n * n;
    const bo = boundCount === 1 ? 0 : p * n;
    if (covCount > 1) factored = prepareCov(cov, p, p, work);
    if (factored && budgetOnly(work.F, n, rows, rlo[0], lower, upper, bo, y, views.weights, p * n)) {
      views.iterations[p] = 1;
      solver.forget(); // the next QP of the block warm only from the problem just before it
    } else {
      const r = solver.solve({ ...problem, lower: lower.subarray(bo, bo + n), upper: upper.subarray(bo, bo + n) }, p % BLOCK !== 0);
      if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, tags);
      views.weights.set(solver.x.subarray(0, n), p * n);
      views.iterations[p] = r.iterations;
    }
    views.volatility[p] = Math.sqrt(Math.max(quadratic(cov, co, views.weights, p * n, n), 0));
  }
  return out;
}

export const referencePortfolio: Partial<PortfolioFamily> = {
  minVariance,
  ...referenceRiskParity,
  ...referencePsd,
  ...referenceHrp,
  ...referenceExpectedReturns,
};
