/**
 * Redis outages as an operator meets them (issue 41, items 3-6, 10): an engine and a feed as processes
 * over a real redis-server that is paused (SIGSTOP), killed and restarted, or full (maxmemory): one
 * log line when it stops answering and one when it is back (text and JSON), /readyz 503 meanwhile while
 * /metrics still answers at once with kernelbus_bus_healthy 0, no frame stored twice by the feed's
 * retries, and a SIGTERM during the outage obeyed within the grace period.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { entryFrames, type RedisClient } from '../../src/bus/transports/redis/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import { get, parseExposition } from './exposition.js';
import { Command, consumed, ENGINE_SHARDS, ENGINE_TRADE_STREAMS, ENGINE_VPIN, engineArgs, expectExactVpin, killAll } from './helpers.js';

const METRICS = /^(?:metrics: (http:\S+)|.*"url":"(http:[^"]+)".*)$/m;
const READY = /ready: engine vpin/;
const DOWN_TEXT = /^kernelbus engine: Redis redis:\/\/127\.0\.0\.1:\d+\/0 \(marketdata, logic, compute\) stopped answering: (.*)$/m;
const UP_TEXT =
  /^Redis redis:\/\/127\.0\.0\.1:\d+\/0 \(marketdata, logic, compute\) answers again after \d+\.\d s: (\d+) failed publishes, (\d+) reconnects, (\d+) failed checkpoints$/m;
/** Every match of `pattern` in `text`. */
const all = (text: string, pattern: RegExp) => [...text.matchAll(new RegExp(pattern.source, 'gm'))];

const feedArgs = (url: string, ...extra: string[]) => [
  'feed',
  '--redis',
  url,
  '--symbols',
  '6',
  '--seed',
  '7',
  '--shards',
  String(ENGINE_SHARDS),
  '--metrics-port',
  '0',
  ...extra,
];

/** The base URL (`http://host:port`) a command printed for its metrics. */
async function metricsBase(c: Command): Promise<string> {
  const m = await c.waitFor(METRICS);
  return (m[1] ?? m[2]).replace(/\/metrics$/, '');
}

/** /metrics, timed: it must answer from local state at once, whatever Redis does. */
async function scrape(base: string) {
  const started = performance.now();
  const { status, text } = await get(`${base}/metrics`);
  const ms = performance.now() - started;
  expect(status, text).toBe(200);
  expect(ms).toBeLessThan(1500);
  return parseExposition(text);
}

/** JSON log lines of a command's output. */
function events(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Frames stored more than once (the same bytes) in the trade streams. */
async function storedTwice(redis: RedisClient): Promise<number> {
  let twice = 0;
  for (let shard = 0; shard < ENGINE_SHARDS; shard++) {
    const seen = new Set<string>();
    const page = (await redis.callBuffer('XRANGE', keysOf().stream(`marketdata:TRADE_EXECUTION:${shard}`), '-', '+')) as [
      Buffer,
      Buffer[],
    ][];
    for (const [, fields] of page) {
      // each frame of a packed entry (kernelbus feed packs), as the engines read them
      for (const bytes of entryFrames(fields[fields.findIndex((f, i) => i % 2 === 0 && f.toString() === 'd') + 1])) {
        const frame = Buffer.from(bytes).toString('base64');
        if (seen.has(frame)) twice++;
        seen.add(frame);
      }
    }
  }
  return twice;
}

describeRedis('Redis outages: logs, health, readiness, retries, signals', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start({ appendonly: true });
    url = server.url();
  });
  afterEach(async () => {
    server.resume();
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('paused (SIGSTOP) 5 s: a line each way (text and JSON), /readyz 503, /metrics at once with healthy 0; nothing stored twice', async () => {
    const redis = client(url);
    await redis.flushall();
    const engine = new Command([...engineArgs(url, 'P', 30_000), '--metrics-port', '0']);
    const engineBase = await metricsBase(engine);
    await engine.waitFor(READY);
    const feed = new Command(feedArgs(url, '--rate', '4000', '--seconds', '60', '--log-format', 'json'));
    const feedBase = await metricsBase(feed);
    await until(async () => (await get(`${engineBase}/readyz`)).status === 200, 'the engine to be ready');
    await until(async () => (await scrape(engineBase)).value('kernelbus_engine_processed_total', { engine: 'vpin' })! > 2000, 'trades');
    expect((await scrape(feedBase)).value('kernelbus_bus_healthy', { bus: 'marketdata' })).toBe(1);
    for (const base of [engineBase, feedBase])
      await until(async () => (await scrape(base)).all('kernelbus_consumer_group_lag').length > 0, 'a first lag sweep');

    server.pause();
    for (const base of [engineBase, feedBase]) {
      await until(async () => (await get(`${base}/readyz`)).status === 503, 'readyz 503', 5000, 50);
      expect((await get(`${base}/readyz`)).text).toMatch(/^not ready: Redis not answering \(marketdata, logic, compute: /);
      await until(async () => (await scrape(base)).value('kernelbus_bus_healthy', { bus: 'marketdata' }) === 0, 'healthy 0', 5000, 50);
      // The lag gauges come from Redis: the last known values, not a wait.
      expect((await scrape(base)).all('kernelbus_consumer_group_lag').length).toBeGreaterThan(0);
    }
    await engine.waitFor(DOWN_TEXT);
    await sleep(4000); // past the publish timeout (2 s): the feed's publishes fail and are retried
    server.resume();
    await engine.waitFor(UP_TEXT);
    for (const base of [engineBase, feedBase]) {
      await until(async () => (await get(`${base}/readyz`)).status === 200, 'ready again', 10_000, 50);
      // The gauge is the bus lane's: 0 after the last PING came late (healthTimeoutMs) and for cooldownMs (1 s)
      // after a publish refused, such as one that timed out just before the resume; /readyz reads the PINGs
      // debounced over two checks. So under load it can read 0 for a moment after /readyz is 200 again.
      await until(async () => (await scrape(base)).value('kernelbus_bus_healthy', { bus: 'marketdata' }) === 1, 'healthy 1', 5000, 50);
    }
    await until(() => events(feed.out).some((e) => e.event === 'redis-up'), 'the feed to log the end of the outage');

    expect(feed.kill('SIGTERM')).toBeUndefined();
    expect(await feed.exited, feed.out).toBe(0);
    await until(async () => {
      const lag = (await scrape(engineBase)).all('kernelbus_consumer_group_lag', { group: 'vpin' });
      return lag.length === ENGINE_SHARDS && lag.every((s) => s.value === 0);
    }, 'the engine to catch up');
    expect(await engine.stop(), engine.out).toBe(0);

    // One line each way in each process, whatever the number of failed pings and publishes, and nothing of ioredis's own
    // (its commands timed out while Redis was paused: the progress poll's, the consumer's).
    expect(all(engine.out, DOWN_TEXT)).toHaveLength(1);
    for (const out of [engine.out, feed.out])
      expect(out).not.toMatch(/Stream isn't writeable|Connection is closed|ECONNREFUSED|Command timed out/);
    const up = all(engine.out, UP_TEXT);
    expect(up).toHaveLength(1);
    const feedEvents = events(feed.out);
    const down = feedEvents.filter((e) => e.event === 'redis-down');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ level: 50, buses: ['marketdata', 'logic', 'compute'], reason: expect.stringMatching(/PING/) });
    const back = feedEvents.filter((e) => e.event === 'redis-up');
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: 30, outages: 1, reconnects: 0, downMs: expect.any(Number) });
    expect(back[0].failedPublishes).toBeGreaterThan(0);
    expect(back[0].downMs).toBeGreaterThan(3000);

    // Retried appends stored once: no frame twice, and every bucket equal to vpin() over what is stored.
    expect(await storedTwice(redis)).toBe(0);
    const exact = await expectExactVpin(redis, ENGINE_SHARDS, ENGINE_VPIN);
    expect(exact.republished).toBe(0);
  }, 90_000);

  it('killed and restarted: /metrics answers (no HTTP 500) while it is down, /readyz 503, a line each way', async () => {
    const redis = client(url);
    await redis.flushall();
    const engine = new Command([...engineArgs(url, 'K', 30_000), '--metrics-port', '0']);
    const base = await metricsBase(engine);
    await engine.waitFor(READY);
    await until(async () => (await get(`${base}/readyz`)).status === 200, 'the engine to be ready');
    await server.halt('SIGKILL');
    await until(async () => (await get(`${base}/readyz`)).status === 503, 'readyz 503', 5000, 50);
    const exposition = await scrape(base);
    expect(exposition.value('kernelbus_bus_healthy', { bus: 'compute' })).toBe(0);
    await engine.waitFor(DOWN_TEXT);
    await sleep(1500);
    await server.restart();
    await engine.waitFor(UP_TEXT);
    const [line] = all(engine.out, UP_TEXT);
    expect(Number(line[2])).toBeGreaterThanOrEqual(1); // reconnected
    await until(async () => (await get(`${base}/readyz`)).status === 200, 'ready again', 10_000, 50);
    expect(await engine.stop(), engine.out).toBe(0);
    expect(all(engine.out, DOWN_TEXT)).toHaveLength(1);
    // the outage is our line alone: ioredis's own words for a command on a closed connection are not logged beside it
    const noise = engine.out.split('\n').filter((l) => /Stream isn't writeable|Connection is closed|ECONNREFUSED/.test(l));
    expect(noise).toEqual([]);
  }, 60_000);

  it('full (maxmemory, writes refused with OOM while PINGs answer): /readyz 503 with the reason, a line each way', async () => {
    const redis = client(url);
    await redis.flushall();
    const engine = new Command([...engineArgs(url, 'M', 30_000), '--metrics-port', '0']);
    const base = await metricsBase(engine);
    await engine.waitFor(READY);
    await until(async () => (await get(`${base}/readyz`)).status === 200, 'the engine to be ready');
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', '1');
    try {
      await until(async () => (await get(`${base}/readyz`)).status === 503, 'readyz 503', 5000, 50);
      expect((await get(`${base}/readyz`)).text).toMatch(/write refused: OOM command not allowed/);
      // PINGs still answer: the gauge says the server answers; readiness says it does not take writes.
      expect((await scrape(base)).value('kernelbus_bus_healthy', { bus: 'marketdata' })).toBe(1);
      const [down] = await engine.waitFor(DOWN_TEXT);
      expect(down).toMatch(/stopped answering: write refused: OOM command not allowed/);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    await engine.waitFor(UP_TEXT);
    await until(async () => (await get(`${base}/readyz`)).status === 200, 'ready again', 10_000, 50);
    expect(await engine.stop(), engine.out).toBe(0);
  }, 60_000);

  it('SIGTERM while Redis is paused: engine and feed exit 1 within the grace period, saying what was not stored; nothing acknowledged lost', async () => {
    const redis = client(url);
    await redis.flushall();
    const engine = new Command([...engineArgs(url, 'T', 1000), '--grace-ms', '1500']);
    await engine.waitFor(READY);
    const feed = new Command(feedArgs(url, '--rate', '4000', '--seconds', '60', '--grace-ms', '1500'));
    await feed.waitFor(/kernelbus feed: 6 symbols/);
    await sleep(1500);
    server.pause();
    await sleep(1000);
    const signalled = performance.now();
    feed.kill('SIGTERM');
    engine.kill('SIGTERM');
    const [feedCode, engineCode] = await Promise.all([feed.exited, engine.exited]);
    const took = performance.now() - signalled;
    expect(feedCode, feed.out).toBe(1);
    expect(engineCode, engine.out).toBe(1);
    expect(took).toBeLessThan(1500 + 3000);
    expect(feed.out).toMatch(
      /^kernelbus feed: stopped by SIGTERM while Redis does not answer: [\d,]+ of [\d,]+ messages not stored within 1,500 ms \(never acknowledged: nothing stored was lost\)$/m,
    );
    expect(engine.out).toMatch(
      /^kernelbus engine: stopped \(SIGTERM\) while Redis does not answer: not stopped cleanly within 1,500 ms; [\d,]+ output messages not stored, last checkpoint (failed|not written); the group resumes from its last checkpoint and computes them again$/m,
    );
    server.resume();
    // The next engine of the group resumes from the last checkpoint: every bucket of every stored trade, exactly.
    const next = new Command(engineArgs(url, 'T2', 1000));
    await next.waitFor(READY);
    await consumed(
      redis,
      ENGINE_TRADE_STREAMS.map((s) => keysOf().stream(s)),
      'vpin',
    );
    await sleep(500);
    expect(await next.stop(), next.out).toBe(0);
    await expectExactVpin(redis, ENGINE_SHARDS, ENGINE_VPIN);
  }, 60_000);
});
