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
import type { PortfolioFamily, ProblemStack, ResolvedConstraints } from '../../../kernels/portfolio/portfolio.js';
import { PORTFOLIO_KERNELS } from '../../../kernels/portfolio/portfolio-kernels.js';
import { referenceExpectedReturns } from './portfolio-expected.js';
import { referenceHrp } from './portfolio-hrp.js';
import { checkCovAt, referencePsd } from './portfolio-psd.js';
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

function minVariance(stack: ProblemStack, constraints: ResolvedConstraints, l2Gamma: number): Float64Array {
  const { out, views } = allocateOutputs(PORTFOLIO_KERNELS.minVariance, stack);
  const { cov, covCount, n, problems } = stack;
  const { lower, upper, boundCount, rows, rlo, rhi, tags, m } = constraints;
  if (covCount === 1) checkCovAt(cov, 0, n);
  const H = new Float64Array(n * n);
  const problem: QpProblem = { n, H, c: new Float64Array(n), lower, upper, m, A: rows, rlo, rhi };
  const solver = new QpSolver(n, m);
  for (let p = 0; p < problems; p++) {
    const co = covCount === 1 ? 0 : p * n * n;
    const bo = boundCount === 1 ? 0 : p * n;
    if (covCount > 1) checkCovAt(cov, p, n);
    scaledCov(H, cov, co, n, 1, l2Gamma);
    const r = solver.solve({ ...problem, lower: lower.subarray(bo, bo + n), upper: upper.subarray(bo, bo + n) }, p % BLOCK !== 0);
    if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, tags);
    views.weights.set(solver.x.subarray(0, n), p * n);
    views.volatility[p] = Math.sqrt(Math.max(quadratic(cov, co, views.weights, p * n, n), 0));
    views.iterations[p] = r.iterations;
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
