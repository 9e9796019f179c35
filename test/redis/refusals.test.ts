/**
 * Transport errors no retry can cure, through a bus over Redis: credentials the server refuses, a frame
 * over the transport's size limit, and one over the server's own limit (proto-max-bulk-len). The frames
 * they concern are refused (dropped, counted as undeliverable, reported), the rest goes on, and
 * `bus.close()` returns, each within a bounded time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import type { Trades } from '../../src/kernels/vpin/vpin.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import { closeAll, expectNoOpenHandles, describeRedis, RedisServer } from '../helpers/redis.js';

const rows = (n: number, key: string, from = 0): Trades & { key: string } => ({
  key,
  ts: Float64Array.from({ length: n }, (_, i) => from + i),
  price: new Float64Array(n).fill(100),
  volume: new Float64Array(n).fill(1),
});

/** Resolves with the time `promise` took, or rejects after `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
  return performance.now() - started;
}

describeRedis('refusals no retry can cure, through a bus over Redis', () => {
  const servers: RedisServer[] = [];
  let plain: RedisServer;
  beforeAll(async () => {
    plain = await RedisServer.start();
    servers.push(plain);
  });
  afterAll(async () => {
    await closeAll();
    await Promise.all(servers.map((s) => s.stop()));
    await expectNoOpenHandles();
  });

  it('a wrong password: the frames are refused for good (dropped, counted, reported); engine.close() and bus.close() return', async () => {
    const server = await RedisServer.start({
      args: ['--user', 'default', 'off', '--user', 'kb', 'on', '>right-Passw0rd', '~*', '&*', '+@all'],
    });
    servers.push(server);
    const errors: unknown[] = [];
    const bus = createBus({
      shards: 2,
      retryMs: 20,
      onError: (e) => errors.push(e),
      redis: { url: server.url({ username: 'kb', password: 'wrong-Passw0rd' }) },
    });
    const engine = new VpinEngine(bus, { vpin: { bucketVolume: 10, window: 2, barMs: 1 }, heartbeatMs: 0, checkpointMs: 0 }).start();
    bus.subscribe('RISK_ALERT', () => {}, { group: 'alerts' });
    await bus.publish('TRADE_EXECUTION', rows(20, 'A'));
    await bus.publish('RISK_ALERT', { key: 'A', payload: { x: 1 } });
    const closeMs = await within(
      10_000,
      'engine.close() and bus.close()',
      (async () => {
        await engine.close();
        await bus.close();
      })(),
    );
    const m = bus.metrics();
    expect(m).toMatchObject({ published: 21, undeliverable: 21, queueDepth: 0, delivered: 0 });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => (e as { name?: string }).name === 'TransportError')).toBe(true);
    expect(errors.at(-1)).toMatchObject({ code: 'auth', retryable: false });
    expect(String(errors.map(String))).not.toContain('wrong-Passw0rd');
    console.log(
      `[redis] wrong password: ${m.undeliverable} messages refused for good, ${errors.length} errors reported; engine and bus closed in ${closeMs.toFixed(0)} ms`,
    );
  });

  it("a frame over the transport's maxFrameBytes is refused for good; the other frames are delivered and close() returns", async () => {
    const errors: unknown[] = [];
    const bus = createBus({
      buses: ['marketdata'],
      redis: { url: plain.url(), prefix: 'kb:big1:', maxFrameBytes: 1000 },
      onError: (e) => errors.push(e),
    });
    const seen: number[] = [];
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => void seen.push(m.count), { group: 'g' });
    await (bus.transport('marketdata') as RedisTransport).ready();
    await bus.publish('TRADE_EXECUTION', rows(100, 'BIG'));
    await bus.publish('TRADE_EXECUTION', rows(10, 'SMALL'));
    const closeMs = await within(5000, 'bus.close()', bus.close());
    expect(seen).toEqual([10]);
    expect(bus.metrics()).toMatchObject({ published: 110, undeliverable: 100, queueDepth: 0 });
    expect(errors).toEqual([expect.objectContaining({ name: 'FrameTooLargeError', retryable: false, limit: 1000 })]);
    console.log(`[redis] frame over maxFrameBytes: refused, the rest delivered; bus closed in ${closeMs.toFixed(0)} ms`);
  });

  it("a frame over the server's limit (proto-max-bulk-len 1 MB, maxFrameBytes 64 MiB) is refused for good before it is sent; the connection and the other frames go on", async () => {
    const server = await RedisServer.start({ args: ['--proto-max-bulk-len', '1mb'] });
    servers.push(server);
    const errors: unknown[] = [];
    const bus = createBus({
      buses: ['marketdata'],
      redis: { url: server.url(), prefix: 'kb:big2:' },
      onError: (e) => errors.push(e),
    });
    const seen: number[] = [];
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => void seen.push(m.count), { group: 'g' });
    const transport = bus.transport('marketdata') as RedisTransport;
    await transport.ready();
    // 50,000 rows: a 1.2 MB frame (the bus's maxBatch is 1024 rows per frame: publish the frame as bytes).
    const big = rows(50_000, 'BIG');
    const { encodeTradesFrame } = await import('../../src/bus/frames.js');
    await bus.publishFrame(encodeTradesFrame({ type: 'TRADE_EXECUTION', ...big }));
    await bus.publish('TRADE_EXECUTION', rows(10, 'SMALL'));
    const closeMs = await within(5000, 'bus.close()', bus.close());
    expect(seen).toEqual([10]);
    expect(bus.metrics()).toMatchObject({ published: 50_010, undeliverable: 50_000, queueDepth: 0 });
    expect(errors).toEqual([expect.objectContaining({ name: 'FrameTooLargeError', retryable: false, limit: 1024 * 1024 })]);
    expect(transport.metrics().reconnects).toBe(0);
    console.log(
      `[redis] frame over the server's proto-max-bulk-len: refused before sending, the rest delivered; bus closed in ${closeMs.toFixed(0)} ms`,
    );
  });
});
