/**
 * Pre-trade checks (src/strategy/pretrade.ts, docs/strategy.md "Pre-trade checks"): each rule on a
 * hand-computed example, the trading states and margin calls, the margin assembled from the returns
 * (held to the margin kernels called directly on the same rows), and a checkpointed run that gives
 * the rejections of the run never cut.
 */
import { describe, expect, it } from 'vitest';
import { installEveryBackend } from '../../src/api/every-backend.js';
import { kernels } from '../../src/api/kernels.js';
import { KernelInputError } from '../../src/errors.js';
import {
  defineStrategy,
  type OrderRejection,
  type RunnerOptions,
  StrategyError,
  StrategyRunner,
  type StrategyContext,
  type StrategyDefinition,
  type StrategyOrder,
} from '../../src/strategy/index.js';
import { resolveMargin } from '../../src/strategy/margin.js';
import { T0 } from './helpers.js';

type Action = (ctx: StrategyContext) => void;

/** A run of `trades` ([symbol, seconds after T0, price]) with `script[symbol:bar]` called at that bar (tick bars of 1). */
function run(
  trades: [string, number, number][],
  script: Record<string, Action>,
  options: RunnerOptions = {},
  extra: Partial<StrategyDefinition> = {},
) {
  const rejected: OrderRejection[] = [];
  const seen: OrderRejection[] = [];
  const strategy = defineStrategy({
    name: 's',
    bars: { by: 'tick', threshold: 1 },
    onBar(ctx, bar) {
      script[`${bar.symbol}:${bar.index}`]?.(ctx);
    },
    onReject(_ctx, r) {
      seen.push(r);
    },
    ...extra,
  });
  const orders: StrategyOrder[] = [];
  const logs: string[] = [];
  const runner = new StrategyRunner(strategy, options, {
    order: (o) => orders.push(o),
    reject: (r) => rejected.push(r),
    log: (line) => logs.push(line),
  });
  for (const [symbol, s, price] of trades) runner.trade(runner.symbolIndex(symbol), T0 + s * 1000, price, 1);
  runner.stop();
  return { runner, orders, rejected, seen, logs };
}

const at = (s: number) => T0 + s * 1000;
const flat = (symbol: string, n: number, price = 10): [string, number, number][] =>
  Array.from({ length: n }, (_, i) => [symbol, i, price] as [string, number, number]);

describe('static limits', () => {
  it('maxOrderNotional refuses an order over it, by units x the last price or the limit; ids keep their numbers', () => {
    const { orders, rejected, seen, runner } = run(
      flat('A', 3),
      {
        'A:0': (ctx) => {
          ctx.order('A', 11); // 110 > 100
          ctx.order('A', 10); // 100: passes
          ctx.order('A', 5, { limit: 21 }); // 105 at its limit
        },
      },
      { initCash: 1000 },
      { limits: { maxOrderNotional: 100 } },
    );
    expect(orders.map((o) => o.id)).toEqual(['s:A:0:1']);
    expect(rejected).toEqual([
      {
        id: 's:A:0:0#rejected',
        orderId: 's:A:0:0',
        strategy: 's',
        symbol: 'A',
        ts: at(0),
        units: 11,
        reason: 'maxOrderNotional',
        message: 'notional 110 > maxOrderNotional 100',
      },
      {
        id: 's:A:0:2#rejected',
        orderId: 's:A:0:2',
        strategy: 's',
        symbol: 'A',
        ts: at(0),
        units: 5,
        limit: 21,
        reason: 'maxOrderNotional',
        message: 'notional 105 > maxOrderNotional 100',
      },
    ]);
    // onReject saw each, and a refused order never fills
    expect(seen).toEqual(rejected);
    expect(runner.account.position[0]).toBe(10);
    expect(runner.metrics.rejected).toBe(2);
  });

  it('maxPositionUnits counts the waiting orders, per symbol with a default; an order that reduces passes', () => {
    const { orders, rejected } = run(
      [...flat('A', 4), ['B', 4, 10]],
      {
        'A:0': (ctx) => {
          ctx.order('A', 3);
          ctx.order('A', 3); // 6 > 5 with the first still waiting
          ctx.order('A', 2); // 5
        },
        'A:2': (ctx) => {
          ctx.order('A', 1); // 6 > 5
          ctx.order('A', -7); // |5 - 7| = 2: reduces
        },
        'B:0': (ctx) => ctx.order('B', 4), // B's limit: the default 3
      },
      { initCash: 1000, allowShort: true },
      { limits: { maxPositionUnits: { A: 5, '*': 3 } } },
    );
    expect(orders.map((o) => `${o.id} ${o.units}`)).toEqual(['s:A:0:0 3', 's:A:0:2 2', 's:A:2:1 -7']);
    expect(rejected.map((r) => `${r.orderId} ${r.reason}: ${r.message}`)).toEqual([
      's:A:0:1 maxPositionUnits: |position| 6 > maxPositionUnits 5 of A',
      's:A:2:0 maxPositionUnits: |position| 6 > maxPositionUnits 5 of A',
      's:B:0:0 maxPositionUnits: |position| 4 > maxPositionUnits 3 of B',
    ]);
  });

  it('maxPositionNotional and maxGrossExposure take the projected positions at the last prices', () => {
    const { rejected, orders } = run(
      [
        ['A', 0, 10],
        ['B', 1, 20],
        ['B', 2, 20],
      ],
      {
        'B:0': (ctx) => {
          ctx.order('A', 4); // A 40
          ctx.order('B', 3); // B 60: gross 100
          ctx.order('B', 1); // B 80 > 70
          ctx.order('A', 1); // gross 110 > 100
          ctx.order('A', -2); // reduces: passes
        },
      },
      { initCash: 1000 },
      { limits: { maxPositionNotional: 70, maxGrossExposure: 100 } },
    );
    expect(orders.map((o) => o.id)).toEqual(['s:B:0:0', 's:B:0:1', 's:B:0:4']);
    expect(rejected.map((r) => r.message)).toEqual([
      '|position| x price 80 > maxPositionNotional 70 of B',
      'gross exposure 110 > maxGrossExposure 100',
    ]);
  });

  it('maxOrdersPerSecond counts the orders accepted within 1,000 ms of event time', () => {
    const trades: [string, number, number][] = [0, 0.2, 0.4, 0.9, 1.1, 1.3].map((s) => ['A', s, 10]);
    const script = Object.fromEntries(trades.map((_, i) => [`A:${i}`, (ctx: StrategyContext) => ctx.order('A', 1)]));
    const { orders, rejected } = run(trades, script, { initCash: 1000 }, { limits: { maxOrdersPerSecond: 2 } });
    // accepted at 0 and 0.2; 0.4 and 0.9 refused (two in the last second); 1.1: 0 dropped out -> accepted; 1.3: 0.2 out -> accepted
    expect(orders.map((o) => o.ts)).toEqual([at(0), at(0.2), at(1.1), at(1.3)]);
    expect(rejected.map((r) => [r.ts, r.reason])).toEqual([
      [at(0.4), 'maxOrdersPerSecond'],
      [at(0.9), 'maxOrdersPerSecond'],
    ]);
  });
});

describe('trading state', () => {
  it('HALTED refuses every order, REDUCING those that increase a position; the strategy sets it', () => {
    const { orders, rejected } = run(
      flat('A', 5),
      {
        'A:0': (ctx) => ctx.order('A', 4),
        'A:1': (ctx) => {
          ctx.setTradingState('REDUCING');
          ctx.order('A', 1); // increases
          ctx.order('A', -1); // reduces
        },
        'A:2': (ctx) => {
          expect(ctx.tradingState()).toBe('REDUCING');
          ctx.setTradingState('HALTED');
          ctx.order('A', -1);
        },
        'A:3': (ctx) => {
          ctx.setTradingState('ACTIVE');
          ctx.order('A', 1);
        },
      },
      { initCash: 1000 },
    );
    expect(orders.map((o) => o.id)).toEqual(['s:A:0:0', 's:A:1:1', 's:A:3:0']);
    expect(rejected.map((r) => `${r.orderId} ${r.reason}`)).toEqual(['s:A:1:0 reducing', 's:A:2:0 halted']);
  });

  it('a bad state is the strategy error naming the call, counted; orders from onReject are refused', () => {
    const { runner, logs } = run(
      flat('A', 3),
      { 'A:0': (ctx) => ctx.setTradingState('PAUSED' as never), 'A:1': (ctx) => ctx.order('A', 99) },
      { initCash: 1000 },
      {
        limits: { maxOrderNotional: 10 },
        onReject(ctx) {
          ctx.order('A', 1);
        },
      },
    );
    expect(runner.errors.failures).toMatchObject({ onBar: 1, onReject: 1 });
    expect(logs.join('\n')).toContain('ctx.setTradingState: expected one of ACTIVE, REDUCING, HALTED, got "PAUSED"');
    expect(logs.join('\n')).toContain('ctx.order: orders are placed in onBar or onFill only');
  });
});

describe('the margin check', () => {
  it('before the history: fallbackRate x |exposure|, within the collateral less the haircuts', () => {
    // equity 100; haircut 0.1; fallback 0.5: a short of 100 -> margin 50 <= collateral 100 - 10
    const { orders, rejected, runner } = run(
      flat('A', 4),
      {
        'A:0': (ctx) => ctx.order('A', -10),
        'A:1': (ctx) => ctx.order('A', -5), // exposure 150: margin 75 > collateral 100 - 15 = 85? no: passes
        'A:2': (ctx) => ctx.order('A', -3), // 180: margin 90 > 100 - 18 = 82: refused
      },
      { initCash: 100, allowShort: true, margin: { fallbackRate: 0.5, haircuts: 0.1 } },
    );
    expect(orders.map((o) => o.id)).toEqual(['s:A:0:0', 's:A:1:0']);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reason: 'margin', message: 'initial margin 90 after the order > collateral 82' });
    expect(runner.ctx.margin()).toEqual({ initialMargin: 75, collateral: 85, excess: 10, call: false });
  });

  it("with the history: the ES of the positions over filteredScenarios of the boundaries' returns, as the kernels give it", () => {
    // two symbols, a trade each every 10 s for 40 minutes; rows each minute; seed 5, horizon 2, window 20
    const trades: [string, number, number][] = [];
    const price = (k: number, i: number) => Math.round(100 * (50 + 10 * k + 3 * Math.sin(i / (7 + k)) + 2 * Math.cos(i * 1.3 + k))) / 100;
    for (let i = 0; i < 240; i++) for (const [k, s] of ['A', 'B'].entries()) trades.push([s, i * 10 + k, price(k, i)]);
    const margin = { every: 60_000, seed: 5, horizon: 2, window: 20, haircuts: { A: 0.1, B: 0.2 }, fallbackRate: 0.3 } as const;
    const seenAt: { i: number; m: ReturnType<StrategyContext['margin']>; pos: number[]; last: number[]; cash: number }[] = [];
    const script: Record<string, Action> = { 'A:0': (ctx) => ctx.order('A', -30), 'B:0': (ctx) => ctx.order('B', 20) };
    for (const i of [20, 60, 150, 239]) {
      script[`B:${i}`] = (ctx) =>
        seenAt.push({
          i,
          m: ctx.margin(),
          pos: [ctx.position('A'), ctx.position('B')],
          last: [price(0, i), price(1, i)],
          cash: ctx.cash(),
        });
    }
    const { runner } = run(trades, script, { initCash: 10_000, allowShort: true, margin });
    expect(runner.metrics.rejected).toBe(0);
    installEveryBackend();
    const k = kernels({ backend: 'reference' });
    for (const { i, m, pos, last, cash } of seenAt) {
      // the rows: each symbol's last price before each minute's boundary up to the bar's time
      const t = i * 10 + 1;
      const closes: number[][] = [];
      for (let b = 60; b <= t; b += 60) closes.push([0, 1].map((s) => price(s, Math.floor((b - 1 - s) / 10))));
      const rows = closes.length - 1;
      const exposure = pos.map((u, s) => u * last[s]);
      let expected: number;
      if (rows < margin.seed + margin.horizon) expected = margin.fallbackRate * (Math.abs(exposure[0]) + Math.abs(exposure[1]));
      else {
        const T = Math.min(rows, margin.window);
        const data = new Float64Array(T * 2);
        for (let r = 0; r < T; r++) for (let s = 0; s < 2; s++) data[r * 2 + s] = closes[rows - T + r + 1][s] / closes[rows - T + r][s] - 1;
        const scenarios = k.filteredScenarios({ data, rows: T, cols: 2 }, { seed: margin.seed, horizon: margin.horizon });
        expected = k.initialMargin(Float64Array.from(exposure), scenarios).margin;
      }
      expect(m!.initialMargin, `bar ${i}`).toBeCloseTo(expected, 9);
      expect(m!.collateral).toBeCloseTo(cash + exposure[0] + exposure[1] - 0.1 * Math.abs(exposure[0]) - 0.2 * Math.abs(exposure[1]), 9);
      expect(m!.excess).toBe(m!.collateral - m!.initialMargin);
    }
    // the first look is before 6 rows of returns (fallback), the later ones on scenarios
    expect(seenAt.map((s) => s.i)).toEqual([20, 60, 150, 239]);
  });

  it('a margin call sets REDUCING with onMarginCall reduce and clears it when the excess is back; halt stays HALTED', () => {
    // short 8 at 10 with 100 of cash, fallback 1: margin 80 <= collateral 100; the price rises to 15: margin 120 > 60
    const trades: [string, number, number][] = [
      ['A', 0, 10],
      ['A', 1, 10],
      ['A', 2, 15],
      ['A', 3, 15],
      ['A', 4, 9],
      ['A', 5, 9],
    ];
    const script: Record<string, Action> = {
      'A:0': (ctx) => ctx.order('A', -8),
      'A:2': (ctx) => ctx.order('A', -1), // during the call: refused as reducing
      'A:4': (ctx) => ctx.order('A', -1), // margin 81 <= collateral 100 - 8 x 9 + 80 = 108: cleared, accepted
    };
    const reduce = run(trades, script, {
      initCash: 100,
      allowShort: true,
      fillAt: 'close',
      margin: { fallbackRate: 1 },
      onMarginCall: 'reduce',
    });
    expect(reduce.rejected.map((r) => `${r.orderId} ${r.reason}`)).toEqual(['s:A:2:0 reducing']);
    expect(reduce.orders.map((o) => o.id)).toEqual(['s:A:0:0', 's:A:4:0']);
    expect(reduce.runner.metrics.marginCalls).toBe(1);
    expect(reduce.logs.filter((l) => l.includes('margin call'))).toEqual([
      expect.stringContaining('margin call at A bar 2: initial margin 120.00, collateral 60.00, excess -60.00; trading state REDUCING'),
      expect.stringContaining(
        'margin call cleared at A bar 4: initial margin 72.00, collateral 108.00, excess 36.00; trading state ACTIVE',
      ),
    ]);
    const halt = run(trades, script, {
      initCash: 100,
      allowShort: true,
      fillAt: 'close',
      margin: { fallbackRate: 1 },
      onMarginCall: 'halt',
    });
    expect(halt.rejected.map((r) => `${r.orderId} ${r.reason}`)).toEqual(['s:A:2:0 halted', 's:A:4:0 halted']);
    const none = run(trades, script, { initCash: 100, allowShort: true, fillAt: 'close', margin: { fallbackRate: 1 } });
    // without a state change the margin check alone refuses the order that increases the short past the collateral
    expect(none.rejected.map((r) => `${r.orderId} ${r.reason}`)).toEqual(['s:A:2:0 margin']);
  });
});

describe('checkpoints', () => {
  it('a run restored from a snapshot and deltas gives the rejections, trading state and margin of the run never cut', () => {
    const trades: [string, number, number][] = [];
    for (let i = 0; i < 600; i++) {
      for (const [k, s] of ['A', 'B'].entries())
        trades.push([s, i * 7 + k * (0.3 + (i % 4) * 0.4), 50 + 10 * k + 5 * Math.sin(i / 13 + k) + (i % 5)]);
    }
    const strategy = () =>
      defineStrategy({
        name: 'lever',
        bars: { by: 'tick', threshold: 3 },
        limits: { maxOrdersPerSecond: 1, maxPositionUnits: 400 },
        onBar(ctx, bar) {
          ctx.order(bar.symbol, bar.index % 3 === 0 ? 25 : -40);
        },
      });
    const options: RunnerOptions = {
      initCash: 5_000,
      allowShort: true,
      margin: { every: 60_000, seed: 4, horizon: 1, window: 30, fallbackRate: 0.2, haircuts: 0.05 },
      onMarginCall: 'reduce',
    };
    const record = (out: string[]) => ({
      order: (o: StrategyOrder) => out.push(`o ${o.id} ${o.units}`),
      reject: (r: OrderRejection) => out.push(`r ${r.orderId} ${r.reason} ${r.message}`),
    });
    const whole: string[] = [];
    const a = new StrategyRunner(strategy(), options, record(whole));
    for (const [s, t, p] of trades) a.trade(a.symbolIndex(s), T0 + t * 1000, p, 1);
    const reasons = new Set(whole.filter((l) => l.startsWith('r')).map((l) => l.split(' ')[2]));
    // the run meets the rules it is about: the rate, the margin and a margin call
    expect([...reasons].sort()).toEqual(expect.arrayContaining(['margin', 'maxOrdersPerSecond']));
    expect(a.metrics.marginCalls).toBeGreaterThan(0);

    for (const cuts of [
      [300, 700],
      [100, 450, 1100],
    ]) {
      const cut: string[] = [];
      let r = new StrategyRunner(strategy(), options, record(cut));
      let base: Uint8Array | undefined;
      const deltas: Uint8Array[] = [];
      let from = 0;
      for (const c of [...cuts, trades.length]) {
        for (const [s, t, p] of trades.slice(from, c)) r.trade(r.symbolIndex(s), T0 + t * 1000, p, 1);
        from = c;
        if (c === trades.length) break;
        if (base === undefined) base = r.snapshot();
        else deltas.push(r.delta());
        r = new StrategyRunner(strategy(), options, record(cut));
        r.restore(base, deltas);
      }
      expect(cut).toEqual(whole);
      expect(r.pretrade.trading).toBe(a.pretrade.trading);
      expect(r.ctx.margin()).toEqual(a.ctx.margin());
    }
  });
});

describe('bad input', () => {
  it('limits are checked when the strategy is defined, naming the limit', () => {
    const base = { name: 'x', bars: { by: 'tick' as const, threshold: 1 }, onBar() {} };
    expect(() => defineStrategy({ ...base, limits: { maxOrderNotional: -1 } })).toThrow(StrategyError);
    expect(() => defineStrategy({ ...base, limits: { maxOrderNotional: -1 } })).toThrow(
      /strategy\.limits\.maxOrderNotional: expected a finite number > 0, got -1/,
    );
    expect(() => defineStrategy({ ...base, limits: { maxPositionUnits: { A: 0 } } })).toThrow(/strategy\.limits\.maxPositionUnits/);
    expect(() => defineStrategy({ ...base, limits: { maxGross: 1 } as never })).toThrow(
      /strategy\.limits\.maxGross: expected one of maxOrderNotional/,
    );
    expect(() => defineStrategy({ ...base, onReject: 3 as never })).toThrow(/strategy\.onReject: expected a function/);
  });

  it('margin settings and onMarginCall are checked, naming the option', () => {
    const bad: [RunnerOptions, RegExp][] = [
      [{ margin: { haircuts: -0.1 } }, /options\.margin\.haircuts/],
      [{ margin: { haircuts: { A: 1 } } }, /options\.margin\.haircuts/],
      [{ margin: { every: 'weekly' as never } }, /options\.margin\.every/],
      [{ margin: { confidence: 1 } }, /options\.margin\.confidence: expected a number in \(0, 1\)/],
      [{ margin: { seed: 30, window: 20 } }, /options\.margin\.window: expected at least seed \+ horizon \(31\)/],
      [{ margin: { lambda: Number.NaN } }, /options\.margin\.lambda/],
      [{ margin: { fallback: 1 } as never }, /options\.margin\.fallback: expected one of haircuts/],
      [{ onMarginCall: 'stop' as never }, /options\.onMarginCall: expected 'reduce', 'halt' or 'none'/],
    ];
    const strategy = defineStrategy({ name: 'x', bars: { by: 'tick', threshold: 1 }, onBar() {} });
    for (const [options, message] of bad) {
      expect(() => new StrategyRunner(strategy, options), String(message)).toThrow(KernelInputError);
      expect(() => new StrategyRunner(strategy, options)).toThrow(message);
    }
    expect(resolveMargin({ every: 'hourly' }).every).toBe(3_600_000);
  });
});
