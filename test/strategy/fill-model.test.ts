/**
 * The fill model's rules (docs/strategy.md), each on a hand-computed example: trades fed one by one
 * into a StrategyRunner whose strategy places the orders a script gives at given bars.
 */
import { describe, expect, it } from 'vitest';
import { defineStrategy, type RunnerOptions, StrategyRunner, type StrategyBars } from '../../src/strategy/index.js';
import type { PositionUpdate, StrategyContext, StrategyFill, StrategyOrder } from '../../src/strategy/index.js';
import { T0 } from './helpers.js';

type Action = (ctx: StrategyContext) => void;

/** A run of `trades` ([symbol, seconds after T0, price, volume]) with `script[symbol:bar]` called at that bar. */
function run(
  trades: [string, number, number, number][],
  script: Record<string, Action>,
  options: RunnerOptions = {},
  bars: StrategyBars = { by: 'tick', threshold: 2 },
) {
  const strategy = defineStrategy({
    name: 's',
    bars,
    onBar(ctx, bar) {
      script[`${bar.symbol}:${bar.index}`]?.(ctx);
    },
  });
  const orders: StrategyOrder[] = [];
  const fills: StrategyFill[] = [];
  const positions: PositionUpdate[] = [];
  const closes: number[] = [];
  const logs: string[] = [];
  const runner = new StrategyRunner(strategy, options, {
    order: (o) => orders.push(o),
    fill: (f) => fills.push(f),
    position: (p) => positions.push(p),
    bar: (bar) => closes.push(bar.close),
    log: (line) => logs.push(line),
  });
  for (const [symbol, s, price, volume] of trades) runner.trade(runner.symbolIndex(symbol), T0 + s * 1000, price, volume);
  runner.stop();
  return { runner, orders, fills, positions, closes, logs };
}

const at = (s: number) => T0 + s * 1000;

describe('market orders', () => {
  it('placed at a bar close fill at the next trade of the symbol, not the one that closed the bar', () => {
    const { orders, fills, runner } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 11, 1], // closes bar 0 (tick bars of 2): the order is placed here
        ['A', 2, 12, 1], // fills here
        ['A', 3, 13, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 2) },
    );
    expect(orders).toEqual([{ id: 's:A:0:0', strategy: 's', symbol: 'A', ts: at(1), units: 2, type: 'market' }]);
    expect(fills).toEqual([{ id: 's:A:0:0#0', orderId: 's:A:0:0', strategy: 's', symbol: 'A', ts: at(2), units: 2, price: 12, fees: 0 }]);
    // 100 - 2 x 12; equity at the last trade: 76 + 2 x 13
    expect(runner.account.cash).toBe(76);
    expect(runner.account.equity()).toBe(102);
  });

  it('pays slippage in the price and fees on the slipped notional, plus fixed fees', () => {
    const { fills, runner } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 11, 1],
        ['A', 2, 12, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 2) },
      { fees: 0.01, slippage: 0.1, fixedFees: 0.5 },
    );
    // price 12 x 1.1 = 13.2; fees 0.01 x 2 x 13.2 + 0.5 = 0.764; cash 100 - 26.4 - 0.764
    expect(fills[0].price).toBeCloseTo(13.2, 12);
    expect(fills[0].fees).toBeCloseTo(0.764, 12);
    expect(runner.account.cash).toBeCloseTo(72.836, 12);
  });

  it('under time bars: the bar closes on the first trade past its end, the order fills at the trade after', () => {
    const { fills, closes } = run(
      [
        ['A', 0, 10, 1],
        ['A', 30, 11, 1],
        ['A', 61, 12, 1], // past 60 s: closes bar 0 (close 11)
        ['A', 62, 13, 1], // the fill
      ],
      { 'A:0': (ctx) => ctx.order('A', 1) },
      {},
      { by: 'time', threshold: 60_000 },
    );
    expect(closes).toEqual([11]);
    expect(fills.map((f) => [f.ts, f.price])).toEqual([[at(62), 13]]);
  });

  it('with latencyMs fill at the first trade at least that long after the close', () => {
    const { fills } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 11, 1], // close at 1 s: the order reaches the market at 2.5 s
        ['A', 2, 12, 1],
        ['A', 2.5, 12.5, 1],
        ['A', 3, 13, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 1) },
      { latencyMs: 1500 },
    );
    expect(fills.map((f) => [f.ts, f.price])).toEqual([[at(2.5), 12.5]]);
  });

  it('with participation take at most that share of each trade, the rest on later trades', () => {
    const { fills, runner } = run(
      [
        ['A', 0, 1, 1],
        ['A', 1, 1, 1],
        ['A', 2, 1, 4], // 0.5 x 4 = 2
        ['A', 3, 2, 6], // 3
        ['A', 4, 3, 100], // the last 5
        ['A', 5, 3, 100],
      ],
      { 'A:0': (ctx) => ctx.order('A', 10) },
      { participation: 0.5 },
    );
    expect(fills.map((f) => [f.id, f.units, f.price])).toEqual([
      ['s:A:0:0#0', 2, 1],
      ['s:A:0:0#1', 3, 2],
      ['s:A:0:0#2', 5, 3],
    ]);
    expect(runner.account.position[0]).toBe(10);
    expect(runner.account.cash).toBe(100 - 2 - 6 - 15);
  });

  it('a buy larger than the cash buys what it covers (cash exactly 0) and ends there', () => {
    const { fills, runner } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 10, 1],
        ['A', 2, 8, 1],
        ['A', 3, 4, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 100) },
      { fees: 0.25 },
    );
    // (100 / 1.25) / 8 = 10 units, fees 20; nothing more at the next trade
    expect(fills.map((f) => [f.units, f.price, f.fees])).toEqual([[10, 8, 20]]);
    expect(runner.account.cash).toBe(0);
  });

  it('a sell is cut to the long position without allowShort, and goes short with it', () => {
    const trades: [string, number, number, number][] = [
      ['A', 0, 10, 1],
      ['A', 1, 10, 1], // bar 0: buy 2
      ['A', 2, 10, 1], // fill; bar 1 closes at the next trade
      ['A', 3, 10, 1], // bar 1: sell 5
      ['A', 4, 10, 1], // fill
    ];
    const script = { 'A:0': (ctx: StrategyContext) => ctx.order('A', 2), 'A:1': (ctx: StrategyContext) => ctx.order('A', -5) };
    const long = run(trades, script);
    expect(long.fills.map((f) => f.units)).toEqual([2, -2]);
    expect(long.runner.account.position[0]).toBe(0);
    const short = run(trades, script, { allowShort: true });
    expect(short.fills.map((f) => f.units)).toEqual([2, -5]);
    expect(short.runner.account.position[0]).toBe(-3);
    // the short's proceeds are cash: 100 - 20 + 50
    expect(short.runner.account.cash).toBe(130);
    expect(short.runner.account.equity()).toBe(100);
  });
});

describe('limit orders', () => {
  it('a buy fills at its limit when the tape trades at or below it, without slippage', () => {
    const { fills } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 10, 1],
        ['A', 2, 9.5, 1], // above 9
        ['A', 3, 8.9, 1], // through 9: fills at 9
        ['A', 4, 8, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 1, { limit: 9 }) },
      { slippage: 0.01 },
    );
    expect(fills.map((f) => [f.ts, f.units, f.price])).toEqual([[at(3), 1, 9]]);
  });

  it('a sell fills when the tape trades at or above its limit', () => {
    const { fills, orders } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 10, 1], // bar 0: buy 1
        ['A', 2, 10, 1], // fill
        ['A', 3, 11, 1], // bar 1: sell at 12
        ['A', 4, 11.5, 1],
        ['A', 5, 12, 1], // at the limit
      ],
      { 'A:0': (ctx) => ctx.order('A', 1), 'A:1': (ctx) => ctx.order('A', -1, { limit: 12 }) },
    );
    expect(orders[1]).toMatchObject({ id: 's:A:1:0', type: 'limit', limit: 12, units: -1 });
    expect(fills.map((f) => [f.ts, f.units, f.price])).toEqual([
      [at(2), 1, 10],
      [at(5), -1, 12],
    ]);
  });
});

describe('the account and the events', () => {
  it('one cash for every symbol: a second buy is cut to what the first left', () => {
    const { fills, runner } = run(
      [
        ['A', 0, 10, 1],
        ['B', 0, 20, 1],
        ['A', 1, 10, 1], // A bar 0: buy 6 x 10
        ['B', 1, 20, 1], // B bar 0: buy 5 x 20 (100): only 40 left
        ['A', 2, 10, 1],
        ['B', 2, 20, 1],
      ],
      { 'A:0': (ctx) => ctx.order('A', 6), 'B:0': (ctx) => ctx.order('B', 5) },
    );
    expect(fills.map((f) => [f.symbol, f.units, f.price])).toEqual([
      ['A', 6, 10],
      ['B', 2, 20],
    ]);
    expect(runner.account.cash).toBe(0);
    expect(runner.account.equity()).toBe(100);
  });

  it('an order for a declared symbol not traded yet waits for its first trade; targetPercent there is an error', () => {
    const strategy = defineStrategy({
      name: 's',
      symbols: ['A', 'B'],
      bars: { by: 'tick', threshold: 2 },
      onBar(ctx, bar) {
        if (bar.index === 0) ctx.order('B', 1);
        if (bar.index === 1) ctx.targetPercent('B', 0.1);
      },
    });
    const fills: StrategyFill[] = [];
    const logs: string[] = [];
    const runner = new StrategyRunner(strategy, {}, { fill: (f) => fills.push(f), log: (l) => logs.push(l) });
    const a = runner.symbolIndex('A');
    for (const s of [0, 1, 2, 3]) runner.trade(a, at(s), 10, 1); // A's bars 0 (order B) and 1 (targetPercent B: no price)
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('ctx.targetPercent: expected a symbol with a price, got "B" before its first trade');
    runner.trade(runner.symbolIndex('B'), at(4), 20, 1);
    expect(fills.map((f) => [f.id, f.symbol, f.price])).toEqual([['s:A:0:0#0', 'B', 20]]);
  });

  it('ctx.close of a flat position places nothing; of a position, the opposite units', () => {
    const { orders } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 10, 1], // bar 0: close (flat: nothing), buy 3
        ['A', 2, 10, 1],
        ['A', 3, 10, 1], // bar 1: close
        ['A', 4, 10, 1],
      ],
      {
        'A:0': (ctx) => {
          ctx.close('A');
          ctx.order('A', 3);
        },
        'A:1': (ctx) => ctx.close('A'),
      },
    );
    expect(orders.map((o) => [o.id, o.units])).toEqual([
      ['s:A:0:0', 3],
      ['s:A:1:0', -3],
    ]);
  });

  it('targetPercent orders fraction x equity / last price less the position', () => {
    const { orders } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 8, 1], // bar 0 closes at 8: 0.5 x 100 / 8 = 6.25 units
        ['A', 2, 8, 1],
      ],
      { 'A:0': (ctx) => ctx.targetPercent('A', 0.5) },
    );
    expect(orders.map((o) => o.units)).toEqual([6.25]);
  });

  it('the position updates carry avgPrice and realized / unrealized P&L', () => {
    const { positions } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 10, 1], // bar 0: buy 2
        ['A', 2, 10, 1], // fill at 10
        ['A', 3, 12, 1], // bar 1: buy 2 more
        ['A', 4, 14, 1], // fill at 14: avg 12
        ['A', 5, 14, 1], // bar 2: sell 3
        ['A', 6, 15, 1], // fill at 15: realized 3 x (15 - 12) - 1 x 3 fills' fees
      ],
      {
        'A:0': (ctx) => ctx.order('A', 2),
        'A:1': (ctx) => ctx.order('A', 2),
        'A:2': (ctx) => ctx.order('A', -3),
      },
      { fixedFees: 1 },
    );
    expect(positions.map((p) => [p.units, p.avgPrice, p.realizedPnl, p.unrealizedPnl])).toEqual([
      [2, 10, -1, 0],
      [4, 12, -2, 8],
      [1, 12, 9 - 3, 3],
    ]);
    // cash 100 - 21 - 29 + 44 = 94; equity 94 + 15
    expect(positions[2]).toMatchObject({ cash: 94, equity: 109 });
  });

  it('the last bar, still open at the end, is not closed', () => {
    const { closes } = run(
      [
        ['A', 0, 10, 1],
        ['A', 1, 11, 1],
        ['A', 2, 12, 1],
      ],
      {},
    );
    expect(closes).toEqual([11]);
  });

  it('order ids are the strategy, the bar symbol, the bar and the order: the same on every run', () => {
    const trades: [string, number, number, number][] = [
      ['A', 0, 10, 1],
      ['B', 0, 10, 1],
      ['A', 1, 10, 1],
      ['B', 1, 10, 1],
      ['A', 2, 10, 1],
      ['B', 2, 10, 1],
    ];
    const script = {
      'A:0': (ctx: StrategyContext) => {
        ctx.order('A', 1);
        ctx.order('B', 1);
      },
      'B:0': (ctx: StrategyContext) => ctx.order('B', 1),
    };
    const first = run(trades, script);
    const second = run(trades, script);
    expect(first.orders.map((o) => o.id)).toEqual(['s:A:0:0', 's:A:0:1', 's:B:0:0']);
    // B's order placed at A's bar fills at B's next trade (B at 1 s), before A's own (A at 2 s)
    expect(first.fills.map((f) => [f.id, f.ts])).toEqual([
      ['s:A:0:1#0', at(1)],
      ['s:A:0:0#0', at(2)],
      ['s:B:0:0#0', at(2)],
    ]);
    expect(second.orders).toEqual(first.orders);
    expect(second.fills).toEqual(first.fills);
  });
});
