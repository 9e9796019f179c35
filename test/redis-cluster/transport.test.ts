/**
 * RedisTransport on a Redis Cluster (3 primaries, 3 replicas): the options that name one, and on a
 * live cluster what a single Redis does in one command and a cluster must keep within one slot: the
 * append script per shard, one blocking read per shard, the dead-letter MULTI, the progress poll, the
 * membership script and the checkpoints (group and stream slots apart).
 */
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { DEAD_LETTER_SUFFIX } from '../../src/bus/transports/types.js';
import { RedisCluster, describeCluster, closeAll, expectNoOpenHandles, transport, until } from '../helpers/redis.js';
import { seqs, tradeEntry, expectInputErrors } from '../redis/helpers.js';

describe('RedisTransport options for a Redis Cluster', () => {
  it('a redis+cluster:// URL or a list of node URLs; the target names the nodes, never the credentials', async () => {
    const a = new RedisTransport({ url: 'redis+cluster://kb:s3cret@127.0.0.1:1,127.0.0.1:2', redis: { lazyConnect: true } });
    const b = new RedisTransport({
      cluster: ['redis://kb:s3cret@127.0.0.1:1', 'redis://kb:s3cret@127.0.0.1:2/0'],
      redis: { lazyConnect: true },
    });
    const c = new RedisTransport({ url: 'redis://127.0.0.1:1', redis: { lazyConnect: true } });
    try {
      expect([a.cluster, b.cluster, c.cluster]).toEqual([true, true, false]);
      expect(a.target).toBe('redis+cluster://127.0.0.1:1,127.0.0.1:2');
      expect(b.target).toBe(a.target);
      expect(a.openConnection('tools', { lazyConnect: true })).toBeInstanceOf(Cluster);
      expect(a.config.durability).toBe('auto');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('bad cluster options: KernelInputError naming the option, no URL or password echoed', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new RedisTransport({ cluster: [] }), /^options\.cluster: expected at least one node, got none$/],
      [() => new RedisTransport({ cluster: 'redis://a:1' as never }), /^options\.cluster: expected an array of redis:\/\/ URLs/],
      [
        () => new RedisTransport({ cluster: ['redis://127.0.0.1:1', 'redis://127.0.0.1:2/3'] }),
        /^options\.cluster\[1\]: expected database 0 \(a cluster has no other\), got \/3$/,
      ],
      [
        () => new RedisTransport({ cluster: ['redis://u:s3cret@127.0.0.1:1', 'redis://127.0.0.1:2'] }),
        /^options\.cluster\[1\]: expected the first node's scheme and credentials, got others \(not shown\)$/,
      ],
      [
        () => new RedisTransport({ cluster: ['http://127.0.0.1:1'] }),
        /^options\.cluster: expected a redis:\/\/, rediss:\/\/ or unix:\/\/ URL, got protocol http:$/,
      ],
      [
        () => new RedisTransport({ cluster: ['redis://127.0.0.1:1'], url: 'redis://u:s3cret@127.0.0.1:2' }),
        /^options\.url: expected nothing when options\.cluster names the nodes, got a URL \(not shown/,
      ],
      [
        () => new RedisTransport({ url: 'redis+cluster://u:s3cret@' }),
        /^options\.url: expected redis\+cluster:\/\/\[user:password@\]host:port,host:port,\.\.\., got another form \(not shown/,
      ],
      [() => new RedisTransport({ url: 'redis+cluster://127.0.0.1:1/2' }), /^options\.url: expected redis\+cluster:\/\//],
      [
        () => new RedisTransport({ prefix: 'kb:{x}:' }),
        /^options\.prefix: expected a string without '\{' or '\}' \(a hash tag follows it\)/,
      ],
      [
        () => new RedisTransport({ durability: 'replicas' as never }),
        /^options\.durability: expected 'replica' or 'primary', got "replicas"$/,
      ],
      [() => new RedisTransport({ replicaTimeoutMs: 0 }), /^options\.replicaTimeoutMs: expected an integer >= 1, got 0$/],
    ];
    expectInputErrors(cases, 's3cret');
  });
});

describeCluster('RedisTransport on a Redis Cluster', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ primaries: 3, replicas: 1, nodeTimeoutMs: 1000 });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
    await expectNoOpenHandles();
  });

  it("four shards on three primaries: in order per key, once per group, each stream's keys in one slot; settle and idle follow", async () => {
    const p = 'kb:t1:';
    const streams = [0, 1, 2, 3].map((i) => `marketdata:TRADE_EXECUTION:${i}`);
    const pub = transport(cluster.url(), { prefix: p });
    const sub = transport(cluster.url(), { prefix: p });
    const got = new Map<string, number[]>();
    for (const s of streams)
      sub.subscribe(s, 'g', 'c', (e) => void got.set(`${s}/${e.key}`, [...(got.get(`${s}/${e.key}`) ?? []), ...seqs(e)]));
    await sub.reading();
    expect(new Set(await Promise.all(streams.map((s) => cluster.primaryOf(pub.keys.stream(s))))).size).toBeGreaterThan(1);
    let settled = 0;
    pub.onSettle((_, __, count) => void (settled += count));
    // One tick: four streams, in four slots: one script call each.
    for (let i = 0; i < 50; i++) await Promise.all(streams.map((s) => pub.publish(s, [tradeEntry('a', i), tradeEntry('b', i)])));
    await pub.idle();
    for (const s of streams)
      for (const key of ['a', 'b']) expect(got.get(`${s}/${key}`), `${s}/${key}`).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(settled).toBe(400);
    expect(pub.backlog()).toBe(0);
    expect(sub.metrics()).toMatchObject({ delivered: 400, acknowledged: 400, leases: 4 });
    // The keys of one stream share its slot; the group's keys share theirs.
    const slot = async (key: string) => Number(await cluster.command(cluster.live()[0].port, 'CLUSTER', 'KEYSLOT', key));
    const k = pub.keys;
    expect(
      new Set(
        await Promise.all(
          [
            k.stream(streams[0]),
            k.stream(streams[0] + DEAD_LETTER_SUFFIX),
            k.lease(streams[0], 'g'),
            k.dedup(streams[0], 'p'),
            k.stream('marketdata:MARKET_DATA:0'),
          ].map(slot),
        ),
      ).size,
    ).toBe(1);
    expect(
      new Set(
        await Promise.all([k.members('g'), k.groupStreams('g'), k.checkpointIndex('g'), k.checkpointRecords('g', streams[0])].map(slot)),
      ).size,
    ).toBe(1);
  });

  it('malformed entries dead-lettered (XADD and XACK in one MULTI, one slot); the consumer goes on', async () => {
    const p = 'kb:t2:';
    const t = transport(cluster.url(), { prefix: p });
    const handled: number[] = [];
    t.subscribe('logic:RISK_ALERT:1', 'g', 'c', (e) => void handled.push(...seqs(e)));
    await t.reading();
    const redis = t.cmd;
    await t.publish('logic:RISK_ALERT:1', [tradeEntry('a', 0)]);
    await redis.xadd(t.streamKey('logic:RISK_ALERT:1'), '*', 'd', Buffer.from('not a frame at all, long enough'), 'k', 'a', 'n', '1');
    await t.publish('logic:RISK_ALERT:1', [tradeEntry('a', 1)]);
    await until(
      () => handled.length === 2 && t.metrics().deadLetteredEntries === 1,
      'the entries handled and the bad one dead-lettered',
      10_000,
    );
    expect(t.metrics().deadLettered).toBe(0); // its frame does not decode: no messages counted
    expect(handled).toEqual([0, 1]);
    const dead = await redis.xrange(t.streamKey('logic:RISK_ALERT:1' + DEAD_LETTER_SUFFIX), '-', '+');
    expect(dead).toHaveLength(1);
    expect(dead[0][1]).toEqual(expect.arrayContaining(['error', expect.stringMatching(/^malformed entry: /)]));
    expect(await redis.xpending(t.streamKey('logic:RISK_ALERT:1'), 'g')).toEqual([0, null, null, null]);
  });

  it("checkpoints: written in one MULTI under the group's tag, loaded with the stream's state from another slot", async () => {
    const t = transport(cluster.url(), { prefix: 'kb:t3:' });
    const stream = 'marketdata:TRADE_EXECUTION:2';
    t.subscribe(stream, 'eng', 'c', () => {});
    await t.reading();
    const [id] = await t.publish(stream, [tradeEntry('a', 0)]);
    await t.idle();
    const store = t.checkpointStore('eng');
    try {
      await until(
        async () =>
          await store.load(stream).then(
            () => true,
            () => false,
          ),
        'the checkpoint connection',
        5000,
      );
      await store.write(stream, id, undefined, [{ key: 'a', id, bytes: new Uint8Array([7, 8]) }]);
      const loaded = await store.load(stream);
      expect(loaded.records.get('a')).toEqual({ id, bytes: Buffer.from([7, 8]) });
      expect(loaded.from).toBe(`(${id}`);
      expect(loaded.lastDelivered).toBe(id);
      expect(loaded.firstId).toBe(id);
      // Two slots: the group's (its checkpoints) and the stream's, loaded in two pipelines.
      const slot = async (key: string) => Number(await cluster.command(cluster.live()[0].port, 'CLUSTER', 'KEYSLOT', key));
      expect(await slot(t.keys.checkpointIndex('eng'))).not.toBe(await slot(t.keys.stream(stream)));
    } finally {
      store.close();
    }
  });
});
