/**
 * RedisTransport with packEntries: a publish's frames in one entry, delivered frame by frame under
 * their keys; a frame that fails holds its key alone and the others are not handed again; a frame
 * rejected for good is dead-lettered alone; a retry after an ambiguous failure stores nothing twice; a
 * malformed pack is dead-lettered whole; a checkpoint replay reads a pack's frames.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { decodeFrame } from '../../src/bus/frames.js';
import { KernelInputError } from '../../src/errors.js';
import { encodePack } from '../../src/bus/transports/redis/pack.js';
import { DEAD_LETTER_SUFFIX, type Entry, type ReplayEntry } from '../../src/bus/transports/types.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, transport, until } from '../helpers/redis.js';
import { batchEntry, seqs, tradeEntry } from './helpers.js';

/** `key` + the frame's first sequence number, e.g. "a3". */
const tag = (e: { key: string; data: Uint8Array }) => `${e.key}${seqs(e as Entry)[0]}`;

describeRedis('RedisTransport: packed entries', () => {
  let server: RedisServer;
  let url: string;
  let prefixN = 0;
  const prefix = () => `kb:pk${++prefixN}:`;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(closeAll);
  afterAll(() => tearDown(server));

  it('a publish is one entry; its frames are delivered in order under their keys, with its id; settle and backlog count messages', async () => {
    const p = prefix();
    const pub = transport(url, { prefix: p, packEntries: true });
    const sub = transport(url, { prefix: p });
    const redis = client(url);
    const got: [string, string, number][] = [];
    sub.subscribe('s', 'g', 'c', (e) => {
      got.push([tag(e), e.id, e.count]);
    });
    await sub.ready();
    const settled: [string, number][] = [];
    pub.onSettle((_stream, key, count) => settled.push([key, count]));
    const ids = await pub.publish('s', [tradeEntry('a', 0), batchEntry('b', 10, 3), tradeEntry('c', 0)]);
    expect(new Set(ids).size).toBe(1);
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(1);
    const [[, fields]] = (await redis.xrange(keysOf(p).stream('s'), '-', '+')) as [string, string[]][];
    expect([fields[2], fields[3], fields[4], fields[5]]).toEqual(['k', '', 'n', '5']);
    await pub.idle();
    expect(got).toEqual([
      ['a0', ids[0], 1],
      ['b10', ids[0], 3],
      ['c0', ids[0], 1],
    ]);
    await until(() => settled.length === 3, 'three settles');
    expect(settled).toEqual([
      ['a', 1],
      ['b', 3],
      ['c', 1],
    ]);
    expect(pub.backlog('s')).toBe(0);
    expect(pub.metrics()).toMatchObject({ entries: 1, messages: 5 });
    expect(sub.metrics()).toMatchObject({ delivered: 5, acknowledged: 5 });
    // one key twice in a publish: two entries (a consumer skips a key's ids it has seen)
    await pub.publish('s', [tradeEntry('a', 1), tradeEntry('b', 13), tradeEntry('a', 2)]);
    await pub.idle();
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(3);
    expect(got.slice(3).map(([t]) => t)).toEqual(['a1', 'b13', 'a2']);
  });

  it('a pack stays within maxFrameBytes: a publish over it goes as several', async () => {
    const p = prefix();
    // a pack of two 64-byte frames is 24 + 128 = 152 bytes, of three 32 + 192 = 224
    const t = transport(url, { prefix: p, packEntries: true, maxFrameBytes: 200 });
    const redis = client(url);
    const ids = await t.publish(
      's',
      ['a', 'b', 'c', 'd', 'e'].map((k) => tradeEntry(k, 0)),
    );
    expect(ids).toEqual([ids[0], ids[0], ids[2], ids[2], ids[4]]);
    expect(new Set(ids).size).toBe(3);
    const lengths = ((await redis.xrangeBuffer(keysOf(p).stream('s'), '-', '+')) as [Buffer, Buffer[]][]).map(([, f]) => f[1].length);
    expect(lengths).toEqual([152, 152, 64]);
  });

  it('a frame that fails holds its key only; the frames that succeeded are not handed again; the entry is acknowledged once all are done', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, packEntries: true, retryDelayMs: 20, maxDeliveries: 5 });
    const redis = client(url);
    const attempts = new Map<string, number[]>();
    const order: string[] = [];
    t.subscribe('s', 'g', 'c', (e) => {
      attempts.set(tag(e), [...(attempts.get(tag(e)) ?? []), e.deliveries]);
      if (tag(e) === 'b0' && e.deliveries < 3) throw new Error('transient');
      order.push(tag(e));
    });
    await t.ready();
    await t.publish('s', [tradeEntry('a', 0), tradeEntry('b', 0), tradeEntry('c', 0)]);
    await t.publish('s', [tradeEntry('a', 1), tradeEntry('b', 1), tradeEntry('c', 1)]);
    await t.idle();
    expect(attempts.get('b0')).toEqual([1, 2, 3]);
    // b1 waited in a pack whose other frames went through: its first attempt is its first delivery
    for (const ok of ['a0', 'c0', 'a1', 'c1', 'b1']) expect(attempts.get(ok)).toEqual([1]);
    // b1 waited behind b0; a and c went on
    expect(order.indexOf('b1')).toBeGreaterThan(order.indexOf('b0'));
    expect(order.indexOf('a1')).toBeLessThan(order.indexOf('b0'));
    expect(await redis.xpending(keysOf(p).stream('s'), 'g')).toEqual([0, null, null, null]);
    expect(t.metrics()).toMatchObject({ acknowledged: 6, failed: 2 });
  });

  it("a frame rejected for good is dead-lettered alone, as an entry of its own; the pack's other frames are handled", async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, packEntries: true });
    const redis = client(url);
    const handled: string[] = [];
    t.subscribe('s', 'g', 'c', (e) => {
      if (tag(e) === 'b0') throw new KernelInputError('trades.price', 'finite prices', 'price[0] = NaN');
      handled.push(tag(e));
    });
    await t.ready();
    const b = batchEntry('b', 0, 2);
    await t.publish('s', [tradeEntry('a', 0), b, tradeEntry('c', 0)]);
    await t.idle();
    expect(handled).toEqual(['a0', 'c0']);
    const dead = (await redis.xrangeBuffer(keysOf(p).stream('s') + DEAD_LETTER_SUFFIX, '-', '+')) as [Buffer, Buffer[]][];
    expect(dead).toHaveLength(1);
    const f = new Map<string, Buffer>();
    for (let i = 0; i + 1 < dead[0][1].length; i += 2) f.set(dead[0][1][i].toString(), dead[0][1][i + 1]);
    expect(f.get('d')).toEqual(Buffer.from(b.data));
    expect([f.get('k')?.toString(), f.get('n')?.toString(), f.get('deliveries')?.toString()]).toEqual(['b', '2', '1']);
    expect(f.get('error')?.toString()).toBe('invalid data: trades.price: expected finite prices, got price[0] = NaN');
    expect(await redis.xpending(keysOf(p).stream('s'), 'g')).toEqual([0, null, null, null]);
    expect(t.metrics()).toMatchObject({ deadLettered: 2, deadLetteredEntries: 1, acknowledged: 2 });
  });

  it('a retry after an ambiguous failure, with what queued behind it, stores the packed frames once', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, packEntries: true });
    const redis = client(url);
    const e = (key: string, seq: number) => ({ ...tradeEntry(key, seq), producer: 'bus-1', seq });
    const first = await t.publish('s', [e('a', 1), e('b', 2), e('c', 3)]);
    // the same frames again (the reply was lost), and two new ones of the same keys
    const again = await t.publish('s', [e('a', 1), e('b', 2), e('c', 3), e('a', 4), e('b', 5)]);
    expect(again.slice(0, 3)).toEqual(first);
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(2);
    expect(t.metrics().deduplicated).toBe(3);
    const got: string[] = [];
    t.subscribe('s', 'g', 'c', (x) => {
      got.push(tag(x));
    });
    await t.ready();
    await until(() => got.length === 5, 'five frames');
    expect(got).toEqual(['a1', 'b2', 'c3', 'a4', 'b5']);
  });

  it("a malformed pack is dead-lettered whole with the reason; a pack whose n is not its frames' count too", async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    const handled: string[] = [];
    t.subscribe('s', 'g', 'c', (e) => {
      handled.push(tag(e));
    });
    await t.ready();
    const key = keysOf(p).stream('s');
    const pack = encodePack([tradeEntry('a', 0).data, tradeEntry('b', 0).data]);
    await redis.xadd(key, '*', 'd', pack.subarray(0, pack.length - 8), 'k', '', 'n', '2');
    await redis.xadd(key, '*', 'd', pack, 'k', '', 'n', '3');
    await redis.xadd(key, '*', 'd', pack, 'k', 'a', 'n', '2');
    await redis.xadd(key, '*', 'd', pack, 'k', '', 'n', '2');
    await until(() => handled.length === 2, 'the good pack');
    await until(async () => (await redis.xlen(key + DEAD_LETTER_SUFFIX)) === 3, 'three dead letters');
    expect(handled).toEqual(['a0', 'b0']);
    const reasons = ((await redis.xrange(key + DEAD_LETTER_SUFFIX, '-', '+')) as [string, string[]][]).map(
      ([, f]) => f[f.indexOf('error') + 1],
    );
    expect(reasons[0]).toMatch(/^malformed entry: malformed pack: frame 1 of 64 bytes runs past the pack's \d+$/);
    expect(reasons.slice(1)).toEqual([
      "malformed entry: field 'n' (3) is not the packed frames' count (2)",
      "malformed entry: a packed entry's field 'k' must be empty",
    ]);
    // messages as far as the frames decoded: 0 of the truncated pack, 2 of each other
    expect(t.metrics()).toMatchObject({ deadLettered: 4, deadLetteredEntries: 3 });
  });

  it("a checkpoint store's replay reads a pack's frames under their keys, with the entry's id", async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, packEntries: true });
    const ids = await t.publish('s', [tradeEntry('a', 0), batchEntry('b', 7, 2)]);
    const [single] = await t.publish('s', [tradeEntry('c', 0)]);
    const store = t.checkpointStore('g');
    // the store's own connection, once it answers (as an engine resumes: load, then range)
    await until(
      () =>
        store.load('s').then(
          () => true,
          () => false,
        ),
      'the checkpoint connection',
      5000,
    );
    const read: ReplayEntry[] = [];
    for await (const e of store.range('s', '-', '+')) read.push(e);
    store.close();
    expect(
      read.map((e) => [e.id, e.key, e.count, Array.from((decodeFrame(e.data) as { columns: { ts: Float64Array } }).columns.ts)]),
    ).toEqual([
      [ids[0], 'a', 1, [0]],
      [ids[0], 'b', 2, [7, 8]],
      [single, 'c', 1, [0]],
    ]);
  });

  it('a packed entry deleted before its group read it is one lost entry of all its messages', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, packEntries: true, pollMs: 5 });
    const redis = client(url);
    const key = keysOf(p).stream('s');
    await redis.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    const [id] = await t.publish('s', [tradeEntry('a', 0), batchEntry('b', 0, 3), tradeEntry('c', 0)]);
    await redis.xdel(key, id);
    await until(() => t.metrics().discarded > 0, 'the progress poll to see it gone');
    expect(t.metrics()).toMatchObject({ discarded: 5, lostEntries: 1 });
  });

  it('packEntries must be a boolean', () => {
    expect(() => transport(url, { packEntries: 'yes' as never })).toThrow(KernelInputError);
    expect(() => transport(url, { packEntries: 'yes' as never })).toThrow(/options\.packEntries: expected a boolean/);
  });
});
