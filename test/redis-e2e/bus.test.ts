/**
 * createBus over Redis (the `redis` option) against real redis-server processes: a round trip with
 * order per key across shards, each bus on its own server, the options it refuses, and 'failover'
 * between a primary and a secondary Redis when the primary stops answering mid-stream.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus, type BusOptions } from '../../src/bus/bus.js';
import type { BusMessage } from '../../src/bus/messages.js';
import { SECONDARY_SUFFIX } from '../../src/bus/transports/redis/bus-plan.js';
import { RedisTransport } from '../../src/bus/transports/redis/index.js';
import type { Trades } from '../../src/kernels/vpin/vpin.js';
import { client, closeAll, keysOf, tearDown, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { expectInputErrors } from '../redis/helpers.js';
import { nextTurn } from '../bus/helpers.js';

/** Waits until every Redis transport of the bus (and its subscriptions) is connected. */
async function ready(bus: Bus): Promise<void> {
  await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
}

describeRedis('createBus over Redis', () => {
  let server: RedisServer;
  let url: string;
  const extra: RedisServer[] = [];
  const buses: Bus[] = [];
  const bus = (options: Parameters<typeof createBus>[0]) => {
    const b = createBus(options);
    buses.push(b);
    return b;
  };

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await closeAll();
    await Promise.all(extra.splice(0).map((s) => s.stop()));
  });
  afterAll(() => tearDown(server));

  it('round trip: trades and messages through kb:{<bus>:<shard>}:<type>, in order per key across shards, once per group; close() closes the transports it created', async () => {
    const redis = client(url);
    await redis.flushall();
    const options = { redis: { url }, shards: 4, maxBatch: 64 };
    const publisher = bus(options);
    const consumer = bus(options);
    const seen = new Map<string, number[]>();
    const alerts: BusMessage<{ n: number }>[] = [];
    let second = 0;
    consumer.subscribe(
      'TRADE_EXECUTION',
      (m: BusMessage) => {
        const list = seen.get(m.key) ?? [];
        list.push(...(m.payload as Trades).ts);
        seen.set(m.key, list);
      },
      { group: 'vpin', consumer: 'vpin-1' },
    );
    consumer.subscribe('TRADE_EXECUTION', (m) => void (second += m.count), { group: 'audit' });
    consumer.subscribe<{ n: number }>('RISK_ALERT', (m) => void alerts.push(m), { group: 'alerts' });
    await ready(consumer);
    const keys = Array.from({ length: 12 }, (_, i) => `SYM${i}`);
    const perKey = 500;
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) await publisher.publish('TRADE_EXECUTION', { key, ts: i, price: 100 + (i % 7), volume: 1 + (i % 3) });
      if (i % 50 === 0) {
        await publisher.publish('RISK_ALERT', { key: 'desk', payload: { n: i }, priority: i % 100 === 0 ? 'high' : 'normal' });
        await nextTurn();
      }
    }
    await publisher.drain();
    for (const key of keys) expect(seen.get(key), key).toEqual(Array.from({ length: perKey }, (_, i) => i));
    expect(second).toBe(keys.length * perKey);
    expect(alerts.map((m) => m.payload.n)).toEqual(Array.from({ length: 10 }, (_, i) => 50 * i));
    expect(alerts[0]).toMatchObject({ bus: 'logic', type: 'RISK_ALERT', key: 'desk', priority: 'high', count: 1 });
    expect(alerts[0].stream).toMatch(/^logic:RISK_ALERT:[0-3]$/);
    const streams = (await streamKeys(redis, 'kb:{*}:*')).sort();
    expect(streams).toEqual(
      [0, 1, 2, 3].flatMap((s) => [`kb:{logic:${s}}:RISK_ALERT`]).concat([0, 1, 2, 3].map((s) => `kb:{marketdata:${s}}:TRADE_EXECUTION`)),
    );
    expect(await redis.xlen(keysOf().stream(alerts[0].stream))).toBe(10);
    expect(publisher.metrics()).toMatchObject({ published: keys.length * perKey + 10, queueDepth: 0 });
    expect(consumer.metrics()).toMatchObject({ delivered: 2 * keys.length * perKey + 10, acknowledged: 2 * keys.length * perKey + 10 });
    const transports = [...publisher.buses, ...consumer.buses].map((b, i) => (i < 3 ? publisher : consumer).transport(b));
    expect(
      transports.every(
        (t) => t instanceof RedisTransport && t.name === `redis:${['marketdata', 'logic', 'compute'][transports.indexOf(t) % 3]}`,
      ),
    ).toBe(true);
    await publisher.close();
    await consumer.close();
    expect(transports.every((t) => !t.healthy)).toBe(true);
    await expect(transports[0].publish('x', [])).rejects.toThrow(/closed/);
  });

  it('each bus on its own Redis (per-bus URLs); RedisTransport options pass through', async () => {
    const other = await RedisServer.start();
    extra.push(other);
    const [a, b] = [client(url), client(other.url())];
    await Promise.all([a.flushall(), b.flushall()]);
    const targets = { marketdata: url, logic: other.url(), compute: other.url() };
    const publisher = bus({ redis: { targets, prefix: 'kb:x:', maxLenMessages: 10_000 } });
    const consumer = bus({ redis: { targets, prefix: 'kb:x:' } });
    let trades = 0;
    let calcs = 0;
    consumer.subscribe('TRADE_EXECUTION', (m) => void (trades += m.count), { group: 'g' });
    consumer.subscribe('VPIN_CALCULATION', () => void calcs++, { group: 'g' });
    await ready(consumer);
    for (let i = 0; i < 1000; i++) await publisher.publish('TRADE_EXECUTION', { key: `K${i % 3}`, ts: i, price: 1, volume: 1 });
    for (let i = 0; i < 5; i++) await publisher.publish('VPIN_CALCULATION', { key: 'K0', payload: { bucket: i } });
    await publisher.drain();
    expect([trades, calcs]).toEqual([1000, 5]);
    expect(await streamKeys(a, 'kb:x:{*:0}:*')).toEqual(['kb:x:{marketdata:0}:TRADE_EXECUTION']);
    expect(await streamKeys(b, 'kb:x:{*:0}:*')).toEqual(['kb:x:{compute:0}:VPIN_CALCULATION']);
    expect((publisher.transport('logic') as RedisTransport).target).toBe(`redis://127.0.0.1:${other.port}/0`);
    expect((publisher.transport('marketdata') as RedisTransport).config.maxLenMessages).toBe(10_000);
  });

  it('refuses bad options with KernelInputError naming the option, before connecting, and never echoes a URL', () => {
    const secret = 'redis://user:s3cret-pw@127.0.0.1:1';
    /** Options of an older release, or of a JavaScript caller: the types do not hold them. */
    const loose = (options: Record<string, unknown>) => createBus(options as BusOptions);
    const cases: [() => unknown, RegExp][] = [
      [
        () => createBus({ redis: { targets: { marketdata: secret }, url: secret } }),
        /^options\.redis\.url: expected nothing when options\.redis\.targets gives each bus its server, got a value \(not shown/,
      ],
      [
        () => createBus({ redis: { targets: { marketdata: secret }, cluster: [secret] } }),
        /^options\.redis\.cluster: expected nothing when options\.redis\.targets gives each bus its server .*, got a value \(not shown/,
      ],
      [
        () => createBus({ transport: 'memory', redis: { url: secret } }),
        /^options\.redis: expected nothing unless options\.transport is 'redis', got an object with keys \["url"\]$/,
      ],
      [
        () => loose({ url: secret }),
        /^options\.url: expected nothing \(Redis settings are under options\.redis: options\.redis\.url\), got a value \(not shown/,
      ],
      [
        () => loose({ transport: 'redis', cluster: [secret] }),
        /^options\.cluster: expected nothing \(Redis settings are under options\.redis: options\.redis\.cluster\), got a value \(not shown/,
      ],
      [
        () => loose({ buses: { marketdata: secret } }),
        /^options\.buses: expected a non-empty array of names without ":" \(each bus's Redis goes in options\.redis\.targets\), got a map$/,
      ],
      [() => createBus({ transport: 'kafka' as 'redis' }), /^options\.transport: expected 'memory' or 'redis', got "kafka"$/],
      [() => loose({ redis: 'redis://x' }), /^options\.redis: expected an object of Redis bus options .*, got a string \(not shown/],
      [
        () => loose({ redis: { name: 'mine' } }),
        /^options\.redis\.name: expected nothing \(each bus names its transport redis:<bus>\), got "mine"$/,
      ],
      [
        () => createBus({ redis: { targets: { marketdata: { primary: secret } as unknown as string } } }),
        /^options\.redis\.targets\.marketdata: expected a redis:\/\/ URL or \{ primary, secondary \} URLs, got a value \(not shown/,
      ],
      [() => createBus({ redis: { targets: { 'a:b': url } } }), /^options\.redis\.targets: expected bus names without ":", got "a:b"$/],
      [() => createBus({ redis: { targets: {} } }), /^options\.redis\.targets: expected at least one bus, got an empty map$/],
      [
        () => createBus({ buses: ['marketdata', 'logic'], redis: { targets: { marketdata: url } } }),
        /^options\.buses: expected the buses of options\.redis\.targets \(marketdata\), or nothing, got marketdata, logic$/,
      ],
      [
        () => createBus({ redis: { targets: { marketdata: url, logic: 'http://user:s3cret-pw@host' } } }),
        /^options\.redis\.targets\.logic: expected a redis:\/\/, rediss:\/\/ or unix:\/\/ URL, got protocol http:$/,
      ],
      [
        () => createBus({ redis: { targets: { marketdata: { primary: url, secondary: 'redis://h/x' } } } }),
        /^options\.redis\.targets\.marketdata\.secondary: expected a database number after the host/,
      ],
      [
        () =>
          createBus({
            redis: { url },
            transports: () => {
              throw new Error('not called');
            },
          }),
        /^options\.transports: expected a map of bus to transport/,
      ],
      [
        () => createBus({ redis: { url: 'http://user:s3cret-pw@host' } }),
        /^options\.redis\.url: expected a redis:\/\/, rediss:\/\/ or unix:\/\/ URL, got protocol http:$/,
      ],
      [() => createBus({ redis: { url, claimIdleMs: 1 } }), /^options\.redis\.claimIdleMs: expected an integer >= 30, got 1$/],
      [
        () => createBus({ redis: { cluster: 'redis://user:s3cret-pw@h:1' as unknown as string[] } }),
        /^options\.redis\.cluster: expected an array of redis:\/\/ URLs, got a string \(not shown/,
      ],
    ];
    expectInputErrors(cases, 's3cret');
  });

  it("'failover' between two Redis instances: the primary stops answering mid-stream, traffic moves to the secondary and back; nothing lost", async () => {
    const primary = await RedisServer.start();
    const secondary = await RedisServer.start();
    extra.push(primary, secondary);
    const options = {
      redis: {
        targets: { marketdata: { primary: primary.url(), secondary: secondary.url() } },
        publishTimeoutMs: 300,
        claimIdleMs: 300,
        blockMs: 50,
      },
      routing: 'failover' as const,
      shards: 2,
      retryMs: 20,
    };
    const publisher = bus(options);
    const consumer = bus(options);
    const marketdata2 = `marketdata${SECONDARY_SUFFIX}`;
    expect(publisher.buses).toEqual(['marketdata', marketdata2]);
    const got = new Map<string, number[]>();
    const via = { marketdata: 0, [marketdata2]: 0 } as Record<string, number>;
    let firstOnSecondary = 0;
    consumer.subscribe(
      'TRADE_EXECUTION',
      (m: BusMessage) => {
        const list = got.get(m.key) ?? [];
        list.push(...(m.payload as Trades).ts);
        got.set(m.key, list);
        via[m.bus] += m.count;
        if (m.bus === marketdata2 && firstOnSecondary === 0) firstOnSecondary = performance.now();
      },
      { group: 'g' },
    );
    await ready(consumer);
    await ready(publisher);
    const keys = ['A', 'B', 'C', 'D'];
    let next = 0;
    let stop = false;
    const lanes = () => publisher.metrics().buses;
    const publishing = (async () => {
      while (!stop) {
        for (const key of keys) await publisher.publish('TRADE_EXECUTION', { key, ts: next, price: 1, volume: 1 });
        next++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await until(() => via.marketdata >= 400, 'traffic on the primary');
    primary.pause(); // SIGSTOP: connections stay open, nothing answers
    const stoppedAt = performance.now();
    await until(() => lanes()[marketdata2].frames > 0, 'frames routed to the secondary', 10_000, 0);
    const switchMs = performance.now() - stoppedAt;
    await until(() => firstOnSecondary > 0, 'delivery from the secondary');
    const deliveredMs = firstOnSecondary - stoppedAt;
    const onSecondary = via[marketdata2];
    await until(() => via[marketdata2] >= onSecondary + 400, 'traffic on the secondary');
    primary.resume();
    const resumedAt = performance.now();
    const framesOnPrimary = lanes().marketdata.frames;
    await until(() => lanes().marketdata.frames > framesOnPrimary + 50, 'traffic back on the primary', 10_000, 0);
    const backMs = performance.now() - resumedAt;
    stop = true;
    await publishing;
    await publisher.drain();
    await until(() => keys.every((k) => new Set(got.get(k)).size === next), 'every message delivered');
    let duplicates = 0;
    for (const key of keys) {
      const list = got.get(key)!;
      expect(new Set(list).size).toBe(next); // nothing lost
      duplicates += list.length - next;
    }
    const m = publisher.metrics();
    expect(m.buses[marketdata2].frames).toBeGreaterThan(0);
    console.log(
      `[redis-e2e] failover: frames routed to the secondary ${switchMs.toFixed(1)} ms after the primary stopped (SIGSTOP; health check every 20 ms, ` +
        `60 ms timeout), first delivery from it after ${deliveredMs.toFixed(1)} ms; back on the primary ${backMs.toFixed(1)} ms after SIGCONT; ` +
        `${next * keys.length} messages, ${via.marketdata} delivered via the primary, ${via[marketdata2]} via the secondary, ` +
        `${m.buses.marketdata.publishErrors} publishes timed out on the stopped primary and were retried, ${duplicates} duplicates, none lost`,
    );
  });
  it("closes a group reading 20 streams (5 types x 4 shards) with one disconnect of its reader's connection: no listener warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const b = bus({ redis: { url }, shards: 4 });
      for (const type of ['TRADE_EXECUTION', 'VPIN_CALCULATION', 'FEATURES_UPDATE', 'PORTFOLIO_UPDATE', 'ML_PREDICTION']) {
        b.subscribe(type, () => undefined, { group: 'many', consumer: 'm1' });
      }
      await ready(b);
      await Promise.all(b.buses.map((name) => (b.transport(name) as RedisTransport).reading?.()));
      await b.close();
      // a warning is emitted on the next tick
      await new Promise((done) => setImmediate(done));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});

/** The keys matching `pattern` that hold streams (not their leases, deduplication records or groups' keys). */
async function streamKeys(redis: ReturnType<typeof client>, pattern: string): Promise<string[]> {
  const keys = await redis.keys(pattern);
  const types = await Promise.all(keys.map((k) => redis.type(k)));
  return keys.filter((_, i) => types[i] === 'stream');
}
