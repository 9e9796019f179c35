/**
 * The same strategy file backtested and live (issue 69): `kernelbus engine strategy` over Redis, fed by
 * `kernelbus feed --file`, publishes the ORDER_FILL and STRATEGY_SIGNAL messages `kernelbus backtest
 * --file --strategy --json` prints (ids, units, prices, fees, ts), also when the engine is killed
 * (SIGKILL) twice mid-tape: once before any checkpoint (the next process replays what its group
 * acknowledged) and once after one (the next restores it). Fills are counted once by id; one published
 * again after a restart must be identical. The killed run is of a strategy that over-levers
 * (examples/strategy-lever.mjs, issue 92): its ORDER_REJECTED messages, from its limits, its margin
 * (examples/accounts.json) and the REDUCING state of its margin calls, are the backtest's `rejections`.
 * A strategy trading on a LightGBM model (examples/strategy-model.mjs, issue 91) killed after a
 * checkpoint places the backtest's orders: its predictions are the backtest's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { RedisClient } from '../../src/bus/transports/redis/index.js';
import type { OrderRejection, StrategyFill, StrategyOrder } from '../../src/strategy/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { Command, consumed, killAll, storedMessages, runCommand } from './helpers.js';

const TAPE = fileURLToPath(new URL('../../examples/tape.csv', import.meta.url));
/** The fill model of both runs: fees, slippage and latency, so a mismatch in any shows. */
const EXECUTION = ['--init-cash', '100000', '--fees', '0.0005', '--slippage', '0.0002', '--latency-ms', '500'];
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
/** The strategy and flags of a run. */
type Run = { strategy: string; flags: string[] };
const MA_CROSS: Run = { strategy: example('strategy-ma-cross.mjs'), flags: EXECUTION };
const LEVER: Run = {
  strategy: example('strategy-lever.mjs'),
  flags: [...EXECUTION, '--allow-short', '--accounts', example('accounts.json'), '--on-margin-call', 'reduce'],
};
/** A strategy that trades on a LightGBM model's probability (examples/model.txt, issue 91). */
const MODEL: Run = { strategy: example('strategy-model.mjs'), flags: EXECUTION };
type Expected = { orders: StrategyOrder[]; fills: StrategyFill[]; rejections: OrderRejection[] };
const SHARDS = 4;
const TRADE_STREAMS = Array.from({ length: SHARDS }, (_, s) => keysOf().stream(`marketdata:TRADE_EXECUTION:${s}`));

/** What `kernelbus backtest --json` prints of the tape. */
async function backtest(run: Run): Promise<Expected> {
  const { code, stdout, stderr } = await runCommand(['backtest', '--file', TAPE, '--strategy', run.strategy, ...run.flags, '--json']);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout);
}

/**
 * The messages of `type` stored on the logic bus, by id: one published again (after a restart) must
 * equal the first; returns them and how many were published twice.
 */
async function byId<P extends { id: string }>(redis: RedisClient, type: string): Promise<{ map: Map<string, P>; again: number }> {
  const map = new Map<string, P>();
  let again = 0;
  for (const { payload } of await storedMessages<P>(redis, type, SHARDS, 'logic')) {
    const seen = map.get(payload.id);
    if (seen) {
      again++;
      expect(payload, `${type} ${payload.id} published again`).toEqual(seen);
    }
    map.set(payload.id, payload);
  }
  return { map, again };
}

/** `kernelbus engine strategy` on the tape's strategy, ready. */
async function engine(url: string, checkpointMs: number, run: Run): Promise<Command> {
  const c = new Command(
    ['engine', 'strategy', '--strategy', run.strategy, '--redis', url, '--consumer', 'live'].concat(run.flags, [
      '--checkpoint-ms',
      String(checkpointMs),
      '--claim-idle-ms',
      '500',
      '--max-lateness-ms',
      '1000',
      '--metrics-port',
      '0',
    ]),
  );
  await c.waitFor(/^ready: engine strategy, group strategy, consumer live, 20 streams on \S+(, checkpoints every \d+ ms)?$/m, 60_000);
  return c;
}

/** The engine's extra counters and levels (kernelbus_engine_events_total, kernelbus_engine_level) from its /metrics. */
async function events(c: Command): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await counters(c)).matchAll(/^kernelbus_engine_(?:events_total|level)\{[^}]*(?:event|level)="(\w+)"\} (\S+)$/gm))
    out[m[1]] = Number(m[2]);
  return out;
}

/** The engine's counters from its /metrics (for a failure's message). */
async function counters(c: Command): Promise<string> {
  const url = /metrics: (\S+)/.exec(c.out)?.[1];
  if (!url) return 'no metrics';
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => /^kernelbus_engine_(events_total|level|processed_total|deliveries_total|errors_total)/.test(l))
    .join('\n');
}

/** `kernelbus feed --file` of the tape's trades in [from, to) (epoch ms), to its end. */
async function feed(url: string, from: number, to: number): Promise<void> {
  const { code, stderr, stdout } = await runCommand(['feed', '--file', TAPE, '--redis', url, '--from', String(from), '--to', String(to)]);
  expect(code, `${stdout}${stderr}`).toBe(0);
}

/** Resolves once every fill of the backtest before `ts` is stored (the merge has handed those trades out). */
async function filledBefore(redis: RedisClient, fills: StrategyFill[], ts: number): Promise<void> {
  const due = fills.filter((f) => f.ts < ts);
  expect(due.length).toBeGreaterThan(20);
  await until(
    async () => {
      const { map } = await byId(redis, 'ORDER_FILL');
      return due.every((f) => map.has(f.id));
    },
    `the ${due.length} fills before ${ts}`,
    30_000,
    50,
  );
}

/** Resolves once the group's checkpoint covers every entry of the trade streams (each replay start after its last entry). */
async function checkpointed(redis: RedisClient): Promise<void> {
  await until(
    async () => {
      for (const stream of TRADE_STREAMS) {
        const last = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0];
        if (last === undefined) continue;
        const name = stream.replace(/^kb:\{(\w+):(\d+)\}:(\w+)$/, '$1:$3:$2');
        if ((await redis.hget(keysOf().checkpointIndex('strategy'), name)) !== `(${last}`) return false;
      }
      return true;
    },
    'a checkpoint of every trade',
    30_000,
    20,
  );
}

describeRedis('StrategyEngine over Redis: the backtest fills, live', () => {
  let server: RedisServer;
  let url: string;
  let expected: Expected;
  let lever: Expected;
  let model: Expected;
  /** Three cuts of the tape's time span: [start, t1, t2, end + 1]. */
  let cuts: number[];
  /** Trades before cuts[1]. */
  let firstThird: number;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
    [expected, lever, model] = await Promise.all([backtest(MA_CROSS), backtest(LEVER), backtest(MODEL)]);
    const ts = readFileSync(TAPE, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[0]))
      .sort((a, b) => a - b);
    cuts = [ts[0], ts[Math.floor(ts.length / 3)], ts[Math.floor((2 * ts.length) / 3)], ts[ts.length - 1] + 1];
    firstThird = ts.filter((t) => t < cuts[1]).length;
  }, 120_000);
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('`engine strategy` fed by `feed --file` publishes the fills and orders `backtest --json` prints', async () => {
    const redis = client(url);
    await redis.flushall();
    expect(expected.fills.length).toBeGreaterThan(100);
    const live = await engine(url, 200, MA_CROSS);
    await feed(url, cuts[0], cuts[3]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    // the merge hands the last trades out once the feed has been silent for --max-lateness-ms
    await until(async () => (await byId(redis, 'ORDER_FILL')).map.size >= expected.fills.length, 'every fill', 30_000, 50);
    expect(await live.stop()).toBe(0);
    const fills = await byId<StrategyFill>(redis, 'ORDER_FILL');
    const orders = await byId<StrategyOrder>(redis, 'STRATEGY_SIGNAL');
    expect([...fills.map.values()].sort(byTsId)).toEqual([...expected.fills].sort(byTsId));
    expect([...orders.map.values()].sort(byTsId)).toEqual([...expected.orders].sort(byTsId));
    expect(fills.again).toBe(0);
    const positions = await storedMessages<{ strategy: string }>(redis, 'POSITION_UPDATE', SHARDS, 'logic');
    expect(positions).toHaveLength(expected.fills.length);
    expect(live.out).toMatch(
      new RegExp(
        `stopped \\(SIGTERM\\): processed 5,200 messages .*; [\\d,]+ bars, ${expected.orders.length} orders, ${expected.fills.length} fills, 0 callback errors, 0 late trades, 8 symbols;`,
      ),
    );
  });

  it('killed (SIGKILL) before its first checkpoint and again after one: the fills and rejections counted once by id are the backtest`s', async () => {
    const redis = client(url);
    await redis.flushall();
    const expected = lever;
    // the over-levering run meets its limits, its margin and the REDUCING state of its margin calls
    expect(new Set(expected.rejections.map((r) => r.reason))).toEqual(new Set(['margin', 'reducing', 'maxOrderNotional']));
    // 1: no timed checkpoint before the kill; its group acknowledges the first third of the tape, its fills published
    const first = await engine(url, 3_600_000, LEVER);
    await feed(url, cuts[0], cuts[1]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    await filledBefore(redis, expected.fills, cuts[1]);
    first.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    // 2: nothing to restore: it replays what the group acknowledged (publishing those fills again, identical),
    // then takes the second third and is killed once a checkpoint covers it: its state then holds the
    // first third's bars, positions and orders (the merge may still hold the second third's trades)
    const second = await engine(url, 200, LEVER);
    await until(
      async () => {
        const e = await events(second);
        return e.replayed === firstThird && e.held === 0;
      },
      `the replay of the first third's ${firstThird} trades, merged`,
      30_000,
      50,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the second engine's output:\n${second.out}\n${await counters(second)}`);
    });
    await filledBefore(redis, expected.fills, cuts[1]);
    await feed(url, cuts[1], cuts[2]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    await checkpointed(redis);
    second.kill('SIGKILL');
    await second.exited;
    // 3: restores the checkpoint and goes on to the end
    const third = await engine(url, 200, LEVER);
    await feed(url, cuts[2], cuts[3]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    await until(async () => (await byId(redis, 'ORDER_FILL')).map.size >= expected.fills.length, 'every fill', 30_000, 50);
    expect(await third.stop()).toBe(0);
    const fills = await byId<StrategyFill>(redis, 'ORDER_FILL');
    expect([...fills.map.values()].sort(byTsId)).toEqual([...expected.fills].sort(byTsId));
    // the second process replayed the first third: its fills published again, identical (byId checks)
    expect(fills.again).toBeGreaterThan(0);
    // kernelbus tail ORDER_FILL --dedupe prints the fills the backtest prints, each once, and says how many repeats it dropped
    const tailed = await runCommand(['tail', 'ORDER_FILL', '--redis', url, '--from', 'start', '--json', '--dedupe']);
    expect(tailed.code, tailed.stderr).toBe(0);
    const tailedFills = tailed.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { payload: StrategyFill }).payload);
    expect(tailedFills.sort(byTsId)).toEqual([...expected.fills].sort(byTsId));
    expect(tailed.stderr).toMatch(new RegExp(`, ${fills.again} repeats? dropped`));
    const orders = await byId<StrategyOrder>(redis, 'STRATEGY_SIGNAL');
    expect([...orders.map.values()].sort(byTsId)).toEqual([...expected.orders].sort(byTsId));
    const rejections = await byId<OrderRejection>(redis, 'ORDER_REJECTED');
    expect([...rejections.map.values()].sort(byTsId)).toEqual([...expected.rejections].sort(byTsId));
    // the third restored a checkpoint (8 symbols' keys), and replayed or was handed nothing twice
    expect(third.out).toMatch(/, [1-9]\d* keys restored;/);
    expect(third.out).toMatch(/ 0 late trades, 8 symbols;/);
  });

  it('a model strategy killed (SIGKILL) after a checkpoint: its orders and fills are the backtest`s (the same predictions)', async () => {
    const redis = client(url);
    await redis.flushall();
    expect(model.fills.length).toBeGreaterThan(50);
    const first = await engine(url, 200, MODEL);
    await feed(url, cuts[0], cuts[2]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    await checkpointed(redis);
    first.kill('SIGKILL');
    await first.exited;
    // the next process restores the bars, indicators and the model's outputs of the checkpoint
    const second = await engine(url, 200, MODEL);
    await feed(url, cuts[2], cuts[3]);
    await consumed(redis, TRADE_STREAMS, 'strategy');
    await until(async () => (await byId(redis, 'ORDER_FILL')).map.size >= model.fills.length, 'every fill', 30_000, 50);
    expect(await second.stop()).toBe(0);
    expect(second.out).toMatch(/, [1-9]\d* keys restored;/);
    const fills = await byId<StrategyFill>(redis, 'ORDER_FILL');
    expect([...fills.map.values()].sort(byTsId)).toEqual([...model.fills].sort(byTsId));
    const orders = await byId<StrategyOrder>(redis, 'STRATEGY_SIGNAL');
    expect([...orders.map.values()].sort(byTsId)).toEqual([...model.orders].sort(byTsId));
  });
});

/** Records by time, then id. */
function byTsId(a: { ts: number; id: string }, b: { ts: number; id: string }): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
