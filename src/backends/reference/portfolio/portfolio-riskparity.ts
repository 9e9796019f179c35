/**
 * Risk parity (risk budgeting) and the nearest positive semidefinite matrix, the reference: the same
 * steps as native/kernels/portfolio/portfolio_alloc.cpp, in the same order of operations.
 */
import { Fault, inputFault } from '../../../kernels/faults.js';
import { ALLOCATION_KERNELS } from '../../../kernels/portfolio/portfolio-allocation.js';
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { choleskySucceeds, symmetricEigen } from '../../../math/eigen.js';

/** Newton steps at most, and the contributions' target: max |y_i (S y)_i - b_i| (sum b = 1). */
export const RISK_PARITY_MAX_STEPS = 100;
export const RISK_PARITY_TOLERANCE = 5e-14;

/**
 * Every value of the n x n `cov` finite (else PORTFOLIO_COV_INVALID at the first) and, when `variances`,
 * its diagonal > 0; the fault's index counted from problem `problem` of a stack (p n^2 + i, a variance p n + i).
 */
export function checkCov(cov: Float64Array, n: number, variances: boolean, problem = 0): void {
  for (let i = 0; i < n * n; i++)
    if (!Number.isFinite(cov[i])) throw inputFault(Fault.PORTFOLIO_COV_INVALID, problem * n * n + i, cov[i], n);
  if (variances) {
    for (let i = 0; i < n; i++) {
      if (!(cov[i * n + i] > 0)) throw inputFault(Fault.VARIANCE_NOT_POSITIVE, problem * n + i, cov[i * n + i], n);
    }
  }
}

/** out = S v (S symmetric n x n): row j of S, as column j, scaled by v_j and added, j in order. */
export function symmetricProduct(S: Float64Array, n: number, v: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < n; j++) {
    const vj = v[j];
    const row = j * n;
    for (let i = 0; i < n; i++) out[i] += S[row + i] * vj;
  }
}

/** sum a_i b_i in order. */
function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/**
 * Solves (S + diag(h)) x = rhs by conjugate gradients preconditioned by the diagonal, from x = 0, until
 * ||residual|| <= tol (at most 2n + 20 iterations); x holds the solution.
 */
function conjugateGradients(S: Float64Array, n: number, h: Float64Array, rhs: Float64Array, tol: number, x: Float64Array): void {
  const r = Float64Array.from(rhs);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const Hp = new Float64Array(n);
  x.fill(0);
  for (let i = 0; i < n; i++) z[i] = r[i] / (S[i * n + i] + h[i]);
  p.set(z);
  let rz = dot(r, z, n);
  for (let k = 0; k < 2 * n + 20; k++) {
    symmetricProduct(S, n, p, Hp);
    for (let i = 0; i < n; i++) Hp[i] += h[i] * p[i];
    const pHp = dot(p, Hp, n);
    if (!(pHp > 0)) return;
    const alpha = rz / pHp;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * Hp[i];
    }
    if (Math.sqrt(dot(r, r, n)) <= tol) return;
    for (let i = 0; i < n; i++) z[i] = r[i] / (S[i * n + i] + h[i]);
    const rzNext = dot(r, z, n);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
}

/** 1/2 y'Sy - sum b_i log y_i given Sy. */
function barrier(y: Float64Array, Sy: Float64Array, b: Float64Array, n: number): number {
  let q = 0;
  let l = 0;
  for (let i = 0; i < n; i++) {
    q += y[i] * Sy[i];
    l += b[i] * Math.log(y[i]);
  }
  return 0.5 * q - l;
}

/** Where one problem's results go: its rows of the weights and contributions, its cell `at` of the others. */
interface ProblemOut {
  weights: Float64Array;
  riskContributions: Float64Array;
  volatility: Float64Array;
  iterations: Float64Array;
  at: number;
}

/**
 * Risk budgeting: the minimiser y of 1/2 y'Sy - sum b_i log y_i (b the budgets scaled to sum 1) by
 * Newton's method: each step solves (S + diag(b / y^2)) d = -g (g = Sy - b / y) by preconditioned
 * conjugate gradients to a relative residual min(0.1, r) (r = max |y_i (Sy)_i - b_i|, so that the
 * convergence stays quadratic), then a backtracking (Armijo) line search that keeps y > 0, skipped once
 * the Newton decrement is small (g'H^-1 g < 0.01 min b: the quadratic region of the self-concordant
 * scaled barrier). Starts from the inverse-volatility point scaled to the ray's minimum. Stops when
 * r <= RISK_PARITY_TOLERANCE; w = y / sum y, the contributions w_i (Sw)_i / w'Sw and sqrt(w'Sw): problem
 * `p`'s row of the outputs.
 */
function riskParityOne(cov: Float64Array, n: number, budgets: Float64Array, p: number, o: ProblemOut): void {
  checkCov(cov, n, true, p);
  for (let i = 0; i < n; i++) {
    if (!(budgets[i] > 0 && budgets[i] < Infinity)) throw inputFault(Fault.BUDGET_INVALID, p * n + i, budgets[i], n);
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += budgets[i];
  const b = new Float64Array(n);
  let bMin = Infinity;
  for (let i = 0; i < n; i++) {
    b[i] = budgets[i] / total;
    bMin = Math.min(bMin, b[i]);
  }
  const y = new Float64Array(n);
  const Sy = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.sqrt(b[i] / cov[i * n + i]);
  symmetricProduct(cov, n, y, Sy);
  const start = dot(y, Sy, n); // 0 when S is singular along the start: then not scaled
  const scale = start > 0 ? 1 / Math.sqrt(start) : 1;
  for (let i = 0; i < n; i++) y[i] *= scale;
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const d = new Float64Array(n);
  const Sd = new Float64Array(n);
  const trial = new Float64Array(n);
  const Strial = new Float64Array(n);
  let steps = 0;
  let r = Infinity;
  for (;;) {
    symmetricProduct(cov, n, y, Sy);
    r = 0;
    for (let i = 0; i < n; i++) {
      g[i] = Sy[i] - b[i] / y[i];
      h[i] = b[i] / (y[i] * y[i]);
      const e = Math.abs(y[i] * Sy[i] - b[i]);
      if (!(e <= r)) r = e; // NaN stays
    }
    if (r <= RISK_PARITY_TOLERANCE || steps === RISK_PARITY_MAX_STEPS || !(r < Infinity)) break;
    steps++;
    for (let i = 0; i < n; i++) trial[i] = -g[i];
    conjugateGradients(cov, n, h, trial, Math.min(0.1, r) * Math.sqrt(dot(g, g, n)), d);
    const slope = dot(g, d, n);
    if (!(slope < 0)) break; // no descent left: rounding
    let t = 1;
    for (let i = 0; i < n; i++) while (y[i] + t * d[i] <= 0) t *= 0.5;
    if (-slope >= 0.01 * bMin || t < 1) {
      symmetricProduct(cov, n, d, Sd);
      const f = barrier(y, Sy, b, n);
      for (let k = 0; k < 60; k++) {
        for (let i = 0; i < n; i++) {
          trial[i] = y[i] + t * d[i];
          Strial[i] = Sy[i] + t * Sd[i];
        }
        if (barrier(trial, Strial, b, n) <= f + 1e-4 * t * slope) break;
        t *= 0.5;
      }
    }
    for (let i = 0; i < n; i++) y[i] += t * d[i];
  }
  if (!(r <= 1e-10)) throw inputFault(Fault.RISK_PARITY_NOT_CONVERGED, steps, r, p);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i];
  const w = o.weights;
  for (let i = 0; i < n; i++) w[i] = y[i] / sum;
  symmetricProduct(cov, n, w, Sy);
  const variance = dot(w, Sy, n);
  for (let i = 0; i < n; i++) o.riskContributions[i] = (w[i] * Sy[i]) / variance;
  o.volatility[o.at] = Math.sqrt(variance);
  o.iterations[o.at] = steps;
}

/**
 * Risk budgeting of P problems (`cov` covCount stacked n x n matrices, `budgets` budgetCount x n, each
 * count 1 or P), one after the other: the first failing problem's fault.
 */
function riskParity(
  cov: Float64Array,
  covCount: number,
  n: number,
  budgets: Float64Array,
  budgetCount: number,
  problems: number,
): Float64Array {
  const { out, views } = allocateOutputs(ALLOCATION_KERNELS.riskParity, cov, covCount, n, budgets, budgetCount, problems);
  const { weights, riskContributions: contributions, volatility, iterations } = views;
  for (let p = 0; p < problems; p++) {
    const S = covCount === 1 ? cov : cov.subarray(p * n * n, (p + 1) * n * n);
    const b = budgetCount === 1 ? budgets : budgets.subarray(p * n, (p + 1) * n);
    riskParityOne(S, n, b, p, {
      weights: weights.subarray(p * n, (p + 1) * n),
      riskContributions: contributions.subarray(p * n, (p + 1) * n),
      volatility,
      iterations,
      at: p,
    });
  }
  return out;
}

/**
 * PyPortfolioOpt fix_nonpositive_semidefinite: the matrix as it is when cholesky(cov + 1e-16 I)
 * succeeds; else eigh (lower triangle): method 0 ('spectral') V diag(max(q, 0)) V', summed over k in
 * order, for j >= i and mirrored; 1 ('diag') cov - 1.1 min(q) I. Then 1 in `repaired`.
 */
function nearestPsd(cov: Float64Array, n: number, method: number): Float64Array {
  checkCov(cov, n, false);
  const { out, views } = allocateOutputs(ALLOCATION_KERNELS.nearestPsd, cov, n, method);
  const fixed = views.cov;
  if (choleskySucceeds(cov, n, 1e-16)) {
    fixed.set(cov);
    views.repaired[0] = 0;
    return out;
  }
  const q = new Float64Array(n);
  const V = new Float64Array(n * n);
  symmetricEigen(cov, n, q, V);
  if (method === 0) {
    for (let k = 0; k < n; k++) q[k] = q[k] > 0 ? q[k] : 0;
    // the upper triangle, mirrored: an exactly symmetric matrix (what the optimizers require)
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += V[i * n + k] * q[k] * V[j * n + k];
        fixed[i * n + j] = fixed[j * n + i] = s;
      }
    }
  } else {
    const shift = 1.1 * q[0];
    fixed.set(cov);
    for (let i = 0; i < n; i++) fixed[i * n + i] = cov[i * n + i] - shift;
  }
  views.repaired[0] = 1;
  return out;
}

export const referenceRiskParity = { riskParity, nearestPsd };
