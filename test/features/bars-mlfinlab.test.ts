/**
 * The bar kernels against mlfinlab's 2020 bar code, on every backend: the bars it built from three
 * seeded tapes (test/features/fixtures/mlfinlab-bars.json, written by
 * scripts/features-fixtures/generate.py, which runs mlfinlab's data_structures). The same bars, the
 * same doubles: the kernels add in mlfinlab's order and compute its EWMA as numba does (measured:
 * every value of the 34 cases equal).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BAR_COLUMNS, type Bars } from '../../src/kernels/features/features.js';
import { kernels, type Kernels, type Trades } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';

interface Case {
  name: string;
  tape: string;
  kernel: 'bars' | 'imbalanceBars' | 'runBars';
  options: Record<string, unknown>;
  bars: Record<(typeof BAR_COLUMNS)[number], number[]>;
}
interface Fixture {
  tapes: Record<string, { ts: number[]; price: number[]; volume: number[] }>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mlfinlab-bars.json', import.meta.url), 'utf8')) as Fixture;
const tapes: Record<string, Trades> = Object.fromEntries(
  Object.entries(fixture.tapes).map(([k, t]) => [
    k,
    { ts: Float64Array.from(t.ts), price: Float64Array.from(t.price), volume: Float64Array.from(t.volume) },
  ]),
);

const cases = fixture.cases;

function expectMlfinlab(k: Kernels, c: Case): void {
  const run = (k as unknown as Record<string, (t: Trades, o: unknown) => Bars>)[c.kernel];
  const got = run(tapes[c.tape], c.options);
  const n = c.bars.ts.length;
  for (const column of BAR_COLUMNS) {
    const want = c.bars[column];
    const have = got[column];
    expect(have.length, column).toBe(n);
    for (let i = 0; i < n; i++) if (have[i] !== want[i]) expect(have[i], `${column}[${i}]`).toBe(want[i]);
  }
}

describe('bars as mlfinlab builds them [reference]', () => {
  it('the fixture holds every kernel, by and kind, and a zero-bar case', () => {
    const kinds = new Set(cases.map((c) => `${c.kernel} ${c.options.by} ${c.options.kind ?? ''}`));
    expect(kinds.size).toBe(4 + 2 * 3 * 2); // bars by 4 (time included); imbalance and run bars by 3, kind 2
    expect(cases.some((c) => c.bars.ts.length === 0)).toBe(true);
  });
  for (const c of cases) it(c.name, () => expectMlfinlab(kernels({ backend: 'reference' }), c));
});

describeEachBackend(
  'bars as mlfinlab builds them',
  (k, _name, supports) => {
    for (const c of cases) it.runIf(supports(c.kernel as never))(c.name, () => expectMlfinlab(k, c));
  },
  'features',
);
