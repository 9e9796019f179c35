/**
 * A prepared book (`marginBook(scenarios, options)`): the hot path of pre-trade checks. It keeps the
 * book's P&L over the scenarios and the scenarios by column, so an order's marginal margin is one
 * pass over S values (the P&L moved by the order's column) and one tail, on the backend's pnlMargin.
 */
import { KernelInputError } from '../../errors.js';
import { asColumns, type Matrix } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import { describeValue, optionsObject, requireFloat64Array } from '../validate.js';
import { CONFIDENCE, INSTRUMENT, type MarginFamily, MEASURE, VALUE } from './margin.js';
import type { MarginOptions, MarginOrder } from './margin-kernels.js';

const EMPTY = new Float64Array(0);

/** A book's margin kept over its scenarios (see the module's comment). */
export interface MarginBook {
  /** The book's positions (N, a copy): its P&L recomputed (each sum in index order, as initialMargin). Returns the margin. */
  set(positions: Float64Array): number;
  /** The book's margin. */
  readonly margin: number;
  /** The book's positions (a copy). */
  readonly positions: Float64Array;
  /** The margin with the order, less the margin without: the book unchanged. */
  marginal(order: MarginOrder): number;
  /** The order applied to the book (its P&L moved by value x its column): the new margin. */
  apply(order: MarginOrder): number;
}

/** A marginBook over `scenarios` on `family` (the scenarios copied by column). */
export function createMarginBook(family: MarginFamily, scenarios: Matrix, options: MarginOptions | undefined): MarginBook {
  if (scenarios instanceof Float64Array || typeof scenarios !== 'object' || scenarios === null) {
    throw new KernelInputError('scenarios', 'a Matrix { data, rows, cols } (filteredScenarios())', describeValue(scenarios));
  }
  const m = asColumns(scenarios, 'scenarios');
  const o = optionsObject(options);
  const confidence = checkParam(CONFIDENCE, o.confidence ?? 0.99);
  const measure = checkParam(MEASURE, o.measure ?? 'es');
  const { rows: S, cols: N } = m;
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) throw new KernelInputError('scenarios', 'finite scenarios', `scenarios.data[${i}] = ${m.data[i]}`);
  }
  const byColumn = new Float64Array(S * N);
  for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) byColumn[i * S + s] = m.data[s * N + i];
  const positions = new Float64Array(N);
  let pnl = new Float64Array(S);
  let margin = 0;
  const order = (x: MarginOrder) => {
    const v = optionsObject(x, 'an order { instrument, value }');
    const instrument = checkParam(INSTRUMENT, v.instrument);
    if (instrument >= N) throw new KernelInputError('order.instrument', `a column below ${N}`, String(instrument));
    return { instrument, value: checkParam(VALUE, v.value), column: byColumn.subarray(instrument * S, (instrument + 1) * S) };
  };
  const tail = (column: Float64Array, value: number) => family.pnlMargin(pnl, column, value, confidence, measure)[0];
  return {
    set(next) {
      requireFloat64Array(next, 'positions');
      if (next.length !== N) throw new KernelInputError('positions', `${N} values (the scenarios' columns)`, String(next.length));
      const out = family.initialMargin(next, 1, m.data, S, N, confidence, measure);
      positions.set(next);
      margin = out[0];
      pnl = out.slice(1, 1 + S);
      return margin;
    },
    get margin() {
      return margin;
    },
    get positions() {
      return positions.slice();
    },
    marginal(x) {
      const { value, column } = order(x);
      return S === 0 ? 0 : tail(column, value) - margin;
    },
    apply(x) {
      const { instrument, value, column } = order(x);
      for (let s = 0; s < S; s++) pnl[s] += value * column[s];
      positions[instrument] += value;
      margin = S === 0 ? 0 : tail(EMPTY, 0);
      return margin;
    },
  };
}
