/**
 * The ML engine's tests' pieces: a tape of several symbols in rounds (each round a frame of 1 to THRESHOLD
 * trades per symbol, so a symbol closes at most one tick bar a round, and which symbols close is known),
 * the in-process run of FeaturesEngine -> MlEngine over it, and a prediction's row built from its BAR and
 * FEATURES_UPDATE apart from the engine's feature map.
 */
import type { Bus, BusMessage } from '../../src/bus/index.js';
import { createBus } from '../../src/bus/index.js';
import {
  FeaturesEngine,
  type FeatureBar,
  type FeaturesUpdate,
  MlEngine,
  type MlEngineOptions,
  type MlPrediction,
} from '../../src/engines/index.js';
import type { Model } from '../../src/ml/index.js';

/** Trades of a tick bar. */
export const THRESHOLD = 5;
/** The features engine of the tests: tick bars, the indicators examples/model.txt reads. */
export const FEATURES = { bars: { by: 'tick' as const, threshold: THRESHOLD }, indicators: 'rsi,macd', heartbeatMs: 0 };

/** One symbol's frame of a round. */
export interface Frame {
  key: string;
  ts: Float64Array;
  price: Float64Array;
  volume: Float64Array;
}

/** A seeded tape in rounds: `rounds[r]` a frame per symbol, `closing[r]` the symbols whose bar closes in it. */
export function roundsTape(symbols: number, rounds: number, seed = 3): { rounds: Frame[][]; closing: string[][] } {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const price = Array.from({ length: symbols }, (_, s) => 100 + 20 * s);
  const count = new Array<number>(symbols).fill(0);
  let ts = Date.UTC(2026, 0, 5, 14, 30);
  const out: Frame[][] = [];
  const closing: string[][] = [];
  for (let r = 0; r < rounds; r++) {
    const frames: Frame[] = [];
    const closed: string[] = [];
    for (let s = 0; s < symbols; s++) {
      const n = 1 + Math.floor(rnd() * THRESHOLD);
      const frame = { key: `S${s}`, ts: new Float64Array(n), price: new Float64Array(n), volume: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        ts += 1 + Math.floor(rnd() * 500);
        price[s] = Math.max(1, Math.round(price[s] * (1 + 0.004 * (rnd() - 0.5)) * 100) / 100);
        frame.ts[i] = ts;
        frame.price[i] = price[s];
        frame.volume[i] = 100 * (1 + Math.floor(rnd() * 40));
      }
      if (Math.floor((count[s] + n) / THRESHOLD) > Math.floor(count[s] / THRESHOLD)) closed.push(`S${s}`);
      count[s] += n;
      frames.push(frame);
    }
    out.push(frames);
    closing.push(closed);
  }
  return { rounds: out, closing };
}

/** Publishes a round's frames (one turn: the features engine reads them in one delivery). */
export async function publishRound(bus: Bus, frames: readonly Frame[]): Promise<void> {
  for (const f of frames) await bus.publish('TRADE_EXECUTION', f);
}

/** `<symbol>#<bar>`: what identifies a bar's messages. */
export const idOf = (symbol: string, bar: number) => `${symbol}#${bar}`;

/** Every message of `type` on `bus` (in a group of its own), as they come. */
export function collect<P>(bus: Bus, type: string): BusMessage<P>[] {
  const got: BusMessage<P>[] = [];
  bus.subscribe<P>(type, (m) => void got.push(m));
  return got;
}

/**
 * A prediction's row as the model reads it, from its bar's BAR and FEATURES_UPDATE: each feature BAR's
 * field of that name when BAR has one, else the indicator of that name.
 */
export function rowOf(model: Model, bar: FeatureBar, update: FeaturesUpdate): Float64Array {
  return Float64Array.from(model.features, (f) => (f in bar ? bar[f as keyof FeatureBar] : update.indicators[f]));
}

/** The in-process run of the tape: FeaturesEngine -> MlEngine, round by round; every message by (symbol, bar). */
export async function inProcessRun(tape: { rounds: Frame[][] }, options: MlEngineOptions) {
  const bus = createBus();
  const features = new FeaturesEngine(bus, FEATURES).start();
  const ml = new MlEngine(bus, { heartbeatMs: 0, ...options }).start();
  await ml.ready();
  const bars = collect<FeatureBar>(bus, 'BAR');
  const updates = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
  const predictions = collect<MlPrediction>(bus, 'ML_PREDICTION');
  for (const frames of tape.rounds) {
    await publishRound(bus, frames);
    await bus.drain();
  }
  await features.close();
  await ml.close();
  await bus.close();
  const byId = <P extends { bar: number }>(ms: BusMessage<P>[]) => new Map(ms.map((m) => [idOf(m.key, m.payload.bar), m.payload]));
  return { bars: byId(bars), updates: byId(updates), predictions: byId(predictions), messages: predictions.length };
}

/** Resolves once `predicate` holds (polled every 5 ms); rejects naming `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
