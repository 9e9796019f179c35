/**
 * `kernelbus tail` (issue 88) on a real redis-server: the messages of a type as its streams hold them,
 * every shard, in entry-id order (streams of several XRANGE pages merged): trade frames (packed
 * entries among them) with their columns as numbers, msgpack payloads (typed arrays as arrays), a user
 * type; --dedupe drops an ORDER_FILL published twice (by its id) and a repeated message of another
 * type (by content) and says how many on stderr, a repeat of an id with other content counted apart;
 * --from by entry id, epoch ms and ISO time; --count; following new entries (a shard that appears
 * later included) until SIGINT, as a process; a malformed entry is skipped with a line; bad input (an
 * unknown type, a bad --from, no type) exits 2 naming TYPE or the flag. Nothing is written: the
 * server's keys are the same after.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { shardOf } from '../../src/bus/messages.js';
import { compareEntryIds } from '../../src/bus/transports/types.js';
import { main } from '../../src/cli/main.js';
import { runTail } from '../../src/cli/tail.js';
import type { StrategyFill } from '../../src/strategy/index.js';
import { client, describeRedis, keysOf, RedisServer, sleep, tearDown, transport, until } from '../helpers/redis.js';
import { Command, killAll } from '../redis-e2e/helpers.js';

const SHARDS = 4;
const T0 = 1_795_098_629_286;

/** Two keys of one shard (their frames of one flush share a packed entry) and one of another. */
function keys(): [string, string, string] {
  const names = Array.from({ length: 26 }, (_, i) => `${String.fromCharCode(65 + i)}XY`);
  for (const a of names)
    for (const b of names) {
      if (a >= b || shardOf(a, SHARDS) !== shardOf(b, SHARDS)) continue;
      const c = names.find((n) => shardOf(n, SHARDS) !== shardOf(a, SHARDS))!;
      return [a, b, c];
    }
  throw new Error('no two keys in one shard');
}
const [A, B, C] = keys();

/** A fill of the strategy engine's shape. */
const fill = (symbol: string, n: number, ts: number): StrategyFill => ({
  id: `rsi:${symbol}:${n}:0#0`,
  orderId: `rsi:${symbol}:${n}:0`,
  strategy: 'rsi',
  symbol,
  ts,
  units: n % 2 ? -10 : 10,
  price: 100.25 + n,
  fees: 0.5,
});

/** A stream that collects what is written. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** `kernelbus tail <args>` in this process: exit code, stdout, stderr. */
async function tail(args: string[], signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runTail(args, out.stream, err.stream, signal);
  return { code, out: out.text(), err: err.text() };
}

/** The JSON lines of an output. */
const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describeRedis('kernelbus tail', () => {
  let server: RedisServer;
  let url: string;
  let bus: Bus;
  /** The entry ids of the fills, in the order published (F1, F2, F1 again, F3). */
  let fillIds: string[];
  /** The trade streams' entries: [id, fields] per stream. */
  let tradeEntries: Map<string, [string, string[]][]>;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
    bus = createBus({
      shards: SHARDS,
      transports: { marketdata: transport(url, { packEntries: true }), logic: transport(url), compute: transport(url) },
      routes: { MY_TYPE: 'compute', PAGED: 'compute' },
    });
    // A and B in one flush: one packed entry on their shard; C alone; then A again
    const cols = (n: number, t: number, p: number) => ({
      ts: Float64Array.from({ length: n }, (_, i) => t + i * 1000),
      price: Float64Array.from({ length: n }, (_, i) => p + i / 4),
      volume: Float64Array.from({ length: n }, (_, i) => 100 * (i + 1)),
    });
    await Promise.all([
      bus.publish('TRADE_EXECUTION', { key: A, ...cols(3, T0, 10) }),
      bus.publish('TRADE_EXECUTION', { key: B, ...cols(2, T0 + 1, 20) }),
      bus.publish('TRADE_EXECUTION', { key: C, ...cols(1, T0 + 2, 30) }),
    ]);
    await bus.flush();
    await sleep(3);
    await bus.publish('TRADE_EXECUTION', { key: A, ...cols(1, T0 + 5000, 11) });
    await bus.flush();
    // fills, each in its own millisecond: F1, F2, F1 again (a restarted engine's repeat), F3
    for (const f of [fill(A, 1, T0 + 10), fill(C, 2, T0 + 20), fill(A, 1, T0 + 10), fill(A, 3, T0 + 30)]) {
      await sleep(3);
      await bus.publish('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f });
      await bus.flush();
    }
    // a payload with a typed array, twice (a repeat by content), and a user type
    for (let i = 0; i < 2; i++) {
      await bus.publish('PORTFOLIO_UPDATE', { key: 'book', ts: T0, payload: { weights: Float64Array.of(0.25, 0.75), names: ['x', 'y'] } });
      await bus.flush();
    }
    // an order published twice under one id with other units: a repeat that differs
    for (const units of [10, 20]) {
      await bus.publish('STRATEGY_SIGNAL', {
        key: A,
        ts: T0,
        payload: { id: `rsi:${A}:1:0`, strategy: 'rsi', symbol: A, ts: T0, units, type: 'market' },
      });
      await bus.flush();
    }
    await bus.publish('MY_TYPE', { key: 'k', ts: T0, payload: { n: 1 } });
    await bus.flush();
    const redis = client(url);
    const entries = async (stream: string) => (await redis.xrange(keysOf().stream(stream), '-', '+')) as [string, string[]][];
    const fills: [string, string[]][] = [];
    for (let s = 0; s < SHARDS; s++) fills.push(...(await entries(`logic:ORDER_FILL:${s}`)));
    fillIds = fills.map(([id]) => id).sort(compareEntryIds);
    tradeEntries = new Map();
    for (let s = 0; s < SHARDS; s++) tradeEntries.set(`${s}`, await entries(`marketdata:TRADE_EXECUTION:${s}`));
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await bus?.close();
    await tearDown(server);
  });

  it("--from start --json: every shard's trade frames in entry-id order, a packed entry's frames each, columns as numbers", async () => {
    // the shard of A and B holds a packed entry (field k empty) of both frames, then A's second
    const shared = tradeEntries.get(`${shardOf(A, SHARDS)}`)!;
    expect(shared).toHaveLength(2);
    expect(shared[0][1].slice(2, 6)).toEqual(['k', '', 'n', '5']);
    const packed = shared[0][0];
    const alone = tradeEntries.get(`${shardOf(C, SHARDS)}`)![0][0];
    const { code, out, err } = await tail(['TRADE_EXECUTION', '--redis', url, '--from', 'start', '--json']);
    expect([code, err]).toEqual([0, '']);
    const stream = (k: string) => `marketdata:TRADE_EXECUTION:${shardOf(k, SHARDS)}`;
    const frameA = {
      id: packed,
      stream: stream(A),
      type: 'TRADE_EXECUTION',
      key: A,
      ts: T0 + 2000,
      payload: { ts: [T0, T0 + 1000, T0 + 2000], price: [10, 10.25, 10.5], volume: [100, 200, 300] },
      count: 3,
    };
    const frameB = {
      ...frameA,
      key: B,
      ts: T0 + 1001,
      payload: { ts: [T0 + 1, T0 + 1001], price: [20, 20.25], volume: [100, 200] },
      count: 2,
    };
    const frameC = {
      ...frameA,
      id: alone,
      stream: stream(C),
      key: C,
      ts: T0 + 2,
      payload: { ts: [T0 + 2], price: [30], volume: [100] },
      count: 1,
    };
    const frameA2 = { ...frameA, id: shared[1][0], ts: T0 + 5000, payload: { ts: [T0 + 5000], price: [11], volume: [100] }, count: 1 };
    // one flush: the packed entry and C's may share an id (two streams): by id, then stream
    const first = [frameA, frameB, frameC].sort(
      (x, y) => compareEntryIds(x.id, y.id) || (x.stream < y.stream ? -1 : x.stream > y.stream ? 1 : 0),
    );
    expect(lines(out)).toEqual([...first, frameA2]);
    // the exact line of the first frame of the pack
    expect(out.split('\n')).toContain(
      `{"id":"${packed}","stream":"${stream(A)}","type":"TRADE_EXECUTION","key":"${A}","ts":${T0 + 2000},"payload":{"ts":[${T0},${T0 + 1000},${T0 + 2000}],"price":[10,10.25,10.5],"volume":[100,200,300]},"count":3}`,
    );
  });

  it('ORDER_FILL: every fill as published; --dedupe drops the repeat by its id and says so on stderr', async () => {
    const fills = [fill(A, 1, T0 + 10), fill(C, 2, T0 + 20), fill(A, 1, T0 + 10), fill(A, 3, T0 + 30)];
    const record = (f: StrategyFill, i: number) => ({
      id: fillIds[i],
      stream: `logic:ORDER_FILL:${shardOf(f.symbol, SHARDS)}`,
      type: 'ORDER_FILL',
      key: f.symbol,
      ts: f.ts,
      payload: f,
    });
    const all = await tail(['ORDER_FILL', '--redis', url, '--from', 'start', '--json']);
    expect([all.code, all.err]).toEqual([0, '']);
    expect(lines(all.out)).toEqual(fills.map(record));
    const once = await tail(['ORDER_FILL', '--redis', url, '--from', 'start', '--json', '--dedupe']);
    expect(once.code).toBe(0);
    expect(lines(once.out)).toEqual([record(fills[0], 0), record(fills[1], 1), record(fills[3], 3)]);
    expect(once.err).toBe("kernelbus tail: 3 ORDER_FILL messages printed, 1 repeat dropped (by the fill's id (payload.id))\n");
    // the text form: id, stream, key, ISO time, payload
    const text = await tail(['ORDER_FILL', '--redis', url, '--from', 'start', '--count', '1']);
    expect(text.out).toBe(
      `${fillIds[0]}  logic:ORDER_FILL:${shardOf(A, SHARDS)}  ${A}  ${new Date(T0 + 10).toISOString()}  ${JSON.stringify(fills[0])}\n`,
    );
  });

  it('--from an entry id, epoch ms or ISO time: the entries appended from there; --count stops', async () => {
    const ms = fillIds[1].split('-')[0];
    const fromId = await tail(['ORDER_FILL', '--redis', url, '--from', fillIds[1], '--json']);
    const fromMs = await tail(['ORDER_FILL', '--redis', url, '--from', ms, '--json']);
    const fromIso = await tail(['ORDER_FILL', '--redis', url, '--from', new Date(Number(ms)).toISOString(), '--json']);
    for (const r of [fromId, fromMs, fromIso]) {
      expect(r.code).toBe(0);
      expect(lines(r.out).map((l) => l.id)).toEqual(fillIds.slice(1));
    }
    const after = await tail(['ORDER_FILL', '--redis', url, '--from', String(Number(fillIds[3].split('-')[0]) + 1), '--json']);
    expect([after.code, after.out]).toEqual([0, '']);
    const two = await tail(['ORDER_FILL', '--redis', url, '--from', 'start', '--json', '--count', '2']);
    expect(lines(two.out).map((l) => l.id)).toEqual(fillIds.slice(0, 2));
  });

  it('msgpack payloads: typed arrays as arrays, a repeat by content dropped; a user type with streams is read', async () => {
    const book = await tail(['PORTFOLIO_UPDATE', '--redis', url, '--from', 'start', '--json', '--dedupe']);
    expect(lines(book.out).map((l) => [l.key, l.ts, l.payload])).toEqual([['book', T0, { weights: [0.25, 0.75], names: ['x', 'y'] }]]);
    expect(book.err).toBe('kernelbus tail: 1 PORTFOLIO_UPDATE message printed, 1 repeat dropped (by content (key, ts and payload))\n');
    const mine = await tail(['MY_TYPE', '--redis', url, '--from', 'start', '--json']);
    expect(lines(mine.out).map((l) => [l.stream, l.payload])).toEqual([[`compute:MY_TYPE:${shardOf('k', SHARDS)}`, { n: 1 }]]);
  });

  it('--dedupe counts a repeat of an id whose content differs apart, keeping the first', async () => {
    const r = await tail(['STRATEGY_SIGNAL', '--redis', url, '--from', 'start', '--json', '--dedupe']);
    expect(r.code).toBe(0);
    expect(lines(r.out).map((l) => [l.payload.id, l.payload.units])).toEqual([[`rsi:${A}:1:0`, 10]]);
    expect(r.err).toBe(
      "kernelbus tail: 1 STRATEGY_SIGNAL message printed, 1 repeat dropped (by the order's id (payload.id)); 1 of them differed from the first (the first kept)\n",
    );
  });

  it('streams of several pages each are merged in entry-id order, every message once', async () => {
    const [x, y] = [A, C]; // two shards
    for (let n = 0; n < 250; n++) {
      await bus.publish('PAGED', { key: n % 3 ? x : y, ts: T0 + n, payload: { n } });
      await bus.flush();
    }
    const r = await tail(['PAGED', '--redis', url, '--from', 'start', '--json', '--bus', 'compute']);
    const got = lines(r.out);
    expect(got).toHaveLength(250);
    for (let i = 1; i < got.length; i++) expect(compareEntryIds(got[i - 1].id, got[i].id)).toBeLessThanOrEqual(0);
    for (const key of [x, y]) {
      const mine = got.filter((l) => l.key === key).map((l) => l.payload.n);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    expect(got.map((l) => l.payload.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, n) => n));
  });

  it('a malformed entry is skipped with a line on stderr; the others are printed', async () => {
    const redis = client(url);
    const key = keysOf().stream('logic:RISK_ALERT:0');
    const bad = await redis.xadd(key, '*', 'd', 'not a frame', 'k', 'x', 'n', '1');
    await bus.publish('RISK_ALERT', { key: 'x', ts: T0, payload: { level: 'high' } });
    await bus.flush();
    const r = await tail(['RISK_ALERT', '--redis', url, '--from', 'start', '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.out).map((l) => l.payload)).toEqual([{ level: 'high' }]);
    expect(r.err).toMatch(new RegExp(`^kernelbus tail: entry ${bad} of logic:RISK_ALERT:0 skipped: malformed entry: .+\\n$`));
    await redis.del(key);
  });

  it("follows what is appended from now on, a new shard's stream included, until SIGINT (a process); nothing written to Redis", async () => {
    const redis = client(url);
    const before = (await redis.keys('*')).sort();
    const c = new Command(['tail', 'ORDER_FILL', '--redis', url, '--json', '--dedupe']);
    await c.waitFor(/^kernelbus tail: following ORDER_FILL \(\d streams of logic under kb:\) until SIGINT$/m);
    // a symbol on a shard no fill used yet: its stream appears now
    const used = new Set([A, C].map((k) => shardOf(k, SHARDS)));
    const fresh = Array.from({ length: 50 }, (_, i) => `N${i}`).find((k) => !used.has(shardOf(k, SHARDS)))!;
    const news = [fill(B, 7, T0 + 70), fill(fresh, 8, T0 + 80), fill(B, 7, T0 + 70)];
    for (const f of news) {
      await bus.publish('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f });
      await bus.flush();
    }
    await until(() => c.out.includes(fresh), "the new shard's fill", 10_000, 20);
    await sleep(200);
    c.kill('SIGINT');
    expect(await c.exited).toBe(0);
    const printed = c.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l).payload);
    expect(printed).toEqual([news[0], news[1]]);
    expect(c.out).toMatch(/^kernelbus tail: 2 ORDER_FILL messages printed, 1 repeat dropped \(by the fill's id \(payload\.id\)\)$/m);
    // the same keys as before but the new fills' stream: no group, no consumer, nothing else
    const after = (await redis.keys('*')).sort();
    expect(after.filter((k) => !before.includes(k))).toEqual([keysOf().stream(`logic:ORDER_FILL:${shardOf(fresh, SHARDS)}`)]);
    const groups = await Promise.all(after.filter((k) => k.includes('ORDER_FILL')).map((k) => redis.xinfo('GROUPS', k)));
    expect(groups.flat()).toEqual([]);
  });

  it('an in-process follow ends when its signal aborts', async () => {
    const stop = new AbortController();
    const [out, err] = [sink(), sink()];
    const running = runTail(['ORDER_FILL', '--redis', url, '--json', '--bus', 'logic'], out.stream, err.stream, stop.signal);
    await until(() => err.text().includes('following'), 'tail to start following', 10_000, 10);
    const f = fill(C, 9, T0 + 90);
    await bus.publish('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f });
    await bus.flush();
    await until(() => out.text().includes(f.id), 'the new fill', 10_000, 10);
    stop.abort();
    expect(await running).toBe(0);
    expect(lines(out.text()).map((l) => l.payload)).toEqual([f]);
  });

  it('bad input exits 2 naming TYPE or the flag, with "did you mean"', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await main(['tail', 'ORDER_FIL', '--redis', url])).toBe(2);
      expect(await main(['tail', 'order_fill', '--redis', url, '--from', 'start'])).toBe(2);
      expect(await main(['tail', 'ORDER_FILL', '--redis', url, '--from', 'yesterday'])).toBe(2);
      expect(await main(['tail', '--redis', url])).toBe(2);
      expect(await main(['tail', 'ORDER_FILL'])).toBe(2);
      expect(await main(['tail', 'ORDER_FILL', '--redis', url, '--dedup'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    const first = errors.map((e) => e.split('\n')[0]);
    expect(first).toEqual([
      'kernelbus tail: TYPE: expected a message type (kernelbus tail --help) or a type with streams under kb:, got "ORDER_FIL" (did you mean ORDER_FILL?)',
      'kernelbus tail: TYPE: expected a message type (kernelbus tail --help) or a type with streams under kb:, got "order_fill" (did you mean ORDER_FILL?)',
      'kernelbus tail: --from: expected start, end, an entry id <ms>-<seq>, epoch ms or an ISO 8601 time (2026-11-20T14:30:00Z), got "yesterday"',
      'kernelbus tail: TYPE: expected one message type (kernelbus tail ORDER_FILL), got 0 arguments',
      'kernelbus tail: --redis: expected a redis://host:port URL, got nothing',
      "kernelbus tail: unknown option '--dedup' (did you mean --dedupe?)",
    ]);
  });
});
