/**
 * The trade rule (src/kernels/trade-check.ts) at a trade engine's door (VPIN, features, strategy): each
 * delivery's trades are held to it, after the key's last applied trade, before they reach the key's
 * state. `skip` (the engines' default) leaves a bad trade out and counts it by reason, and the frame's
 * other trades are applied: a bad price never costs a symbol its frame. `reject` also hands each bad
 * trade to `onBadTrade`; `fail` refuses the whole delivery (KernelInputError: over Redis, dead-lettered).
 *
 * A frame read in place from received bytes (FrameTrades, usually unaligned) is checked in a scratch
 * copy of its columns, so the usual frame (every trade good) reaches the native kernels uncopied.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { FrameTrades } from '../kernels/frame-trades.js';
import {
  type BadTrade,
  badTradeError,
  type BadTradeCounts,
  type BadTradePolicy,
  type BadTradeReason,
  goodRun,
  goodTrade,
  LastTimes,
  noBadTrades,
  requireBadTradePolicy,
  screenTrades,
} from '../kernels/trade-check.js';
import type { Trades } from '../kernels/trades.js';

/** A bad trade an engine left out, for EngineOptions.onBadTrade. */
export interface EngineBadTrade {
  key: string;
  /** The delivery's entry id. */
  id: string;
  /** 0-based index of the trade in its frame. */
  index: number;
  reason: BadTradeReason;
  value: number;
  /** `<key> trade <index> of <id>: expected ..., got ...`. */
  message: string;
}

/** The rule and its counts for one engine (see the module comment). */
export class TradeGate {
  readonly policy: BadTradePolicy;
  /** Bad trades left out, by reason. */
  readonly counts: BadTradeCounts = noBadTrades();
  private readonly onBadTrade: ((bad: EngineBadTrade) => void) | undefined;
  /** Where a FrameTrades' columns are copied to be checked (grown as frames need). */
  private f64 = new Float64Array(192);
  private u8 = new Uint8Array(this.f64.buffer);
  /** goodRun()'s last time, in and out. */
  private readonly run = new Float64Array(1);
  /** After admit(): the key's last applied time (its last good trade's, else the one given). */
  last = Number.NEGATIVE_INFINITY;

  constructor(policy: unknown = 'skip', onBadTrade?: unknown) {
    this.policy = requireBadTradePolicy(policy, 'options.badTrades');
    if (onBadTrade !== undefined && typeof onBadTrade !== 'function') {
      throw new KernelInputError('options.onBadTrade', 'a function (bad) => void', describeValue(onBadTrade));
    }
    this.onBadTrade = onBadTrade as ((bad: EngineBadTrade) => void) | undefined;
  }

  /** Bad trades left out so far. */
  get total(): number {
    const c = this.counts;
    return c.ts + c.order + c.price + c.volume;
  }

  /**
   * The trades of `key`'s delivery `id` that meet the rule after `last` (the key's last applied time):
   * `trades` itself when all do (a FrameTrades left uncopied), else fresh columns of the good ones; the
   * key's last applied time after them is then `this.last`. With `fail`, the first bad trade throws its
   * KernelInputError and nothing is let in.
   */
  admit(key: string, id: string, trades: Trades, last: number): Trades {
    // the usual delivery (every trade good): one pass, nothing allocated
    if (trades instanceof FrameTrades && !trades.copied ? this.frameGood(trades, last) : this.columnsGood(trades, last)) return trades;
    const lasts = new LastTimes();
    lasts.set(0, last);
    const screened = screenTrades(trades, undefined, lasts, (bad) => this.refuse(key, id, bad));
    this.last = lasts.get(0);
    return screened.trades;
  }

  /** Whether every trade of the columns meets the rule after `last` (then this.last is the last one's time). */
  private columnsGood(trades: Trades, last: number): boolean {
    const { ts, price, volume } = trades;
    this.run[0] = last;
    if (goodRun(ts, price, volume, this.run) !== ts.length) return false;
    this.last = this.run[0];
    return true;
  }

  /**
   * columnsGood() of a frame read in place, left uncopied for the kernels: its bytes copied into the
   * gate's scratch (one memcpy: a socket's frames are seldom 8-byte aligned), then read as float64s.
   */
  private frameGood(frame: FrameTrades, last: number): boolean {
    const n = frame.rows;
    if (this.f64.length < 3 * n) {
      this.f64 = new Float64Array(Math.max(3 * n, 2 * this.f64.length));
      this.u8 = new Uint8Array(this.f64.buffer);
    }
    this.u8.set(frame.bytes);
    const x = this.f64;
    for (let i = 0; i < n; i++) {
      const t = x[i];
      const p = x[n + i];
      const v = x[2 * n + i];
      if (!goodTrade(t, p, v, last)) return false;
      last = t;
    }
    this.last = last;
    return true;
  }

  /** A bad trade: thrown (fail), else counted (and handed to onBadTrade with reject). */
  private refuse(key: string, id: string, bad: BadTrade): void {
    const error = badTradeError(bad, `${key} trade ${bad.row} of ${id}`);
    if (this.policy === 'fail') throw error;
    this.counts[bad.reason]++;
    if (this.policy === 'reject') {
      this.onBadTrade?.({ key, id, index: bad.row, reason: bad.reason, value: bad.value, message: error.message });
    }
  }
}
