/**
 * The labeling kernels on every backend against the reference: seeded inputs from the descriptors'
 * samples (views at offsets, SharedArrayBuffer views, empty series, overnight gaps, NaN closes), and
 * edge cases (flat windows, one bar, ties at the threshold), synchronously and through `<name>Async`.
 * The same bits: the native kernels follow the reference's order of operations, logs and exps through
 * src/math's (fdlibm's log, Cody-Waite's exp) on both sides.
 */
import { describe, expect, it } from 'vitest';
import { LABELING_KERNELS } from '../../src/kernels/labeling/labeling-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import type { Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const SEEDS = 60;
type Run = (...args: readonly unknown[]) => unknown;
const runOf = (k: Kernels, name: string) => (k as unknown as Record<string, Run>)[name];

/** A result's numbers by path: arrays, a Matrix's data and index, folds' train and test. */
function flatten(result: unknown, path = 'value', out: Record<string, number[]> = {}): Record<string, number[]> {
  if (typeof result === 'number') out[path] = [result];
  else if (result instanceof Float64Array || result instanceof Int32Array) out[path] = Array.from(result);
  else if (Array.isArray(result)) result.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  else if (result && typeof result === 'object') {
    for (const [key, v] of Object.entries(result)) if (v !== undefined) flatten(v, `${path}.${key}`, out);
  }
  return out;
}

/** The same paths and the same bits. */
function expectSame(got: unknown, want: unknown, what: string): number {
  const g = flatten(got);
  const w = flatten(want);
  expect(Object.keys(g), what).toEqual(Object.keys(w));
  let values = 0;
  for (const [path, wv] of Object.entries(w)) {
    expect(g[path].length, `${what} ${path}`).toBe(wv.length);
    values += wv.length;
    for (let i = 0; i < wv.length; i++) if (!Object.is(g[path][i], wv[i])) expect(g[path][i], `${what} ${path}[${i}]`).toBe(wv[i]);
  }
  return values;
}

const SAMPLED = Object.entries(LABELING_KERNELS).filter(([, spec]) => 'sample' in spec) as [
  string,
  { sample: (s: Sampler) => unknown[] },
][];

const minute = (n: number) => Float64Array.from({ length: n }, (_, i) => 1.7e12 + 60_000 * i);

/** Edge cases the samples rarely draw, as [kernel, args]. */
const EDGES: [string, unknown[]][] = [
  // flat and exactly linear windows: zero residuals (t = 0, or +-Infinity)
  [
    'trendScanningLabels',
    [
      { ts: minute(12), close: new Float64Array(12).fill(100) },
      { lookForward: 8, minSampleLength: 3 },
    ],
  ],
  [
    'trendScanningLabels',
    [
      { ts: minute(12), close: Float64Array.from({ length: 12 }, (_, i) => 100 + 0.25 * i) },
      { lookForward: 8, minSampleLength: 3 },
    ],
  ],
  [
    'trendScanningLabels',
    [
      { ts: minute(12), close: new Float64Array(12).fill(NaN) },
      { lookForward: 6, minSampleLength: 3 },
    ],
  ],
  // a return exactly at the threshold (ln(2) - ln(1)), one bar, no bars
  ['cusumFilter', [{ ts: minute(4), close: Float64Array.of(1, 2, 2, 4) }, { threshold: Math.log(2) }]],
  ['cusumFilter', [{ ts: minute(1), close: Float64Array.of(5) }, { threshold: 0.01 }]],
  ['dailyVolatility', [{ ts: new Float64Array(0), close: new Float64Array(0) }, {}]],
  ['fracDiff', [Float64Array.of(1, NaN, NaN, 4, 5), { d: 1 }]],
  ['fracDiff', [Float64Array.of(3), { d: 0.5 }]],
  [
    'tripleBarrier',
    [
      { ts: minute(5), close: Float64Array.of(100, NaN, 101, 99, 100) },
      { t0: minute(5), target: 0.005, ptSl: [1, 1] },
    ],
  ],
  ['concurrentEvents', [{ ts: minute(3) }, { t0: minute(3), t1: Float64Array.of(NaN, NaN, NaN) }]],
  [
    'purgedKFold',
    [
      { t0: minute(4), t1: minute(4) },
      { splits: 4, embargo: 0.5 },
    ],
  ],
  [
    'combinatorialPurgedKFold',
    [
      { t0: minute(6), t1: Float64Array.of(...minute(6).slice(2), NaN, NaN) },
      { splits: 3, testSplits: 2, convention: 'mlfinlab', embargo: 0.3 },
    ],
  ],
];

describe('labeling edge cases [reference]', () => {
  const k = ref;
  it('a flat window has t = 0, an exactly linear one +-Infinity or the noise of its prices', () => {
    const flat = k.trendScanningLabels(EDGES[0][1][0] as never, EDGES[0][1][1] as never);
    expect(Array.from(flat.tValue.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(flat.label.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    const nan = k.trendScanningLabels(EDGES[2][1][0] as never, EDGES[2][1][1] as never);
    expect(nan.tValue.every(Number.isNaN)).toBe(true);
  });
  it('a sum equal to the threshold does not fire (strict, as mlfinlab)', () => {
    expect(Array.from(k.cusumFilter(EDGES[3][1][0] as never, EDGES[3][1][1] as never))).toEqual([1.7e12 + 180_000]);
  });
  it('an event at a NaN close keeps only a vertical barrier: none here, so it is dropped', () => {
    const r = k.tripleBarrier(EDGES[8][1][0] as never, EDGES[8][1][1] as never);
    expect(Array.from(r.t0)).not.toContain(1.7e12 + 60_000);
  });
});

describeEachBackend(
  'labeling parity',
  (k, _name, supports) => {
    for (const [name, spec] of SAMPLED) {
      it.runIf(supports(name as never))(`${name}: ${SEEDS} seeded inputs, the reference's bits, sync and async`, async () => {
        let values = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
          const args = spec.sample(new Sampler(seed));
          let want: unknown;
          try {
            want = runOf(ref, name)(...args);
          } catch (e) {
            expect(() => runOf(k, name)(...args), `${name} seed ${seed}`).toThrow((e as Error).message);
            continue;
          }
          values += expectSame(runOf(k, name)(...args), want, `${name} seed ${seed}`);
          expectSame(await runOf(k, `${name}Async`)(...args), want, `${name}Async seed ${seed}`);
        }
        expect(values).toBeGreaterThan(SEEDS);
      });
    }
    it.runIf(supports('trendScanningLabels'))("the edge cases: the reference's bits", async () => {
      for (const [name, args] of EDGES) {
        const want = runOf(ref, name)(...args);
        expectSame(runOf(k, name)(...args), want, name);
        expectSame(await runOf(k, `${name}Async`)(...args), want, `${name}Async`);
      }
    });
  },
  'labeling',
);
