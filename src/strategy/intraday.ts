/**
 * The report's view of a strategy backtest between the statistics' days: the account and each symbol
 * rebuilt from the tape and the fills, sampled after the last trade of each stretch of time (a second
 * to a day, as the tape's length allows), so that the charts of an intraday tape show its intraday
 * moves (the statistics stay those of the days: ./stats.ts).
 */
import { type Tape, tapeOrder } from './backtest.js';
import type { StrategyFill } from './types.js';

/**
 * A run's account and symbols sampled more often than daily (the report's charts): the value after the
 * last trade of each stretch of `stepMs` that has a trade, the stretch the shortest of INTRADAY_STEPS
 * that gives at most `maxSamples` samples (a 2-day tape of 5,000 trades: every second with a trade).
 */
export interface IntradaySeries {
  /** The stretch's length (ms). */
  stepMs: number;
  /** Each sample's time: the last trade of its stretch. */
  times: Float64Array;
  /** T x K, row-major, as StrategySeries': each symbol's last price and value. */
  close: Float64Array;
  value: Float64Array;
  /** T: the account's equity. */
  total: Float64Array;
}

/** The stretches an intraday series may sample at (ms): 1 s to a day. */
export const INTRADAY_STEPS = [
  1_000, 5_000, 15_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 86_400_000,
] as const;
/** The samples an intraday series holds at most (unless a day's stretch gives more). */
export const INTRADAY_SAMPLES = 20_000;

/**
 * The equity and each symbol's value (as strategySeries() defines them) through a backtest, rebuilt
 * from its tape and fills: the tape replayed in the run's (ts, symbol, row) order, each trade of the
 * run's `symbols` setting its symbol's last price, each fill (in order, at its trade's time) its
 * position and cash; sampled after the last trade of each stretch (see IntradaySeries). At a day's end
 * it equals the daily series. Undefined without a trade of `symbols`.
 */
export function intradaySeries(
  tape: Tape,
  fills: readonly StrategyFill[],
  symbols: readonly string[],
  initCash: number,
  maxSamples = INTRADAY_SAMPLES,
): IntradaySeries | undefined {
  const K = symbols.length;
  const n = tape.ts.length;
  const codes = tape.symbols?.codes;
  const values = tape.symbols?.values ?? [tape.symbol ?? 'symbol'];
  const column = new Map(symbols.map((s, k) => [s, k]));
  const kOf = Int32Array.from(values, (v) => column.get(v) ?? -1);
  const order = tapeOrder(tape.ts, codes, values);
  const row = (j: number) => (order === undefined ? j : order[j]);
  const symbolOf = (i: number) => kOf[codes === undefined ? 0 : codes[i]] ?? -1;
  // the shortest stretch with at most maxSamples stretches holding a trade (fewer with a longer one)
  const stretches = (step: number) => {
    let count = 0;
    let last = Number.NaN;
    for (let j = 0; j < n; j++) {
      const i = row(j);
      if (symbolOf(i) < 0) continue;
      const b = Math.floor(tape.ts[i] / step);
      if (b !== last) count++;
      last = b;
    }
    return count;
  };
  let lo = 0;
  let hi = INTRADAY_STEPS.length - 1;
  if (stretches(INTRADAY_STEPS[hi]) === 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stretches(INTRADAY_STEPS[mid]) <= maxSamples) hi = mid;
    else lo = mid + 1;
  }
  const step = INTRADAY_STEPS[lo];
  const fillOrder = fills.map((_, f) => f).sort((a, b) => fills[a].ts - fills[b].ts || a - b);
  const fillK = fills.map((f) => column.get(f.symbol) ?? -1);
  const last = new Float64Array(K).fill(Number.NaN);
  const position = new Float64Array(K);
  const cashFlow = new Float64Array(K);
  let cash = initCash;
  const times: number[] = [];
  const close: number[] = [];
  const value: number[] = [];
  const total: number[] = [];
  const sample = (t: number) => {
    times.push(t);
    let equity = cash;
    for (let k = 0; k < K; k++) {
      close.push(last[k]);
      const held = position[k] === 0 ? 0 : position[k] * last[k];
      value.push(initCash + cashFlow[k] + held);
      equity += held;
    }
    total.push(equity);
  };
  let f = 0;
  const fillUpTo = (t: number) => {
    for (; f < fillOrder.length && fills[fillOrder[f]].ts <= t; f++) {
      const x = fills[fillOrder[f]];
      const k = fillK[fillOrder[f]];
      const flow = -x.units * x.price - x.fees;
      cash += flow;
      if (k < 0) continue;
      cashFlow[k] += flow;
      position[k] += x.units;
    }
  };
  let bucket = Number.NaN;
  let lastTime = Number.NaN;
  for (let j = 0; j < n; j++) {
    const i = row(j);
    const k = symbolOf(i);
    if (k < 0) continue;
    const t = tape.ts[i];
    const b = Math.floor(t / step);
    if (b !== bucket && !Number.isNaN(bucket)) sample(lastTime);
    bucket = b;
    last[k] = tape.price[i];
    fillUpTo(t);
    lastTime = t;
  }
  fillUpTo(Number.POSITIVE_INFINITY);
  sample(lastTime);
  return {
    stepMs: step,
    times: Float64Array.from(times),
    close: Float64Array.from(close),
    value: Float64Array.from(value),
    total: Float64Array.from(total),
  };
}
