/**
 * Reference drawdownSeries, drawdowns and aggregateReturns (src/kernels/risk/risk-analytics.ts, with the
 * conventions in RiskAnalyticsKernels' documentation): PerformanceAnalytics' findDrawdowns and
 * sortDrawdowns, pyfolio's get_top_drawdowns and gen_drawdown_table, empyrical's aggregate_returns.
 * native/kernels/risk/risk_drawdown.cpp follows this file in the same order of floating-point operations.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { checkReturns } from '../risk-common.js';

/** Column c's underwater curve W / cummax(W) - 1 into `out` (wealth 1 before the first return, NaN as 0). */
function underwater(returns: Float64Array, rows: number, cols: number, c: number, out: Float64Array, wealth: Float64Array): void {
  let w = 1;
  let peak = 1;
  for (let t = 0; t < rows; t++) {
    const r = returns[t * cols + c];
    w *= 1 + (r === r ? r : 0);
    peak = w > peak ? w : peak;
    wealth[t] = w;
    out[t] = w / peak - 1;
  }
}

/** W / cummax(W) - 1 per column, rows x cols. */
export function drawdownSeries(returns: Float64Array, rows: number, cols: number): Float64Array {
  checkReturns(returns, cols);
  const { out } = allocateOutputs(RISK_KERNELS.drawdownSeries, returns, rows, cols);
  const u = new Float64Array(rows);
  const w = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    underwater(returns, rows, cols, c, u, w);
    for (let t = 0; t < rows; t++) out[t * cols + c] = u[t];
  }
  return out;
}

/** One row of the table: start, trough, end, depth, length, peakToTrough, recovery. */
type Drawdown = [number, number, number, number, number, number, number];

/**
 * PerformanceAnalytics' findDrawdowns over the underwater curve u (0-based rows): the runs under water
 * (u < 0), each with its first row, the first row of its minimum, its end (the first row back at the
 * peak, or rows when never), length end - from + 1, peak-to-trough trough - from + 1 and recovery end
 * - trough; sortDrawdowns' order (deepest first, stable). Unrecovered: to and recovery NaN (table.Drawdowns).
 */
function performanceAnalytics(u: Float64Array, rows: number): Drawdown[] {
  const found: Drawdown[] = [];
  let t = 0;
  while (t < rows) {
    if (!(u[t] < 0)) {
      t++;
      continue;
    }
    const from = t;
    let trough = t;
    while (t < rows && u[t] < 0) {
      if (u[t] < u[trough]) trough = t;
      t++;
    }
    const recovered = t < rows;
    const end = t; // rows when never recovered: findDrawdowns' end one past the data
    found.push([from, trough, recovered ? end : NaN, u[trough], end - from + 1, trough - from + 1, recovered ? end - trough : NaN]);
  }
  return found.sort((a, b) => a[3] - b[3]); // Array.prototype.sort is stable
}

/**
 * pyfolio's get_top_drawdowns on the underwater curve of cum_returns(returns, 1) (no point before the
 * first return: v[t] = W_t / cummax(W_0..W_t) - 1 with the wealth W from 1), and gen_drawdown_table's
 * net drawdown (W[peak] - W[valley]) / W[peak] x 100 and duration (rows, peak to recovery inclusive).
 * `alive` marks the rows still in the series (pyfolio drops rows between a peak and its recovery, and
 * every row after the peak of an unrecovered drawdown).
 */
function pyfolio(wealth: Float64Array, rows: number, top: number): Drawdown[] {
  const v = new Float64Array(rows);
  let peakWealth = -Infinity;
  for (let t = 0; t < rows; t++) {
    peakWealth = wealth[t] > peakWealth ? wealth[t] : peakWealth;
    v[t] = wealth[t] / peakWealth - 1;
  }
  const alive = new Uint8Array(rows).fill(1);
  const found: Drawdown[] = [];
  for (let step = 0; step < top; step++) {
    let valley = -1; // idxmin: the first lowest alive row (NaN skipped)
    for (let t = 0; t < rows; t++) if (alive[t] && v[t] === v[t] && (valley < 0 || v[t] < v[valley])) valley = t;
    if (valley < 0) break;
    let peak = -1; // the last alive zero at or before the valley
    for (let t = valley; t >= 0; t--) {
      if (alive[t] && v[t] === 0) {
        peak = t;
        break;
      }
    }
    if (peak < 0) break; // pyfolio: IndexError (not reached: row 0 is a zero and never removed)
    let recovery = -1; // the first alive zero at or after the valley
    for (let t = valley; t < rows; t++) {
      if (alive[t] && v[t] === 0) {
        recovery = t;
        break;
      }
    }
    if (recovery >= 0) for (let t = peak + 1; t < recovery; t++) alive[t] = 0;
    else for (let t = peak + 1; t < rows; t++) alive[t] = 0;
    const net = ((wealth[peak] - wealth[valley]) / wealth[peak]) * 100;
    found.push([peak, valley, recovery >= 0 ? recovery : NaN, net, recovery >= 0 ? recovery - peak + 1 : NaN, NaN, NaN]);
    let left = 0; // break when nothing is left or the lowest remaining value is 0
    let lowest = Infinity;
    for (let t = 0; t < rows; t++) {
      if (!alive[t]) continue;
      left++;
      if (v[t] < lowest) lowest = v[t];
    }
    if (left === 0 || lowest === 0) break;
  }
  return found;
}

/** The drawdown table per column: seven top x cols outputs, NaN past the last drawdown. */
export function drawdowns(returns: Float64Array, rows: number, cols: number, top: number, convention: number): Float64Array {
  checkReturns(returns, cols);
  const { out, views } = allocateOutputs(RISK_KERNELS.drawdowns, returns, rows, cols, top);
  out.fill(NaN);
  const fields = [views.start, views.trough, views.end, views.depth, views.length, views.peakToTrough, views.recovery];
  const u = new Float64Array(rows);
  const w = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    underwater(returns, rows, cols, c, u, w);
    const found = convention === 0 ? performanceAnalytics(u, rows) : pyfolio(w, rows, top);
    for (let k = 0; k < Math.min(top, found.length); k++) for (let f = 0; f < 7; f++) fields[f][k * cols + c] = found[k][f];
  }
  return out;
}

/** prod(1 + r) - 1 per group and column (groups[t] the group of row t), a NaN return as 0, in row order. */
export function aggregateReturns(
  returns: Float64Array,
  rows: number,
  cols: number,
  groups: Float64Array,
  groupCount: number,
): Float64Array {
  checkReturns(returns, cols);
  const { out } = allocateOutputs(RISK_KERNELS.aggregateReturns, returns, rows, cols, groups, groupCount);
  out.fill(1);
  for (let t = 0; t < rows; t++) {
    const g = groups[t];
    if (!(Number.isInteger(g) && g >= 0 && g < groupCount)) continue; // the API's groups always are
    for (let c = 0; c < cols; c++) {
      const r = returns[t * cols + c];
      out[g * cols + c] *= 1 + (r === r ? r : 0);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] -= 1;
  return out;
}
