/**
 * StrategyEngine's incremental checkpoints over Redis (issue 69), read through the checkpoint store:
 * after trades of a few of many symbols, the checkpoint holds only those symbols' key records and a
 * delta of the state that names only them, a small part of the whole; an engine stopped as if killed
 * after a whole checkpoint and several deltas is resumed from them (plus the replay of what was
 * acknowledged since) with the uninterrupted run's fills, positions and days exactly; and the deltas
 * are compacted into a whole record once they add up to its size, the stored deltas dropped with it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import type { StreamWrite } from '../../src/bus/transports/types.js';
import { STATE_KEY } from '../../src/engines/checkpointing.js';
import { StrategyEngine } from '../../src/engines/index.js';
import { decodeState, type Delta } from '../../src/engines/strategy-state.js';
import type { RunnerDelta } from '../../src/strategy/runner-delta.js';
import { StrategyRunner } from '../../src/strategy/runner.js';
import { backtestStrategy, defineStrategy, type Strategy, type StrategyFill, type Tape } from '../../src/strategy/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { maCross, randomTape } from '../strategy/helpers.js';
import { redisBus, storedMessages } from './helpers.js';

const OPTIONS = { fees: 0.001, slippage: 0.0005, initCash: 100_000, latencyMs: 1_500, participation: 0.2 };
const TRADES = 'marketdata:TRADE_EXECUTION:0';
const symbolsOf = (n: number) => Array.from({ length: n }, (_, i) => `S${String(i).padStart(2, '0')}`);

/** Rows [from, to) of the tape as one batch per symbol (of `only` when given). */
async function publish(bus: Bus, tape: Tape, from: number, to: number, only?: readonly string[]): Promise<number> {
  const { codes, values } = tape.symbols!;
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    if (only && !only.includes(values[k])) continue;
    const rows = [];
    for (let i = from; i < to; i++) if (codes[i] === k) rows.push(i);
    n += rows.length;
    await bus.publish('TRADE_EXECUTION', {
      key: values[k],
      ts: Float64Array.from(rows, (i) => tape.ts[i]),
      price: Float64Array.from(rows, (i) => tape.price[i]),
      volume: Float64Array.from(rows, (i) => tape.volume[i]),
    });
  }
  return n;
}

/** Every writeMany() of the bus's checkpoint stores, recorded as they go through (set up before the engine starts). */
function spyWrites(bus: Bus): StreamWrite[][] {
  const writes: StreamWrite[][] = [];
  for (const name of bus.buses) {
    const transport = bus.transport(name) as RedisTransport;
    const open = transport.checkpointStore.bind(transport);
    transport.checkpointStore = (group: string) => {
      const store = open(group);
      const write = store.writeMany!.bind(store);
      store.writeMany = (w) => {
        writes.push(w.map((x) => ({ ...x, records: [...x.records] })));
        return write(w);
      };
      return store;
    };
  }
  return writes;
}

function engine(bus: Bus, symbols: string[], name = 'delta-e2e'): StrategyEngine {
  return new StrategyEngine(bus, {
    strategies: maCross(5, 20, 60_000, name, symbols),
    ...OPTIONS,
    maxLatenessMs: 300,
    heartbeatMs: 0,
    checkpointMs: 60_000,
  });
}

/** The STATE_KEY record of the last writeMany(). */
function stateRecord(writes: StreamWrite[][]) {
  const records = writes[writes.length - 1].flatMap((w) => w.records.map((r) => ({ ...r, stream: w.stream })));
  return records.find((r) => r.key === STATE_KEY)!;
}

describeRedis('StrategyEngine incremental checkpoints over Redis', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(() => closeAll());
  afterAll(() => tearDown(server));

  it('after trades of 3 of 30 symbols, the checkpoint writes only their key records and a delta naming only them', async () => {
    await client(url).flushall();
    const symbols = symbolsOf(30);
    const tape = randomTape(400, symbols, 3_000, 21);
    const half = tape.ts.length / 2;
    const bus = await redisBus(url);
    const writes = spyWrites(bus);
    const a = engine(bus, symbols).start();
    await a.ready(30_000);
    await publish(bus, tape, 0, half);
    await until(() => a.metrics().processed === half && a.metrics().extra.held === 0, 'A at half', 30_000);
    await a.checkpoint();
    const whole = stateRecord(writes);
    expect(whole.delta).toBeUndefined();
    expect(writes[writes.length - 1].flatMap((w) => w.records.map((r) => r.key)).filter((k) => k !== STATE_KEY)).toHaveLength(30);

    const few = ['S04', 'S11', 'S27'];
    const sent = await publish(bus, tape, half, tape.ts.length, few);
    const barsBefore = a.strategies()[0].metrics.bars;
    await until(() => a.metrics().processed === half + sent && a.metrics().extra.held === 0, 'A at the few', 30_000);
    expect(a.strategies()[0].metrics.bars - barsBefore).toBeGreaterThan(20); // N bars of the few
    const before = writes.length;
    await a.checkpoint();
    expect(writes.length).toBe(before + 1); // one MULTI: the trades' store only (nothing observed changed)
    const last = writes[writes.length - 1];
    expect(last.map((w) => w.stream)).toEqual([TRADES]);
    const keys = last[0].records.map((r) => r.key);
    expect(keys.filter((k) => k !== STATE_KEY).sort()).toEqual(few);
    const state = stateRecord(writes);
    expect(state.delta).toBe(1);
    // the delta's parts name the few only (written in parts: StrategyState.capture())
    expect(new TextDecoder().decode(state.bytes.subarray(8, 12))).toBe('KBEC');
    const parts = decodeState(state.bytes.subarray(8), 'delta', 1) as Delta;
    expect(parts.kind).toBe('delta');
    expect(parts.lastTs.map(([s]) => s).sort()).toEqual(few);
    for (const q of parts.merge) expect(few).toContain(q.symbol);
    const run = parts.runners[0] as RunnerDelta;
    const names = a.strategies()[0].symbols;
    expect(run.bars.map(([k]) => names[k]).sort()).toEqual(few);
    expect(run.account.at.map((k) => names[k]).sort()).toEqual(few);
    expect(run.symbols).toEqual([]);
    // bytes written: the delta is a small part of the whole state
    expect(state.bytes.byteLength).toBeLessThan(whole.bytes.byteLength / 10);
    const stored = await client(url).hgetallBuffer(keysOf().checkpointDeltas('strategy', TRADES));
    expect(Object.keys(stored)).toEqual([`${STATE_KEY}\u00001`]);
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 1, deltaRecords: 1, checkpointErrors: 0 });
    // counted: the stored records' bytes (the whole state, its delta, the key records), each checkpoint's time
    const bytes = writes.flat().reduce((n, w) => n + w.records.reduce((m, r) => m + r.bytes.byteLength, 0), 0);
    expect(bytes).toBeGreaterThan(whole.bytes.byteLength);
    expect(a.metrics().extra).toMatchObject({ checkpoints: writes.length, checkpointBytes: bytes });
    expect(a.metrics().extra.checkpointMs).toBeGreaterThan(0);
    await a.stop();
    await bus.close();
  });

  it('resumes from a whole record and its deltas, plus the replay: the uninterrupted run`s fills, positions and days', async () => {
    await client(url).flushall();
    const symbols = symbolsOf(12);
    const tape = randomTape(1_200, symbols, 3_000, 8);
    const n = tape.ts.length;
    const cuts = [0, 2_400, 4_800, 6_000, 8_400, 10_800, 12_000];
    const strategy = maCross(5, 20, 60_000, 'delta-e2e', symbols);
    const file = backtestStrategy(tape, strategy, OPTIONS);
    const uncut = new StrategyRunner(maCross(5, 20, 60_000, 'delta-e2e', symbols), OPTIONS);
    for (let i = 0; i < n; i++) uncut.trade(uncut.symbolIndex(symbols[tape.symbols!.codes[i]]), tape.ts[i], tape.price[i], tape.volume[i]);
    uncut.stop();

    const bus1 = await redisBus(url);
    const a = engine(bus1, symbols).start();
    await a.ready(30_000);
    for (let c = 1; c < cuts.length - 1; c++) {
      await publish(bus1, tape, cuts[c - 1], cuts[c]);
      await until(() => a.metrics().processed === cuts[c] && a.metrics().extra.held === 0, `A at ${cuts[c]}`, 30_000);
      await a.checkpoint(); // whole, then deltas
    }
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 1, deltaRecords: 4, checkpointErrors: 0 });
    expect(await client(url).hlen(keysOf().checkpointDeltas('strategy', TRADES))).toBe(4);
    // acknowledged, not checkpointed: the next engine replays these
    await publish(bus1, tape, cuts[5], cuts[6]);
    await until(() => a.metrics().processed === cuts[6], 'A at the last cut', 30_000);
    a.checkpoint = () => Promise.resolve(); // stops as if killed
    await a.stop();
    await bus1.close();

    const bus2 = await redisBus(url);
    const b = engine(bus2, symbols).start();
    await b.ready(30_000);
    expect(b.metrics().extra.restoredKeys).toBe(12);
    expect(b.metrics().extra.replayed).toBe(cuts[6] - cuts[5]);
    await publish(bus2, tape, cuts[6], n);
    await until(() => b.metrics().processed === n - cuts[6], 'B at the end', 30_000);
    await b.close();
    await bus2.close();
    const fills = new Map<string, StrategyFill>();
    for (const m of await storedMessages<StrategyFill>(client(url), 'ORDER_FILL', 1, 'logic')) {
      if (fills.has(m.payload.id)) expect(m.payload, m.payload.id).toEqual(fills.get(m.payload.id));
      fills.set(m.payload.id, m.payload);
    }
    const order = (x: StrategyFill, y: StrategyFill) => x.ts - y.ts || (x.id < y.id ? -1 : 1);
    expect(file.fills.length).toBeGreaterThan(20);
    expect([...fills.values()].sort(order)).toEqual([...file.fills].sort(order));
    const run = b.strategies()[0];
    expect(run.symbols).toEqual(uncut.symbols);
    expect(run.account.values()).toEqual(uncut.account.values());
    expect(run.daily).toEqual(uncut.daily);
    expect(run.ctx.state).toEqual(uncut.ctx.state);
    expect(b.metrics().extra).toMatchObject({ late: 0, strategyErrors: 0 });
  });

  it('compacts: once the deltas add up to the whole record, the whole state is written again and the deltas dropped', async () => {
    await client(url).flushall();
    const symbols = symbolsOf(4);
    const tape = randomTape(2_000, symbols, 3_000, 3);
    const redis = client(url);
    const deltasKey = keysOf().checkpointDeltas('strategy', TRADES);
    const bus1 = await redisBus(url);
    const writes = spyWrites(bus1);
    const a = engine(bus1, symbols).start();
    await a.ready(30_000);
    let at = 0;
    let chain = 0; // bytes of the deltas since the whole record
    let base = 0;
    let compacted = false;
    for (let round = 0; round < 400 && !compacted; round++) {
      await publish(bus1, tape, at, at + 8);
      at += 8;
      await until(() => a.metrics().processed === at, `A at ${at}`, 30_000);
      await a.checkpoint();
      const record = stateRecord(writes);
      if (record.delta === undefined) {
        if (round > 0) {
          // compaction: the deltas reached the whole record's size, and are dropped with it
          expect(chain).toBeGreaterThanOrEqual(base);
          expect(record.drop).toBe(a.metrics().extra.deltaRecords);
          expect(await redis.hlen(deltasKey)).toBe(0);
          compacted = true;
        }
        base = record.bytes.byteLength;
        chain = 0;
      } else {
        expect(chain).toBeLessThan(base);
        chain += record.bytes.byteLength;
        expect(await redis.hlen(deltasKey)).toBe(record.delta);
      }
    }
    expect(compacted).toBe(true);
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 2, checkpointErrors: 0 });
    expect(a.metrics().extra.deltaRecords).toBeGreaterThan(3);
    // one delta on the new record, then a kill: the next engine restores record + delta, nothing to replay
    await publish(bus1, tape, at, at + 8);
    await until(() => a.metrics().processed === at + 8, 'A past the compaction', 30_000);
    await a.checkpoint();
    expect(stateRecord(writes).delta).toBe(1);
    const expected = a.strategies()[0];
    const want = { account: expected.account.values(), daily: structuredClone(expected.daily), state: structuredClone(expected.ctx.state) };
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();
    const bus2 = await redisBus(url);
    const b = engine(bus2, symbols).start();
    await b.ready(30_000);
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 4, replayed: 0 });
    const run = b.strategies()[0];
    expect({ account: run.account.values(), daily: run.daily, state: run.ctx.state }).toEqual(want);
    await b.stop();
    await bus2.close();
  });

  it('a checkpoint whose state cannot be taken fails whole: the next record is whole, and a restart restores the run as it was', async () => {
    await client(url).flushall();
    const symbols = symbolsOf(12);
    const tape = randomTape(1_200, symbols, 3_000, 9);
    const n = tape.ts.length;
    // a second strategy whose ctx.state holds a Symbol (msgpackr packs none) while `poisoned`
    let poisoned = false;
    const base = maCross(5, 20, 60_000, 'poison', symbols);
    const poison = defineStrategy<Record<string, unknown>>({
      name: 'poison',
      symbols,
      bars: base.bars,
      onBar(ctx) {
        if (poisoned) ctx.state.bad = Symbol('not packable');
        else delete ctx.state.bad;
      },
    }) as Strategy<object>;
    const make = (bus: Bus) =>
      new StrategyEngine(bus, {
        strategies: [maCross(5, 20, 60_000, 'delta-e2e', symbols), poison],
        ...OPTIONS,
        maxLatenessMs: 300,
        heartbeatMs: 0,
        checkpointMs: 60_000,
      });
    const bus1 = await redisBus(url);
    const a = make(bus1).start();
    await a.ready(30_000);
    const third = Math.floor(n / 3);
    await publish(bus1, tape, 0, third);
    await until(() => a.metrics().processed === third && a.metrics().extra.held === 0, 'A at a third', 30_000);
    await a.checkpoint(); // whole
    // every symbol trades while the second strategy's state cannot be packed: the checkpoint fails
    poisoned = true;
    await publish(bus1, tape, third, 2 * third);
    await until(() => a.metrics().processed === 2 * third && a.metrics().extra.held === 0, 'A at two thirds', 30_000);
    await expect(a.checkpoint()).rejects.toThrow();
    // then a few symbols only: a delta now would miss what the others did in the failed round
    poisoned = false;
    const few = symbols.slice(0, 3);
    const sent = await publish(bus1, tape, 2 * third, n, few);
    await until(() => a.metrics().processed === 2 * third + sent && a.metrics().extra.held === 0, 'A at the few', 30_000);
    await a.checkpoint();
    expect(a.metrics().extra).toMatchObject({ wholeRecords: 2, deltaRecords: 0 });
    const expected = a.strategies()[0];
    const want = { account: expected.account.values(), daily: structuredClone(expected.daily) };
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();
    const bus2 = await redisBus(url);
    const b = make(bus2).start();
    await b.ready(30_000);
    expect(b.metrics().extra).toMatchObject({ replayed: 0 });
    const run = b.strategies()[0];
    expect({ account: run.account.values(), daily: run.daily }).toEqual(want);
    await b.stop();
    await bus2.close();
  });
});
