/**
 * Reference varBacktest (src/kernels/risk/risk-analytics.ts, RiskAnalyticsKernels.varBacktest's
 * documentation): the exceptions of each column, Kupiec's and Christoffersen's likelihood ratios, the
 * dynamic quantile test and the Basel traffic light. native/kernels/risk/risk_backtest.cpp follows this file
 * in the same order of floating-point operations.
 *
 * One pass over the dates per column keeps everything the statistics need: the counts, the transitions,
 * and for the DQ regression the sums of risk-dq.ts (DqSums), from which X'X and X'Hit follow exactly.
 */
import { outputsInto } from '../../../kernels/descriptor.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { chiSquareSf } from '../../../math/chi-square.js';
import { checkReturns } from '../risk-common.js';
import { DQ_LAGS, DQ_PATTERNS, DQ_REGRESSORS, DqSums, dqStatistic } from './risk-dq.js';

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

/** VarBacktestResult's outputs per column (see the descriptor), into `given` when the caller gave one. */
export function varBacktest(
  returns: Float64Array,
  rows: number,
  cols: number,
  var_: Float64Array,
  confidence: number,
  window: number,
  dqRegressors: number,
  given?: Float64Array,
): Float64Array {
  checkReturns(returns, cols);
  const { out, views: o } = outputsInto(RISK_KERNELS.varBacktest, given, returns, rows, cols, var_);
  const p = 1 - confidence;
  const windowStart = rows > window ? rows - window : 0;
  const regressors = DQ_REGRESSORS[dqRegressors];
  const sums = new DqSums();
  for (let c = 0; c < cols; c++) {
    sums.reset();
    let n = 0;
    let x = 0;
    let t01 = 0;
    let t10 = 0;
    let t11 = 0;
    let pattern = 0;
    let square = 0; // the squared return of the last date present
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
      pattern = ((pattern << 1) | e) & (DQ_PATTERNS - 1);
      if (n >= DQ_LAGS) sums.add(pattern, v, square);
      square = r * r;
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
    const dq = n > DQ_LAGS ? dqStatistic(sums, p, regressors) : NaN;
    o.dqStat[c] = dq;
    o.dqPValue[c] = chiSquareSf(dq, regressors);
    o.windowExceptions[c] = xWindow;
    o.windowObservations[c] = nWindow;
    const probability = nWindow > 0 ? binomialCdf(xWindow, nWindow, p) : NaN;
    o.windowProbability[c] = probability;
    o.zone[c] = nWindow > 0 ? zoneOf(probability) : NaN;
  }
  return out;
}
