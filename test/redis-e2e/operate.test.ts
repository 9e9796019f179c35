/**
 * Operating the processes (issue 28): an engine and a feed over a real redis-server, each scraped on
 * its --metrics-port (/metrics parsed: histograms well formed, counts equal to the trades published,
 * no quantile gauges), /readyz 503 until the engine's streams are leased and 200 after; a consumer
 * stopped with SIGSTOP while the feed publishes: the lag gauge and `kernelbus status` rise, and fall
 * back to 0 after SIGCONT, nothing lost (every bucket equal to vpin() over the stored trades).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, describeRedis, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import { expectWellFormedHistograms, get, parseExposition, type Exposition } from './exposition.js';
import { Command, ENGINE_SHARDS, ENGINE_VPIN, engineArgs, expectExactVpin, killAll } from './helpers.js';

const METRICS = /^metrics: (http:\S+)$/m;
const READY = /^ready: engine vpin, group vpin, consumer \S+, 4 streams on /m;

const scrape = async (url: string): Promise<Exposition> => {
  const { status, text } = await get(url);
  expect(status).toBe(200);
  return parseExposition(text);
};

const feedArgs = (url: string, ...extra: string[]) => [
  'feed',
  '--redis',
  url,
  '--symbols',
  '6',
  '--seed',
  '5',
  '--shards',
  String(ENGINE_SHARDS),
  ...extra,
];

/** The lag of group vpin summed over its streams, from an exposition. */
const lagOf = (e: Exposition) => e.all('kernelbus_consumer_group_lag', { group: 'vpin' }).reduce((n, s) => n + s.value, 0);

/** `kernelbus status --json`, run as a process. */
async function status(
  url: string,
): Promise<{ streams: { stream: string; group: string; lag: number; pending: number; deadLetters: number }[] }> {
  const c = new Command(['status', '--redis', url, '--json']);
  expect(await c.exited, c.out).toBe(0);
  return JSON.parse(c.out.slice(c.out.indexOf('{')));
}

describeRedis('operating the processes: metrics, health, lag', () => {
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

  it('engine and feed serve /metrics, /healthz, /readyz: histograms in seconds, counts equal to the trades published; /readyz 503 until leased', async () => {
    const redis = client(url);
    await redis.flushall();
    // Writes paused: the engine connects (reads pass) but can neither create its groups nor lease its streams.
    await redis.call('CLIENT', 'PAUSE', '20000', 'WRITE');
    const engine = new Command([...engineArgs(url, 'E', 5000), '--metrics-port', '0']);
    const engineUrl = (await engine.waitFor(METRICS))[1];
    expect(engineUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const engineBase = engineUrl.replace(/\/metrics$/, '');
    expect((await get(`${engineBase}/healthz`)).status).toBe(200);
    const before = await get(`${engineBase}/readyz`);
    expect(before).toEqual({ status: 503, text: 'not ready: streams not leased yet\n' });
    await redis.call('CLIENT', 'UNPAUSE');
    await until(async () => (await get(`${engineBase}/readyz`)).status === 200, 'the engine to be ready', 20_000, 50);
    await engine.waitFor(READY);

    const count = 20_000;
    const feed = new Command([...feedArgs(url, '--rate', '10000', '--count', String(count)), '--metrics-port', '0']);
    const feedUrl = (await feed.waitFor(METRICS))[1];
    expect((await get(feedUrl.replace(/\/metrics$/, '/readyz'))).status).toBe(200);
    // the lag gauges answer from the last XINFO read, waited for 200 ms a scrape: the feed (nice 10) on a
    // loaded machine may answer its first after that scrape
    let during = parseExposition('');
    await until(
      async () => (during = await scrape(feedUrl)).all('kernelbus_consumer_group_lag', { group: 'vpin' }).length === 4,
      "the feed's lag gauges",
      10_000,
      50,
    );
    expect(expectWellFormedHistograms(during)).toEqual(
      expect.arrayContaining([
        'kernelbus_bus_delivery_latency_seconds',
        'kernelbus_bus_publish_latency_seconds',
        'kernelbus_bus_frame_messages',
      ]),
    );
    expect(during.value('kernelbus_bus_published_total')).toBeLessThanOrEqual(count);
    expect(
      during
        .all('kernelbus_consumer_group_lag', { group: 'vpin' })
        .map((s) => s.labels.stream)
        .sort(),
    ).toEqual([0, 1, 2, 3].map((s) => `marketdata:TRADE_EXECUTION:${s}`));
    expect(during.value('kernelbus_build_info', { version: '0.1.0' })).toBe(1);
    expect(await feed.exited, feed.out).toBe(0);
    expect(feed.out).toMatch(/published 20,000 trades/);

    await until(
      async () => (await scrape(engineUrl)).value('kernelbus_engine_processed_total', { engine: 'vpin' }) === count,
      'the engine to process every trade',
    );
    const after = await scrape(engineUrl);
    expect(expectWellFormedHistograms(after)).toEqual(expect.arrayContaining(['kernelbus_engine_latency_seconds']));
    expect(after.value('kernelbus_engine_latency_seconds_count', { engine: 'vpin' })).toBe(count);
    expect(after.value('kernelbus_bus_delivery_latency_seconds_count', { bus: 'marketdata' })).toBe(count);
    expect(after.value('kernelbus_bus_delivered_total')).toBe(count);
    expect(after.types.get('kernelbus_engine_processed_total')).toBe('counter');
    expect(after.value('kernelbus_transport_leases_total', { bus: 'marketdata', transport: 'redis' })).toBeGreaterThanOrEqual(4);
    expect(after.value('kernelbus_build_info', { version: '0.1.0', backend: 'reference' })).toBe(1);
    expect(after.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    await until(async () => lagOf(await scrape(engineUrl)) === 0, 'no lag');
    for (const s of (await scrape(engineUrl)).all('kernelbus_dead_letters')) expect(s.value).toBe(0);
    expect(after.samples.some((s) => /_ms(_|$)/.test(s.name) || s.name === 'kernelbus_engine_throughput')).toBe(false);

    expect(await engine.stop()).toBe(0);
    const exact = await expectExactVpin(redis, ENGINE_SHARDS, ENGINE_VPIN);
    expect(exact.trades).toBe(count);
  });

  it('the only consumer SIGSTOPped while the feed publishes: lag rises in the feed’s gauge and kernelbus status, falls to 0 after SIGCONT, nothing lost', async () => {
    const redis = client(url);
    await redis.flushall();
    const engine = new Command(engineArgs(url, 'S', 30_000));
    await engine.waitFor(READY);
    const feed = new Command([...feedArgs(url, '--rate', '4000', '--seconds', '4'), '--metrics-port', '0']);
    const feedUrl = (await feed.waitFor(METRICS))[1];
    await until(async () => ((await scrape(feedUrl)).value('kernelbus_bus_published_total') ?? 0) > 1000, 'the feed to publish');
    engine.kill('SIGSTOP');
    try {
      await sleep(500);
      // a scrape answers from the last lag read it waited 200 ms for: the feed (nice 10) may answer a
      // scrape later, so the rise is waited for
      let first = 0;
      await until(async () => (first = lagOf(await scrape(feedUrl))) > 0, 'the lag to rise in the feed’s gauge', 3000, 50);
      expect(first).toBeGreaterThan(0);
      const seen = await status(url);
      const lag = seen.streams.filter((s) => s.group === 'vpin').reduce((n, s) => n + s.lag, 0);
      expect(lag).toBeGreaterThan(0);
      const later = lagOf(await scrape(feedUrl));
      expect(later).toBeGreaterThanOrEqual(first);
      console.log(`[redis] consumer stopped: lag ${first} entries after 0.5 s, ${lag} by kernelbus status, ${later} at the next scrape`);
    } finally {
      engine.kill('SIGCONT');
    }
    const resumed = performance.now();
    await until(
      async () => lagOf(await scrape(feedUrl).catch(() => parseExposition(''))) === 0 || feed.child.exitCode !== null,
      'the lag to fall',
      15_000,
      100,
    );
    expect(await feed.exited, feed.out).toBe(0);
    const final = await status(url);
    for (const s of final.streams.filter((x) => x.group === 'vpin')) expect([s.lag, s.pending, s.deadLetters]).toEqual([0, 0, 0]);
    console.log(`[redis] consumer resumed: lag 0 after ${(performance.now() - resumed).toFixed(0)} ms`);
    expect(await engine.stop()).toBe(0);
    await expectExactVpin(redis, ENGINE_SHARDS, ENGINE_VPIN);
  });
});
