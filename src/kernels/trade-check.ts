/**
 * The one rule a trade meets wherever kernelbus takes trades: the file commands (vpin, bars, backtest,
 * feed, demo), replay(), the engines (VPIN, features, strategy). A trade is good when
 * its time is finite and not before its symbol's previous good trade, its price is finite and > 0, and
 * its volume is finite and >= 0. What happens to a bad one is a policy (`BadTradePolicy`): `fail` stops
 * at it, `skip` leaves it out and counts it, `reject` leaves it out, counts it and lists it.
 *
 * screenTrades() is the scan: one pass that returns the same columns when every trade is good (the
 * usual case: nothing copied), else the good rows in fresh columns. Loads nothing else of a family.
 */
import { KernelInputError } from '../errors.js';
import type { Trades } from './trades.js';

/** What to do with a bad trade: stop (`fail`), leave it out and count it (`skip`), or also list it (`reject`). */
export type BadTradePolicy = 'fail' | 'skip' | 'reject';

/** The policies, for flags and option checks. */
export const BAD_TRADE_POLICIES: readonly BadTradePolicy[] = ['fail', 'skip', 'reject'];

/** The rule a bad trade breaks: its time (`ts`), its order in its symbol (`order`), its `price`, its `volume`. */
export type BadTradeReason = 'ts' | 'order' | 'price' | 'volume';

/** The reasons, in the order the rule checks them. */
export const BAD_TRADE_REASONS: readonly BadTradeReason[] = ['ts', 'order', 'price', 'volume'];

/** What each rule expects, in messages. */
export const BAD_TRADE_EXPECTED: Readonly<Record<BadTradeReason, string>> = {
  ts: 'a finite time',
  order: "a time at or after the symbol's previous trade",
  price: 'a finite price > 0',
  volume: 'a finite volume >= 0',
};

/** One bad trade: its row in the columns screened, the rule, the value that breaks it, its symbol's code. */
export interface BadTrade {
  /** 0-based row in the columns screened. */
  row: number;
  reason: BadTradeReason;
  /** The time, price or volume that breaks the rule. */
  value: number;
  /** The symbol's code (0 without codes). */
  code: number;
  /** For `order`: the symbol's previous good time. */
  previous: number;
}

/**
 * Whether trade (t, p, v) meets the rule after its symbol's previous good time `last`: tradeFault() ===
 * undefined, as the hot loops ask it (small enough for the JIT to inline).
 */
export function goodTrade(t: number, p: number, v: number, last: number): boolean {
  return t >= last && t - t === 0 && p > 0 && p - p === 0 && v >= 0 && v - v === 0;
}

/** The rule trade (t, p, v) breaks after its symbol's previous good time `last`, else undefined. */
export function tradeFault(t: number, p: number, v: number, last: number): BadTradeReason | undefined {
  if (!(t > Number.NEGATIVE_INFINITY && t < Number.POSITIVE_INFINITY)) return 'ts';
  if (t < last) return 'order';
  if (!(p > 0 && p < Number.POSITIVE_INFINITY)) return 'price';
  if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) return 'volume';
  return undefined;
}

/**
 * Each symbol's last good time, by code (-Infinity before its first trade): what carries the order rule
 * from one chunk or frame to the next.
 */
export class LastTimes {
  private times = new Float64Array(8).fill(Number.NEGATIVE_INFINITY);

  get(code: number): number {
    return code < this.times.length ? this.times[code] : Number.NEGATIVE_INFINITY;
  }

  set(code: number, t: number): void {
    this.room(code)[code] = t;
  }

  /** The times by code, with room for `code` (the array may be replaced by a larger one: read it again after). */
  room(code: number): Float64Array {
    if (code >= this.times.length) {
      const grown = new Float64Array(Math.max(2 * this.times.length, code + 1)).fill(Number.NEGATIVE_INFINITY);
      grown.set(this.times);
      this.times = grown;
    }
    return this.times;
  }
}

/** Trades screened: the good rows (the columns given, when all are good) and their codes. */
export interface ScreenedTrades {
  trades: Trades;
  codes: Int32Array | undefined;
  /** Bad rows left out. */
  bad: number;
}

/**
 * Screens `trades` by the rule, in row order, each row's symbol by `codes` (undefined: one symbol, code
 * 0), the symbols' previous times in `lasts` (updated). Each bad row goes to `onBad` (which may throw:
 * the `fail` policy) and is left out. Returns the columns given when every row is good, else fresh
 * columns (bid and ask too) of the good rows.
 */
export function screenTrades(
  trades: Trades,
  codes: Int32Array | undefined,
  lasts: LastTimes,
  onBad: (bad: BadTrade) => void,
  run: TradeRun = tradeRun,
): ScreenedTrades {
  const { ts, price, volume } = trades;
  const n = ts.length;
  const last = lasts.room(maxCode(codes));
  // the usual chunk (every trade good): one tight pass; the rows from the first bad one go the long way
  const first = run(ts, price, volume, last, codes);
  if (first === n) return { trades, codes, bad: 0 };
  const keep = new Int32Array(n);
  for (let j = 0; j < first; j++) keep[j] = j;
  let kept = first;
  for (let i = first; i < n; i++) {
    const code = codes === undefined ? 0 : codes[i];
    const t = ts[i];
    const p = price[i];
    const v = volume[i];
    if (goodTrade(t, p, v, last[code])) {
      last[code] = t;
      keep[kept++] = i;
      continue;
    }
    const reason = tradeFault(t, p, v, last[code])!;
    const value = reason === 'price' ? p : reason === 'volume' ? v : t;
    onBad({ row: i, reason, value, code, previous: last[code] });
  }
  const rows = keep.subarray(0, kept);
  const take = (x: Float64Array) => Float64Array.from(rows, (k) => x[k]);
  const out: Trades = { ts: take(ts), price: take(price), volume: take(volume) };
  if (trades.bid && trades.ask) {
    out.bid = take(trades.bid);
    out.ask = take(trades.ask);
  }
  return { trades: out, codes: codes && Int32Array.from(rows, (k) => codes[k]), bad: n - kept };
}

/** The largest code (0 without codes): what LastTimes needs room for. A row without a symbol (code < 0) is refused. */
function maxCode(codes: Int32Array | undefined): number {
  let m = 0;
  if (!codes) return m;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c > m) m = c;
    else if (c < 0) throw new KernelInputError('symbols', 'a symbol on every trade', `none at row ${i}`);
  }
  return m;
}

/** The first row (of one symbol's trades) that breaks the rule after `last[0]`, or their count; last[0] moved on. */
export function goodRun(ts: Float64Array, price: Float64Array, volume: Float64Array, last: Float64Array): number {
  let l = last[0];
  let i = 0;
  for (; i < ts.length; i++) {
    const t = ts[i];
    const p = price[i];
    const v = volume[i];
    if (!goodTrade(t, p, v, l)) break;
    l = t;
  }
  last[0] = l;
  return i;
}

/**
 * The first row of a run of trades that breaks the rule (of one symbol after last[0] without `codes`,
 * else each row after last[codes[i]], codes in [0, last.length)), or their count; the last times moved
 * on: what screenTrades() scans a chunk with. tradeRun() is this module's (goodRun, goodRunByCode); the
 * readers pass the addon's for long chunks (src/io/trade-run.ts), the same rule.
 */
export type TradeRun = (ts: Float64Array, price: Float64Array, volume: Float64Array, last: Float64Array, codes?: Int32Array) => number;

/** TradeRun in TypeScript: goodRun() of one symbol, goodRunByCode() of many. */
export const tradeRun: TradeRun = (ts, price, volume, last, codes) =>
  codes === undefined ? goodRun(ts, price, volume, last) : goodRunByCode(ts, price, volume, codes, last);

/** goodRun() of rows of many symbols (their codes), each after its own last time. */
function goodRunByCode(ts: Float64Array, price: Float64Array, volume: Float64Array, codes: Int32Array, last: Float64Array): number {
  let i = 0;
  for (; i < ts.length; i++) {
    const c = codes[i];
    const t = ts[i];
    const p = price[i];
    const v = volume[i];
    if (!goodTrade(t, p, v, last[c])) break;
    last[c] = t;
  }
  return i;
}

/** A bad trade as a KernelInputError: `<where>: expected <the rule>, got <value> (<symbol>)`. */
export function badTradeError(bad: BadTrade, where: string, symbol?: string): KernelInputError {
  const expected = bad.reason === 'order' ? `${BAD_TRADE_EXPECTED.order} (${bad.previous})` : BAD_TRADE_EXPECTED[bad.reason];
  return new KernelInputError(where, expected, `${bad.value}${symbol === undefined ? '' : ` (${symbol})`}`);
}

/** Bad trades counted by reason. */
export type BadTradeCounts = Record<BadTradeReason, number>;

/** Counts of zero. */
export function noBadTrades(): BadTradeCounts {
  return { ts: 0, order: 0, price: 0, volume: 0 };
}

/** A policy given as an option (KernelInputError naming `name` when it is none of BAD_TRADE_POLICIES). */
export function requireBadTradePolicy(policy: unknown, name: string): BadTradePolicy {
  if (!BAD_TRADE_POLICIES.includes(policy as BadTradePolicy)) {
    throw new KernelInputError(name, BAD_TRADE_POLICIES.map((p) => `'${p}'`).join(', '), JSON.stringify(policy) ?? String(policy));
  }
  return policy as BadTradePolicy;
}
