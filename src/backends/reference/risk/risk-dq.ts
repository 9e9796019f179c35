/**
 * varBacktest's dynamic quantile test (Engle and Manganelli, as GAS's `DQOOStest` computes it), from
 * the sums one pass over the dates keeps (src/backends/reference/risk/risk-backtest.ts). native/kernels/
 * risk_dq.cpp is this file, function for function, in the same order of floating-point operations.
 *
 * The regression of Hit_t = I_t - p (I_t the exception of date t) on X = [1, VaR_t, Hit_(t-1..t-4)]
 * and, in GAS's current form ('gas'), y_(t-1)^2 (the squared return of the date before), over the
 * dates from the fifth: DQ = Hit' X (X'X)^+ X' Hit / (p (1 - p)). X'X and X'Hit follow exactly from a
 * histogram over the 32 patterns of the last five hits (I_t .. I_(t-4)): per pattern, the count of
 * dates, the sum of their VaR and the sum of their y_(t-1)^2, with the sums of VaR^2, VaR y_(t-1)^2 and
 * y_(t-1)^4 over all of them. (X'X)^+ is MASS::ginv's, as GAS takes it: the eigen-directions of X'X
 * whose eigenvalue is at most 2^-26 (sqrt(.Machine$double.eps)) times the largest are left out.
 */
import { DQ_REGRESSOR_SETS } from '../../../kernels/risk/risk-analytics.js';
import { symmetricEigen } from '../../../math/eigen.js';

/** The DQ test's lags of the hit (GAS BacktestVaR's default cLags). */
export const DQ_LAGS = 4;
/** The patterns of the last DQ_LAGS + 1 hits. */
export const DQ_PATTERNS = 1 << (DQ_LAGS + 1);
/** The regressors of each form, by its code (DQ_REGRESSOR_SETS: 0 'gas', 1 'hits'): GAS's ncol(X). */
export const DQ_REGRESSORS: readonly number[] = DQ_REGRESSOR_SETS.map((set) => (set === 'gas' ? DQ_LAGS + 3 : DQ_LAGS + 2));
/** MASS::ginv's tolerance, sqrt(.Machine$double.eps): a singular value at most this times the largest is left out. */
export const GINV_TOLERANCE = 2 ** -26;

/** The sums of the DQ regression over the dates from the fifth present one (see the file's comment). */
export class DqSums {
  readonly count = new Float64Array(DQ_PATTERNS);
  readonly varSum = new Float64Array(DQ_PATTERNS);
  readonly squareSum = new Float64Array(DQ_PATTERNS);
  varSquares = 0;
  varTimesSquare = 0;
  squareSquares = 0;

  /** Back to no date. */
  reset(): void {
    this.count.fill(0);
    this.varSum.fill(0);
    this.squareSum.fill(0);
    this.varSquares = 0;
    this.varTimesSquare = 0;
    this.squareSquares = 0;
  }

  /** One date: `pattern` its last five hits, `v` its VaR, `square` the squared return of the date before. */
  add(pattern: number, v: number, square: number): void {
    this.count[pattern] += 1;
    this.varSum[pattern] += v;
    this.squareSum[pattern] += square;
    this.varSquares += v * v;
    this.varTimesSquare += v * square;
    this.squareSquares += square * square;
  }
}

/** (I - p) of bit `lag` of a pattern (bit 0 the hit of the date itself, bit i the hit i dates before). */
function hit(pattern: number, lag: number, p: number): number {
  return ((pattern >> lag) & 1) - p;
}

/**
 * b' G^-1 b by an LDL' of the symmetric k x k G when ginv certainly keeps every direction of G: every
 * pivot > 0 and ||G||_F ||G^-1||_F < 1 / GINV_TOLERANCE (a bound of l_max / l_min from above, so
 * l_min > GINV_TOLERANCE l_max); else NaN (pseudoInverseForm then takes the eigen-decomposition). The
 * common case costs a factorization instead of an eigen-decomposition per column.
 */
function definiteForm(G: Float64Array, b: Float64Array, k: number): number {
  const L = new Float64Array(k * k); // unit lower, row-major
  const d = new Float64Array(k);
  let norm = 0; // ||G||_F^2
  for (let j = 0; j < k; j++) {
    let dj = G[j * k + j];
    for (let m = 0; m < j; m++) dj -= L[j * k + m] * L[j * k + m] * d[m];
    if (!(dj > 0)) return NaN;
    d[j] = dj;
    L[j * k + j] = 1;
    for (let i = j + 1; i < k; i++) {
      let s = G[i * k + j];
      for (let m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m] * d[m];
      L[i * k + j] = s / dj;
    }
    for (let i = 0; i < k; i++) norm += G[j * k + i] * G[j * k + i];
  }
  // M = L^-1 (unit lower, row-major); G^-1 = M' D^-1 M, its squared Frobenius norm; w = M b
  const M = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    M[i * k + i] = 1;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let m = j; m < i; m++) s -= L[i * k + m] * M[m * k + j];
      M[i * k + j] = s;
    }
  }
  let inverse = 0; // ||G^-1||_F^2
  let form = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let g = 0;
      for (let m = Math.max(i, j); m < k; m++) g += (M[m * k + i] * M[m * k + j]) / d[m];
      inverse += g * g;
    }
    let w = 0;
    for (let m = 0; m <= i; m++) w += M[i * k + m] * b[m];
    form += (w * w) / d[i];
  }
  return norm * inverse < 1 / (GINV_TOLERANCE * GINV_TOLERANCE) ? form : NaN;
}

/**
 * b' G^+ b for the symmetric k x k G (row-major, both triangles) with MASS::ginv's G^+: sum over the
 * eigenpairs (l_i, u_i) of G with |l_i| > GINV_TOLERANCE max |l| of (u_i' b)^2 / l_i (ginv's singular
 * values of a symmetric G are its |l_i|), or b' G^-1 b when G is certainly that well conditioned
 * (definiteForm). NaN when G or b is not finite.
 */
export function pseudoInverseForm(G: Float64Array, b: Float64Array, k: number): number {
  for (let i = 0; i < k * k; i++) if (!Number.isFinite(G[i])) return NaN;
  for (let i = 0; i < k; i++) if (!Number.isFinite(b[i])) return NaN;
  const definite = definiteForm(G, b, k);
  if (definite === definite) return definite;
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  if (!symmetricEigen(G, k, values, vectors)) return NaN;
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, Math.abs(values[i]));
  const cutoff = GINV_TOLERANCE * largest;
  let form = 0;
  for (let i = 0; i < k; i++) {
    if (!(Math.abs(values[i]) > cutoff)) continue;
    let w = 0;
    for (let j = 0; j < k; j++) w += vectors[j * k + i] * b[j];
    form += (w * w) / values[i];
  }
  return form;
}

/**
 * The DQ statistic of the sums with `k` regressors (DQ_REGRESSORS: 7 with y_(t-1)^2, 6 without):
 * Hit' X (X'X)^+ X' Hit / (p (1 - p)), X = [1, VaR, Hit lags 1..4 (, y_(t-1)^2)].
 */
export function dqStatistic(s: DqSums, p: number, k: number): number {
  const G = new Float64Array(k * k);
  const b = new Float64Array(k);
  const squared = k > DQ_LAGS + 2; // column k - 1 is y_(t-1)^2
  const last = k - 1;
  // regressor j of pattern q, times its count (or its VaR or y^2 sum): 0 the constant, 1 the VaR, 2.. the lags
  for (let q = 0; q < DQ_PATTERNS; q++) {
    const n = s.count[q];
    const v = s.varSum[q];
    const sq = s.squareSum[q];
    const y = hit(q, 0, p);
    G[0] += n;
    G[1] += v;
    b[0] += n * y;
    b[1] += v * y;
    if (squared) {
      G[last] += sq;
      b[last] += sq * y;
    }
    for (let i = 0; i < DQ_LAGS; i++) {
      const hi = hit(q, i + 1, p);
      G[2 + i] += n * hi;
      G[k + 2 + i] += v * hi;
      b[2 + i] += n * hi * y;
      if (squared) G[(2 + i) * k + last] += sq * hi;
      for (let j = i; j < DQ_LAGS; j++) G[(2 + i) * k + 2 + j] += n * hi * hit(q, j + 1, p);
    }
  }
  G[k + 1] = s.varSquares;
  if (squared) {
    G[k + last] = s.varTimesSquare;
    G[last * k + last] = s.squareSquares;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) G[i * k + j] = G[j * k + i];
  return pseudoInverseForm(G, b, k) / (p * (1 - p));
}
