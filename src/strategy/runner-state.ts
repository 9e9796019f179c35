/**
 * The bytes of a StrategyRunner's checkpoint (StrategyRunner.snapshot() and restore()): 'KBST', a
 * version, then the run's parts packed by msgpackr as structured clones (typed arrays, Maps, NaN and
 * infinities kept). ctx.state travels the same way: plain objects, arrays, numbers, strings, booleans,
 * Maps, Sets, Dates and typed arrays come back as they were; functions and class instances do not.
 */
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';
import { KernelInputError, describeValue } from '../errors.js';
import type { AccountState } from './account.js';
import type { SymbolBarsState } from './bars.js';
import type { DailyRecord } from './days.js';
import type { PendingOrder } from './execution.js';
import type { PreTradeState } from './pretrade.js';

/** The parts of a run's checkpoint. */
export interface RunnerState {
  strategy: string;
  symbols: string[];
  bars: SymbolBarsState[];
  account: AccountState;
  book: PendingOrder[][];
  days: { record: DailyRecord; end: number };
  /** The last trade time applied, the trade sequence, the event's time. */
  clock: [number, number, number];
  started: boolean;
  stopped: boolean;
  /** StrategyRunner's counters (RunnerMetrics). */
  metrics: Record<string, number>;
  /** [`<type>\0<symbol>`, the last payload seen] (ctx.latest). */
  latest: [string, unknown][];
  state: object;
  /** The pre-trade checks' state (absent in a checkpoint written before them: a fresh one). */
  risk?: PreTradeState;
}

const MAGIC = 'KBST';
const VERSION = 1;
let packr: Packr | undefined;

/** msgpackr, loaded with the first checkpoint (as the bus loads it with the first message frame). */
function codec(): Packr {
  if (!packr) {
    const msgpackr = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
    packr = new msgpackr.Packr({ structuredClone: true, useRecords: false });
  }
  return packr;
}

/** A run's parts as bytes. */
export function encodeRunner(state: RunnerState): Uint8Array {
  return packWithHead(state, MAGIC, VERSION);
}

/** msgpackr's RESERVE_START_SPACE: `| n` leaves n bytes (< 256) at the start of what pack() returns. */
const RESERVE_START_SPACE = 2048;

/**
 * `value` packed after an 8-byte head (`magic`, 4 ASCII letters, then `version`, u32 LE), in one buffer:
 * the head written into space msgpackr leaves before the body (no second buffer, no copy of the body).
 */
export function packWithHead(value: unknown, magic: string, version: number): Uint8Array {
  const out = codec().pack(value, RESERVE_START_SPACE | 8) as Uint8Array;
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i);
  new DataView(out.buffer, out.byteOffset, 8).setUint32(4, version, true);
  return out;
}

/** The parts of encodeRunner()'s bytes for strategy `name` (KernelInputError naming `bytes` for anything else). */
export function decodeRunner(bytes: Uint8Array, name: string): RunnerState {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new KernelInputError('bytes', 'a strategy checkpoint (StrategyRunner.snapshot())', describeValue(bytes));
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (version !== VERSION) throw new KernelInputError('bytes', `a strategy checkpoint of version ${VERSION}`, `version ${version}`);
  let s: RunnerState;
  try {
    s = codec().unpack(bytes.subarray(8)) as RunnerState;
  } catch {
    throw new KernelInputError('bytes', 'a whole strategy checkpoint', 'a truncated or damaged one');
  }
  return checkRunnerState(s, name);
}

/** `s` when it has a run's parts (decodeRunner()'s, or a checkpoint's taken in parts) for strategy `name`; else KernelInputError naming `bytes`. */
export function checkRunnerState(s: RunnerState, name: string): RunnerState {
  const ok =
    typeof s === 'object' &&
    s !== null &&
    Array.isArray(s.symbols) &&
    s.symbols.every((x) => typeof x === 'string') &&
    Array.isArray(s.bars) &&
    s.bars.length === s.symbols.length &&
    Array.isArray(s.clock) &&
    s.clock.length === 3 &&
    s.clock.every((x) => typeof x === 'number') &&
    typeof s.started === 'boolean' &&
    typeof s.stopped === 'boolean' &&
    typeof s.metrics === 'object' &&
    Array.isArray(s.latest) &&
    typeof s.state === 'object' &&
    s.state !== null;
  if (!ok) throw new KernelInputError('bytes', 'a whole strategy checkpoint', 'other fields');
  if (s.strategy !== name) throw new KernelInputError('bytes', `a checkpoint of strategy '${name}'`, `one of '${String(s.strategy)}'`);
  return s;
}

/** Any structured value (typed arrays, Maps, NaN kept) as msgpackr bytes: the parts of an engine's checkpoint. */
export function packStructured(value: unknown): Uint8Array {
  return codec().pack(value);
}

/** packStructured()'s value back (KernelInputError naming `bytes` when they do not decode). */
export function unpackStructured(bytes: Uint8Array): unknown {
  try {
    return codec().unpack(bytes);
  } catch {
    throw new KernelInputError('bytes', 'a whole checkpoint', 'a truncated or damaged one');
  }
}
