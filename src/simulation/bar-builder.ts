/**
 * What every bar kernel of the features family shares (reference): the trades' checks, the tick rule
 * and the open bar's running statistics, written as mlfinlab's BaseBars keeps them
 * (data_structures/base_bars.py, 2020: `_apply_tick_rule`, `_update_high_low`, `_create_bars`,
 * `_reset_cache`). native/kernels/features/bar_builder.hpp is the same code in C++, operation for
 * operation.
 */
import { BAR_COLUMNS, type Bars } from '../kernels/features/features.js';
import { Fault, inputFault } from '../kernels/faults.js';

/**
 * Trade i's checks: its ts finite and not before `lastTs`, its price finite, its volume finite and >= 0
 * (the fault's KernelInputError thrown, naming index i).
 */
export function checkTrade(i: number, t: number, p: number, v: number, lastTs: number): void {
  if (!(t >= lastTs)) throw inputFault(Number.isNaN(t) ? Fault.TS_NOT_FINITE : Fault.TS_DECREASING, i, t, lastTs);
  if (!Number.isFinite(t)) throw inputFault(Fault.TS_NOT_FINITE, i, t, lastTs);
  if (!Number.isFinite(p)) throw inputFault(Fault.PRICE_NOT_FINITE, i, p, 0);
  if (!(v >= 0 && v <= Number.MAX_VALUE)) throw inputFault(Fault.VOLUME_INVALID, i, v, 0);
}

/** The fields of BarBuilder a stream carries between batches, in the order of its state(). */
const STATE_KEYS = [
  'prevPrice',
  'prevSign',
  'lastTs',
  'open',
  'high',
  'low',
  'volume',
  'buyVolume',
  'ticks',
  'dollarValue',
  'count',
] as const;

/** The bars built so far, a row each (a column per field of `Bars`). */
export type BarRows = number[][];

/** No bar: every column the one empty array (a length-0 array holds nothing to change: shared). */
const NO_VALUES = new Float64Array(0);
const NO_BARS = Object.fromEntries(BAR_COLUMNS.map((name) => [name, NO_VALUES])) as unknown as Bars;

/** The open bar and the tick rule's state, across the trades of one call. */
export class BarBuilder {
  /** The tick rule: the previous trade's price (NaN before the first) and the last non-zero sign. */
  prevPrice = NaN;
  prevSign = 0;
  lastTs = -Infinity;
  /** The open bar: its open (NaN: no bar open), high, low and sums. */
  open = NaN;
  high = -Infinity;
  low = Infinity;
  volume = 0;
  buyVolume = 0;
  ticks = 0;
  dollarValue = 0;
  readonly rows: BarRows = BAR_COLUMNS.map(() => []);

  /**
   * Trade i into the open bar (checked first: its ts finite and not before the last, its price
   * finite, its volume finite and >= 0); returns its tick-rule sign.
   */
  add(i: number, t: number, p: number, v: number): number {
    const sign = this.check(i, t, p, v);
    this.accumulate(p, v, sign);
    return sign;
  }

  /** Trade i checked (as add()) and its tick-rule sign, the bar left as it is (time bars close it first). */
  check(i: number, t: number, p: number, v: number): number {
    checkTrade(i, t, p, v, this.lastTs);
    this.lastTs = t;
    // mlfinlab: tick_diff = price - prev_price (0 for the first trade); a change sets the sign
    const diff = Number.isNaN(this.prevPrice) ? 0 : p - this.prevPrice;
    if (diff !== 0) this.prevSign = diff > 0 ? 1 : -1;
    this.prevPrice = p;
    return this.prevSign;
  }

  /** A checked trade of price p, volume v and tick sign `sign` into the open bar (opening one if none is). */
  accumulate(p: number, v: number, sign: number): void {
    if (Number.isNaN(this.open)) this.open = p;
    if (p > this.high) this.high = p;
    if (p < this.low) this.low = p;
    this.ticks += 1;
    this.dollarValue += p * v;
    this.volume += v;
    if (sign === 1) this.buyVolume += v;
  }

  /** Closes the open bar at trade i (time t, price p: its close) and opens none. */
  close(i: number, t: number, p: number): void {
    // Python's max(high, open) and min(low, open): the first unless the second is beyond it
    const high = this.open > this.high ? this.open : this.high;
    const low = this.open < this.low ? this.open : this.low;
    // BAR_COLUMNS' order; no row array (a bar's close allocates nothing the columns do not keep)
    const rows = this.rows;
    rows[0].push(t);
    rows[1].push(i + 1);
    rows[2].push(this.open);
    rows[3].push(high);
    rows[4].push(low);
    rows[5].push(p);
    rows[6].push(this.volume);
    rows[7].push(this.buyVolume);
    rows[8].push(this.ticks);
    rows[9].push(this.dollarValue);
    this.count += 1;
    this.open = NaN;
    this.high = -Infinity;
    this.low = Infinity;
    this.volume = 0;
    this.buyVolume = 0;
    this.ticks = 0;
    this.dollarValue = 0;
  }

  /** The number of bars closed so far (a stream's, since it began). */
  count = 0;

  /** The closed bars not yet taken as columns (the open one dropped), and the rows emptied. */
  bars(): Bars {
    // no bar closed (most batches of a stream): the columns are one shared empty array
    if (this.rows[0].length === 0) return { ...NO_BARS };
    const out: Record<string, Float64Array> = {};
    for (let k = 0; k < BAR_COLUMNS.length; k++) {
      out[BAR_COLUMNS[k]] = Float64Array.from(this.rows[k]);
      this.rows[k].length = 0;
    }
    return out as unknown as Bars;
  }

  /** The state a stream carries from one batch to the next (the closed rows excluded), as numbers. */
  state(): number[] {
    return STATE_KEYS.map((key) => this[key]);
  }

  /** Sets the state from state()'s numbers, read from `at` on; returns the position after them. */
  setState(s: ArrayLike<number>, at: number): number {
    STATE_KEYS.forEach((key, k) => {
      this[key] = s[at + k] as number;
    });
    return at + STATE_KEYS.length;
  }
}

/**
 * The last values of a growing series (at least the last `keep`) and how many there were: what the
 * information-driven bars' EWMAs read (their last min(count, keep) values), in bounded memory.
 */
export class Tail {
  values: number[] = [];
  count = 0;

  constructor(readonly keep: number) {}

  push(x: number): void {
    this.values.push(x);
    this.count += 1;
    if (this.values.length >= 2 * this.keep + 1024) this.values.splice(0, this.values.length - this.keep);
  }

  /** count, the values' length, then the values. */
  state(): number[] {
    return [this.count, this.values.length, ...this.values];
  }

  /** Sets the tail from state()'s numbers, read from `at` on; returns the position after them. */
  setState(s: ArrayLike<number>, at: number): number {
    this.count = s[at] as number;
    const n = s[at + 1] as number;
    if (!(Number.isInteger(n) && n >= 0 && at + 2 + n <= s.length)) throw new RangeError('a tail past the end of the state');
    this.values = Array.from({ length: n }, (_, k) => s[at + 2 + k] as number);
    return at + 2 + n;
  }
}

/** A bar kind's state machine, fed one trade at a time (its position in the whole input), resumable. */
export interface BarMaker {
  readonly builder: BarBuilder;
  /** Trade i (checked and signed by the builder) into the bars. */
  add(i: number, t: number, p: number, v: number): void;
  /** The state carried between batches, as numbers (BarBuilder's first). */
  state(): number[];
  /** Sets the state from state()'s numbers. */
  setState(s: ArrayLike<number>): void;
}

/** Every trade of the columns through `maker`, and the bars closed. */
export function makeBars(maker: BarMaker, ts: Float64Array, price: Float64Array, volume: Float64Array): Bars {
  for (let i = 0; i < ts.length; i++) maker.add(i, ts[i], price[i], volume[i]);
  return maker.builder.bars();
}
