/**
 * backtestStrategy(): a recorded tape through a strategy in process, at full speed: the trades in
 * (ts, symbol, tape sequence) order into one StrategyRunner (the core the Strategy engine runs live),
 * and its orders, fills, last positions and statistics (./stats.ts) out. `kernelbus backtest --file
 * --strategy` is this on a file read by `kernelbus/io`.
 */
import { KernelInputError } from '../errors.js';
import { requireTrades, type Trades } from '../kernels/trades.js';
import { describeValue } from '../kernels/validate.js';
import type { CallbackErrors } from './errors.js';
import { type RunnerMetrics, type RunnerOptions, StrategyRunner } from './runner.js';
import { type StrategySeries, strategySeries, strategyStats, type StrategyStats } from './stats.js';
import type { OrderRejection, PositionUpdate, Strategy, StrategyFill, StrategyOrder } from './types.js';

/** A tape: trade columns, and each row's symbol (dictionary-coded, as readTrades gives it) or one symbol for all. */
export interface Tape extends Trades {
  /** Each row's symbol: codes into values (as `kernelbus/io` reads a symbol column). */
  symbols?: { readonly codes: Int32Array; readonly values: readonly string[] };
  /** The one symbol of a tape without a symbol column. Default 'symbol'. */
  symbol?: string;
}

/** Options of backtestStrategy: the run's (fill model, session), the statistics' year, progress. */
export interface BacktestStrategyOptions extends RunnerOptions {
  /** Bars (days) a year of the statistics. Default 365 (vectorbt's year over daily bars). */
  periodsPerYear?: number;
  /** Called with the share of the tape done, about every `progressEvery` trades. */
  progress?: (done: number) => void;
  /** Default 1,048,576. */
  progressEvery?: number;
  /** Each ctx.log() line and callback error (default: none kept). */
  log?: (line: string) => void;
}

/** What a backtest gives. */
export interface StrategyBacktest {
  orders: StrategyOrder[];
  fills: StrategyFill[];
  /** The orders the pre-trade checks refused (never filled), in event order. */
  rejections: OrderRejection[];
  /** Each symbol's position at the end (at the tape's last time). */
  positions: PositionUpdate[];
  /** backtestStats per symbol and `total`, days as bars. */
  stats: StrategyStats;
  /** The daily series the statistics read (undefined without a trade). */
  series: StrategySeries | undefined;
  metrics: RunnerMetrics;
  /** The callbacks' errors by kind and their calls (the run's StrategyRunner.errors). */
  errors: CallbackErrors;
  /** The cash and equity at the end. */
  cash: number;
  equity: number;
}

/**
 * The rows of `tape` in (ts, symbol, row) order: undefined when they already are. A tape in time order
 * (the usual one) only has its runs of equal times sorted by symbol; another is sorted whole.
 */
export function tapeOrder(ts: Float64Array, codes: Int32Array | undefined, values: readonly string[] = []): Int32Array | undefined {
  const n = ts.length;
  let inTime = true;
  for (let i = 1; i < n && inTime; i++) if (!(ts[i] >= ts[i - 1])) inTime = false;
  if (inTime && codes === undefined) return undefined;
  // symbols ordered by name: each code's rank
  const rank = new Int32Array(values.length);
  values
    .map((v, code) => ({ v, code }))
    .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0))
    .forEach(({ code }, r) => {
      rank[code] = r;
    });
  const bySymbol = (a: number, b: number) => (codes ? rank[codes[a]] - rank[codes[b]] : 0) || a - b;
  if (!inTime) return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a] - ts[b] || bySymbol(a, b));
  let order: Int32Array | undefined;
  for (let a = 0; a < n; ) {
    let b = a + 1;
    let sorted = true;
    for (; b < n && ts[b] === ts[a]; b++) if (rank[codes![b]] < rank[codes![b - 1]]) sorted = false;
    if (!sorted) {
      order ??= Int32Array.from({ length: n }, (_, i) => i);
      order.subarray(a, b).sort(bySymbol);
    }
    a = b;
  }
  return order;
}

/**
 * Runs `strategy` over `tape` (ts, price, volume and the symbols; any row order: replayed in (ts,
 * symbol, row) order) with `options` (the fill model, the session of the statistics' days) and returns
 * its orders, fills, last positions and statistics. Bad trades throw KernelInputError naming the
 * column and the trade; a callback that throws is counted (the first of each kind logged), and its
 * orders dropped; past `maxErrors` callback errors the run stops with StrategyErrorLimit.
 */
export function backtestStrategy<S extends object>(
  tape: Tape,
  strategy: Strategy<S>,
  options: BacktestStrategyOptions = {},
): StrategyBacktest {
  requireTrades(tape, 'tape');
  const { periodsPerYear = 365, progress, progressEvery = 1 << 20, log, ...runnerOptions } = options;
  if (!(typeof periodsPerYear === 'number' && periodsPerYear > 0 && Number.isFinite(periodsPerYear))) {
    throw new KernelInputError('options.periodsPerYear', 'a finite number > 0', describeValue(periodsPerYear));
  }
  const n = tape.ts.length;
  const codes = tape.symbols?.codes;
  const values = tape.symbols?.values ?? [tape.symbol ?? 'symbol'];
  if (codes && codes.length !== n) throw new KernelInputError('tape.symbols', `${n} codes (one a trade)`, `${codes.length}`);
  const orders: StrategyOrder[] = [];
  const fills: StrategyFill[] = [];
  const rejections: OrderRejection[] = [];
  const runner = new StrategyRunner(strategy, runnerOptions, {
    order: (o) => orders.push(o),
    fill: (f) => fills.push(f),
    reject: (r) => rejections.push(r),
    log,
  });
  // each code's runner index: -2 unseen, -1 not traded by the strategy
  const indexOf = new Int32Array(values.length).fill(-2);
  const order = tapeOrder(tape.ts, codes, values);
  const { ts, price, volume } = tape;
  runner.start();
  for (let j = 0; j < n; j++) {
    const i = order === undefined ? j : order[j];
    const code = codes === undefined ? 0 : codes[i];
    if (!(code >= 0 && code < values.length)) throw new KernelInputError('tape.symbols', 'a symbol on every trade', `none at row ${i}`);
    let k = indexOf[code];
    if (k === -2) k = indexOf[code] = runner.symbolIndex(values[code]);
    if (k >= 0) runner.trade(k, ts[i], price[i], volume[i]);
    if (progress && (j + 1) % progressEvery === 0) progress((j + 1) / n);
  }
  runner.stop();
  const end = n === 0 ? Number.NaN : ts[order === undefined ? n - 1 : order[n - 1]];
  const series = strategySeries(runner.daily, runner.symbols, runner.options.initCash);
  return {
    orders,
    fills,
    rejections,
    positions: runner.symbols.map((_, k) => runner.positionOf(k, end)),
    stats: strategyStats(series, runner.symbols, runner.options.initCash, periodsPerYear),
    series,
    metrics: { ...runner.metrics },
    errors: runner.errors,
    cash: runner.account.cash,
    equity: runner.account.equity(),
  };
}
