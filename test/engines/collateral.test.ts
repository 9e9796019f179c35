/**
 * CollateralEngine on the in-process bus: MARGIN_UPDATE after each fill with the figures of a
 * hand-computed account, MARGIN_CALL once per breach and when it clears, fills published twice counted
 * once, a fill of an unknown strategy dead-lettered with its reason, and an account fed a strategy's
 * backtest (its fills and the tape) holding the backtest's cash and open P&L.
 */
import { describe, expect, it } from 'vitest';
import { type BusMessage, createBus } from '../../src/bus/index.js';
import { CollateralEngine, type MarginCall, type MarginUpdate } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { backtestStrategy, parseAccounts, type StrategyFill } from '../../src/strategy/index.js';
import { OVER_LEVER_RISK, overLever, randomTape, T0 } from '../strategy/helpers.js';

const accounts = (margin: object, cash = 1000) =>
  parseAccounts(JSON.stringify({ accounts: [{ name: 'acct', strategies: ['s', 'lever'], cash, margin }] }), 'accounts.json');

function collect<P>(bus: ReturnType<typeof createBus>, type: string): P[] {
  const got: P[] = [];
  bus.subscribe(type, (m: BusMessage) => void got.push(m.payload as P));
  return got;
}

const fill = (id: string, ts: number, units: number, price: number, fees = 0, strategy = 's'): StrategyFill => ({
  id,
  orderId: id.split('#')[0],
  strategy,
  symbol: 'A',
  ts,
  units,
  price,
  fees,
});
const trade = (ts: number, price: number) => ({
  key: 'A',
  ts: Float64Array.of(ts),
  price: Float64Array.of(price),
  volume: Float64Array.of(1),
});

describe('CollateralEngine', () => {
  it('margins an account after each fill and as its symbols trade; a call opens once and clears', async () => {
    const bus = createBus();
    const updates = collect<MarginUpdate>(bus, 'MARGIN_UPDATE');
    const calls = collect<MarginCall>(bus, 'MARGIN_CALL');
    const engine = new CollateralEngine(bus, {
      accounts: accounts({ fallbackRate: 0.5, haircuts: 0.1 }),
      markMs: 0,
      heartbeatMs: 0,
    }).start();
    await engine.ready();
    await bus.publish('TRADE_EXECUTION', trade(T0, 10));
    await bus.drain();
    // short 10 at 10, fees 1: cash 1099; exposure -100: margin 50, equity 999, collateral 989
    await bus.publish('ORDER_FILL', { key: 'A', payload: fill('s:A:0:0#0', T0 + 1, -10, 10, 1) });
    await bus.drain();
    expect(updates).toEqual([{ account: 'acct', ts: T0 + 1, initialMargin: 50, variationMargin: 0, collateral: 989, excess: 939 }]);
    // the price rises to 200: exposure -2,000, margin 1,000, equity -901, collateral -1,101: a call
    for (const [ts, price] of [
      [T0 + 2, 200],
      [T0 + 3, 210],
      [T0 + 4, 9],
    ]) {
      await bus.publish('TRADE_EXECUTION', trade(ts, price));
      await bus.drain();
    }
    expect(calls).toEqual([
      { account: 'acct', ts: T0 + 2, initialMargin: 1000, collateral: -1101, excess: -2101, status: 'open' },
      { account: 'acct', ts: T0 + 4, initialMargin: 45, collateral: 1000, excess: 955, status: 'cleared' },
    ]);
    // trades do not publish MARGIN_UPDATE: a book's change (a fill) and a boundary do
    expect(updates).toHaveLength(1);
    // buying back 4 at 9: variation margin (9 - 10) x -6
    await bus.publish('ORDER_FILL', { key: 'A', payload: fill('s:A:5:0#0', T0 + 5, 4, 9) });
    await bus.drain();
    expect(updates[1]).toMatchObject({ initialMargin: 27, variationMargin: 6 });
    expect(updates[1].collateral).toBeCloseTo(1063 - 54 - 5.4, 9);
    expect(engine.metrics().extra).toMatchObject({ accounts: 1, marginUpdates: 2, marginCalls: 1, openCalls: 0 });
    await engine.close();
    await bus.close();
  });

  it('counts a fill published again once, and dead-letters a fill of a strategy no account has', async () => {
    const errors: Error[] = [];
    const bus = createBus({ onError: (e) => void errors.push(e as Error) });
    const dead: BusMessage[] = [];
    bus.subscribe('ORDER_FILL', (m) => void dead.push(m), { deadLetters: true, group: 'ops' });
    const updates = collect<MarginUpdate>(bus, 'MARGIN_UPDATE');
    const engine = new CollateralEngine(bus, { accounts: accounts({ fallbackRate: 0.5 }), heartbeatMs: 0 }).start();
    await engine.ready();
    const fills = [fill('s:A:0:0#0', T0, 5, 10), fill('s:A:0:1#0', T0, 5, 10), fill('s:A:1:0#0', T0 + 1000, -3, 12)];
    for (const f of [...fills, fills[0], fills[1], fills[2], fill('x:A:0:0#0', T0, 1, 10, 0, 'x')]) {
      await bus.publish('ORDER_FILL', { key: 'A', payload: f });
    }
    await bus.drain();
    expect(updates).toHaveLength(3);
    expect(engine.figures()).toMatchObject([{ account: 'acct', cash: 1000 - 100 + 36, call: false }]);
    expect(engine.metrics().extra).toMatchObject({ repeatedFills: 3 });
    expect(dead).toHaveLength(1);
    expect(errors.map((e) => e.message)).toContain('ORDER_FILL.strategy: expected a strategy of an account of the accounts file, got "x"');
    expect(errors.every((e) => e instanceof KernelInputError)).toBe(true);
    await engine.close();
    await bus.close();
  });

  it("fed a strategy's backtest (the tape in order, its fills), holds its cash and open P&L, margined at each boundary", async () => {
    const tape = randomTape(1_500, ['AAA', 'BBB'], 3_000, 5);
    const { margin, ...options } = OVER_LEVER_RISK;
    const run = backtestStrategy(tape, overLever('lever', ['AAA', 'BBB']), OVER_LEVER_RISK);
    expect(run.fills.length).toBeGreaterThan(50);
    const bus = createBus();
    const updates = collect<MarginUpdate>(bus, 'MARGIN_UPDATE');
    const engine = new CollateralEngine(bus, { accounts: accounts(margin, options.initCash), heartbeatMs: 0 }).start();
    await engine.ready();
    // the trades and fills in event order, a fill after the trade it filled at
    const { codes, values } = tape.symbols!;
    let f = 0;
    for (let i = 0; i < tape.ts.length; i++) {
      await bus.publish('TRADE_EXECUTION', {
        key: values[codes[i]],
        ts: tape.ts.subarray(i, i + 1),
        price: tape.price.subarray(i, i + 1),
        volume: tape.volume.subarray(i, i + 1),
      });
      while (f < run.fills.length && run.fills[f].ts <= tape.ts[i])
        await bus.publish('ORDER_FILL', { key: run.fills[f].symbol, payload: run.fills[f++] });
      if (i % 64 === 0) await bus.drain();
    }
    await bus.drain();
    const [now] = engine.figures();
    expect(now.cash).toBeCloseTo(run.cash, 6);
    expect(now.variationMargin).toBeCloseTo(
      run.positions.reduce((sum, p) => sum + p.unrealizedPnl, 0),
      6,
    );
    expect(now.collateral).toBeLessThan(run.equity);
    // an update after each fill, and at each boundary while a position is open
    expect(updates.length).toBeGreaterThan(run.fills.length);
    expect(updates.every((u) => Number.isFinite(u.initialMargin) && u.initialMargin >= 0)).toBe(true);
    await engine.close();
    await bus.close();
  });
});
