/**
 * StrategyEngine on the in-process bus: a tape published as batches of one symbol (symbols interleaved
 * out of time order, each in its own order) gives the same STRATEGY_SIGNAL, ORDER_FILL and
 * POSITION_UPDATE payloads as backtestStrategy on the tape (ids, units, prices, fees, ts), on the logic
 * bus; ctx.latest() returns the observed messages; bad batches are refused whole.
 */
import { describe, expect, it } from 'vitest';
import { type Bus, type BusMessage, createBus, decodeFrame, encodeTradesFrame, type TradesFrame } from '../../src/bus/index.js';
import { FrameTrades } from '../../src/kernels/frame-trades.js';
import { StrategyEngine } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import {
  backtestStrategy,
  defineStrategy,
  type OrderRejection,
  parseAccounts,
  type StrategyFill,
  type Tape,
} from '../../src/strategy/index.js';
import { packStructured, unpackStructured } from '../../src/strategy/runner-state.js';
import { maCross, OVER_LEVER_RISK, overLever, randomTape } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

/** Records by time, then id (the bus keeps each key's order, not the order across keys). */
function inOrder<T extends { ts: number; id: string }>(records: T[]): T[] {
  return [...records].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A started StrategyEngine over `symbols` that orders 1 AAA at each of AAA's bars (1 s), waiting up to a minute for a slow symbol. */
async function orderingAaaBars(bus: Bus, symbols: string[]): Promise<StrategyEngine> {
  const engine = new StrategyEngine(bus, {
    strategies: defineStrategy({
      name: 'every-bar',
      symbols,
      bars: { by: 'time', threshold: 1000 },
      onBar(ctx, bar) {
        if (bar.symbol === 'AAA') ctx.order('AAA', 1);
      },
    }),
    maxLatenessMs: 60_000,
    heartbeatMs: 0,
  }).start();
  await engine.ready();
  return engine;
}

/** `n` turns of the event loop (the bus's flushes and deliveries of what was published before). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

function collect(bus: Bus, type: string): BusMessage[] {
  const got: BusMessage[] = [];
  bus.subscribe(type, (m) => void got.push(m));
  return got;
}

/** Publishes the tape as frames (returns how many began before the newest trade published before them) of 1 to 9 trades of one symbol: each symbol in order, the symbols' frames interleaved out of time order. */
async function publishTape(bus: Bus, tape: Tape): Promise<number> {
  let behind = 0;
  let newest = Number.NEGATIVE_INFINITY;
  const { codes, values } = tape.symbols!;
  const rows = values.map((_, k) => Array.from({ length: codes.length }, (_, i) => i).filter((i) => codes[i] === k));
  const next = values.map(() => 0);
  let turn = 0;
  while (next.some((at, k) => at < rows[k].length)) {
    // symbol k sends its next frame; the later symbols run ahead by up to a few frames
    const k = (turn * 7 + (turn >> 3)) % values.length;
    turn++;
    const mine = rows[k];
    if (next[k] >= mine.length) continue;
    const part = mine.slice(next[k], next[k] + 1 + (turn % 9));
    next[k] += part.length;
    if (tape.ts[part[0]] < newest) behind++;
    newest = Math.max(newest, tape.ts[part[part.length - 1]]);
    await bus.publish('TRADE_EXECUTION', {
      key: values[k],
      ts: Float64Array.from(part, (i) => tape.ts[i]),
      price: Float64Array.from(part, (i) => tape.price[i]),
      volume: Float64Array.from(part, (i) => tape.volume[i]),
    });
    if (turn % 50 === 0) await nextTurn();
  }
  return behind;
}

describe('StrategyEngine', () => {
  it('publishes the file backtest fills, orders and positions on the logic bus', async () => {
    const tape = randomTape(8_000, ['AAA', 'BBB', 'CCC'], 3_000, 21);
    const strategy = maCross(5, 20, 60_000, 'engine-cross', ['AAA', 'BBB', 'CCC']);
    const options = { fees: 0.001, slippage: 0.0005, initCash: 10_000, latencyMs: 1_500 };
    const file = backtestStrategy(tape, strategy, options);
    expect(file.fills.length).toBeGreaterThan(20);

    const bus = createBus({ maxBatch: 16 });
    const signals = collect(bus, 'STRATEGY_SIGNAL');
    const fills = collect(bus, 'ORDER_FILL');
    const positions = collect(bus, 'POSITION_UPDATE');
    const engine = new StrategyEngine(bus, {
      strategies: strategy,
      ...options,
      maxLatenessMs: 60_000,
      heartbeatMs: 0,
    }).start();
    await engine.ready();
    // most frames start before the newest trade published: the merge puts them back in order
    expect(await publishTape(bus, tape)).toBeGreaterThan(1000);
    await engine.close();
    await bus.drain();
    // the strategy names its symbols: the merge waits for all three from the start, holding nothing
    // more; the bus batches messages per key, so the symbols' messages may interleave otherwise
    expect(inOrder(fills.map((m) => m.payload as StrategyFill))).toEqual(inOrder(file.fills));
    expect(inOrder(signals.map((m) => m.payload as StrategyFill))).toEqual(inOrder(file.orders as never));
    for (const s of ['AAA', 'BBB', 'CCC']) {
      expect(fills.map((m) => m.payload as StrategyFill).filter((f) => f.symbol === s)).toEqual(file.fills.filter((f) => f.symbol === s));
    }
    expect(positions).toHaveLength(file.fills.length);
    expect(new Set([...signals, ...fills, ...positions].map((m) => m.bus))).toEqual(new Set(['logic']));
    expect(fills.every((m) => m.key === (m.payload as { symbol: string }).symbol)).toBe(true);
    const runner = engine.strategies()[0];
    expect(runner.account.equity()).toBe(file.equity);
    expect(engine.metrics().extra).toMatchObject({ fills: file.fills.length, late: 0, held: 0, strategyErrors: 0 });
    await bus.close();
  });

  it('refuses the orders the file backtest refuses (ORDER_REJECTED, the same payloads), margin from an accounts file', async () => {
    const tape = randomTape(3_000, ['AAA', 'BBB', 'CCC'], 3_000, 21);
    const strategy = overLever('lever', ['AAA', 'BBB', 'CCC']);
    const { margin, ...options } = OVER_LEVER_RISK;
    const file = backtestStrategy(tape, strategy, OVER_LEVER_RISK);
    const reasons = new Set(file.rejections.map((r) => r.reason));
    expect([...reasons].sort()).toEqual(['margin', 'reducing']);
    const accounts = parseAccounts(
      JSON.stringify({ margin, accounts: [{ name: 'a', strategies: ['lever'], cash: 10_000 }] }),
      'accounts.json',
    );

    const bus = createBus({ maxBatch: 16 });
    const rejected = collect(bus, 'ORDER_REJECTED');
    const fills = collect(bus, 'ORDER_FILL');
    const engine = new StrategyEngine(bus, { strategies: strategy, ...options, accounts, maxLatenessMs: 60_000, heartbeatMs: 0 }).start();
    await engine.ready();
    await publishTape(bus, tape);
    await engine.close();
    await bus.drain();
    expect(inOrder(rejected.map((m) => m.payload as OrderRejection))).toEqual(inOrder(file.rejections));
    expect(inOrder(fills.map((m) => m.payload as StrategyFill))).toEqual(inOrder(file.fills));
    expect(new Set(rejected.map((m) => m.bus))).toEqual(new Set(['logic']));
    expect(engine.metrics().extra).toMatchObject({ rejected: file.rejections.length, marginCalls: file.metrics.marginCalls });
    await bus.close();
  });

  it('runs several strategies, each its own account and ids, as their file backtests', async () => {
    const tape = randomTape(3_000, ['AAA', 'BBB'], 3_000, 5);
    const symbols = ['AAA', 'BBB'];
    const fast = maCross(3, 8, 60_000, 'fast', symbols);
    const slow = maCross(5, 20, 60_000, 'slow', symbols);
    const files = [fast, slow].map((s) => backtestStrategy(tape, s, { initCash: 500 }));
    expect(files.every((f) => f.fills.length > 5)).toBe(true);
    const bus = createBus({ maxBatch: 16 });
    const fills = collect(bus, 'ORDER_FILL');
    const engine = new StrategyEngine(bus, { strategies: [fast, slow], initCash: 500, maxLatenessMs: 60_000, heartbeatMs: 0 }).start();
    await engine.ready();
    await publishTape(bus, tape);
    await engine.close();
    await bus.drain();
    const of = (name: string) => fills.map((m) => m.payload as StrategyFill).filter((f) => f.strategy === name);
    expect(inOrder(of('fast'))).toEqual(inOrder(files[0].fills));
    expect(inOrder(of('slow'))).toEqual(inOrder(files[1].fills));
    expect(engine.strategies().map((r) => r.account.equity())).toEqual(files.map((f) => f.equity));
    expect(() => new StrategyEngine(bus, { strategies: [fast, fast] })).toThrow(
      /options.strategies: expected strategies of distinct names/,
    );
    await bus.close();
  });

  it.each(['skip', 'fail'] as const)('gives ctx.latest() the observed messages; a bad trade is %s', async (policy) => {
    const bus = createBus();
    const seen: unknown[] = [];
    const engine = new StrategyEngine(bus, {
      strategies: defineStrategy({
        name: 'watch',
        bars: { by: 'tick', threshold: 2 },
        onBar(ctx, bar) {
          seen.push(ctx.latest('VPIN_CALCULATION', bar.symbol), ctx.latest('ML_PREDICTION', bar.symbol));
        },
      }),
      maxLatenessMs: 0,
      heartbeatMs: 0,
      badTrades: policy,
    }).start();
    await engine.ready();
    await bus.publish('VPIN_CALCULATION', { key: 'A', payload: { vpin: 0.4 } });
    // a model the ML engine serves (src/engines/ml.ts): its ML_PREDICTION observed by default
    const prediction = { symbol: 'A', ts: 0, bar: 0, model: 'm', version: 'abc', values: [0.7] };
    await bus.publish('ML_PREDICTION', { key: 'A', payload: prediction });
    await bus.drain();
    const process = (engine as unknown as { process(m: Partial<BusMessage>): void }).process.bind(engine);
    let sentAt = 0;
    const batch = (ts: number[], price: number[]) => ({
      type: 'TRADE_EXECUTION',
      key: 'A',
      id: '7-0',
      ts: ts[ts.length - 1],
      count: ts.length,
      sentAt: ++sentAt,
      payload: { ts: Float64Array.from(ts), price: Float64Array.from(price), volume: new Float64Array(ts.length).fill(1) },
    });
    process(batch([1, 2], [10, 11]));
    expect(seen).toEqual([{ vpin: 0.4 }, prediction]);
    if (policy === 'fail') {
      expect(() => process(batch([3, 4], [10, -1]))).toThrow(new KernelInputError('A trade 1 of 7-0', 'a finite price > 0', '-1'));
      expect(() => process(batch([1], [10]))).toThrow(
        "A trade 0 of 7-0: expected a time at or after the symbol's previous trade (2), got 1",
      );
      // nothing of the refused batches was taken: the next bar is made of the next good trades
      process(batch([5, 6], [12, 13]));
      expect(seen).toHaveLength(4);
      expect(engine.strategies()[0].metrics.trades).toBe(4);
    } else {
      // the bad trades left out and counted, the others taken: bars (1 2) (3 5), 6 in the open bar
      process(batch([3, 4], [10, -1]));
      process(batch([1], [10]));
      process(batch([5, 6], [12, 13]));
      expect(seen).toHaveLength(4);
      expect(engine.strategies()[0].metrics.trades).toBe(5);
      expect(engine.metrics().badTrades).toEqual({ ts: 0, order: 1, price: 1, volume: 0 });
    }
    await engine.close();
    await bus.close();
  });

  it("with the publisher's watermarks, a bar's order goes out while another symbol of the stream stays quiet", async () => {
    /** The orders placed by the time AAA's bar has closed and a few turns passed, with and without watermarks. */
    const ordersBeforeQuietTrades = async (watermarks: boolean) => {
      const bus = createBus({ watermarks });
      const signals = collect(bus, 'STRATEGY_SIGNAL');
      const engine = await orderingAaaBars(bus, ['AAA', 'QQQ']);
      // in time order, as a tape's replay; QQQ trades once at the start, then is quiet
      for (const [key, ts] of [
        ['QQQ', 0],
        ['AAA', 0],
        ['AAA', 500],
        ['AAA', 1000],
        ['AAA', 1200],
      ] as const)
        bus.publishSync('TRADE_EXECUTION', { key, ts, price: 10, volume: 1 });
      await turns();
      const placed = signals.length;
      await engine.close();
      await bus.close();
      return placed;
    };
    // AAA's bar [0, 1000) closes on its trade at 1000: with watermarks the stream is past 1200, so the
    // merge hands that trade out; without, it waits for QQQ's next trade (up to maxLatenessMs)
    expect(await ordersBeforeQuietTrades(true)).toBe(1);
    expect(await ordersBeforeQuietTrades(false)).toBe(0);
  });

  it("with idle streams' watermark-only frames, a bar's order goes out while every symbol of another stream stays quiet", async () => {
    /** AAA (shard 0) trades on; BBB, alone on shard 1, once at the start: the orders placed, and what two plain subscribers saw. */
    const run = async (idleWatermarkMs: number) => {
      const bus = createBus({ watermarks: true, shards: 2, idleWatermarkMs });
      const signals = collect(bus, 'STRATEGY_SIGNAL');
      const plain: number[] = [];
      const marks: number[] = [];
      bus.subscribe('TRADE_EXECUTION', (m) => void plain.push(m.count));
      bus.subscribe('TRADE_EXECUTION', (m) => void (m.count === 0 && marks.push(m.watermark!)), { watermarks: true });
      const engine = await orderingAaaBars(bus, ['AAA', 'BBB']);
      bus.publishSync('TRADE_EXECUTION', { key: 'BBB', ts: 0, price: 10, volume: 1 });
      bus.publishSync('TRADE_EXECUTION', { key: 'AAA', ts: 0, price: 10, volume: 1 });
      await turns();
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ts of [500, 1000, 1200]) bus.publishSync('TRADE_EXECUTION', { key: 'AAA', ts, price: 10, volume: 1 });
      await turns();
      const placed = signals.length;
      await engine.close();
      await bus.close();
      return { placed, plain, marks };
    };
    // AAA's bar [0, 1000) closes on its trade at 1000; BBB's stream had no frame for 20 ms, so the flush
    // of AAA's trades sends it one at 1200 and the merge hands the trade out; without, BBB holds it
    const idle = await run(10);
    expect(idle).toEqual({ placed: 1, plain: [1, 1, 3], marks: [1200] });
    const none = await run(0);
    expect(none).toEqual({ placed: 0, plain: [1, 1, 3], marks: [] });
  });

  it("a flush's trades go out as soon as it is read: a stream's watermark is not held back by the rows the flush sends to another stream", async () => {
    // AAA and CCC on shard 0, BBB on shard 1; CCC trades once at the start, then is quiet
    const bus = createBus({ watermarks: true, shards: 2, idleWatermarkMs: 0 });
    const signals = collect(bus, 'STRATEGY_SIGNAL');
    const marks: [string, number][] = [];
    bus.subscribe('TRADE_EXECUTION', (m) => void marks.push([m.key, m.watermark!]), { watermarks: true });
    const engine = await orderingAaaBars(bus, ['AAA', 'BBB', 'CCC']);
    for (const key of ['CCC', 'BBB', 'AAA']) bus.publishSync('TRADE_EXECUTION', { key, ts: 0, price: 10, volume: 1 });
    await turns();
    // one flush: AAA's frame (500, 1200, 1300) then BBB's (1100); AAA's trade at 1200 closes its bar [0, 1000)
    for (const [key, ts] of [
      ['AAA', 500],
      ['AAA', 1200],
      ['BBB', 1100],
      ['AAA', 1300],
    ] as const)
      bus.publishSync('TRADE_EXECUTION', { key, ts, price: 10, volume: 1 });
    await turns();
    // AAA's frame is stamped 1300, not BBB's 1100 still pending on the other stream: shard 0 is past
    // 1300 although CCC is quiet, and the merge hands out the trade at 1200 at once
    expect(marks.slice(3)).toEqual([
      ['AAA', 1300],
      ['BBB', 1300],
    ]);
    expect(signals).toHaveLength(1);
    await engine.close();
    await bus.close();
  });

  it("a bar's order goes out in the flush of its closing trade: a feed's ticks over 4 shards, 60 symbols", async () => {
    const symbols = Array.from({ length: 60 }, (_, i) => `S${i}`);
    const bus = createBus({ watermarks: true, shards: 4, idleWatermarkMs: 10 });
    let tick = 0;
    const closedAt = new Map<string, number>();
    const waits: number[] = [];
    const engine = new StrategyEngine(bus, {
      strategies: defineStrategy({
        name: 'probe',
        symbols,
        bars: { by: 'time', threshold: 10_000 },
        onBar(_ctx, bar) {
          waits.push(tick - closedAt.get(bar.symbol)!);
        },
      }),
      maxLatenessMs: 60_000,
      heartbeatMs: 0,
    }).start();
    await engine.ready();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const lastBar = new Float64Array(symbols.length).fill(-1);
    let ts = 0;
    // each tick, as the feed's: the trades due, in time order, then the turn's flush (one frame a symbol)
    for (tick = 0; tick < 300; tick++) {
      for (let i = 0; i < 200; i++) {
        ts += 10 * rand();
        const s = Math.floor(rand() * symbols.length);
        const b = Math.floor(ts / 10_000);
        if (lastBar[s] >= 0 && b > lastBar[s]) closedAt.set(symbols[s], tick);
        lastBar[s] = b;
        bus.publishSync('TRADE_EXECUTION', { key: symbols[s], ts, price: 10, volume: 1 });
      }
      await turns(4);
    }
    await engine.close();
    await bus.close();
    // a closing trade that is the flush's newest waits for the next (the watermark is strict): rare;
    // with each stream's watermark held back by the pending rows of the others (the rule before), 785
    // of the 1,740 waited a tick
    expect(waits.length).toBeGreaterThan(500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1);
    expect(waits.filter((w) => w > 0).length).toBeLessThan(waits.length / 100);
  });

  it('reads frames from Redis in place (FrameTrades at odd offsets, of any size) as it reads aligned columns, copying none', async () => {
    const tape = randomTape(3_000, ['AAA', 'BBB'], 2_000, 5);
    const { codes, values } = tape.symbols!;
    // each symbol's trades in batches of 1 to 300 rows, symbols alternating (time order within a symbol)
    const batches: { key: string; rows: number[] }[] = [];
    for (let k = 0; k < values.length; k++) {
      const rows = Array.from({ length: codes.length }, (_, i) => i).filter((i) => codes[i] === k);
      for (let at = 0, size = 1; at < rows.length; at += size, size = (size * 7) % 301 || 1)
        batches.push({ key: values[k], rows: rows.slice(at, at + size) });
    }
    batches.sort((a, b) => tape.ts[a.rows[0]] - tape.ts[b.rows[0]]);
    const run = async (inPlace: boolean) => {
      const bus = createBus();
      const fills = collect(bus, 'ORDER_FILL');
      const engine = new StrategyEngine(bus, {
        strategies: maCross(3, 8, 20_000, 'cross', ['AAA', 'BBB']),
        initCash: 10_000,
        maxLatenessMs: 60_000,
        heartbeatMs: 0,
      }).start();
      await engine.ready();
      const process = (engine as unknown as { process(m: Partial<BusMessage>): void }).process.bind(engine);
      const payloads: unknown[] = [];
      for (const { key, rows } of batches) {
        const columns = {
          ts: Float64Array.from(rows, (i) => tape.ts[i]),
          price: Float64Array.from(rows, (i) => tape.price[i]),
          volume: Float64Array.from(rows, (i) => tape.volume[i]),
        };
        const frame = encodeTradesFrame({ type: 'TRADE_EXECUTION', key, ...columns });
        const odd = new Uint8Array(frame.length + 3);
        odd.set(frame, 3);
        const payload = inPlace ? (decodeFrame(odd.subarray(3)) as TradesFrame).columns : columns;
        payloads.push(payload);
        process({ type: 'TRADE_EXECUTION', key, payload });
      }
      await engine.close();
      await bus.drain();
      await bus.close();
      return { fills: fills.map((m) => m.payload), payloads };
    };
    const aligned = await run(false);
    const inPlace = await run(true);
    expect(aligned.fills.length).toBeGreaterThan(10);
    expect(inPlace.fills).toEqual(aligned.fills);
    expect(inPlace.payloads.every((p) => p instanceof FrameTrades && !p.copied)).toBe(true);
  });

  it('skips a frame applied before (a publish stored twice), refuses one stamped in the future, and keeps both rules across a checkpoint', async () => {
    const bus = createBus();
    const make = () =>
      new StrategyEngine(bus, {
        strategies: defineStrategy({ name: 'ticks', bars: { by: 'tick', threshold: 1 }, onBar: () => {} }),
        maxLatenessMs: 0,
        heartbeatMs: 0,
        badTrades: 'fail',
      });
    type Inside = {
      process(m: Partial<BusMessage>): void;
      snapshotState(): Uint8Array;
      restoreState(bytes: Uint8Array): void;
    };
    const engine = make();
    const inside = engine as unknown as Inside;
    const frame = (ts: number[], sentAt: number) => ({
      type: 'TRADE_EXECUTION',
      key: 'A',
      id: `${sentAt}-0`,
      ts: ts[ts.length - 1],
      count: ts.length,
      sentAt,
      payload: { ts: Float64Array.from(ts), price: new Float64Array(ts.length).fill(10), volume: new Float64Array(ts.length).fill(1) },
    });
    inside.process(frame([1, 2], 100));
    inside.process(frame([3, 4], 101));
    // the same frames again (their trades and publish time): skipped and counted, not refused as going back
    inside.process(frame([1, 2], 100));
    inside.process(frame([3, 4], 101));
    // a frame that goes back but was never applied: the trade rule's (badTrades 'fail' refuses it)
    expect(() => inside.process(frame([3], 101))).toThrow(
      "A trade 0 of 101-0: expected a time at or after the symbol's previous trade (4), got 3",
    );
    const ahead = Date.now() + 86_400_000;
    expect(() => inside.process(frame([ahead], 102))).toThrow(
      /^trades\.ts: expected times at most 5000 ms ahead of the engine's clock \(maxFutureMs\)/,
    );
    expect(engine.strategies()[0].metrics.trades).toBe(4);
    expect(engine.metrics().extra).toMatchObject({ republished: 4, future: 1, symbols: 1 });
    // restored from a checkpoint, the symbol's last frame is known: a publish of it stored twice is skipped
    const restored = make();
    (restored as unknown as Inside).restoreState(inside.snapshotState());
    (restored as unknown as Inside).process(frame([3, 4], 101));
    expect(restored.metrics().extra).toMatchObject({ republished: 2, symbols: 1 });
    expect(restored.strategies()[0].metrics.trades).toBe(4);
    // a checkpoint written before the publish time was kept ([symbol, ts]) restores; that frame then goes back
    const old = unpackStructured(inside.snapshotState()) as { lastTs: unknown[][] };
    old.lastTs = old.lastTs.map(([symbol, ts]) => [symbol, ts]);
    const fromOld = make();
    (fromOld as unknown as Inside).restoreState(packStructured(old));
    expect(() => (fromOld as unknown as Inside).process(frame([3, 4], 101))).toThrow(
      "expected a time at or after the symbol's previous trade (4), got 3",
    );
    (fromOld as unknown as Inside).process(frame([5], 103));
    expect(fromOld.strategies()[0].metrics.trades).toBe(5);
    expect(
      () =>
        new StrategyEngine(createBus(), {
          strategies: defineStrategy({ name: 'x', bars: { by: 'tick', threshold: 1 }, onBar: () => {} }),
          maxFutureMs: -1,
        }),
    ).toThrow('options.maxFutureMs: expected a number of ms >= 0 (Infinity: no guard), got -1');
    await bus.close();
  });
});
