/**
 * A StrategyRunner's checkpoint taken at one moment and encoded over several event-loop turns
 * (StrategyRunner.capture()), so that no turn holds the loop for long. At the capture's moment the
 * shared fields (cash, the account's entries, orders, days, clock, counters) are copied and ctx.state
 * and the observed payloads packed (the strategy's own objects, which may change after); the first
 * step() packs those copies as the head; each symbol's bars are packed as a part of their own, a few a
 * step, or at once when a trade of that symbol comes first (before(): its bars are then still as they
 * were at the moment of the capture). Head and parts are the fields of snapshot()'s or delta()'s state
 * with the bars taken out (runnerFromParts() puts them back), packed by msgpackr as structured clones,
 * as those are.
 */
import { KernelInputError } from '../errors.js';
import type { SymbolBarsChange, SymbolBarsState } from './bars.js';
import type { RunnerDelta } from './runner-delta.js';
import { packStructured, type RunnerState, unpackStructured } from './runner-state.js';

/**
 * What a capture's head holds of the strategy's own objects (ctx.state, the observed payloads), packed
 * at the capture's moment: they may change after it. The head's other fields are copies made then.
 */
interface Live {
  live: Uint8Array;
}
/** A whole capture's head: snapshot()'s fields but the bars (one part per symbol, in index order). */
export type WholeHead = Omit<RunnerState, 'bars' | 'state' | 'latest'> & Live;
/** A delta capture's head: delta()'s fields but the bars; `old` parts of [index, change] (the touched symbols), then one state per new symbol. */
export type DeltaHead = Omit<RunnerDelta, 'bars' | 'newBars' | 'state' | 'latest'> & Live & { old: number };

/** ctx.state and the observed payloads ([key, payload] pairs), packed now: a head's `live`. */
export function packLive(state: object, latest: [string, unknown][]): Uint8Array {
  return packStructured([state, latest]);
}

/** One capture of a run (see the module comment). */
export class RunnerCapture {
  /** Per symbol index at the capture: the position of its part, -1 once taken or when it has none. */
  private readonly waiting: Int32Array;
  private readonly taken: (Uint8Array | undefined)[];
  private packedHead: Uint8Array | undefined;
  private next = 0;
  private left: number;

  /**
   * @param fields the shared fields (copies, and the `live` part packed), packed at the first step
   * @param order the symbol indexes whose parts follow, in the parts' order
   * @param part symbol `k`'s part (the `i`-th) as it is now, packed at once (it may hold views of the run's arrays)
   */
  constructor(
    private readonly fields: WholeHead | DeltaHead,
    private readonly order: readonly number[],
    private readonly part: (k: number, i: number) => unknown,
    symbols: number,
  ) {
    this.waiting = new Int32Array(symbols).fill(-1);
    order.forEach((k, i) => {
      this.waiting[k] = i;
    });
    this.taken = new Array(order.length);
    this.left = order.length;
  }

  /** Whether the head and every part are packed. */
  get done(): boolean {
    return this.left === 0 && this.packedHead !== undefined;
  }

  /** The shared fields, packed (at the first step, or now). */
  get head(): Uint8Array {
    this.packedHead ??= packStructured(this.fields);
    return this.packedHead;
  }

  /** The parts, in order (once done). */
  get parts(): Uint8Array[] {
    return this.taken as Uint8Array[];
  }

  /** Takes symbol `k`'s part now when it is still to take: call it before `k`'s bars change. */
  before(k: number): void {
    if (k < this.waiting.length && this.waiting[k] >= 0) this.take(k);
  }

  /** Packs the head, then takes the parts still to take, until performance.now() passes `deadline`; true once all are. */
  step(deadline: number): boolean {
    if (this.packedHead === undefined) {
      this.packedHead = packStructured(this.fields);
      if (performance.now() >= deadline) return this.done;
    }
    while (this.left > 0) {
      const k = this.order[this.next++];
      if (this.waiting[k] < 0) continue;
      this.take(k);
      if (performance.now() >= deadline) break;
    }
    return this.done;
  }

  private take(k: number): void {
    const i = this.waiting[k];
    this.waiting[k] = -1;
    this.taken[i] = packStructured(this.part(k, i));
    this.left--;
  }
}

/**
 * A run's state (kind 'whole') or delta ('delta') from a capture's head and parts, as decodeRunner() or
 * decodeRunnerDelta() give it (their checks are the caller's: checkRunnerState(), checkRunnerDelta());
 * KernelInputError naming `bytes` when the parts do not decode or do not fit the head.
 */
export function runnerFromParts(kind: 'whole' | 'delta', head: Uint8Array, parts: readonly Uint8Array[]): RunnerState | RunnerDelta {
  const h = unpackStructured(head) as (WholeHead & DeltaHead) | undefined;
  const values = parts.map(unpackStructured);
  const live = h && typeof h === 'object' && h.live instanceof Uint8Array ? unpackStructured(h.live) : undefined;
  if (!Array.isArray(live) || live.length !== 2)
    throw new KernelInputError('bytes', 'a strategy checkpoint taken in parts', 'another head');
  const { old, live: _, ...rest } = h!;
  const [state, latest] = live as [object, [string, unknown][]];
  if (kind === 'whole') return { ...rest, state, latest, bars: values as SymbolBarsState[] };
  if (!(Number.isInteger(old) && old >= 0 && old <= values.length)) {
    throw new KernelInputError(
      'bytes',
      'an incremental strategy checkpoint taken in parts',
      `${String(old)} changed symbols of ${values.length} parts`,
    );
  }
  return {
    ...rest,
    state,
    latest,
    bars: values.slice(0, old) as [number, SymbolBarsChange][],
    newBars: values.slice(old) as SymbolBarsState[],
  };
}
