/**
 * Durability: a publish counts as stored once a replica has it (WAIT 1 after the append, option
 * `durability: 'replica'`, the default where the primary has a replica), or once the primary has it
 * ('primary'). A primary with a replica (redis-server --replicaof) whose replica is frozen (SIGSTOP):
 * 'replica' publishes fail (retryable; the bus retries them and they are stored once), 'primary'
 * publishes go on. The cluster suites (test/redis-cluster/) check the same over a cluster.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { TransportError } from '../../src/bus/transports/redis/index.js';
import { RedisServer, describeRedis, client, closeAll, tearDown, transport, until } from '../helpers/redis.js';
import { seqs, tradeEntry } from './helpers.js';

describeRedis('RedisTransport durability (WAIT for a replica)', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let lone: RedisServer;
  let n = 0;
  const prefix = () => `kb:d${++n}:`;
  /** WAIT commands a server has served (INFO commandstats). */
  const waits = async (server: RedisServer) =>
    Number(/^cmdstat_wait:calls=(\d+)/m.exec(await client(server.url()).info('commandstats'))?.[1] ?? 0);

  beforeAll(async () => {
    primary = await RedisServer.start({ args: ['--repl-diskless-sync-delay', '0'] }); // sync the replica at once
    replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
    lone = await RedisServer.start();
    const redis = client(primary.url());
    // In sync, and acknowledging: the replica has loaded what it was sent and answers WAIT.
    await until(async () => /slave0:.*state=online/.test(await redis.info('replication')), 'the replica to be in sync', 10_000, 20);
    await until(
      async () => (await redis.set('kb:d:probe', '1')) === 'OK' && Number(await redis.call('WAIT', 1, 200)) === 1,
      'the replica to acknowledge',
      10_000,
      20,
    );
  });
  afterEach(async () => {
    replica.resume();
    await closeAll();
  });
  afterAll(async () => {
    await replica?.stop();
    await lone?.stop();
    await tearDown(primary);
  });

  it('by default a publish waits for the replica where there is one, and not where there is none', async () => {
    const t = transport(primary.url(), { prefix: prefix() });
    await t.ready();
    const before = await waits(primary);
    await t.publish('s', [tradeEntry('a', 1)]);
    await t.publish('s', [tradeEntry('a', 2)]);
    expect((await waits(primary)) - before).toBe(2);
    expect(t.config.durability).toBe('auto');

    const u = transport(lone.url(), { prefix: prefix() });
    await u.ready();
    await u.publish('s', [tradeEntry('a', 1)]);
    expect(await waits(lone)).toBe(0); // WAIT would wait for nobody
    // Asked for explicitly without a replica: no publish can be confirmed, each fails (retryable).
    const strict = transport(lone.url(), { prefix: prefix(), durability: 'replica', replicaTimeoutMs: 30 });
    await strict.ready();
    const error = await strict.publish('s', [tradeEntry('a', 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect((error as Error).message).toMatch(/no replica confirmed the append within 30 ms \(WAIT 1\).*may have been stored/);
    expect(strict.metrics().unreplicated).toBe(1);
  });

  it("the replica frozen: 'replica' publishes fail until it answers, then the bus's retry stores them once; 'primary' publishes go on", async () => {
    const p = prefix();
    const strict = transport(primary.url(), { prefix: p, replicaTimeoutMs: 50 });
    const loose = transport(primary.url(), { prefix: p, durability: 'primary' });
    await Promise.all([strict.ready(), loose.ready()]);
    replica.pause();
    const error = await strict.publish('s', [tradeEntry('a', 0)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(strict.metrics().unreplicated).toBe(1);
    await loose.publish('t', [tradeEntry('b', 0)]); // the primary has it: acknowledged at once

    // A bus over the strict transport: publishes during the freeze are retried, then stored once.
    const errors: unknown[] = [];
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: strict }, shards: 1, onError: (e) => void errors.push(e) });
    const seen: number[] = [];
    const reader = transport(primary.url(), { prefix: p });
    reader.subscribe('marketdata:TRADE_EXECUTION:0', 'g', 'c', (e) => void seen.push(...seqs(e)));
    await reader.ready();
    for (let i = 1; i <= 20; i++) await bus.publish('TRADE_EXECUTION', { key: 'a', ts: i, price: 100, volume: 1 });
    await until(() => errors.length >= 2, 'publishes refused while the replica is frozen', 5000);
    replica.resume();
    await bus.close();
    await until(() => seen.length >= 20, 'every trade delivered', 5000);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // each stored (and delivered) once, in order
    console.log(
      `[redis] durability 'replica': ${errors.length} publishes refused while the replica was frozen, retried by the bus; ${strict.metrics().deduplicated} entries a retry found stored`,
    );
  });
});
