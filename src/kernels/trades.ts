/**
 * Trades as columns, and their check: what the kernels (vpin.ts) and the bus (frames, publish) both
 * take, in a module that loads nothing else of a kernel family.
 */
import { KernelInputError } from '../errors.js';
import { describeValue, requireFloat64Array, requireSameLength } from './validate.js';

/** A sequence of trades, columnar. `ts` is epoch milliseconds, non-decreasing. */
export interface Trades {
  ts: Float64Array;
  price: Float64Array;
  volume: Float64Array;
}

/** Checks the three trade columns: Float64Arrays, attached, of one length (KernelInputError naming the column). */
export function requireTrades(trades: Trades, name = 'trades'): void {
  if (typeof trades !== 'object' || trades === null || Array.isArray(trades)) {
    throw new KernelInputError(name, 'an object { ts, price, volume }', describeValue(trades));
  }
  requireFloat64Array(trades.ts, `${name}.ts`);
  requireFloat64Array(trades.price, `${name}.price`);
  requireFloat64Array(trades.volume, `${name}.volume`);
  requireSameLength(trades.ts, `${name}.ts`, trades.price, `${name}.price`);
  requireSameLength(trades.ts, `${name}.ts`, trades.volume, `${name}.volume`);
}
