/**
 * `kernelbus gateway` over a real redis-server with two `kernelbus engine vpin` processes and a
 * `kernelbus feed`, watched by plain WebSocket clients (docs/gateway.md): one subscribed to
 * VPIN_CALCULATION of two symbols receives exactly the buckets VPIN computed directly over the trades
 * Redis stored gives for them, values equal, in order; one that reads nothing for 5 s is coalesced
 * (latest per type and key; not disconnected) while the others are not held up; a bad subscription
 * gets an error frame naming the field; a wrong token is refused with 401; SIGTERM stops the gateway
 * and its consumer groups go with it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { TestClient } from '../gateway/helpers.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import {
  Command,
  columns,
  consumed,
  ENGINE_SHARDS,
  ENGINE_TRADE_STREAMS,
  ENGINE_VPIN,
  engineArgs,
  expectedBuckets,
  killAll,
  storedTrades,
} from './helpers.js';

const READY = /^ready: engine vpin, group vpin/m;
const DASHBOARD = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/) /m;
const TOKEN = 'test-token-29';
const WATCHED = ['SYM001', 'SYM004'];
/**
 * Small buckets (about 2.5 trades each): some 6,000 VPIN_CALCULATION a second, so that the 5 s in which
 * the slow client reads nothing outgrow what the kernel's socket buffers take (a few MB on loopback)
 * and the gateway has to coalesce.
 */
const VPIN = { ...ENGINE_VPIN, bucketVolume: 300 };
const vpinEngine = (url: string, consumer: string) => {
  const args = engineArgs(url, consumer, 500);
  args[args.indexOf('--bucket-volume') + 1] = String(VPIN.bucketVolume);
  return args;
};

describeRedis('the WebSocket gateway over Redis', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('two engine processes and a feed: a client gets exactly the VPIN buckets of its two symbols; a slow one does not hold the others up', async () => {
    const redis = client(url);
    await redis.flushall();
    const a = new Command(vpinEngine(url, 'A'));
    const b = new Command(vpinEngine(url, 'B'));
    const gateway = new Command(['gateway', '--redis', url, '--port', '0', '--token', TOKEN, '--shards', String(ENGINE_SHARDS)]);
    await Promise.all([a.waitFor(READY), b.waitFor(READY), gateway.waitFor(/^ready: gateway/m)]);
    const page = (await gateway.waitFor(DASHBOARD))[1];
    const ws = `${page.replace('http', 'ws')}ws`;
    expect(await (await fetch(`${page}readyz`)).text()).toBe('ready\n'); // its Redis answers
    // Both engines hold streams before the feed starts, so none changes hands (and republishes) meanwhile.
    const holders = async () =>
      (await Promise.all(ENGINE_TRADE_STREAMS.map((s) => redis.get(keysOf().lease(s, 'vpin'))))).map((v) => v?.split(':')[0]);
    await until(async () => (await holders()).includes('A') && (await holders()).includes('B'), 'A and B to share the streams');

    // A wrong token is refused; a bad subscription gets an error frame naming the field.
    await expect(new TestClient(`${ws}?token=wrong`).opened).rejects.toThrow('HTTP 401');
    await expect(new TestClient(ws).opened).rejects.toThrow('HTTP 401');
    const watcher = new TestClient(`${ws}?token=${TOKEN}`);
    const all = new TestClient(ws, { headers: { authorization: `Bearer ${TOKEN}` } });
    const slow = new TestClient(`${ws}?token=${TOKEN}`);
    await Promise.all([watcher.opened, all.opened, slow.opened]);
    expect(await watcher.request({ subscribe: ['VPIN_CALCULATIONS'], keys: WATCHED })).toMatchObject({
      frame: 'error',
      field: 'subscribe[0]',
    });
    expect(await watcher.request({ subscribe: ['VPIN_CALCULATION'], keys: WATCHED })).toMatchObject({ frame: 'subscribed' });
    for (const c of [all, slow])
      expect(await c.request({ subscribe: ['VPIN_CALCULATION', 'RISK_ALERT'] })).toMatchObject({ frame: 'subscribed' });

    const feed = new Command([
      'feed',
      '--redis',
      url,
      '--symbols',
      '6',
      '--rate',
      '15000',
      '--count',
      '90000',
      '--seed',
      '7',
      '--shards',
      String(ENGINE_SHARDS),
    ]);
    // The slow client reads nothing for 5 s while the feed runs.
    await until(() => watcher.messages.length > 200, 'the first buckets');
    const raw = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const pausedAt = performance.now();
    await sleep(5000);
    raw.resume();
    const resumedAt = performance.now();
    expect(await feed.exited).toBe(0);
    await consumed(
      redis,
      ENGINE_TRADE_STREAMS.map((s) => keysOf().stream(s)),
      'vpin',
    );

    const { trades } = await storedTrades(redis, ENGINE_SHARDS);
    for (const key of WATCHED) {
      const expected = expectedBuckets(trades.get(key)!, VPIN);
      await until(
        () => new Set(watcher.messages.filter((m) => m.key === key).map((m) => m.payload.bucket)).size >= expected.vpin.length,
        `${key}'s buckets`,
      );
      const received = watcher.messages.filter((m) => m.key === key).map((m) => m.payload);
      // Outputs are at least once (docs/redis.md): a stream that changed hands under load (a lease
      // missed) has the buckets since its checkpoint published again, with the same values. A
      // VPIN_CALCULATION is identified by (key, bucket): each first seen in order, every repeat equal.
      const first = new Map<unknown, (typeof received)[number]>();
      for (const p of received) if (!first.has(p.bucket)) first.set(p.bucket, p);
      const mine = [...first.values()];
      expect(mine.map((p) => p.bucket)).toEqual(mine.map((_, i) => i));
      for (const p of received) expect(p).toEqual(first.get(p.bucket));
      // NaN (the first window - 1 VPINs) travels as null
      const asNumbers = mine.map((p) => ({ ...p, vpin: p.vpin ?? NaN, cdf: p.cdf ?? NaN })) as never[];
      expect(columns(asNumbers)).toEqual(expected);
      expect(expected.vpin.length).toBeGreaterThan(50);
    }
    expect(new Set(watcher.messages.map((m) => m.key))).toEqual(new Set(WATCHED));

    // The others were not held up by the slow one: their end-to-end delay (trade published -> client) while it was paused.
    const delays = (from: number, to: number) =>
      watcher.messages
        .filter((m) => m.receivedAt >= from && m.receivedAt < to)
        .map((m) => m.receivedAt + performance.timeOrigin - m.ts)
        .sort((x, y) => x - y);
    const during = delays(pausedAt, resumedAt);
    const median = during[Math.floor(during.length / 2)];
    const before = delays(0, pausedAt);
    expect(during.length).toBeGreaterThan(20);
    // held up by the paused client, the others' delay would reach the pause's 5 s; on a quiet machine it
    // is tens of ms, under load (a loaded 2-core run measured 359 ms) a few hundred: the bound is the
    // claim (not held up), not a speed target
    expect(median).toBeLessThan(1500);

    // The slow client: every message of the others, but those coalesced into a newer one of the same (type, key).
    const scrape = async () => await (await fetch(`${page}metrics`)).text();
    const counter = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    await until(
      async () => slow.messages.length + counter(await scrape(), 'kernelbus_gateway_messages_coalesced_total') === all.messages.length,
      'the slow client to catch up',
    );
    const metrics = await scrape();
    const coalesced = counter(metrics, 'kernelbus_gateway_messages_coalesced_total');
    expect(coalesced).toBeGreaterThan(0); // congested: latest per (type, key) ...
    expect(counter(metrics, 'kernelbus_gateway_messages_dropped_total')).toBe(0); // ... and not disconnected (5 s < maxStallMs)
    expect(counter(metrics, 'kernelbus_gateway_clients')).toBe(3);
    const last = (c: TestClient, key: string) =>
      c.messages.filter((m) => m.type === 'VPIN_CALCULATION' && m.key === key).at(-1)?.payload.bucket;
    for (const key of trades.keys()) expect(last(slow, key)).toBe(last(all, key));
    console.log(
      `[gateway] ${watcher.messages.length} buckets of ${WATCHED.join(', ')} exact; delay trade -> client while a client was paused: median ${median.toFixed(1)} ms (before it: ${before[Math.floor(before.length / 2)].toFixed(1)} ms), ` +
        `p90 ${during[Math.floor(during.length * 0.9)].toFixed(1)} ms over ${during.length}; slow client ${slow.messages.length} of ${all.messages.length} messages, ${coalesced} coalesced`,
    );

    // SIGTERM: the gateway stops, closing its clients, and leaves no consumer group behind.
    expect(await gateway.stop()).toBe(0);
    expect((await all.closed).code).toBe(1001);
    expect(gateway.out).toMatch(/^stopped \(SIGTERM\): \d+ messages received/m);
    const groups = (await redis.xinfo('GROUPS', keysOf().stream('compute:VPIN_CALCULATION:0'))) as unknown[][];
    expect(groups).toEqual([]); // nothing but the gateway read the results
    for (const c of [watcher, all, slow]) c.close();
  });
});
