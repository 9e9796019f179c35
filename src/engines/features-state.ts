/**
 * DayRealized: what FeaturesEngine keeps per symbol for the day's realized variance so far, equal to
 * realizedVariance() and bipowerVariation() on the day's prices up to the last one added, bit for bit.
 * (The rolling estimators' window is src/api/bar-window.ts.)
 */
import { DAY_MS, REALIZED_CHUNK, type SessionParams } from '../kernels/features/realized.js';

/**
 * A symbol's day so far, under a session (realizedVariance's: local time ts + offset, kept between
 * open and close after local midnight): its trades, the sum of their squared log returns (rRVar) and
 * of |r_i| |r_{i-1}| (pi/2 times it: bipower variation). Added trade by trade in the kernels' order
 * (the reference's daySum: the term of the day's price i to lane i mod 4 of its chunk, a full chunk's
 * lanes added to the chunks before), each sum is realizedVariance's and bipowerVariation's on the
 * day's prices up to the last one added, bit for bit.
 */
export class DayRealized {
  /** The day's local midnight (NaN before the first trade kept), its trades, the last price. */
  day = NaN;
  trades = 0;
  last = NaN;
  /** |r| of the last return (0 after the day's first price). */
  before = 0;
  /** The sums of the day's chunks before the open one, and the open chunk's lanes (rv, then bpv). */
  private rvDone = 0;
  private bpvDone = 0;
  private readonly lanes = new Float64Array(8);

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
      this.before = 0;
      this.rvDone = 0;
      this.bpvDone = 0;
      this.lanes.fill(0);
      return;
    }
    // the day's price i = trades: a new chunk's first closes the one before
    const i = this.trades;
    const l = this.lanes;
    if (i % REALIZED_CHUNK === 0) {
      this.rvDone = this.rv;
      this.bpvDone = this.bpvSum;
      l.fill(0);
    }
    // realized.ts's logReturn: log(p_i / p_{i-1})
    const r = Math.log(price / this.last);
    const a = Math.abs(r);
    l[i & 3] += r * r;
    l[4 + (i & 3)] += this.before * a;
    this.before = a;
    this.last = price;
    this.trades++;
  }

  /** realizedVariance's sum. */
  get rv(): number {
    const l = this.lanes;
    return this.rvDone + (l[0] + l[1] + (l[2] + l[3]));
  }

  /** bipowerVariation's sum. */
  get bpvSum(): number {
    const l = this.lanes;
    return this.bpvDone + (l[4] + l[5] + (l[6] + l[7]));
  }

  /** pi / 2 x the sum: bipowerVariation's value. */
  get bipowerVariation(): number {
    return (Math.PI / 2) * this.bpvSum;
  }

  /** The state as values, for a checkpoint (DayRealized.VALUES of them). */
  state(): number[] {
    return [this.day, this.trades, this.last, this.before, this.rvDone, this.bpvDone, ...this.lanes];
  }

  /** Restores state() values. */
  restore(v: ArrayLike<number>): void {
    [this.day, this.trades, this.last, this.before, this.rvDone, this.bpvDone] = [v[0], v[1], v[2], v[3], v[4], v[5]];
    for (let k = 0; k < 8; k++) this.lanes[k] = v[6 + k];
  }

  /** The values state() gives. */
  static readonly VALUES = 14;
}
