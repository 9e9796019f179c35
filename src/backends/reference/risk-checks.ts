/**
 * The reference risk kernels' data checks and the complete-rows filter, shared by its files. Faults
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
