/**
 * What a VPIN engine over Redis does with frames an operator injects (issue 41, items 8 and 9): a frame
 * out of order that was never applied is dead-lettered (badTrades 'fail'; by default its trades are left
 * out as bad), not skipped as `republished` (only a frame the
 * engine applied is: the very bytes stored twice); a frame stamped beyond maxFutureMs of the engine's
 * clock is dead-lettered with its reason instead of pushing its symbol's clock a day ahead. The
 * strategy engine follows the same rules (the trade engines' skeleton): no fill twice for a frame stored twice.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { decodeFrame, encodeTradesFrame } from '../../src/bus/frames.js';
import { nowMs } from '../../src/bus/messages.js';
import { DEAD_LETTER_SUFFIX } from '../../src/bus/transports/types.js';
import { StrategyEngine } from '../../src/engines/strategy.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels, type VpinOptions } from '../../src/index.js';
import { defineStrategy } from '../../src/strategy/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';

const VPIN: VpinOptions = { bucketVolume: 50, window: 3, barMs: 1, sigma: { ewma: 0.94 } };
const STREAM = 'marketdata:TRADE_EXECUTION:0';

describeRedis('frames an engine must not take', () => {
  let server: RedisServer;
  let bus: Bus | undefined;
  let engine: VpinEngine | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await engine?.close();
    await bus?.close();
    engine = undefined;
    bus = undefined;
    await closeAll();
  });
  afterAll(() => tearDown(server));

  /** An engine of one shard under `prefix`, reading; and a raw XADD of a frame of `key`. */
  async function start(prefix: string, options: { maxFutureMs?: number; badTrades?: 'fail' | 'skip' } = {}) {
    bus = createBus({ shards: 1, redis: { url: server.url(), prefix, claimIdleMs: 300, blockMs: 20 } });
    engine = new VpinEngine(bus, { vpin: VPIN, backend: 'reference', heartbeatMs: 0, checkpointMs: 0, ...options }).start();
    await engine.ready();
    const redis = client(server.url());
    const key = keysOf(prefix).stream(STREAM);
    const frame = (symbol: string, ts: number[], sentAt: number) =>
      Buffer.from(
        encodeTradesFrame({
          type: 'TRADE_EXECUTION',
          key: symbol,
          sentAt,
          ts: Float64Array.from(ts),
          price: Float64Array.from(ts, (_, i) => 100 + (i % 3)),
          volume: new Float64Array(ts.length).fill(5),
        }),
      );
    const add = (symbol: string, bytes: Buffer) => redis.xadd(key, '*', 'd', bytes, 'k', symbol, 'n', String(bytes.readUInt32LE(8)));
    return { redis, key, frame, add, engine: engine!, bus: bus! };
  }

  it.each(['fail', 'skip'] as const)(
    "24 frames out of order, published earlier than the last applied: none skipped as republished (badTrades '%s': dead-lettered, or their trades counted as bad)",
    async (badTrades) => {
      const { frame, add, engine, bus, redis, key } = await start(`kb:g1${badTrades}:`, { badTrades });
      const t0 = nowMs() - 60_000;
      const applied: Buffer[] = [];
      for (let i = 0; i < 30; i++) {
        const bytes = frame('SYM000', [t0 + 100 * i, t0 + 100 * i + 50], t0 + 100 * i + 60);
        applied.push(bytes);
        await add('SYM000', bytes);
      }
      await until(() => engine.metrics().processed === 60, '30 frames applied');
      // 24 frames that go back in time, each published (sentAt) before the last applied one, some at the
      // very sentAt of an applied frame but with other trades: never applied, so not republishes.
      for (let i = 0; i < 24; i++) await add('SYM000', frame('SYM000', [t0 + 100 * i + 10], t0 + 100 * (i % 6) + 60));
      const dead = badTrades === 'fail' ? 24 : 0;
      if (badTrades === 'fail') {
        await until(() => bus.metrics().deadLetteredEntries === 24, '24 dead letters', 10_000);
        const reasons = await redis.xrange(key + DEAD_LETTER_SUFFIX, '-', '+');
        expect(reasons).toHaveLength(24);
        for (const [, f] of reasons) expect(f[f.indexOf('error') + 1]).toMatch(/^invalid data: /);
      } else {
        await until(() => engine.metrics().badTrades.order === 24, "24 trades left out as before their symbol's last", 10_000);
        expect(bus.metrics().deadLetteredEntries).toBe(0);
      }
      expect(engine.metrics().extra.republished).toBe(0);
      // A frame stored twice (the very bytes of applied frames, the last and an earlier one): skipped.
      await add('SYM000', applied[29]);
      await add('SYM000', applied[20]);
      const later = frame('SYM000', [t0 + 5000], t0 + 5001);
      await add('SYM000', later);
      await until(() => engine.symbols().get('SYM000')!.lastTs === t0 + 5000, 'the later frame applied');
      expect(engine.metrics().extra.republished).toBe(4);
      expect(bus.metrics().deadLetteredEntries).toBe(dead);
      // The symbol's state is exactly that of the applied frames, each once.
      const direct = kernels({ backend: 'reference' }).vpinStream(VPIN);
      for (const bytes of [...applied, later]) {
        const decoded = decodeFrame(bytes);
        if (decoded.kind !== 'trades') throw new Error('not a trade frame');
        direct.update(decoded.columns);
      }
      expect(engine.symbols().get('SYM000')!.stream.snapshot()).toEqual(direct.snapshot());
    },
  );

  it('a frame stamped a day ahead is dead-lettered with its reason; the symbol goes on', async () => {
    const { frame, add, engine, bus, redis, key } = await start('kb:g2:');
    const now = nowMs();
    await add('SYM001', frame('SYM001', [now - 1000], now - 999));
    await add('SYM001', frame('SYM001', [now + 86_400_000], now - 998));
    for (let i = 0; i < 20; i++) await add('SYM001', frame('SYM001', [now - 900 + i], now - 900 + i));
    await until(() => engine.metrics().processed === 21, 'the other frames applied');
    expect(bus.metrics().deadLetteredEntries).toBe(1);
    const [[, f]] = await redis.xrange(key + DEAD_LETTER_SUFFIX, '-', '+');
    expect(f[f.indexOf('error') + 1]).toMatch(
      /^invalid data: trades\.ts: expected times at most 5000 ms ahead of the engine's clock \(maxFutureMs\), got a trade \d+ ms ahead$/,
    );
    expect(Number(/got a trade (\d+) ms ahead/.exec(f[f.indexOf('error') + 1])![1])).toBeGreaterThan(86_390_000);
    expect(engine.metrics().extra.future).toBe(1);
    expect(engine.symbols().get('SYM001')!.lastTs).toBe(now - 881);
  });

  it('maxFutureMs: Infinity turns the guard off; a negative one is refused', async () => {
    const { frame, add, engine } = await start('kb:g3:', { maxFutureMs: Infinity });
    const ahead = nowMs() + 86_400_000;
    await add('SYM002', frame('SYM002', [ahead], ahead));
    await until(() => engine.metrics().processed === 1, 'the frame applied');
    expect(() => new VpinEngine(createBus(), { vpin: VPIN, maxFutureMs: -1 })).toThrow(KernelInputError);
    expect(() => new VpinEngine(createBus(), { vpin: VPIN, maxFutureMs: -1 })).toThrow(
      'options.maxFutureMs: expected a number of ms >= 0 (Infinity: no guard), got -1',
    );
  });

  it('the strategy engine skips a frame stored twice (no order, no fill twice) and dead-letters one stamped a day ahead', async () => {
    const prefix = 'kb:g4:';
    bus = createBus({ shards: 1, redis: { url: server.url(), prefix, claimIdleMs: 300, blockMs: 20 } });
    const fills: unknown[] = [];
    bus.subscribe('ORDER_FILL', (m) => void fills.push(m.payload));
    const strategy = new StrategyEngine(bus, {
      strategies: defineStrategy({
        name: 'each-bar',
        bars: { by: 'tick', threshold: 2 },
        onBar: (ctx, bar) => void ctx.order(bar.symbol, 1),
      }),
      initCash: 1e6,
      maxLatenessMs: 0,
      heartbeatMs: 0,
      checkpointMs: 0,
    }).start();
    await strategy.ready();
    const redis = client(server.url());
    const key = keysOf(prefix).stream(STREAM);
    const t0 = nowMs() - 60_000;
    const frame = (ts: number[], sentAt: number) =>
      Buffer.from(
        encodeTradesFrame({
          type: 'TRADE_EXECUTION',
          key: 'SYM',
          sentAt,
          ts: Float64Array.from(ts),
          price: Float64Array.from(ts, (_, i) => 100 + i),
          volume: new Float64Array(ts.length).fill(5),
        }),
      );
    const add = (bytes: Buffer) => redis.xadd(key, '*', 'd', bytes, 'k', 'SYM', 'n', String(bytes.readUInt32LE(8)));
    const frames = [0, 1, 2, 3].map((i) => frame([t0 + 10 * i, t0 + 10 * i + 5], t0 + 10 * i + 6));
    for (const bytes of frames) await add(bytes);
    // the first two again (a publish retried after an ambiguous failure), a day-ahead frame, one more
    await add(frames[0]);
    await add(frames[1]);
    await add(frame([nowMs() + 86_400_000], t0 + 100));
    await add(frame([t0 + 200, t0 + 205], t0 + 206));
    await until(() => strategy.metrics().processed === 14, 'every frame taken or skipped');
    await until(() => bus!.metrics().deadLetteredEntries === 1, 'the day-ahead frame dead-lettered');
    await strategy.close();
    // 5 frames applied of 2 trades: 5 bars, an order each, each filled at the next trade (the last unfilled)
    expect(strategy.strategies()[0].metrics).toMatchObject({ trades: 10, bars: 5, orders: 5, fills: 4 });
    expect(strategy.metrics().extra).toMatchObject({ republished: 4, future: 1 });
    expect(fills).toHaveLength(4);
  });
});
