/**
 * Pipelined publishes (capabilities.publishWindow > 1): a publish to a stream goes while the one before
 * it awaits its reply, and order and deduplication still hold: the append script refuses a publish
 * whose unanswered predecessor was not stored ('order', retried behind it), and keeps the seqs of every
 * unanswered publish so that a retry of any of them is stored once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { PUBLISH_WINDOW, TransportError } from '../../src/bus/transports/redis/index.js';
import type { Trades } from '../../src/kernels/vpin.js';
import { RedisServer } from '../../tools/redis-server.js';
import { describeRedis } from './describe.js';
import { client, keysOf, tearDown, tradeEntry, transport } from './helpers.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describeRedis('RedisTransport: pipelined publishes keep order and are stored once', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => tearDown(server));

  it('the transport lets a bus pipeline two publishes per stream', () => {
    expect(PUBLISH_WINDOW).toBe(2);
    expect(transport(server.url()).capabilities.publishWindow).toBe(PUBLISH_WINDOW);
  });

  it('a publish sent while the one before it is unanswered: both stored in order; a retry of the first is found, not stored again', async () => {
    const p = 'kb:pipe:';
    const t = transport(server.url(), { prefix: p });
    const redis = client(server.url());
    await t.ready();
    const e = (seq: number) => ({ ...tradeEntry('k', seq), producer: 'bus-1', seq });
    // Redis stopped: the first call is written and stays unanswered while the second is sent.
    server.pause();
    let first: Promise<string[]>;
    let second: Promise<string[]>;
    try {
      first = t.publish('s', [e(1), e(2)]);
      await turn();
      second = t.publish('s', [e(3)]);
      await turn();
    } finally {
      server.resume();
    }
    const [a, b] = await Promise.all([first, second]);
    expect(b[0] > a[1]).toBe(true);
    // As after an ambiguous failure of the first (its reply lost): the same entries again.
    expect(await t.publish('s', [e(1), e(2)])).toEqual(a);
    expect(t.metrics()).toMatchObject({ deduplicated: 2, reordered: 0 });
    const stored = (await redis.xrangeBuffer(keysOf(p).stream('s'), '-', '+')).map(([, f]) => new Float64Array(f[1].buffer.slice(f[1].byteOffset, f[1].byteOffset + f[1].length)).at(-3));
    expect(stored).toEqual([1, 2, 3]);
  });

  /**
   * A bus over a transport whose first append call fails as Redis would refuse it (nothing stored)
   * after `failMs`, and whose second reaches Redis only after `secondMs`: publishes 6 turns of trades of
   * two keys, the first two in flight together, and checks that every trade arrived once, in order.
   */
  async function run(prefix: string, failMs: number, secondMs: number) {
    const t = transport(server.url(), { prefix });
    const cmd = t.cmd as unknown as { kbAppend: (...args: unknown[]) => Promise<unknown> };
    const real = cmd.kbAppend.bind(cmd);
    let calls = 0;
    cmd.kbAppend = (...args: unknown[]) => {
      const call = ++calls;
      if (call === 1) return new Promise((_, reject) => setTimeout(() => reject(new Error('OOM command not allowed when used memory > maxmemory')), failMs));
      if (call === 2 && secondMs > 0) return new Promise((resolve) => setTimeout(resolve, secondMs)).then(() => real(...args));
      return real(...args);
    };
    const errors: unknown[] = [];
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: t }, shards: 1, retryMs: 10, onError: (error) => errors.push(error) });
    const seen = new Map<string, number[]>();
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
      const list = seen.get(m.key) ?? [];
      list.push(...m.payload.ts);
      seen.set(m.key, list);
    }, { group: 'g' });
    await t.ready();
    const keys = ['A', 'B'];
    let next = 0;
    // Each round flushes at the end of its turn: one publish per round, the first two in flight together.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++, next++) for (const key of keys) bus.publishSync('TRADE_EXECUTION', { key, ts: next, price: 100, volume: 1 });
      await turn();
    }
    await bus.drain();
    await bus.close();
    expect(calls).toBeGreaterThan(2);
    for (const key of keys) expect(seen.get(key), key).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(t.metrics().reordered).toBeGreaterThan(0);
    expect(errors.some((e) => e instanceof TransportError && e.code === 'order' && e.retryable)).toBe(true);
    expect(bus.metrics()).toMatchObject({ undeliverable: 0, published: keys.length * next });
  }

  it('a publish whose unanswered predecessor was not stored is refused (order) and retried behind it: every trade once, in order', async () => {
    await run('kb:order:', 50, 0);
  });

  it('a retry sent while the publish refused behind the failed one is still unanswered: both refused, then stored in their first order', async () => {
    await run('kb:order2:', 5, 60);
  });
});
