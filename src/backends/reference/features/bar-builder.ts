/**
 * What every bar kernel of the features family shares (reference): the trades' checks, the tick rule
 * and the open bar's running statistics, written as mlfinlab's BaseBars keeps them
 * (data_structures/base_bars.py, 2020: `_apply_tick_rule`, `_update_high_low`, `_create_bars`,
 * `_reset_cache`). native/kernels/features/bar_builder.hpp is the same code in C++, operation for
 * operation.
 */
import { BAR_COLUMNS, type Bars } from '../../../kernels/features/features.js';
import { Fault, inputFault } from '../../../kernels/faults.js';

/** The bars built so far, a row each (a column per field of `Bars`). */
export type BarRows = number[][];

/** The open bar and the tick rule's state, across the trades of one call. */
export class BarBuilder {
  /** The tick rule: the previous trade's price (NaN before the first) and the last non-zero sign. */
  private prevPrice = NaN;
  private prevSign = 0;
  private lastTs = -Infinity;
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
    if (!(t >= this.lastTs)) throw inputFault(Number.isNaN(t) ? Fault.TS_NOT_FINITE : Fault.TS_DECREASING, i, t, this.lastTs);
    if (!Number.isFinite(t)) throw inputFault(Fault.TS_NOT_FINITE, i, t, this.lastTs);
    if (!Number.isFinite(p)) throw inputFault(Fault.PRICE_NOT_FINITE, i, p, 0);
    if (!(v >= 0 && v <= Number.MAX_VALUE)) throw inputFault(Fault.VOLUME_INVALID, i, v, 0);
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
    const row = [t, i + 1, this.open, high, low, p, this.volume, this.buyVolume, this.ticks, this.dollarValue];
    row.forEach((x, k) => this.rows[k].push(x));
    this.open = NaN;
    this.high = -Infinity;
    this.low = Infinity;
    this.volume = 0;
    this.buyVolume = 0;
    this.ticks = 0;
    this.dollarValue = 0;
  }

  /** The number of bars closed so far. */
  get count(): number {
    return this.rows[0].length;
  }

  /** The closed bars as columns (the open one dropped). */
  bars(): Bars {
    return Object.fromEntries(BAR_COLUMNS.map((name, k) => [name, Float64Array.from(this.rows[k])])) as unknown as Bars;
  }
}
