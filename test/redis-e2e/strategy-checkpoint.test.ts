/**
 * StrategyEngine's whole-state checkpoints over Redis, in process: an engine stopped without its last
 * checkpoint (as if killed) is resumed by the next one from the checkpoint plus the replay of what the
 * group acknowledged since, trades and observed messages alike, and gives the file backtest's fills; a
 * checkpoint written when only an observed type changed (its stream on another Redis transport than the
 * trades) carries the state too. With shards 2 and the default observed types (8 streams over 3 buses),
 * one process is one member of its group: every stream gets a reader (the fair share was per bus).
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import { CheckpointConfigError, StrategyEngine } from '../../src/engines/index.js';
import { backtestStrategy, defineStrategy, type StrategyFill, type Tape } from '../../src/strategy/index.js';
import { closeAll, describeRedis, RedisServer, client, sleep, tearDown, until } from '../helpers/redis.js';
import { maCross, randomTape } from '../strategy/helpers.js';
import { redisBus, storedMessages } from './helpers.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const OPTIONS = { fees: 0.001, slippage: 0.0005, initCash: 10_000, latencyMs: 1_500, participation: 0.2 };

/** Rows [from, to) of the tape as one batch per symbol. */
async function publish(bus: Bus, tape: Tape, from: number, to: number): Promise<void> {
  const { codes, values } = tape.symbols!;
  for (let k = 0; k < values.length; k++) {
    const rows = [];
    for (let i = from; i < to; i++) if (codes[i] === k) rows.push(i);
    await bus.publish('TRADE_EXECUTION', {
      key: values[k],
      ts: Float64Array.from(rows, (i) => tape.ts[i]),
      price: Float64Array.from(rows, (i) => tape.price[i]),
      volume: Float64Array.from(rows, (i) => tape.volume[i]),
    });
  }
}

function engine(bus: Bus, changes: { fees?: number; barMs?: number; resetCheckpoints?: boolean } = {}): StrategyEngine {
  const { barMs = 60_000, ...options } = changes;
  return new StrategyEngine(bus, {
    strategies: maCross(5, 20, barMs, 'ckpt-e2e', SYMBOLS),
    ...OPTIONS,
    ...options,
    maxLatenessMs: 300,
    heartbeatMs: 0,
    checkpointMs: 60_000,
  });
}

describeRedis('StrategyEngine checkpoints over Redis', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(() => closeAll());
  afterAll(() => tearDown(server));

  it('resumes from a checkpoint and the replay of what was acknowledged since: the backtest fills, ctx.latest kept', async () => {
    await client(url).flushall();
    const tape = randomTape(3_000, SYMBOLS, 3_000, 9);
    const file = backtestStrategy(tape, maCross(5, 20, 60_000, 'ckpt-e2e', SYMBOLS), OPTIONS);
    const n = tape.ts.length;
    const fills = new Map<string, StrategyFill>();
    const collect = (m: { payload: StrategyFill }) => {
      const f = m.payload as StrategyFill;
      if (fills.has(f.id)) expect(f, f.id).toEqual(fills.get(f.id));
      fills.set(f.id, f);
    };

    const bus1 = await redisBus(url, 2);
    const a = engine(bus1).start();
    expect(a.checkpoints).toBe(true);
    await a.ready(30_000);
    await publish(bus1, tape, 0, n / 3);
    await until(() => a.metrics().processed === n / 3, 'A at a third', 30_000);
    await until(() => a.metrics().extra.held === 0, 'A merged the third', 30_000);
    await a.checkpoint();
    // only an observed type changes: its stream is on the compute transport, the state rides on the trades'
    await bus1.publish('VPIN_CALCULATION', { key: 'AAA', payload: { cdf: 0.5 } });
    await until(() => a.metrics().processed === n / 3 + 1, 'A at the observed message', 30_000);
    await a.checkpoint();
    expect(a.metrics().extra).toMatchObject({ checkpointErrors: 0 });
    // acknowledged, not checkpointed: the next engine replays these
    await publish(bus1, tape, n / 3, (2 * n) / 3);
    await bus1.publish('VPIN_CALCULATION', { key: 'AAA', payload: { cdf: 0.75 } });
    await until(() => a.metrics().processed === (2 * n) / 3 + 2, 'A at two thirds', 30_000);
    a.checkpoint = () => Promise.resolve(); // stops as if killed
    await a.stop();
    await bus1.close();

    const bus2 = await redisBus(url, 2);
    const b = engine(bus2).start();
    await b.ready(30_000);
    expect(b.metrics().extra.restoredKeys).toBeGreaterThan(0);
    expect(b.metrics().extra.replayed).toBe(n / 3 + 1);
    expect(b.strategies()[0].ctx.latest('VPIN_CALCULATION', 'AAA')).toEqual({ cdf: 0.75 });
    await publish(bus2, tape, (2 * n) / 3, n);
    await until(() => b.metrics().processed === n / 3, 'B at the end', 30_000);
    await b.close();
    await bus2.close();
    for (const m of await storedMessages<StrategyFill>(client(url), 'ORDER_FILL', 2, 'logic')) collect(m);
    expect([...fills.values()].sort((x, y) => x.ts - y.ts || (x.id < y.id ? -1 : 1))).toEqual(
      [...file.fills].sort((x, y) => x.ts - y.ts || (x.id < y.id ? -1 : 1)),
    );
    expect(b.metrics().extra).toMatchObject({ late: 0, strategyErrors: 0 });
  });

  it('refuses a checkpoint of other bars or another fill model, naming what differs; resetCheckpoints starts fresh', async () => {
    await client(url).flushall();
    const tape = randomTape(600, SYMBOLS, 3_000, 4);
    const bus1 = await redisBus(url, 2);
    const a = engine(bus1).start();
    await a.ready(30_000);
    await publish(bus1, tape, 0, tape.ts.length);
    await until(() => a.metrics().processed === tape.ts.length, 'A at the end', 30_000);
    await a.checkpoint();
    expect(a.metrics().extra).toMatchObject({ checkpoints: 1, checkpointErrors: 0 });
    await a.stop();
    await bus1.close();

    for (const [changes, differs] of [
      [{ fees: 0.002 }, 'stored execution.fees=0.001, given execution.fees=0.002;'],
      [
        { barMs: 30_000 },
        'stored strategy.ckpt-e2e.bars="{\\"by\\":\\"time\\",\\"threshold\\":60000}", given strategy.ckpt-e2e.bars="{\\"by\\":\\"time\\",\\"threshold\\":30000}";',
      ],
    ] as const) {
      const bus = await redisBus(url, 2);
      const b = engine(bus, changes).start();
      const error = await b.ready(30_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointConfigError);
      expect((error as Error).message).toMatch(/^group 'strategy' has checkpoints of another configuration: /);
      expect((error as Error).message).toContain(differs);
      expect(b.metrics().processed).toBe(0);
      await b.stop();
      await bus.close();
    }

    // reset: the other fill model starts from the group's position, restoring nothing
    const bus3 = await redisBus(url, 2);
    const c = engine(bus3, { fees: 0.002, resetCheckpoints: true }).start();
    await c.ready(30_000);
    expect(c.metrics().extra.restoredKeys).toBe(0);
    expect(c.strategies()[0].metrics.bars).toBe(0);
    await c.close();
    await bus3.close();
  });
  it("a fill made by the merge's release timer (no entry after it) is in the next checkpoint: a kill then repeats none", async () => {
    await client(url).flushall();
    const strategy = defineStrategy({
      name: 'timer',
      bars: { by: 'tick', threshold: 3 },
      onBar(ctx, bar) {
        if (bar.index === 0) ctx.order(bar.symbol, 1);
      },
    });
    const make = (bus: Bus) =>
      new StrategyEngine(bus, { strategies: strategy, initCash: 1000, heartbeatMs: 0, checkpointMs: 200, maxLatenessMs: 300 });
    const bus1 = await redisBus(url, 2);
    const a = make(bus1).start();
    await a.ready(30_000);
    // the merge holds the last trades until the symbol is silent for maxLatenessMs: the timer hands them out
    const ts = Float64Array.of(1e12, 1e12 + 1000, 1e12 + 2000, 1e12 + 3000, 1e12 + 4000);
    await bus1.publish('TRADE_EXECUTION', { key: 'AAA', ts, price: Float64Array.of(100, 101, 102, 103, 104), volume: ts.map(() => 1) });
    await bus1.flush();
    await until(() => a.metrics().extra.fills >= 1, 'the fill', 10_000);
    const atFill = a.metrics().extra.checkpoints;
    await until(() => a.metrics().extra.checkpoints > atFill, 'a checkpoint after the timer-made fill', 5_000);
    // killed: no checkpoint on the way out
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();
    const bus2 = await redisBus(url, 2);
    const b = make(bus2).start();
    await b.ready(30_000);
    await sleep(1_000);
    // B restored the state with the fill in it (its counts too) and replayed nothing into a fill again
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 1, replayed: 0, fills: 1 });
    await b.stop();
    await bus2.close();
    const fills = await storedMessages<StrategyFill>(client(url), 'ORDER_FILL', 2, 'logic');
    expect(fills).toHaveLength(1);
  });
});
