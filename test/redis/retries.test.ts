/**
 * A retried append never stores twice (issue 41, item 6): whichever streams share the tick of the first
 * attempt and of the retry, and whichever attempt Redis runs first (an attempt on a connection that
 * dropped can run after the retry on the new one).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, transport } from '../helpers/redis.js';
import { tradeEntry } from './helpers.js';

describeRedis('retried appends', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(() => closeAll());
  afterAll(() => tearDown(server));

  const e = (seq: number) => ({ ...tradeEntry('k', seq), producer: 'bus-1', seq });

  it('a stream retried alone after a tick that led with another shard stores its entries once', async () => {
    const p = 'kb:r1:';
    const t = transport(url, { prefix: p });
    const redis = client(url);
    // One tick: shard 0 first, then shard 1 (one call; each stream's record is on its own hash tag).
    const [, first] = await Promise.all([t.publish('m:T:0', [e(1)]), t.publish('m:T:1', [e(2)])]);
    // The retry of shard 1's publish, with what queued behind it, in a tick of its own.
    const again = await t.publish('m:T:1', [e(2), e(3)]);
    expect(again[0]).toBe(first[0]);
    expect(await redis.xlen(keysOf(p).stream('m:T:1'))).toBe(2);
    expect(await redis.xlen(keysOf(p).stream('m:T:0'))).toBe(1);
    expect(t.metrics().deduplicated).toBe(1);
    // Each stream's record lives on its own tag (the stream's slot on a cluster).
    expect(await redis.hkeys(keysOf(p).dedup('m:T:1', 'bus-1'))).toEqual([keysOf(p).stream('m:T:1')]);
    expect(await redis.hkeys(keysOf(p).dedup('m:T:0', 'bus-1'))).toEqual([keysOf(p).stream('m:T:0')]);
  });

  it('an earlier attempt that Redis runs after the retry stores nothing', async () => {
    const p = 'kb:r2:';
    const t = transport(url, { prefix: p });
    const redis = client(url);
    // The retry (seqs 1-4) ran first; then two older attempts (1-2, then 1-3) arrive late.
    const retry = await t.publish('s:T:0', [e(1), e(2), e(3), e(4)]);
    expect(await t.publish('s:T:0', [e(1), e(2)])).toEqual([retry[0], retry[1]]);
    await t.publish('s:T:0', [e(1), e(2), e(3)]);
    expect(await redis.xlen(keysOf(p).stream('s:T:0'))).toBe(4);
    // What comes next is stored, once.
    await t.publish('s:T:0', [e(4), e(5)]);
    expect(await redis.xlen(keysOf(p).stream('s:T:0'))).toBe(5);
    expect(t.metrics().deduplicated).toBe(6);
  });
});
