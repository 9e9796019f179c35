/**
 * What the reference risk kernels share: data checks, the complete-rows filter, and the historical
 * VaR and ES of a sample. Faults
 * carry the columns as `previous` so that faults.ts names the row and column of the bad element.
 */
import { Fault, inputFault } from '../../kernels/faults.js';

/** Every price NaN (missing) or finite and > 0, else the fault at the first bad one (row-major). */
export function checkPrices(prices: Float64Array, cols: number): void {
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i];
    if (!(p > 0 && p <= Number.MAX_VALUE) && !Number.isNaN(p)) throw inputFault(Fault.PRICE_NOT_POSITIVE, i, p, cols);
  }
}

/** Every return finite or NaN (missing), else the fault at the first infinite one (row-major). */
export function checkReturns(returns: Float64Array, cols: number): void {
  for (let i = 0; i < returns.length; i++) {
    if (Math.abs(returns[i]) === Infinity) throw inputFault(Fault.RETURN_NOT_FINITE, i, returns[i], cols);
  }
}

/** Every weight finite, else the fault at the first that is not (row-major, `cols` per portfolio). */
export function checkWeights(weights: Float64Array, cols: number): void {
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i])) throw inputFault(Fault.WEIGHT_NOT_FINITE, i, weights[i], cols);
  }
}

/** The rows of a row-major matrix that hold no NaN, as one row-major array, and their count. */
export function completeRows(x: Float64Array, rows: number, cols: number): { data: Float64Array; n: number } {
  const kept: number[] = [];
  for (let t = 0; t < rows; t++) {
    let complete = true;
    for (let c = 0; c < cols; c++) complete &&= x[t * cols + c] === x[t * cols + c];
    if (complete) for (let c = 0; c < cols; c++) kept.push(x[t * cols + c]);
  }
  return { data: Float64Array.from(kept), n: cols === 0 ? 0 : kept.length / cols };
}

/** numpy.quantile(x, p) of sorted values, method 'linear': virtual index n p + (1 - p) - 1, then _lerp. */
export function linearQuantile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = n * p + (1 - p) - 1;
  const lo = Math.min(Math.max(Math.floor(h), 0), n - 1);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - Math.floor(h);
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Sum of the first k + 1 sorted values divided by k + 1 (the mean of the k + 1 smallest). */
export function meanOfSmallest(sorted: Float64Array, k: number): number {
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += sorted[i];
  return sum / (k + 1);
}

/**
 * [VaR, ES] of a sample (n >= 1): -(numpy's linear (1 - c) quantile) and -(the mean of the k + 1
 * smallest), k = floor((n - 1)(1 - c)) (empyrical's conditional_value_at_risk), summed in ascending order.
 */
export function historicalVar(values: Float64Array, c: number): [number, number] {
  const alpha = 1 - c;
  const sorted = values.slice().sort();
  const k = Math.floor((values.length - 1) * alpha);
  return [-linearQuantile(sorted, alpha), -meanOfSmallest(sorted, k)];
}
