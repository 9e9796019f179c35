/**
 * StrategyError: what a strategy did wrong, in one line that names where (`file:line:column`), and
 * the helpers that find that place in a stack.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeValue, KernelbusError, KernelInputError } from '../errors.js';

/** kernelbus's own code (src/ or dist/, this module's folder's parent, bundled or not): frames there are not the strategy's. */
const OWN = `${dirname(dirname(fileURLToPath(import.meta.url)))}/`;

/** A strategy's mistake: a definition, an order or a callback that threw; `at` is its `file:line:column` when known. */
export class StrategyError extends KernelbusError {
  override name = 'StrategyError';
  /** `file:line:column` of the offending code, when the stack tells. */
  readonly at: string | undefined;

  constructor(message: string, at?: string, options?: { cause?: unknown }) {
    super(at ? `${at}: ${message}` : message, options);
    this.at = at;
  }
}

/** The `file:line:column` of each frame of a V8 stack, in order (frames without one are skipped). */
export function stackPlaces(stack: string | undefined): string[] {
  if (typeof stack !== 'string') return [];
  const places: string[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:.*\()?(.+?:\d+:\d+)\)?\s*$/.exec(line);
    if (m) places.push(m[1].replace(/^file:\/\//, ''));
  }
  return places;
}

/**
 * Where in `error`'s stack the strategy's code is: the first frame in `file` (a path or file URL)
 * when given, else the first frame outside kernelbus's own strategy modules.
 */
export function strategyPlace(error: unknown, file: string | undefined): string | undefined {
  const places = stackPlaces((error as { stack?: string } | undefined)?.stack);
  return fileFrame(error, file) ?? places.find((p) => !p.startsWith(OWN) && !p.startsWith('node:'));
}

/** The first frame of `error`'s stack in `file` (a path or file URL), if any. */
export function fileFrame(error: unknown, file: string | undefined): string | undefined {
  const path = file?.replace(/^file:\/\//, '');
  if (!path) return undefined;
  return stackPlaces((error as { stack?: string } | undefined)?.stack).find((p) => p.startsWith(`${path}:`));
}

/**
 * The frames of `error`'s stack that are the strategy's: from the first frame outside kernelbus's own
 * code and Node's (a ctx call's error starts in src/strategy/context.ts) to the next frame of kernelbus
 * (the runner calling the callback), each `    at ...` as the stack has it. Empty when it has none.
 */
export function strategyFrames(error: unknown): string[] {
  const stack = (error as { stack?: unknown } | undefined)?.stack;
  if (typeof stack !== 'string') return [];
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const place = stackPlaces(line)[0];
    if (place === undefined) continue;
    const own = place.startsWith(OWN) || place.startsWith('node:');
    if (own && frames.length > 0) break;
    if (!own) frames.push(`    ${line.trim().replace('file://', '')}`);
  }
  return frames;
}

/** The callbacks of a strategy, in the order a run first calls them. */
export const CALLBACKS = ['onStart', 'onBar', 'onFill', 'onReject', 'onStop'] as const;
export type CallbackName = (typeof CALLBACKS)[number];

/** One kind of callback error (a callback, a message and its place) and how often it was thrown. */
export interface CallbackErrorCount {
  callback: CallbackName;
  /** `file:line:column` in the strategy, when the stack tells. */
  place: string | undefined;
  /** The message as logged, its place first. */
  message: string;
  count: number;
  /** The first one's event time and callback detail (`2026-01-02T14:30:00.000Z`, ` at AAPL bar 3`). */
  first: string;
}

/**
 * The run stopped: its callbacks threw more than `maxErrors` times (RunnerOptions.maxErrors). Thrown out
 * of the runner's trade(), start() or stop(); `errors` holds the counts so far.
 */
export class StrategyErrorLimit extends StrategyError {
  override name = 'StrategyErrorLimit';

  /** `when`: the event time and callback of the last error (`2026-01-02T14:30:00.000Z onBar at AAPL bar 3`). */
  constructor(
    readonly strategy: string,
    readonly maxErrors: number,
    readonly errors: CallbackErrors,
    when: string,
  ) {
    const n = (x: number) => x.toLocaleString('en-US');
    super(`${strategy}: stopped at ${when}: ${n(errors.total)} callback errors, more than the ${n(maxErrors)} allowed (maxErrors)`);
  }
}

/** Kinds of errors logged as they first come (the first with its stack); the others are only counted. */
const LOGGED_KINDS = 10;

/** What CallbackErrors needs of its run. */
export interface CallbackErrorsOptions {
  /** The strategy's name (the log lines' and the summary's). */
  strategy: string;
  /** The strategy's file, for the places of its errors. */
  source?: string;
  /** The defineStrategy() call's place: an error's place when its stack names none. */
  definedAt?: string;
  /** Callback errors allowed before the run stops (StrategyErrorLimit). Default: no limit. */
  maxErrors?: number;
  log?: (line: string) => void;
}

/**
 * The errors a strategy's callbacks threw, counted by kind (callback, message and place), not logged
 * one a call: the first error is logged with its stack trimmed to the strategy's frames, each later
 * new kind in one line (up to 10 kinds), repeats only counted; summary() gives the counts at the end.
 * Also counts the calls of each callback, so that a strategy whose every call threw can be told.
 */
export class CallbackErrors {
  /** Calls of each callback, and the calls that threw. */
  readonly calls: Record<CallbackName, number> = { onStart: 0, onBar: 0, onFill: 0, onReject: 0, onStop: 0 };
  readonly failures: Record<CallbackName, number> = { onStart: 0, onBar: 0, onFill: 0, onReject: 0, onStop: 0 };
  /** Every call that threw. */
  total = 0;
  /** Set once the run stopped on maxErrors. */
  halted: StrategyErrorLimit | undefined;
  private readonly byKind = new Map<string, CallbackErrorCount>();
  readonly maxErrors: number;

  constructor(readonly options: CallbackErrorsOptions) {
    const { maxErrors = Number.POSITIVE_INFINITY } = options;
    if (!(maxErrors === Number.POSITIVE_INFINITY || (Number.isInteger(maxErrors) && maxErrors >= 0))) {
      throw new KernelInputError('options.maxErrors', 'an integer >= 0', describeValue(maxErrors));
    }
    this.maxErrors = maxErrors;
  }

  /** Counts a call of `callback` (before it runs). */
  called(callback: CallbackName): void {
    this.calls[callback]++;
  }

  /**
   * Records that a call of `callback` threw `error` at event time `stamp` (`where`: ` at AAPL bar 3`):
   * counted by kind, logged when the kind is new. Returns the StrategyErrorLimit to throw when the
   * errors are now more than maxErrors.
   */
  failed(error: unknown, callback: CallbackName, stamp: string, where: string): StrategyErrorLimit | undefined {
    const { strategy, source, definedAt, log } = this.options;
    this.total++;
    this.failures[callback]++;
    const place = error instanceof StrategyError ? error.at : (strategyPlace(error, source) ?? definedAt);
    const message = error instanceof StrategyError ? error.message : `${place ?? strategy}: ${errorText(error)}`;
    const key = `${callback}\u0000${message}`;
    const kind = this.byKind.get(key);
    if (kind) kind.count++;
    else {
      this.byKind.set(key, { callback, place, message, count: 1, first: `${stamp}${where}` });
      const n = this.byKind.size;
      if (n <= LOGGED_KINDS && log) {
        const line = `${stamp} ${strategy}: ${callback} threw${where}, its orders dropped: ${message}`;
        if (n === 1) {
          const frames = strategyFrames(error);
          log([line, ...frames, '    (the same error again is counted, not logged: the counts come at the end)'].join('\n'));
        } else log(line);
        if (n === LOGGED_KINDS)
          log(`${stamp} ${strategy}: ${LOGGED_KINDS} kinds of callback errors logged: further kinds are counted only`);
      }
    }
    if (this.total > this.maxErrors && !this.halted)
      this.halted = new StrategyErrorLimit(strategy, this.maxErrors, this, `${stamp} ${callback}${where}`);
    return this.total > this.maxErrors ? this.halted : undefined;
  }

  /** The kinds of errors, the most frequent first (ties: the first seen first). */
  kinds(): CallbackErrorCount[] {
    return [...this.byKind.values()].sort((a, b) => b.count - a.count);
  }

  /** The callbacks that were called and threw at every call (onBar 3,510 of 3,510). */
  allFailed(): CallbackName[] {
    return CALLBACKS.filter((c) => this.calls[c] > 0 && this.failures[c] === this.calls[c]);
  }

  /**
   * The counts, one line a kind (at most `most`, then how many more), after a headline: `ma-cross: 3,510
   * callback errors (onBar 3,510 of 3,510 calls)`. Empty when no callback threw.
   */
  summary(most = 10): string[] {
    if (this.total === 0) return [];
    const n = (x: number) => x.toLocaleString('en-US');
    const per = CALLBACKS.filter((c) => this.failures[c] > 0).map((c) => `${c} ${n(this.failures[c])} of ${n(this.calls[c])} calls`);
    const kinds = this.kinds();
    const width = n(kinds[0].count).length;
    const lines = [`${this.options.strategy}: ${n(this.total)} callback errors (${per.join(', ')}), by kind:`];
    for (const k of kinds.slice(0, most)) lines.push(`  ${n(k.count).padStart(width)} x ${k.callback}: ${k.message} (first: ${k.first})`);
    if (kinds.length > most) lines.push(`  and ${n(kinds.length - most)} more kinds`);
    return lines;
  }
}

/** An error's text: `TypeError: ...` (the class named unless a plain Error), or the thrown value. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : describeValue(error);
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}
