/**
 * Expected returns, the reference (PyPortfolioOpt's expected_returns over pandas' statistics): the same
 * steps as native/kernels/portfolio/portfolio_expected.cpp. Every statistic runs over all columns at once, row by
 * row (the memory order), each column's own sums taken in row order as pandas takes them.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { ALLOCATION_KERNELS } from '../../../kernels/portfolio/portfolio-allocation.js';
import { checkPrices, checkReturns } from '../risk-common.js';

/** Returns from prices as PyPortfolioOpt's returns_from_prices: p_t / p_(t-1) - 1 (log(1 + r)), the all-NaN dates dropped. */
function returnsFromPrices(prices: Float64Array, rows: number, cols: number, log: boolean): { r: Float64Array; kept: number[] } {
  const r = new Float64Array(Math.max(rows - 1, 0) * cols);
  const kept: number[] = [];
  let t2 = 0;
  for (let t = 1; t < rows; t++) {
    let any = false;
    for (let c = 0; c < cols; c++) {
      const x = prices[t * cols + c] / prices[(t - 1) * cols + c] - 1;
      r[t2 * cols + c] = log ? Math.log(1 + x) : x;
      any ||= x === x;
    }
    if (any) {
      kept.push(t);
      t2++;
    }
  }
  return { r: r.subarray(0, t2 * cols), kept };
}

/**
 * Per column of `r` (rows x cols), NaN skipped, into out: the CAGR prod(1 + r)^(frequency / count) - 1
 * (compounding) or mean x frequency; NaN for a column without data.
 */
function annualMeans(r: Float64Array, rows: number, cols: number, compounding: boolean, frequency: number, out: Float64Array): void {
  const count = new Float64Array(cols);
  const prod = new Float64Array(cols).fill(1);
  const sum = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const x = r[t * cols + c];
      if (x !== x) continue;
      count[c]++;
      prod[c] *= 1 + x;
      sum[c] += x;
    }
  }
  for (let c = 0; c < cols; c++) {
    if (count[c] === 0) out[c] = NaN;
    else out[c] = compounding ? Math.pow(prod[c], frequency / count[c]) - 1 : (sum[c] / count[c]) * frequency;
  }
}

/** pandas' ewm(span).mean() (adjust=True, ignore_na=False) of each column: its last value, into out. */
function ewmLasts(r: Float64Array, rows: number, cols: number, span: number, out: Float64Array): void {
  if (rows === 0) {
    out.fill(NaN);
    return;
  }
  const com = (span - 1) / 2;
  const alpha = 1 / (1 + com);
  const oldWtFactor = 1 - alpha;
  const weighted = r.slice(0, cols);
  const oldWt = new Float64Array(cols).fill(1);
  for (let t = 1; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const cur = r[t * cols + c];
      if (weighted[c] === weighted[c]) {
        oldWt[c] *= oldWtFactor;
        if (cur === cur) {
          if (weighted[c] !== cur) weighted[c] = (oldWt[c] * weighted[c] + cur) / (oldWt[c] + 1);
          oldWt[c] += 1;
        }
      } else if (cur === cur) {
        weighted[c] = cur;
      }
    }
  }
  out.set(weighted);
}

/**
 * pandas' nancorr covariance (Welford's updates over the rows where both are present, / (nobs - 1)) of
 * the last column of `a` (rows x k, the market) with every column, the market itself last, into out (k).
 */
function marketCovariances(a: Float64Array, rows: number, k: number, out: Float64Array): void {
  const m = k - 1;
  const nobs = new Float64Array(k);
  const meanx = new Float64Array(k);
  const meany = new Float64Array(k);
  const covxy = new Float64Array(k);
  for (let t = 0; t < rows; t++) {
    const vx = a[t * k + m];
    if (vx !== vx) continue;
    for (let c = 0; c < k; c++) {
      const vy = a[t * k + c];
      if (vy !== vy) continue;
      nobs[c] += 1;
      const dx = vx - meanx[c];
      const dy = vy - meany[c];
      meanx[c] += (1 / nobs[c]) * dx;
      meany[c] += (1 / nobs[c]) * dy;
      covxy[c] += (vx - meanx[c]) * dy;
    }
  }
  for (let c = 0; c < k; c++) out[c] = nobs[c] >= 1 && nobs[c] - 1 !== 0 ? covxy[c] / (nobs[c] - 1) : NaN;
}

/** PyPortfolioOpt's expected_returns (see AllocationKernels.expectedReturns). */
function expectedReturns(
  prices: Float64Array,
  rows: number,
  cols: number,
  benchmark: Float64Array,
  method: number,
  compounding: number,
  span: number,
  frequency: number,
  riskFree: number,
  returnsData: number,
  logReturns: number,
): Float64Array {
  const { out, views } = allocateOutputs(ALLOCATION_KERNELS.expectedReturns, prices, rows, cols);
  const mean = views.mean;
  let r: Float64Array;
  let kept: number[];
  if (returnsData) {
    checkReturns(prices, cols);
    r = prices;
    kept = Array.from({ length: rows }, (_, t) => t);
  } else {
    checkPrices(prices, cols);
    ({ r, kept } = returnsFromPrices(prices, rows, cols, logReturns === 1));
  }
  const T = kept.length;
  const geometric = compounding === 1;
  if (method === 0) {
    annualMeans(r, T, cols, geometric, frequency, mean);
    return out;
  }
  if (method === 1) {
    ewmLasts(r, T, cols, span, mean);
    for (let c = 0; c < cols; c++) mean[c] = geometric ? Math.pow(1 + mean[c], frequency) - 1 : mean[c] * frequency;
    return out;
  }
  // capm: the market's returns per kept date beside the assets', as one more column
  const k = cols + 1;
  const a = new Float64Array(T * k);
  for (let t = 0; t < T; t++) {
    let s = 0;
    let m = 0;
    for (let c = 0; c < cols; c++) {
      const x = r[t * cols + c];
      a[t * k + c] = x;
      if (x === x) {
        s += x;
        m++;
      }
    }
    let market: number;
    if (benchmark.length === 0) market = m > 0 ? s / m : NaN;
    else if (returnsData) market = benchmark[kept[t]];
    else {
      const x = benchmark[kept[t]] / benchmark[kept[t] - 1] - 1;
      market = logReturns === 1 ? Math.log(1 + x) : x;
    }
    a[t * k + cols] = market;
  }
  const cov = new Float64Array(k);
  marketCovariances(a, T, k, cov);
  const means = new Float64Array(k);
  annualMeans(a, T, k, geometric, frequency, means);
  const marketMean = means[cols];
  for (let c = 0; c < cols; c++) mean[c] = riskFree + (cov[c] / cov[cols]) * (marketMean - riskFree);
  return out;
}

export const referenceExpectedReturns = { expectedReturns };
