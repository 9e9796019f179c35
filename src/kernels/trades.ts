/**
 * Trades as columns, and their check: what the kernels (vpin.ts) and the bus (frames, publish) both
 * take, in a module that loads nothing else of a kernel family.
 */
import { KernelInputError } from '../errors.js';
import { describeValue, requireFloat64Array, requireSameLength } from './validate.js';

/**
 * A sequence of trades, columnar. `ts` is epoch milliseconds, non-decreasing. `bid` and `ask` (both or
 * neither): the quote prevailing at each trade, NaN where there is none; what the quote-based
 * classifiers read (classifyTrades, vpin with a VpinClassifier), carried by 5-column trade frames.
 */
export interface Trades {
  ts: Float64Array;
  price: Float64Array;
  volume: Float64Array;
  bid?: Float64Array;
  ask?: Float64Array;
}

/**
 * Checks the trade columns: Float64Arrays, attached, of one length, and `bid` with `ask` (both or
 * neither) of that length too (KernelInputError naming the column). Their values are the kernels' to check.
 */
export function requireTrades(trades: Trades, name = 'trades'): void {
  if (typeof trades !== 'object' || trades === null || Array.isArray(trades)) {
    throw new KernelInputError(name, 'an object { ts, price, volume }', describeValue(trades));
  }
  const [ts, price, volume] = columnNames(name);
  requireFloat64Array(trades.ts, ts);
  requireFloat64Array(trades.price, price);
  requireFloat64Array(trades.volume, volume);
  requireSameLength(trades.ts, ts, trades.price, price);
  requireSameLength(trades.ts, ts, trades.volume, volume);
  if (trades.bid !== undefined || trades.ask !== undefined) requireQuoteColumns(trades, name);
}

/** `<name>.ts`, `.price` and `.volume`, made once per name (a publish checks its trades: no strings made per call). */
const NAMES = new Map<string, readonly [string, string, string]>();
function columnNames(name: string): readonly [string, string, string] {
  let names = NAMES.get(name);
  if (names === undefined) {
    names = [`${name}.ts`, `${name}.price`, `${name}.volume`];
    if (NAMES.size < 256) NAMES.set(name, names);
  }
  return names;
}

/** Checks `bid` and `ask`: both Float64Arrays of the trades' length. */
export function requireQuoteColumns(trades: Trades, name = 'trades'): void {
  requireFloat64Array(trades.bid, `${name}.bid`);
  requireFloat64Array(trades.ask, `${name}.ask`);
  requireSameLength(trades.ts, `${name}.ts`, trades.bid!, `${name}.bid`);
  requireSameLength(trades.ts, `${name}.ts`, trades.ask!, `${name}.ask`);
}

/** True when the trades carry quote columns (`bid`, `ask`). */
export function hasQuotes(trades: Trades): trades is Trades & { bid: Float64Array; ask: Float64Array } {
  return trades.bid !== undefined || trades.ask !== undefined;
}
