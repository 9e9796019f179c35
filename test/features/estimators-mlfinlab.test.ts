/**
 * The rolling bar estimators against mlfinlab 2020's own code, on every backend: the series it
 * computed from seeded bars (test/features/fixtures/mlfinlab-estimators.json, written by
 * scripts/features-fixtures/estimators.py, which runs mlfinlab's microstructural_features and
 * util/volatility.py; Rogers-Satchell its Yang-Zhang term in pandas). pandas' rolling sums are running
 * sums where the kernels add each window afresh, so 1e-9 of the value (measured: at most 5.2e-13 here, the Roll measure aside);
 * NaN where mlfinlab has NaN (the warm-up, a window holding a NaN close).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import { describeEachBackend } from '../helpers/backends.js';

type Values = (number | null)[];
interface Case {
  bars: string;
  kernel: string;
  output: string;
  window: number;
  values: Values;
}
interface Fixture {
  bars: Record<string, Record<string, Values>>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mlfinlab-estimators.json', import.meta.url), 'utf8')) as Fixture;
const RTOL = 1e-9;
const RANGE = new Set(['parkinson', 'garman-klass', 'rogers-satchell', 'yang-zhang']);
const INPUTS: Record<string, string[]> = {
  rollMeasure: ['close'],
  rollImpact: ['close', 'dollarVolume'],
  corwinSchultz: ['high', 'low'],
  kyleLambda: ['close', 'volume'],
  amihudLambda: ['close', 'dollarVolume'],
  hasbrouckLambda: ['close', 'dollarVolume'],
};

const column = (v: Values) => Float64Array.from(v, (x) => (x === null ? NaN : x));

function run(k: Kernels, c: Case): Float64Array {
  const b = fixture.bars[c.bars];
  const f = (name: string) => column(b[name]);
  if (RANGE.has(c.kernel)) {
    const bars = { open: f('open'), high: f('high'), low: f('low'), close: f('close') };
    return k.rangeVolatility(bars, { estimator: c.kernel as 'parkinson', window: c.window });
  }
  const call = (k as unknown as Record<string, (...a: unknown[]) => unknown>)[c.kernel];
  const got = call(...INPUTS[c.kernel].map(f), { window: c.window });
  return got instanceof Float64Array ? got : (got as Record<string, Float64Array>)[c.output];
}

/**
 * The value compared: the Roll measure and impact as the covariance they come from (value / 2, times
 * the dollar volume, squared), whose error pandas' rolling cov makes absolute (E[xy] - E[x] E[y]
 * cancels: near a zero covariance its root is off by 1% here), so within 1e-9 of the series' largest.
 */
function compared(c: Case): (x: number, i: number) => number {
  if (c.kernel === 'rollMeasure') return (x) => (x / 2) ** 2;
  if (c.kernel !== 'rollImpact') return (x) => x;
  const dv = fixture.bars[c.bars].dollarVolume as number[];
  return (x, i) => ((x * dv[i]) / 2) ** 2;
}

function expectMlfinlab(k: Kernels, c: Case): void {
  const got = run(k, c);
  expect(got.length).toBe(c.values.length);
  const f = compared(c);
  const roll = c.kernel.startsWith('roll');
  const scale = roll ? Math.max(0, ...c.values.map((w, i) => (w === null ? 0 : f(w, i)))) : 0;
  for (let i = 0; i < got.length; i++) {
    const w = c.values[i];
    if (w === null) {
      if (!Number.isNaN(got[i])) expect(got[i], `[${i}]`).toBeNaN();
    } else if (!(Math.abs(f(got[i], i) - f(w, i)) <= RTOL * (roll ? scale : Math.abs(w)))) expect(got[i], `[${i}]`).toBe(w);
  }
}

const title = (c: Case) => `${c.kernel}${c.output === 'value' ? '' : `.${c.output}`} window ${c.window}, bars ${c.bars}`;

describe('bar estimators as mlfinlab computes them [reference]', () => {
  it('the fixture holds each estimator, numbers after the warm-up, and a window past the input', () => {
    expect(new Set(fixture.cases.map((c) => c.kernel)).size).toBe(10);
    expect(fixture.cases.every((c) => c.bars === 'short' || c.values.some((x) => x !== null))).toBe(true);
    expect(fixture.cases.some((c) => c.window > fixture.bars[c.bars].close.length && c.values.every((x) => x === null))).toBe(true);
  });
  const ref = kernels({ backend: 'reference' });
  for (const c of fixture.cases) it(title(c), () => expectMlfinlab(ref, c));
});

describeEachBackend(
  'bar estimators as mlfinlab computes them',
  (k, _name, supports) => {
    for (const c of fixture.cases) {
      it.runIf(supports((RANGE.has(c.kernel) ? 'rangeVolatility' : c.kernel) as never))(title(c), () => expectMlfinlab(k, c));
    }
  },
  'features',
);
