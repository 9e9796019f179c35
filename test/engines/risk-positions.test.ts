/**
 * RiskEngine takes POSITION_UPDATE as a book: each strategy's positions weighted by market value over
 * its equity, measured as a portfolio `strategy:<name>` on the position universe's returns, exactly the
 * kernels' figures; live behind a StrategyEngine on the same bus; checkpointed per symbol.
 */
import { describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import { RiskEngine, type RiskResult, StrategyEngine } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels } from '../../src/index.js';
import type { PositionUpdate } from '../../src/strategy/index.js';
import { ASSETS, collect, expectedFigures, figures, row, seededReturns } from './risk-helpers.js';
import { maCross, randomTape } from '../strategy/helpers.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const direct = kernels({ backend: 'reference' });

async function feed(bus: Bus, block: Float64Array, rows: number, first = 0) {
  for (let i = first; i < first + rows; i++) {
    await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i * DAY, payload: { assets: ASSETS, returns: row(block, i) } });
  }
}

/** A POSITION_UPDATE of `units` held at `avgPrice`, the last price `last`. */
function position(
  strategy: string,
  symbol: string,
  ts: number,
  units: number,
  avgPrice: number,
  last: number,
  equity: number,
): PositionUpdate {
  return {
    strategy,
    symbol,
    ts,
    units,
    avgPrice: units === 0 ? Number.NaN : avgPrice,
    cash: 0,
    equity,
    realizedPnl: 0,
    unrealizedPnl: units === 0 ? 0 : (last - avgPrice) * units,
  };
}

const weightsOf = (w: Record<string, number>) => Float64Array.from(ASSETS, (a) => w[a] ?? 0);

describe('RiskEngine on POSITION_UPDATE', () => {
  it("measures each strategy's book (market value / equity) with the kernels' figures, after each position and each row", async () => {
    const block = seededReturns(40);
    const bus = createBus();
    const engine = new RiskEngine(bus, {
      backend: 'reference',
      window: 30,
      minRows: 5,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: 'stocks',
      heartbeatMs: 0,
    }).start();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    await feed(bus, block, 35);
    await bus.drain();
    // long 100 AAA bought at 50, now 51; short 20 CCC sold at 100, now 102; equity 9,900
    await bus.publish('POSITION_UPDATE', { key: 'AAA', payload: position('ma', 'AAA', 1, 100, 50, 51, 10_000) });
    await bus.publish('POSITION_UPDATE', { key: 'CCC', payload: position('ma', 'CCC', 2, -20, 100, 102, 9_900) });
    await bus.publish('POSITION_UPDATE', { key: 'BBB', payload: position('other', 'BBB', 3, 10, 20, 25, 1_000) });
    await bus.drain();
    const book = weightsOf({ AAA: 5_100 / 9_900, CCC: -2_040 / 9_900 });
    const ma = () => results.filter((m) => m.key === 'strategy:ma');
    expect(ma()).toHaveLength(2);
    expect(figures(ma()[0].payload)).toEqual(expectedFigures(direct, block, 5, 35, weightsOf({ AAA: 5_100 / 10_000 })));
    expect(figures(ma()[1].payload)).toEqual(expectedFigures(direct, block, 5, 35, book));
    expect(ma()[1].payload).toMatchObject({ source: 'risk', universe: 'stocks', rows: 30 });
    expect(ma()[1].payload.historical.var).toBeGreaterThan(0);
    const other = results.filter((m) => m.key === 'strategy:other');
    expect(figures(other[0].payload)).toEqual(expectedFigures(direct, block, 5, 35, weightsOf({ BBB: 0.25 })));
    // a new row: the book measured again on the moved window
    await feed(bus, block, 1, 35);
    await bus.drain();
    expect(figures(ma()[2].payload)).toEqual(expectedFigures(direct, block, 6, 36, book));
    // flat in AAA: only the CCC short is left
    await bus.publish('POSITION_UPDATE', { key: 'AAA', payload: position('ma', 'AAA', 4, 0, 0, 0, 9_950) });
    await bus.drain();
    expect(figures(ma()[3].payload)).toEqual(expectedFigures(direct, block, 6, 36, weightsOf({ CCC: -2_040 / 9_950 })));
    await engine.close();
    await bus.close();
    expect(engine.metrics().extra).toMatchObject({ positions: 4, portfolios: 2 });
  });

  it('follows a StrategyEngine on the same bus: a result per fill, the last one of the final positions', async () => {
    const symbols = ['AAA', 'BBB', 'CCC'];
    const tape = randomTape(3_000, symbols, 3_000, 21);
    const block = seededReturns(30);
    const bus = createBus({ maxBatch: 16 });
    const risk = new RiskEngine(bus, {
      backend: 'reference',
      window: 30,
      minRows: 5,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: 'stocks',
      heartbeatMs: 0,
    }).start();
    const strategyEngine = new StrategyEngine(bus, {
      strategies: maCross(5, 20, 60_000, 'cross', symbols),
      initCash: 10_000,
      maxLatenessMs: 0,
      heartbeatMs: 0,
    }).start();
    const positions = collect<PositionUpdate>(bus, 'POSITION_UPDATE');
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    await feed(bus, block, 30);
    await bus.drain();
    const { codes, values } = tape.symbols!;
    for (let k = 0; k < values.length; k++) {
      const rows = Array.from({ length: codes.length }, (_, i) => i).filter((i) => codes[i] === k);
      const pick = (col: Float64Array) => Float64Array.from(rows, (i) => col[i]);
      await bus.publish('TRADE_EXECUTION', { key: values[k], ts: pick(tape.ts), price: pick(tape.price), volume: pick(tape.volume) });
    }
    await strategyEngine.close();
    await bus.drain();
    await risk.close();
    await bus.close();
    const books = results.filter((m) => m.key === 'strategy:cross');
    expect(positions.length).toBeGreaterThan(10);
    expect(books).toHaveLength(positions.length);
    const last = new Map(positions.map((m) => [m.payload.symbol, m.payload]));
    const equity = positions[positions.length - 1].payload.equity;
    const runner = strategyEngine.strategies()[0];
    const w: Record<string, number> = {};
    for (const [symbol, p] of last) {
      w[symbol] = p.units === 0 ? 0 : (p.units * (p.avgPrice + p.unrealizedPnl / p.units)) / equity;
      expect(p.units).toBe(runner.account.position[runner.symbolIndex(symbol)]);
    }
    expect(figures(books[books.length - 1].payload)).toEqual(expectedFigures(direct, block, 0, 30, weightsOf(w)));
  });

  it('refuses a bad position (KernelInputError naming the field); a book without equity or outside the universe has no figures', async () => {
    const errors: Error[] = [];
    const bus = createBus({ onError: (e) => void errors.push(e as Error) });
    const engine = new RiskEngine(bus, {
      backend: 'reference',
      window: 10,
      minRows: 2,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: 'stocks',
      heartbeatMs: 0,
    }).start();
    await feed(bus, seededReturns(3), 3);
    const bad: [unknown, string][] = [
      ['x', 'payload: expected a POSITION_UPDATE { strategy, symbol, units, avgPrice, equity, ... }, got "x"'],
      [{ ...position('s', 'AAA', 1, 1, 10, 10, 100), strategy: '' }, 'payload.strategy: expected a strategy name, got ""'],
      [{ ...position('s', 'AAA', 1, 1, 10, 10, 100), units: Number.NaN }, 'payload.units: expected a finite number, got NaN'],
      [{ ...position('s', 'AAA', 1, 1, 10, 10, 100), equity: null }, 'payload.equity: expected a finite number, got null'],
    ];
    for (const [payload] of bad) await bus.publish('POSITION_UPDATE', { key: 'AAA', payload });
    await bus.publish('POSITION_UPDATE', { key: 'AAA', payload: position('broke', 'AAA', 1, 1, 10, 10, -5) });
    await bus.publish('POSITION_UPDATE', { key: 'QQQ', payload: position('away', 'QQQ', 1, 1, 10, 10, 100) });
    await bus.drain();
    await engine.close();
    await bus.close();
    for (const [, message] of bad) expect(errors.map((e) => e.message)).toContain(message);
    expect(errors.every((e) => e instanceof KernelInputError)).toBe(true);
    expect(engine.portfolios().get('strategy:broke')).toMatchObject({
      figures: undefined,
      problem: 'its equity is not > 0 (a strategy book: no weights)',
    });
    expect(engine.portfolios().get('strategy:away')).toMatchObject({
      figures: undefined,
      problem: "asset 'QQQ' is not in universe 'stocks'",
    });
    expect(() => new RiskEngine(createBus(), { positionInput: 'RETURNS_UPDATE' })).toThrow(
      'options.positionInput: expected a type other than the returns and portfolio inputs, got "RETURNS_UPDATE"',
    );
    // without positionInput, POSITION_UPDATE is not an input
    expect((new RiskEngine(createBus()) as unknown as { inputs: string[] }).inputs).toEqual(['PORTFOLIO_UPDATE', 'RETURNS_UPDATE']);
    expect(() => new RiskEngine(createBus(), { positionLimit: 0 })).toThrow(
      'options.positionLimit: expected a finite number > 0 (a loss fraction), got 0',
    );
  });

  it('checkpoints the books per symbol: a restored engine has the same book and figures', async () => {
    const block = seededReturns(12);
    const bus = createBus();
    const a = new RiskEngine(bus, {
      backend: 'reference',
      window: 10,
      minRows: 2,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: 'stocks',
      positionLimit: 0.5,
      heartbeatMs: 0,
    }).start();
    await feed(bus, block, 12);
    await bus.drain();
    await bus.publish('POSITION_UPDATE', { key: 'AAA', payload: position('s', 'AAA', 1, 3, 10, 11, 100) });
    await bus.publish('POSITION_UPDATE', { key: 'BBB', payload: position('s', 'BBB', 2, -2, 20, 19, 101) });
    await bus.publish('POSITION_UPDATE', { key: 'BBB', payload: position('t', 'BBB', 2, 1, 20, 21, 50) });
    await a.close();
    type Hooks = { snapshotKey(key: string, type: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array, type: string): void };
    const hooks = (e: RiskEngine) => e as unknown as Hooks;
    const b = new RiskEngine(bus, {
      backend: 'reference',
      window: 10,
      minRows: 2,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: 'stocks',
      positionLimit: 0.5,
      heartbeatMs: 0,
    });
    hooks(b).restoreKey('stocks', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'RETURNS_UPDATE');
    for (const symbol of ['AAA', 'BBB']) hooks(b).restoreKey(symbol, hooks(a).snapshotKey(symbol, 'POSITION_UPDATE'), 'POSITION_UPDATE');
    for (const id of ['strategy:s', 'strategy:t']) {
      const before = a.portfolios().get(id)!;
      const after = b.portfolios().get(id)!;
      expect(after.weights).toEqual(before.weights);
      expect(after.limit).toBe(0.5);
      expect(figures(after.figures!)).toEqual(figures(before.figures!));
    }
    expect(() => hooks(b).restoreKey('AAA', new Uint8Array(16), 'POSITION_UPDATE')).toThrow(
      /^bytes: expected a RiskEngine position book state \(version 1\), got/,
    );
    await bus.close();
  });
});
