/**
 * DayRealized: what FeaturesEngine keeps per symbol for the day's realized variance so far, equal to
 * realizedVariance() and bipowerVariation() on the day's prices up to the last one added, bit for bit.
 * (The rolling estimators' window is src/api/bar-window.ts.)
 */
import { DAY_MS, type SessionParams } from '../kernels/features/realized.js';

/**
 * A symbol's day so far, under a session (realizedVariance's: local time ts + offset, kept between
 * open and close after local midnight): its trades, the sum of their squared log returns (rRVar) and
 * of |r_i| |r_{i-1}| (pi/2 times it: bipower variation). Added trade by trade, each sum is
 * realizedVariance's and bipowerVariation's on the day's prices up to the last one added, bit for bit.
 */
export class DayRealized {
  /** The day's local midnight (NaN before the first trade kept), its trades, the last price. */
  day = NaN;
  trades = 0;
  last = NaN;
  rv = 0;
  bpvSum = 0;
  /** |r| of the last return (0 after the day's first price). */
  before = 0;

  constructor(private readonly session: SessionParams) {}

  /** Adds one trade (ts finite, price > 0: checked by the engine). */
  add(ts: number, price: number): void {
    const s = this.session;
    const local = ts + s.offset;
    const midnight = Math.floor(local / DAY_MS) * DAY_MS;
    const tod = local - midnight;
    if (tod < s.open || tod > s.close) return;
    if (midnight !== this.day) {
      this.day = midnight;
      this.trades = 1;
      this.last = price;
      this.rv = 0;
      this.bpvSum = 0;
      this.before = 0;
      return;
    }
    // realized.ts's logReturn: log(p_i / p_{i-1})
    const r = Math.log(price / this.last);
    this.rv += r * r;
    const a = Math.abs(r);
    this.bpvSum += this.before * a;
    this.before = a;
    this.last = price;
    this.trades++;
  }

  /** pi / 2 x the sum: bipowerVariation's value. */
  get bipowerVariation(): number {
    return (Math.PI / 2) * this.bpvSum;
  }

  /** The state as values, for a checkpoint. */
  state(): number[] {
    return [this.day, this.trades, this.last, this.rv, this.bpvSum, this.before];
  }

  /** Restores state() values. */
  restore(v: ArrayLike<number>): void {
    [this.day, this.trades, this.last, this.rv, this.bpvSum, this.before] = [v[0], v[1], v[2], v[3], v[4], v[5]];
  }
}
