/**
 * Issue 88's damaged tape (JPM's 10th trade at -557.53) through `kernelbus feed` and the live Strategy
 * engine over Redis: the feed refuses it by default, naming file:line, and publishes nothing that breaks
 * the trade rule; with --bad-trades skip it publishes the others. A frame that carries the bad trade
 * past the feed (a producer of one's own) reaches the engine, which leaves that trade out and applies
 * the frame's others: JPM keeps its fills, the same as `backtest --bad-trades skip` prints.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { readTrades } from '../../src/io/index.js';
import type { StrategyFill } from '../../src/strategy/index.js';
import { damagedTape } from '../helpers/damaged-tape.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { Command, consumed, killAll, redisBus, storedMessages, storedTrades, runCommand } from './helpers.js';

const STRATEGY = fileURLToPath(new URL('../../examples/strategy-ma-cross.mjs', import.meta.url));
const SHARDS = 4;
const TRADE_STREAMS = Array.from({ length: SHARDS }, (_, s) => keysOf().stream(`marketdata:TRADE_EXECUTION:${s}`));
const tape = damagedTape();

const byTsId = (a: StrategyFill, b: StrategyFill) => a.ts - b.ts || (a.id < b.id ? -1 : 1);

describeRedis('the damaged tape through the feed and the live engine', () => {
  let server: RedisServer;
  let url: string;
  let expected: StrategyFill[];

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
    const { code, stdout, stderr } = await runCommand([
      'backtest',
      '--file',
      tape.path,
      '--strategy',
      STRATEGY,
      '--bad-trades',
      'skip',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    expected = JSON.parse(stdout).fills;
  }, 120_000);
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('feed --file refuses the bad trade by default (file:line, exit 2); publishes none that breaks the rule', async () => {
    const redis = client(url);
    await redis.flushall();
    const { code, stderr } = await runCommand(['feed', '--file', tape.path, '--redis', url, '--shards', String(SHARDS)]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${tape.path}:${tape.line}: expected a finite price > 0, got -557.53 (JPM)`);
    const stored = (await storedTrades(redis, SHARDS)).trades;
    for (const t of stored.values()) expect(Math.min(...t.price)).toBeGreaterThan(0);
  });

  it('feed --bad-trades skip publishes every other trade and says so', async () => {
    const redis = client(url);
    await redis.flushall();
    const { code, stdout, stderr } = await runCommand([
      'feed',
      '--file',
      tape.path,
      '--redis',
      url,
      '--shards',
      String(SHARDS),
      '--bad-trades',
      'skip',
    ]);
    expect(code, stderr).toBe(0);
    expect(`${stdout}${stderr}`).toContain(`1 bad trade skipped: price 1; the first: ${tape.path}:${tape.line}`);
    const stored = (await storedTrades(redis, SHARDS)).trades;
    expect([...stored.values()].reduce((n, t) => n + t.ts.length, 0)).toBe(tape.trades - 1);
    expect(stored.get('JPM')!.ts.length).toBe(tape.symbolTrades - 1);
  });

  it('a frame carrying the bad trade: the live engine skips that trade, JPM keeps its fills; so does replay', async () => {
    const redis = client(url);
    await redis.flushall();
    const live = new Command([
      'engine',
      'strategy',
      '--strategy',
      STRATEGY,
      '--redis',
      url,
      '--consumer',
      'live',
      '--max-lateness-ms',
      '1000',
      '--metrics-port',
      '0',
    ]);
    await live.waitFor(/^ready: engine strategy/m, 60_000);
    // a producer of one's own: the rows as the file has them (no rule), each published in time order
    const { trades, symbols } = await readTrades(tape.path);
    const order = Array.from(trades.ts.keys()).sort((a, b) => trades.ts[a] - trades.ts[b] || a - b);
    const bus = await redisBus(url, SHARDS);
    for (const i of order) {
      const key = symbols!.values[symbols!.codes[i]];
      bus.publishSync('TRADE_EXECUTION', { key, ts: trades.ts[i], price: trades.price[i], volume: trades.volume[i] });
    }
    await bus.close();
    await consumed(redis, TRADE_STREAMS, 'strategy');
    const jpm = expected.filter((f) => f.symbol === 'JPM');
    expect(jpm.length).toBeGreaterThan(0);
    const fills = async () => (await storedMessages<StrategyFill>(redis, 'ORDER_FILL', SHARDS, 'logic')).map((m) => m.payload);
    await until(async () => (await fills()).length >= expected.length, 'every fill', 30_000, 50);
    expect(await live.stop()).toBe(0);
    expect((await fills()).sort(byTsId)).toEqual([...expected].sort(byTsId));
    expect(live.out).toMatch(/1 bad trade skipped/);
    // kernelbus tail ORDER_FILL --dedupe prints the fills the backtest prints, each once
    const tailed = await runCommand(['tail', 'ORDER_FILL', '--redis', url, '--from', 'start', '--json', '--dedupe']);
    expect(tailed.code, tailed.stderr).toBe(0);
    const lines = tailed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { payload: StrategyFill });
    expect(lines.map((l) => l.payload).sort(byTsId)).toEqual([...expected].sort(byTsId));
    // no frame dead-lettered
    for (const stream of TRADE_STREAMS) expect(await redis.xlen(`${stream}:dlq`)).toBe(0);
    // kernelbus replay's VPIN engine over the same entries: the bad trade left out, listed with reject
    const replayed = await runCommand(
      ['replay', '--redis', url, '--type', 'TRADE_EXECUTION', '--from', '0', '--engine', 'vpin'].concat([
        '--shards',
        String(SHARDS),
        '--bad-trades',
        'reject',
      ]),
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/^replayed 5,200 trades of 8 symbols .*; 1 bad trade left out \(--bad-trades\)$/m);
    expect(replayed.stderr).toMatch(/^rejected: JPM trade \d+ of \d+-\d+: expected a finite price > 0, got -557.53$/m);
  });
});
