/**
 * A tape's bars of returns for the risk and factor engines, cut by the rule daily data follows: a bar
 * exists only where the market trades. Bars are `barMs` long from the first trade (or, with a session,
 * from each session's open, the last one cut at its close); a bar in which no symbol trades is skipped,
 * so the move across a night, a weekend or a halt of the whole market is one return, from the last
 * close before the gap to the first close after it. With a session, trades outside its hours make no
 * bar. Each bar's close per symbol is its last trade at or before the bar's end (carried forward where
 * the symbol did not trade; before its first trade, its first price), and its simple return is
 * (close - previous close) / previous close, the first bar's over the symbol's first price.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { SessionClock, type Session } from './session.js';
import type { MessageTape, TradesTape } from './sources.js';

export type { Session } from './session.js';

/** Options of tapeBars(). */
export interface TapeBarsOptions {
  /** The bar's length (ms, > 0). */
  barMs: number;
  /** The columns, in this order (default: every symbol, in the order met); other symbols' trades are left out. */
  symbols?: readonly string[];
  /** Trades at or after `from` and before `to` (epoch ms). */
  from?: number;
  to?: number;
  /** Market hours: bars within them only, cut from each open (see the module comment). */
  session?: Session | string;
}

/** A tape's bars (see the module comment): per bar its end, and per bar and symbol the close and return (bars x symbols, row-major). */
export interface TapeBars {
  symbols: string[];
  barMs: number;
  /** Each bar's end (epoch ms); a session's last bar ends at its close. */
  ts: Float64Array;
  prices: Float64Array;
  returns: Float64Array;
}

/**
 * The end of the bar `t` falls in (NaN: outside the session): bars from each session's open, or without
 * a session from the first trade of `trades()` (the kept rows of the sources: eachTrade's arguments).
 */
function barClock(
  barMs: number,
  session: Session | string | undefined,
  trades: (row: (j: number, t: number) => void) => void,
): (t: number) => number {
  if (session === undefined) {
    let origin = Number.POSITIVE_INFINITY;
    trades((_, t) => void (t < origin && (origin = t)));
    return (t) => origin + (Math.floor((t - origin) / barMs) + 1) * barMs;
  }
  const clock = new SessionClock(session);
  return (t) => {
    const s = clock.at(t);
    return s ? Math.min(s[0] + (Math.floor((t - s[0]) / barMs) + 1) * barMs, s[1]) : Number.NaN;
  };
}

/** Each kept row of every source: its column (or -1), calling `row(column, ts, price)`. */
function eachTrade(
  sources: readonly TradesTape[],
  column: (symbol: string) => number,
  range: { from: number; to: number },
  row: (j: number, t: number, price: number) => void,
): void {
  for (const source of sources) {
    const { trades } = source;
    const codes = source.symbols?.codes;
    const ids = source.symbols ? source.symbols.values.map(column) : [column(source.symbol ?? '')];
    for (let i = 0; i < trades.ts.length; i++) {
      const j = ids[codes ? codes[i] : 0];
      const t = trades.ts[i];
      if (j >= 0 && t >= range.from && t < range.to) row(j, t, trades.price[i]);
    }
  }
}

function checkOptions(options: TapeBarsOptions) {
  const { barMs, from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY } = options;
  if (!(typeof barMs === 'number' && barMs > 0 && Number.isFinite(barMs))) {
    throw new KernelInputError('options.barMs', 'a finite number of ms > 0', describeValue(barMs));
  }
  if (!(from < to)) throw new KernelInputError('options.to', `a time after options.from (${from})`, describeValue(to));
  return { barMs, range: { from, to } };
}

/**
 * The bars of trades in memory (readTrades() results, or columns of one symbol) by the rule of the
 * module comment: bars with no trade skipped, a session's hours when given. Feed `barsTape()` of the
 * result to replay() for RETURNS_UPDATE among the trades. Bad options throw KernelInputError naming them.
 * @example const bars = tapeBars([await readTrades('day.csv')], { barMs: 60_000, session: '09:30-16:00 America/New_York' });
 */
export function tapeBars(sources: readonly TradesTape[], options: TapeBarsOptions): TapeBars {
  const { barMs, range } = checkOptions(options);
  const columns = new Map<string, number>((options.symbols ?? []).map((s, j) => [s, j]));
  const column = options.symbols
    ? (s: string) => columns.get(s) ?? -1
    : (s: string) => columns.get(s) ?? columns.set(s, columns.size).size - 1;
  // each trade's bar end: the bars that have one
  const endOf = barClock(barMs, options.session, (row) => eachTrade(sources, column, range, row));
  const ends: number[] = [];
  eachTrade(sources, column, range, (_, t) => {
    const end = endOf(t);
    if (end === end && end !== ends[ends.length - 1]) ends.push(end);
  });
  const ts = Float64Array.from(new Set(ends.sort((a, b) => a - b)));
  const bar = new Map<number, number>(Array.from(ts, (end, b) => [end, b]));
  const n = columns.size;
  const count = ts.length;
  // each symbol's last trade in each bar (NaN: none) and its first price
  const last = new Float64Array(count * n).fill(Number.NaN);
  const lastAt = new Float64Array(count * n).fill(Number.NEGATIVE_INFINITY);
  const first = new Float64Array(n).fill(Number.NaN);
  const firstAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  eachTrade(sources, column, range, (j, t, price) => {
    const b = bar.get(endOf(t));
    if (b === undefined) return;
    const cell = b * n + j;
    if (t >= lastAt[cell]) {
      lastAt[cell] = t;
      last[cell] = price;
    }
    if (t < firstAt[j]) {
      firstAt[j] = t;
      first[j] = price;
    }
  });
  const returns = new Float64Array(count * n);
  for (let j = 0; j < n; j++) {
    let previous = first[j];
    for (let b = 0; b < count; b++) {
      const cell = b * n + j;
      if (last[cell] !== last[cell]) last[cell] = previous;
      returns[cell] = (last[cell] - previous) / previous;
      previous = last[cell];
    }
  }
  const symbols = [...columns.keys()];
  return { symbols, barMs, ts, prices: last, returns };
}

/** How many bars tapeBars() would cut with `barMs` (bars with a trade), without making them. */
export function countBars(sources: readonly TradesTape[], options: TapeBarsOptions): number {
  const { barMs, range } = checkOptions(options);
  const wanted = options.symbols && new Set(options.symbols);
  const column = (s: string) => (!wanted || wanted.has(s) ? 0 : -1);
  const endOf = barClock(barMs, options.session, (row) => eachTrade(sources, column, range, row));
  const ends = new Set<number>();
  eachTrade(sources, column, range, (_, t) => void ends.add(endOf(t)));
  ends.delete(Number.NaN);
  return ends.size;
}

/** The bars as dated messages of `type` and `key`: `payload(prices, returns, bar)` of each bar, at its end. */
export function barsTape(
  bars: TapeBars,
  type: string,
  key: string,
  payload: (prices: Float64Array, returns: Float64Array, bar: number) => unknown,
): MessageTape {
  const n = bars.symbols.length;
  return {
    type,
    key,
    ts: bars.ts,
    name: `${type} bars`,
    payload: (b) => payload(bars.prices.subarray(b * n, (b + 1) * n), bars.returns.subarray(b * n, (b + 1) * n), b),
  };
}

/** The bars' RETURNS_UPDATE messages of `universe` (the risk and portfolio engines' input). */
export function returnsBarsTape(bars: TapeBars, universe: string): MessageTape {
  return barsTape(bars, 'RETURNS_UPDATE', universe, (_, returns) => ({ assets: bars.symbols, returns }));
}
