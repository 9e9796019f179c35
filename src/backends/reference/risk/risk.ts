/**
 * Reference implementation of the risk family (src/kernels/risk/risk.ts): clear TypeScript, the oracle.
 * native/kernels/risk/risk.cpp follows it function for function, in the same order of operations.
 *
 * Conventions (so that a user can reproduce the numbers in the library named):
 * - simpleReturns: (p[t] - p[t-1]) / p[t-1] (empyrical.simple_returns on arrays, numpy.diff / p[:-1]).
 * - logReturns: log(p[t] / p[t-1]) as log1p of the simple return (no cancellation for small moves).
 * - performanceStats: empyrical's annual_return, annual_volatility, sharpe_ratio, sortino_ratio,
 *   downside_risk, max_drawdown (as a positive loss), calmar_ratio; scipy.stats' skew and kurtosis
 *   (bias=True, Fisher). NaN returns are skipped as empyrical's nan-functions skip them.
 * - valueAtRisk (NaN returns dropped per column, as na.omit): 'historical' is numpy's linear quantile
 *   (its virtual index n p + (1 - p) - 1 and its two-sided lerp) and empyrical's
 *   conditional_value_at_risk (the mean of the k + 1 smallest, k = floor((n - 1)(1 - c)), summed in
 *   ascending order); 'gaussian' is -(mu + z sigma) and -mu + phi(z) sigma / (1 - c);
 *   'cornish-fisher' is PerformanceAnalytics' VaR.CornishFisher and operES.CornishFisher (population
 *   moments; skewness and excess kurtosis 0 when m2 <= 1.5e-8, its all.equal(m2, 0)).
 * - covariance over the complete rows (a row with a NaN is left out, as pandas' cov and numpy on
 *   dropna'd data): 'sample' sums (x_i - mean_i)(x_j - mean_j) over the rows in order, / (n - 1);
 *   'ewma' (RiskMetrics, zero mean) recurses S = lambda S + (1 - lambda) (r_i r_j) from S = r_0 r_0',
 *   or with adjust sums lambda^(n-1-t) (r_i r_j) in row order over the sum of the weights;
 *   'ledoit-wolf' and 'oas' are scikit-learn's (1.3+) ledoit_wolf and oas on the centred complete rows:
 *   S the ddof-0 covariance, mu = trace(S) / N, shrunk (1 - s) S + s mu I; Ledoit-Wolf's beta_ sum
 *   taken as sum_t (sum_i x_ti^2)^2, the same number as scikit-learn's sum of X2' X2 in O(T N);
 *   'semi' is PyPortfolioOpt's semicovariance(returns_data=True, frequency=1): sum over the rows of
 *   min(r_i - b, 0) min(r_j - b, 0), / n.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { PERFORMANCE_STATS, type RiskFamily } from '../../../kernels/risk/risk.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { normalPdf, normalQuantile } from '../../../math/special.js';
import { checkPrices, checkReturns, checkWeights, completeRows, historicalVar, linearQuantile } from '../risk-common.js';
import { varBacktest } from './risk-backtest.js';
import { rolling } from './risk-rolling.js';
import { aggregateReturns, drawdowns, drawdownSeries } from './risk-drawdown.js';
import { monteCarloScenarios, monteCarloVar } from './risk-montecarlo.js';
import { componentVar } from './risk-component.js';
import { relativeStats } from './risk-relative.js';

/** (p[t] - p[t-1]) / p[t-1] per column, rows - 1 rows. */
function simpleReturns(prices: Float64Array, rows: number, cols: number): Float64Array {
  checkPrices(prices, cols);
  const out = new Float64Array(Math.max(rows - 1, 0) * cols);
  for (let i = cols; i < rows * cols; i++) out[i - cols] = (prices[i] - prices[i - cols]) / prices[i - cols];
  return out;
}

/** log(p[t] / p[t-1]) = log1p(simple return) per column, rows - 1 rows. */
function logReturns(prices: Float64Array, rows: number, cols: number): Float64Array {
  checkPrices(prices, cols);
  const out = new Float64Array(Math.max(rows - 1, 0) * cols);
  for (let i = cols; i < rows * cols; i++) out[i - cols] = Math.log1p((prices[i] - prices[i - cols]) / prices[i - cols]);
  return out;
}

/**
 * Cumulative returns per column (empyrical cum_returns): w_t = w_(t-1) (1 + r_t), w_(-1) = 1, a NaN
 * return counted as 0; out = w - 1 when startingValue is 0, else startingValue x w.
 */
function cumulativeReturns(returns: Float64Array, rows: number, cols: number, startingValue: number): Float64Array {
  checkReturns(returns, cols);
  const { out, views } = allocateOutputs(RISK_KERNELS.cumulativeReturns, returns, rows, cols);
  const cum = views.returns;
  for (let c = 0; c < cols; c++) {
    let w = 1;
    for (let t = 0; t < rows; t++) {
      const r = returns[t * cols + c];
      w *= 1 + (r === r ? r : 0);
      cum[t * cols + c] = startingValue === 0 ? w - 1 : startingValue * w;
    }
  }
  return out;
}

/**
 * out[t][p] = sum over assets c of weights[p][c] * returns[t][c], summed in asset order: fixed
 * weights, rebalanced every period. A NaN return makes that date's portfolio return NaN.
 */
function portfolioReturns(returns: Float64Array, rows: number, cols: number, weights: Float64Array, portfolios: number): Float64Array {
  checkWeights(weights, cols);
  checkReturns(returns, cols);
  const out = new Float64Array(rows * portfolios);
  for (let t = 0; t < rows; t++) {
    for (let p = 0; p < portfolios; p++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += weights[p * cols + c] * returns[t * cols + c];
      out[t * portfolios + p] = sum;
    }
  }
  return out;
}

/** scipy's threshold for a zero variance in skew/kurtosis: np.finfo(float64).resolution. */
const RESOLUTION = 1e-15;

/** Mean of the non-NaN values of column c (after subtracting `shift`), NaN when there are none. */
function nanMean(x: Float64Array, rows: number, cols: number, c: number, shift: number): number {
  let sum = 0;
  let n = 0;
  for (let t = 0; t < rows; t++) {
    const v = x[t * cols + c];
    if (v === v) {
      sum += v - shift;
      n++;
    }
  }
  return sum / n;
}

/** Central moment of order k (2, 3 or 4) of the non-NaN values of column c around `mean`. */
function nanMoment(x: Float64Array, rows: number, cols: number, c: number, mean: number, k: number): number {
  let sum = 0;
  let n = 0;
  for (let t = 0; t < rows; t++) {
    const v = x[t * cols + c];
    if (v === v) {
      const d = v - mean;
      sum += k === 2 ? d * d : k === 3 ? d * d * d : d * d * (d * d);
      n++;
    }
  }
  return sum / n;
}

/** Sample standard deviation (ddof 1) of the non-NaN values of column c, after subtracting `shift`. */
function nanStd(x: Float64Array, rows: number, cols: number, c: number, shift: number): number {
  const mean = nanMean(x, rows, cols, c, shift);
  let squares = 0;
  let n = 0;
  for (let t = 0; t < rows; t++) {
    const v = x[t * cols + c];
    if (v === v) {
      const d = v - shift - mean;
      squares += d * d;
      n++;
    }
  }
  return n < 2 ? NaN : Math.sqrt(squares / (n - 1)); // numpy's nanstd(ddof=1): NaN for fewer than 2 values (not sqrt(0 / -1) = -0)
}

/** The PERFORMANCE_STATS of column c, in that order. */
function columnStats(x: Float64Array, rows: number, cols: number, c: number, ppy: number, rf: number, required: number): number[] {
  const T = rows;
  // annual_return: the final wealth of 1 (NaN returns count as 0), to the power 1 / years, minus 1;
  // computed as expm1(log(wealth) / years), the same number without the cancellation of "- 1" when the
  // annual return is small (a few ulps of 1 would be a large relative error there).
  let wealth = 1;
  for (let t = 0; t < T; t++) {
    const r = x[t * cols + c];
    if (r === r) wealth *= 1 + r;
  }
  const annualReturn = T < 1 ? NaN : Math.expm1(Math.log(wealth) / (T / ppy));
  const annualVolatility = T < 2 ? NaN : nanStd(x, rows, cols, c, 0) * Math.sqrt(ppy);
  const excessMean = nanMean(x, rows, cols, c, rf);
  const sharpe = T < 2 ? NaN : (excessMean / nanStd(x, rows, cols, c, rf)) * Math.sqrt(ppy);
  // downside_risk: sqrt(mean(min(r - rf, 0)^2)) sqrt(ppy)
  let downSquares = 0;
  let n = 0;
  for (let t = 0; t < T; t++) {
    const r = x[t * cols + c];
    if (r === r) {
      const d = Math.min(r - rf, 0);
      downSquares += d * d;
      n++;
    }
  }
  const downsideRisk = T < 1 ? NaN : Math.sqrt(downSquares / n) * Math.sqrt(ppy);
  const sortino = T < 2 ? NaN : (excessMean * ppy) / downsideRisk;
  // max_drawdown: wealth from 100 (the start counts), NaN returns as 0; the worst fall from a peak.
  let growth = 1;
  let peak = 100;
  let worst = 0;
  for (let t = 0; t < T; t++) {
    const r = x[t * cols + c];
    growth *= 1 + (r === r ? r : 0);
    const value = growth * 100;
    peak = value > peak ? value : peak; // NaN (an overflowed wealth times 0) is skipped, as np.fmax and nanmin do
    const drawdown = (value - peak) / peak;
    worst = drawdown < worst ? drawdown : worst;
  }
  const maxDrawdown = T < 1 ? NaN : 0 - worst;
  const calmarRaw = maxDrawdown > 0 ? annualReturn / maxDrawdown : NaN;
  const calmar = Number.isFinite(calmarRaw) ? calmarRaw : NaN;
  // scipy.stats.skew / kurtosis (biased, Fisher): NaN for a variance within rounding of zero.
  const mean = nanMean(x, rows, cols, c, 0);
  const m2 = nanMoment(x, rows, cols, c, mean, 2);
  const flat = !(m2 > RESOLUTION * mean * (RESOLUTION * mean));
  const skewness = flat ? NaN : nanMoment(x, rows, cols, c, mean, 3) / (m2 * Math.sqrt(m2));
  const excessKurtosis = flat ? NaN : nanMoment(x, rows, cols, c, mean, 4) / (m2 * m2) - 3;
  return [
    annualReturn,
    annualVolatility,
    sharpe,
    sortino,
    downsideRisk,
    maxDrawdown,
    calmar,
    skewness,
    excessKurtosis,
    ...seriesStats(x, rows, cols, c, ppy, rf, required),
  ];
}

/**
 * omega, tailRatio, stability and cumulativeReturn of column c (empyrical's omega_ratio, tail_ratio,
 * stability_of_timeseries, cum_returns_final; see RiskKernels.performanceStats).
 */
function seriesStats(x: Float64Array, rows: number, cols: number, c: number, ppy: number, rf: number, required: number): number[] {
  const values: number[] = [];
  let wealth = 1;
  for (let t = 0; t < rows; t++) {
    const r = x[t * cols + c];
    if (r === r) {
      values.push(r);
      wealth *= 1 + r;
    }
  }
  const n = values.length;
  // omega_ratio: the per-period threshold, then the gains over the losses beyond it
  const threshold = ppy === 1 ? required : Math.expm1(Math.log1p(required) / ppy);
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - rf - threshold;
    if (d > 0) gains += d;
    if (d < 0) losses += d;
  }
  const omega = rows < 2 || !(0 - losses > 0) ? NaN : gains / (0 - losses);
  // stability_of_timeseries: scipy linregress' r of y = cumsum(log1p r) on 0 .. n - 1, squared
  let stability = NaN;
  if (n >= 2) {
    const cum = new Float64Array(n); // cumsum(log1p r), one log1p per value
    let y = 0;
    let sumY = 0;
    for (let i = 0; i < n; i++) {
      y += Math.log1p(values[i]);
      cum[i] = y;
      sumY += y;
    }
    const meanY = sumY / n;
    const meanX = (n - 1) / 2;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const dx = i - meanX;
      const dy = cum[i] - meanY;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
    }
    const den = Math.sqrt((sxx / n) * (syy / n));
    const r = den === 0 ? 0 : Math.min(Math.max(sxy / n / den, -1), 1);
    stability = r * r;
  }
  const sorted = Float64Array.from(values).sort();
  const tailRatio = n < 1 ? NaN : Math.abs(linearQuantile(sorted, 0.95)) / Math.abs(linearQuantile(sorted, 0.05));
  return [omega, tailRatio, stability, rows < 1 ? NaN : wealth - 1]; // cum_returns_final: NaN when empty
}

/** PERFORMANCE_STATS per column, stat-major (stat s of column c at s * cols + c). */
function performanceStats(
  returns: Float64Array,
  rows: number,
  cols: number,
  periodsPerYear: number,
  riskFree: number,
  requiredReturn: number,
): Float64Array {
  checkReturns(returns, cols);
  const { out, views } = allocateOutputs(RISK_KERNELS.performanceStats, returns, rows, cols);
  for (let c = 0; c < cols; c++) {
    columnStats(returns, rows, cols, c, periodsPerYear, riskFree, requiredReturn).forEach((v, s) => (views[PERFORMANCE_STATS[s]][c] = v));
  }
  return out;
}

/** PerformanceAnalytics' .skewEst/.kurtEst guard: all.equal(m2, 0) holds for |m2| <= 1.5e-8. */
const PA_ZERO_VARIANCE = 1.5e-8;

/** [VaR, ES] of one column's non-NaN values (in row order), by method code. */
function columnVar(values: Float64Array, method: number, c: number, ddof: number): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const alpha = 1 - c;
  if (method === 0) return historicalVar(values, c);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    s2 += d * d;
    s3 += d * d * d;
    s4 += d * d * (d * d);
  }
  const z = normalQuantile(alpha);
  if (method === 1) {
    const sigma = Math.sqrt(s2 / (n - ddof));
    return [-(mean + z * sigma), -mean + (normalPdf(z) * sigma) / alpha];
  }
  const m2 = s2 / n;
  const flat = Math.abs(m2) <= PA_ZERO_VARIANCE;
  const skew = flat ? 0 : s3 / n / (m2 * Math.sqrt(m2)); // m2^1.5 (sqrt and * round alike in TS and C++; pow does not)
  const exkurt = flat ? 0 : s4 / n / (m2 * m2) - 3;
  const z2 = z * z;
  const z3 = z2 * z;
  const h = z + (1 / 6) * (z2 - 1) * skew + (1 / 24) * (z3 - 3 * z) * exkurt - (1 / 36) * (2 * z3 - 5 * z) * (skew * skew);
  const sd = Math.sqrt(m2);
  const h2 = h * h;
  const h3 = h2 * h;
  const h4 = h2 * h2;
  const h6 = h3 * h3;
  const mes = normalPdf(h) * (1 + (h3 * skew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * (skew * skew)) / 72 + ((h4 - 2 * h2 - 1) * exkurt) / 24);
  return [-mean - h * sd, -mean - sd * Math.min(-mes / alpha, h)];
}

/** VaR then ES per column (2 x cols values). */
function valueAtRisk(returns: Float64Array, rows: number, cols: number, method: number, confidence: number, ddof: number): Float64Array {
  checkReturns(returns, cols);
  const { out, views: o } = allocateOutputs(RISK_KERNELS.valueAtRisk, returns, rows, cols);
  for (let c = 0; c < cols; c++) {
    const values: number[] = [];
    for (let t = 0; t < rows; t++) {
      const r = returns[t * cols + c];
      if (r === r) values.push(r);
    }
    [o.var[c], o.es[c]] = columnVar(Float64Array.from(values), method, confidence, ddof);
  }
  return out;
}

/** cols x cols covariance of the complete rows, row-major (see the header for each method). */
function covariance(
  returns: Float64Array,
  rows: number,
  cols: number,
  method: number,
  lambda: number,
  adjust: number,
  benchmark: number,
): Float64Array {
  checkReturns(returns, cols);
  const { data: x, n } = completeRows(returns, rows, cols);
  const { out, views } = allocateOutputs(RISK_KERNELS.covariance, returns, rows, cols);
  const cov = views.cov;
  views.shrinkage[0] = NaN; // for the methods that have one
  if (method !== 1) {
    const ddof1 = method === 0 || method === 5; // sample, and the constant-correlation target's S
    if (n < (ddof1 ? 2 : 1)) return out.fill(NaN);
    let d: Float64Array;
    if (method === 4) {
      d = x.map((v) => Math.min(v - benchmark, 0)); // semicovariance: the shortfalls below the benchmark
    } else {
      const mean = new Float64Array(cols);
      for (let t = 0; t < n; t++) for (let i = 0; i < cols; i++) mean[i] += x[t * cols + i];
      for (let i = 0; i < cols; i++) mean[i] /= n;
      d = x.map((v, k) => v - mean[k % cols]);
    }
    for (let i = 0; i < cols; i++) {
      for (let j = i; j < cols; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += d[t * cols + i] * d[t * cols + j];
        cov[i * cols + j] = cov[j * cols + i] = s / (ddof1 ? n - 1 : n);
      }
    }
    if (method === 2 || method === 3) views.shrinkage[0] = shrink(cov, d, n, cols, method);
    if (method === 5) views.shrinkage[0] = constantCorrelation(cov, d, n, cols);
    if (method === 6) views.shrinkage[0] = singleFactor(cov, d, n, cols);
    return out;
  }
  if (n === 0) return out.fill(NaN);
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      let s: number;
      if (adjust) {
        let num = 0;
        let den = 0;
        for (let t = 0; t < n; t++) {
          const w = Math.pow(lambda, n - 1 - t);
          num += w * (x[t * cols + i] * x[t * cols + j]);
          den += w;
        }
        s = num / den;
      } else {
        s = x[i] * x[j];
        for (let t = 1; t < n; t++) s = lambda * s + (1 - lambda) * (x[t * cols + i] * x[t * cols + j]);
      }
      cov[i * cols + j] = cov[j * cols + i] = s;
    }
  }
  return out;
}

/**
 * Shrinks the ddof-0 covariance S (out, cols x cols; centred rows d) towards mu I, mu = trace(S) / N,
 * with scikit-learn's Ledoit-Wolf (method 2) or OAS (method 3) intensity s; returns s.
 */
export function shrink(out: Float64Array, d: Float64Array, n: number, cols: number, method: number): number {
  const p = cols;
  let trace = 0;
  for (let i = 0; i < p; i++) trace += out[i * p + i];
  const mu = trace / p;
  let squares = 0; // sum of S_ij^2 over the whole matrix
  for (let k = 0; k < p * p; k++) squares += out[k] * out[k];
  let s: number;
  if (p === 1) {
    s = 0;
  } else if (method === 2) {
    let beta0 = 0; // sum over t of (sum over i of d_ti^2)^2
    for (let t = 0; t < n; t++) {
      let row = 0;
      for (let i = 0; i < p; i++) row += d[t * p + i] * d[t * p + i];
      beta0 += row * row;
    }
    let beta = (1 / (p * n)) * (beta0 / n - squares);
    const delta = (squares - 2 * mu * trace + p * mu * mu) / p;
    beta = Math.min(beta, delta);
    s = beta > 0 ? beta / delta : 0; // scikit-learn: beta == 0 ? 0; a beta rounded below 0 (n = 2) is 0 too
  } else {
    const alpha = squares / (p * p);
    const num = alpha + mu * mu;
    const den = (n + 1) * (alpha - (mu * mu) / p);
    s = den > 0 ? Math.min(num / den, 1) : 1; // scikit-learn: den == 0 ? 1; den >= 0 but for rounding
  }
  for (let k = 0; k < p * p; k++) out[k] *= 1 - s;
  for (let i = 0; i < p; i++) out[i * p + i] += s * mu;
  return s;
}

/** sum over t of a[t][i] b[t][j] (in row order), p x p, of two n x p row-major matrices. */
function cross(a: Float64Array, b: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += a[t * p + i] * b[t * p + j];
      out[i * p + j] = s;
    }
  }
  return out;
}

/**
 * delta F + (1 - delta) S into out, delta = max(0, min(1, kappa / n)) with Python's min and max (a NaN
 * kappa gives 1, as in PyPortfolioOpt); returns delta.
 */
function blend(out: Float64Array, target: Float64Array, kappa: number, n: number, p: number): number {
  const upTo1 = kappa / n < 1 ? kappa / n : 1;
  const delta = upTo1 > 0 ? upTo1 : 0;
  for (let k = 0; k < p * p; k++) out[k] = delta * target[k] + (1 - delta) * out[k];
  return delta;
}

/**
 * PyPortfolioOpt's CovarianceShrinkage.ledoit_wolf('constant_correlation') without its annualisation:
 * out holds the ddof-1 sample covariance S of the centred rows d; the target keeps the variances and
 * sets every correlation to their mean r_bar (Ledoit & Wolf 2003, as PyPortfolioOpt computes it).
 */
export function constantCorrelation(out: Float64Array, d: Float64Array, n: number, p: number): number {
  const S = out.slice(0, p * p);
  const std = Float64Array.from({ length: p }, (_, i) => Math.sqrt(S[i * p + i]));
  let correlations = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) correlations += S[i * p + j] / (std[i] * std[j]);
  const rBar = (correlations - p) / (p * (p - 1));
  const F = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) F[i * p + j] = i === j ? S[i * p + i] : rBar * (std[i] * std[j]);
  const y = d.map((v) => v * v);
  const yy = cross(y, y, n, p);
  const xx = cross(d, d, n, p);
  const x3x = cross(
    d.map((v) => v * v * v),
    d,
    n,
    p,
  );
  let pi = 0;
  let piDiagonal = 0;
  let thetaSum = 0;
  let gamma = 0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const k = i * p + j;
      const piK = yy[k] / n - (2 * xx[k] * S[k]) / n + S[k] * S[k];
      pi += piK;
      if (i === j) piDiagonal += piK;
      else {
        const h = xx[k] / n;
        const theta = x3x[k] / n - (xx[i * p + i] / n) * S[k] - h * S[i * p + i] + S[i * p + i] * S[k];
        thetaSum += (1 / std[i]) * std[j] * theta;
      }
      gamma += (S[k] - F[k]) * (S[k] - F[k]);
    }
  }
  const rho = piDiagonal + rBar * thetaSum;
  return blend(out, F, (pi - rho) / gamma, n, p);
}

/**
 * PyPortfolioOpt's CovarianceShrinkage.ledoit_wolf('single_factor') without its annualisation: out
 * holds the ddof-0 covariance S of the centred rows d; the target is Sharpe's single-factor model on
 * the equal-weighted market (Ledoit & Wolf 2001, as PyPortfolioOpt computes it).
 */
export function singleFactor(out: Float64Array, d: Float64Array, n: number, p: number): number {
  const S = out.slice(0, p * p);
  const market = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += d[t * p + i];
    market[t] = s / p;
  }
  const betas = new Float64Array(p);
  let varMarket = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < p; i++) betas[i] += d[t * p + i] * market[t];
    varMarket += market[t] * market[t];
  }
  for (let i = 0; i < p; i++) betas[i] /= n;
  varMarket /= n;
  const F = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) F[i * p + j] = i === j ? S[i * p + i] : (betas[i] * betas[j]) / varMarket;
  const y = d.map((v) => v * v);
  const z = d.map((v, k) => v * market[Math.floor(k / p)]);
  let rowSquares = 0; // sum over t of (sum over i of y_ti)^2: the sum of y'y
  let fourth = 0; // sum of y_ti^2
  for (let t = 0; t < n; t++) {
    let row = 0;
    for (let i = 0; i < p; i++) {
      row += y[t * p + i];
      fourth += y[t * p + i] * y[t * p + i];
    }
    rowSquares += row * row;
  }
  const yz = cross(y, z, n, p);
  const zz = cross(z, z, n, p);
  let c = 0;
  let squares = 0;
  let diagonalSquares = 0;
  let roff1 = 0;
  let roff1Diagonal = 0;
  let roff3 = 0;
  let roff3Diagonal = 0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const k = i * p + j;
      c += (S[k] - F[k]) * (S[k] - F[k]);
      squares += S[k] * S[k];
      const v1 = (1 / n) * yz[k] - betas[i] * S[k];
      const v3 = (1 / n) * zz[k] - varMarket * S[k];
      roff1 += v1 * betas[j];
      roff3 += v3 * (betas[i] * betas[j]);
      if (i === j) {
        diagonalSquares += S[k] * S[k];
        roff1Diagonal += v1 * betas[i];
        roff3Diagonal += v3 * (betas[i] * betas[i]);
      }
    }
  }
  const pHat = (1 / n) * rowSquares - squares;
  const rDiagonal = (1 / n) * fourth - diagonalSquares;
  const rOff =
    2 * (roff1 / varMarket - roff1Diagonal / varMarket) - (roff3 / (varMarket * varMarket) - roff3Diagonal / (varMarket * varMarket));
  return blend(out, F, (pHat - (rDiagonal + rOff)) / c, n, p);
}

/**
 * w' S w of the weights `w` (n): sum_i w_i v_i with v_i = sum_j w_j S_ji (index order) into `v`, over
 * the assets i of weight other than 0 (their v_i may overflow beside huge covariances: 0 * Infinity
 * would make the sum NaN where w' S w is finite; their v_i is left as it was).
 */
function quadratic(cov: Float64Array, n: number, w: Float64Array, v: Float64Array): number {
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (w[i] === 0) continue;
    v[i] = 0;
    for (let j = 0; j < n; j++) v[i] += w[j] * cov[j * n + i];
    q += w[i] * v[i];
  }
  return q;
}

/** sqrt(w' S w) per portfolio (quadratic()); weights finite. */
function portfolioVolatility(cov: Float64Array, n: number, weights: Float64Array, portfolios: number): Float64Array {
  checkWeights(weights, n);
  const out = new Float64Array(portfolios);
  const v = new Float64Array(n);
  for (let p = 0; p < portfolios; p++) out[p] = Math.sqrt(quadratic(cov, n, weights.subarray(p * n, (p + 1) * n), v));
  return out;
}

/**
 * Per portfolio sigma = sqrt(w' S w) (quadratic(), as portfolioVolatility), then w_i v_i / sigma and
 * w_i v_i / w' S w per asset, 0 for an asset of weight 0; laid out as RISK_KERNELS.riskContributions says.
 */
function riskContributions(cov: Float64Array, n: number, weights: Float64Array, portfolios: number): Float64Array {
  checkWeights(weights, n);
  const { out, views } = allocateOutputs(RISK_KERNELS.riskContributions, cov, n, weights, portfolios);
  const v = new Float64Array(n);
  for (let p = 0; p < portfolios; p++) {
    const w = weights.subarray(p * n, (p + 1) * n);
    const q = quadratic(cov, n, w, v);
    const sigma = Math.sqrt(q);
    views.volatility[p] = sigma;
    for (let i = 0; i < n; i++) {
      views.contributions[p * n + i] = w[i] === 0 ? 0 : (w[i] * v[i]) / sigma;
      views.shares[p * n + i] = w[i] === 0 ? 0 : (w[i] * v[i]) / q;
    }
  }
  return out;
}

export const referenceRisk: RiskFamily = {
  simpleReturns,
  logReturns,
  cumulativeReturns,
  portfolioReturns,
  performanceStats,
  relativeStats,
  valueAtRisk,
  covariance,
  portfolioVolatility,
  riskContributions,
  componentVar,
  monteCarloVar,
  monteCarloScenarios,
  varBacktest,
  rolling,
  drawdownSeries,
  drawdowns,
  aggregateReturns,
};
