/**
 * consumed() (helpers.ts), which the engine-process tests wait on before they read the results back:
 * after Redis restarts from its AOF, XINFO GROUPS gives `lag` nil (the group's read counter unknown)
 * until the group reads the stream's last entry. Read as 0, it let engines.test.ts's "Redis killed and
 * restarted" go on while the engine was still behind (about 1 run in 8 under load), and the results it
 * compared were the ones published before the restart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, describeRedis, RedisServer, tearDown } from '../helpers/redis.js';
import { consumed } from './helpers.js';

describeRedis('consumed() after a restart from the AOF', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start({ appendonly: true });
  });
  afterAll(() => tearDown(server));

  it('waits for the entries after the last delivered one, whatever lag Redis reports', async () => {
    const redis = client(server.url());
    for (let i = 0; i < 10; i++) await redis.xadd('s', '*', 'i', String(i));
    await redis.xgroup('CREATE', 's', 'g', '0');
    const ack = async (count: number) => {
      const read = (await redis.xreadgroup('GROUP', 'g', 'c', 'COUNT', count, 'STREAMS', 's', '>')) as [string, [string, string[]][]][];
      await redis.xack('s', 'g', ...read[0][1].map(([id]) => id));
    };
    await ack(4);
    await server.halt('SIGKILL');
    await server.restart();
    const info = async () => {
      const row = ((await redis.xinfo('GROUPS', 's')) as unknown[][])[0];
      return Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [String(row[2 * i]), row[2 * i + 1]]));
    };
    // Redis's own words: nothing pending, the lag unknown, six entries unread
    expect(await info()).toMatchObject({ pending: 0, 'entries-read': null, lag: null });
    await expect(consumed(redis, ['s'], 'g', 300)).rejects.toThrow('timed out waiting for group g to consume s');
    await ack(5);
    await expect(consumed(redis, ['s'], 'g', 300)).rejects.toThrow('timed out');
    await ack(5);
    await consumed(redis, ['s'], 'g', 300);
    expect(await info()).toMatchObject({ pending: 0, 'entries-read': 10, lag: 0 });
  });
});
