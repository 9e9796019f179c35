/**
 * Reference implementation of efficientFrontier (src/kernels/portfolio/portfolio-optimizers.ts): Markowitz's
 * critical line algorithm as Bailey and Lopez de Prado write it ("An Open-Source Implementation of the
 * Critical-Line Algorithm for Portfolio Optimization", 2013; PyPortfolioOpt's `CLA`), without their
 * purge: every turning point is kept. native/kernels/portfolio/portfolio_cla.cpp follows it step for step.
 *
 * The frontier is w(lambda) = argmin 1/2 w'Sw - lambda mu'w s.t. sum(w) = 1, lower <= w <= upper, for
 * lambda from +Infinity (the highest-return portfolio: assets filled to their upper bounds in order of
 * expected return) down to 0 (the minimum-variance portfolio). Between turning points the free set F is
 * fixed and the solution affine in lambda: [S_FF 1; 1' 0] [w_F; g] = [lambda mu_F - S_FB w_B; 1 - 1'w_B]
 * solved once for the part free of lambda (alpha, g_a) and once for its slope (beta, g_b). The next
 * turning point is the largest lambda below the current one at which a free weight reaches a bound
 * (w_i = alpha_i + lambda beta_i) or a bound weight's multiplier reaches 0 (h_j = c_j + lambda d_j with
 * c_j = S_jF alpha + S_jB w_B + g_a, d_j = S_jF beta - mu_j + g_b: h_j >= 0 at a lower bound, <= 0 at an
 * upper one); below the last, lambda = 0. Each turning point is the exact optimum of its lambda.
 * `points` frontier portfolios follow, evenly spaced in expected return from the highest to the lowest,
 * each the convex combination of the two turning points around it (the frontier is linear in w between
 * them). A batch: each of P problems in turn into its room of the outputs (the native kernel shares
 * them between threads), the lowest problem's fault thrown. A turning point with a weight, return or
 * volatility that is not finite (a covariance that is not PSD, under assumePsd: true) is the fault
 * PORTFOLIO_NOT_PSD.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import {
  type OptimizerFamily,
  type ProblemStack,
  type ResolvedConstraints,
  ROW_KIND,
  RowKind,
  turningPointCapacity,
} from '../../../kernels/portfolio/portfolio.js';
import { OPTIMIZER_KERNELS } from '../../../kernels/portfolio/portfolio-optimizers.js';
import { checkCovAt, quadratic } from './portfolio.js';
import { luFactor, luSolve } from './portfolio-qp.js';

/** Problem p's parts of the outputs' views (each problem has room for C turning points and M portfolios). */
function problemViews(views: Record<string, Float64Array>, p: number, n: number, C: number, M: number): Record<string, Float64Array> {
  const at = (v: Float64Array, rows: number, width: number) => v.subarray(p * rows * width, (p + 1) * rows * width);
  return {
    count: at(views.count, 1, 1),
    lambdas: at(views.lambdas, C, 1),
    weights: at(views.weights, C, n),
    returns: at(views.returns, C, 1),
    volatilities: at(views.volatilities, C, 1),
    frontierWeights: at(views.frontierWeights, M, n),
    frontierReturns: at(views.frontierReturns, M, 1),
    frontierVolatilities: at(views.frontierVolatilities, M, 1),
  };
}

/** P frontiers one after the other; the first fault (the lowest problem's) is thrown. */
function efficientFrontier(stack: ProblemStack, constraints: ResolvedConstraints, points: number): Float64Array {
  const { mean, meanCount, cov, covCount, n, problems } = stack;
  const { lower, upper, boundCount } = constraints;
  const { out, views } = allocateOutputs(OPTIMIZER_KERNELS.efficientFrontier, stack, constraints, points);
  const C = turningPointCapacity(n);
  for (let p = 0; p < problems; p++) {
    const mo = meanCount === 1 ? 0 : p * n;
    const co = covCount === 1 ? 0 : p * n * n;
    const bo = boundCount === 1 ? 0 : p * n;
    const problem: Frontier = {
      mean: mean.subarray(mo, mo + n),
      cov: cov.subarray(co, co + n * n),
      lower: lower.subarray(bo, bo + n),
      upper: upper.subarray(bo, bo + n),
    };
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(problem.mean[k]))
        throw inputFault(Fault.PORTFOLIO_MEAN_NOT_FINITE, mo + k, problem.mean[k], meanCount === 1 ? 1 : n);
    }
    checkCovAt(cov, covCount === 1 ? 0 : p, n);
    frontierOne(problem, n, points, p, problemViews(views, p, n, C, points));
  }
  return out;
}

/** One problem of a batch. */
interface Frontier {
  mean: Float64Array;
  cov: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/** The first of a turning point's weights, return and volatility that is not finite; 0 when all are. */
function notFinite(w: Float64Array, r: number, vol: number): number {
  for (const x of w) if (!Number.isFinite(x)) return x;
  if (!Number.isFinite(r)) return r;
  return Number.isFinite(vol) ? 0 : vol;
}

/** Problem p's frontier (its inputs checked) into its views (see the module's comment). */
function frontierOne(
  { mean, cov, lower, upper }: Frontier,
  n: number,
  points: number,
  p: number,
  views: Record<string, Float64Array>,
): void {
  const capacity = turningPointCapacity(n);
  // the highest-return portfolio: lower bounds, then each asset in order of expected return filled to its upper bound
  const w = Float64Array.from(lower);
  let left = 1;
  let room = 0;
  for (let j = 0; j < n; j++) {
    left -= lower[j];
    room += upper[j] - lower[j];
  }
  if (left < -1e-12 || left > room + 1e-12)
    throw inputFault(Fault.PORTFOLIO_INFEASIBLE, p, left < 0 ? -left : left - room, RowKind.BUDGET * ROW_KIND);
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => mean[j] - mean[i] || i - j);
  const free = new Uint8Array(n);
  for (const j of order) {
    const add = Math.min(upper[j] - lower[j], left);
    w[j] = add === upper[j] - lower[j] ? upper[j] : lower[j] + add;
    left -= add;
    if (left <= 0 || j === order[n - 1]) {
      free[j] = 1;
      break;
    }
  }
  let count = 0;
  const record = (lambda: number) => {
    views.lambdas[count] = lambda;
    views.weights.set(w, count * n);
    let r = 0;
    for (let j = 0; j < n; j++) r += mean[j] * w[j];
    views.returns[count] = r;
    const vol = Math.sqrt(Math.max(quadratic(cov, 0, w, 0, n), 0));
    views.volatilities[count] = vol;
    // a covariance that is not PSD (assumePsd: true skipped the test) can give NaN here: a fault, not a result
    const bad = notFinite(w, r, vol);
    if (!Number.isFinite(bad)) throw inputFault(Fault.PORTFOLIO_NOT_PSD, p, bad, count);
    count++;
  };
  record(Infinity);
  let lambda = Infinity;
  let last = -1;
  const F: number[] = [];
  const alpha = new Float64Array(n);
  const beta = new Float64Array(n);
  for (;;) {
    if (count >= capacity) throw inputFault(Fault.PORTFOLIO_NOT_CONVERGED, p, count, 0);
    F.length = 0;
    for (let j = 0; j < n; j++) if (free[j]) F.push(j);
    const nf = F.length;
    const s = nf + 1;
    const K = new Float64Array(s * s);
    for (let r = 0; r < nf; r++) {
      for (let c = 0; c < nf; c++) K[r * s + c] = cov[F[r] * n + F[c]];
      K[r * s + nf] = 1;
      K[nf * s + r] = 1;
    }
    const perm = new Int32Array(s);
    if (!luFactor(K, s, perm)) throw inputFault(Fault.PORTFOLIO_NOT_CONVERGED, p, count, 0);
    // alpha: rhs [-S_FB w_B; 1 - 1'w_B]; beta: rhs [mu_F; 0]
    const rhsA = new Float64Array(s);
    const rhsB = new Float64Array(s);
    let bound = 0;
    for (let j = 0; j < n; j++) if (!free[j]) bound += w[j];
    for (let r = 0; r < nf; r++) {
      let v = 0;
      for (let j = 0; j < n; j++) if (!free[j]) v += cov[F[r] * n + j] * w[j];
      rhsA[r] = -v;
      rhsB[r] = mean[F[r]];
    }
    rhsA[nf] = 1 - bound;
    const solA = new Float64Array(s);
    const solB = new Float64Array(s);
    luSolve(K, s, perm, rhsA, solA);
    luSolve(K, s, perm, rhsB, solB);
    let bmax = 0;
    for (let r = 0; r < nf; r++) {
      alpha[F[r]] = solA[r];
      beta[F[r]] = solB[r];
      bmax = Math.max(bmax, Math.abs(solB[r]));
    }
    const [ga, gb] = [solA[nf], solB[nf]];
    // the next event below lambda: a free weight to a bound, or a bound weight's multiplier to 0
    let next = -Infinity;
    let asset = -1;
    let toBound = 0;
    // the asset of the last turning point does not turn back at it (rounding)
    const near = (t: number, j: number) => j === last && t >= lambda * (1 - 1e-9);
    for (const i of F) {
      let t = -Infinity;
      let b = 0;
      if (beta[i] > 1e-13 * bmax && lower[i] > -Infinity) {
        t = (lower[i] - alpha[i]) / beta[i];
        b = lower[i];
      } else if (beta[i] < -1e-13 * bmax && upper[i] < Infinity) {
        t = (upper[i] - alpha[i]) / beta[i];
        b = upper[i];
      }
      // a weight already at its bound and moving out of it leaves now (a degenerate turning point)
      if (t > lambda) t = lambda;
      if (t > next && !near(t, i)) {
        next = t;
        asset = i;
        toBound = b;
      }
    }
    const cs = new Float64Array(n);
    const ds = new Float64Array(n);
    let dmax = 0;
    for (let j = 0; j < n; j++) {
      if (free[j] || lower[j] === upper[j]) continue;
      let c = ga;
      let d = gb - mean[j];
      for (const i of F) {
        c += cov[j * n + i] * alpha[i];
        d += cov[j * n + i] * beta[i];
      }
      for (let k = 0; k < n; k++) if (!free[k]) c += cov[j * n + k] * w[k];
      cs[j] = c;
      ds[j] = d;
      dmax = Math.max(dmax, Math.abs(d));
    }
    for (let j = 0; j < n; j++) {
      if (free[j] || lower[j] === upper[j]) continue;
      const atLower = w[j] === lower[j];
      const d = ds[j];
      if (!(atLower ? d > 1e-13 * dmax : d < -1e-13 * dmax)) continue;
      const t = Math.min(-cs[j] / d, lambda);
      if (t > next && !near(t, j)) {
        next = t;
        asset = j;
        toBound = Number.NaN;
      }
    }
    if (!(next > 0)) {
      // below the last turning point: lambda = 0, the minimum-variance portfolio
      for (const i of F) w[i] = alpha[i];
      record(0);
      break;
    }
    for (const i of F) w[i] = alpha[i] + next * beta[i];
    if (Number.isNaN(toBound)) {
      free[asset] = 1;
    } else {
      free[asset] = 0;
      w[asset] = toBound;
    }
    lambda = next;
    last = asset;
    record(lambda);
  }
  views.count[0] = count;
  frontierPoints(views, mean, cov, n, count, points);
}

/** `points` portfolios evenly spaced in expected return along the turning points (see the module's comment). */
function frontierPoints(
  views: Record<string, Float64Array>,
  mean: Float64Array,
  cov: Float64Array,
  n: number,
  count: number,
  points: number,
): void {
  const top = views.returns[0];
  const bottom = views.returns[count - 1];
  const w = new Float64Array(n);
  let s = 0;
  for (let k = 0; k < points; k++) {
    const r = points === 1 ? top : top - ((top - bottom) * k) / (points - 1);
    while (s < count - 2 && views.returns[s + 1] > r) s++;
    const r0 = views.returns[s];
    const r1 = views.returns[s + 1 < count ? s + 1 : s];
    const t = r0 === r1 ? 1 : Math.min(Math.max((r - r1) / (r0 - r1), 0), 1);
    const o0 = s * n;
    const o1 = (s + 1 < count ? s + 1 : s) * n;
    let ret = 0;
    for (let j = 0; j < n; j++) {
      w[j] = t * views.weights[o0 + j] + (1 - t) * views.weights[o1 + j];
      ret += mean[j] * w[j];
    }
    views.frontierWeights.set(w, k * n);
    views.frontierReturns[k] = ret;
    views.frontierVolatilities[k] = Math.sqrt(Math.max(quadratic(cov, 0, w, 0, n), 0));
  }
}

export const referenceFrontier: Partial<OptimizerFamily> = { efficientFrontier };
