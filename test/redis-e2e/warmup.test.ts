/** warmUp() over a Redis bus (src/engines/warmup.ts): the scratch engine reads every trade through Redis. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { deleteKeys } from '../../src/bus/transports/redis/delete-keys.js';
import type { Engine } from '../../src/engines/engine.js';
import { StrategyEngine } from '../../src/engines/strategy.js';
import { warmUp, warmUpStrategy } from '../../src/engines/warmup.js';
import { defineStrategy } from '../../src/strategy/index.js';
import { client, describeRedis, RedisServer, tearDown } from '../helpers/redis.js';

describeRedis('warmUp over Redis', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterAll(() => tearDown(server));

  it('the strategy engine takes in every trade through Redis streams under the prefix given; the bus closed after', async () => {
    const strategy = warmUpStrategy(defineStrategy({ name: 's', bars: { by: 'time', threshold: 60_000 }, onBar() {} }));
    let engine: Engine | undefined;
    let closed = false;
    const prefix = 'kb:warmup:t1:';
    const done = await warmUp(
      (bus) => (engine = new StrategyEngine(bus, { name: 'w', strategies: [strategy], symbols: ['A', 'B', 'C'] })),
      ['A', 'B', 'C'],
      6000,
      {
        bus: () => {
          const bus = createBus({ shards: 2, redis: { url, prefix } });
          const close = bus.close.bind(bus);
          bus.close = async () => {
            closed = true;
            await close();
          };
          return bus;
        },
      },
    );
    expect(done.trades).toBe(6000);
    const m = engine!.metrics();
    expect(m.badTrades).toEqual({ ts: 0, order: 0, price: 0, volume: 0 });
    expect(m.extra.orders).toBeGreaterThan(0);
    expect(m.extra.fills).toBeGreaterThan(0);
    expect(closed).toBe(true);
    // the trades went through the prefix's streams (2 shards), read by the scratch engine's group
    const redis = client(url);
    const streams = (await redis.keys(`${prefix}*TRADE_EXECUTION`)).sort();
    expect(streams).toEqual([`${prefix}{marketdata:0}:TRADE_EXECUTION`, `${prefix}{marketdata:1}:TRADE_EXECUTION`]);
    expect(await deleteKeys(url, prefix)).toBeGreaterThan(2);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});
