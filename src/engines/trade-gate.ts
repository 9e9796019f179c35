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
import { ColumnScratch } from '../kernels/frame-trades.js';
import {
  type BadTrade,
  badTradeError,
  type BadTradeCounts,
  type BadTradePolicy,
  type BadTradeReason,
  goodRun,
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

/** What admit() lets in: the good trades, and the key's last applied time after them. */
export interface Admitted {
  trades: Trades;
  last: number;
}

/** The rule and its counts for one engine (see the module comment). */
export class TradeGate {
  readonly policy: BadTradePolicy;
  /** Bad trades left out, by reason. */
  readonly counts: BadTradeCounts = noBadTrades();
  private readonly onBadTrade: ((bad: EngineBadTrade) => void) | undefined;
  /** Where a FrameTrades' columns are copied to be checked (ColumnScratch: one buffer, views per row count). */
  private readonly scratch = new ColumnScratch();
  /** goodRun()'s last time, in and out. */
  private readonly last = new Float64Array(1);

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
   * `trades` itself when all do (a FrameTrades left uncopied), else fresh columns of the good ones.
   * With `fail`, the first bad trade throws its KernelInputError and nothing is let in.
   */
  admit(key: string, id: string, trades: Trades, last: number): Admitted {
    // the usual delivery (every trade good): one pass, nothing allocated but the answer; a frame read in
    // place is checked in a scratch copy of its columns (a memcpy, then typed-array reads: twice as fast
    // as DataView's), the frame itself left uncopied for the kernels
    const { ts, price, volume } = this.scratch.of(trades);
    this.last[0] = last;
    if (goodRun(ts, price, volume, this.last) === ts.length) return { trades, last: this.last[0] };
    const lasts = new LastTimes();
    lasts.set(0, last);
    const screened = screenTrades(trades, undefined, lasts, (bad) => this.refuse(key, id, bad));
    return { trades: screened.trades, last: lasts.get(0) };
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
