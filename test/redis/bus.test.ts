/** The bus facade over RedisTransport (createBus with a transports map): the interface fits as the memory one does. */
import { expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import type { BusMessage } from '../../src/bus/messages.js';
import { prometheusRegistry } from '../../src/ops/prometheus.js';
import { VpinEngine, type EngineHealth } from '../../src/engines/index.js';
import type { Trades } from '../../src/kernels/vpin/vpin.js';
import { client, transport, until, describeRedis, RedisServer, useRedisServer } from '../helpers/redis.js';

describeRedis('createBus over RedisTransport', () => {
  const server = useRedisServer();

  it('single trades are batched into frames, sharded, delivered in order per key once per group, drained and closed', async () => {
    const publisher = createBus({
      buses: ['marketdata'],
      transports: { marketdata: transport(server().url(), { prefix: 'kb:bus:' }) },
      shards: 4,
      maxBatch: 50,
    });
    const engine = createBus({
      buses: ['marketdata'],
      transports: { marketdata: transport(server().url(), { prefix: 'kb:bus:' }) },
      shards: 4,
      maxBatch: 50,
    });
    const seen = new Map<string, number[]>();
    let copies = 0;
    engine.subscribe(
      'TRADE_EXECUTION',
      (m: BusMessage) => {
        const cols = m.payload as Trades;
        const list = seen.get(m.key) ?? [];
        list.push(...cols.ts);
        seen.set(m.key, list);
      },
      { group: 'vpin', consumer: 'vpin-1' },
    );
    await (engine.transport('marketdata') as ReturnType<typeof transport>).ready();
    const keys = Array.from({ length: 16 }, (_, i) => `SYM${i}`);
    const perKey = 1000;
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) await publisher.publish('TRADE_EXECUTION', { key, ts: i, price: 100 + (i % 7), volume: 1 + (i % 3) });
    }
    await publisher.drain();
    await engine.drain();
    for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    const pm = publisher.metrics();
    expect(pm.published).toBe(keys.length * perKey);
    expect(pm.queueDepth).toBe(0);
    const em = engine.metrics();
    expect(em.delivered).toBe(keys.length * perKey);
    expect(em.acknowledged).toBe(keys.length * perKey);
    copies = em.copies;
    await publisher.close();
    await engine.close();
    console.log(
      `[redis] bus: ${pm.frames} frames for ${pm.published} trades (mean batch ${(pm.published / pm.frames).toFixed(1)}), ${copies} unaligned frames copied once`,
    );
  });

  it('publishSync past maxQueue: false until the group has acknowledged enough in Redis (room()); all delivered in order', async () => {
    const publisher = createBus({
      buses: ['marketdata'],
      transports: { marketdata: transport(server().url(), { prefix: 'kb:sync:', pollMs: 5 }) },
      shards: 2,
      maxQueue: 500,
    });
    const engine = createBus({
      buses: ['marketdata'],
      transports: { marketdata: transport(server().url(), { prefix: 'kb:sync:' }) },
      shards: 2,
    });
    const seen = new Map<string, number[]>();
    engine.subscribe<Trades>(
      'TRADE_EXECUTION',
      (m) => {
        const list = seen.get(m.key) ?? [];
        list.push(...m.payload.ts);
        seen.set(m.key, list);
      },
      { group: 'vpin' },
    );
    await (engine.transport('marketdata') as ReturnType<typeof transport>).ready();
    const keys = Array.from({ length: 8 }, (_, i) => `SYM${i}`);
    const perKey = 500;
    let full = 0;
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) {
        if (publisher.publishSync('TRADE_EXECUTION', { key, ts: i, price: 100, volume: 1 })) continue;
        full++;
        await publisher.room();
      }
    }
    await publisher.drain();
    await engine.drain();
    for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    expect(full).toBeGreaterThan(0);
    expect(publisher.metrics()).toMatchObject({ published: keys.length * perKey, maxQueueDepth: 501, queueDepth: 0, waiting: 0 });
    expect(engine.metrics()).toMatchObject({ delivered: keys.length * perKey, acknowledged: keys.length * perKey });
    await publisher.close();
    await engine.close();
  });

  it('frames a transport refuses for good (over maxFrameBytes, WRONGTYPE) are dropped, counted and reported, not retried; the rest is delivered and close() returns', async () => {
    const prefix = 'kb:refused:';
    const t = transport(server().url(), { prefix, maxFrameBytes: 1000 });
    const errors: unknown[] = [];
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: t }, onError: (e) => errors.push(e), retryMs: 5 });
    const seen = new Map<string, number>();
    bus.subscribe('TRADE_EXECUTION', (m: BusMessage) => void seen.set(m.key, (seen.get(m.key) ?? 0) + m.count), {
      group: 'g',
      consumer: 'c',
    });
    await t.ready();
    // A 100-row frame is 2.4 KB (over the limit), a 10-row one fits; both share one publish call.
    const rows = (n: number, key: string) => ({
      key,
      ts: new Float64Array(n).map((_, i) => i),
      price: new Float64Array(n).fill(100),
      volume: new Float64Array(n).fill(1),
    });
    await bus.publish('TRADE_EXECUTION', rows(100, 'BIG'));
    await bus.publish('TRADE_EXECUTION', rows(10, 'SMALL'));
    await bus.drain();
    expect(seen).toEqual(new Map([['SMALL', 10]]));
    expect(bus.metrics()).toMatchObject({ published: 110, undeliverable: 100, queueDepth: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'FrameTooLargeError', retryable: false });

    // A stream key that holds a string: Redis answers WRONGTYPE, which retrying cannot fix.
    const other = transport(server().url(), { prefix: 'kb:wrongtype:' });
    await other.ready();
    await other.cmd.set(other.streamKey('marketdata:TRADE_EXECUTION:0'), 'not a stream');
    const bus2 = createBus({ buses: ['marketdata'], transports: { marketdata: other }, onError: (e) => errors.push(e), retryMs: 5 });
    await bus2.publish('TRADE_EXECUTION', { key: 'X', ts: 1, price: 100, volume: 1 });
    await bus2.publish('TRADE_EXECUTION', { key: 'Y', ts: 1, price: 100, volume: 1 });
    await bus2.close(); // returns: nothing left to retry
    expect(bus2.metrics()).toMatchObject({ published: 2, undeliverable: 2, queueDepth: 0 });
    expect(errors[1]).toMatchObject({
      name: 'TransportError',
      code: 'command',
      retryable: false,
      message: expect.stringContaining('WRONGTYPE'),
    });
    expect(errors).toHaveLength(2);
    await bus.close();
  });

  it('a publish that timed out (Redis stopped, then resumed: the first attempt was stored after all) is retried by the bus and stored once', async () => {
    const paused = await RedisServer.start();
    try {
      const prefix = 'kb:once:';
      const t = transport(paused.url(), { prefix, publishTimeoutMs: 150 });
      const errors: unknown[] = [];
      const bus = createBus({
        buses: ['marketdata'],
        transports: { marketdata: t },
        shards: 2,
        retryMs: 20,
        onError: (e) => errors.push(e),
      });
      const seen = new Map<string, number[]>();
      bus.subscribe<Trades>(
        'TRADE_EXECUTION',
        (m) => {
          const list = seen.get(m.key) ?? [];
          list.push(...m.payload.ts);
          seen.set(m.key, list);
        },
        { group: 'g' },
      );
      await t.ready();
      const keys = ['A', 'B', 'C', 'D'];
      let next = 0;
      const publishRound = async () => {
        for (const key of keys) await bus.publish('TRADE_EXECUTION', { key, ts: next, price: 100, volume: 1 });
        next++;
      };
      for (let i = 0; i < 20; i++) await publishRound();
      await bus.flush();
      paused.pause();
      // Published while Redis is stopped: the publish times out after 150 ms and the bus retries it (on
      // the same connection, behind the first attempt, which Redis runs once it resumes).
      for (let i = 0; i < 20; i++) await publishRound();
      await new Promise((resolve) => setTimeout(resolve, 400));
      paused.resume();
      for (let i = 0; i < 20; i++) await publishRound();
      await bus.drain();
      await bus.close();
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => (e as { code?: string }).code === 'timeout')).toBe(true);
      expect(t.metrics().deduplicated).toBeGreaterThan(0);
      for (const key of keys) expect(seen.get(key), key).toEqual(Array.from({ length: next }, (_, i) => i));
      const redis = client(paused.url());
      let stored = 0;
      for (const stream of bus.streams('marketdata', 'TRADE_EXECUTION')) {
        for (const [, fields] of await redis.xrangeBuffer(t.streamKey(stream), '-', '+')) stored += Number(fields[5].toString());
      }
      expect(stored).toBe(keys.length * next);
      console.log(
        `[redis] a publish retried after ${errors.length} timeouts: ${t.metrics().deduplicated} entries not stored again; ${stored} trades stored, each once`,
      );
    } finally {
      await paused.stop();
    }
  });

  it('a Redis that lost its data (streams and groups gone): the bus and the engine go on and report the possible loss in metrics, Prometheus and ENGINE_HEALTH', async () => {
    const prefix = 'kb:loss:';
    const bus = createBus({ shards: 2, redis: { url: server().url(), prefix, claimIdleMs: 300, blockMs: 50 } });
    const engine = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0, checkpointMs: 0 }).start();
    const health: EngineHealth[] = [];
    bus.subscribe<EngineHealth>('ENGINE_HEALTH', (m) => void health.push(m.payload), { group: 'health' });
    await Promise.all(bus.buses.map((b) => (bus.transport(b) as ReturnType<typeof transport>).ready()));
    const trades = (from: number) => ({
      key: 'A',
      ts: Float64Array.from({ length: 20 }, (_, i) => from + i),
      price: new Float64Array(20).fill(100),
      volume: new Float64Array(20).fill(1),
    });
    await bus.publish('TRADE_EXECUTION', trades(0));
    await bus.drain();
    expect(bus.metrics()).toMatchObject({ possibleLoss: false, buses: { marketdata: { possibleLoss: false } } });

    // What a Redis restarted without persistence looks like to its clients: every key of ours is gone.
    const redis = client(server().url());
    await redis.del(...(await redis.keys(`${prefix}*`)));
    await until(() => bus.metrics().buses.marketdata.possibleLoss, 'the marketdata consumer to recreate its group');
    await bus.publish('TRADE_EXECUTION', trades(20));
    await bus.drain();
    expect(engine.metrics().processed).toBe(40);
    expect(bus.metrics().possibleLoss).toBe(true);
    const text = await prometheusRegistry({ bus }).metrics();
    expect(text).toContain('kernelbus_bus_possible_loss{bus="marketdata"} 1');
    engine.heartbeat();
    await bus.drain();
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ processed: 40, possibleLoss: true });
    await engine.close();
    await bus.close();
  });
});
