/**
 * `kernelbus/replay`: recorded tapes onto the bus. replay() publishes trades (TRADE_EXECUTION, with
 * bid and ask as 5-column frames when the tape has them) from files or tables, merged in time order
 * across files and symbols, and dated messages (RETURNS_UPDATE rows, FACTOR_INPUT cross-sections)
 * among them by time: as fast as the bus takes them (`speed: 'max'`, with its backpressure) or at the
 * tape's own pace times `speed`. Trades keep the tape's timestamps (a loop shifts them so they keep
 * rising), so engines compute on tape time exactly as vpin() over the same rows does.
 */
import type { Bus } from '../bus/bus.js';
import { KernelInputError, describeValue } from '../errors.js';
import { type BadTradesReport, mergeBadTrades } from '../io/trade-screen.js';
import { type BadTradePolicy, requireBadTradePolicy } from '../kernels/trade-check.js';
import { Merge, type SliceSink } from './merge.js';
import { lanesOf, type ReplaySource } from './sources.js';

export { barsTape, returnsBarsTape, tapeBars, type Session, type TapeBars, type TapeBarsOptions } from './bars.js';
export {
  returnsTape,
  symbolOfPath,
  type MessageTape,
  type ReplaySource,
  type TradesFile,
  type TradesTape,
} from './sources.js';

/** Options of replay(). */
export interface ReplayOptions {
  /** 'max' (default): as fast as the bus accepts; a number > 0: the tape's pace times it (1: real time). */
  speed?: number | 'max';
  /** Replay rows at or after this time (epoch ms, or an ISO 8601 string). */
  from?: number | string;
  /** Replay rows before this time (epoch ms, or an ISO 8601 string). */
  to?: number | string;
  /** Only these symbols' trades (default: all). */
  symbols?: readonly string[];
  /** Times to play the tape (default 1; Infinity: until stopped). Each pass after the first shifts the trades' timestamps by the tape's span + 1 ms; dated messages play in the first pass only. */
  loop?: number;
  /** Rows per slice at most (default 65,536): what goes out between two turns of the event loop. */
  sliceRows?: number;
  /**
   * At a paced speed, the least wall time between two slices (ms, default 2; a timer): what falls due
   * meanwhile goes out together, a frame a symbol, each row at most about tickMs after its time. A
   * slice cut short (by sliceRows, a chunk's end, a message) is followed at once. 0: the next slice as
   * soon as the last one was handed to the bus: under load the loop then never waits (at 200,000
   * trades/s a row is always due), so the replay takes a core and publishes more, smaller frames, each
   * costing the publisher, Redis and every consumer (docs/replay.md#pace).
   */
  tickMs?: number;
  /**
   * A trade that breaks the trade rule (a time not finite or before its symbol's previous trade, a
   * price not > 0, a volume < 0): 'fail' (default) stops the replay at it, naming file:line, after
   * every row before it was published; 'skip' leaves it out (counted in the summary's `badTrades`);
   * 'reject' also lists it there. Nothing that breaks the rule is published.
   */
  badTrades?: BadTradePolicy;
  /** Stops the replay after the current slice (what was published stays published). */
  signal?: AbortSignal;
  /** Called about every `progressMs` (default 250) and at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  progressMs?: number;
}

/** Where a replay is. */
export interface ReplayProgress {
  /** Trades and messages published so far. */
  trades: number;
  messages: number;
  /** Tape time (epoch ms, shifted in later loops) of the last row published; NaN before the first. */
  tapeTs: number;
  /** Wall ms since the replay started. */
  elapsedMs: number;
  /** How far behind the pace the last row went out (ms; 0 at speed 'max'). */
  lagMs: number;
  /** The pass (0-based). */
  loop: number;
}

/** What replay() did. */
export interface ReplaySummary extends ReplayProgress {
  /** The tape's symbols (those options.symbols keeps), in the order the merge met them. */
  symbols: string[];
  /** Tape time of the first row published (NaN: none). */
  firstTs: number;
  /** Rows the readers skipped as bad (`read: { skipBadRows: true }`). */
  skippedRows: number;
  /** What the trade rule found (options.badTrades): counts by reason, the first, with 'reject' each. */
  badTrades: BadTradesReport;
  /** The largest lag behind the pace (ms). */
  maxLagMs: number;
  /** 'abort' when the signal stopped it early. */
  stopped?: 'abort';
}

const DEFAULT_SLICE_ROWS = 65_536;
const DEFAULT_TICK_MS = 2;

/** Epoch ms of a from/to option (KernelInputError naming it). */
function timeOption(value: number | string | undefined, name: string, otherwise: number): number {
  if (value === undefined) return otherwise;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new KernelInputError(name, 'epoch ms or an ISO 8601 time', describeValue(value));
  return ms;
}

/** Checked options. */
function resolve(options: ReplayOptions) {
  const { speed = 'max', loop = 1, sliceRows = DEFAULT_SLICE_ROWS, progressMs = 250, tickMs = DEFAULT_TICK_MS } = options;
  if (speed !== 'max' && !(typeof speed === 'number' && speed > 0 && Number.isFinite(speed))) {
    throw new KernelInputError('options.speed', "'max' or a finite number > 0", describeValue(speed));
  }
  if (!(loop === Number.POSITIVE_INFINITY || (Number.isInteger(loop) && loop >= 1))) {
    throw new KernelInputError('options.loop', 'an integer >= 1 or Infinity', describeValue(loop));
  }
  if (!(Number.isInteger(sliceRows) && sliceRows >= 1))
    throw new KernelInputError('options.sliceRows', 'an integer >= 1', describeValue(sliceRows));
  if (!(typeof tickMs === 'number' && tickMs >= 0 && tickMs <= 1000))
    throw new KernelInputError('options.tickMs', 'a number of ms from 0 to 1000', describeValue(tickMs));
  if (!(progressMs > 0)) throw new KernelInputError('options.progressMs', 'a number > 0', describeValue(progressMs));
  const from = timeOption(options.from, 'options.from', Number.NEGATIVE_INFINITY);
  const to = timeOption(options.to, 'options.to', Number.POSITIVE_INFINITY);
  if (!(from < to)) throw new KernelInputError('options.to', `a time after options.from (${options.from})`, describeValue(options.to));
  let symbols: Set<string> | undefined;
  if (options.symbols !== undefined) {
    if (!Array.isArray(options.symbols) || options.symbols.some((s) => typeof s !== 'string')) {
      throw new KernelInputError('options.symbols', 'an array of symbol names', describeValue(options.symbols));
    }
    symbols = new Set(options.symbols);
  }
  const badTrades = requireBadTradePolicy(options.badTrades ?? 'fail', 'options.badTrades');
  return { speed, loop, sliceRows, progressMs, tickMs, badTrades, filter: { from, to, symbols } };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const turn = () => new Promise<void>((r) => setImmediate(r));

/** `work`, or sooner once `signal` aborts (a bus that does not make room while its Redis is down). */
function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve();
  return Promise.race([work, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
}

/**
 * Publishes recorded tapes on `bus` (see the module comment) and resolves once every row was handed to
 * the bus (call `bus.flush()` or `bus.close()` to have them stored). `sources`: trade files (paths or
 * `{ path, symbol, read }`; a file without a symbol column is the symbol its name starts with), trades
 * in memory (`{ trades, symbols }` as readTrades returns them, or `{ trades, symbol }`), and dated
 * messages (`{ type, key, ts, payload }`, e.g. returnsTape()). Bad options and sources throw
 * KernelInputError naming them; a bad row stops the replay with its `file:line:column` after every row
 * before it was published (or is skipped and counted with `read: { skipBadRows: true }`).
 * @example await replay(bus, ['AAPL.csv', 'MSFT.parquet'], { speed: 10 }); await bus.flush();
 */
export async function replay(
  bus: Bus,
  sources: ReplaySource | readonly ReplaySource[],
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const list = Array.isArray(sources) ? (sources as readonly ReplaySource[]) : [sources as ReplaySource];
  const nameOf = Array.isArray(sources) ? (i: number) => `sources[${i}]` : () => 'source';
  if (list.length === 0) throw new KernelInputError('sources', 'at least one source', '[]');
  const { speed, loop, sliceRows, progressMs, tickMs, badTrades, filter } = resolve(options);
  // the first pass's lanes, made (and the sources checked) before anything is published
  let lanes = lanesOf(list, nameOf, badTrades);
  let bad: BadTradesReport = mergeBadTrades(badTrades, []);

  let full = false;
  const sink: SliceSink = {
    trades(key, ts, price, volume, bid, ask) {
      const trade = bid && ask ? { key, ts, price, volume, bid, ask } : { key, ts, price, volume };
      if (!bus.publishSync('TRADE_EXECUTION', trade)) full = true;
    },
    message(type, key, ts, payload) {
      if (!bus.publishSync(type, { key, ts, payload })) full = true;
    },
  };
  const started = performance.now();
  let symbols: string[] = [];
  const state = { trades: 0, messages: 0, tapeTs: Number.NaN, firstTs: Number.NaN, lagMs: 0, maxLagMs: 0, skipped: 0 };
  let lastProgress = started;
  const progress = (pass: number): ReplayProgress => ({
    trades: state.trades,
    messages: state.messages,
    tapeTs: state.tapeTs,
    elapsedMs: performance.now() - started,
    lagMs: state.lagMs,
    loop: pass,
  });
  // the pace: tape time t goes out at wall time paceFrom + (t - t0) / speed, the clock started when the
  // first row is in hand (opening and reading the sources' first rows takes time: a clock started
  // before it would send that much of the tape at once)
  let t0 = Number.NaN;
  let paceFrom = started;
  let shift = 0;
  let pass = 0;
  let stopped: 'abort' | undefined;
  for (; pass < loop && stopped === undefined; pass++) {
    if (pass > 0) lanes = lanesOf(list, nameOf, badTrades).filter((l) => l.kind === 'trades');
    const merge = new Merge(lanes, filter, shift);
    let passFirst = Number.NaN;
    let passLast = Number.NaN;
    try {
      for (;;) {
        const now = performance.now();
        if (options.onProgress && now - lastProgress >= progressMs) {
          lastProgress = now;
          state.skipped = merge.skipped();
          options.onProgress(progress(pass));
        }
        if (options.signal?.aborted) {
          stopped = 'abort';
          break;
        }
        const next = await merge.peek();
        if (next === Number.POSITIVE_INFINITY) break;
        if (t0 !== t0) {
          t0 = next;
          paceFrom = performance.now();
        }
        let until = Number.POSITIVE_INFINITY;
        if (speed !== 'max') {
          const wait = (next + shift - t0) / speed - (performance.now() - paceFrom);
          if (wait > 0) {
            // not due yet: a timer, never a loop of turns (at 200,000 trades/s the next trade is always
            // microseconds away, and spinning kept a core busy); what falls due meanwhile goes out together
            await sleep(Math.min(wait, progressMs));
            continue;
          }
          until = t0 + (performance.now() - paceFrom) * speed - shift;
        }
        const r = merge.take(until, sliceRows, sink);
        if (r.trades + r.messages > 0) {
          state.trades += r.trades;
          state.messages += r.messages;
          state.tapeTs = r.last + shift;
          if (passFirst !== passFirst) passFirst = next;
          passLast = r.last;
          if (state.firstTs !== state.firstTs) state.firstTs = next + shift;
          if (speed !== 'max') {
            state.lagMs = Math.max(0, performance.now() - paceFrom - (r.last + shift - t0) / speed);
            state.maxLagMs = Math.max(state.maxLagMs, state.lagMs);
          }
        }
        // let the batcher flush and the consumers run; wait while the bus is past its queue limit
        if (full) {
          full = false;
          await untilAborted(bus.room(), options.signal);
        }
        // at a pace, a timer before the next slice (see ReplayOptions.tickMs), unless this one was cut
        // short (its rows are due); the batcher flushes meanwhile
        await (speed !== 'max' && tickMs > 0 && !r.cut ? sleep(tickMs) : turn());
      }
      state.skipped = merge.skipped();
    } finally {
      if (pass === 0) {
        symbols = merge.symbols;
        bad = merge.badTrades(badTrades);
      }
      await merge.close();
    }
    // the next pass continues after this one: shifted by the tape's span + 1 ms
    if (passLast === passLast) shift += passLast - passFirst + 1;
    else break;
  }
  const summary: ReplayProgress = progress(Math.max(0, pass - 1));
  options.onProgress?.(summary);
  return {
    ...summary,
    symbols,
    firstTs: state.firstTs,
    skippedRows: state.skipped,
    badTrades: bad,
    maxLagMs: state.maxLagMs,
    ...(stopped ? { stopped } : {}),
  };
}
