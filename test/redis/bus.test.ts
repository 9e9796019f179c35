/** The bus facade over RedisTransport (createBus with a transports map): the interface fits as the memory one does. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import type { BusMessage } from '../../src/bus/messages.js';
import type { Trades } from '../../src/kernels/vpin.js';
import { closeAll, expectNoOpenHandles, transport } from './helpers.js';
import { describeRedis } from './describe.js';
import { RedisServer } from './server.js';

describeRedis('createBus over RedisTransport', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await closeAll();
    await server?.stop();
    await expectNoOpenHandles();
  });

  it('single trades are batched into frames, sharded, delivered in order per key once per group, drained and closed', async () => {
    const publisher = createBus({ buses: ['marketdata'], transports: { marketdata: transport(server.url(), { prefix: 'kb:bus:' }) }, shards: 4, maxBatch: 50 });
    const engine = createBus({ buses: ['marketdata'], transports: { marketdata: transport(server.url(), { prefix: 'kb:bus:' }) }, shards: 4, maxBatch: 50 });
    const seen = new Map<string, number[]>();
    let copies = 0;
    engine.subscribe('TRADE_EXECUTION', (m: BusMessage) => {
      const cols = m.payload as Trades;
      const list = seen.get(m.key) ?? [];
      list.push(...cols.ts);
      seen.set(m.key, list);
    }, { group: 'vpin', consumer: 'vpin-1' });
    await (engine.transport('marketdata') as ReturnType<typeof transport>).ready();
    const keys = Array.from({ length: 16 }, (_, i) => `SYM${i}`);
    const perKey = 1000;
    for (let i = 0; i < perKey; i++) {
      for (const key of keys) await publisher.publish('TRADE_EXECUTION', { key, ts: i, price: 100 + (i % 7), volume: 1 + (i % 3) });
    }
    await publisher.drain();
    await engine.drain();
    for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    const pm = publisher.metrics();
    expect(pm.published).toBe(keys.length * perKey);
    expect(pm.queueDepth).toBe(0);
    const em = engine.metrics();
    expect(em.delivered).toBe(keys.length * perKey);
    expect(em.acknowledged).toBe(keys.length * perKey);
    copies = em.copies;
    await publisher.close();
    await engine.close();
    console.log(`[redis] bus: ${pm.frames} frames for ${pm.published} trades (mean batch ${(pm.published / pm.frames).toFixed(1)}), ${copies} unaligned frames copied once`);
  });
});
