/**
 * The fill model's invariants on random runs (fast-check): random tapes of three symbols, a strategy
 * placing random market, limit, target and close orders, random fees, slippage, latency, participation,
 * shorting and fill timing. Whatever the orders: without allowShort no position and no cash below 0;
 * every fill belongs to an order, on its side, at or through its limit, not before its latency, the
 * fills of an order never more than its units; ids unique; equity = cash + positions at the last
 * prices; the same run twice gives the same records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { defineStrategy, StrategyRunner, type PositionUpdate, type StrategyFill, type StrategyOrder } from '../../src/strategy/index.js';
import { randomTape } from './helpers.js';

const SYMBOLS = ['A', 'B', 'C'];

interface Case {
  seed: number;
  fees: number;
  fixedFees: number;
  slippage: number;
  latencyMs: number;
  participation: number | undefined;
  allowShort: boolean;
  fillAt: 'next' | 'close';
}

function runCase(c: Case) {
  const rnd = mulberry32(c.seed);
  const strategy = defineStrategy({
    name: 'random',
    bars: { by: 'tick', threshold: 3 },
    onBar(ctx, bar) {
      const n = Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) {
        const symbol = SYMBOLS[Math.floor(rnd() * 3)];
        const pick = rnd();
        if (pick < 0.4) ctx.order(symbol, (rnd() < 0.5 ? -1 : 1) * (0.1 + rnd() * 3));
        else if (pick < 0.6) ctx.order(symbol, (rnd() < 0.5 ? -1 : 1) * (0.1 + rnd() * 2), { limit: bar.close * (0.98 + 0.04 * rnd()) });
        else if (pick < 0.8 && ctx.position(symbol) !== 0) ctx.close(symbol);
        else if (ctx.value('close', symbol) > 0) ctx.targetPercent(symbol, rnd() - (c.allowShort ? 0.5 : 0));
      }
    },
  });
  const orders: StrategyOrder[] = [];
  const fills: StrategyFill[] = [];
  const positions: PositionUpdate[] = [];
  const { seed, participation, ...rest } = c;
  const runner = new StrategyRunner(
    strategy,
    { ...rest, ...(participation === undefined ? {} : { participation }), initCash: 1000 },
    { order: (o) => orders.push(o), fill: (f) => fills.push(f), position: (p) => positions.push(p) },
  );
  const tape = randomTape(120, SYMBOLS, 800, seed);
  const last = new Map<string, number>();
  for (let i = 0; i < tape.ts.length; i++) {
    const symbol = SYMBOLS[tape.symbols!.codes[i]];
    runner.trade(runner.symbolIndex(symbol), tape.ts[i], tape.price[i], tape.volume[i]);
    last.set(symbol, tape.price[i]);
  }
  runner.stop();
  return { runner, orders, fills, positions, last };
}

const cases = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  fees: fc.constantFrom(0, 0.001, 0.02),
  fixedFees: fc.constantFrom(0, 0.5),
  slippage: fc.constantFrom(0, 0.0005, 0.01),
  latencyMs: fc.constantFrom(0, 700, 5000),
  participation: fc.constantFrom(undefined, 0.05, 0.5),
  allowShort: fc.boolean(),
  fillAt: fc.constantFrom('next' as const, 'close' as const),
});

describe('the fill model on random runs', () => {
  it('keeps its invariants', () => {
    // what the runs exercised, so that the test cannot pass on runs that fill nothing
    const seen = { fills: 0, limitFills: 0, splitOrders: 0, shorts: 0 };
    fc.assert(
      fc.property(cases, (c) => {
        const { runner, orders, fills, positions, last } = runCase(c);
        const byId = new Map(orders.map((o) => [o.id, o]));
        expect(byId.size).toBe(orders.length);
        expect(new Set(fills.map((f) => f.id)).size).toBe(fills.length);
        const filled = new Map<string, number>();
        for (const f of fills) {
          const o = byId.get(f.orderId)!;
          expect(o).toBeDefined();
          expect(Math.sign(f.units)).toBe(Math.sign(o.units));
          expect(f.price).toBeGreaterThan(0);
          expect(f.fees).toBeGreaterThanOrEqual(0);
          if (o.limit !== undefined) expect(f.price).toBe(o.limit);
          // at once at the close (fillAt 'close'), else not before the latency
          if (!(c.fillAt === 'close' && f.ts === o.ts)) expect(f.ts).toBeGreaterThanOrEqual(o.ts + c.latencyMs);
          seen.fills++;
          if (o.limit !== undefined) seen.limitFills++;
          if (f.id.endsWith('#1')) seen.splitOrders++;
          filled.set(o.id, (filled.get(o.id) ?? 0) + Math.abs(f.units));
        }
        for (const [id, units] of filled) expect(units).toBeLessThanOrEqual(Math.abs(byId.get(id)!.units) * (1 + 1e-9));
        for (const p of positions) {
          expect(Number.isFinite(p.cash) && Number.isFinite(p.equity)).toBe(true);
          if (p.units < 0) seen.shorts++;
          if (!c.allowShort) {
            expect(p.units).toBeGreaterThanOrEqual(0);
            expect(p.cash).toBeGreaterThanOrEqual(0);
          }
        }
        const a = runner.account;
        let equity = a.cash;
        SYMBOLS.forEach((s) => {
          const k = runner.symbolIndex(s);
          if (a.position[k] !== 0) equity += a.position[k] * last.get(s)!;
        });
        expect(a.equity()).toBeCloseTo(equity, 9);
        // the same run again: the same records
        const again = runCase(c);
        expect(again.fills).toEqual(fills);
        expect(again.orders).toEqual(orders);
      }),
      { numRuns: 60 },
    );
    expect(seen.fills).toBeGreaterThan(500);
    expect(seen.limitFills).toBeGreaterThan(20);
    expect(seen.splitOrders).toBeGreaterThan(20);
    expect(seen.shorts).toBeGreaterThan(20);
  });
});
