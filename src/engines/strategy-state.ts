/**
 * The StrategyEngine's checkpointed state (Engine.wholeState): each strategy's run, the trades the
 * merge holds and each symbol's last frame (its last trade time and publish time: the republished
 * frames' rule, ./recent-frames.ts; a checkpoint written before they were kept restores the publish
 * time as -Infinity). Written whole (snapshot(): the format of every
 * StrategyEngine checkpoint so far, version 1), then as deltas (delta(): what changed since the last
 * snapshot() or delta()): each run's StrategyRunner.delta() (the symbols it touched since, and the
 * shared part: cash, days, clock, ctx.state), the merge's queues of the symbols pushed since or holding
 * trades then, and their last frames. The engine takes both by capture() instead: the same fields,
 * encoded over several turns of the event loop (version 2). restore(whole, deltas) reads either
 * version, brings the whole forward by the deltas, checks every part on fresh objects, and only then
 * replaces the engine's state.
 */
import { KernelInputError } from '../errors.js';
import { type MergeColumns, type MergeState, mergeRows, type TradeMerge } from '../strategy/merge.js';
import { runnerFromParts } from '../strategy/runner-capture.js';
import type { RunnerDelta } from '../strategy/runner-delta.js';
import { packStructured, type RunnerState, unpackStructured } from '../strategy/runner-state.js';
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

/** The whole state's fields: each run's snapshot() bytes (version 1) or its parts put together (version 2, capture()). */
export interface Whole {
  version: 1 | 2;
  kind?: 'whole';
  runners: (Uint8Array | RunnerState)[];
  merge: MergeState;
  lastTs: LastFrame[];
}

/** A delta's fields: the runs' deltas (bytes or parts put together), the merge's changed queues, the changed last trade times. */
export interface Delta {
  version: 1 | 2;
  kind: 'delta';
  runners: (Uint8Array | RunnerDelta)[];
  merge: MergeState;
  lastTs: LastFrame[];
}

/** A symbol's last frame as the checkpoint holds it. */
function lastFrame(symbol: string, s: TradeKeyFrames | undefined): LastFrame {
  return [symbol, s?.lastTs ?? Number.NEGATIVE_INFINITY, s?.lastSentAt ?? Number.NEGATIVE_INFINITY];
}

/** The last frames as capture() packs them. */
interface FrameColumns {
  symbols: string[];
  ts: Float64Array;
  sentAt: Float64Array;
}

function frameColumns(frames: LastFrame[]): FrameColumns {
  return {
    symbols: frames.map((f) => f[0]),
    ts: Float64Array.from(frames, (f) => f[1]),
    sentAt: Float64Array.from(frames, (f) => f[2] ?? Number.NEGATIVE_INFINITY),
  };
}

/** frameColumns() back as frames (undefined when they do not fit). */
function frameRows(c: FrameColumns): LastFrame[] | undefined {
  const ok =
    Array.isArray(c?.symbols) &&
    c.ts instanceof Float64Array &&
    c.sentAt instanceof Float64Array &&
    c.ts.length === c.symbols.length &&
    c.sentAt.length === c.symbols.length;
  return ok ? c.symbols.map((symbol, i) => [symbol, c.ts[i], c.sentAt[i]]) : undefined;
}

/** capture()'s magic, and the longest it holds the loop at a time, ms (about: a symbol's part is taken whole). */
const MAGIC = 'KBEC';
const SLICE_MS = 0.3;

/** The next turn of the event loop (I/O handled in between). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A checkpoint's fields (`kind` the one expected): snapshot()'s or delta()'s bytes (version 1), or capture()'s
 * (version 2) with each run's parts put together; KernelInputError naming `bytes` when they are neither.
 */
export function decodeState(bytes: Uint8Array, kind: 'whole' | 'delta', runs: number): Whole | Delta {
  const refuse = (actual: string) =>
    new KernelInputError('bytes', `${kind === 'whole' ? 'a' : 'an incremental'} StrategyEngine checkpoint of ${runs} strategies`, actual);
  const parts = partsOf(bytes);
  const s = unpackStructured(parts ? parts[0] : bytes) as
    | { version?: unknown; kind?: unknown; runners?: unknown[]; merge?: unknown; lastTs?: unknown }
    | undefined;
  const version = parts ? 2 : 1;
  if (parts && s?.version === 2) {
    s.merge = mergeRows(s.merge as MergeColumns);
    s.lastTs = frameRows(s.lastTs as FrameColumns);
  }
  if (
    s?.version !== version ||
    s.kind !== (kind === 'delta' ? 'delta' : parts ? 'whole' : undefined) ||
    !Array.isArray(s.runners) ||
    s.runners.length !== runs ||
    !Array.isArray(s.merge) ||
    !Array.isArray(s.lastTs)
  ) {
    throw refuse('another one');
  }
  if (!parts) {
    if (!s.runners.every((b) => b instanceof Uint8Array)) throw refuse('another one');
    return s as Whole | Delta;
  }
  // version 2: each run's head, then its count of symbol parts
  let at = 1;
  const runners = s.runners.map((count) => {
    const n = count as number;
    if (!(Number.isInteger(n) && n >= 0 && at + 1 + n <= parts.length)) throw refuse('parts that do not add up');
    const run = runnerFromParts(kind, parts[at], parts.slice(at + 1, at + 1 + n));
    at += 1 + n;
    return run;
  });
  if (at !== parts.length) throw refuse('parts that do not add up');
  return { ...s, runners } as unknown as Whole | Delta;
}

/** capture()'s parts of `bytes` (views), or undefined when they are not capture()'s; KernelInputError naming `bytes` when cut short. */
function partsOf(bytes: Uint8Array): Uint8Array[] | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 12) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  let at = 12 + 4 * count;
  if (view.getUint32(4, true) !== 2 || count < 1 || at > bytes.byteLength)
    throw new KernelInputError('bytes', 'a StrategyEngine checkpoint of version 2', 'a truncated or damaged one');
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const n = view.getUint32(12 + 4 * i, true);
    if (at + n > bytes.byteLength)
      throw new KernelInputError('bytes', 'a StrategyEngine checkpoint of version 2', 'a truncated or damaged one');
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (at !== bytes.byteLength) throw new KernelInputError('bytes', 'a StrategyEngine checkpoint of version 2', 'bytes after its parts');
  return parts;
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
   * snapshot() (kind 'whole') or delta() ('delta') of the state now, encoded over several event-loop
   * turns, none holding the loop for more than about `sliceMs` (SLICE_MS; 0: a part a turn) but for
   * the copies made now (./../strategy/runner-capture.ts: a symbol's bars are taken before its next
   * trade changes them), into one buffer whose first `reserve` bytes are the caller's. Bytes (version
   * 2): 'KBEC', the version and the parts' count (u32 LE), each part's length (u32 LE), then the parts:
   * the engine's head (kind, the merge's queues and the last frames as columns, each run's count of
   * symbol parts), then per run its head and its symbols' parts. restore() reads them as it reads
   * snapshot()'s and delta()'s.
   */
  async capture(kind: 'whole' | 'delta', reserve = 0, sliceMs = SLICE_MS): Promise<Uint8Array> {
    const { runners, merge, symbols } = this.parts;
    const runs = runners.map((r) => r.capture(kind));
    const changed = kind === 'delta' ? new Set([...this.pushed, ...this.held]) : undefined;
    const frames =
      kind === 'delta'
        ? [...this.pushed].map((symbol) => lastFrame(symbol, symbols.get(symbol)))
        : [...symbols].map(([symbol, s]) => lastFrame(symbol, s));
    // copies now, as columns (a few typed arrays pack faster than one per symbol), packed on the next turn
    const fields = {
      version: 2,
      kind,
      merge: merge.columns(changed),
      lastTs: frameColumns(frames),
      runners: runs.map((r) => r.parts.length),
    };
    this.mark();
    await nextTurn();
    const head = packStructured(fields);
    await nextTurn();
    let deadline = performance.now() + sliceMs;
    for (const run of runs) {
      while (!run.step(deadline)) {
        await nextTurn();
        deadline = performance.now() + sliceMs;
      }
    }
    // the buffer made and filled from a turn of its own (its allocation and first copies are not a slice's tail)
    await nextTurn();
    deadline = performance.now() + sliceMs;
    const parts = [head, ...runs.flatMap((r) => [r.head, ...r.parts])];
    const start = reserve + 12 + 4 * parts.length;
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, start));
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let i = 0; i < 4; i++) out[reserve + i] = MAGIC.charCodeAt(i);
    view.setUint32(reserve + 4, 2, true);
    view.setUint32(reserve + 8, parts.length, true);
    let at = start;
    for (let i = 0; i < parts.length; i++) {
      view.setUint32(reserve + 12 + 4 * i, parts[i].byteLength, true);
      out.set(parts[i], at);
      at += parts[i].byteLength;
      if (performance.now() >= deadline) {
        await nextTurn();
        deadline = performance.now() + sliceMs;
      }
    }
    return out;
  }

  /**
   * Replaces the state with snapshot()'s or capture('whole')'s bytes brought forward by the delta()s or
   * capture('delta')s written after them (KernelInputError naming `bytes`, nothing changed, when they
   * are not a checkpoint of these strategies).
   */
  restore(bytes: Uint8Array, deltas: readonly Uint8Array[]): void {
    const { runners, merge, symbols } = this.parts;
    // decoded twice: a fresh run is brought forward in place to check it, then the engine's
    const decode = () => {
      const s = decodeState(bytes, 'whole', runners.length);
      const runDeltas: (Uint8Array | RunnerDelta)[][] = runners.map(() => []);
      const queues = new Map(s.merge.map((q) => [q?.symbol, q]));
      const frames = new Map(s.lastTs.map((f) => [f[0], f]));
      for (const b of deltas) {
        const d = decodeState(b, 'delta', runners.length);
        (d as Delta).runners.forEach((r, i) => runDeltas[i].push(r));
        for (const q of d.merge) queues.set(q?.symbol, q);
        for (const f of d.lastTs) frames.set(f[0], f);
      }
      return { runners: (s as Whole).runners, runDeltas, held: [...queues.values()], frames };
    };
    const check = decode();
    // every part checked on fresh objects first: a bad one leaves the engine as it was
    this.parts.freshMerge().restore(check.held);
    check.runners.forEach((b, i) => this.parts.freshRunner(i).restore(b, check.runDeltas[i]));
    const s = decode();
    s.runners.forEach((b, i) => runners[i].restore(b, s.runDeltas[i]));
    merge.restore(s.held);
    symbols.clear();
    for (const [symbol, ts, sentAt] of s.frames.values()) {
      const frame = this.parts.newSymbol();
      frame.lastTs = ts;
      frame.lastSentAt = sentAt ?? Number.NEGATIVE_INFINITY;
      symbols.set(symbol, frame);
    }
    this.mark();
  }
}
