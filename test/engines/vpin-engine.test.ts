import { describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusMessage } from '../../src/bus/index.js';
import { SyntheticMarket } from '../../src/replay/synthetic-market.js';
import { VpinEngine, type EngineHealth, type VpinAlert, type VpinCalculation } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels, type Trades, type VpinOptions } from '../../src/index.js';
import { TestTransport, nextTurn } from '../bus/helpers.js';
import { completeBackends } from '../helpers/backends.js';
import { columns } from '../redis-e2e/helpers.js';

const available = completeBackends('vpin');
const options: VpinOptions = { bucketVolume: 4000, window: 10, barMs: 50, sigma: { ewma: 0.9 } };

/** Seeded trades of several symbols, in time order: 20 ms apart overall. */
function market(n: number, symbols = 5, seed = 3) {
  const m = new SyntheticMarket({ symbols, seed, toxicRate: 1 / 300 });
  const rows: { key: string; ts: number; price: number; volume: number; bid: number; ask: number }[] = [];
  let ts = 1_700_000_000_000;
  m.next(n, (key, price, volume, bid, ask) => rows.push({ key, ts: (ts += 20), price, volume, bid, ask }));
  return rows;
}

/** A symbol's trades (with their bid and ask when `quotes`). */
function tradesOf(rows: ReturnType<typeof market>, key: string, quotes = false): Trades {
  const mine = rows.filter((r) => r.key === key);
  const trades: Trades = {
    ts: Float64Array.from(mine, (r) => r.ts),
    price: Float64Array.from(mine, (r) => r.price),
    volume: Float64Array.from(mine, (r) => r.volume),
  };
  if (quotes) Object.assign(trades, { bid: Float64Array.from(mine, (r) => r.bid), ask: Float64Array.from(mine, (r) => r.ask) });
  return trades;
}

/**
 * Publishes rows as single trades and every 7th as a one-row batch, letting the event loop turn now and
 * then; with `quotes`, each with its bid and ask.
 */
async function publishMixed(bus: Bus, rows: ReturnType<typeof market>, quotes = false) {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const q = quotes ? { bid: r.bid, ask: r.ask } : {};
    if (i % 7 === 0) {
      const one = (x: number) => new Float64Array([x]);
      const qs = quotes ? { bid: one(r.bid), ask: one(r.ask) } : {};
      await bus.publish('TRADE_EXECUTION', { key: r.key, ts: one(r.ts), price: one(r.price), volume: one(r.volume), ...qs });
    } else {
      await bus.publish('TRADE_EXECUTION', { key: r.key, ts: r.ts, price: r.price, volume: r.volume, ...q });
    }
    if (i % 97 === 0) await nextTurn();
  }
}

function collect<P>(bus: Bus, type: string) {
  const got: BusMessage<P>[] = [];
  bus.subscribe<P>(type, (m) => void got.push(m));
  return got;
}

describe.each(available)('VpinEngine on the %s backend', (backend) => {
  const direct = kernels({ backend });

  it('with a quote classifier (Lee-Ready) on trades published with bid and ask: exactly vpin() over them', async () => {
    const rows = market(6000);
    const quoted: VpinOptions = { bucketVolume: 4000, window: 10, barMs: 50, classifier: { algorithm: 'lee-ready' } };
    const bus = createBus({ maxBatch: 50 });
    const engine = new VpinEngine(bus, { vpin: quoted, backend, heartbeatMs: 0 }).start();
    const calcs = collect<VpinCalculation>(bus, 'VPIN_CALCULATION');
    await publishMixed(bus, rows, true);
    await engine.close();
    await bus.close();
    for (const key of [...new Set(rows.map((r) => r.key))]) {
      const expected = direct.vpin(tradesOf(rows, key, true), quoted);
      expect(columns(calcs.filter((m) => m.key === key).map((m) => m.payload))).toEqual(expected);
      expect(expected.vpin.length).toBeGreaterThan(20);
      // the quotes count: BVC's buckets differ
      expect(direct.vpin(tradesOf(rows, key), { ...quoted, classifier: 'bvc', sigma: { ewma: 0.94 } }).buyVolume).not.toEqual(
        expected.buyVolume,
      );
    }
    expect(engine.metrics()).toMatchObject({ processed: 6000, errors: 0 });
  });

  it('with a quote classifier, a checkpoint restored on another engine goes on as vpin() over all the trades (the lag context included)', async () => {
    const rows = market(4000);
    const quoted: VpinOptions = { bucketVolume: 4000, window: 10, barMs: 50, classifier: { algorithm: 'emo', quoteLagMs: 45 } };
    type Hooks = { snapshotKey(key: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array): void };
    const busA = createBus({ maxBatch: 50 });
    const a = new VpinEngine(busA, { vpin: quoted, backend, heartbeatMs: 0 }).start();
    const calcsA = collect<VpinCalculation>(busA, 'VPIN_CALCULATION');
    await publishMixed(busA, rows.slice(0, 2100), true);
    await busA.drain();
    const keys = [...new Set(rows.map((r) => r.key))];
    const saved = keys.map((key) => [key, (a as unknown as Hooks).snapshotKey(key)] as const);
    const before = calcsA.slice();
    await a.close();
    await busA.close();
    const busB = createBus({ maxBatch: 50 });
    const b = new VpinEngine(busB, { vpin: quoted, backend, heartbeatMs: 0 }).start();
    for (const [key, bytes] of saved) (b as unknown as Hooks).restoreKey(key, bytes);
    const calcsB = collect<VpinCalculation>(busB, 'VPIN_CALCULATION');
    await publishMixed(busB, rows.slice(2100), true);
    await b.close();
    await busB.close();
    for (const key of keys) {
      const mine = [...before, ...calcsB].filter((m) => m.key === key).map((m) => m.payload);
      const expected = direct.vpin(tradesOf(rows, key, true), quoted);
      expect(columns(mine)).toEqual(expected);
      expect(mine.map((c) => c.bucket)).toEqual(mine.map((_, i) => i));
      expect(before.filter((m) => m.key === key).length).toBeGreaterThan(5);
    }
  });

  it('publishes exactly what vpin() computes over the same trades, bucket by bucket', async () => {
    const rows = market(6000);
    const bus = createBus({ maxBatch: 50 });
    const engine = new VpinEngine(bus, { vpin: options, backend, heartbeatMs: 0 }).start();
    const calcs = collect<VpinCalculation>(bus, 'VPIN_CALCULATION');
    await publishMixed(bus, rows);
    await engine.close();
    await bus.close();
    const symbols = [...new Set(rows.map((r) => r.key))].sort();
    expect(symbols).toHaveLength(5);
    let total = 0;
    for (const key of symbols) {
      const expected = direct.vpin(tradesOf(rows, key), options);
      const mine = calcs.filter((m) => m.key === key).map((m) => m.payload);
      expect(mine.map((c) => c.bucket)).toEqual(mine.map((_, i) => i));
      expect(columns(mine)).toEqual(expected);
      expect(expected.vpin.length).toBeGreaterThan(20);
      total += expected.vpin.length;
    }
    const m = engine.metrics();
    expect(m).toMatchObject({ processed: 6000, duplicates: 0, errors: 0, publishErrors: 0, keys: 5, backlog: 0 });
    expect(m.extra.buckets).toBe(total);
    expect(m.latencyMs.count).toBe(6000);
    expect(calcs).toHaveLength(total);
  });

  it('raises a high-priority RISK_ALERT when the CDF crosses the threshold after warm-up, once per crossing', async () => {
    const rows = market(8000, 2, 11);
    const bus = createBus();
    const threshold = 0.9;
    const warmup = 15;
    const engine = new VpinEngine(bus, { vpin: options, backend, threshold, warmup, heartbeatMs: 0 }).start();
    const alerts = collect<VpinAlert>(bus, 'RISK_ALERT');
    await publishMixed(bus, rows);
    await engine.close();
    await bus.close();
    let expectedTotal = 0;
    for (const key of ['SYM000', 'SYM001']) {
      const { cdf, vpin } = direct.vpin(tradesOf(rows, key), options);
      const expected: number[] = [];
      let above = false;
      for (let i = 0; i < cdf.length; i++) {
        const now = i + 1 >= warmup && cdf[i] >= threshold;
        if (now && !above) expected.push(i);
        above = now;
      }
      const mine = alerts.filter((a) => a.key === key);
      expect(mine.map((a) => a.payload.bucket)).toEqual(expected);
      for (const a of mine) {
        expect(a.priority).toBe('high');
        expect(a.payload).toEqual({
          source: 'vpin',
          engine: 'vpin',
          bucket: a.payload.bucket,
          vpin: vpin[a.payload.bucket],
          cdf: cdf[a.payload.bucket],
          threshold,
        });
      }
      expectedTotal += expected.length;
    }
    expect(expectedTotal).toBeGreaterThan(1);
    expect(engine.metrics().extra.alerts).toBe(expectedTotal);
  });
});

describe('VpinEngine', () => {
  it('never counts a redelivered entry twice (idempotent per entry id)', async () => {
    const rows = market(3000);
    const md = new TestTransport();
    md.duplicate = true; // every entry is handed to the engine twice, as after a lost acknowledgement
    const bus = createBus({ transports: { marketdata: md } });
    const engine = new VpinEngine(bus, { vpin: options, backend: 'reference', heartbeatMs: 0 }).start();
    const calcs = collect<VpinCalculation>(bus, 'VPIN_CALCULATION');
    await publishMixed(bus, rows);
    await engine.close();
    await bus.close();
    const m = engine.metrics();
    expect(m.processed).toBe(3000);
    expect(m.batches).toBe(md.delivered.length);
    expect(m.duplicates).toBe(m.batches);
    for (const key of new Set(rows.map((r) => r.key))) {
      const mine = calcs.filter((c) => c.key === key).map((c) => c.payload);
      expect(columns(mine)).toEqual(kernels({ backend: 'reference' }).vpin(tradesOf(rows, key), options));
    }
    await md.close();
  });

  it('publishes ENGINE_HEALTH with its throughput, latency and backlog', async () => {
    const bus = createBus();
    const engine = new VpinEngine(bus, { vpin: options, name: 'vpin-a', heartbeatMs: 0 }).start();
    const health = collect<EngineHealth>(bus, 'ENGINE_HEALTH');
    const rows = market(500);
    await publishMixed(bus, rows);
    await bus.drain();
    engine.heartbeat();
    await bus.drain();
    expect(health).toHaveLength(1);
    const h = health[0];
    expect(h.key).toBe('vpin-a');
    expect(h.bus).toBe('logic');
    expect(h.payload).toMatchObject({ engine: 'vpin-a', processed: 500, backlog: 0, keys: 5, possibleLoss: false });
    expect(h.payload.throughput).toBeGreaterThan(0);
    expect(h.payload.latencyMs.p99).toBeGreaterThanOrEqual(h.payload.latencyMs.p50);
    expect(engine.metrics().heartbeats).toBe(1);
    await engine.close();
    await bus.close();
  });

  it("with badTrades 'fail', sends a batch with a bad trade to the dead-letter stream at once (no retry cures it); other keys go on", async () => {
    const errors: unknown[] = [];
    const bus = createBus({ onError: (e) => errors.push(e) });
    const engine = new VpinEngine(bus, { vpin: options, heartbeatMs: 0, badTrades: 'fail' }).start();
    const deadLetters: BusMessage<Trades>[] = [];
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => void deadLetters.push(m), { deadLetters: true, group: 'ops' });
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 10, price: 1, volume: 1 });
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 5, price: 1, volume: 1 });
    await bus.publish('TRADE_EXECUTION', { key: 'OK', ts: 5, price: 1, volume: 1 });
    await bus.drain();
    expect(engine.metrics()).toMatchObject({ errors: 1, processed: 1, keys: 2 });
    expect(deadLetters.map((m) => [m.key, [...m.payload.ts], m.deliveries])).toEqual([['BAD', [10, 5], 1]]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(
      /^BAD trade 1 of \S+: expected a time at or after the symbol's previous trade \(10\), got 5$/,
    );
    await engine.close();
    await bus.close();
  });

  it('by default skips a bad trade and counts it, applying the rest of its frame; no frame is dead-lettered', async () => {
    const errors: unknown[] = [];
    const bus = createBus({ onError: (e) => errors.push(e) });
    const engine = new VpinEngine(bus, { vpin: options, heartbeatMs: 0 }).start();
    const deadLetters: BusMessage<Trades>[] = [];
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => void deadLetters.push(m), { deadLetters: true, group: 'ops' });
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 10, price: 1, volume: 1 });
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 5, price: 1, volume: 1 }); // goes back
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 11, price: -557.53, volume: 1 });
    await bus.publish('TRADE_EXECUTION', { key: 'BAD', ts: 12, price: 2, volume: 1 });
    await bus.publish('TRADE_EXECUTION', { key: 'OK', ts: 5, price: 1, volume: 1 });
    await bus.drain();
    expect(engine.metrics()).toMatchObject({ errors: 0, keys: 2, badTrades: { ts: 0, order: 1, price: 1, volume: 0 } });
    expect(deadLetters).toHaveLength(0);
    expect(errors).toHaveLength(0);
    expect(engine.symbols().get('BAD')!.lastTs).toBe(12);
    await engine.close();
    await bus.close();
  });

  it('takes per-symbol options and checks its own', async () => {
    const bus = createBus();
    expect(() => new VpinEngine(bus, { vpin: { ...options, sigma: 'sample' } })).toThrow(KernelInputError);
    expect(() => new VpinEngine(bus, { vpin: { ...options, sigma: 'sample' } })).toThrow(/^options.sigma: expected a causal sigma/);
    expect(() => new VpinEngine(bus, { vpin: options, threshold: 2 })).toThrow(/^options.threshold: expected a number in \[0, 1\], got 2$/);
    expect(() => new VpinEngine(bus, { vpin: options, warmup: -1 })).toThrow(/^options.warmup: expected an integer >= 0, got -1$/);
    expect(() => new VpinEngine(bus, { vpin: 5 as unknown as VpinOptions })).toThrow(/^options.vpin: expected VpinOptions or a function/);
    expect(() => new VpinEngine(bus, { vpin: options, heartbeatMs: -1 })).toThrow(/^options.heartbeatMs: expected a number >= 0, got -1$/);
    const engine = new VpinEngine(bus, { vpin: (key) => ({ bucketVolume: key === 'BIG' ? 1000 : 10, barMs: 1 }), heartbeatMs: 0 }).start();
    const calcs = collect<VpinCalculation>(bus, 'VPIN_CALCULATION');
    const ts = Float64Array.from({ length: 101 }, (_, i) => i);
    const price = ts.map((t) => t + 1);
    const ones = new Float64Array(101).fill(10);
    await bus.publish('TRADE_EXECUTION', { key: 'BIG', ts, price, volume: ones });
    await bus.publish('TRADE_EXECUTION', { key: 'SMALL', ts, price, volume: ones });
    await engine.close();
    await bus.close();
    // 100 closed bars of volume 10 (the last bar is flushed on close): 1010 / 1000 and 1010 / 10 buckets
    expect(calcs.filter((c) => c.key === 'BIG')).toHaveLength(1);
    expect(calcs.filter((c) => c.key === 'SMALL')).toHaveLength(101);
  });
});
