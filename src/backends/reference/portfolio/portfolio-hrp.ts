/**
 * Hierarchical risk parity, the reference (PyPortfolioOpt's HRPOpt, pandas' statistics): the same
 * steps as native/kernels/portfolio/portfolio_hrp.cpp.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { ALLOCATION_KERNELS } from '../../../kernels/portfolio/portfolio-allocation.js';
import { checkCov } from './portfolio-riskparity.js';
import { leavesOrder, linkage } from './portfolio-linkage.js';
import { checkReturns } from '../risk-common.js';
import { referenceRisk } from '../risk/risk.js';

/**
 * pandas' nancorr for the pair of columns (x, y) of `a` (rows x cols) over the rows where both are
 * present (Welford's updates, libalgos.nancorr): [covxy / (nobs - 1), covxy / sqrt(ssqdmx ssqdmy)],
 * NaN where the divisor is 0 or there is no row.
 */
export function pairStats(a: Float64Array, rows: number, cols: number, x: number, y: number): [number, number] {
  let nobs = 0;
  let ssqdmx = 0;
  let ssqdmy = 0;
  let covxy = 0;
  let meanx = 0;
  let meany = 0;
  for (let t = 0; t < rows; t++) {
    const vx = a[t * cols + x];
    const vy = a[t * cols + y];
    if (vx !== vx || vy !== vy) continue;
    nobs += 1;
    const dx = vx - meanx;
    const dy = vy - meany;
    meanx += (1 / nobs) * dx;
    meany += (1 / nobs) * dy;
    ssqdmx += (vx - meanx) * dx;
    ssqdmy += (vy - meany) * dy;
    covxy += (vx - meanx) * dy;
  }
  if (nobs < 1) return [NaN, NaN];
  const c = nobs - 1 !== 0 ? covxy / (nobs - 1) : NaN;
  const divisor = Math.sqrt(ssqdmx * ssqdmy);
  return [c, divisor !== 0 ? covxy / divisor : NaN];
}

/** numpy's round(x, 6): rint(x * 1e6) / 1e6, ties to even. */
function round6(x: number): number {
  const y = x * 1e6;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1; // Math.round takes a tie up: numpy's rint to even
  return r / 1e6;
}

/** HRP's cov and corr (n x n, row-major) from its input (see AllocationFamily.hrp's `source`; problem p of a stack). */
function covAndCorr(
  data: Float64Array,
  rows: number,
  n: number,
  given: Float64Array,
  source: number,
  p: number,
): { cov: Float64Array; corr: Float64Array } {
  if (source === 0) {
    checkReturns(data, n);
    const corr = new Float64Array(n * n);
    if (data.some((v) => v !== v)) {
      const cov = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const [c, r] = pairStats(data, rows, n, i, j);
          cov[i * n + j] = cov[j * n + i] = c;
          corr[i * n + j] = corr[j * n + i] = r;
        }
      }
      return { cov, corr };
    }
    const cov = referenceRisk.covariance(data, rows, n, 0, 0.94, 0, 0).subarray(0, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) corr[i * n + j] = cov[i * n + j] / Math.sqrt(cov[i * n + i] * cov[j * n + j]);
    }
    // a constant column has no correlation (pandas: a zero divisor), whatever the centring left of its variance
    for (let c = 0; c < n; c++) {
      let constant = true;
      for (let t = 1; t < rows && constant; t++) constant = data[t * n + c] === data[c];
      if (constant) for (let k = 0; k < n; k++) corr[c * n + k] = corr[k * n + c] = NaN;
    }
    return { cov, corr };
  }
  checkCov(data, n, true, p);
  if (source === 2) return { cov: data, corr: given };
  const dinv = new Float64Array(n);
  for (let i = 0; i < n; i++) dinv[i] = 1 / Math.sqrt(data[i * n + i]);
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) corr[i * n + j] = round6(dinv[i] * (data[i * n + j] * dinv[j]));
  return { cov: data, corr };
}

/**
 * The variance of the inverse-variance portfolio of the assets order[from..to) (HRPOpt._get_cluster_var):
 * w = (1 / diag) / sum(1 / diag), then w'(S w), in the order's order.
 */
function clusterVariance(cov: Float64Array, n: number, order: Float64Array, from: number, to: number, w: Float64Array): number {
  let total = 0;
  for (let k = from; k < to; k++) {
    const a = order[k];
    w[k] = 1 / cov[a * n + a];
    total += w[k];
  }
  for (let k = from; k < to; k++) w[k] /= total;
  let v = 0;
  for (let k = from; k < to; k++) {
    let s = 0;
    const row = order[k] * n;
    for (let l = from; l < to; l++) s += cov[row + order[l]] * w[l];
    v += w[k] * s;
  }
  return v;
}

/**
 * HRPOpt._raw_hrp_allocation: the order bisected level by level (each cluster into its first
 * floor(len / 2) and the rest), each pair's weights scaled by alpha = 1 - v1 / (v1 + v2) and 1 - alpha.
 */
function bisect(cov: Float64Array, n: number, order: Float64Array, weights: Float64Array): void {
  const w = new Float64Array(n).fill(1);
  const scratch = new Float64Array(n);
  let clusters: [number, number][] = [[0, n]];
  while (clusters.length > 0) {
    const halves: [number, number][] = [];
    for (const [a, b] of clusters) {
      if (b - a <= 1) continue;
      const mid = a + Math.floor((b - a) / 2);
      halves.push([a, mid], [mid, b]);
    }
    clusters = halves;
    for (let c = 0; c < clusters.length; c += 2) {
      const [a, mid] = clusters[c];
      const b = clusters[c + 1][1];
      const v1 = clusterVariance(cov, n, order, a, mid, scratch);
      const v2 = clusterVariance(cov, n, order, mid, b, scratch);
      const alpha = 1 - v1 / (v1 + v2);
      for (let k = a; k < mid; k++) w[k] *= alpha;
      for (let k = mid; k < b; k++) w[k] *= 1 - alpha;
    }
  }
  for (let k = 0; k < n; k++) weights[order[k]] = w[k];
}

/** Where one problem's results go: its rows of the weights and order, its (n - 1) x 4 rows of the linkage. */
interface ProblemOut {
  weights: Float64Array;
  order: Float64Array;
  linkage: Float64Array;
}

/** HRPOpt.optimize of one problem (problem p of a stack): weights, order, linkage matrix. */
function hrpOne(
  data: Float64Array,
  rows: number,
  n: number,
  given: Float64Array,
  method: number,
  source: number,
  p: number,
  o: ProblemOut,
): void {
  const { cov, corr } = covAndCorr(data, rows, n, given, source, p);
  const dists = new Float64Array((n * (n - 1)) / 2);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (1.0 - corr[i * n + j]) / 2.0;
      if (v !== v) throw inputFault(Fault.CORRELATION_UNDEFINED, p * n * n + i * n + j, corr[i * n + j], n);
      dists[at++] = Math.sqrt(v < 0 ? 0 : v > 1 ? 1 : v);
    }
  }
  linkage(dists, n, method, o.linkage);
  leavesOrder(o.linkage, n, o.order);
  bisect(cov, n, o.order, o.weights);
}

/**
 * HRPOpt.optimize (see AllocationKernels.hrp): returns are one problem; a stack of P = rows / cols
 * covariances (and correlations) P problems, one after the other: the first failing problem's fault.
 */
function hrp(data: Float64Array, rows: number, cols: number, given: Float64Array, method: number, source: number): Float64Array {
  const n = cols;
  const { out, views } = allocateOutputs(ALLOCATION_KERNELS.hrp, data, rows, cols, given, method, source);
  const { weights: w, order: ord, linkage: Z } = views;
  const m = Math.max(n - 1, 0);
  if (source === 0) {
    hrpOne(data, rows, n, given, method, source, 0, { weights: w, order: ord, linkage: Z });
    return out;
  }
  const problems = rows / n;
  for (let p = 0; p < problems; p++) {
    const cell = (a: Float64Array, size: number) => a.subarray(p * size, (p + 1) * size);
    hrpOne(cell(data, n * n), n, n, source === 2 ? cell(given, n * n) : given, method, source, p, {
      weights: cell(w, n),
      order: cell(ord, n),
      linkage: cell(Z, m * 4),
    });
  }
  return out;
}

export const referenceHrp = { hrp };
