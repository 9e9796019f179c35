/**
 * Bad entries written straight into the trade streams, between valid frames of the same symbols, read
 * by a VpinEngine over Redis: every bad entry ends in the dead letters with its reason at its first
 * delivery, every valid trade is applied once (the buckets equal vpin() over the valid trades), nothing
 * stays pending, and no symbol is held back (a retry would wait retryDelayMs, 200 ms here).
 */
import { expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { encodeMessageFrame, encodeTradesFrame } from '../../src/bus/frames.js';
import { shardOf, streamName } from '../../src/bus/messages.js';
import { DEAD_LETTER_SUFFIX } from '../../src/bus/transports/types.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import type { Trades, VpinOptions } from '../../src/index.js';
import { client, keysOf, sleep, until, describeRedis, useRedisServer } from '../helpers/redis.js';
import { columns, consumed, storedResults, vpinOf } from './helpers.js';

const SHARDS = 2;
const PREFIX = 'kb:bad:';
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const VPIN: VpinOptions = { bucketVolume: 400, window: 5, barMs: 10, sigma: { ewma: 0.94 } };
const ROWS = 5;
const T0 = 1_700_000_000_000;

/** A frame as a Buffer (ioredis sends a bare Uint8Array as text). */
const buf = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** The trade stream of a symbol, unprefixed (as the dead letters' `source` names it). */
const streamOf = (key: string) => streamName('marketdata', 'TRADE_EXECUTION', shardOf(key, SHARDS));

/** A small deterministic generator. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Bad {
  what: string;
  reason: RegExp;
}

describeRedis('bad entries between valid frames, read by a VpinEngine over Redis', () => {
  const server = useRedisServer();

  it('every bad entry dead-lettered at once with its reason; every valid trade applied once (buckets = vpin()); nothing pending; no symbol held back', async () => {
    const url = server().url();
    const redis = client(url);
    const bus = createBus({
      shards: SHARDS,
      redis: { url, prefix: PREFIX, retryDelayMs: 200, maxDeliveries: 5, claimIdleMs: 2000, blockMs: 50 },
    });
    // badTrades 'fail': a frame with a bad trade is refused whole, dead-lettered with its reason (the
    // default, 'skip', leaves the trade out and applies the rest: test/redis-e2e/bad-trades.test.ts)
    const engine = new VpinEngine(bus, { vpin: VPIN, backend: 'reference', heartbeatMs: 0, checkpointMs: 200, badTrades: 'fail' }).start();
    await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
    const streams = Array.from({ length: SHARDS }, (_, i) => keysOf(PREFIX).stream(streamName('marketdata', 'TRADE_EXECUTION', i)));
    await until(
      async () =>
        (await redis.exists(
          ...Array.from({ length: SHARDS }, (_, i) => keysOf(PREFIX).lease(streamName('marketdata', 'TRADE_EXECUTION', i), 'vpin')),
        )) === SHARDS,
      'the engine to hold its leases',
    );

    const random = lcg(11);
    const valid = new Map(SYMBOLS.map((k) => [k, { ts: [] as number[], price: [] as number[], volume: [] as number[] }]));
    const next = new Map(SYMBOLS.map((k, i) => [k, { ts: T0 + i, price: 100 + 10 * i }]));
    /** The next ROWS trades of `key` on its timeline (not recorded as valid). */
    const trades = (key: string): Trades => {
      const n = next.get(key)!;
      const ts = new Float64Array(ROWS);
      const price = new Float64Array(ROWS);
      const volume = new Float64Array(ROWS);
      for (let i = 0; i < ROWS; i++) {
        n.ts += 1 + Math.floor(random() * 3);
        n.price = Math.round(n.price * (1 + 0.004 * (random() - 0.5)) * 100) / 100;
        ts[i] = n.ts;
        price[i] = n.price;
        volume[i] = 1 + Math.floor(random() * 40);
      }
      return { ts, price, volume };
    };
    const frame = (key: string, t: Trades, type = 'TRADE_EXECUTION') => buf(encodeTradesFrame({ type, key, ...t }));
    const add = (key: string, ...fields: (string | Buffer)[]) => redis.xadd(keysOf(PREFIX).stream(streamOf(key)), '*', ...fields);
    const writeValid = async (key: string) => {
      const t = trades(key);
      const v = valid.get(key)!;
      v.ts.push(...t.ts);
      v.price.push(...t.price);
      v.volume.push(...t.volume);
      await add(key, 'd', frame(key, t), 'k', key, 'n', String(ROWS));
    };
    const other = (key: string) => SYMBOLS[(SYMBOLS.indexOf(key) + 1) % SYMBOLS.length];
    /** The bad entries, each written for a symbol between two of its valid frames. */
    const kinds: ((key: string) => Promise<Bad>)[] = [
      async (key) => {
        await add(key, 'd', frame(key, trades(key)), 'k', other(key), 'n', String(ROWS));
        return {
          what: "'k' names another key",
          reason: new RegExp(`^malformed entry: field 'k' \\("${other(key)}"\\) is not the frame's key \\("${key}"\\)$`),
        };
      },
      async (key) => {
        await add(key, 'd', frame(key, trades(key)), 'k', key, 'n', '9');
        return { what: "'n' is not the frame's count", reason: /^malformed entry: field 'n' \(9\) is not the frame's count \(5\)$/ };
      },
      async (key) => {
        const t = trades(key);
        t.price[2] = NaN;
        await add(key, 'd', frame(key, t), 'k', key, 'n', String(ROWS));
        return { what: 'a NaN price', reason: /^invalid data: \w+ trade 2 of \d+-\d+: expected a finite price > 0, got NaN$/ };
      },
      async (key) => {
        const t = trades(key);
        t.volume[1] = Infinity;
        await add(key, 'd', frame(key, t), 'k', key, 'n', String(ROWS));
        return {
          what: 'an Infinity volume',
          reason: /^invalid data: \w+ trade 1 of \d+-\d+: expected a finite volume >= 0, got Infinity$/,
        };
      },
      async (key) => {
        const t = trades(key);
        t.volume[0] = -5;
        await add(key, 'd', frame(key, t), 'k', key, 'n', String(ROWS));
        return { what: 'a negative volume', reason: /^invalid data: \w+ trade 0 of \d+-\d+: expected a finite volume >= 0, got -5$/ };
      },
      async (key) => {
        const t = trades(key);
        t.ts.forEach((x, i) => (t.ts[i] = x - 1_000_000));
        await add(key, 'd', frame(key, t), 'k', key, 'n', String(ROWS));
        return {
          what: "timestamps before the symbol's last",
          reason: /^invalid data: \w+ trade 0 of \d+-\d+: expected a time at or after the symbol's previous trade \(\d+\), got \d+$/,
        };
      },
      async (key) => {
        await add(key, 'd', frame(key, trades(key), 'RISK_ALERT'), 'k', key, 'n', String(ROWS));
        return {
          what: 'a TRADES frame of another type',
          reason: /^malformed entry: frame: type "RISK_ALERT" on a stream of "TRADE_EXECUTION"$/,
        };
      },
      async (key) => {
        await add(key, 'd', buf(encodeMessageFrame({ type: 'TRADE_EXECUTION', key, ts: T0, payload: { price: 1 } })), 'k', key, 'n', '1');
        return {
          what: 'a MESSAGE frame on the trade stream',
          reason: /^malformed entry: frame: a message frame on a stream of "TRADE_EXECUTION", whose messages are trades$/,
        };
      },
      async (key) => {
        await add(key, 'd', Buffer.from('random bytes, long enough for a header'), 'k', key, 'n', '1');
        return { what: 'bytes that are not a frame', reason: /^malformed entry: frame: bad magic 0x[0-9a-f]{8}$/ };
      },
      async (key) => {
        await add(key, 'k', key, 'n', '1');
        return { what: 'no frame', reason: /^malformed entry: missing field 'd' \(the frame\)$/ };
      },
      async (key) => {
        // The case found by hand: two bad-data frames of a key, then a valid one whose 'k' names another key.
        const a = trades(key);
        a.price[0] = NaN;
        const b = trades(key);
        b.price[4] = NaN;
        await add(key, 'd', frame(key, a), 'k', key, 'n', String(ROWS));
        await add(key, 'd', frame(key, b), 'k', key, 'n', String(ROWS));
        await add(key, 'd', frame(key, trades(key)), 'k', other(key), 'n', String(ROWS));
        return {
          what: 'two NaN frames, then a frame whose k names another key',
          reason: /^(invalid data: \w+ trade [04] of \d+-\d+: expected a finite price > 0, got NaN|malformed entry: field 'k' .*)$/,
        };
      },
    ];
    const bad: Bad[] = [];
    let badEntries = 0;
    for (let round = 0; round < 240; round++) {
      for (const key of SYMBOLS) {
        await writeValid(key);
        const k = round * SYMBOLS.length + SYMBOLS.indexOf(key);
        if (k % 17 === 9) {
          const before = await redis.xlen(keysOf(PREFIX).stream(streamOf(key)));
          bad.push(await kinds[bad.length % kinds.length](key));
          badEntries += (await redis.xlen(keysOf(PREFIX).stream(streamOf(key)))) - before;
        }
      }
      await sleep(1);
    }
    expect(bad.length).toBeGreaterThanOrEqual(2 * kinds.length);

    await consumed(redis, streams, 'vpin');
    const latency = engine.metrics().latencyMs;
    await engine.close();
    await bus.close();

    // Every bad entry in the dead letters, at its first delivery, with its reason.
    const dead: Record<string, string>[] = [];
    for (const s of streams) {
      for (const [, f] of await redis.xrangeBuffer(s + DEAD_LETTER_SUFFIX, '-', '+')) {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < f.length; i += 2) fields[f[i].toString()] = f[i + 1].toString();
        dead.push(fields);
      }
    }
    expect(dead).toHaveLength(badEntries);
    const reasons = bad.map((b) => b.reason);
    for (const d of dead) {
      expect(
        reasons.some((r) => r.test(d.error)),
        d.error,
      ).toBe(true);
      expect(d.deliveries, d.error).toBe('1');
      expect(d.group).toBe('vpin');
    }
    for (const b of bad)
      expect(
        dead.some((d) => b.reason.test(d.error)),
        b.what,
      ).toBe(true);

    // Every valid trade applied once: the buckets published are vpin() over the valid trades.
    const results = await storedResults(redis, SHARDS, PREFIX);
    let buckets = 0;
    let count = 0;
    for (const [key, v] of valid) {
      const t: Trades = { ts: Float64Array.from(v.ts), price: Float64Array.from(v.price), volume: Float64Array.from(v.volume) };
      const mine = results.byKey.get(key) ?? [];
      expect(
        mine.map((c) => c.bucket),
        key,
      ).toEqual(mine.map((_, i) => i));
      expect(columns(mine), key).toEqual(vpinOf(t, VPIN));
      buckets += mine.length;
      count += t.ts.length;
    }
    expect(buckets).toBeGreaterThan(100);
    const m = engine.metrics();
    expect(m.processed).toBe(count);
    expect(m.extra).toMatchObject({ republished: 0 });
    // Nothing pending, nothing left to read.
    for (const s of streams) expect(await redis.xpending(s, 'vpin')).toEqual([0, null, null, null]);
    // No symbol held back: a retry would have waited 200 ms.
    expect(latency.max).toBeLessThan(100);
    console.log(
      `[redis-e2e] bad entries: ${badEntries} bad entries (${bad.length} writes of ${kinds.length} kinds) among ${count} valid trades of ${SYMBOLS.length} symbols: ` +
        `all dead-lettered at their first delivery, ${buckets} buckets exact; publish -> VPIN update p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms`,
    );
  });
});
