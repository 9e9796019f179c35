/**
 * The trade engines' guard against a producer whose clock runs ahead: a frame whose last trade is
 * stamped more than `maxFutureMs` after the engine's clock is refused instead of applied (one such
 * frame would make every later trade of its symbol go back in time). The clock is read only when a
 * frame passes the bound last read.
 */
import { nowMs } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';

/** VpinEngineOptions.maxFutureMs's and FeaturesEngineOptions.maxFutureMs's default. */
export const DEFAULT_MAX_FUTURE_MS = 5000;

export class FutureGuard {
  /** Trades refused. */
  refused = 0;
  /** nowMs() + maxFutureMs when last read: a frame below it needs no clock read. */
  private bound = -Infinity;
  readonly maxFutureMs: number;

  /** `maxFutureMs` checked (a number >= 0; Infinity: no guard), named as the option. */
  constructor(maxFutureMs: unknown = DEFAULT_MAX_FUTURE_MS) {
    if (typeof maxFutureMs !== 'number' || !(maxFutureMs >= 0)) {
      throw new KernelInputError('options.maxFutureMs', 'a number of ms >= 0 (Infinity: no guard)', describeValue(maxFutureMs));
    }
    this.maxFutureMs = maxFutureMs;
  }

  /**
   * Throws KernelInputError (naming `trades.ts`) for a frame of `count` trades whose last is at `ts`, too
   * far ahead. A time that is not finite is no clock's: the trade rule's (trade-gate.ts) to leave out.
   */
  check(count: number, ts: number): void {
    if (count === 0 || ts <= this.bound || !(ts < Number.POSITIVE_INFINITY)) return;
    this.bound = nowMs() + this.maxFutureMs;
    if (ts <= this.bound) return;
    this.refused += count;
    throw new KernelInputError(
      'trades.ts',
      `times at most ${this.maxFutureMs} ms ahead of the engine's clock (maxFutureMs)`,
      `a trade ${Math.round(ts - (this.bound - this.maxFutureMs))} ms ahead`,
    );
  }
}
