/**
 * RedisTransport against entries that cannot or do not yet succeed: fields that disagree with their
 * frame, data a kernel rejects (no retry cures it), a key whose entry is retried while the other keys
 * of its stream go on, and delivery counts that count real attempts only (held-back entries are not
 * deliveries, also for the consumer that takes a stream over).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { FrameError } from '../../src/bus/errors.js';
import { KernelInputError } from '../../src/errors.js';
import { DEAD_LETTER_SUFFIX, type Entry } from '../../src/bus/transports/types.js';
import { client, closeAll, keysOf, sleep, tearDown, transport, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { seqs, tradeEntry } from './helpers.js';

/** A dead-letter stream's entries as field -> text. */
async function deadLetters(redis: ReturnType<typeof client>, key: string): Promise<Record<string, string>[]> {
  const dead = await redis.xrangeBuffer(key + DEAD_LETTER_SUFFIX, '-', '+');
  return dead.map(([, f]) => {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < f.length; i += 2) out[f[i].toString()] = f[i + 1].toString(f[i].toString() === 'd' ? 'hex' : 'utf8');
    return out;
  });
}

/** A frame as a Buffer (ioredis sends a bare Uint8Array as text). */
const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** `key` + the frame's first sequence number, e.g. "a3". */
const tag = (e: Entry) => `${e.key}${seqs(e)[0]}`;

describeRedis('RedisTransport: bad entries and retries', () => {
  let server: RedisServer;
  let url: string;
  let prefixN = 0;
  const prefix = () => `kb:b${++prefixN}:`;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(closeAll);
  afterAll(() => tearDown(server));

  it("an entry whose 'k' or 'n' disagrees with its frame is malformed: dead-lettered at once with the reason; the key comes from the frame", async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    const handled: string[] = [];
    const keys: string[] = [];
    t.subscribe('s', 'g', 'c', (e) => {
      handled.push(tag(e));
      keys.push(e.key);
    });
    await t.ready();
    await t.publish('s', [tradeEntry('a', 0)]);
    await redis.xadd(keysOf(p).stream('s'), '*', 'd', bytes(tradeEntry('a', 1).data), 'k', 'b', 'n', '1'); // k names another key
    await redis.xadd(keysOf(p).stream('s'), '*', 'd', bytes(tradeEntry('a', 2).data), 'k', 'a', 'n', '7'); // n is not the frame's count
    await t.publish('s', [tradeEntry('a', 3), tradeEntry('b', 0)]);
    await t.idle();
    expect(handled).toEqual(['a0', 'a3', 'b0']);
    expect(keys).toEqual(['a', 'a', 'b']);
    const dead = await deadLetters(redis, keysOf(p).stream('s'));
    expect(dead.map((d) => d.error)).toEqual([
      `malformed entry: field 'k' ("b") is not the frame's key ("a")`,
      `malformed entry: field 'n' (7) is not the frame's count (1)`,
    ]);
    expect(dead.map((d) => d.deliveries)).toEqual(['1', '1']);
    // Messages as far as the frames decoded (field n's claim of 7 is not counted), and the entries.
    expect(t.metrics()).toMatchObject({ deadLettered: 2, deadLetteredEntries: 2, failed: 0, redelivered: 0 });
    expect(await redis.xpending(keysOf(p).stream('s'), 'g')).toEqual([0, null, null, null]);
  });

  it('data the handler rejects for good (KernelInputError, FrameError) is dead-lettered at its first delivery; its key goes on at once', async () => {
    const p = prefix();
    // A retry would wait 300 ms: the test would see it.
    const t = transport(url, { prefix: p, retryDelayMs: 300, maxDeliveries: 5 });
    const redis = client(url);
    const handled: string[] = [];
    const attempts = new Map<string, number[]>();
    t.subscribe('s', 'g', 'c', (e) => {
      attempts.set(tag(e), [...(attempts.get(tag(e)) ?? []), e.deliveries]);
      if (tag(e) === 'a1') throw new KernelInputError('trades.price', 'finite prices', 'price[0] = NaN');
      if (tag(e) === 'a3') throw new FrameError('type RISK_ALERT on a stream of TRADE_EXECUTION');
      handled.push(tag(e));
    });
    await t.ready();
    const started = performance.now();
    await t.publish(
      's',
      [0, 1, 2, 3, 4].map((i) => tradeEntry('a', i)),
    );
    await t.idle();
    const ms = performance.now() - started;
    expect(handled).toEqual(['a0', 'a2', 'a4']);
    expect(attempts.get('a1')).toEqual([1]);
    expect(attempts.get('a3')).toEqual([1]);
    const dead = await deadLetters(redis, keysOf(p).stream('s'));
    expect(dead.map((d) => d.error)).toEqual([
      'invalid data: trades.price: expected finite prices, got price[0] = NaN',
      'malformed entry: frame: type RISK_ALERT on a stream of TRADE_EXECUTION',
    ]);
    expect(dead.map((d) => d.deliveries)).toEqual(['1', '1']);
    expect(ms).toBeLessThan(300);
    expect(t.metrics()).toMatchObject({ deadLettered: 2, failed: 2, acknowledged: 3, redelivered: 0 });
  });

  it('while an entry is retried only its key waits: the other keys of the stream go on within milliseconds', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, retryDelayMs: 200, maxDeliveries: 4 });
    const pub = transport(url, { prefix: p });
    const handledAt = new Map<string, number>();
    const attempts = new Map<string, number[]>();
    t.subscribe('s', 'g', 'c', (e) => {
      attempts.set(tag(e), [...(attempts.get(tag(e)) ?? []), e.deliveries]);
      if (tag(e) === 'slow0' && e.deliveries < 3) throw new Error('transient');
      handledAt.set(tag(e), performance.now());
    });
    await t.ready();
    const publishedAt = new Map<string, number>();
    publishedAt.set('slow0', performance.now());
    await pub.publish('s', [tradeEntry('slow', 0)]);
    for (let i = 0; i < 40; i++) {
      await sleep(5);
      publishedAt.set(`ok${i}`, performance.now());
      const batch = [tradeEntry('ok', i)];
      if (i === 10) batch.push(tradeEntry('slow', 1));
      await pub.publish('s', batch);
    }
    await pub.idle();
    const waits = Array.from({ length: 40 }, (_, i) => handledAt.get(`ok${i}`)! - publishedAt.get(`ok${i}`)!);
    const worst = Math.max(...waits);
    console.log(
      `[redis] while a key was retried (2 failures, retryDelayMs 200): another key of its stream waited at most ${worst.toFixed(1)} ms`,
    );
    expect(worst).toBeLessThan(100); // a wait for the retry would be 200 ms or more
    expect(attempts.get('slow0')).toEqual([1, 2, 3]);
    expect(attempts.get('slow1')).toEqual([1]); // held back behind slow0, then handled after it
    expect(handledAt.get('slow1')!).toBeGreaterThan(handledAt.get('slow0')!);
    expect(handledAt.get('slow0')! - publishedAt.get('slow0')!).toBeGreaterThanOrEqual(390);
  });

  it('deliveries count real attempts: a held-back entry is not a delivery (also for the consumer that takes the stream over); each failing entry gets its own maxDeliveries', async () => {
    const p = prefix();
    const redis = client(url);
    const attempts = new Map<string, number[]>();
    const failing = new Set(['k0', 'k1']);
    const handler = (who: string) => (e: Entry) => {
      attempts.set(tag(e), [...(attempts.get(tag(e)) ?? []), e.deliveries]);
      if (failing.has(tag(e))) throw new Error(`transient (${who})`);
    };
    // A: k0 fails twice (a retry every 200 ms); k1..k3 wait behind it. Then A leaves.
    const a = transport(url, { prefix: p, retryDelayMs: 200, maxDeliveries: 3 });
    const subA = a.subscribe('s', 'g', 'a', handler('a'));
    await a.ready();
    await a.publish(
      's',
      [0, 1, 2, 3].map((i) => tradeEntry('k', i)),
    );
    await until(() => (attempts.get('k0')?.length ?? 0) >= 2, 'two attempts of k0');
    await subA.close();
    const counts = async () =>
      new Map(
        ((await redis.xpending(keysOf(p).stream('s'), 'g', '-', '+', 100)) as [string, string, number, number][]).map((r) => [r[0], r[3]]),
      );
    const pending = await counts();
    expect([...pending.values()].slice(0, 1)).toEqual([attempts.get('k0')!.length]); // k0: its attempts
    expect([...pending.values()].slice(1)).toEqual([0, 0, 0]); // k1..k3: never handed to a handler
    // B takes the stream over: k0 goes on from A's attempts, k1 starts at 1.
    const b = transport(url, { prefix: p, retryDelayMs: 5, maxDeliveries: 3 });
    b.subscribe('s', 'g', 'b', handler('b'));
    await b.ready();
    await until(async () => ((await redis.xpending(keysOf(p).stream('s'), 'g')) as [number])[0] === 0, 'the stream to be consumed', 10_000);
    expect(attempts.get('k0')).toEqual([1, 2, 3]);
    expect(attempts.get('k1')).toEqual([1, 2, 3]);
    expect(attempts.get('k2')).toEqual([1]);
    expect(attempts.get('k3')).toEqual([1]);
    const dead = await deadLetters(redis, keysOf(p).stream('s'));
    expect(dead.map((d) => [d.error, d.deliveries])).toEqual([
      ['failed 3 deliveries: transient (b)', '3'],
      ['failed 3 deliveries: transient (b)', '3'],
    ]);
  });
});
