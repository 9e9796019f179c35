/**
 * Reference implementation of the optimizers over expected returns (src/kernels/portfolio/portfolio-optimizers.ts:
 * maxSharpe, maxUtility, efficientReturn, efficientRisk), each problem written in the solver's form
 * (portfolio-qp.ts). native/kernels/portfolio/portfolio_qp_mean.cpp follows it function for function.
 *
 * - maxUtility: min delta/2 w'Sw + gamma |w|^2 - mu'w.
 * - efficientReturn: min w'Sw + gamma |w|^2 s.t. mu'w >= target (one more row); a target no feasible
 *   portfolio reaches: the highest feasible return from the linear program max mu'w.
 * - efficientRisk: max mu'w - gamma |w|^2 s.t. w'Sw <= sigma^2. Its KKT conditions are those of
 *   min w'Sw + t gamma |w|^2 - t mu'w for t = 1 / (the multiplier of the variance constraint), whose
 *   volatility grows with t from the minimum-variance portfolio (t = 0) to the highest-return one
 *   (t -> infinity: argmax mu'w - gamma |w|^2, or with gamma = 0 the least variance among the
 *   portfolios of the highest return). The target is found on t by Illinois false position to 1e-14 in
 *   variance, each solve warm from the last: the portfolio returned is the exact optimum of its t.
 * - maxSharpe: PyPortfolioOpt's transformation: y = k w with k = sum(y) / budget >= 0, min y'Sy +
 *   gamma |y|^2 s.t. (mu - riskFree)'y = 1, each row lo <= a'w <= hi as (budget a - lo 1)'y >= 0 and
 *   (budget a - hi 1)'y <= 0, each bound likewise (a lower bound of 0 stays the bound y >= 0; an upper
 *   bound >= budget is implied when no lower bound is negative), k >= 0 unless implied; w = budget y / k.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import {
  type OptimizerFamily,
  type ProblemStack,
  type ResolvedConstraints,
  ROW_KIND,
  RowKind,
} from '../../../kernels/portfolio/portfolio.js';
import { OPTIMIZER_KERNELS } from '../../../kernels/portfolio/portfolio-optimizers.js';
import { BLOCK, checkCovAt, quadratic, scaledCov, solveFault } from './portfolio.js';
import { psdPivotAt } from './portfolio-psd.js';
import { QpSolver, QpStatus, type QpProblem, type QpResult } from './portfolio-qp.js';

/** One call's inputs: its two records' fields together. */
type Batch = ProblemStack & ResolvedConstraints;

const batchOf = (stack: ProblemStack, constraints: ResolvedConstraints): Batch => ({ ...stack, ...constraints });

/** The means, then a shared covariance, checked (PORTFOLIO_MEAN_NOT_FINITE, PORTFOLIO_COV_INVALID). */
function checkInputs(b: Batch): void {
  for (let k = 0; k < b.mean.length; k++) {
    if (!Number.isFinite(b.mean[k])) throw inputFault(Fault.PORTFOLIO_MEAN_NOT_FINITE, k, b.mean[k], b.meanCount === 1 ? 1 : b.n);
  }
  if (b.covCount === 1) checkCovAt(b.cov, 0, b.n);
}

/** Problem p's covariance of a stack, checked as its problem starts. */
function checkProblemCov(b: Batch, p: number): void {
  if (b.covCount > 1) checkCovAt(b.cov, p, b.n);
}

/** Problem p's offsets into the mean, cov and bounds. */
function offsets(b: Batch, p: number): { mo: number; co: number; bo: number } {
  return { mo: b.meanCount === 1 ? 0 : p * b.n, co: b.covCount === 1 ? 0 : p * b.n * b.n, bo: b.boundCount === 1 ? 0 : p * b.n };
}

/** mu'w. */
function dot(mu: Float64Array, mo: number, w: Float64Array, wo: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += mu[mo + j] * w[wo + j];
  return s;
}

/** Problem p's row of the outputs from its weights (already in views.weights). */
function record(views: Record<string, Float64Array>, b: Batch, p: number, riskFree: number, iterations: number): void {
  const { mo, co } = offsets(b, p);
  const ret = dot(b.mean, mo, views.weights, p * b.n, b.n);
  const vol = Math.sqrt(Math.max(quadratic(b.cov, co, views.weights, p * b.n, b.n), 0));
  views.expectedReturn[p] = ret;
  views.volatility[p] = vol;
  views.sharpe[p] = (ret - riskFree) / vol;
  views.iterations[p] = iterations;
}

/** The rows with one more, row m (the expected returns of problem p), and its sides and tag. */
function withReturnRow(b: Batch): { A: Float64Array; rlo: Float64Array; rhi: Float64Array; tags: Float64Array } {
  const { n, m } = b;
  const A = new Float64Array((m + 1) * n);
  A.set(b.rows);
  const rlo = new Float64Array(m + 1);
  rlo.set(b.rlo);
  rlo[m] = -Infinity;
  const rhi = new Float64Array(m + 1);
  rhi.set(b.rhi);
  rhi[m] = Infinity;
  const tags = new Float64Array(m + 1);
  tags.set(b.tags);
  tags[m] = RowKind.TARGET_RETURN * ROW_KIND;
  return { A, rlo, rhi, tags };
}

function maxUtility(
  stack: ProblemStack,
  constraints: ResolvedConstraints,
  riskAversion: number,
  l2Gamma: number,
  riskFree: number,
): Float64Array {
  const b = batchOf(stack, constraints);
  const { out, views } = allocateOutputs(OPTIMIZER_KERNELS.maxUtility, stack);
  checkInputs(b);
  const { n } = b;
  const H = new Float64Array(n * n);
  const c = new Float64Array(n);
  const solver = new QpSolver(n, b.m);
  for (let p = 0; p < b.problems; p++) {
    checkProblemCov(b, p);
    const { mo, co, bo } = offsets(b, p);
    scaledCov(H, b.cov, co, n, riskAversion, 2 * l2Gamma);
    for (let j = 0; j < n; j++) c[j] = -b.mean[mo + j];
    const problem = qp(b, H, c, bo, b.rows, b.rlo, b.rhi, b.m);
    const r = solver.solve(problem, p % BLOCK !== 0);
    if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, b.tags);
    views.weights.set(solver.x.subarray(0, n), p * n);
    record(views, b, p, riskFree, r.iterations);
  }
  return out;
}

/** A QpProblem over problem p's bounds (offset bo) and the rows given. */
function qp(
  b: Batch,
  H: Float64Array,
  c: Float64Array,
  bo: number,
  A: Float64Array,
  rlo: Float64Array,
  rhi: Float64Array,
  m: number,
): QpProblem {
  return { n: b.n, H, c, lower: b.lower.subarray(bo, bo + b.n), upper: b.upper.subarray(bo, bo + b.n), m, A, rlo, rhi };
}

/**
 * The highest expected return of problem p's constraints (the target row relaxed): the linear program
 * max mu'w (H = 0). Its fault when the constraints themselves are infeasible.
 */
function highestReturn(
  solver: QpSolver,
  b: Batch,
  problem: QpProblem,
  mo: number,
  p: number,
  tags: Float64Array,
): { value: number; iterations: number } {
  const { n, m } = b;
  const zero = new Float64Array(n * n);
  const c = new Float64Array(n);
  for (let j = 0; j < n; j++) c[j] = -b.mean[mo + j];
  const save = problem.rlo[m];
  problem.rlo[m] = -Infinity;
  const r = solver.solve({ ...problem, H: zero, c }, false);
  problem.rlo[m] = save;
  if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, tags);
  return { value: dot(b.mean, mo, solver.x, 0, n), iterations: r.iterations };
}

function efficientReturn(
  stack: ProblemStack,
  constraints: ResolvedConstraints,
  targets: Float64Array,
  l2Gamma: number,
  riskFree: number,
): Float64Array {
  const b = batchOf(stack, constraints);
  const { out, views } = allocateOutputs(OPTIMIZER_KERNELS.efficientReturn, stack);
  checkInputs(b);
  const { n, m } = b;
  const H = new Float64Array(n * n);
  const c = new Float64Array(n);
  const rows = withReturnRow(b);
  const solver = new QpSolver(n, m + 1);
  for (let p = 0; p < b.problems; p++) {
    checkProblemCov(b, p);
    const { mo, co, bo } = offsets(b, p);
    scaledCov(H, b.cov, co, n, 1, l2Gamma);
    rows.A.set(b.mean.subarray(mo, mo + n), m * n);
    rows.rlo[m] = targets[p];
    const problem = qp(b, H, c, bo, rows.A, rows.rlo, rows.rhi, m + 1);
    const r = solver.solve(problem, p % BLOCK !== 0);
    if (r.status === QpStatus.INFEASIBLE && r.where === m) {
      const best = highestReturn(solver, b, problem, mo, p, rows.tags);
      throw inputFault(Fault.PORTFOLIO_RETURN_TARGET, p, targets[p], best.value);
    }
    if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, rows.tags);
    views.weights.set(solver.x.subarray(0, n), p * n);
    record(views, b, p, riskFree, r.iterations);
  }
  return out;
}

/** Relative accuracy of efficientRisk's variance: |w'Sw - sigma^2| <= this sigma^2. */
const RISK_RTOL = 1e-14;
const MAX_RISK_STEPS = 200;

function efficientRisk(
  stack: ProblemStack,
  constraints: ResolvedConstraints,
  targets: Float64Array,
  l2Gamma: number,
  riskFree: number,
): Float64Array {
  const b = batchOf(stack, constraints);
  const { out, views } = allocateOutputs(OPTIMIZER_KERNELS.efficientRisk, stack);
  checkInputs(b);
  const { n, m } = b;
  const H = new Float64Array(n * n);
  const c = new Float64Array(n);
  const rows = withReturnRow(b);
  const solver = new QpSolver(n, m + 1);
  for (let p = 0; p < b.problems; p++) {
    checkProblemCov(b, p);
    const { mo, co, bo } = offsets(b, p);
    rows.A.set(b.mean.subarray(mo, mo + n), m * n);
    rows.rlo[m] = -Infinity;
    const problem = qp(b, H, c, bo, rows.A, rows.rlo, rows.rhi, m + 1);
    const sigma = targets[p];
    let iterations = 0;
    /** Solves min w'Sw + t gamma |w|^2 - t mu'w: the solution's variance. */
    const solveAt = (t: number, warm: boolean): number => {
      scaledCov(H, b.cov, co, n, 2, 2 * t * l2Gamma);
      for (let j = 0; j < n; j++) c[j] = -t * b.mean[mo + j];
      const r: QpResult = solver.solve(problem, warm);
      iterations += r.iterations;
      if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, rows.tags);
      return quadratic(b.cov, co, solver.x, 0, n);
    };
    const target = sigma * sigma;
    const vmin = solveAt(0, p % BLOCK !== 0);
    if (vmin > target * (1 + RISK_RTOL)) throw inputFault(Fault.PORTFOLIO_RISK_TARGET, p, sigma, Math.sqrt(vmin));
    if (vmin < target * (1 - RISK_RTOL)) {
      // the highest-return end: argmin gamma |w|^2 - mu'w, or (gamma = 0) the least variance at the highest return
      let vinf: number;
      if (l2Gamma > 0) {
        scaledCov(H, b.cov, co, n, 0, 2 * l2Gamma);
        for (let j = 0; j < n; j++) c[j] = -b.mean[mo + j];
        const r = solver.solve(problem, true);
        iterations += r.iterations;
        if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, rows.tags);
        vinf = quadratic(b.cov, co, solver.x, 0, n);
      } else {
        const best = highestReturn(solver, b, problem, mo, p, rows.tags);
        iterations += best.iterations;
        rows.rlo[m] = best.value;
        scaledCov(H, b.cov, co, n, 2, 0);
        c.fill(0);
        const r = solver.solve(problem, false);
        iterations += r.iterations;
        if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, rows.tags);
        vinf = quadratic(b.cov, co, solver.x, 0, n);
        rows.rlo[m] = -Infinity;
      }
      if (vinf > target * (1 + RISK_RTOL)) {
        // the volatility binds: t between 0 and the first of 1, 4, 16, ... past the target
        let lo = 0;
        let flo = vmin - target;
        let hi = 1;
        let fhi = solveAt(hi, false) - target;
        for (let k = 0; fhi < 0 && k < MAX_RISK_STEPS; k++) {
          lo = hi;
          flo = fhi;
          hi *= 4;
          fhi = solveAt(hi, true) - target;
        }
        // Illinois false position on f(t) = w(t)'S w(t) - sigma^2
        let side = 0;
        let f = fhi;
        for (let k = 0; k < MAX_RISK_STEPS && Math.abs(f) > RISK_RTOL * target; k++) {
          const t = hi - (fhi * (hi - lo)) / (fhi - flo);
          if (!(t > lo && t < hi)) break;
          f = solveAt(t, true) - target;
          if (f > 0) {
            hi = t;
            fhi = f;
            if (side === 1) flo /= 2;
            side = 1;
          } else {
            lo = t;
            flo = f;
            if (side === -1) fhi /= 2;
            side = -1;
          }
        }
      }
    }
    views.weights.set(solver.x.subarray(0, n), p * n);
    record(views, b, p, riskFree, iterations);
  }
  return out;
}

/** maxSharpe's problem in y for problem p (see the module's comment): its rows, sides, tags and y's bounds. */
function sharpeProblem(b: Batch, p: number, riskFree: number) {
  const { n, m } = b;
  const { mo, bo } = offsets(b, p);
  const budget = b.rlo[0];
  const A: number[] = [];
  const rlo: number[] = [];
  const rhi: number[] = [];
  const tags: number[] = [];
  const push = (row: (j: number) => number, lo: number, hi: number, tag: number) => {
    for (let j = 0; j < n; j++) A.push(row(j));
    rlo.push(lo);
    rhi.push(hi);
    tags.push(tag);
  };
  push((j) => b.mean[mo + j] - riskFree, 1, 1, RowKind.SHARPE * ROW_KIND);
  for (let i = 1; i < m; i++) {
    const lo = b.rlo[i];
    const hi = b.rhi[i];
    const a = (side: number) => (j: number) => budget * b.rows[i * n + j] - side;
    if (lo === hi) push(a(lo), 0, 0, b.tags[i]);
    else {
      if (lo > -Infinity) push(a(lo), 0, Infinity, b.tags[i]);
      if (hi < Infinity) push(a(hi), -Infinity, 0, b.tags[i]);
    }
  }
  let nonNegative = true;
  for (let j = 0; j < n; j++) if (b.lower[bo + j] < 0) nonNegative = false;
  const lower = new Float64Array(n);
  const upper = new Float64Array(n).fill(Infinity);
  for (let j = 0; j < n; j++) {
    const l = b.lower[bo + j];
    const u = b.upper[bo + j];
    const tag = RowKind.BOUND * ROW_KIND + j;
    lower[j] = l >= 0 ? 0 : -Infinity;
    if (l > -Infinity && l !== 0) push((k) => (k === j ? budget : 0) - l, 0, Infinity, tag);
    if (u < Infinity && !(nonNegative && u >= budget)) push((k) => (k === j ? budget : 0) - u, -Infinity, 0, tag);
  }
  if (!nonNegative) push(() => 1, 0, Infinity, RowKind.BUDGET * ROW_KIND);
  return {
    A: Float64Array.from(A),
    rlo: Float64Array.from(rlo),
    rhi: Float64Array.from(rhi),
    tags: Float64Array.from(tags),
    lower,
    upper,
    budget,
  };
}

/** psdTest: the covariance test of problem p's covariance (of the shared one, at -1, when p is -1). */
function testCov(b: Batch, p: number, F: Float64Array): void {
  const fail = psdPivotAt(b.cov, Math.max(p, 0), b.n, F);
  if (fail) throw inputFault(Fault.PORTFOLIO_COV_NOT_PSD, p, fail.pivot, fail.asset);
}

function maxSharpe(
  stack: ProblemStack,
  constraints: ResolvedConstraints,
  riskFree: number,
  l2Gamma: number,
  psdTest: number,
): Float64Array {
  const b = batchOf(stack, constraints);
  const { out, views } = allocateOutputs(OPTIMIZER_KERNELS.maxSharpe, stack);
  checkInputs(b);
  const { n } = b;
  const H = new Float64Array(n * n);
  const c = new Float64Array(n);
  const F = psdTest === 1 ? new Float64Array(n * n) : H;
  if (psdTest === 1 && b.covCount === 1) testCov(b, -1, F);
  let solver: QpSolver | undefined;
  for (let p = 0; p < b.problems; p++) {
    checkProblemCov(b, p);
    if (psdTest === 1 && b.covCount > 1) testCov(b, p, F);
    const { mo, co } = offsets(b, p);
    let best = -Infinity;
    for (let j = 0; j < n; j++) best = Math.max(best, b.mean[mo + j]);
    if (!(best > riskFree)) throw inputFault(Fault.PORTFOLIO_INFEASIBLE, p, best, RowKind.SHARPE * ROW_KIND);
    const s = sharpeProblem(b, p, riskFree);
    const rowCount = s.rlo.length;
    // one solver for the whole call when every problem has the same rows (one set of bounds)
    if (!solver || solver.m !== rowCount || b.boundCount !== 1) solver = new QpSolver(n, rowCount);
    scaledCov(H, b.cov, co, n, 1, l2Gamma);
    const problem: QpProblem = { n, H, c, lower: s.lower, upper: s.upper, m: rowCount, A: s.A, rlo: s.rlo, rhi: s.rhi };
    const r = solver.solve(problem, b.boundCount === 1 && p % BLOCK !== 0);
    if (r.status !== QpStatus.OPTIMAL) throw solveFault(r, p, s.tags);
    let k = 0;
    for (let j = 0; j < n; j++) k += solver.x[j];
    if (!(k > 0)) throw inputFault(Fault.PORTFOLIO_UNBOUNDED, p, 0, -1);
    for (let j = 0; j < n; j++) views.weights[p * n + j] = (s.budget * solver.x[j]) / k;
    record(views, b, p, riskFree, r.iterations);
  }
  return out;
}

export const referenceOptimizers: Partial<OptimizerFamily> = { maxSharpe, maxUtility, efficientReturn, efficientRisk };
