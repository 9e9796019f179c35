/**
 * The backtest family against vectorbt 1.1.0 itself: stored cases (test/fixtures/backtest/vectorbt.json,
 * written by scripts/backtest-fixtures.py from vectorbt's numba engine; no Python at test time) of
 * every convention (sizes, directions, accumulation, opposite entries, stops, NaN closes, cash sharing,
 * call sequences, every from_orders size type, random ones), each checked on every backend: value,
 * cash, assets, the order and exit-trade records, and Portfolio.stats().
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BacktestResult, BacktestStats } from '../../src/kernels/backtest/backtest-kernels.js';
import type { Kernels, Matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

type Json = null | number | string | boolean | Json[] | { [k: string]: Json };

/** The fixture's numbers: null is NaN, "Infinity" and "-Infinity" the infinities. */
const num = (x: Json): number => (x === null ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : (x as number));

/** A fixture value as kernelbus takes it: matrices with Float64Array data, lists as typed arrays. */
function decode(key: string, x: Json): unknown {
  if (Array.isArray(x)) return key === 'groups' ? Int32Array.from(x as number[]) : Float64Array.from(x, num);
  if (x !== null && typeof x === 'object' && 'rows' in x) {
    return { data: Float64Array.from(x.data as Json[], num), rows: x.rows as number, cols: x.cols as number } satisfies Matrix;
  }
  return typeof x === 'string' || typeof x === 'boolean' ? x : num(x);
}

const decodeAll = (o: Record<string, Json>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(k, v)]));

interface Case {
  name: string;
  kind: 'signals' | 'orders';
  prices: Record<string, Json>;
  options: Record<string, Json>;
  expected: Record<string, Json> & { stats: Record<string, Json>[] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/backtest/vectorbt.json', import.meta.url), 'utf8')) as {
  engine: string;
  cases: Case[];
};

const run = (k: Kernels, c: Case): BacktestResult => {
  const prices = decodeAll(c.prices) as never;
  const options = decodeAll(c.options) as never;
  return c.kind === 'signals' ? k.backtestSignals(prices, options) : k.backtestOrders(prices, options);
};

/** |a - b| <= 1e-9 relative (1e-12 absolute), NaN equal to NaN, infinities equal. */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    const ok = Object.is(a, b) || a === b || Math.abs(a - b) <= Math.max(1e-9 * Math.abs(b), 1e-12);
    if (!ok) expect(`${what}[${i}] = ${a}`).toBe(`${what}[${i}] = ${b}`);
  }
}

const data = (x: unknown) => (ArrayBuffer.isView(x) ? (x as Float64Array) : (x as Matrix).data);

function checkCase(k: Kernels, c: Case): void {
  const r = run(k, c);
  const e = c.expected;
  for (const key of ['value', 'cash', 'assets'] as const)
    expectNear(data(r[key]), (decode(key, e[key]) as Matrix).data, `${c.name} ${key}`);
  for (const [group, records] of [
    ['orders', r.orders],
    ['trades', r.trades],
  ] as const) {
    for (const [field, values] of Object.entries(e[group] as Record<string, Json[]>)) {
      expectNear(
        (records as unknown as Record<string, Float64Array>)[field],
        Float64Array.from(values, num),
        `${c.name} ${group}.${field}`,
      );
    }
  }
  const stats = k.backtestStats(r, { periodsPerYear: 365 });
  const rows: Record<string, number>[] =
    e.stats.length === 1
      ? [stats as unknown as Record<string, number>]
      : e.stats.map((_, g) => Object.fromEntries(Object.entries(stats).map(([f, v]) => [f, (v as Float64Array)[g]])));
  e.stats.forEach((want, g) => {
    for (const [field, value] of Object.entries(want)) {
      expectNear([rows[g][field as keyof BacktestStats]], [num(value)], `${c.name} stats[${g}].${field}`);
    }
  });
}

describe(`backtest equals vectorbt 1.1.0 (${fixture.engine}) [reference]`, () => {
  it('the fixture holds cases of both kinds', () => {
    expect(fixture.cases.filter((c) => c.kind === 'signals').length).toBeGreaterThan(30);
    expect(fixture.cases.filter((c) => c.kind === 'orders').length).toBeGreaterThan(10);
  });
  for (const c of fixture.cases) it(c.name, () => checkCase(ref, c));
});

describeEachBackend(
  'backtest equals vectorbt 1.1.0',
  (k, _name, supports) => {
    it.runIf(supports('backtestSignals', 'backtestOrders'))(`every case (${fixture.cases.length})`, () => {
      for (const c of fixture.cases) checkCase(k, c);
    });
  },
  'backtest',
);
