/**
 * Test helpers of the portfolio family: random problems and an independent check of a QP optimum by
 * its KKT conditions (the active set read off the point, the row multipliers by least squares on the
 * free assets, the bound multipliers from them): feasibility, stationarity and the multipliers' signs
 * (complementary slackness holds by construction: only active constraints get one).
 */
import fc from 'fast-check';
import type { Matrix } from '../../src/index.js';

/** A QP in the form min 1/2 w'Hw + c'w, lower <= w <= upper, rlo <= rows w <= rhi. */
export interface Qp {
  n: number;
  H: Float64Array;
  c: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  rows: number[][];
  rlo: number[];
  rhi: number[];
}

/** The KKT residuals of w: the largest bound or row violation, stationarity residual and multiplier of the wrong sign (each relative). */
export interface Kkt {
  feasibility: number;
  stationarity: number;
  sign: number;
}

/** Solves the small dense system M x = b (Gaussian elimination, partial pivoting; a tiny ridge for a singular M). */
function solveSmall(M: number[][], b: number[]): number[] {
  const k = b.length;
  const a = M.map((r, i) => [...r, b[i]]);
  for (let i = 0; i < k; i++) a[i][i] += 1e-300;
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    if (a[c][c] === 0) continue;
    for (let r = c + 1; r < k; r++) {
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  const x = new Array(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let v = a[i][k];
    for (let j = i + 1; j < k; j++) v -= a[i][j] * x[j];
    x[i] = a[i][i] === 0 ? 0 : v / a[i][i];
  }
  return x;
}

/** The KKT residuals of w for qp (activity within `activeTol` of a side, relative to 1 + |side|). */
export function kkt(qp: Qp, w: ArrayLike<number>, activeTol = 1e-9): Kkt {
  const { n, H, c, lower, upper, rows, rlo, rhi } = qp;
  const g = new Array(n).fill(0);
  let gscale = 0;
  for (let i = 0; i < n; i++) {
    let s = c[i];
    for (let j = 0; j < n; j++) s += H[i * n + j] * w[j];
    g[i] = s;
    gscale = Math.max(gscale, Math.abs(s), Math.abs(c[i]));
  }
  for (let k = 0; k < n * n; k++) gscale = Math.max(gscale, Math.abs(H[k]));
  let feasibility = 0;
  const atLower: boolean[] = [];
  const atUpper: boolean[] = [];
  for (let j = 0; j < n; j++) {
    feasibility = Math.max(feasibility, lower[j] - w[j], w[j] - upper[j]);
    atLower.push(Number.isFinite(lower[j]) && Math.abs(w[j] - lower[j]) <= activeTol * (1 + Math.abs(lower[j])));
    atUpper.push(Number.isFinite(upper[j]) && Math.abs(w[j] - upper[j]) <= activeTol * (1 + Math.abs(upper[j])));
  }
  const active: { i: number; side: 'lo' | 'hi' | 'eq' }[] = [];
  rows.forEach((row, i) => {
    let r = 0;
    let s = 0;
    for (let j = 0; j < n; j++) {
      r += row[j] * w[j];
      s += Math.abs(row[j] * w[j]);
    }
    const scale = 1 + s;
    feasibility = Math.max(feasibility, (rlo[i] - r) / scale, (r - rhi[i]) / scale);
    if (rlo[i] === rhi[i]) active.push({ i, side: 'eq' });
    else if (Math.abs(r - rlo[i]) <= activeTol * scale) active.push({ i, side: 'lo' });
    else if (Math.abs(r - rhi[i]) <= activeTol * scale) active.push({ i, side: 'hi' });
  });
  const scale = Math.max(gscale, 1e-300);
  const bound = [...Array(n).keys()].filter((j) => atLower[j] || atUpper[j]);
  const freeSet = [...Array(n).keys()].filter((j) => !atLower[j] && !atUpper[j]);
  // the multipliers from the free assets; at a degenerate vertex (assets at a bound that the rows
  // need free: their multipliers are not determined by the others) sets of up to one bound asset per
  // active row are tried free too, the smallest first
  let best = multipliersOf(freeSet, new Set());
  const worst = (r: { stationarity: number; sign: number }) => Math.max(r.stationarity, r.sign);
  for (let size = 1; size <= Math.min(active.length, bound.length) && worst(best) > 1e-13 * scale; size++) {
    for (const basic of subsets(bound, size)) {
      const trial = multipliersOf(
        [...freeSet, ...basic].sort((a, b) => a - b),
        new Set(basic),
      );
      if (worst(trial) < worst(best)) best = trial;
      if (worst(best) <= 1e-13 * scale) break;
    }
  }
  return { feasibility, stationarity: best.stationarity / scale, sign: best.sign / scale };

  function multipliersOf(free: number[], basic: Set<number>): { stationarity: number; sign: number } {
    const A = active.map(({ i }) => free.map((j) => rows[i][j]));
    const M = A.map((ra) => A.map((rb) => ra.reduce((s, v, k) => s + v * rb[k], 0)));
    const b = A.map((ra) => -ra.reduce((s, v, k) => s + v * g[free[k]], 0));
    const lambda = solveSmall(M, b);
    let stationarity = 0;
    let sign = 0;
    free.forEach((j, k) => {
      let r = g[j];
      active.forEach((_, a) => (r += lambda[a] * A[a][k]));
      // a basic asset at its bound may also carry a bound multiplier of the right sign
      if (basic.has(j)) sign = Math.max(sign, atLower[j] ? -r : r);
      else stationarity = Math.max(stationarity, Math.abs(r));
    });
    active.forEach(({ side }, a) => {
      if (side === 'hi') sign = Math.max(sign, -lambda[a]);
      if (side === 'lo') sign = Math.max(sign, lambda[a]);
    });
    for (const j of bound) {
      if (free.includes(j) || (atLower[j] && atUpper[j])) continue;
      let r = g[j];
      active.forEach(({ i }, a) => (r += lambda[a] * rows[i][j]));
      sign = Math.max(sign, atLower[j] ? -r : r);
    }
    return { stationarity, sign };
  }
}
/** The subsets of `size` items of `items`, in lexicographic order. */
function* subsets(items: number[], size: number, from = 0): Generator<number[]> {
  if (size === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - size; i++) for (const rest of subsets(items, size - 1, i + 1)) yield [items[i], ...rest];
}

/** 1/2 w'Hw + c'w. */
export function objective(qp: Qp, w: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < qp.n; i++) {
    let r = 0;
    for (let j = 0; j < qp.n; j++) r += qp.H[i * qp.n + j] * w[j];
    f += w[i] * (0.5 * r + qp.c[i]);
  }
  return f;
}

/**
 * A covariance from `t` random dates of n assets (one market factor and noise): PSD, and nearly singular
 * when t < n. Then a ridge of 1e-7 of the largest variance is added: a singular sample covariance's
 * pivots land within rounding of zero on either side, and one below -1e-8 of the largest variance (about
 * one matrix in a few hundred at n = 17, t = 8) is refused by the optimizers' PSD test, which is not
 * what the tests that draw these matrices are about.
 */
export function randomCov(n: number, t: number, rand: () => number): Matrix {
  const X = new Float64Array(t * n);
  const vol = Array.from({ length: n }, () => 0.005 + 0.03 * rand());
  for (let d = 0; d < t; d++) {
    const f = rand() - 0.5;
    for (let j = 0; j < n; j++) X[d * n + j] = vol[j] * (rand() - 0.5) + 0.01 * f * (j % 3);
  }
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let d = 0; d < t; d++) s += X[d * n + i] * X[d * n + j];
      S[i * n + j] = S[j * n + i] = s / t;
    }
  }
  if (t < n) {
    let top = 0;
    for (let i = 0; i < n; i++) top = Math.max(top, S[i * n + i]);
    for (let i = 0; i < n; i++) S[i * n + i] += 1e-7 * top;
  }
  return { data: S, rows: n, cols: n };
}

/** A seeded uniform generator in [0, 1) (Park-Miller). */
export function rng(seed: number): () => number {
  let s = (seed % 2147483646) + 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** A seed for a random problem. */
export const seedArb = fc.integer({ min: 1, max: 2 ** 30 });

/**
 * A random problem of n assets (means in [0, 0.01)) whose second-best mean is the best's times (1 - eps):
 * a near tie (eps 0: a tie) between assets `top` and `other`.
 */
export function nearTieProblem(seed: number, n: number, eps: number): { cov: Matrix; mean: Float64Array; top: number; other: number } {
  const rand = rng(seed);
  const cov = randomCov(n, 3 * n + 5, rand);
  const mean = Float64Array.from({ length: n }, () => 0.01 * rand());
  let top = 0;
  for (let i = 1; i < n; i++) if (mean[i] > mean[top]) top = i;
  const other = (top + 1 + (seed % (n - 1))) % n;
  mean[other] = mean[top] * (1 - eps);
  return { cov, mean, top, other };
}

/** The QP of minVariance(cov, { bounds, l2Gamma, rows }): H = 2 (S + gamma I). */
export function minVarianceQp(
  cov: Matrix,
  lower: Float64Array,
  upper: Float64Array,
  rows: number[][],
  rlo: number[],
  rhi: number[],
  gamma = 0,
): Qp {
  const n = cov.cols;
  const H = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) H[k] = 2 * cov.data[k];
  for (let i = 0; i < n; i++) H[i * n + i] += 2 * gamma;
  return { n, H, c: new Float64Array(n), lower, upper, rows, rlo, rhi };
}

/**
 * A result's fields as columns for expectColumnsClose: a Matrix's data, a Vector itself, a number as
 * it is (one problem's statistic); other fields (labels, flags) left out.
 */
export function flatResult(result: object): Record<string, ArrayLike<number> | number> {
  const out: Record<string, ArrayLike<number> | number> = {};
  for (const [key, v] of Object.entries(result)) {
    if (typeof v === 'number' || v instanceof Float64Array) out[key] = v;
    else if (typeof v === 'object' && v !== null && (v as Matrix).data instanceof Float64Array) out[key] = (v as Matrix).data;
  }
  return out;
}
