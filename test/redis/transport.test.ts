/** RedisTransport against a real redis-server: round trip, order, failures, dead letters, NOGROUP, shard sharing. */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { FrameError } from '../../src/bus/errors.js';
import { decodeFrame } from '../../src/bus/frames.js';
import { FrameTooLargeError, TransportError } from '../../src/bus/transports/redis/index.js';
import { compareEntryIds, DEAD_LETTER_SUFFIX, type Entry } from '../../src/bus/transports/types.js';
import { client, closeAll, keysOf, tearDown, transport, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { batchEntry, seqs, tradeEntry } from './helpers.js';

describeRedis('RedisTransport', () => {
  let server: RedisServer;
  let url: string;
  let prefixN = 0;
  /** A fresh key prefix per test: tests share the server but no keys. */
  const prefix = () => `kb:t${++prefixN}:`;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(closeAll);
  afterAll(() => tearDown(server));

  it('round trip: frames arrive intact, once per group, in order per key across shards; settle, backlog and idle follow the groups', async () => {
    const p = prefix();
    const pub = transport(url, { prefix: p });
    const vpin = transport(url, { prefix: p });
    const risk = transport(url, { prefix: p });
    const shards = 4;
    const streams = Array.from({ length: shards }, (_, i) => `marketdata:TRADE_EXECUTION:${i}`);
    const keys = Array.from({ length: 20 }, (_, i) => `SYM${i}`);
    const shardOf = (key: string) => Number(key.slice(3)) % shards;
    const got = { vpin: new Map<string, number[]>(), risk: new Map<string, number[]>() };
    const ids = { vpin: new Set<string>(), risk: new Set<string>() };
    const lastId = new Map<string, string>();
    // A check that fails inside a handler is a failed delivery to the transport (retried, then
    // dead-lettered): each is kept here and shown at the end.
    const errors: string[] = [];
    const record = (name: 'vpin' | 'risk') => (e: Entry) => {
      try {
        check(name, e);
      } catch (error) {
        errors.push(`${name} ${e.stream} ${e.id}, delivery ${e.deliveries}: ${(error as Error).message}`);
        throw error;
      }
    };
    const check = (name: 'vpin' | 'risk', e: Entry) => {
      expect(e.stream).toBe(streams[shardOf(e.key)]);
      expect(e.deliveries).toBe(1);
      const frame = decodeFrame(e.data);
      expect(frame.key).toBe(e.key);
      expect(frame.count).toBe(e.count);
      const prev = lastId.get(`${name}/${e.stream}`);
      if (prev) expect(compareEntryIds(prev, e.id)).toBeLessThan(0);
      lastId.set(`${name}/${e.stream}`, e.id);
      ids[name].add(`${e.stream}/${e.id}`);
      const list = got[name].get(e.key) ?? [];
      list.push(...seqs(e));
      got[name].set(e.key, list);
    };
    for (const s of streams) {
      vpin.subscribe(s, 'vpin', 'vpin-1', record('vpin'));
      risk.subscribe(s, 'risk', 'risk-1', record('risk'));
    }
    // every subscription reads its stream (holds its lease): idle() waits for the groups with a consumer,
    // and ready() alone (the groups exist) let a loaded machine's idle() find none yet and settle nothing
    await Promise.all([vpin.reading(), risk.reading()]);
    let settled = 0;
    pub.onSettle((_stream, _key, count) => (settled += count));

    // 20 keys x 150 messages: single-row frames and 10-row batches, published per shard, in rounds.
    let published = 0;
    let entries = 0;
    const next = new Map(keys.map((k) => [k, 0]));
    for (let round = 0; round < 10; round++) {
      const calls = streams.map((stream, shard) => {
        const batch = keys
          .filter((k) => shardOf(k) === shard)
          .flatMap((k) => {
            const first = next.get(k)!;
            const rows = round % 2 === 0 ? 1 : 10;
            next.set(k, first + rows + 4);
            return [
              rows === 1 ? tradeEntry(k, first) : batchEntry(k, first, rows),
              tradeEntry(k, first + rows),
              tradeEntry(k, first + rows + 1),
              batchEntry(k, first + rows + 2, 2),
            ];
          });
        published += batch.reduce((n, e) => n + e.count, 0);
        entries += batch.length;
        return pub.publish(stream, batch);
      });
      const results = await Promise.all(calls);
      for (const r of results) for (let i = 1; i < r.length; i++) expect(compareEntryIds(r[i - 1], r[i])).toBeLessThan(0);
    }
    await pub.idle();
    expect(errors.slice(0, 5)).toEqual([]);
    expect(settled).toBe(published);
    expect(pub.backlog()).toBe(0);
    for (const name of ['vpin', 'risk'] as const) {
      expect(ids[name].size).toBe(entries);
      for (const k of keys) expect(got[name].get(k)).toEqual(Array.from({ length: next.get(k)! }, (_, i) => i));
    }
    const m = pub.metrics();
    expect(m).toMatchObject({ entries, messages: published, backlog: 0, discarded: 0, possibleLoss: false });
    expect(vpin.metrics()).toMatchObject({ delivered: published, acknowledged: published, redelivered: 0, failed: 0, deadLettered: 0 });
    // Each consumer read its four streams on one connection (one XREADGROUP over all of them), and
    // acknowledged everything it handled.
    const redis = client(url);
    const names = ((await redis.client('LIST')) as string).split('\n').map((line) => /name=(\S*)/.exec(line)?.[1]);
    expect(names.filter((n) => n === 'kernelbus-consumer-vpin-1')).toHaveLength(1);
    expect(names.filter((n) => n === 'kernelbus-consumer-risk-1')).toHaveLength(1);
    for (const s of streams)
      for (const g of ['vpin', 'risk']) expect(((await redis.xpending(keysOf(p).stream(s), g)) as [number])[0]).toBe(0);
    // The frames went over as binary fields, not as text: the stored entry is the exact frame.
    const raw = (await redis.xrangeBuffer(keysOf(p).stream(streams[0]), '-', '+', 'COUNT', 1))[0][1];
    expect(raw[0].toString()).toBe('d');
    expect(raw[1].subarray(0, 4).toString('latin1')).toBe('KBFR');
  });

  it('entries read but not handed because the lease went keep their delivery count: handed later as first deliveries', async () => {
    const p = prefix();
    const redis = client(url);
    const t = transport(url, { prefix: p });
    const seen: [number, number][] = [];
    let dropped = false;
    t.subscribe('s', 'g', 'c', async (e) => {
      const [seq] = seqs(e);
      seen.push([seq, e.deliveries]);
      if (dropped) return;
      // The lease key goes (as when it expires): the next renewal finds it gone and the rest of this
      // read is left pending, not handed.
      dropped = true;
      await redis.del(keysOf(p).lease('s', 'g'));
      await until(() => !t.holds('s', 'g'), 'the lease lost');
    });
    await t.reading();
    await t.publish(
      's',
      [0, 1, 2, 3, 4].map((i) => tradeEntry('k', i)),
    );
    await t.idle();
    // 0 was handled while the lease went (and acknowledged); 1-4 once each after the lease came back,
    // as first deliveries (before, their count said 2: the read that did not hand them counted).
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => [i, 1]));
    expect(t.metrics()).toMatchObject({ delivered: 5, acknowledged: 5, redelivered: 0, deadLettered: 0 });
    expect(((await redis.xpending(keysOf(p).stream('s'), 'g')) as [number])[0]).toBe(0);
  });

  it('a failing handler: its key waits while it is retried (others go on), then it is dead-lettered with the error after maxDeliveries', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, maxDeliveries: 3, retryDelayMs: 1 });
    const handled: string[] = [];
    const attempts = new Map<string, number[]>();
    t.subscribe('s', 'g', 'c', (e) => {
      const [seq] = seqs(e);
      const tag = `${e.key}${seq}`;
      attempts.set(tag, [...(attempts.get(tag) ?? []), e.deliveries]);
      if (tag === 'bad0') throw new Error('poison pill');
      if (tag === 'flaky1' && e.deliveries < 3) throw new Error('transient');
      handled.push(tag);
    });
    await t.publish(
      's',
      [0, 1, 2].flatMap((i) => [tradeEntry('bad', i), tradeEntry('flaky', i), tradeEntry('ok', i)]),
    );
    await t.idle();
    expect(handled.filter((h) => h.startsWith('flaky'))).toEqual(['flaky0', 'flaky1', 'flaky2']);
    expect(handled.filter((h) => h.startsWith('bad'))).toEqual(['bad1', 'bad2']);
    expect(handled.filter((h) => h.startsWith('ok'))).toEqual(['ok0', 'ok1', 'ok2']);
    expect(attempts.get('bad0')).toEqual([1, 2, 3]);
    expect(attempts.get('flaky1')).toEqual([1, 2, 3]);
    // Entries held back behind a failure were not handed to the handler: still their first delivery.
    expect(attempts.get('flaky2')).toEqual([1]);
    expect(attempts.get('bad1')).toEqual([1]);
    const dead = await client(url).xrangeBuffer(keysOf(p).stream('s' + DEAD_LETTER_SUFFIX), '-', '+');
    expect(dead).toHaveLength(1);
    const fields = Object.fromEntries(chunk(dead[0][1]).map(([k, v]) => [k.toString(), v]));
    expect(fields.error.toString()).toBe('failed 3 deliveries: poison pill');
    expect(fields.k.toString()).toBe('bad');
    expect(fields.deliveries.toString()).toBe('3');
    expect(seqs({ data: fields.d } as unknown as Entry)).toEqual([0]);
    expect(t.metrics()).toMatchObject({ deadLettered: 1, failed: 5, acknowledged: 8, redelivered: 4 });
    expect(await client(url).xpending(keysOf(p).stream('s'), 'g')).toEqual([0, null, null, null]);
  });

  it('malformed and oversized entries end in the dead-letter stream; publish refuses oversized frames; the consumer goes on', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p, maxFrameBytes: 1000 });
    const big = transport(url, { prefix: p });
    const redis = client(url);
    const handled: string[] = [];
    t.subscribe('s', 'g', 'a consumer name with spaces', (e) => {
      decodeFrame(e.data); // throws FrameError on bytes that are not a frame
      handled.push(`${e.key}${seqs(e)[0]}`);
    });
    await t.publish('s', [tradeEntry('a', 0)]);
    await redis.xadd(keysOf(p).stream('s'), '*', 'k', 'a', 'n', '1'); // no frame
    await redis.xadd(keysOf(p).stream('s'), '*', 'd', Buffer.from('not a frame at all, but long enough'), 'k', 'a', 'n', '1');
    await redis.xadd(keysOf(p).stream('s'), '*', 'd', tradeEntry('a', 9).data as Buffer, 'k', 'a', 'n', 'many');
    await big.publish('s', [batchEntry('a', 100, 100)]); // 2.4 kB: over the consumer's limit
    const oversized = batchEntry('a', 200, 100);
    const bytes = oversized.data.byteLength;
    await expect(t.publish('s', [tradeEntry('a', 1), oversized])).rejects.toThrow(FrameTooLargeError);
    await expect(t.publish('s', [oversized])).rejects.toMatchObject({ code: 'frame-too-large', retryable: false, bytes, limit: 1000 });
    await t.publish('s', [tradeEntry('a', 1)]);
    await t.idle();
    expect(handled).toEqual(['a0', 'a1']);
    const dead = await redis.xrangeBuffer(keysOf(p).stream('s' + DEAD_LETTER_SUFFIX), '-', '+');
    const errors = dead.map(([, f]) => Object.fromEntries(chunk(f).map(([k, v]) => [k.toString(), v.toString()])).error);
    expect(errors).toEqual([
      "malformed entry: missing field 'd' (the frame)",
      expect.stringMatching(/^malformed entry: frame: /),
      "malformed entry: field 'n' is not a message count",
      `frame of ${bytes} bytes exceeds maxFrameBytes 1000`,
    ]);
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(6); // the refused publishes stored nothing
    // Messages of the frames that decode (the one over the limit: 100), entries all four.
    expect(t.metrics()).toMatchObject({ deadLettered: 100, deadLetteredEntries: 4, publishErrors: 2 });
    expect(new FrameTooLargeError('x', 2, 1)).toBeInstanceOf(TransportError);
    expect(new FrameError('x')).toBeInstanceOf(Error);
  });

  it('a retried publish (same producer and seq) stores its entries once, and so does any seq at or below the highest stored; entries without a producer are never merged', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    const e = (seq: number, producer: string | undefined = 'bus-1') => ({ ...tradeEntry('k', seq), producer, seq });
    const first = await t.publish('s', [e(1), e(2)]);
    // As after an ambiguous failure: the same entries again, with one new one.
    const again = await t.publish('s', [e(1), e(2), e(3)]);
    expect(again.slice(0, 2)).toEqual(first);
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(3);
    expect(t.metrics()).toMatchObject({ deduplicated: 2, entries: 5 });
    // Another producer's entry is stored; a seq at or below the producer's highest stored is not (seqs
    // increase along a stream: an attempt Redis ran late, after a later one), its id the highest's.
    await t.publish('s', [e(3, 'bus-2')]);
    const [four] = await t.publish('s', [e(4)]);
    expect(await t.publish('s', [e(1)])).toEqual([four]);
    // No producer: no deduplication.
    const plain = tradeEntry('k', 9);
    await t.publish('s', [plain]);
    await t.publish('s', [plain]);
    expect(await redis.xlen(keysOf(p).stream('s'))).toBe(7);
    expect(t.metrics().deduplicated).toBe(3);
    const stored = (await redis.xrangeBuffer(keysOf(p).stream('s'), '-', '+')).map(([, f]) =>
      new Float64Array(f[1].buffer.slice(f[1].byteOffset, f[1].byteOffset + f[1].length)).at(-3),
    );
    expect(stored).toEqual([1, 2, 3, 3, 4, 9, 9]);
    // The record: one hash per producer and hash tag, a field per stream, with a time to live.
    const record = keysOf(p).dedup('s', 'bus-1');
    expect(await redis.hkeys(record)).toEqual([keysOf(p).stream('s')]);
    expect(await redis.pttl(record)).toBeGreaterThan(3_500_000);
  });

  it('the publishes of one tick to two streams of a tag share one call and one record; retried together, each stream stores its entries once', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    const [a, b] = ['marketdata:T:0', 'marketdata:U:0'];
    const e = (seq: number) => ({ ...tradeEntry('k', seq), producer: 'bus-1', seq });
    const first = await Promise.all([t.publish(a, [e(1), e(2)]), t.publish(b, [e(3)])]);
    const record = keysOf(p).dedup(a, 'bus-1');
    expect(keysOf(p).dedup(b, 'bus-1')).toBe(record);
    expect((await redis.hkeys(record)).sort()).toEqual([keysOf(p).stream(a), keysOf(p).stream(b)].sort());
    // The same entries again in one tick, one more on each stream.
    const again = await Promise.all([t.publish(a, [e(1), e(2), e(4)]), t.publish(b, [e(3), e(5)])]);
    expect(again[0].slice(0, 2)).toEqual(first[0]);
    expect(again[1].slice(0, 1)).toEqual(first[1]);
    expect([await redis.xlen(keysOf(p).stream(a)), await redis.xlen(keysOf(p).stream(b))]).toEqual([3, 2]);
    expect(t.metrics()).toMatchObject({ deduplicated: 3, entries: 8 });
  });

  it('a publish Redis refuses (WRONGTYPE) rejects with a TransportError and stores nothing; publishing goes on', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    await redis.set(keysOf(p).stream('taken'), 'a string, not a stream');
    await expect(t.publish('taken', [tradeEntry('k', 0), tradeEntry('k', 1)])).rejects.toMatchObject({
      name: 'TransportError',
      code: 'command',
      message: expect.stringContaining('WRONGTYPE'),
    });
    await expect(t.publish('s', [tradeEntry('k', 0)])).resolves.toHaveLength(1);
    expect(await redis.get(keysOf(p).stream('taken'))).toBe('a string, not a stream');
    expect(t.metrics()).toMatchObject({ publishErrors: 1, entries: 1 });
  });

  it("one consumer's subscriptions share a reader: closing one leaves the others reading, acknowledges what it handled and leaves the rest to the group", async () => {
    const p = prefix();
    const pub = transport(url, { prefix: p });
    const t = transport(url, { prefix: p });
    const got = { a: [] as number[], b: [] as number[] };
    const a = t.subscribe('a', 'g', 'c', (e) => void got.a.push(...seqs(e)));
    t.subscribe('b', 'g', 'c', (e) => void got.b.push(...seqs(e)));
    await t.ready();
    await pub.publish('a', [tradeEntry('k', 0), tradeEntry('k', 1)]);
    await pub.publish('b', [tradeEntry('k', 0)]);
    await until(() => got.a.length === 2 && got.b.length === 1, 'both streams read');
    const closing = performance.now();
    await a.close();
    const closeMs = performance.now() - closing;
    expect(closeMs).toBeLessThan(t.config.blockMs + 500); // at most the read in hand, then the lease goes back
    await pub.publish('a', [tradeEntry('k', 2)]);
    await pub.publish('b', [tradeEntry('k', 1)]);
    await until(() => got.b.length === 2, 'stream b still read');
    const redis = client(url);
    expect(got.a).toEqual([0, 1]);
    expect(await redis.xpending(keysOf(p).stream('a'), 'g')).toEqual([0, null, null, null]); // what it handled is acknowledged
    expect(((await redis.xinfo('GROUPS', keysOf(p).stream('a'))) as unknown[][])[0]).toEqual(expect.arrayContaining(['lag', 1])); // the rest waits for the group
    expect(await redis.exists(t.leaseKey('a', 'g'))).toBe(0);
    const names = ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes('name=kernelbus-consumer-c '));
    expect(names).toHaveLength(1);
  });

  it('NOGROUP: when Redis loses the group (FLUSHALL) the consumer recreates it, counts the possible loss, and goes on', async () => {
    const p = prefix();
    const t = transport(url, { prefix: p });
    const redis = client(url);
    const handled: number[] = [];
    t.subscribe('s', 'g', 'c', (e) => void handled.push(...seqs(e)));
    await t.publish('s', [tradeEntry('a', 0), tradeEntry('a', 1)]);
    await until(() => handled.length === 2, 'the first entries');
    await redis.flushall();
    await until(() => t.metrics().groupsRecreated > 0, 'the group to be recreated');
    await t.publish('s', [tradeEntry('a', 2)]);
    await t.idle();
    expect(handled).toEqual([0, 1, 2]);
    expect(t.metrics()).toMatchObject({ groupsRecreated: 1, possibleLoss: true });
  });

  it('a lone instance subscribing to four shards once connected reads all four at once, not one until the next lease tick', async () => {
    const p = prefix();
    const pub = transport(url, { prefix: p });
    // A lease tick every 20 s: only the subscriptions themselves can get the streams read in time.
    const a = transport(url, { prefix: p, claimIdleMs: 60_000 });
    await a.ready();
    const streams = ['s:0', 's:1', 's:2', 's:3'];
    const seen = new Set<string>();
    for (const s of streams) a.subscribe(s, 'g', 'a', (e) => void seen.add(e.key));
    await a.ready();
    await Promise.all(streams.map((s, i) => pub.publish(s, [tradeEntry(`k${i}`, 0)])));
    await until(() => seen.size === 4, 'every shard delivered', 5_000);
    expect([...seen].sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
  });

  it('two instances of a group share four shards (two each); when one leaves, the other takes all four; nothing is handled twice', async () => {
    const p = prefix();
    const pub = transport(url, { prefix: p });
    const a = transport(url, { prefix: p });
    const b = transport(url, { prefix: p });
    const redis = client(url);
    const streams = ['s:0', 's:1', 's:2', 's:3'];
    const seen = new Map<string, number[]>();
    const handler = (e: Entry) => {
      const list = seen.get(e.key) ?? [];
      list.push(...seqs(e));
      seen.set(e.key, list);
    };
    for (const s of streams) a.subscribe(s, 'g', 'a', handler);
    await until(async () => (await holders(redis, p, streams)).every((h) => h === 'a'), 'a to hold every shard');
    const bSubs = streams.map((s) => b.subscribe(s, 'g', 'b', handler));
    await until(async () => (await holders(redis, p, streams)).filter((h) => h === 'b').length === 2, 'b to hold two shards');
    expect((await holders(redis, p, streams)).sort()).toEqual(['a', 'a', 'b', 'b']);
    let n = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all(streams.map((s, i) => pub.publish(s, [tradeEntry(`k${i}`, n), tradeEntry(`k${i}`, n + 1)])));
      n += 2;
      if (round === 10) await Promise.all(bSubs.map((s) => s.close()));
    }
    await pub.idle();
    await until(async () => (await holders(redis, p, streams)).every((h) => h === 'a'), 'a to hold every shard again');
    for (let i = 0; i < 4; i++) expect(seen.get(`k${i}`)).toEqual(Array.from({ length: n }, (_, j) => j));
    expect(a.metrics().acknowledged + b.metrics().acknowledged).toBe(4 * n);
  });
});

/** [field, value] pairs of a flat field list. */
function chunk(fields: Buffer[]): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) out.push([fields[i], fields[i + 1]]);
  return out;
}

/** Which consumer holds each stream's lease for group g ('' when none). */
async function holders(redis: ReturnType<typeof client>, prefix: string, streams: string[]): Promise<string[]> {
  const values = await Promise.all(streams.map((s) => redis.get(keysOf(prefix).lease(s, 'g'))));
  return values.map((v) => (v ?? '').split(':')[0]);
}
