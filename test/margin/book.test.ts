/**
 * The prepared book (marginBook) against the stateless kernels on every backend: set() is
 * initialMargin's margin to the bit; marginal() and apply() move the kept P&L by the order's column
 * (one rounding per scenario where initialMargin recomputes each sum), so within 1e-9 of the margin.
 */
import { describe, expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import { KernelInputError } from '../../src/errors.js';
import { describeEachBackend } from '../helpers/backends.js';

function seeded(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    const u = s / 2147483647;
    s = (s * 16807) % 2147483647;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos((2 * Math.PI * s) / 2147483647);
  });
}

function suite(k: Kernels): void {
  const S = 1000;
  const N = 20;
  const returns = { data: seeded(S * N, 3).map((x) => 0.01 * x), rows: S, cols: N };
  const scenarios = k.filteredScenarios(returns, { horizon: 2 });
  const positions = seeded(N, 5).map((x) => 1e6 * x);
  const orders = [
    { instrument: 0, value: 2e5 },
    { instrument: N - 1, value: -3e6 },
    { instrument: 7, value: -positions[7] },
  ];

  it('set() gives initialMargin to the bit; marginal() the stateless marginalMargin within 1e-9 of the margin', () => {
    for (const measure of ['es', 'var'] as const) {
      const book = k.marginBook(scenarios, { measure, confidence: 0.975 });
      const margin = book.set(positions);
      expect(margin).toBe(k.initialMargin(positions, scenarios, { measure, confidence: 0.975 }).margin);
      expect(book.margin).toBe(margin);
      for (const order of orders) {
        const want = k.marginalMargin(positions, scenarios, order, { measure, confidence: 0.975 });
        expect(Math.abs(book.marginal(order) - want)).toBeLessThan(1e-9 * margin);
        expect(book.margin).toBe(margin);
      }
    }
  });

  it('apply() moves the book: its positions and its margin, as initialMargin of the positions after', () => {
    const book = k.marginBook(scenarios);
    book.set(positions);
    const after = Float64Array.from(positions);
    for (const order of orders) {
      const m = book.apply(order);
      after[order.instrument] += order.value;
      expect(Array.from(book.positions)).toEqual(Array.from(after));
      const want = k.initialMargin(after, scenarios).margin;
      expect(Math.abs(m - want)).toBeLessThan(1e-9 * want);
    }
  });

  it('refuses an order of a column it does not have, or a value that is not finite, naming it', () => {
    const book = k.marginBook(scenarios);
    book.set(positions);
    expect(() => book.marginal({ instrument: N, value: 1 })).toThrow(KernelInputError);
    expect(() => book.marginal({ instrument: N, value: 1 })).toThrow(/^order\.instrument: expected a column below 20, got 20$/);
    expect(() => book.apply({ instrument: 0, value: Number.NaN })).toThrow(/^order\.value: expected a finite number, got NaN$/);
    expect(() => book.set(new Float64Array(3))).toThrow(/^positions: expected 20 values/);
    expect(() => k.marginBook(returns.data as never)).toThrow(/^scenarios: expected a Matrix/);
  });
}

describe('marginBook [reference]', () => suite(kernels({ backend: 'reference' })));
describeEachBackend('marginBook', (k) => suite(k), 'margin');
