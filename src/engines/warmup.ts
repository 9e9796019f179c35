/**
 * An engine's warm-up before it reads (issue 93): a scratch engine of the same kind and options, on a
 * private in-memory bus, is given synthetic trades of the symbols the feed will bring, so that V8 has
 * compiled the hot path (the frames' decoding, the delivery, the merge, the bar makers, the indicators,
 * the fill model, the outputs' encoding) before the first real frame, instead of over the first second
 * of a market at full rate (where the engine, still interpreting, fell behind by tens of milliseconds).
 * Nothing leaves the scratch bus and no user code runs: the strategy engine's scratch strategies have
 * the strategies' bars and indicators and an onBar of this module's (a target that changes with each
 * bar, so that orders are placed and filled). Two scratch engines run in turn (see ENGINES), and the
 * trades go out as a tape feed's do (frames with watermarks; over Redis, `kernelbus engine` packs the
 * entries as `kernelbus feed` does), so that what V8 compiles is what the real engine will run. The
 * scratch bus may be a Redis bus under a key prefix of its own (`kernelbus engine` does so by default):
 * the reader, the packed entries' parsing and the client's parser are then hot too.
 */
import { type Bus, createBus } from '../bus/index.js';
import { KernelInputError, describeValue } from '../errors.js';
import { checkStrategy } from '../strategy/define.js';
import type { Strategy } from '../strategy/types.js';
import type { Engine } from './engine.js';

/** What warmUp() did: the synthetic trades processed and the wall ms it took. */
export interface WarmUp {
  trades: number;
  ms: number;
}

/** Trades a warm-up publishes by default: enough for V8 to optimize the per-trade and per-frame code. */
export const WARMUP_TRADES = 100_000;

/** The symbols of a warm-up where the engine is not told which the feed brings. */
export const WARMUP_SYMBOLS: readonly string[] = Array.from({ length: 100 }, (_, i) => `WARMUP${i}`);

/**
 * Scratch engines a warm-up runs in turn, each on a bus of its own over its share of the trades. V8
 * specializes optimized code on what it has seen: with one scratch engine on one bus, the call sites
 * that call an engine's or a bus's own closures (the merge's sink, the bus's handlers, its batcher's
 * sink) knew those closures only, so the real engine's first frames deoptimized them ("wrong call
 * target") and ran unoptimized until V8 compiled them again, while its compiler threads took half a
 * core: the orders of the first half second waited. A second instance makes those sites take any
 * closure made where the first one was.
 */
const ENGINES = 2;

/** Trades a warm-up publishes per turn of the event loop (over 100 symbols, frames of 5 trades: the live feed's at 200,000 trades/s). */
const SLICE = 500;

/** How long warmUp() waits for its engine to take in the last trades (a Redis bus delivers them later), at most and without progress. */
const SETTLE_MS = 30_000;
const STALLED_MS = 1000;

/** Options of warmUp(). */
export interface WarmUpOptions {
  /** Makes a bus the trades go through (called for each scratch engine, closed after it): a Redis bus under a key prefix of its own, say (its keys are the caller's to delete). Default: a private in-memory bus whose trade frames carry watermarks, as a tape feed's do. */
  bus?: () => Bus | Promise<Bus>;
  /** Trades carry a bid and an ask (a cent either side of the price), for an engine that classifies by quotes (VPIN's quote classifiers). Default false. */
  quotes?: boolean;
  /** Ends the warm-up early (a stop asked for while it runs): the trades so far, the engine stopped and the bus closed as at its end. */
  signal?: AbortSignal;
}

/**
 * Runs two engines of `make`'s in turn, each on a scratch bus of its own (`options.bus`, called for
 * each) over half of `trades` synthetic trades of `symbols` (round robin, a random walk from 100, one
 * every 100 ms of tape time from 2020-01-02); waits until each has taken its half in (at most 30 s, and
 * no longer than 1 s without progress: an engine that refuses trades), then stops it and closes its bus
 * (`options`: which bus, quotes). The engine must read TRADE_EXECUTION. Resolves with what they did;
 * KernelInputError naming the argument for no symbols or a count that is not an integer >= 0.
 */
export async function warmUp(
  make: (bus: Bus) => Engine,
  symbols: readonly string[],
  trades = WARMUP_TRADES,
  { bus = () => createBus({ watermarks: true }), quotes = false, signal }: WarmUpOptions = {},
): Promise<WarmUp> {
  if (!Array.isArray(symbols) || symbols.length === 0 || symbols.some((x) => typeof x !== 'string' || x === ''))
    throw new KernelInputError('symbols', 'a non-empty array of symbols', describeValue(symbols));
  if (!Number.isSafeInteger(trades) || trades < 0) throw new KernelInputError('trades', 'an integer >= 0', describeValue(trades));
  const started = performance.now();
  const n = symbols.length;
  const price = new Float64Array(n).fill(100);
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 2147483647; // Park-Miller: (0, 1), exact in doubles
    return seed / 2147483647;
  };
  const startTs = Date.UTC(2020, 0, 2);
  let done = 0;
  // ENGINES instances in turn, each on a bus of its own over its share of the trades (see ENGINES)
  for (let e = 0; e < ENGINES && !signal?.aborted; e++) {
    const from = Math.floor((trades * e) / ENGINES);
    const to = Math.floor((trades * (e + 1)) / ENGINES);
    const scratch = await bus();
    let engine: Engine | undefined;
    try {
      engine = make(scratch);
      engine.start();
      // a transport that reads from a server: its groups made and reading before the first publish
      await Promise.all(scratch.buses.map((b) => scratch.transport(b).ready?.()));
      await Promise.all(scratch.buses.map((b) => scratch.transport(b).reading?.()));
      for (let i = from; i < to && !signal?.aborted; i += SLICE) {
        for (let j = i; j < Math.min(to, i + SLICE); j++) {
          const k = j % n;
          price[k] *= 1 + (random() - 0.5) * 0.002;
          scratch.publishSync('TRADE_EXECUTION', {
            key: symbols[k],
            ts: startTs + 100 * j,
            price: price[k],
            volume: 1 + Math.floor(random() * 100),
            ...(quotes ? { bid: price[k] - 0.01, ask: price[k] + 0.01 } : {}),
          });
        }
        await scratch.flush();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await scratch.flush();
      await settled(engine, to - from, signal);
    } finally {
      if (engine) {
        done += engine.metrics().processed;
        await engine.stop();
      }
      await scratch.close();
    }
  }
  return { trades: done, ms: performance.now() - started };
}

/** Until `engine` has taken in `trades`, SETTLE_MS have passed, STALLED_MS passed without one more, or a stop. */
async function settled(engine: Engine, trades: number, signal: AbortSignal | undefined): Promise<void> {
  const until = performance.now() + SETTLE_MS;
  let seen = -1;
  let since = performance.now();
  for (;;) {
    const processed = engine.metrics().processed;
    const now = performance.now();
    if (processed >= trades || now >= until || signal?.aborted) return;
    if (processed > seen) [seen, since] = [processed, now];
    else if (now - since >= STALLED_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A strategy for a warm-up: `strategy`'s bars, session, indicators and history, no models, and an
 * onBar that holds 10 % of the equity in a symbol every other bar of it.
 */
export function warmUpStrategy(strategy: Strategy<object>): Strategy<object> {
  return checkStrategy(
    {
      name: strategy.name,
      bars: strategy.bars,
      ...(strategy.indicators ? { indicators: strategy.indicators } : {}),
      ...(strategy.history !== undefined ? { history: strategy.history } : {}),
      onBar(ctx, bar) {
        ctx.targetPercent(bar.symbol, bar.index % 2 === 0 ? 0.1 : 0);
      },
    },
    undefined,
  );
}
