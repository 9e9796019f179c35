/**
 * `kernelbus feed --file` on a real redis-server: a recorded tape of 8 symbols with bid and ask (CSV and
 * Parquet) into two `kernelbus engine vpin --classifier lee-ready` processes, one SIGKILLed mid-replay:
 * every symbol's buckets equal VPIN over that symbol's rows of the file. A returns file and a panel
 * stored as the rows they hold; a bad row stops the feed after every row before it; SIGINT stops it
 * with everything published stored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { VpinOptions } from '../../src/index.js';
import { readTrades } from '../../src/io/index.js';
import { tapeBars } from '../../src/replay/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import { rowsOf, seededTape, tapeFile } from '../helpers/tape.js';
import {
  columns,
  Command,
  consumed,
  ENGINE_SHARDS,
  ENGINE_VPIN,
  engineArgs,
  expectedBuckets,
  killAll,
  storedResults,
  storedMessages,
  storedTrades,
} from './helpers.js';

const SHARDS = ENGINE_SHARDS;
const VPIN: VpinOptions = { ...ENGINE_VPIN, classifier: { algorithm: 'lee-ready' } };
const TRADE_KEYS = Array.from({ length: SHARDS }, (_, i) => keysOf().stream(`marketdata:TRADE_EXECUTION:${i}`));
const READY = /^ready: engine vpin/m;
const num = (s: string) => Number(s.replaceAll(',', ''));

/** The messages (not trade frames) of `type` stored on the marketdata bus's 4 shards. */
const storedInput = (redis: ReturnType<typeof client>, type: string) => storedMessages(redis, type, 4, 'marketdata');

describeRedis('kernelbus feed --file over Redis', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  const tape = seededTape(120_000, 8, 0.25, 5);

  it.each(['tape.csv', 'tape.parquet'])(
    '%s of 8 symbols with bid and ask into two lee-ready engines, one SIGKILLed mid-replay: every bucket equals VPIN over the file',
    async (name) => {
      const path = await tapeFile(tape, name);
      const redis = client(url);
      await redis.flushall();
      const engine = (consumer: string) => new Command([...engineArgs(url, consumer, 500), '--classifier', 'lee-ready']);
      const a = engine('A');
      const b = engine('B');
      await Promise.all([a.waitFor(READY), b.waitFor(READY)]);
      // 30 s of tape at speed 10: about 3 s of replay
      const feed = new Command(['feed', '--redis', url, '--shards', String(SHARDS), '--file', path, '--speed', '10']);
      await until(async () => (await redis.xlen(keysOf().stream('compute:VPIN_CALCULATION:0')).catch(() => 0)) > 0, 'results', 20_000);
      await sleep(500);
      a.kill('SIGKILL');
      expect(await feed.exited).toBe(0);
      const line = await feed.waitFor(/^published ([\d,]+) trades and 0 messages of 8 symbols .* consumed by groups vpin /m);
      expect(num(line[1])).toBe(120_000);
      await consumed(redis, TRADE_KEYS, 'vpin');
      expect(await b.stop()).toBe(0);

      const stored = await storedTrades(redis, SHARDS);
      const results = await storedResults(redis, SHARDS);
      let buckets = 0;
      for (const symbol of (tape.columns.symbol as { values: string[] }).values) {
        const rows = rowsOf(tape, symbol);
        const kept = stored.trades.get(symbol)!;
        expect({ ts: kept.ts, price: kept.price, volume: kept.volume }, symbol).toEqual({
          ts: rows.ts,
          price: rows.price,
          volume: rows.volume,
        });
        const expected = expectedBuckets(rows, VPIN);
        expect(columns(results.byKey.get(symbol) ?? []), symbol).toEqual(expected);
        buckets += expected.vpin.length;
      }
      expect(buckets).toBeGreaterThan(100);
      console.log(`[redis-e2e] feed --file ${name}: 120,000 trades of 8 symbols, ${buckets} buckets exact after a SIGKILL; ${line[0]}`);
    },
    90_000,
  );

  it('--returns and --panel: RETURNS_UPDATE and FACTOR_INPUT stored row for row, among the trades by date', async () => {
    const redis = client(url);
    await redis.flushall();
    const dir = join(await tapeFile(tape, 'x.csv'), '..');
    const returns = join(dir, 'returns.csv');
    writeFileSync(returns, 'date,EQ,BD\n2026-11-02,0.01,-0.002\n2026-11-03,-0.004,0.001\n2026-11-04,0.002,0.0005\n');
    const panel = join(dir, 'panel.csv');
    writeFileSync(
      panel,
      'date,symbol,sector,returns,market_cap\n2026-11-02,A,Tech,0.01,1e9\n2026-11-02,B,Energy,-0.01,2e9\n2026-11-03,A,Tech,0.02,1.1e9\n2026-11-03,B,Energy,,2e9\n',
    );
    const feed = new Command(['feed', '--redis', url, '--returns', returns, '--panel', panel, '--universe', 'us', '--json']);
    expect(await feed.exited).toBe(0);
    const json = JSON.parse(feed.out.slice(feed.out.indexOf('{')));
    expect(json).toMatchObject({ trades: 0, messages: 5, groups: [] });
    const stored = (type: string) => storedInput(redis, type);
    const rows = await stored('RETURNS_UPDATE');
    expect(rows.map((r) => r.ts)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04'].map((d) => Date.parse(d)));
    expect(rows.map((r) => [r.key, [...(r.payload as { returns: Float64Array }).returns]])).toEqual([
      ['us', [0.01, -0.002]],
      ['us', [-0.004, 0.001]],
      ['us', [0.002, 0.0005]],
    ]);
    const days = await stored('FACTOR_INPUT');
    expect(days.map((d) => (d.payload as { date: string }).date)).toEqual(['2026-11-02', '2026-11-03']);
    expect(days[1].payload).toMatchObject({ assets: ['A', 'B'], sectors: ['Tech', 'Energy'] });
    expect([...(days[1].payload as { returns: Float64Array }).returns]).toEqual([0.02, Number.NaN]);
  });

  /** examples/tape.csv fed at --speed 60000 (about 1.8 s) into an empty Redis: the summary, the stream entries and the trades stored. */
  const feedTape = async (...flags: string[]) => {
    const redis = client(url);
    await redis.flushall();
    const feed = new Command(['feed', '--redis', url, '--file', 'examples/tape.csv', '--speed', '60000', '--json', ...flags]);
    expect(await feed.exited, feed.out).toBe(0);
    const json = JSON.parse(feed.out.slice(feed.out.indexOf('{'))) as { trades: number; frames: number };
    let entries = 0;
    for (const key of TRADE_KEYS) entries += await redis.xlen(key);
    return { json, entries, stored: await storedTrades(redis, SHARDS) };
  };

  it('packs each flush into an entry per stream (--no-pack: an entry per frame); the same trades either way', async () => {
    const packed = await feedTape();
    const single = await feedTape('--no-pack');
    expect(packed.json.trades).toBe(5200);
    expect(single.entries).toBe(single.json.frames);
    // 8 symbols over 4 streams: a flush's pack holds a stream's two symbols at most
    expect(packed.entries).toBeLessThan(0.8 * packed.json.frames);
    expect(packed.stored.trades.size).toBe(8);
    expect(packed.stored).toEqual(single.stored);
  });

  it('--tick-ms: at least that long between two publishes, fewer, larger frames, the same trades stored', async () => {
    // the tape's 1.8 s at 60000x: a publish a turn of the event loop (0) against one every 50 ms at most
    const each = await feedTape('--tick-ms', '0');
    const ticked = await feedTape('--tick-ms', '50');
    expect(ticked.json.trades).toBe(5200);
    // at most a frame a symbol (8) and tick (1.8 s / 50 ms, and the first)
    expect(ticked.json.frames).toBeLessThanOrEqual(8 * 38);
    expect(ticked.json.frames).toBeLessThan(each.json.frames / 2);
    expect(ticked.stored).toEqual(each.stored);
  });

  it('--linger-ms: fewer, larger frames, the same trades stored', async () => {
    const each = await feedTape('--tick-ms', '0');
    // a flush every 50 ms of the tape's 1.8 s, against one a turn of the event loop
    const lingered = await feedTape('--linger-ms', '50');
    expect(lingered.json.trades).toBe(5200);
    expect(lingered.json.frames).toBeLessThan(each.json.frames / 2);
    expect(lingered.stored).toEqual(each.stored);
  });

  it('--idle-watermark-ms: watermark-only frames for streams idle that long (1 ms: some; 0: none); refused with --no-watermarks', async () => {
    const run = async (...flags: string[]) => {
      const feed = new Command(['feed', '--redis', url, '--file', 'examples/tape.csv', '--speed', '60000', '--json', ...flags]);
      expect(await feed.exited, feed.out).toBe(0);
      return JSON.parse(feed.out.slice(feed.out.indexOf('{'))) as { trades: number; frames: number; watermarkFrames: number };
    };
    const often = await run('--idle-watermark-ms', '1');
    expect(often.trades).toBe(5200);
    expect(often.watermarkFrames).toBeGreaterThan(0);
    expect(often.watermarkFrames).toBeLessThan(often.frames);
    const never = await run('--idle-watermark-ms', '0');
    expect(never).toMatchObject({ trades: 5200, watermarkFrames: 0 });
    const both = new Command(['feed', '--redis', url, '--file', 'examples/tape.csv', '--no-watermarks', '--idle-watermark-ms', '5']);
    expect(await both.exited).toBe(2);
    expect(both.out).toContain('--idle-watermark-ms');
  });

  it("--bar-ms --session: the tape's bars of returns as RETURNS_UPDATE, only where the market trades, equal to tapeBars()", async () => {
    const redis = client(url);
    await redis.flushall();
    const feed = new Command([
      'feed',
      '--redis',
      url,
      '--file',
      'examples/tape.csv',
      '--bar-ms',
      '120000',
      '--session',
      '09:30-16:00 America/New_York',
      '--json',
    ]);
    expect(await feed.exited).toBe(0);
    const read = await readTrades('examples/tape.csv');
    const bars = tapeBars([{ trades: read.trades, symbols: read.symbols }], { barMs: 120_000, session: '14:30-21:00' });
    const json = JSON.parse(feed.out.slice(feed.out.indexOf('{')));
    expect(json).toMatchObject({ trades: 5200, messages: bars.ts.length });
    const rows = (await storedInput(redis, 'RETURNS_UPDATE')).sort((a, b) => a.ts - b.ts);
    expect(rows.map((r) => r.ts)).toEqual(Array.from(bars.ts));
    const n = bars.symbols.length;
    rows.forEach((r, b) => {
      expect(r.payload).toMatchObject({ assets: bars.symbols });
      expect([...(r.payload as { returns: Float64Array }).returns]).toEqual([...bars.returns.subarray(b * n, (b + 1) * n)]);
    });
  });

  it('a bad row mid-tape: the feed stops with file:line:column (exit 2) and every row before it is stored; --skip-bad-rows skips and counts it', async () => {
    const redis = client(url);
    await redis.flushall();
    const dir = join(await tapeFile(tape, 'y.csv'), '..');
    const path = join(dir, 'bad.csv');
    const lines = ['ts,symbol,price,volume'];
    for (let i = 0; i < 400_000; i++) lines.push(`${1_790_000_000_000 + i},S${i % 4},${50 + (i % 3)},${1 + (i % 5)}`);
    lines[350_001] = '1790000350000,S0,5O,3';
    writeFileSync(path, `${lines.join('\n')}\n`);
    const feed = new Command(['feed', '--redis', url, '--file', path]);
    expect(await feed.exited).toBe(2);
    expect(feed.out).toContain(`${path}:350002:18: expected a number in column price, got "5O"`);
    const stored = await storedTrades(redis, 4);
    expect([...stored.trades.values()].reduce((n, t) => n + t.ts.length, 0)).toBe(350_000);
    await redis.flushall();
    const skip = new Command(['feed', '--redis', url, '--file', path, '--skip-bad-rows']);
    expect(await skip.exited).toBe(0);
    expect(skip.out).toMatch(/published 399,999 trades .* 1 bad rows skipped/);
  });

  it('SIGINT at --speed 1: the feed stops, says so, and everything it published is stored', async () => {
    const redis = client(url);
    await redis.flushall();
    const path = await tapeFile(seededTape(20_000, 4, 1), 'slow.parquet');
    const feed = new Command(['feed', '--redis', url, '--file', path, '--speed', '1']);
    await feed.waitFor(/replaying/);
    await sleep(1500);
    feed.kill('SIGINT');
    expect(await feed.exited).toBe(0);
    const line = await feed.waitFor(/^published ([\d,]+) trades.*\(stopped by SIGINT\)$/m);
    const published = num(line[1]);
    expect(published).toBeGreaterThan(500);
    expect(published).toBeLessThan(20_000);
    const stored = await storedTrades(redis, 4);
    expect([...stored.trades.values()].reduce((n, t) => n + t.ts.length, 0)).toBe(published);
  });
});
