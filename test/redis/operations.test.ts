/**
 * What operating the Redis transport needs (issue 28): subscribe `from` an entry id, a time or the end
 * (refused on the in-process bus), the consumer-group status (lag from XINFO GROUPS on Redis >= 7 and
 * counted from the last-delivered id otherwise, pending, oldest pending age, dead letters), the key
 * parser behind it, and the start ids `from` turns into.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { RedisKeys } from '../../src/bus/transports/redis/keys.js';
import { streamStatus } from '../../src/bus/transports/redis/status.js';
import { startAfterOf } from '../../src/bus/transports/types.js';
import { client, closeAll, describeRedis, transport, until, useRedisServer } from '../helpers/redis.js';

describe('subscribe from: the start ids', () => {
  it('an id is inclusive, a time takes the entries appended at or after it, last only new ones', () => {
    expect(startAfterOf({ id: '1700000000000-5' })).toBe('1700000000000-4');
    expect(startAfterOf({ id: '1700000000000-0' })).toBe('1699999999999-18446744073709551615');
    expect(startAfterOf({ id: '0-0' })).toBe('0');
    expect(startAfterOf({ ts: 1700000000000 })).toBe('1699999999999-18446744073709551615');
    expect(startAfterOf({ ts: 0 })).toBe('0');
    expect(startAfterOf('last')).toBe('$');
  });

  it('the in-process bus keeps no history: from is refused; a bad from is refused', async () => {
    const bus = createBus();
    expect(() => bus.subscribe('TRADE_EXECUTION', () => {}, { from: { ts: 1 } })).toThrow(
      /^options.from: expected a transport that keeps history \(e.g. redis\), got memory/,
    );
    expect(() => bus.subscribe('TRADE_EXECUTION', () => {}, { from: { id: 'x' } } as never)).toThrow(/^options.from: expected/);
    await bus.close();
  });

  it('parseStream inverts stream()', () => {
    const keys = new RedisKeys('kb:');
    for (const s of ['marketdata:TRADE_EXECUTION:0', 'logic:PORTFOLIO_UPDATE:12', 'orders']) {
      expect(keys.parseStream(keys.stream(s))?.stream).toBe(s);
    }
    expect(keys.parseStream('kb:{marketdata:0}:TRADE_EXECUTION')).toEqual({ bus: 'marketdata', stream: 'marketdata:TRADE_EXECUTION:0' });
    expect(keys.parseStream('kb:{marketdata:0}:TRADE_EXECUTION:dlq')).toBeUndefined();
    expect(keys.parseStream('other:{x}')).toBeUndefined();
  });
});

describeRedis('operating the Redis transport', () => {
  const server = useRedisServer();
  afterEach(() => closeAll());

  it('subscribe from { id }, { ts } and last on Redis: a new group starts there', async () => {
    const url = server().url();
    await client(url).flushall();
    const bus = createBus({ redis: { url, blockMs: 50 } });
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await bus.publish('STRATEGY_SIGNAL', { key: 'k', payload: { n: i } });
      await bus.flush();
    };
    await publish(5);
    const key = new RedisKeys('kb:').stream('logic:STRATEGY_SIGNAL:0');
    const ids = ((await client(url).xrange(key, '-', '+')) as [string, string[]][]).map(([id]) => id);
    expect(ids.length).toBe(5);
    const got = { id: [] as number[], ts: [] as number[], last: [] as number[], all: [] as number[] };
    const sub = (what: keyof typeof got, from?: Parameters<typeof bus.subscribe>[2]) =>
      bus.subscribe<{ n: number }>('STRATEGY_SIGNAL', (m) => void got[what].push(m.payload.n), { group: what, ...from });
    sub('id', { from: { id: ids[2] } });
    sub('ts', { from: { ts: Number(ids[4].split('-')[0]) } });
    sub('last', { from: 'last' });
    sub('all');
    // Every entry appended at or after that millisecond (entries of one ms share it).
    const ms = (id: string) => Number(id.split('-')[0]);
    const since = ids.flatMap((id, i) => (ms(id) >= ms(ids[4]) ? [i] : []));
    await until(() => got.all.length === 5 && got.id.length === 3 && got.ts.length === since.length, 'the groups to read');
    await publish(1);
    // every group reads it (each group's reader its own: under load one can come a poll later)
    await until(
      () => got.all.length === 6 && got.id.length === 4 && got.last.length === 1 && got.ts.length === since.length + 1,
      'the new entry',
    );
    expect(got.id).toEqual([2, 3, 4, 0]);
    expect(got.ts, JSON.stringify({ ids, got })).toEqual([...since, 0]);
    expect(got.last).toEqual([0]);
    await bus.close();
  });

  it('streamStatus: lag, pending, oldest pending age and dead letters per group; lag counted when Redis gives none', async () => {
    const url = server().url();
    const redis = client(url);
    await redis.flushall();
    const t = transport(url);
    await t.ready();
    const key = t.keys.stream('marketdata:TRADE_EXECUTION:1');
    for (let i = 0; i < 10; i++) await redis.xadd(key, '*', 'd', 'x', 'k', 'A', 'n', '1');
    await redis.xgroup('CREATE', key, 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 4, 'STREAMS', key, '>');
    await redis.xadd(`${key}:dlq`, '*', 'd', 'x', 'k', 'A', 'n', '1', 'error', 'e');
    await redis.xadd(t.keys.stream('marketdata:TRADE_EXECUTION:2'), '*', 'd', 'x');
    const status = await streamStatus(t);
    const g = status.find((s) => s.group === 'g')!;
    expect(g).toMatchObject({
      bus: 'marketdata',
      stream: 'marketdata:TRADE_EXECUTION:1',
      length: 10,
      lag: 6,
      lagSource: 'redis',
      pending: 4,
      deadLetters: 1,
    });
    expect(g.oldestPendingSeconds).toBeGreaterThanOrEqual(0);
    expect(g.consumers).toEqual([expect.objectContaining({ name: 'c1', pending: 4 })]);
    expect(status.find((s) => s.stream === 'marketdata:TRADE_EXECUTION:2')).toMatchObject({ group: '', lag: 1 });
    // A Redis before 7 (no lag in XINFO GROUPS): counted after the last-delivered id.
    const cmd = new Proxy(t.cmd, {
      get(target, prop, receiver) {
        if (prop !== 'xinfo') return Reflect.get(target, prop, receiver);
        return async (...args: string[]) => {
          const reply = (await (target.xinfo as unknown as (...a: string[]) => Promise<unknown[]>)(...args)) as unknown[][];
          if (args[0] !== 'GROUPS') return reply;
          return reply.map((group) =>
            group.flatMap((v, i, all) =>
              i % 2 === 0 && (v === 'lag' || v === 'entries-read')
                ? []
                : i % 2 === 1 && (all[i - 1] === 'lag' || all[i - 1] === 'entries-read')
                  ? []
                  : [v],
            ),
          );
        };
      },
    });
    const old = (await streamStatus({ cmd, keys: t.keys, cluster: false })).find((s) => s.group === 'g')!;
    expect(old).toMatchObject({ lag: 6, lagSource: 'counted', pending: 4 });
  });
});
