/**
 * A strategy's positions as a RiskEngine book: the POSITION_UPDATE payloads StrategyEngine publishes
 * (one per fill, keyed by the symbol) kept per strategy and turned into weights (each symbol's market
 * value over the strategy's equity), so RiskEngine measures the VaR/ES of what a strategy holds as it
 * would a PORTFOLIO_UPDATE's weights. Checked here (KernelInputError naming the payload field), and
 * checkpointed per symbol (the key of the POSITION_UPDATE stream): 'KBRB' records.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { isPlainObject } from './payload-checks.js';
import { decodeState, encodeState } from './state-codec.js';

/** One strategy's position in one symbol, as its last POSITION_UPDATE gave it. */
export interface HeldPosition {
  /** Units x the last price (signed; 0 when flat). */
  value: number;
  /** The strategy's equity at that update, and the update's ts. */
  equity: number;
  ts: number;
}

/** A POSITION_UPDATE payload, checked: the strategy, the symbol and the position's market value. */
export interface ParsedPosition extends HeldPosition {
  strategy: string;
  symbol: string;
}

/** The portfolio id of a strategy's book in RiskEngine (its ANALYTICS_RESULT / RISK_ALERT key). */
export function bookId(strategy: string): string {
  return `strategy:${strategy}`;
}

const finite = (payload: Record<string, unknown>, field: string): number => {
  const v = payload[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new KernelInputError(`payload.${field}`, 'a finite number', describeValue(v));
  return v;
};

/**
 * Checks a POSITION_UPDATE payload ({ strategy, symbol, ts, units, avgPrice, cash, equity,
 * realizedPnl, unrealizedPnl }: see StrategyEngine) and takes the position's market value: units x the
 * last price, the last price being avgPrice + unrealizedPnl / units (0 when flat).
 */
export function parsePositionUpdate(payload: unknown): ParsedPosition {
  if (!isPlainObject(payload))
    throw new KernelInputError('payload', 'a POSITION_UPDATE { strategy, symbol, units, avgPrice, equity, ... }', describeValue(payload));
  const { strategy, symbol } = payload;
  if (typeof strategy !== 'string' || strategy.length === 0)
    throw new KernelInputError('payload.strategy', 'a strategy name', describeValue(strategy));
  if (typeof symbol !== 'string' || symbol.length === 0) throw new KernelInputError('payload.symbol', 'a symbol', describeValue(symbol));
  const units = finite(payload, 'units');
  const equity = finite(payload, 'equity');
  const ts = finite(payload, 'ts');
  let value = 0;
  if (units !== 0) {
    const last = finite(payload, 'avgPrice') + finite(payload, 'unrealizedPnl') / units;
    if (!(last > 0)) throw new KernelInputError('payload.unrealizedPnl', 'a last price avgPrice + unrealizedPnl / units > 0', `${last}`);
    value = units * last;
  }
  return { strategy, symbol, value, equity, ts };
}

/** The weights of a book: its symbols (those it ever held, in the order first seen) and value / equity. */
export interface BookWeights {
  assets: string[];
  weights: Float64Array;
  /** The equity the weights are fractions of (the latest update's); the weights are NaN when it is not > 0. */
  equity: number;
}

/** Every strategy's positions, by strategy then symbol. */
export class PositionBooks {
  private readonly books = new Map<string, Map<string, HeldPosition>>();

  /** Keeps a position (replacing that strategy's earlier one in the symbol); returns its strategy. */
  apply(p: ParsedPosition): string {
    let book = this.books.get(p.strategy);
    if (!book) this.books.set(p.strategy, (book = new Map()));
    book.set(p.symbol, { value: p.value, equity: p.equity, ts: p.ts });
    return p.strategy;
  }

  /** The strategies with a book. */
  strategies(): IterableIterator<string> {
    return this.books.keys();
  }

  /**
   * A strategy's weights: each symbol's market value (at its last fill's price) over the equity of the
   * strategy's latest update (the greatest ts; the later applied on a tie).
   */
  weights(strategy: string): BookWeights | undefined {
    const book = this.books.get(strategy);
    if (!book) return undefined;
    let equity = Number.NaN;
    let latest = Number.NEGATIVE_INFINITY;
    for (const h of book.values()) {
      if (h.ts >= latest) {
        latest = h.ts;
        equity = h.equity;
      }
    }
    const assets = [...book.keys()];
    const weights = Float64Array.from(book.values(), (h) => (equity > 0 ? h.value / equity : Number.NaN));
    return { assets, weights, equity };
  }

  /** The positions every strategy holds in `symbol` as bytes (the symbol's checkpoint record): 'KBRB', version 1. */
  snapshot(symbol: string): Uint8Array {
    const names: string[] = [];
    const values: number[] = [];
    for (const [strategy, book] of this.books) {
      const h = book.get(symbol);
      if (!h) continue;
      names.push(strategy);
      values.push(h.value, h.equity, h.ts);
    }
    return encodeState(BOOK_MAGIC, VERSION, [], names, values);
  }

  /** Replaces every strategy's position in `symbol` with snapshot() bytes; returns the strategies it names. */
  restore(symbol: string, bytes: Uint8Array): string[] {
    const { json, values } = decodeState(bytes, BOOK_MAGIC, VERSION, 0, 'RiskEngine position book');
    const names = json as string[];
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string') || values.length !== 3 * names.length)
      throw new KernelInputError('bytes', `a RiskEngine position book state (version ${VERSION})`, 'inconsistent bytes');
    for (const book of this.books.values()) book.delete(symbol);
    names.forEach((strategy, i) =>
      this.apply({ strategy, symbol, value: values[3 * i], equity: values[3 * i + 1], ts: values[3 * i + 2] }),
    );
    return names;
  }
}

const BOOK_MAGIC = 0x4252424b; // 'KBRB' read as little-endian u32
const VERSION = 1;
