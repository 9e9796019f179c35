/**
 * The labeling family against mlfinlab's own code (fb8e1504), on every backend: the cases
 * test/labeling/fixtures/mlfinlab-labeling.json holds, written by scripts/labeling-fixtures/generate.py
 * (its versions and patches there and in scripts/labeling-fixtures/notes.md). Values within 1e-9 of the
 * larger of the value and its column's largest (numpy's log, BLAS's dot and pandas' running sums round
 * differently); times, labels, counts and folds exactly. Where mlfinlab raises, the case says what
 * kernelbus does instead (docs/labeling.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import { KernelInputError } from '../../src/errors.js';
import { describeEachBackend } from '../helpers/backends.js';

type Values = (number | null)[];
interface Case {
  name: string;
  kernel: string;
  series?: string;
  input: Record<string, Values | number | null>;
  options: Record<string, unknown>;
  expected: Record<string, unknown>;
  convention?: string;
  reference?: string;
}
interface Fixture {
  series: Record<string, { ts: number[]; close: Values }>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mlfinlab-labeling.json', import.meta.url), 'utf8')) as Fixture;
const RTOL = 1e-9;

const column = (v: Values) => Float64Array.from(v, (x) => (x === null ? NaN : x));

/** A case's input or option as the API takes it: an array a Float64Array, a number as it is. */
function arg(v: unknown): unknown {
  return Array.isArray(v) ? column(v as Values) : v === null ? undefined : v;
}

/** Runs a case's call on `k`: the kernel's result. */
function run(k: Kernels, c: Case): unknown {
  const s = c.series === undefined ? undefined : fixture.series[c.series];
  const series = s && { ts: Float64Array.from(s.ts), close: column(s.close) };
  const input = Object.fromEntries(Object.entries(c.input ?? {}).map(([key, v]) => [key, arg(v)]));
  const options = Object.fromEntries(Object.entries(c.options ?? {}).map(([key, v]) => [key, key === 'ptSl' ? v : arg(v)]));
  const any = k as unknown as Record<string, (...a: unknown[]) => unknown>;
  switch (c.kernel) {
    case 'verticalBarriers':
      return k.verticalBarriers(series!, input.t0 as Float64Array, options as { ms: number });
    case 'fixedHorizonLabels':
      return k.fixedHorizonLabels(series!.close, { ...options, ...input });
    case 'fracDiffWeights':
      return k.fracDiffWeights(input.d as number, options);
    case 'fracDiff':
      return k.fracDiff(input.x as Float64Array, options as { d: number });
    case 'purgedKFold':
    case 'combinatorialPurgedKFold':
      return any[c.kernel]({ t0: input.t0, t1: input.t1 }, { ...options, convention: c.convention ?? options.convention });
    case 'indicatorMatrix':
      return k.indicatorMatrix(series!, input as { t0: Float64Array; t1: Float64Array });
    case 'sequentialBootstrap':
      return indicatorOf(c);
    default:
      return any[c.kernel](series, { ...options, ...input });
  }
}

/** The indicator matrix mlfinlab built for a bootstrap case: its indicatorMatrix case's, same events. */
function indicatorOf(c: Case): { data: Float64Array; rows: number; cols: number } {
  const same = fixture.cases.find(
    (o) => o.kernel === 'indicatorMatrix' && o.series === c.series && JSON.stringify(o.input) === JSON.stringify(c.input),
  );
  if (!same) throw new Error(`no indicatorMatrix case for ${c.name}`);
  const rows = (same.expected.rows as Values).length;
  return { data: column(same.expected.values as Values), rows, cols: (c.input.t0 as Values).length };
}

/** got against want (arrays of numbers or null): NaN where null, else within RTOL of max(|want|, the column's largest). */
function expectColumn(got: ArrayLike<number>, want: Values, label: string, exact = false): void {
  expect(got.length, `${label} length`).toBe(want.length);
  const scale = Math.max(0, ...want.map((w) => (w === null || !Number.isFinite(w) ? 0 : Math.abs(w))));
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (w === null) {
      if (!Number.isNaN(g)) expect(g, `${label}[${i}]`).toBeNaN();
    } else if (exact || !Number.isFinite(w)) {
      if (g !== w) expect(g, `${label}[${i}]`).toBe(w);
    } else if (!(Math.abs(g - w) <= RTOL * Math.max(Math.abs(w), scale))) expect(g, `${label}[${i}]`).toBe(w);
  }
}

const EXACT = new Set(['t0', 't1', 'label', 'barrier', 'side', 'rows']);

/**
 * Inputs mlfinlab accepts and kernelbus refuses (docs/labeling.md): a threshold of 0 (the filter's
 * threshold must be > 0), a triple barrier with no barrier at all, a NaN threshold (mlfinlab then
 * returns the raw return as the label), an event end between bars.
 */
const REFUSED: [RegExp, RegExp][] = [
  [/^cusum c threshold 0 /, /^options\.threshold: expected thresholds > 0/],
  [/^triple a ptSl \[0,1\] no side, target 0\.002, no vertical$/, /^options\.ptSl: expected a barrier/],
  [/^fixed a threshold series .*NaN/, /^options\.threshold: expected finite thresholds/],
  [/^indicator c 10 events, t1 between bars/, /^t1: expected times of the bars/],
];

/** mlfinlab raised: what kernelbus does instead (docs/labeling.md). */
function expectInsteadOfError(k: Kernels, c: Case): void {
  if (c.kernel === 'fracDiff' || c.kernel === 'indicatorMatrix') {
    expect(() => run(k, c)).toThrow(KernelInputError);
    expect(() => run(k, c)).toThrow(c.kernel === 'fracDiff' ? /^x: .*leading NaN/ : /^t1: expected a time for every event/);
    return;
  }
  const got = run(k, c) as Record<string, Float64Array> | Float64Array | { train: Int32Array; test: Int32Array }[];
  if (c.kernel === 'tripleBarrier') expect((got as Record<string, Float64Array>).t0.length).toBe(0);
  else if (c.kernel === 'purgedKFold') expect((got as unknown[]).length).toBe(c.options.splits);
  else expect((got as Float64Array).every((x) => Number.isFinite(x))).toBe(true);
}

function expectMlfinlab(k: Kernels, c: Case): void {
  if ('error' in c.expected) {
    expectInsteadOfError(k, c);
    return;
  }
  const refused = REFUSED.find(([name]) => name.test(c.name));
  if (refused) {
    expect(() => run(k, c)).toThrow(KernelInputError);
    expect(() => run(k, c)).toThrow(refused[1]);
    return;
  }
  const got = run(k, c);
  if (c.kernel === 'sequentialBootstrap') {
    expectBootstrap(k, got as never, c);
    return;
  }
  if (c.kernel === 'purgedKFold' || c.kernel === 'combinatorialPurgedKFold') {
    const folds = got as { train: Int32Array; test: Int32Array }[];
    const want = c.expected.folds as { train: number[]; test: number[] }[];
    expect(folds.length).toBe(want.length);
    folds.forEach((f, i) => {
      expect(Array.from(f.test), `fold ${i} test`).toEqual(want[i].test);
      expect(Array.from(f.train), `fold ${i} train`).toEqual(want[i].train);
    });
    return;
  }
  if (c.kernel === 'indicatorMatrix') {
    const m = got as { data: Float64Array; rows: number; cols: number; index: Float64Array };
    expectColumn(m.index, c.expected.rows as Values, 'rows', true);
    expectColumn(m.data, c.expected.values as Values, 'values', true);
    return;
  }
  if (got instanceof Float64Array) {
    const [[name, want]] = Object.entries(c.expected);
    expectColumn(got, want as Values, name, EXACT.has(name) || c.kernel === 'fixedHorizonLabels' || c.kernel === 'concurrentEvents');
    return;
  }
  const columns = got as Record<string, Float64Array>;
  expect(Object.keys(columns).sort()).toEqual(Object.keys(c.expected).sort());
  for (const [name, want] of Object.entries(c.expected)) expectColumn(columns[name], want as Values, name, EXACT.has(name));
}

/**
 * The sequential bootstrap's draws: their mean uniqueness over 200 seeds equals mlfinlab's Monte Carlo
 * within three standard errors of the two, and is above a standard bootstrap's.
 */
function expectBootstrap(k: Kernels, indicator: { data: Float64Array; rows: number; cols: number }, c: Case): void {
  const e = c.expected as Record<string, number>;
  const draws = e.draws;
  const uniqueness = (cols: Int32Array) => {
    let sum = 0;
    let count = 0;
    for (let r = 0; r < indicator.rows; r++) {
      let concurrency = 0;
      for (const j of cols) concurrency += indicator.data[r * indicator.cols + j];
      for (const j of cols) {
        if (indicator.data[r * indicator.cols + j] > 0) {
          sum += 1 / concurrency;
          count++;
        }
      }
    }
    return sum / count;
  };
  let total = 0;
  let squares = 0;
  for (let seed = 0; seed < draws; seed++) {
    const u = uniqueness(k.sequentialBootstrap(indicator, { seed }));
    total += u;
    squares += u * u;
  }
  const mean = total / draws;
  const stderr = Math.sqrt((squares / draws - mean * mean) / (draws - 1));
  expect(Math.abs(mean - e.sequentialMean)).toBeLessThan(3 * Math.hypot(stderr, e.sequentialStderr));
  expect(mean).toBeGreaterThan(e.standardMean + 3 * e.standardStderr);
}

describe('the labeling family as mlfinlab computes it [reference]', () => {
  it('the fixture holds every kernel of the family', () => {
    expect(new Set(fixture.cases.map((c) => c.kernel)).size).toBe(16);
  });
  const ref = kernels({ backend: 'reference' });
  for (const c of fixture.cases) it(`${c.kernel}: ${c.name}`, () => expectMlfinlab(ref, c));
});

describeEachBackend(
  'the labeling family as mlfinlab computes it',
  (k, _name, supports) => {
    for (const c of fixture.cases) it.runIf(supports(c.kernel as never))(`${c.kernel}: ${c.name}`, () => expectMlfinlab(k, c));
  },
  'labeling',
);
