/**
 * Bounded engine state on a real redis-server: VPIN engine processes (`kernelbus engine vpin`) whose
 * checkpoints are incremental (a key's whole record, then deltas, compacted), one killed with SIGKILL
 * while deltas are stored and replaced, the results equal to VPIN over the stored trades; an engine
 * started with another configuration on a group with checkpoints, refused in one line with nothing
 * dead-lettered, and started fresh with --reset-checkpoints; two engines of a group each keeping only
 * the symbols of the streams they hold.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import { shardOf } from '../../src/bus/messages.js';
import { CheckpointConfigError } from '../../src/engines/checkpoint-config.js';
import type { Engine } from '../../src/engines/engine.js';
import { FactorEngine } from '../../src/engines/factor.js';
import { PortfolioEngine } from '../../src/engines/portfolio.js';
import { RiskEngine } from '../../src/engines/risk.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import { feedPanel, seededPanel } from '../engines/factor-helpers.js';
import { ASSETS, row, seededReturns } from '../engines/risk-helpers.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import {
  Command,
  consumed,
  ENGINE_SHARDS,
  ENGINE_TRADE_STREAMS,
  ENGINE_VPIN,
  engineArgs,
  expectExactVpin,
  killAll,
  LOOP_KEYS,
  redisBus,
  tradeLoop,
} from './helpers.js';

const CDF_WINDOW = 40;
const TRADE_KEYS = ENGINE_TRADE_STREAMS.map((s) => keysOf().stream(s));
const READY = /^ready: engine vpin, group (\S+), consumer \S+, 4 streams/m;
const SUMMARY =
  /^stopped \(SIGTERM\): processed ([\d,]+) trades in [\d,]+ deliveries, [\d,]+ duplicates skipped, [\d,]+ trades replayed after takeovers, ([\d,]+) symbols restored;/m;
const num = (s: string) => Number(s.replaceAll(',', ''));
const vpinArgs = (url: string, consumer: string, ...more: string[]) => [
  ...engineArgs(url, consumer, 500),
  '--cdf-window',
  String(CDF_WINDOW),
  ...more,
];
const feedArgs = (url: string, count: number, seed: number) => [
  'feed',
  '--redis',
  url,
  '--symbols',
  '6',
  '--rate',
  '15000',
  '--count',
  String(count),
  '--seed',
  String(seed),
  '--shards',
  String(ENGINE_SHARDS),
];

describeRedis('engine state and checkpoints over Redis', () => {
  let server: RedisServer;
  let url: string;
  const buses: Bus[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await closeAll();
  });
  afterAll(() => tearDown(server));

  /** Stops `a` without its last checkpoint and starts the engine `make` builds on a new bus: ready, resumed. */
  const successor = async <E extends Engine>(a: Engine, make: (bus: Bus) => E): Promise<E> => {
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    const bus = await redisBus(url);
    buses.push(bus);
    const b = make(bus).start();
    await b.ready();
    return b;
  };

  const deltaCount = async (redis: ReturnType<typeof client>, group = 'vpin') =>
    (await Promise.all(ENGINE_TRADE_STREAMS.map((s) => redis.hlen(keysOf().checkpointDeltas(group, s))))).reduce((a, b) => a + b, 0);

  it('an engine killed (SIGKILL) between a delta and a compaction: the next one restores record + deltas, every bucket exact', async () => {
    const redis = client(url);
    await redis.flushall();
    const a = new Command(vpinArgs(url, 'A'));
    await a.waitFor(READY);
    const feed = new Command(feedArgs(url, 60_000, 7));
    // Mid-stream, with deltas stored on top of whole records: kill A.
    await until(async () => (await deltaCount(redis)) >= 3, 'deltas stored', 30_000, 2);
    a.kill('SIGKILL');
    await a.exited;
    const deltas = await deltaCount(redis);
    expect(deltas).toBeGreaterThan(0);
    const b = new Command(vpinArgs(url, 'B'));
    await b.waitFor(READY);
    expect(await feed.exited).toBe(0);
    await consumed(redis, TRADE_KEYS, 'vpin');
    await sleep(300);
    expect(await b.stop()).toBe(0);
    const summary = await b.waitFor(SUMMARY);
    expect(num(summary[2])).toBe(6); // every symbol restored from A's records and deltas
    const r = await expectExactVpin(redis, ENGINE_SHARDS, { ...ENGINE_VPIN, cdfWindow: CDF_WINDOW });
    expect(r.trades).toBe(60_000);
    // Whole records stay the size of a window of CDF history: 64 + 88 + 8 x (22 + 9 imbalances + 40) bytes, plus the id.
    for (const s of ENGINE_TRADE_STREAMS) {
      const hash = keysOf().checkpointRecords('vpin', s);
      for (const key of await redis.hkeys(hash)) expect(await redis.hstrlen(hash, key)).toBeLessThanOrEqual(2 + 24 + 64 + 88 + 8 * 71);
    }
    console.log(`[redis-e2e] killed with ${deltas} deltas stored; ${r.trades} trades, ${r.buckets} buckets exact after the restore`);
  });

  it('another classifier or bucket volume on a group with checkpoints: refused in one line, nothing dead-lettered; --reset-checkpoints starts fresh', async () => {
    const redis = client(url);
    await redis.flushall();
    const a = new Command(vpinArgs(url, 'A'));
    await a.waitFor(READY);
    const feed = new Command(feedArgs(url, 6000, 3));
    expect(await feed.exited).toBe(0);
    await consumed(redis, TRADE_KEYS, 'vpin');
    expect(await a.stop()).toBe(0);

    const tick = new Command(vpinArgs(url, 'T', '--classifier', 'tick'));
    expect(await tick.exited).toBe(2);
    const lines = tick.out.trim().split('\n');
    expect(lines.at(-1)).toBe(
      `kernelbus engine: group 'vpin' has checkpoints of another configuration: stored classifier="bvc", given classifier="tick"; ` +
        'run this engine in a group of its own (--group <name>, option group) or start the group fresh from its position ' +
        '(--reset-checkpoints, option resetCheckpoints: true)',
    );
    expect(tick.out).not.toMatch(/^ready:/m);
    // trades published meanwhile stay with the group, none dead-lettered
    const more = new Command(feedArgs(url, 3000, 4));
    expect(await more.exited).toBe(0);
    const volume = new Command(vpinArgs(url, 'V', '--bucket-volume', '2000'));
    expect(await volume.exited).toBe(2);
    expect(volume.out).toMatch(/stored bucketVolume=3000, given bucketVolume=2000;/);
    const dead = async () =>
      (await Promise.all(ENGINE_TRADE_STREAMS.map((s) => redis.xlen(keysOf().stream(`${s}:dlq`))))).reduce((x, y) => x + y, 0);
    expect(await dead()).toBe(0);

    // reset: the tick engine starts from the group's position, restores nothing and dead-letters nothing
    const reset = new Command(vpinArgs(url, 'R', '--classifier', 'tick', '--reset-checkpoints'));
    await reset.waitFor(READY);
    await consumed(redis, TRADE_KEYS, 'vpin');
    expect(await reset.stop()).toBe(0);
    const summary = await reset.waitFor(SUMMARY);
    expect(num(summary[1])).toBe(3000); // the trades published after the group's position, nothing before
    expect(num(summary[2])).toBe(0);
    expect(await dead()).toBe(0);
    expect(JSON.parse((await redis.get(keysOf().checkpointConfig('vpin')))!)).toMatchObject({ classifier: 'tick', bucketVolume: 3000 });

    // in the library, ready() rejects with the typed error
    const bus = await redisBus(url, ENGINE_SHARDS);
    buses.push(bus);
    const engine = new VpinEngine(bus, { vpin: { ...ENGINE_VPIN, cdfWindow: CDF_WINDOW }, backend: 'reference', heartbeatMs: 0 }).start();
    const error = await engine.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointConfigError);
    expect((error as CheckpointConfigError).message).toMatch(
      /^group 'vpin' has checkpoints of another configuration: stored classifier="tick", given classifier="bvc";/,
    );
    expect(engine.metrics().processed).toBe(0);
    await engine.stop();
  });

  it('two engines of a group: each keeps only the symbols of the streams it holds (keys = what it owns)', async () => {
    const redis = client(url);
    await redis.flushall();
    const options = {
      vpin: { bucketVolume: 50, window: 3, barMs: 1, sigma: { ewma: 0.94 } },
      backend: 'reference' as const,
      heartbeatMs: 0,
      checkpointMs: 100,
    };
    const busA = await redisBus(url, ENGINE_SHARDS);
    const busFeed = await redisBus(url, ENGINE_SHARDS);
    buses.push(busA, busFeed);
    const a = new VpinEngine(busA, { ...options, consumer: 'a' }).start();
    await a.ready();
    const loop = tradeLoop(busFeed, () => sleep(2));
    await until(() => a.metrics().keys === LOOP_KEYS.length, 'A to hold every symbol');
    const busB = await redisBus(url, ENGINE_SHARDS);
    buses.push(busB);
    const b = new VpinEngine(busB, { ...options, consumer: 'b' }).start();
    await b.ready();
    const owned = (bus: Bus) => {
      const t = bus.transport('marketdata');
      return ENGINE_TRADE_STREAMS.filter((s) => t.holds?.(s, 'vpin'));
    };
    await until(() => owned(busA).length === 2 && owned(busB).length === 2, 'A and B to share the streams', 20_000);
    // each engine's symbols are those of its streams
    const symbolsOf = (bus: Bus) => new Set(LOOP_KEYS.filter((k) => owned(bus).includes(ENGINE_TRADE_STREAMS[shardOf(k, ENGINE_SHARDS)])));
    const same = (x: Set<string>, y: Set<string>) => x.size === y.size && [...x].every((k) => y.has(k));
    await until(
      () =>
        symbolsOf(busA).size > 0 &&
        symbolsOf(busB).size > 0 &&
        same(new Set(a.symbols().keys()), symbolsOf(busA)) &&
        same(new Set(b.symbols().keys()), symbolsOf(busB)),
      'each engine to keep the symbols of its streams only',
      20_000,
    );
    await loop.stop();
    expect(new Set(a.symbols().keys())).toEqual(symbolsOf(busA));
    expect(new Set(b.symbols().keys())).toEqual(symbolsOf(busB));
    expect(a.metrics().extra.droppedKeys).toBeGreaterThanOrEqual(LOOP_KEYS.length - a.metrics().keys);
    await Promise.all([a.stop(), b.stop()]);
  });

  it("risk engine: a universe's new rows checkpointed as deltas; the next engine restores record + deltas and replays the rest, the window exact", async () => {
    const redis = client(url);
    await redis.flushall();
    const block = seededReturns(80);
    const options = { backend: 'reference' as const, window: 30, minRows: 5, heartbeatMs: 0, checkpointMs: 60_000 };
    const publishRows = async (bus: Bus, from: number, to: number) => {
      for (let i = from; i < to; i++)
        await bus.publish('RETURNS_UPDATE', {
          key: 'stocks',
          ts: 1_700_000_000_000 + i,
          payload: { assets: ASSETS, returns: row(block, i) },
        });
      await bus.drain();
    };
    const bus1 = await redisBus(url);
    buses.push(bus1);
    const a = new RiskEngine(bus1, options).start();
    await a.ready();
    await publishRows(bus1, 0, 20);
    await a.checkpoint(); // whole
    await publishRows(bus1, 20, 35);
    await a.checkpoint(); // delta: rows 20-34
    await publishRows(bus1, 35, 50);
    await a.checkpoint(); // delta: rows 35-49
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 1, deltaRecords: 2 });
    expect(await redis.hlen(keysOf().checkpointDeltas('risk', 'marketdata:RETURNS_UPDATE:0'))).toBe(2);
    await publishRows(bus1, 50, 60); // acknowledged, not checkpointed: replayed
    const expected = a.universes().get('stocks')!.window.matrix();
    const b = await successor(a, (bus) => new RiskEngine(bus, options));
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 1, replayed: 10 });
    const u = b.universes().get('stocks')!;
    expect(u.window.total).toBe(60);
    expect(u.window.matrix()).toEqual(expected);
    await b.stop();
  });

  it("portfolio engine: a universe's new rows and scheduled rebalances as deltas; restored with them, the state exact", async () => {
    const redis = client(url);
    await redis.flushall();
    const block = seededReturns(80);
    const options = {
      backend: 'reference' as const,
      window: 30,
      minRows: 10,
      heartbeatMs: 0,
      checkpointMs: 60_000,
      portfolios: [{ id: 'rp', optimizer: 'risk-parity' as const, universe: 'stocks', every: 7 }],
    };
    const publishRows = async (bus: Bus, from: number, to: number) => {
      for (let i = from; i < to; i++)
        await bus.publish('RETURNS_UPDATE', {
          key: 'stocks',
          ts: 1_700_000_000_000 + i,
          payload: { assets: ASSETS, returns: row(block, i) },
        });
      await bus.drain();
    };
    const stateOf = (e: PortfolioEngine) => {
      const u = e.universes().get('stocks')!;
      const p = e.portfolios().get('rp')!;
      return { window: u.window.matrix(), total: u.window.total, lastTs: u.lastTs, weights: p.weights, scheduled: p.scheduled };
    };
    const bus1 = await redisBus(url);
    buses.push(bus1);
    const a = new PortfolioEngine(bus1, options).start();
    await a.ready();
    await publishRows(bus1, 0, 20);
    await a.checkpoint(); // whole: 20 rows
    for (const to of [25, 30, 35]) {
      await publishRows(bus1, to - 5, to);
      await a.checkpoint(); // a delta: 5 rows and the rebalances scheduled then
    }
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 1, deltaRecords: 3 });
    const expected = stateOf(a);
    expect(expected.scheduled?.at).toBeGreaterThan(20);
    const b = await successor(a, (bus) => new PortfolioEngine(bus, options));
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 1, replayed: 0 });
    expect(stateOf(b)).toEqual(expected);
    await b.stop();
  });

  it("factor engine: a universe's new dates checkpointed as deltas; the next engine restores record + deltas and replays the rest, the history exact", async () => {
    const redis = client(url);
    await redis.flushall();
    const panel = seededPanel(40, 10);
    const options = { backend: 'reference' as const, momentum: { window: 6, halfLife: 3, lag: 2 }, heartbeatMs: 0, checkpointMs: 60_000 };
    const publishDates = async (bus: Bus, from: number, to: number) => {
      await feedPanel(bus, panel, from, to);
      await bus.drain();
    };
    const stateOf = (e: FactorEngine) => {
      const u = e.universes().get('us')!;
      return { history: u.history.export(), total: u.history.total, sectors: u.sectors, lastDate: u.lastDate };
    };
    const bus1 = await redisBus(url);
    buses.push(bus1);
    const a = new FactorEngine(bus1, options).start();
    await a.ready();
    await publishDates(bus1, 0, 12);
    await a.checkpoint(); // whole: the 8 dates the history holds
    for (const to of [14, 16]) {
      await publishDates(bus1, to - 2, to);
      await a.checkpoint(); // a delta: 2 dates
    }
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 1, deltaRecords: 2 });
    const deltas = await redis.hgetallBuffer(keysOf().checkpointDeltas('factor', 'marketdata:FACTOR_INPUT:0'));
    const records = await redis.hgetallBuffer(keysOf().checkpointRecords('factor', 'marketdata:FACTOR_INPUT:0'));
    expect(Object.keys(deltas)).toHaveLength(2);
    for (const d of Object.values(deltas)) expect(d.byteLength).toBeLessThan(records.us.byteLength / 2);
    await publishDates(bus1, 16, 20); // acknowledged, not checkpointed: replayed
    const expected = stateOf(a);
    const b = await successor(a, (bus) => new FactorEngine(bus, options));
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 1, replayed: 4 });
    expect(stateOf(b)).toEqual(expected);
    await b.stop();
  });

  it('checkpoints written before configurations were stored: refused (not dead-lettered) until reset', async () => {
    const redis = client(url);
    await redis.flushall();
    await redis.hset(keysOf().checkpointIndex('old'), 'marketdata:TRADE_EXECUTION:0', '(1-0');
    const bus = await redisBus(url, ENGINE_SHARDS);
    buses.push(bus);
    const options = { vpin: ENGINE_VPIN, backend: 'reference' as const, heartbeatMs: 0, group: 'old' };
    const engine = new VpinEngine(bus, options).start();
    const error = await engine.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointConfigError);
    expect((error as Error).message).toMatch(
      /^group 'old' has checkpoints of another configuration: stored .*configuration="unknown \(checkpoints written before configurations were stored\)"/,
    );
    await engine.stop();
    const reset = new VpinEngine(bus, { ...options, resetCheckpoints: true }).start();
    await reset.ready();
    expect(JSON.parse((await redis.get(keysOf().checkpointConfig('old')))!)).toMatchObject({ bucketVolume: 3000 });
    await reset.stop();
  });
});
