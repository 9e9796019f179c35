/**
 * DailyLog: a run's account at the end of each day (the UTC day, or a session's), and each fill's day:
 * what the statistics (./stats.ts) and the report read. Days open on trades (event time): the first
 * trade past a day's end closes it (its sample: prices, positions, cash flows, cash, equity) and opens
 * the next; trades between two sessions count to the day before.
 */
import { KernelInputError } from '../errors.js';
import { type Session, SessionClock } from '../replay/session.js';
import type { StrategyAccount } from './account.js';

const DAY_MS = 86_400_000;

/** The account at each day's end (a row per day, a value per symbol index), and each fill's day. */
export interface DailyRecord {
  /** Each day's label: its session's open (UTC midnight without a session). */
  days: number[];
  /** Per day: each symbol's last price, position and cash flow so far; the cash and equity. */
  close: Float64Array[];
  position: Float64Array[];
  cashFlow: Float64Array[];
  cash: number[];
  equity: number[];
  /** Per fill (in order): its day, symbol index, size (> 0), price, fees, side (0 buy, 1 sell). */
  fills: { day: number[]; symbol: number[]; size: number[]; price: number[]; fees: number[]; side: number[] };
}

/** The days of a run (see the module comment). */
export class DailyLog {
  readonly record: DailyRecord = {
    days: [],
    close: [],
    position: [],
    cashFlow: [],
    cash: [],
    equity: [],
    fills: { day: [], symbol: [], size: [], price: [], fees: [], side: [] },
  };
  /** The open day's end: a trade at or after it calls advance(). */
  end = Number.NEGATIVE_INFINITY;
  private readonly clock: SessionClock | undefined;

  constructor(
    session: Session | string | undefined,
    private readonly account: StrategyAccount,
  ) {
    this.clock = session === undefined ? undefined : new SessionClock(session);
  }

  /** A trade at `ts` >= end: the open day closed (sampled over the first `symbols`) and the next opened. */
  advance(ts: number, symbols: number): void {
    const days = this.record.days;
    if (this.clock) {
      const session = this.clock.at(ts);
      if (session === undefined) {
        // between sessions: still the last day (the first one opens at the first trade)
        if (days.length > 0) this.end = ts;
        else this.open(Math.floor(ts / DAY_MS) * DAY_MS, ts);
        return;
      }
      if (days.length > 0) this.sample(symbols);
      this.open(session[0], session[1]);
      return;
    }
    if (days.length > 0) this.sample(symbols);
    const midnight = Math.floor(ts / DAY_MS) * DAY_MS;
    this.open(midnight, midnight + DAY_MS);
  }

  /** The days so far and the open day's end (a checkpoint's part: StrategyRunner.snapshot()). */
  state(): { record: DailyRecord; end: number } {
    return { record: this.record, end: this.end };
  }

  /** Replaces the days with state()'s. */
  restore(s: { record: DailyRecord; end: number }): void {
    const r = s?.record;
    if (!r || !Array.isArray(r.days) || !Array.isArray(r.equity) || typeof s.end !== 'number' || !r.fills) {
      throw new KernelInputError('bytes', 'the days of a strategy run', 'other fields');
    }
    Object.assign(this.record, r);
    this.end = s.end;
  }

  /** A fill of symbol `k` on the open day. */
  fill(k: number, size: number, price: number, fees: number, side: number): void {
    const f = this.record.fills;
    f.day.push(Math.max(0, this.record.days.length - 1));
    f.symbol.push(k);
    f.size.push(size);
    f.price.push(price);
    f.fees.push(fees);
    f.side.push(side);
  }

  /** The end of data: the open day's sample. */
  close(symbols: number): void {
    if (this.record.days.length > this.record.cash.length) this.sample(symbols);
  }

  private open(label: number, end: number): void {
    this.record.days.push(label);
    this.end = end;
  }

  private sample(symbols: number): void {
    const a = this.account;
    const d = this.record;
    d.close.push(a.lastPrice.slice(0, symbols));
    d.position.push(a.position.slice(0, symbols));
    d.cashFlow.push(a.cashFlow.slice(0, symbols));
    d.cash.push(a.cash);
    d.equity.push(a.equity());
  }
}
