/**
 * The book's purged folds ('afml', the default) by their definition, on seeded events of overlapping
 * spans (NaN ends among them): for every fold of purgedKFold and combinatorialPurgedKFold, the test set
 * is its blocks of numpy's array_split sizes, in itertools.combinations' order; no train event overlaps
 * a test event ([t0, t1] closed, a NaN t1 open to the end); no train event lies in the embargo after a
 * test block; and every other event is in train (nothing purged that need not be). mlfinlab's own split
 * is test/labeling/mlfinlab.test.ts'.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import type { Fold } from '../../src/kernels/labeling/folds-kernels.js';
import { describeEachBackend } from '../helpers/backends.js';

/** m events at increasing minutes, each spanning 0 to `span` minutes on, NaN ends now and then. */
function events(seed: number, m: number, span: number) {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const t0 = new Float64Array(m);
  const t1 = new Float64Array(m);
  let t = 1.7e12;
  for (let i = 0; i < m; i++) {
    t += 60_000 * (1 + Math.floor(u() * 3));
    t0[i] = t;
    t1[i] = u() < 0.05 ? NaN : t + 60_000 * Math.floor(u() * span);
  }
  return { t0, t1 };
}

/** numpy's array_split of m into k blocks. */
function blocks(m: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let b = 0, start = 0; b < k; b++) {
    const end = start + Math.floor(m / k) + (b < m % k ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** itertools.combinations(range(n), k). */
function combinations(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++)
    for (const rest of combinations(n - first - 1, k - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  return out;
}

/** The folds' definition checked against `folds` (see the module's comment). */
function expectBookFolds(
  e: { t0: Float64Array; t1: Float64Array },
  folds: Fold[],
  splits: number,
  testSplits: number,
  embargo: number,
): void {
  const m = e.t0.length;
  const parts = blocks(m, splits);
  const combos = combinations(splits, testSplits);
  expect(folds.length).toBe(combos.length);
  const end = (i: number) => (Number.isNaN(e.t1[i]) ? Infinity : e.t1[i]);
  const h = Math.floor(m * embargo);
  folds.forEach((fold, f) => {
    const test = combos[f].flatMap((b) => Array.from({ length: parts[b][1] - parts[b][0] }, (_, j) => parts[b][0] + j));
    expect(Array.from(fold.test)).toEqual(test);
    const tested = new Set(test);
    const embargoed = new Set(combos[f].flatMap((b) => Array.from({ length: h }, (_, j) => parts[b][1] + j)));
    const train = new Set(fold.train);
    for (let j = 0; j < m; j++) {
      if (tested.has(j)) {
        expect(train.has(j), `fold ${f}: test event ${j} in train`).toBe(false);
        continue;
      }
      const overlaps = test.some((i) => e.t0[j] <= end(i) && e.t0[i] <= end(j));
      expect(train.has(j), `fold ${f}: event ${j} (overlaps ${overlaps}, embargoed ${embargoed.has(j)})`).toBe(
        !overlaps && !embargoed.has(j),
      );
    }
  });
}

const CASES = [
  // [seed, events, span in minutes, splits, testSplits, embargo]
  [1, 120, 10, 3, 1, 0],
  [2, 200, 30, 5, 1, 0.02],
  [3, 57, 4, 4, 2, 0],
  [4, 150, 25, 6, 2, 0.05],
  [5, 40, 60, 5, 3, 0.1],
] as const;

function suite(k: ReturnType<typeof kernels>): void {
  for (const [seed, m, span, splits, testSplits, embargo] of CASES) {
    it(`${m} events spanning up to ${span} min, ${splits} splits, ${testSplits} a test set, embargo ${embargo}`, () => {
      const e = events(seed, m, span);
      const folds =
        testSplits === 1 ? k.purgedKFold(e, { splits, embargo }) : k.combinatorialPurgedKFold(e, { splits, testSplits, embargo });
      expectBookFolds(e, folds, splits, testSplits, embargo);
      // the purge is not empty: spans overlap across the blocks' edges
      expect(folds.some((f) => f.train.length + f.test.length < m)).toBe(true);
    });
  }
}

describe('purged folds by the book [reference]', () => suite(kernels({ backend: 'reference' })));
describeEachBackend('purged folds by the book', (k) => suite(k), 'labeling');
