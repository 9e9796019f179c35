import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusMessage } from '../../src/bus/index.js';
import {
  FeaturesEngine,
  FEATURE_ESTIMATORS,
  VpinEngine,
  type FeatureBar,
  type FeatureBars,
  type FeaturesUpdate,
  type VpinCalculation,
} from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { tradeFault } from '../../src/kernels/trade-check.js';
import { kernels, type Kernels } from '../../src/index.js';
import type { Trades } from '../../src/kernels/features/features.js';
import { publish, tape, tradesOf } from './features-helpers.js';

const ref = kernels({ backend: 'reference' });

/** Feeds one frame of symbol 'A' to the engine's process(), as a delivery would. */
function feed(engine: FeaturesEngine, trades: Trades, sentAt = 0): void {
  const n = trades.ts.length;
  (engine as unknown as { process(m: Partial<BusMessage>): void }).process({
    key: 'A',
    payload: trades,
    count: n,
    ts: n > 0 ? trades.ts[n - 1] : Number.NaN,
    sentAt,
    stream: 's',
    id: '1-0',
  });
}

/** The BARs an engine emits, captured at emit() (no bus delivery needed). */
function collectEmits(engine: FeaturesEngine): FeatureBar[] {
  const out: FeatureBar[] = [];
  (engine as unknown as { emit(type: string, e: { payload: unknown }): void }).emit = (type, e) => {
    if (type === 'BAR') out.push(e.payload as FeatureBar);
  };
  return out;
}

function collect<P>(bus: Bus, type: string) {
  const got: BusMessage<P>[] = [];
  bus.subscribe<P>(type, (m) => void got.push(m));
  return got;
}

/** The batch kernels' values at every bar of a symbol: what each FEATURES_UPDATE must hold. */
function expected(k: Kernels, rows: ReturnType<typeof tape>, key: string, spec: FeatureBars, window: number) {
  const trades = tradesOf(rows, key);
  const { type = 'bars', ...options } = spec as FeatureBars & { type?: string };
  const bars =
    type === 'bars'
      ? k.bars(trades, options as never)
      : type === 'imbalanceBars'
        ? k.imbalanceBars(trades, options as never)
        : k.runBars(trades, options as never);
  const o = { window };
  const { open, high, low, close, volume, dollarValue } = bars;
  const cs = k.corwinSchultz(high, low, o);
  const estimators: Record<string, ArrayLike<number>> = {
    rollMeasure: k.rollMeasure(close, o),
    rollImpact: k.rollImpact(close, dollarValue, o),
    corwinSchultzSpread: cs.spread,
    corwinSchultzSigma: cs.sigma,
    kyleLambda: k.kyleLambda(close, volume, o),
    amihudLambda: k.amihudLambda(close, dollarValue, o),
    hasbrouckLambda: k.hasbrouckLambda(close, dollarValue, o),
    parkinson: k.rangeVolatility({ open, high, low, close }, { estimator: 'parkinson', window }),
    garmanKlass: k.rangeVolatility({ open, high, low, close }, { estimator: 'garman-klass', window }),
    rogersSatchell: k.rangeVolatility({ open, high, low, close }, { estimator: 'rogers-satchell', window }),
    yangZhang: k.rangeVolatility({ open, high, low, close }, { estimator: 'yang-zhang', window }),
  };
  const rsi = k.rsi(close, { timePeriod: 5 });
  const macd = k.macd(close, { fastPeriod: 3, slowPeriod: 6, signalPeriod: 2 });
  return {
    bars,
    estimators,
    indicators: { rsi_5: rsi, macd_3_6_2: macd.macd, macd_3_6_2_signal: macd.signal, macd_3_6_2_hist: macd.hist },
  };
}

const SPECS: [string, FeatureBars][] = [
  ['tick bars', { by: 'tick', threshold: 7 }],
  ['time bars', { by: 'time', threshold: 30_000 }],
  [
    'dollar imbalance bars (const)',
    { type: 'imbalanceBars', by: 'dollar', kind: 'const', expNumTicksInit: 4, expectedImbalanceWindow: 10 },
  ],
  ['tick run bars', { type: 'runBars', by: 'tick', expNumTicksInit: 5, expectedImbalanceWindow: 20 }],
];

describe('FeaturesEngine', () => {
  // the engine's arithmetic is the reference kernels' (src/api/bar-window.ts); the native ones
  // equal them within the parity suite's tolerance (test/features)
  const k = kernels({ backend: 'reference' });
  const indicators = 'rsi(timePeriod=5),macd(fastPeriod=3;slowPeriod=6;signalPeriod=2)';

  it.each(SPECS)('%s: each BAR and FEATURES_UPDATE equals the batch kernels on the symbol history, bit for bit', async (_, spec) => {
    const rows = tape(3000);
    const window = 4;
    const bus = createBus({ maxBatch: 16 });
    const engine = new FeaturesEngine(bus, { bars: spec, window, indicators, heartbeatMs: 0 }).start();
    const bars = collect<FeatureBar>(bus, 'BAR');
    const updates = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
    await publish(bus, rows);
    await engine.close();
    await bus.close();
    let published = 0;
    for (const key of ['S0', 'S1', 'S2']) {
      const want = expected(k, rows, key, spec, window);
      const mine = bars.filter((m) => m.key === key).map((m) => m.payload);
      const feats = updates.filter((m) => m.key === key).map((m) => m.payload);
      expect(mine.length).toBe(want.bars.ts.length);
      expect(mine.length).toBeGreaterThan(window + 5);
      published += mine.length;
      const trades = tradesOf(rows, key);
      for (let j = 0; j < mine.length; j++) {
        for (const c of ['ts', 'tickNum', 'open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue'] as const) {
          expect(mine[j][c]).toBe(want.bars[c][j]);
        }
        const f = feats[j];
        expect(f.bar).toBe(j);
        for (const [name, values] of Object.entries(want.estimators)) expect([name, f.estimators[name]]).toEqual([name, values[j]]);
        for (const [name, values] of Object.entries(want.indicators)) expect([name, f.indicators[name]]).toEqual([name, values[j]]);
        // the day's sums over the symbol's trades up to the bar's last one (a time bar's tickNum is the
        // trade that closed it, the next bar's first)
        const upTo = mine[j].tickNum - (spec.by === 'time' ? 1 : 0);
        // the bar's trades: for a time bar, those before its end (its ts), the next one at or after it
        if (spec.by === 'time') expect([trades.ts[upTo - 1] < mine[j].ts, trades.ts[upTo] >= mine[j].ts]).toEqual([true, true]);
        const prefix = { ts: trades.ts.subarray(0, upTo), prices: trades.price.subarray(0, upTo) };
        const rv = k.realizedVariance(prefix.prices, { ts: prefix.ts });
        const bv = k.bipowerVariation(prefix.prices, { ts: prefix.ts });
        expect(f.realizedVariance).toBe(rv[rv.length - 1]);
        expect(f.bipowerVariation).toBe(bv[bv.length - 1]);
        expect(f.realizedVolatility).toBe(Math.sqrt(f.realizedVariance));
        expect(f.day).toBe(new Date(Math.floor(prefix.ts[upTo - 1] / 86_400_000) * 86_400_000).toISOString().slice(0, 10));
      }
      // the estimators were numbers once the window filled, and the night started a new day
      expect(Number.isFinite(feats[feats.length - 1].estimators.corwinSchultzSpread)).toBe(true);
      expect(new Set(feats.map((f) => f.day)).size).toBe(2);
    }
    expect(engine.metrics().extra).toMatchObject({ bars: published, trades: rows.length, symbols: 3 });
  });

  it('restored from a checkpoint half-way, it goes on exactly as one engine over the whole tape', async () => {
    const rows = tape(2400);
    const spec: FeatureBars = { by: 'tick', threshold: 5 };
    type Hooks = { snapshotKey(key: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array): void };
    const hooks = (e: FeaturesEngine) => e as unknown as Hooks;
    const run = async (parts: [number, number][]) => {
      const out: BusMessage<FeaturesUpdate>[][] = [];
      let saved = new Map<string, Uint8Array>();
      for (const [from, to] of parts) {
        const bus = createBus({ maxBatch: 16 });
        const engine = new FeaturesEngine(bus, { bars: spec, window: 3, indicators, heartbeatMs: 0 }).start();
        for (const [key, bytes] of saved) hooks(engine).restoreKey(key, bytes);
        const got = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
        await publish(bus, rows, from, to);
        await engine.close();
        await bus.close();
        saved = new Map([...engine.symbols().keys()].map((key) => [key, hooks(engine).snapshotKey(key)]));
        out.push(got);
      }
      // each symbol's updates in order (the symbols interleave as the bus delivers them)
      const updates = out.flat().sort((a, b) => a.key.localeCompare(b.key) || a.payload.bar - b.payload.bar);
      return { updates: updates.map((m) => [m.key, m.payload]), saved };
    };
    const whole = await run([[0, rows.length]]);
    const split = await run([
      [0, 1000],
      [1000, rows.length],
    ]);
    expect(split.updates.length).toBeGreaterThan(300);
    expect(split.updates).toEqual(whole.updates);
    // bounded: the state holds the window's bars, not the history
    const size = whole.saved.get('S0')!.byteLength;
    expect(size).toBeLessThan(4096);
    const bus = createBus();
    const other = new FeaturesEngine(bus, { bars: spec, window: 5, heartbeatMs: 0 });
    expect(() => hooks(other).restoreKey('S0', whole.saved.get('S0')!)).toThrow(/bytes: expected a FeaturesEngine state/);
    expect(() => hooks(other).restoreKey('S0', new Uint8Array(12))).toThrow(KernelInputError);
    await bus.close();
  });
});

describe('FeaturesEngine input and options', () => {
  it("feeds a VpinEngine reading 'BAR': its buckets are vpin() over the bars as trades (close, volume, ts)", async () => {
    const rows = tape(4000);
    const bus = createBus({ maxBatch: 16 });
    const vpinOptions = { bucketVolume: 3000, window: 5, barMs: 1, sigma: { ewma: 0.9 } };
    const features = new FeaturesEngine(bus, { bars: { by: 'tick', threshold: 4 }, heartbeatMs: 0 }).start();
    const vpin = new VpinEngine(bus, {
      vpin: vpinOptions,
      input: 'BAR',
      backend: 'reference',
      heartbeatMs: 0,
      maxFutureMs: Infinity,
    }).start();
    const calcs = collect<VpinCalculation>(bus, 'VPIN_CALCULATION');
    await publish(bus, rows);
    await features.close();
    await vpin.close();
    await bus.close();
    const ref = kernels({ backend: 'reference' });
    for (const key of ['S0', 'S1', 'S2']) {
      const bars = ref.bars(tradesOf(rows, key), { by: 'tick', threshold: 4 });
      const want = ref.vpin({ ts: bars.ts, price: bars.close, volume: bars.volume }, vpinOptions);
      const got = calcs.filter((m) => m.key === key).map((m) => m.payload);
      expect(want.vpin.length).toBeGreaterThan(20);
      expect(got.map((c) => c.vpin)).toEqual(Array.from(want.vpin));
      expect(got.map((c) => c.buyVolume)).toEqual(Array.from(want.buyVolume));
    }
  });

  it('skips a price <= 0 and a trade going back in time, counting each, and applies the rest of the frame', async () => {
    const bus = createBus();
    const engine = new FeaturesEngine(bus, { bars: { by: 'tick', threshold: 2 }, heartbeatMs: 0 });
    const process = (payload: Trades) => feed(engine, payload);
    const f = (...x: number[]) => Float64Array.from(x);
    process({ ts: f(1000, 2000), price: f(10, 11), volume: f(1, 1) });
    process({ ts: f(3000, 4000, 5000), price: f(10, 0, 12), volume: f(1, 1, 1) });
    process({ ts: f(1500, 6000), price: f(10, 13), volume: f(1, 1) });
    expect(engine.symbols().get('A')!.bars.tradeCount).toBe(5);
    // bars of two trades: 10 11 | 10 12 | 13 (open)
    expect(engine.symbols().get('A')!.lastBar?.close).toBe(12);
    expect(engine.metrics().badTrades).toEqual({ ts: 0, order: 1, price: 1, volume: 0 });
    await bus.close();
  });

  it("with badTrades 'fail' refuses the frame whole, naming the trade, and applies nothing of it", async () => {
    const bus = createBus();
    const engine = new FeaturesEngine(bus, { bars: { by: 'tick', threshold: 2 }, heartbeatMs: 0, badTrades: 'fail' });
    const process = (payload: Trades) => feed(engine, payload);
    const f = (...x: number[]) => Float64Array.from(x);
    process({ ts: f(1000, 2000), price: f(10, 11), volume: f(1, 1) });
    expect(() => process({ ts: f(3000, 4000), price: f(10, 0), volume: f(1, 1) })).toThrow(
      'A trade 1 of 1-0: expected a finite price > 0, got 0',
    );
    expect(() => process({ ts: f(1500), price: f(10), volume: f(1) })).toThrow(KernelInputError);
    expect(engine.symbols().get('A')!.bars.tradeCount).toBe(2);
    expect(engine.symbols().get('A')!.lastBar?.close).toBe(11);
    await bus.close();
  });

  it.each(['skip', 'fail'] as const)(
    'frames with bad trades anywhere (%s): the bars are those of the trades the rule lets in',
    (policy) => {
      const BAD = [Number.NaN, -1, 0, Infinity, -Infinity];
      const counts = { applied: 0, refused: 0, skipped: 0 };
      const frame = fc.array(
        fc.record({ dt: fc.integer({ min: -50, max: 5000 }), p: fc.integer({ min: 1, max: 40 }), v: fc.integer({ min: 0, max: 9 }) }),
        { maxLength: 12 },
      );
      fc.assert(
        fc.property(fc.array(frame, { maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 31 }), (frames, seed) => {
          const bus = createBus();
          const engine = new FeaturesEngine(bus, {
            bars: { by: 'tick', threshold: 3 },
            window: 2,
            indicators: 'rsi(timePeriod=2)',
            heartbeatMs: 0,
            badTrades: policy,
          });
          const bars = collectEmits(engine);
          const good: { ts: number[]; price: number[]; volume: number[] } = { ts: [], price: [], volume: [] };
          let skipped = 0;
          let sentAt = 0;
          let t = 1_700_000_000_000;
          let k = seed;
          for (const rows of frames) {
            // about one value in 23 replaced by a bad one (a time, price or volume out of range)
            const pick = (good: number) => ((k = (Math.imul(k, 1103515245) + 12345) >>> 0) % 23 === 0 ? BAD[k % BAD.length] : good);
            const ts = Float64Array.from(rows, (r) => pick((t += r.dt)));
            const trades = { ts, price: Float64Array.from(rows, (r) => pick(r.p)), volume: Float64Array.from(rows, (r) => pick(r.v)) };
            // what the rule lets in, after the last trade let in
            let last = good.ts.length > 0 ? good.ts[good.ts.length - 1] : Number.NEGATIVE_INFINITY;
            const kept: number[] = [];
            for (let i = 0; i < ts.length; i++) {
              if (tradeFault(ts[i], trades.price[i], trades.volume[i], last) === undefined) {
                kept.push(i);
                last = ts[i];
              }
            }
            try {
              // each frame published after the last (as deliveries are): none is taken for a republished one
              feed(engine, trades, ++sentAt);
              expect(policy === 'skip' || kept.length === ts.length).toBe(true);
              for (const i of kept) {
                good.ts.push(ts[i]);
                good.price.push(trades.price[i]);
                good.volume.push(trades.volume[i]);
              }
              skipped += ts.length - kept.length;
              counts.applied++;
            } catch (error) {
              if (policy === 'skip') throw error;
              expect(error).toBeInstanceOf(KernelInputError);
              expect(kept.length).toBeLessThan(ts.length);
              counts.refused++;
            }
            t = Math.max(t, ...good.ts);
          }
          const want = ref.bars(
            { ts: Float64Array.from(good.ts), price: Float64Array.from(good.price), volume: Float64Array.from(good.volume) },
            { by: 'tick', threshold: 3 },
          );
          expect(bars.map((b) => b.close)).toEqual(Array.from(want.close));
          expect(bars.map((b) => b.tickNum)).toEqual(Array.from(want.tickNum));
          const c = engine.metrics().badTrades;
          expect(c.ts + c.order + c.price + c.volume).toBe(skipped);
          counts.skipped += skipped;
          void bus.close();
        }),
        // seeded: the counts below are of these runs
        { numRuns: 60, seed: 20261126 },
      );
      if (policy === 'fail') expect(counts.refused).toBeGreaterThan(20);
      else expect(counts.skipped).toBeGreaterThan(20);
      expect(counts.applied).toBeGreaterThan(100);
    },
  );

  it('checks its options, naming each', () => {
    const bus = createBus();
    const make = (o: object) => () => new FeaturesEngine(bus, o);
    expect(make({ window: 1 })).toThrow('options.window');
    expect(make({ estimators: ['rollMeasure', 'nope'] })).toThrow('options.estimators');
    expect(make({ indicators: 'rsi,nope' })).toThrow('options.indicators');
    expect(make({ indicators: [{ name: 'rsi', options: { timePeriod: 0 } }] })).toThrow(/timePeriod/);
    expect(make({ bars: { by: 'tick', threshold: -1 } })).toThrow('options.threshold');
    expect(make({ bars: 3 })).toThrow('options.bars');
    expect(make({ session: { open: 5, close: 2 } })).toThrow('options.session.close');
    expect(FEATURE_ESTIMATORS.length).toBe(10);
    void bus.close();
  });
});
