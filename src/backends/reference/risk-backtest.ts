/**
 * Reference varBacktest (src/kernels/risk-analytics.ts, RiskAnalyticsKernels.varBacktest's
 * documentation): the exceptions of each column, Kupiec's and Christoffersen's likelihood ratios, the
 * dynamic quantile test and the Basel traffic light. native/kernels/risk_backtest.cpp follows this file
 * in the same order of floating-point operations.
 *
 * One pass over the dates per column keeps everything the statistics need: the counts, the transitions,
 * and for the DQ regression a histogram over the 32 patterns of the last five hits (I_t .. I_(t-4)) with
 * the sum of the VaR per pattern, from which X'X and X'Hit follow exactly (each Hit is I - p).
 */
import { outputsInto } from '../../kernels/descriptor.js';
import { RISK_KERNELS } from '../../kernels/risk-kernels.js';
import { chiSquareSf } from '../../math/chi-square.js';
import { checkReturns } from './risk-common.js';

/** The DQ test's lags (GAS BacktestVaR's default) and regressors: a constant, the VaR, the lagged hits. */
export const DQ_LAGS = 4;
const REGRESSORS = DQ_LAGS + 2;
const PATTERNS = 1 << (DQ_LAGS + 1);

/** A pivot of X'X below this fraction of its diagonal drops the column (the pseudo-inverse). */
const PIVOT_TOLERANCE = 1e-10;

/**
 * count x log(ratio), the ratio written 1 + d: count log1p(d), 0 when the count is 0 (0 log 0 = 0).
 * Each likelihood ratio is a sum of such terms, count log(q_hat / q) with q_hat the fitted and q the
 * null probability, so that a term is accurate relative to itself (a difference of n log q sums would
 * lose what the two sums share).
 */
function term(count: number, d: number): number {
  return count === 0 ? 0 : count * Math.log1p(d);
}

/** Kupiec's LR_uc of x exceptions in n dates at the rate p (rugarch .LR.uc in log form), >= 0. */
export function kupiecLR(x: number, n: number, p: number): number {
  if (n === 0) return NaN;
  const rate = x / n;
  const lr = 2 * (term(n - x, (p - rate) / (1 - p)) + term(x, (rate - p) / p));
  return lr > 0 ? lr : 0;
}

/** Christoffersen's LR_ind from the transition counts (rugarch .LR.cc in log form), >= 0. */
export function independenceLR(t00: number, t01: number, t10: number, t11: number): number {
  const all = t00 + t01 + t10 + t11;
  if (all === 0) return NaN;
  const pi = (t01 + t11) / all;
  const pi0 = t01 / (t00 + t01); // NaN without a transition from 0: its terms have count 0
  const pi1 = t11 / (t10 + t11);
  const lr =
    2 * (term(t00, (pi - pi0) / (1 - pi)) + term(t01, (pi0 - pi) / pi) + term(t10, (pi - pi1) / (1 - pi)) + term(t11, (pi1 - pi) / pi));
  return lr > 0 ? lr : 0;
}

/** P(X <= x), X ~ Binomial(n, p), summing the pmf from 0 by its ratio in log form; 1 from x >= n. */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x >= n) return 1;
  const ratio = Math.log(p) - Math.log1p(-p);
  let logPmf = n * Math.log1p(-p);
  let sum = 0;
  for (let k = 0; k <= x; k++) {
    sum += Math.exp(logPmf);
    logPmf += Math.log((n - k) / (k + 1)) + ratio;
  }
  return sum < 1 ? sum : 1;
}

/** The traffic light's zone code of the cumulative probability (segMGarch TL). */
export function zoneOf(probability: number): number {
  return probability <= 0.95 ? 0 : probability <= 0.9999 ? 1 : 2;
}

/** (I - p) of bit `lag` of a pattern (bit 0 the hit of the date itself, bit i the hit i dates before). */
function hit(pattern: number, lag: number, p: number): number {
  return ((pattern >> lag) & 1) - p;
}

/**
 * The DQ statistic from the pattern histogram (`count`, `varSum` over the 32 patterns) and the sum of
 * VaR^2: Hit' X (X'X)^+ X' Hit / (p (1 - p)), X = [1, VaR, Hit lags 1..4], by an LDL' of X'X that
 * drops a column whose pivot is below PIVOT_TOLERANCE of its diagonal.
 */
export function dqStatistic(count: Float64Array, varSum: Float64Array, varSquares: number, p: number): number {
  const k = REGRESSORS;
  const G = new Float64Array(k * k);
  const b = new Float64Array(k);
  // regressor j of pattern q, times its count (or VaR sum): column 0 the constant, 1 the VaR, 2.. the lags
  for (let q = 0; q < PATTERNS; q++) {
    const n = count[q];
    const v = varSum[q];
    const y = hit(q, 0, p);
    G[0] += n;
    G[1] += v;
    b[0] += n * y;
    b[1] += v * y;
    for (let i = 0; i < DQ_LAGS; i++) {
      const hi = hit(q, i + 1, p);
      G[2 + i] += n * hi;
      G[k + 2 + i] += v * hi;
      b[2 + i] += n * hi * y;
      for (let j = i; j < DQ_LAGS; j++) G[(2 + i) * k + 2 + j] += n * hi * hit(q, j + 1, p);
    }
  }
  G[k + 1] = varSquares;
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) G[i * k + j] = G[j * k + i];
  // LDL': L unit lower (row-major), d the pivots; w = L^-1 b; the form is sum w_j^2 / d_j over the kept.
  const L = new Float64Array(k * k);
  const d = new Float64Array(k);
  const w = new Float64Array(k);
  let form = 0;
  for (let j = 0; j < k; j++) {
    let dj = G[j * k + j];
    for (let m = 0; m < j; m++) dj -= L[j * k + m] * L[j * k + m] * d[m];
    if (!(dj > PIVOT_TOLERANCE * G[j * k + j])) continue; // dependent on the columns before: dropped (L, d, w stay 0)
    d[j] = dj;
    for (let i = j + 1; i < k; i++) {
      let s = G[i * k + j];
      for (let m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m] * d[m];
      L[i * k + j] = s / dj;
    }
    let wj = b[j];
    for (let m = 0; m < j; m++) wj -= L[j * k + m] * w[m];
    w[j] = wj;
    form += (wj * wj) / dj;
  }
  return form / (p * (1 - p));
}

/** VarBacktestResult's outputs per column (see the descriptor), into `given` when the caller gave one. */
export function varBacktest(
  returns: Float64Array,
  rows: number,
  cols: number,
  var_: Float64Array,
  confidence: number,
  window: number,
  given?: Float64Array,
): Float64Array {
  checkReturns(returns, cols);
  const { out, views: o } = outputsInto(RISK_KERNELS.varBacktest, given, returns, rows, cols, var_);
  const p = 1 - confidence;
  const windowStart = rows > window ? rows - window : 0;
  const count = new Float64Array(PATTERNS);
  const varSum = new Float64Array(PATTERNS);
  for (let c = 0; c < cols; c++) {
    count.fill(0);
    varSum.fill(0);
    let n = 0;
    let x = 0;
    let t01 = 0;
    let t10 = 0;
    let t11 = 0;
    let pattern = 0;
    let varSquares = 0;
    let nWindow = 0;
    let xWindow = 0;
    for (let t = 0; t < rows; t++) {
      const r = returns[t * cols + c];
      const v = var_[t * cols + c];
      if (r !== r || v !== v) {
        o.exceptions[t * cols + c] = NaN;
        continue;
      }
      const e = r < -v ? 1 : 0;
      o.exceptions[t * cols + c] = e;
      if (n > 0) {
        const before = pattern & 1;
        t01 += before === 0 && e === 1 ? 1 : 0;
        t10 += before === 1 && e === 0 ? 1 : 0;
        t11 += before === 1 && e === 1 ? 1 : 0;
      }
      pattern = ((pattern << 1) | e) & (PATTERNS - 1);
      if (n >= DQ_LAGS) {
        count[pattern] += 1;
        varSum[pattern] += v;
        varSquares += v * v;
      }
      n++;
      x += e;
      if (t >= windowStart) {
        nWindow++;
        xWindow += e;
      }
    }
    const t00 = n > 0 ? n - 1 - t01 - t10 - t11 : 0;
    const uc = kupiecLR(x, n, p);
    const ind = independenceLR(t00, t01, t10, t11);
    o.count[c] = x;
    o.observations[c] = n;
    o.kupiecLR[c] = uc;
    o.kupiecPValue[c] = chiSquareSf(uc, 1);
    o.independenceLR[c] = ind;
    o.independencePValue[c] = chiSquareSf(ind, 1);
    o.conditionalCoverageLR[c] = uc + ind;
    o.conditionalCoveragePValue[c] = chiSquareSf(uc + ind, 2);
    const dq = n > DQ_LAGS ? dqStatistic(count, varSum, varSquares, p) : NaN;
    o.dqStat[c] = dq;
    o.dqPValue[c] = chiSquareSf(dq, REGRESSORS);
    o.windowExceptions[c] = xWindow;
    o.windowObservations[c] = nWindow;
    const probability = nWindow > 0 ? binomialCdf(xWindow, nWindow, p) : NaN;
    o.windowProbability[c] = probability;
    o.zone[c] = nWindow > 0 ? zoneOf(probability) : NaN;
  }
  return out;
}
