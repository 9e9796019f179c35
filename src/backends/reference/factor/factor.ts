/**
 * Reference implementation of the factor family (src/kernels/factor/factor.ts): clear TypeScript, the oracle.
 * native/kernels/factor/factor_scores.cpp (the scores) and factor_returns.cpp (factorReturns), with their
 * shared helpers in factor_rows.hpp, follow it function for function, in the same order of operations.
 *
 * Conventions are toraniko's (0xfdf/toraniko: math.py, styles.py, model.py), so a user can check the
 * numbers there; where toraniko leaves a case open, the choice is stated:
 * - A non-finite value (NaN, +-Infinity) in a score panel or ratio is missing: skipped by the per-date
 *   statistics, NaN in the output (toraniko turns a missing size score into 0 and lets Infinity into
 *   its means).
 * - winsorize: numpy nanpercentile (linear) of the date's values, then np.clip.
 * - standardize: toraniko's center_xsection(standardize=True): minus the mean, over the sd (ddof 1).
 * - momentum: factor_mom: returns lagged by `lag` rows, prod(1 + w_k r) - 1 over the last window
 *   (cumprod order, oldest first), NaN until a full window of present returns; winsorized at p and
 *   1 - p; standardized.
 * - Logarithms are random.ts' logOf (fdlibm's, within 1 ulp), the same bits on every backend.
 * - size: factor_sze: -ln(cap) standardized; values strictly between the date's nearest-rank `lower`
 *   and `upper` quantiles (polars' 'nearest': index round-half-up(q (n - 1)) of the sorted values) set
 *   to 0.
 * - value: factor_val: ratios winsorized at p and 1 - p when asked (toraniko applies 0.05 whatever
 *   number it is given; here the number is the percentile), ln(book/price) and ln(sales/price) (a
 *   ratio <= 0 is missing), cf/price as it is, each standardized, averaged over the present ones,
 *   standardized again.
 * - factorReturns: estimate_factor_returns / _factor_returns per date over the assets with every
 *   input present: returns winsorized (linear percentiles), W = diag(sqrt(cap)); market + sector
 *   block with B = [1, S_j - S_(m-1) for j < m - 1] (the sector returns sum to 0), g = pinv(B'WB) B'W r,
 *   sector m - 1's return = -(sum of the others), e = r - B g; styles f = pinv(X'WX) X'W y with
 *   y = e (or r), eps = e - X f. All assets of a sector share their row of B, so B'WB and B'W r are
 *   summed per sector first (O(N + m^3) a date); pinv by factor-solve.ts. A date with fewer usable
 *   assets than factors (1 + m + s) gives NaN factor returns and residuals.
 */
import { Fault, inputFault } from '../../../kernels/faults.js';
import { allocateOutputs } from '../../../kernels/descriptor.js';
import type { FactorFamily } from '../../../kernels/factor/factor.js';
import { FACTOR_KERNELS } from '../../../kernels/factor/factor-kernels.js';
import { logOf } from '../../../math/random.js';
import { linearQuantile } from '../risk-common.js';
import { referenceFactorModel } from './factor-model.js';
import { pinvSolve } from './factor-solve.js';

const finite = (v: number) => v - v === 0;

/** The finite values of row t, in column order. */
function rowValues(x: Float64Array, t: number, cols: number): Float64Array {
  const out: number[] = [];
  for (let c = 0; c < cols; c++) if (finite(x[t * cols + c])) out.push(x[t * cols + c]);
  return Float64Array.from(out);
}

/** Row t of x clipped to its linear lower/upper percentiles, into out (non-finite -> NaN). */
function winsorizeRow(x: Float64Array, t: number, cols: number, lower: number, upper: number, out: Float64Array): void {
  const sorted = rowValues(x, t, cols).sort();
  const lo = sorted.length > 0 ? linearQuantile(sorted, lower) : NaN;
  const hi = sorted.length > 0 ? linearQuantile(sorted, upper) : NaN;
  for (let c = 0; c < cols; c++) {
    const v = x[t * cols + c];
    out[t * cols + c] = !finite(v) ? NaN : v < lo ? lo : v > hi ? hi : v;
  }
}

/** Lanes of the row sums: column c adds into partial sum c mod LANES (natively, one vector register). */
const LANES = 8;

/** The partial sums of a row combined as a fixed tree: ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). */
function combine(s: Float64Array): number {
  return s[0] + s[1] + (s[2] + s[3]) + (s[4] + s[5] + (s[6] + s[7]));
}

/**
 * Row t of x minus its mean over its sd (ddof 1), into out (non-finite -> NaN). The sums run in
 * LANES interleaved partial sums (a missing value adds 0), combined by combine().
 */
function standardizeRow(x: Float64Array, t: number, cols: number, out: Float64Array): void {
  const sums = new Float64Array(LANES);
  const counts = new Float64Array(LANES);
  for (let c = 0; c < cols; c++) {
    const v = x[t * cols + c];
    const ok = finite(v);
    sums[c % LANES] += ok ? v : 0;
    counts[c % LANES] += ok ? 1 : 0;
  }
  const n = combine(counts);
  const mean = combine(sums) / n;
  const squares = new Float64Array(LANES);
  for (let c = 0; c < cols; c++) {
    const v = x[t * cols + c];
    squares[c % LANES] += finite(v) ? (v - mean) * (v - mean) : 0;
  }
  const sd = Math.sqrt(combine(squares) / (n - 1));
  for (let c = 0; c < cols; c++) {
    const v = x[t * cols + c];
    out[t * cols + c] = finite(v) ? (v - mean) / sd : NaN;
  }
}

function winsorize(x: Float64Array, rows: number, cols: number, lower: number, upper: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) winsorizeRow(x, t, cols, lower, upper, out);
  return out;
}

function standardize(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) standardizeRow(x, t, cols, out);
  return out;
}

/** Infinite returns are a fault (NaN is missing), as in the risk family. */
export function checkReturns(returns: Float64Array, cols: number): void {
  for (let i = 0; i < returns.length; i++) {
    if (Math.abs(returns[i]) === Infinity) throw inputFault(Fault.RETURN_NOT_FINITE, i, returns[i], cols);
  }
}

function momentum(returns: Float64Array, rows: number, cols: number, weights: Float64Array, lag: number, p: number): Float64Array {
  checkReturns(returns, cols);
  const W = weights.length;
  const raw = new Float64Array(rows * cols).fill(NaN);
  for (let t = lag + W - 1; t < rows; t++) {
    const first = t - lag - W + 1; // the oldest lagged return in the window
    for (let c = 0; c < cols; c++) {
      let acc = 1;
      for (let k = 0; k < W; k++) acc *= 1 + weights[k] * returns[(first + k) * cols + c];
      raw[t * cols + c] = acc - 1;
    }
  }
  const clipped = winsorize(raw, rows, cols, p, 1 - p);
  return standardize(clipped, rows, cols);
}

/** Market caps NaN (missing) or finite and > 0, else the fault at the first bad one. */
export function checkCaps(cap: Float64Array, cols: number): void {
  for (let i = 0; i < cap.length; i++) {
    const v = cap[i];
    if (!(v > 0 && v < Infinity) && v === v) throw inputFault(Fault.MARKET_CAP_NOT_POSITIVE, i, v, cols);
  }
}

/** polars' 'nearest' quantile of sorted values: index round-half-up(q (n - 1)). */
function nearestQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1) + 0.5)];
}

function size(cap: Float64Array, rows: number, cols: number, lower: number, upper: number): Float64Array {
  checkCaps(cap, cols);
  const scores = standardize(
    cap.map((v) => -logOf(v)),
    rows,
    cols,
  );
  for (let t = 0; t < rows; t++) {
    const sorted = rowValues(scores, t, cols).sort();
    if (sorted.length === 0) continue;
    const lo = nearestQuantile(sorted, lower);
    const hi = nearestQuantile(sorted, upper);
    for (let c = 0; c < cols; c++) {
      const v = scores[t * cols + c];
      if (v > lo && v < hi) scores[t * cols + c] = 0;
    }
  }
  return scores;
}

function value(book: Float64Array, sales: Float64Array, cashFlow: Float64Array, rows: number, cols: number, p: number): Float64Array {
  const prepare = (x: Float64Array, logged: boolean) => {
    const w = p >= 0 ? winsorize(x, rows, cols, p, 1 - p) : x;
    return standardize(logged ? w.map(logOf) : w, rows, cols);
  };
  const parts = [prepare(book, true), prepare(sales, true), prepare(cashFlow, false)];
  const mean = new Float64Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    let sum = 0;
    let n = 0;
    for (const part of parts) {
      if (finite(part[i])) {
        sum += part[i];
        n++;
      }
    }
    mean[i] = n > 0 ? sum / n : NaN;
  }
  return standardize(mean, rows, cols);
}

/** Sector codes: NaN (missing, a per-date panel only) or an integer in [0, m), else the fault at the first bad one. */
export function checkSectors(sectors: Float64Array, m: number, cols: number, perDate: number): void {
  for (let i = 0; i < sectors.length; i++) {
    const v = sectors[i];
    if (perDate && v !== v) continue;
    if (!(v >= 0 && v < m && Math.floor(v) === v)) throw inputFault(Fault.SECTOR_OUT_OF_RANGE, i, v, perDate ? cols : 1);
  }
}

function factorReturns(
  returns: Float64Array,
  cap: Float64Array,
  rows: number,
  cols: number,
  sectors: Float64Array,
  perDate: number,
  m: number,
  styles: readonly Float64Array[],
  p: number,
  residualize: number,
): Float64Array {
  const s = styles.length;
  checkReturns(returns, cols);
  checkCaps(cap, cols);
  checkSectors(sectors, m, cols, perDate);
  const K = 1 + m + s;
  const N = cols;
  const { out, views } = allocateOutputs(FACTOR_KERNELS.factorReturns, returns, cap, rows, cols, sectors, perDate, m, styles);
  const F = views.factorReturns.fill(NaN);
  const E = views.residuals.fill(NaN);
  for (let t = 0; t < rows; t++) {
    // the usable assets of the date: every input present
    const use: number[] = [];
    for (let c = 0; c < N; c++) {
      const i = t * N + c;
      let ok = finite(returns[i]) && finite(cap[i]) && finite(sectors[perDate ? i : c]);
      for (let k = 0; k < s; k++) ok &&= finite(styles[k][i]);
      if (ok) use.push(c);
    }
    const n = use.length;
    if (n < K) continue;
    const r = Float64Array.from(use, (c) => returns[t * N + c]);
    if (p >= 0) {
      const sorted = r.slice().sort();
      const lo = linearQuantile(sorted, p);
      const hi = linearQuantile(sorted, 1 - p);
      for (let a = 0; a < n; a++) r[a] = r[a] < lo ? lo : r[a] > hi ? hi : r[a];
    }
    const w = Float64Array.from(use, (c) => Math.sqrt(cap[t * N + c]));
    const code = Int32Array.from(use, (c) => sectors[perDate ? t * N + c : c]);
    // market + sector block, summed per sector: B row of sector j is b(j) = [1, e_j - e_(m-1) over j' < m - 1]
    const sw = new Float64Array(m); // sum of w over the sector's assets
    const swr = new Float64Array(m); // sum of w r
    for (let a = 0; a < n; a++) {
      sw[code[a]] += w[a];
      swr[code[a]] += w[a] * r[a];
    }
    const fitted = new Float64Array(m);
    const fr = t * K;
    sectorStage(sw, swr, m, fitted, 0, F, fr);
    const e = Float64Array.from(r, (v, a) => v - fitted[code[a]]);
    // styles on e (or r)
    const y = residualize ? e : r;
    const A2 = new Float64Array(s * s);
    const c2 = new Float64Array(s);
    const X = (k: number, a: number) => styles[k][t * N + use[a]];
    for (let a = 0; a < n; a++) {
      for (let x = 0; x < s; x++) {
        const wx = w[a] * X(x, a);
        c2[x] += wx * y[a];
        for (let z = 0; z < s; z++) A2[x * s + z] += wx * X(z, a);
      }
    }
    const f = pinvSolve(A2, s, c2);
    for (let k = 0; k < s; k++) F[fr + 1 + m + k] = f[k];
    for (let a = 0; a < n; a++) {
      let fit = 0;
      for (let k = 0; k < s; k++) fit += X(k, a) * f[k];
      E[t * N + use[a]] = e[a] - fit;
    }
  }
  return out;
}

export const referenceFactor: FactorFamily = { winsorize, standardize, momentum, size, value, factorReturns, ...referenceFactorModel };

/**
 * The market + sector stage of one date from its per-sector sums of w and of w r (m sectors): the
 * minimum-norm solve g of the market and the first m - 1 sector returns (B row of sector j is
 * b(j) = [1, e_j - e_(m-1) over j' < m - 1], so the sector returns sum to 0); the fitted return
 * b(j) . g of each sector into fitted[fittedAt + j], and the factor returns (market, then the m sector
 * returns) into out[at..at + m]. Shared with the tfjs backend, which sums on its side.
 */
export function sectorStage(
  sw: ArrayLike<number>,
  swr: ArrayLike<number>,
  m: number,
  fitted: Float64Array | Float32Array,
  fittedAt: number,
  out: Float64Array,
  at: number,
): void {
  const row = (j: number): Float64Array => {
    const b = new Float64Array(m);
    b[0] = 1;
    for (let q = 1; q < m; q++) b[q] = j === m - 1 ? -1 : j === q - 1 ? 1 : 0;
    return b;
  };
  const A1 = new Float64Array(m * m);
  const c1 = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const b = row(j);
    for (let x = 0; x < m; x++) {
      c1[x] += swr[j] * b[x];
      for (let y = 0; y < m; y++) A1[x * m + y] += sw[j] * (b[x] * b[y]);
    }
  }
  const g = pinvSolve(A1, m, c1);
  for (let j = 0; j < m; j++) {
    const b = row(j);
    let f = 0;
    for (let x = 0; x < m; x++) f += b[x] * g[x];
    fitted[fittedAt + j] = f;
  }
  out[at] = g[0];
  let others = 0;
  for (let j = 0; j < m - 1; j++) {
    out[at + 1 + j] = g[1 + j];
    others += g[1 + j];
  }
  out[at + m] = 0 - others;
}
