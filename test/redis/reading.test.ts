/**
 * reading(): what a publisher waits for before a burst, so that no backlog builds while consumers take
 * their streams: every subscription holds its stream's lease, or another consumer of its group does.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, keysOf, tearDown, transport, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { tradeEntry } from './helpers.js';

describeRedis('RedisTransport.reading()', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(closeAll);
  afterAll(() => tearDown(server));

  it('resolves once every subscription holds its lease (a lone instance: all of them), or another instance of its group does', async () => {
    const redis = client(server.url());
    const p = 'kb:r1:';
    const streams = ['s:0', 's:1', 's:2', 's:3'];
    // A lease tick every 20 s: only the subscriptions themselves can take the streams in time.
    const a = transport(server.url(), { prefix: p, claimIdleMs: 60_000 });
    for (const s of streams) a.subscribe(s, 'g', 'a', () => {});
    a.subscribe('other', 'h', 'a', () => {});
    const started = performance.now();
    await a.reading();
    const ms = performance.now() - started;
    for (const s of streams) expect(a.holds(s, 'g')).toBe(true);
    expect(a.holds('other', 'h')).toBe(true);
    expect(a.holds('other', 'g')).toBe(false);
    const holders = await Promise.all(streams.map((s) => redis.get(keysOf(p).lease(s, 'g'))));
    expect(holders.every((h) => h?.startsWith('a:'))).toBe(true);
    // A second instance of the group: the streams are read (by a), so it resolves without taking any.
    const b = transport(server.url(), { prefix: p, claimIdleMs: 60_000 });
    for (const s of streams) b.subscribe(s, 'g', 'b', () => {});
    await b.reading();
    expect(streams.filter((s) => b.holds(s, 'g'))).toEqual([]);
    console.log(`[redis] reading(): 5 subscriptions held their streams ${ms.toFixed(1)} ms after subscribing`);
  });

  it('one append over four streams reaches their blocked consumer in one reply, also on Redis < 7.2 (which wakes a read with one stream)', async () => {
    const p = 'kb:r4:';
    const streams = ['s:0', 's:1', 's:2', 's:3'];
    // Reads that time out every 20 ms: the consumer has been idle through many of them before each append.
    const t = transport(server.url(), { prefix: p, blockMs: 20 });
    const got: string[] = [];
    // What had arrived by the end of the event-loop turn that brought the first entry.
    let firstTurn: string[] | undefined;
    for (const s of streams) {
      t.subscribe(s, 'g', 'c', (e) => {
        got.push(e.stream);
        if (got.length === 1) setImmediate(() => (firstTurn = [...got]));
      });
    }
    await t.reading();
    for (let round = 0; round < 2; round++) {
      got.length = 0;
      firstTurn = undefined;
      await new Promise((resolve) => setTimeout(resolve, 800));
      // One tick: one append script call, its four XADDs before any reply.
      const pub = transport(server.url(), { prefix: p });
      await pub.ready();
      await Promise.all(streams.map((s, i) => pub.publish(s, [tradeEntry(`K${i}`, round)])));
      await until(() => firstTurn !== undefined && got.length === 4, 'four entries delivered', 5000);
      expect(firstTurn!.sort()).toEqual(streams);
      await pub.close();
    }
  });

  it('a stream whose lease another consumer holds counts as read (it takes over if that one is dead); a closed transport rejects', async () => {
    const p = 'kb:r2:';
    const redis = client(server.url());
    await redis.set(keysOf(p).lease('s', 'g'), 'a dead consumer', 'PX', 60_000); // held by nobody alive, for a minute
    const t = transport(server.url(), { prefix: p });
    t.subscribe('s', 'g', 'c', () => {});
    await expect(t.reading(300)).resolves.toBeUndefined(); // held elsewhere counts: another consumer reads it
    await redis.del(keysOf(p).lease('s', 'g'));
    const u = transport(server.url(), { prefix: 'kb:r3:' });
    await u.close();
    await expect(u.reading(100)).rejects.toMatchObject({ name: 'BusClosedError' });
  });
});
