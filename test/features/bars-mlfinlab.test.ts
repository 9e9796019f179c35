/**
 * The bar kernels against mlfinlab's 2020 bar code, on every backend: the bars it built from three
 * seeded tapes (test/features/fixtures/mlfinlab-bars.json, written by
 * scripts/features-fixtures/generate.py, which runs mlfinlab's data_structures). The bars' rows must
 * be the same trades (ts, tickNum, ticks exactly), their prices and sums the same doubles up to the
 * summation order of the peer (mlfinlab adds in the same order: within 1e-12 relative).
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

/** Kernels the backend under test implements (the ones this file's cases call, as they land). */
const KERNELS: readonly string[] = ['bars'];
const cases = fixture.cases.filter((c) => KERNELS.includes(c.kernel));

function expectMlfinlab(k: Kernels, c: Case): void {
  const run = (k as unknown as Record<string, (t: Trades, o: unknown) => Bars>)[c.kernel];
  const got = run(tapes[c.tape], c.options);
  const n = c.bars.ts.length;
  for (const column of BAR_COLUMNS) {
    const want = c.bars[column];
    const have = got[column];
    expect(have.length, column).toBe(n);
    for (let i = 0; i < n; i++) {
      const exact = column === 'ts' || column === 'tickNum' || column === 'ticks';
      if (exact ? have[i] === want[i] : Math.abs(have[i] - want[i]) <= 1e-12 * Math.abs(want[i])) continue;
      expect(have[i], `${column}[${i}]`).toBe(want[i]);
    }
  }
}

describe('bars as mlfinlab builds them [reference]', () => {
  it('the fixture holds every case kind, a zero-bar case among them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(11);
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
