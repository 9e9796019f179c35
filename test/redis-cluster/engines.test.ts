/**
 * VPIN engine processes (`kernelbus engine vpin --redis redis+cluster://...`) across a real Redis
 * Cluster of 3 primaries and 3 replicas (tools/redis-cluster.ts): fed by `kernelbus feed`, every
 * bucket exact against vpin(); then a primary killed with SIGKILL while a bus in this process publishes
 * trades: its replica is promoted, and every trade the bus accepted is stored and counted exactly once.
 * Last, the strategy engine's warm-up through the cluster (run in this process). Measured times are
 * printed, never asserted.
 */
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { runEngine } from '../../src/cli/engine.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { RedisCluster, describeCluster, expectNoOpenHandles, keysOf, until } from '../helpers/redis.js';
import {
  Command,
  consumed,
  ENGINE_SHARDS,
  ENGINE_TRADE_STREAMS,
  ENGINE_VPIN,
  engineArgs as vpinEngineArgs,
  expectExactVpin,
  killAll,
  LOOP_KEYS,
  logEvent,
  runCapturing,
  storedTrades,
  tradeLoop,
} from '../redis-e2e/helpers.js';

const SHARDS = ENGINE_SHARDS;
const VPIN = ENGINE_VPIN;
const TRADE_STREAMS = ENGINE_TRADE_STREAMS;
const TRADE_KEYS = TRADE_STREAMS.map((s) => keysOf().stream(s));
const engineArgs = (url: string, consumer: string) => vpinEngineArgs(url, consumer, 1000);
const READY =
  /^ready: engine vpin, group vpin, consumer \S+, 4 streams on redis\+cluster:\/\/127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+)*, checkpoints every 200 ms$/m;
const SUMMARY =
  /^stopped \(SIGTERM\): processed ([\d,]+) trades in [\d,]+ deliveries, ([\d,]+) duplicates skipped.* ([\d,]+) republished trades skipped/m;
const num = (s: string) => Number(s.replaceAll(',', ''));

describeCluster('VPIN engine over a Redis Cluster (3 primaries, 3 replicas)', () => {
  let cluster: RedisCluster;
  const clients: Cluster[] = [];
  /** A Cluster client to read the results back (closed after each test). */
  const reader = () => {
    const c = new Cluster(
      cluster.live().map((s) => ({ host: '127.0.0.1', port: s.port })),
      { redisOptions: { maxRetriesPerRequest: 3 } },
    );
    c.on('error', () => {});
    clients.push(c);
    return c;
  };

  /** WAIT commands the running primaries have served (INFO commandstats): the publishes' durability 'replica'. */
  const waits = async () => {
    let calls = 0;
    for (const s of cluster.live())
      calls += Number(/^cmdstat_wait:calls=(\d+)/m.exec(String(await cluster.command(s.port, 'INFO', 'commandstats')))?.[1] ?? 0);
    return calls;
  };

  beforeAll(async () => {
    cluster = await RedisCluster.start({ primaries: 3, replicas: 1, nodeTimeoutMs: 1000 });
  });
  afterEach(async () => {
    await killAll();
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await cluster?.stop();
    await expectNoOpenHandles();
  });

  it('an engine process and a feed process on the cluster: the shards spread over the primaries, every bucket exact', async () => {
    const url = cluster.url();
    const owners = new Set(await Promise.all(TRADE_KEYS.map((k) => cluster.primaryOf(k))));
    expect(owners.size).toBeGreaterThan(1); // 4 shards over 3 primaries: 2 + 1 + 1
    const engine = new Command(engineArgs(url, 'A'));
    await engine.waitFor(READY);
    const feed = new Command([
      'feed',
      '--redis',
      url,
      '--symbols',
      '6',
      '--rate',
      '20000',
      '--count',
      '30000',
      '--seed',
      '7',
      '--shards',
      String(SHARDS),
    ]);
    expect(await feed.exited).toBe(0);
    const published = num((await feed.waitFor(/^published ([\d,]+) trades/m))[1]);
    expect(published).toBe(30_000);
    const redis = reader();
    await consumed(redis, TRADE_KEYS, 'vpin');
    expect(await engine.stop()).toBe(0);
    const summary = await engine.waitFor(SUMMARY);
    const r = await expectExactVpin(redis, SHARDS, VPIN);
    expect(r.trades).toBe(published);
    expect(num(summary[1])).toBe(published);
    console.log(
      `[redis-cluster] feed -> engine: ${r.trades} trades of ${r.symbols} symbols over ${owners.size} primaries, ${r.buckets} buckets exact`,
    );
  });

  it('a primary killed with SIGKILL while trades flow: its replica is promoted; every accepted trade stored and counted exactly once', async () => {
    const redis = reader();
    await Promise.all(cluster.live().map((s) => cluster.command(s.port, 'FLUSHALL').catch(() => undefined))); // replicas refuse: their primaries' flush reaches them
    const engine = new Command(engineArgs(cluster.url(), 'E'));
    await engine.waitFor(READY);
    const errors: string[] = [];
    const bus = createBus({
      shards: SHARDS,
      buses: ['marketdata'],
      redis: { cluster: cluster.urls(), publishTimeoutMs: 1000, reconnectMaxMs: 100 },
      onError: (e) => void errors.push(String(e)),
    });
    const md = bus.transport('marketdata') as RedisTransport;
    const waitsBefore = await waits();
    // About 6,000 trades a second: the test's own loop must leave the 2 cores to the cluster.
    const publisher = tradeLoop(bus, () => new Promise((resolve) => setTimeout(resolve, 1)));
    await until(() => publisher.sent >= 3000, 'trades before the kill');
    // Every primary has a replica: each append is followed by WAIT 1 (durability 'replica' by default).
    const waited = (await waits()) - waitsBefore;
    expect(waited).toBeGreaterThan(0);
    // The primary of the shard most keys are on (every shard's primary holds some of the trades).
    const victim = await cluster.primaryOf(TRADE_KEYS[0]);
    const { promoted, ms: promotionMs } = await cluster.killPrimary(victim);
    const afterKill = publisher.sent;
    await until(() => publisher.sent >= afterKill + 3000, 'trades after the promotion', 30_000);
    await publisher.stop();
    const sent = publisher.sent;
    const closing = performance.now();
    await bus.close(); // drains: every accepted trade stored and consumed
    const drainMs = performance.now() - closing;
    await consumed(redis, TRADE_KEYS, 'vpin');
    expect(await engine.stop()).toBe(0);
    const summary = await engine.waitFor(SUMMARY);
    const m = md.metrics();

    // Every accepted trade stored once, in order per key; the engine applied each once (a frame it
    // met twice, e.g. read from the old primary before its loss and stored again by the bus's retry,
    // is skipped as republished); every bucket exact.
    const r = await expectExactVpin(redis, SHARDS, VPIN);
    const { trades } = await storedTrades(redis, SHARDS);
    for (const key of LOOP_KEYS)
      expect(Array.from(trades.get(key)!.ts), key).toEqual(
        Array.from({ length: sent / LOOP_KEYS.length }, (_, i) => 1_700_000_000_000 + i),
      );
    expect(r.trades).toBe(sent);
    expect(num(summary[1]) - num(summary[3])).toBe(sent + r.republished);
    expect(await cluster.primaryOf(TRADE_KEYS[0])).toBe(promoted);
    console.log(
      `[redis-cluster] primary ${victim} killed: replica ${promoted} serving its slots ${promotionMs.toFixed(0)} ms later (cluster-node-timeout 1000 ms); ` +
        `${sent} trades accepted (${afterKill} before the kill; ${waited} WAITs by then), all stored once and ${r.buckets} buckets exact; engine processed ${summary[1]}, ` +
        `skipped ${summary[2]} redelivered entries and ${summary[3]} republished trades; ${r.republished} trades stored twice; ` +
        `${errors.length} publishes refused and retried (${m.unreplicated} unconfirmed by a replica, ${m.deduplicated} entries a retry found stored); close() drained in ${drainMs.toFixed(0)} ms`,
    );
  });

  it('the strategy engine warms up through the cluster (two scratch buses, packed entries): ready with the warm-up over Redis, its keys gone', async () => {
    const stop = new AbortController();
    const args = ['strategy', '--strategy', 'examples/strategy-ma-cross.mjs', '--redis', cluster.url(), '--log-format', 'json'];
    const running = runCapturing((out) => runEngine([...args, '--symbols', 'A,B,C', '--warmup-trades', '20000'], out, stop.signal, out));
    await until(() => running.seen().includes('"event":"ready"'), 'the engine to be ready', 60_000);
    stop.abort();
    const { code, text } = await running.done;
    expect(code).toBe(0);
    expect(text).not.toContain('warmup-redis-failed');
    expect(logEvent(text, 'ready').warmup).toMatchObject({ trades: 20_000, bus: 'redis' });
    const left: string[] = [];
    const masters = reader().nodes('master');
    for (const node of masters) left.push(...(await node.keys('kb:warmup:*')));
    expect(left).toEqual([]);
  }, 90_000);
});
