/**
 * Health checks cost nothing unless someone needs them: a RedisTransport sends PINGs only while its
 * health is watched (a bus whose routing consults health, or a caller of watchHealth()).
 */
import { expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createBus } from '../../src/bus/bus.js';
import type { Dialer } from '../../src/bus/transports/redis/dialer.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { client, sleep, transport, until, describeRedis, useRedisServer } from '../helpers/redis.js';

/** PINGs the server has answered so far (INFO commandstats). */
async function pings(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describeRedis('RedisTransport health checks', () => {
  const server = useRedisServer();

  it('no PING while nobody watches health; a PING every healthIntervalMs while someone does; healthy still follows the connection', async () => {
    const redis = client(server().url());
    const t = transport(server().url(), { prefix: 'kb:h:' });
    await t.ready();
    await until(() => t.healthy, 'healthy');
    let before = await pings(redis);
    await sleep(300);
    expect((await pings(redis)) - before).toBe(0);
    expect(t.healthy).toBe(true);

    const stop = t.watchHealth();
    const stop2 = t.watchHealth();
    before = await pings(redis);
    await sleep(300);
    const watched = (await pings(redis)) - before;
    expect(watched).toBeGreaterThan(5); // about 15 at the default 20 ms
    expect(t.healthy).toBe(true);
    stop();
    stop();
    before = await pings(redis);
    await sleep(100);
    expect((await pings(redis)) - before).toBeGreaterThan(1); // still watched by the second
    stop2();
    await sleep(30);
    before = await pings(redis);
    await sleep(300);
    expect((await pings(redis)) - before).toBe(0);
    console.log(`[redis] health: 0 PINGs in 300 ms unwatched, ${watched} watched`);
  });

  it("a bus PINGs only when its routing consults health: 'static' (the default) never, 'failover' every healthIntervalMs", async () => {
    const redis = client(server().url());
    const measure = async (routing: 'static' | 'failover') => {
      const bus = createBus({ routing, redis: { url: server().url(), prefix: `kb:h-${routing}:` } });
      await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
      await sleep(50);
      const before = await pings(redis);
      await sleep(300);
      const n = (await pings(redis)) - before;
      expect(bus.metrics().buses.marketdata.healthy).toBe(true);
      await bus.close();
      return n;
    };
    expect(await measure('static')).toBe(0);
    const failover = await measure('failover');
    expect(failover).toBeGreaterThan(3 * 5); // three buses
    console.log(
      `[redis] health: a bus over three Redis transports sent 0 PINGs in 300 ms with 'static' routing, ${failover} with 'failover'`,
    );
  });

  it("a command timed out just after an outage is the outage's (no line of its own); one that times out later is logged", async () => {
    const lines: string[] = [];
    let recoveredAt = 0; // when the last `healthy` line was logged
    const log = (line: string) => {
      lines.push(line);
      if (line.endsWith(': healthy')) recoveredAt = performance.now();
    };
    const t = transport(server().url(), { prefix: 'kb:h-late:', publishTimeoutMs: 300, log });
    await t.ready();
    const stop = t.watchHealth();
    // The longest commandTimeout of its connections: the health connection's 1 s (publishing: 300 ms).
    const { dialer } = t as unknown as { dialer: Dialer };
    const timedOutLine = `${t.target}: probe: Command timed out`;
    const timedOut = () => dialer.report('probe', new Error('Command timed out'));
    // Until the health connection's first PING answers, a timeout counts as the server's (not yet healthy):
    // under load that first PING can come after ready() (a CI run's failure). Wait for it.
    await until(() => !dialer.unhealthy(1000), 'the PING watch to settle', 10_000, 10);
    timedOut();
    expect(lines).toEqual([timedOutLine]);
    server().pause();
    try {
      await until(() => !t.healthy, 'unhealthy', 5000, 0);
      timedOut();
    } finally {
      server().resume();
    }
    await until(() => t.healthy, 'healthy again', 5000, 0);
    // A command sent during the outage (a blocking read the server only starts now) times out after it.
    const before = lines.length;
    timedOut();
    expect(lines.length).toBe(before);
    // The outage's lines only: unhealthy, healthy (a PING late under the machine's load may add a flap,
    // another unhealthy-healthy pair; it never adds a timeout line).
    const health = lines.slice(1).map((l) => l.replace(/ \(.*/, ''));
    expect(health.length).toBeGreaterThanOrEqual(2);
    expect(health.length % 2).toBe(0);
    health.forEach((l, i) => expect(l).toBe(`${t.target}: ${i % 2 === 0 ? 'unhealthy' : 'healthy'}`));
    // A second after the last recovery (a flap starts the second again), a timeout is the command's own.
    await until(() => t.healthy && performance.now() - recoveredAt > 1050, 'a second after recovery', 10000, 10);
    const later = lines.length;
    timedOut();
    expect(lines.slice(later)).toEqual([timedOutLine]);
    expect(lines.filter((l) => l === timedOutLine)).toHaveLength(2);
    stop();
  });

  it('a first PING answered after a slow connect ends no outage: a command timed out just after is logged, no healthy line', async () => {
    const lines: string[] = [];
    // the server paused: the connections are accepted and wait for their first replies
    server().pause();
    let t: RedisTransport;
    let stop: () => void;
    try {
      t = transport(server().url(), { prefix: 'kb:h-slow:', publishTimeoutMs: 300, log: (line) => lines.push(line) });
      stop = t.watchHealth();
      await sleep(300);
      expect(t.healthy).toBe(false);
    } finally {
      server().resume();
    }
    await t.ready();
    await until(() => t.healthy, 'healthy', 5000, 0);
    const { dialer } = t as unknown as { dialer: Dialer };
    expect(dialer.unhealthy(1000)).toBe(false);
    dialer.report('probe', new Error('Command timed out'));
    expect(lines).toEqual([`${t.target}: probe: Command timed out`]);
    stop();
  });
});
