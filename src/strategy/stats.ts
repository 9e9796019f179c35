/**
 * The statistics of a strategy run: the backtest family's `backtestStats` (vectorbt 1.1.0's
 * Portfolio.stats(), docs/backtest.md) of the run's equity curve sampled at each day's end (a day:
 * the UTC day, or the session's), per symbol and in total.
 *
 * - total: the account (all symbols, one cash) as one group, its value the equity at each day's end;
 * - per symbol: the symbol as if it had traded alone from the whole initial cash with the same fills:
 *   value = initCash + the cash flows of its fills + its position at its last price (so the symbols'
 *   P&L add up to the total's).
 * Each day is one bar of the statistics, the fills' orders are records on their day, and vectorbt's
 * exit trades are made from them; `periodsPerYear` 365 is vectorbt's year over daily bars.
 */
import { exitTradeRecords } from '../simulation/records.js';
import { backtestStatsRows } from '../simulation/statistics.js';
import type { OrderRecords, TradeRecords } from '../kernels/backtest/backtest.js';
import { STAT_FIELDS, type BacktestStats } from '../kernels/backtest/backtest-stats.js';
import type { DailyRecord } from './days.js';

/** Statistics by symbol and `total`. */
export type StrategyStats = Record<string, BacktestStats>;

/** A run's daily series, as the statistics read them (T days, K symbols). */
export interface StrategySeries {
  /** Each day's label (its session's open, or UTC midnight). */
  days: Float64Array;
  /** T x K, row-major: each symbol's last price (NaN before its first trade) and value (see the module comment). */
  close: Float64Array;
  value: Float64Array;
  /** T: the account's equity at each day's end. */
  total: Float64Array;
  /** The fills as vectorbt's order records (idx: the day, col: the symbol) and the exit trades made from them. */
  orders: OrderRecords;
  trades: TradeRecords;
}

/** The daily series of `daily` (none without a day or a symbol). */
export function strategySeries(daily: DailyRecord, symbols: readonly string[], initCash: number): StrategySeries | undefined {
  const T = daily.days.length;
  const K = symbols.length;
  if (T === 0 || K === 0) return undefined;
  // each day's row of K (symbols seen later are NaN, and flat, before they came)
  const matrix = (rows: Float64Array[], fill: number) => {
    const out = new Float64Array(T * K).fill(fill);
    rows.forEach((row, i) => out.set(row.subarray(0, K), i * K));
    return out;
  };
  const close = matrix(daily.close, Number.NaN);
  const position = matrix(daily.position, 0);
  const cashFlow = matrix(daily.cashFlow, 0);
  const f = daily.fills;
  const n = f.day.length;
  const orders: OrderRecords = {
    id: Float64Array.from({ length: n }, (_, r) => r),
    col: Float64Array.from(f.symbol),
    idx: Float64Array.from(f.day),
    size: Float64Array.from(f.size),
    price: Float64Array.from(f.price),
    fees: Float64Array.from(f.fees),
    side: Float64Array.from(f.side),
  };
  const trades = exitTradeRecords(orders, { data: close, rows: T, cols: K }, T, K);
  const value = new Float64Array(T * K);
  for (let i = 0; i < T * K; i++) value[i] = initCash + cashFlow[i] + (position[i] === 0 ? 0 : position[i] * close[i]);
  return { days: Float64Array.from(daily.days), close, value, total: Float64Array.from(daily.equity), orders, trades };
}

/** backtestStats of a run's daily series (strategySeries(); see the module comment); none without a day. */
export function strategyStats(
  series: StrategySeries | undefined,
  symbols: readonly string[],
  initCash: number,
  periodsPerYear = 365,
): StrategyStats {
  if (!series) return {};
  const T = series.days.length;
  const K = symbols.length;
  const { close, orders, trades } = series;
  const common = { rows: T, cols: K, close: { data: close, rows: T, cols: K }, orders, trades };
  const symbolRows = backtestStatsRows(
    { ...common, groupLens: new Int32Array(K).fill(1), initCash: new Float64Array(K).fill(initCash), value: series.value },
    periodsPerYear,
  );
  const totalRows = backtestStatsRows(
    { ...common, groupLens: Int32Array.of(K), initCash: Float64Array.of(initCash), value: series.total },
    periodsPerYear,
  );
  const named = (rows: Float64Array, g: number) =>
    Object.fromEntries(STAT_FIELDS.map((field, j) => [field, rows[g * STAT_FIELDS.length + j]])) as unknown as BacktestStats;
  const out: StrategyStats = {};
  symbols.forEach((symbol, k) => {
    out[symbol] = named(symbolRows, k);
  });
  out.total = named(totalRows, 0);
  return out;
}
