/**
 * The skeleton of the engines that take trades key by key (VpinEngine, FeaturesEngine, StrategyEngine), written once:
 * a state per key made at its first frame (newState), the future guard (a frame stamped more than
 * maxFutureMs ahead refused), a frame applied already skipped and counted as `republished`
 * (recent-frames.ts), the trade rule after the key's last trade (a bad trade left out and counted, or
 * the frame refused: EngineOptions.badTrades), the key's last frame recorded. What a frame's good
 * trades do is the engine's (applyTrades); each key's state is checkpointed by the engine's
 * snapshotKey/restoreKey, and forgotten when its shard goes to another engine of the group.
 */
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import type { Trades } from '../kernels/trades.js';
import { Engine, type EngineOptions } from './engine.js';
import { FutureGuard } from './future-guard.js';
import { appliedTrades, republishedTrades, type TradeKeyFrames } from './recent-frames.js';

export abstract class TradeKeyedEngine<S extends TradeKeyFrames> extends Engine {
  /** Each key's state, made at its first frame. */
  protected readonly states = new Map<string, S>();
  protected readonly future: FutureGuard;
  /** Trades of frames skipped as applied before. */
  private republished = 0;

  /** Checks `maxFutureMs` (KernelInputError naming it) beside the engine's own options. */
  constructor(bus: Bus, options: EngineOptions & { maxFutureMs?: number }) {
    super(bus, options);
    this.future = new FutureGuard(options.maxFutureMs);
  }

  /** A key's state before its first trade. */
  protected abstract newState(key: string): S;

  /** A frame's good trades (the trade rule applied), in order, to the key's state (`message`: the frame's delivery). */
  protected abstract applyTrades(key: string, s: S, trades: Trades, message: BusMessage): void;

  /** A delivery's trades (default: its columns as they are). */
  protected tradesOf(payload: unknown): Trades {
    return payload as Trades;
  }

  /** The key's state, made at its first use. */
  protected state(key: string): S {
    let s = this.states.get(key);
    if (!s) {
      s = this.newState(key);
      this.states.set(key, s);
    }
    return s;
  }

  /**
   * A delivery: refused when stamped in the future, skipped when applied before (the same publish time
   * and last trade as one of the key's last frames), else its good trades applied. count and ts (the
   * last trade's) come from the frame: the columns may be unaligned bytes read only by applyTrades.
   */
  protected process(message: BusMessage): void {
    const n = message.count;
    this.future.check(n, message.ts);
    const s = this.state(message.key);
    if (republishedTrades(s, n, message.ts, message.sentAt)) {
      this.republished += n;
      return;
    }
    const trades = this.tradeGate.admit(message.key, message.id, this.tradesOf(message.payload), s.lastTs);
    this.applyTrades(message.key, s, trades, message);
    appliedTrades(s, n, message.ts, message.sentAt, this.tradeGate.last);
  }

  protected get keyCount(): number {
    return this.states.size;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  /** Forgets a key (its shard went to another engine of the group). */
  protected override dropKey(key: string): void {
    this.states.delete(key);
  }

  protected override extraMetrics(): Record<string, number> {
    return { republished: this.republished, future: this.future.refused };
  }

  protected override extraLevels(): Record<string, number> {
    return { symbols: this.states.size };
  }
}
