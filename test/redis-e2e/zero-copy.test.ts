/**
 * Zero copies from Redis to the kernel: trade frames read from Redis arrive at unaligned byte offsets
 * (the reply parser's slices), where no Float64Array can view them. The native VPIN engine reads them
 * in place (FrameTrades): the bus's `copies` stays 0 while every bucket equals VPIN computed directly
 * over the trades Redis stored; the reference engine gets one aligned copy per such frame, counted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VpinEngine } from '../../src/engines/index.js';
import { FrameTrades } from '../../src/kernels/frame-trades.js';
import { backends, kernels, type VpinOptions } from '../../src/index.js';
import { walk } from '../helpers/trades.js';
import { inCI } from '../helpers/backends.js';
import { client, closeAll, tearDown, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { columns, redisBus, storedResults, storedTrades } from './helpers.js';

const SHARDS = 2;
const VPIN: VpinOptions = { bucketVolume: 2000, window: 10, barMs: 5000, sigma: { ewma: 0.94 } };
const nativeBuilt = backends().find((b) => b.name === 'native')?.available === true;

describeRedis('zero copies from Redis to the VPIN kernels', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await closeAll();
    await tearDown(server);
  });

  for (const backend of ['native', 'reference'] as const) {
    it.runIf(backend === 'reference' || nativeBuilt || inCI)(
      `${backend} engine: unaligned frames ${backend === 'native' ? 'read in place, 0 copies' : 'copied once each, counted'}; every bucket exact`,
      async () => {
        const redis = client(server.url());
        await redis.flushall();
        const publisher = await redisBus(server.url(), SHARDS);
        const engineBus = await redisBus(server.url(), SHARDS);
        const engine = new VpinEngine(engineBus, { vpin: VPIN, backend, heartbeatMs: 0 }).start();
        // a second group sees the same entries and counts those that arrive unaligned, touching no column
        let frames = 0;
        let unaligned = 0;
        engineBus.subscribe(
          'TRADE_EXECUTION',
          (m) => {
            frames++;
            if (m.payload instanceof FrameTrades) unaligned++;
          },
          { group: 'probe' },
        );
        const symbols = Array.from({ length: 8 }, (_, i) => ({ key: `SYM${i}`, trades: walk(1500, i + 1) }));
        let total = 0;
        for (let i = 0; i < 1500; i++) {
          for (const { key, trades } of symbols) {
            publisher.publishSync('TRADE_EXECUTION', { key, ts: trades.ts[i], price: trades.price[i], volume: trades.volume[i] });
            total++;
          }
          if (i % 100 === 99) await publisher.drain();
        }
        await publisher.drain();
        await until(() => engine.metrics().processed === total, 'the engine to process every trade', 30_000);
        await until(() => engineBus.metrics().acknowledged === 2 * total, 'both groups to acknowledge every trade', 30_000);
        await engine.close();
        const copies = engineBus.metrics().copies;
        await engineBus.close();
        await publisher.close();

        const { trades } = await storedTrades(redis, SHARDS);
        const results = await storedResults(redis, SHARDS);
        let buckets = 0;
        for (const [key, t] of trades) {
          // close() flushes the open bars: vpin() over every trade, on the engine's backend (native agrees
          // with the reference to 1e-12, not always to the bit; the engine must equal it exactly)
          const expected = kernels({ backend }).vpin(t, VPIN);
          expect(columns(results.byKey.get(key) ?? []), key).toEqual(expected);
          buckets += expected.vpin.length;
        }
        expect(trades.size).toBe(symbols.length);
        expect(buckets).toBeGreaterThan(50);
        expect(unaligned).toBeGreaterThan(0);
        if (backend === 'native') expect(copies).toBe(0);
        else expect(copies).toBeGreaterThan(0);
        console.log(
          `[redis] zero copy, ${backend} engine: ${frames} frames, ${unaligned} unaligned (probe group), ${copies} copied by the engine, ${buckets} buckets exact`,
        );
      },
    );
  }
});
