/**
 * Reference relativeStats (src/kernels/risk/risk.ts): statistics of each column of returns against one
 * benchmark series, the definitions in RiskKernels.relativeStats' documentation: empyrical's
 * beta_aligned, alpha_aligned, capture, up/down_capture, up/down_alpha_beta and excess_sharpe,
 * quantstats' greeks alpha, PerformanceAnalytics' TrackingError and InformationRatio, Pearson's
 * correlation. A pair is a date where both the column and the benchmark are present (not NaN); every
 * sum runs over its dates in row order.
 *
 * native/kernels/risk/risk_relative.cpp follows this file in the same order of operations.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { checkReturns } from '../risk-common.js';

/** empyrical's beta_aligned threshold: a benchmark variance below it gives a NaN beta. */
const MIN_BENCHMARK_VARIANCE = 1e-30;

/** Which dates a statistic reads, by the benchmark's value: all of them, b > 0 (up) or b < 0 (down). */
const ALL = 0;
const UP = 1;
const DOWN = 2;

function inSubset(b: number, subset: number): boolean {
  return subset === ALL || (subset === UP ? b > 0 : b < 0);
}

/**
 * empyrical's annual_return of x over the dates of the subset (a NaN return counted as 0): the
 * compounded wealth w, then w^(1 / years) - 1 as expm1(log(w) / years), years = dates / ppy; NaN
 * without dates.
 */
function annualReturn(x: Float64Array, b: Float64Array, subset: number, ppy: number): number {
  let dates = 0;
  let wealth = 1;
  for (let t = 0; t < x.length; t++) {
    if (!inSubset(b[t], subset)) continue;
    dates++;
    const v = x[t];
    wealth *= 1 + (v === v ? v : 0);
  }
  return dates < 1 ? NaN : Math.expm1(Math.log(wealth) / (dates / ppy));
}

/**
 * [beta, alpha] of r against b over the pairs of the subset (empyrical's beta_aligned and alpha_aligned,
 * or quantstats' greeks alpha when `quantstats`); NaN for fewer than 2 pairs.
 */
function alphaBeta(r: Float64Array, b: Float64Array, subset: number, ppy: number, rf: number, quantstats: boolean): [number, number] {
  const T = r.length;
  let n = 0;
  let sumB = 0;
  let sumR = 0;
  for (let t = 0; t < T; t++) {
    if (r[t] !== r[t] || b[t] !== b[t] || !inSubset(b[t], subset)) continue;
    n++;
    sumB += b[t];
    sumR += r[t];
  }
  if (n < 2) return [NaN, NaN];
  const meanB = sumB / n;
  let cov = 0;
  let variance = 0;
  for (let t = 0; t < T; t++) {
    if (r[t] !== r[t] || b[t] !== b[t] || !inSubset(b[t], subset)) continue;
    const d = b[t] - meanB; // the benchmark's residual
    cov += d * r[t];
    variance += d * d;
  }
  const covariance = cov / n;
  const v = variance / n;
  const beta = v < MIN_BENCHMARK_VARIANCE ? NaN : covariance / v;
  if (quantstats) return [beta, (sumR / n - beta * meanB) * ppy];
  let excess = 0;
  for (let t = 0; t < T; t++) {
    if (r[t] !== r[t] || b[t] !== b[t] || !inSubset(b[t], subset)) continue;
    excess += r[t] - rf - beta * (b[t] - rf);
  }
  return [beta, Math.expm1(Math.log1p(excess / n) * ppy)];
}

/**
 * [excessSharpe, trackingError, informationRatio, correlation] over all the pairs (empyrical's
 * excess_sharpe, PerformanceAnalytics' TrackingError and InformationRatio, Pearson); NaN for fewer
 * than 2 pairs.
 */
function pairStats(r: Float64Array, b: Float64Array, ppy: number): [number, number, number, number] {
  const T = r.length;
  let n = 0;
  let sumA = 0;
  let sumR = 0;
  let sumB = 0;
  let wealthR = 1;
  let wealthB = 1;
  for (let t = 0; t < T; t++) {
    if (r[t] !== r[t] || b[t] !== b[t]) continue;
    n++;
    sumA += r[t] - b[t];
    sumR += r[t];
    sumB += b[t];
    wealthR *= 1 + r[t];
    wealthB *= 1 + b[t];
  }
  if (n < 2) return [NaN, NaN, NaN, NaN];
  const meanA = sumA / n;
  const meanR = sumR / n;
  const meanB = sumB / n;
  let squaresA = 0;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let t = 0; t < T; t++) {
    if (r[t] !== r[t] || b[t] !== b[t]) continue;
    const a = r[t] - b[t] - meanA;
    squaresA += a * a;
    const dr = r[t] - meanR;
    const db = b[t] - meanB;
    sxy += dr * db;
    sxx += dr * dr;
    syy += db * db;
  }
  const sd = Math.sqrt(squaresA / (n - 1));
  const excessSharpe = meanA / sd;
  const trackingError = sd * Math.sqrt(ppy);
  // ActivePremium: Return.annualized(r) - Return.annualized(b), prod(1 + x)^(scale / n) - 1 each, taken
  // as wB^e (exp(e log(wR / wB)) - 1): no difference of two rounded powers, which would cancel where
  // the two CAGRs are close (and then differ between backends whose log and exp round differently).
  const exponent = ppy / n;
  const premium =
    wealthB > 0
      ? Math.exp(Math.log(wealthB) * exponent) * Math.expm1(Math.log(wealthR / wealthB) * exponent)
      : Math.expm1(Math.log(wealthR) * exponent) - Math.expm1(Math.log(wealthB) * exponent);
  const informationRatio = premium / trackingError;
  const divisor = Math.sqrt(sxx * syy);
  const rho = divisor === 0 ? NaN : sxy / divisor;
  const correlation = rho > 1 ? 1 : rho < -1 ? -1 : rho;
  return [excessSharpe, trackingError, informationRatio, correlation];
}

/** RELATIVE_STATS per column of returns against the benchmark, stat-major (RELATIVE_STATS.length x cols). */
export function relativeStats(
  returns: Float64Array,
  rows: number,
  cols: number,
  benchmark: Float64Array,
  periodsPerYear: number,
  riskFree: number,
  alphaConvention: number,
): Float64Array {
  checkReturns(returns, cols);
  const { out, views: o } = allocateOutputs(RISK_KERNELS.relativeStats, returns, rows, cols, benchmark);
  const ppy = periodsPerYear;
  const quantstats = alphaConvention === 1;
  const b = benchmark;
  // The benchmark's own annual returns (the denominators of the captures), the same for every column.
  const benchmarkAll = annualReturn(b, b, ALL, ppy);
  const benchmarkUp = annualReturn(b, b, UP, ppy);
  const benchmarkDown = annualReturn(b, b, DOWN, ppy);
  const r = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let t = 0; t < rows; t++) r[t] = returns[t * cols + c];
    [o.beta[c], o.alpha[c]] = alphaBeta(r, b, ALL, ppy, riskFree, quantstats);
    o.upCapture[c] = annualReturn(r, b, UP, ppy) / benchmarkUp;
    o.downCapture[c] = annualReturn(r, b, DOWN, ppy) / benchmarkDown;
    o.capture[c] = annualReturn(r, b, ALL, ppy) / benchmarkAll;
    [o.upBeta[c], o.upAlpha[c]] = alphaBeta(r, b, UP, ppy, riskFree, quantstats);
    [o.downBeta[c], o.downAlpha[c]] = alphaBeta(r, b, DOWN, ppy, riskFree, quantstats);
    [o.excessSharpe[c], o.trackingError[c], o.informationRatio[c], o.correlation[c]] = pairStats(r, b, ppy);
  }
  return out;
}
