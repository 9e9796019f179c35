/**
 * The pre-trade checks' invariants on random runs (fast-check): random tapes of three symbols, a
 * strategy placing random market and limit orders of either side, random limits, shorting and margin
 * settings, market orders filled at the bar's close. Positions as the checks project them (held plus the
 * waiting orders' units).
 * Whatever the orders: no position above maxPositionUnits, no position's notional above
 * maxPositionNotional and no gross exposure above maxGrossExposure at the price it was checked at, no
 * order above maxOrderNotional, never more than maxOrdersPerSecond accepted within 1,000 ms, no order
 * while HALTED; every order placed or refused, each refusal with figures that break its rule; and the
 * same run twice gives the same records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/math/mulberry32.js';
import {
  defineStrategy,
  type OrderRejection,
  type RunnerOptions,
  type StrategyLimits,
  StrategyRunner,
  type StrategyOrder,
} from '../../src/strategy/index.js';
import { randomTape } from './helpers.js';

const SYMBOLS = ['A', 'B', 'C'];

interface Case {
  seed: number;
  limits: StrategyLimits;
  allowShort: boolean;
  margin: boolean;
  halt: boolean;
}

function runCase(c: Case) {
  const rnd = mulberry32(c.seed);
  /** Per order id: the price it was checked at and the state before it (the checks' projection). */
  const seenAt = new Map<string, { price: number; position: number; gross: number }>();
  let halted = false;
  const strategy = defineStrategy({
    name: 'random',
    bars: { by: 'tick', threshold: 2 },
    limits: c.limits,
    onBar(ctx, bar) {
      if (c.halt && bar.index === 20 && bar.symbol === 'A') {
        ctx.setTradingState('HALTED');
        halted = true;
      }
      const n = Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) {
        const symbol = SYMBOLS[Math.floor(rnd() * 3)];
        const units = (rnd() < 0.5 ? -1 : 1) * Math.ceil(rnd() * 40);
        if (rnd() < 0.2) ctx.order(symbol, units, { limit: ctx.value('close', symbol) > 0 ? ctx.value('close', symbol) : 100 });
        else ctx.order(symbol, units);
      }
    },
  });
  const orders: StrategyOrder[] = [];
  const rejections: OrderRejection[] = [];
  const options: RunnerOptions = {
    initCash: 20_000,
    allowShort: c.allowShort,
    fillAt: 'close',
    ...(c.margin ? { margin: { every: 600_000, seed: 3, horizon: 1, window: 20, fallbackRate: 1.5, haircuts: 0.05 } } : {}),
  };
  let runner: StrategyRunner<object>;
  // the projection the checks make: each position with its waiting orders' units still to fill
  const projected = (j: number) => runner.account.position[j] + runner.execution.pending(j).reduce((sum, p) => sum + p.remaining, 0);
  const record = (id: string, k: number) => {
    const a = runner.account;
    let gross = 0;
    for (let j = 0; j < runner.symbols.length; j++) if (projected(j) !== 0) gross += Math.abs(projected(j) * a.lastPrice[j]);
    seenAt.set(id, { price: a.lastPrice[k], position: projected(k), gross });
  };
  runner = new StrategyRunner(strategy, options, {
    order: (o) => {
      orders.push(o);
      record(o.id, runner.symbolIndex(o.symbol));
    },
    reject: (r) => void rejections.push(r),
  });
  const tape = randomTape(200, SYMBOLS, 4_000, c.seed);
  for (let i = 0; i < tape.ts.length; i++)
    runner.trade(runner.symbolIndex(SYMBOLS[tape.symbols!.codes[i]]), tape.ts[i], tape.price[i], tape.volume[i]);
  runner.stop();
  return { runner, orders, rejections, seenAt, halted };
}

const limitCases = fc.record(
  {
    maxOrderNotional: fc.constantFrom(1_000, 3_000),
    maxPositionUnits: fc.constantFrom(30, 60),
    maxPositionNotional: fc.constantFrom(4_000, 8_000),
    maxGrossExposure: fc.constantFrom(6_000, 15_000),
    maxOrdersPerSecond: fc.constantFrom(1, 2),
  },
  { requiredKeys: [] },
);
const cases = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  limits: limitCases,
  allowShort: fc.boolean(),
  margin: fc.boolean(),
  halt: fc.boolean(),
});

describe('the pre-trade checks on random runs', () => {
  it('never let an order through that breaks a rule, and refuse only orders that break one', () => {
    const seen = { orders: 0, rejections: 0, margin: 0, reasons: new Set<string>() };
    fc.assert(
      fc.property(cases, (c) => {
        const { runner, orders, rejections, seenAt, halted } = runCase(c);
        const L = c.limits;
        const inf = Number.POSITIVE_INFINITY;
        // fills at the close, whole: a position after its order is the projection the checks made
        for (const o of orders) {
          const at = seenAt.get(o.id)!;
          const price = o.limit ?? at.price;
          expect(Math.abs(o.units) * price).toBeLessThanOrEqual((L.maxOrderNotional ?? inf) * (1 + 1e-12));
          const before = at.position;
          const after = before + o.units;
          if (Math.abs(after) > Math.abs(before)) {
            expect(Math.abs(after)).toBeLessThanOrEqual(((L.maxPositionUnits as number) ?? inf) + 1e-9);
            expect(Math.abs(after) * at.price).toBeLessThanOrEqual(((L.maxPositionNotional as number) ?? inf) * (1 + 1e-12));
            const gross = at.gross - Math.abs(before * at.price) + Math.abs(after * at.price);
            expect(gross).toBeLessThanOrEqual((L.maxGrossExposure ?? inf) * (1 + 1e-9));
          }
        }
        // the rate: never more accepted within 1,000 ms than the limit
        if (L.maxOrdersPerSecond !== undefined) {
          for (let i = 0; i < orders.length; i++) {
            const within = orders.filter((o) => o.ts > orders[i].ts - 1000 && o.ts <= orders[i].ts).length;
            expect(within).toBeLessThanOrEqual(L.maxOrdersPerSecond);
          }
        }
        // halted: every order after it refused as halted
        if (halted) {
          const from = rejections.find((r) => r.reason === 'halted');
          if (from) expect(orders.every((o) => o.ts <= from.ts)).toBe(true);
        }
        // each refusal names a rule the order breaks (its message's figure over its limit)
        for (const r of rejections) {
          const m =
            /^(?:notional|\|position\||\|position\| x price|gross exposure|initial margin) ([\d.]+).*?(?:> (?:\w+ )?([\d.]+)|> collateral (-?[\d.]+))/.exec(
              r.message,
            );
          if (r.reason === 'halted' || r.reason === 'reducing' || r.reason === 'maxOrdersPerSecond') continue;
          expect(m, r.message).not.toBeNull();
          expect(Number(m![1])).toBeGreaterThan(Number(m![2] ?? m![3]) - 0.01);
          if (r.reason === 'margin') seen.margin++;
        }
        // every order the strategy placed was placed or refused: their ids together have no gaps
        const ids = [...orders.map((o) => o.id), ...rejections.map((r) => r.orderId)];
        expect(new Set(ids).size).toBe(ids.length);
        seen.orders += orders.length;
        seen.rejections += rejections.length;
        for (const r of rejections) seen.reasons.add(r.reason);
        // the same run again: the same records
        const again = runCase(c);
        expect(again.orders).toEqual(orders);
        expect(again.rejections).toEqual(rejections);
        expect(again.runner.ctx.margin()).toEqual(runner.ctx.margin());
      }),
      {
        numRuns: 60,
        // a case the margin rule refuses in (found with the fixed seed): random seeds (test:explore) need
        // not draw one, and the check below asks that every rule was exercised
        examples: [
          [
            {
              seed: 900471427,
              limits: { maxOrderNotional: 3000, maxPositionNotional: 8000, maxGrossExposure: 15000 },
              allowShort: false,
              margin: true,
              halt: true,
            },
          ],
        ],
      },
    );
    // the runs exercised every rule
    expect(seen.orders).toBeGreaterThan(500);
    expect([...seen.reasons].sort()).toEqual(
      ['halted', 'margin', 'maxGrossExposure', 'maxOrderNotional', 'maxOrdersPerSecond', 'maxPositionNotional', 'maxPositionUnits'].sort(),
    );
  });
});
