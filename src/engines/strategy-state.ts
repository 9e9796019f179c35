/**
 * The StrategyEngine's checkpointed state (Engine.wholeState): each strategy's run, the trades the
 * merge holds and each symbol's last frame (its last trade time and publish time: the republished
 * frames' rule, ./recent-frames.ts; a checkpoint written before they were kept restores the publish
 * time as -Infinity). Written whole (snapshot(): the format of every
 * StrategyEngine checkpoint so far, version 1), then as deltas (delta(): what changed since the last
 * snapshot() or delta()): each run's StrategyRunner.delta() (the symbols it touched since, and the
 * shared part: cash, days, clock, ctx.state), the merge's queues of the symbols pushed since or holding
 * trades then, and their last frames. restore(whole, deltas) brings the whole forward by the
 * deltas, checks every part on fresh objects, and only then replaces the engine's state.
 */
import { KernelInputError } from '../errors.js';
import type { MergeState, TradeMerge } from '../strategy/merge.js';
import { packStructured, unpackStructured } from '../strategy/runner-state.js';
import type { StrategyRunner } from '../strategy/runner.js';
import type { TradeKeyFrames } from './recent-frames.js';

/** A symbol's last frame: [symbol, last trade time, publish time] (the last absent before it was kept). */
type LastFrame = [string, number, number?];

/** What the state is made of: the engine's parts (read and replaced here) and fresh ones to check a restore on. */
export interface StrategyStateParts {
  readonly runners: readonly StrategyRunner<object>[];
  readonly merge: TradeMerge;
  /** Each symbol's last frame (the engine's per-key state). */
  readonly symbols: Map<string, TradeKeyFrames>;
  /** A symbol before its first trade. */
  newSymbol(): TradeKeyFrames;
  /** A runner of strategy `i`, fresh (a restore is tried on it first). */
  freshRunner(i: number): StrategyRunner<object>;
  /** A merge, fresh (likewise). */
  freshMerge(): TradeMerge;
}

/** The whole state's fields (version 1). */
interface Whole {
  version: 1;
  runners: Uint8Array[];
  merge: MergeState;
  lastTs: LastFrame[];
}

/** A delta's fields: the runs' deltas, the merge's changed queues, the changed last trade times. */
interface Delta {
  version: 1;
  kind: 'delta';
  runners: Uint8Array[];
  merge: MergeState;
  lastTs: LastFrame[];
}

/** A symbol's last frame as the checkpoint holds it. */
function lastFrame(symbol: string, s: TradeKeyFrames | undefined): LastFrame {
  return [symbol, s?.lastTs ?? Number.NEGATIVE_INFINITY, s?.lastSentAt ?? Number.NEGATIVE_INFINITY];
}

/** The engine's state as checkpoints (see the module comment). */
export class StrategyState {
  /** Symbols pushed into the merge since the last checkpoint. */
  private readonly pushed = new Set<string>();
  /** Symbols whose trades the merge held at the last checkpoint (the release may have handed them out since). */
  private held: string[] = [];

  constructor(private readonly parts: StrategyStateParts) {}

  /** Notes that trades of `symbol` went into the merge. */
  push(symbol: string): void {
    this.pushed.add(symbol);
  }

  /** The whole state as bytes; the base of the next delta(). */
  snapshot(): Uint8Array {
    const { runners, merge, symbols } = this.parts;
    const bytes = packStructured({
      version: 1,
      runners: runners.map((r) => r.snapshot()),
      merge: merge.state(),
      lastTs: [...symbols].map(([symbol, s]) => lastFrame(symbol, s)),
    } satisfies Whole);
    this.mark();
    return bytes;
  }

  /** What changed since the last snapshot(), delta() or restore(), as bytes (see the module comment). */
  delta(): Uint8Array {
    const { runners, merge, symbols } = this.parts;
    const changed = new Set([...this.pushed, ...this.held]);
    const bytes = packStructured({
      version: 1,
      kind: 'delta',
      runners: runners.map((r) => r.delta()),
      merge: merge.state(changed),
      lastTs: [...this.pushed].map((symbol) => lastFrame(symbol, symbols.get(symbol))),
    } satisfies Delta);
    this.mark();
    return bytes;
  }

  private mark(): void {
    this.pushed.clear();
    this.held = this.parts.merge.heldSymbols();
  }

  /**
   * Replaces the state with snapshot()'s bytes brought forward by the delta()s written after them
   * (KernelInputError naming `bytes`, nothing changed, when they are not a checkpoint of these strategies).
   */
  restore(bytes: Uint8Array, deltas: readonly Uint8Array[]): void {
    const { runners, merge, symbols } = this.parts;
    const s = unpackStructured(bytes) as Partial<Whole> | undefined;
    if (
      s?.version !== 1 ||
      !Array.isArray(s.runners) ||
      s.runners.length !== runners.length ||
      !s.runners.every((b) => b instanceof Uint8Array) ||
      !Array.isArray(s.lastTs) ||
      !Array.isArray(s.merge)
    ) {
      throw new KernelInputError('bytes', `a StrategyEngine checkpoint of ${runners.length} strategies`, 'another one');
    }
    const runDeltas: Uint8Array[][] = runners.map(() => []);
    const queues = new Map(s.merge.map((q) => [q?.symbol, q]));
    const frames = new Map(s.lastTs.map((f) => [f[0], f]));
    for (const bytes of deltas) {
      const d = unpackStructured(bytes) as Partial<Delta> | undefined;
      if (
        d?.version !== 1 ||
        d.kind !== 'delta' ||
        !Array.isArray(d.runners) ||
        d.runners.length !== runners.length ||
        !Array.isArray(d.merge) ||
        !Array.isArray(d.lastTs)
      ) {
        throw new KernelInputError('bytes', `an incremental StrategyEngine checkpoint of ${runners.length} strategies`, 'another one');
      }
      d.runners.forEach((b, i) => runDeltas[i].push(b));
      for (const q of d.merge) queues.set(q?.symbol, q);
      for (const f of d.lastTs) frames.set(f[0], f);
    }
    const held = [...queues.values()];
    // every part checked on fresh objects first: a bad one leaves the engine as it was
    this.parts.freshMerge().restore(held);
    s.runners.forEach((b, i) => this.parts.freshRunner(i).restore(b, runDeltas[i]));
    s.runners.forEach((b, i) => runners[i].restore(b, runDeltas[i]));
    merge.restore(held);
    symbols.clear();
    for (const [symbol, ts, sentAt] of frames.values()) {
      const frame = this.parts.newSymbol();
      frame.lastTs = ts;
      frame.lastSentAt = sentAt ?? Number.NEGATIVE_INFINITY;
      symbols.set(symbol, frame);
    }
    this.mark();
  }
}
