/**
 * The margin family (reference, the oracle): filtered historical simulation's scenarios (EWMA here,
 * GARCH(1,1) through the reference volatility family's fit and forecast), a book's P&L over them and
 * its historical ES or VaR (risk-common.ts' historicalVar, the risk family's conventions), floored at
 * 0. native/kernels/margin/ follows these functions operation for operation.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { MarginFault } from '../../../kernels/margin/margin-faults.js';
import type { MarginFamily } from '../../../kernels/margin/margin.js';
import { scenarioCount } from '../../../kernels/margin/margin.js';
import { MARGIN_KERNELS } from '../../../kernels/margin/margin-kernels.js';
import { FIT_STATUS, fitLayout, forecastLayout, packModel, resolveModel } from '../../../kernels/volatility/volatility.js';
import { interleavedDot } from '../../../math/interleaved-dot.js';
import { historicalVar } from '../risk-common.js';
import { referenceVolatility } from '../volatility/volatility.js';

const K = MARGIN_KERNELS;
const fault = (kind: number, index: number, value: number) => inputFault(Fault.MARGIN_INPUT_INVALID, index, value, kind);

/** Requires finite values (the `kind` fault at the first that is not). */
function requireFinite(x: Float64Array, kind: number): void {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw fault(kind, i, x[i]);
}

/** The model 'garch' fits: GARCH(1,1), a constant mean, normal errors (arch_model's defaults). */
const GARCH11 = packModel(resolveModel({}));

/**
 * One column's one-day scenarios (T) into `one`: EWMA's z[t] x today's volatility (floored), or the
 * GARCH fit's mu + z[t] x its one-step forecast's sigma.
 */
function oneDay(y: Float64Array, c: number, model: number, lambda: number, seed: number, volFloor: number, one: Float64Array): void {
  const T = y.length;
  if (model === 1) {
    const fit = referenceVolatility.garch(y, T, 1, GARCH11, new Float64Array(0));
    const lay = fitLayout(resolveModel({}), T);
    const status = fit[lay.status];
    if (status > FIT_STATUS.LINE_SEARCH) throw fault(MarginFault.GARCH, c, status);
    const params = fit.subarray(0, lay.k);
    const forecast = referenceVolatility.garchForecast(y, T, GARCH11, params, 1, 0, 0);
    const sigma = Math.sqrt(forecast[forecastLayout(1).variance]);
    for (let t = 0; t < T; t++) one[t] = params[0] + fit[lay.std + t] * sigma;
    return;
  }
  let s2 = 0;
  for (let t = 0; t < seed; t++) s2 += y[t] * y[t];
  s2 /= seed;
  const z = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    // a zero return where the variance is still 0 (a price that has not moved) is a scenario of 0
    z[t] = y[t] === 0 ? 0 : y[t] / Math.sqrt(s2);
    s2 = lambda * s2 + (1 - lambda) * (y[t] * y[t]);
  }
  let scale = Math.sqrt(s2);
  if (volFloor > 0) {
    let mean = 0;
    for (let t = 0; t < T; t++) mean += y[t];
    mean /= T;
    let ss = 0;
    for (let t = 0; t < T; t++) ss += (y[t] - mean) * (y[t] - mean);
    const floor = volFloor * Math.sqrt(ss / (T - 1));
    if (floor > scale) scale = floor;
  }
  for (let t = 0; t < T; t++) one[t] = z[t] * scale;
}

/** The h-day sums of column xc of `x` (rows x xCols) into column c of `out` (outCols wide) from row `from`. */
function windows(
  x: Float64Array,
  rows: number,
  xCols: number,
  xc: number,
  h: number,
  out: Float64Array,
  outCols: number,
  c: number,
  from: number,
): void {
  for (let t = 0; t + h <= rows; t++) {
    let sum = 0;
    for (let j = t; j < t + h; j++) sum += x[j * xCols + xc];
    out[(from + t) * outCols + c] = sum;
  }
}

export function referenceFilteredScenarios(
  returns: Float64Array,
  rows: number,
  cols: number,
  stress: Float64Array,
  stressRows: number,
  scenarios: number,
  model: number,
  lambda: number,
  seed: number,
  horizon: number,
  volFloor: number,
): Float64Array {
  requireFinite(returns, MarginFault.RETURN);
  requireFinite(stress, MarginFault.STRESS);
  if (horizon > rows) throw fault(MarginFault.HORIZON, horizon, rows);
  if (model === 0 && seed > rows) throw fault(MarginFault.SEED, seed, rows);
  const expected = scenarioCount(rows, stressRows, horizon);
  if (scenarios !== expected) throw fault(MarginFault.SCENARIO_COUNT, scenarios, expected);
  const { out } = allocateOutputs(
    K.filteredScenarios,
    returns,
    rows,
    cols,
    stress,
    stressRows,
    scenarios,
    model,
    lambda,
    seed,
    horizon,
    volFloor,
  );
  const y = new Float64Array(rows);
  const one = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let t = 0; t < rows; t++) y[t] = returns[t * cols + c];
    oneDay(y, c, model, lambda, seed, volFloor, one);
    windows(one, rows, 1, 0, horizon, out, cols, c, 0);
    windows(stress, stressRows, cols, c, horizon, out, cols, c, rows - horizon + 1);
  }
  return out;
}

/** The margin of a P&L sample: its historical ES (measure 0) or VaR at c, floored at 0. */
export function marginOf(pnl: Float64Array, confidence: number, measure: number): number {
  const [v, es] = historicalVar(pnl, confidence);
  const m = measure === 0 ? es : v;
  return m > 0 ? m : 0;
}

/** A book's P&L over the scenarios (S x cols) into `pnl`: src/math's interleavedDot, as book.cpp's lanes sum. */
function pnlInto(positions: Float64Array, from: number, scenarios: Float64Array, rows: number, cols: number, pnl: Float64Array): void {
  for (let s = 0; s < rows; s++) pnl[s] = interleavedDot(positions, from, scenarios, s * cols, cols);
}

export function referenceInitialMargin(
  positions: Float64Array,
  books: number,
  scenarios: Float64Array,
  rows: number,
  cols: number,
  confidence: number,
  measure: number,
): Float64Array {
  requireFinite(positions, MarginFault.POSITION);
  requireFinite(scenarios, MarginFault.SCENARIO);
  const { out, views } = allocateOutputs(K.initialMargin, positions, books, scenarios, rows, cols, confidence, measure);
  for (let p = 0; p < books; p++) {
    const pnl = views.pnl.subarray(p * rows, (p + 1) * rows);
    pnlInto(positions, p * cols, scenarios, rows, cols, pnl);
    views.margin[p] = rows > 0 ? marginOf(pnl, confidence, measure) : 0;
  }
  return out;
}

export function referenceMarginalMargin(
  positions: Float64Array,
  scenarios: Float64Array,
  rows: number,
  cols: number,
  instrument: number,
  value: number,
  confidence: number,
  measure: number,
): Float64Array {
  requireFinite(positions, MarginFault.POSITION);
  requireFinite(scenarios, MarginFault.SCENARIO);
  if (instrument >= cols) throw fault(MarginFault.INSTRUMENT, instrument, cols);
  const { out } = allocateOutputs(K.marginalMargin, positions, scenarios, rows, cols, instrument, value, confidence, measure);
  if (rows === 0) return out;
  const pnl = new Float64Array(rows);
  pnlInto(positions, 0, scenarios, rows, cols, pnl);
  const without = marginOf(pnl, confidence, measure);
  const after = Float64Array.from(positions);
  after[instrument] += value;
  pnlInto(after, 0, scenarios, rows, cols, pnl);
  out[0] = marginOf(pnl, confidence, measure) - without;
  return out;
}

export function referencePnlMargin(
  pnl: Float64Array,
  column: Float64Array,
  value: number,
  confidence: number,
  measure: number,
): Float64Array {
  if (column.length !== 0 && column.length !== pnl.length) throw fault(MarginFault.COLUMN_LENGTH, column.length, pnl.length);
  requireFinite(pnl, MarginFault.PNL);
  requireFinite(column, MarginFault.PNL);
  const { out } = allocateOutputs(K.pnlMargin, pnl, column, value, confidence, measure);
  if (pnl.length === 0) return out;
  const moved = column.length === 0 ? pnl : Float64Array.from(pnl, (x, s) => x + value * column[s]);
  out[0] = marginOf(moved, confidence, measure);
  return out;
}

/** The reference margin family. */
export const referenceMargin: MarginFamily = {
  filteredScenarios: referenceFilteredScenarios,
  initialMargin: referenceInitialMargin,
  marginalMargin: referenceMarginalMargin,
  pnlMargin: referencePnlMargin,
};
