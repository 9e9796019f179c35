/**
 * Parity of the special functions over arrays: every backend against the reference (the spec's
 * scalar functions) on random values and edge values, and every backend against mpmath's values
 * (test/fixtures/special-values.json, scripts/special-values.py) where the reference's accuracy is
 * stated (test/special/reference.test.ts). The tolerances follow from those bounds: two functions that
 * are each within B of the true value differ by at most 2B.
 * - normalCdf, normalSf, normalPdf, normalQuantile: the same formulas in TS and C++, where V8's and
 *   glibc's exp/log may differ in the last bit, amplified by the function's condition number (|x| at
 *   most 40 in the tails the fixture checks): 1e-14 relative, within 2B of the reference's 1e-15 bound
 *   times that amplification.
 * - studentTCdf: each within 1e-14 relative of mpmath where the value is >= 1e-300, and within
 *   1e-14 relative + 1e-322 below that (a subnormal keeps only its normal digits): 2e-14 + 2e-322.
 * - studentTQuantile: each within 2e-15 relative of mpmath for nu >= 1 and 1e-14 for nu < 1, where the
 *   quantile amplifies the CDF's rounding by about 1/nu: 4e-15 and 2e-14.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeEachBackend, ref } from '../helpers/backends.js';

const RTOL = 1e-14;
const EDGES = [
  0,
  -0,
  1,
  -1,
  0.66291,
  -0.66291,
  0.6629,
  5.656854249492380195,
  -5.656854249492381,
  5,
  -5,
  37,
  -37,
  -38.5,
  -38.85,
  38.85,
  -39.5,
  40,
  1e-310,
  -1e-310,
  5e-324,
  1e300,
  -1e300,
  Infinity,
  -Infinity,
  NaN,
];
const PROBS = [0, 1, 0.5, 0.025, 0.975, 1e-300, 5e-324, 1 - 2 ** -53, 0.075, 0.925, -0.1, 1.1, NaN];
const NUS = [0.1, 0.5, 1, 1.5, 2, 3, 4, 5, 10, 30, 1e3, 1e6, 1e30, Infinity];

/** [x, Phi(x) hi, lo, 1 - Phi(x) hi, lo, phi(x) hi, lo] rows of the mpmath fixture (test/special/reference.test.ts). */
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/special-values.json', import.meta.url), 'utf8'));
const NORMAL: number[][] = FIXTURE.normal;
/** [p, nu, t hi, lo] rows of the mpmath fixture. */
const T_QUANTILE: number[][] = FIXTURE.studentTQuantile;

/** The largest relative error of `values` against the fixture's hi + lo columns, over the rows kept. */
function worstAgainstFixture(values: Float64Array, rows: number[][], hi: number): number {
  let worst = 0;
  rows.forEach((r, i) => {
    const exact = r[hi] + r[hi + 1];
    if (values[i] !== r[hi] || r[hi + 1] !== 0) worst = Math.max(worst, Math.abs((values[i] - r[hi] - r[hi + 1]) / exact));
  });
  return worst;
}

/** Twice the accuracy of the reference's Student t functions against mpmath (see the module's comment). */
const studentTCdfTol = 2e-14;
const studentTQuantileTol = (nu: number) => (nu >= 1 ? 4e-15 : 2e-14);
/** An absolute floor for values below the normal range (2 x 1e-322: a subnormal's lost digits). */
const SUBNORMAL_FLOOR = 2e-322;

function expectClose(actual: Float64Array, expected: Float64Array, input: Float64Array, label: string, rtol = RTOL, floor = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= rtol * Math.max(Math.abs(a), Math.abs(e)) + floor)) expect.fail(`${label}(${input[i]}): ${a} vs ${e}`);
  }
}

/** The largest relative error of `values` against the fixture's rows [input, nu, hi, lo], over the rows given. */
function worstAgainst(values: Float64Array, rows: number[][]): { worst: number; at: number[] } {
  let worst = 0;
  let at: number[] = [];
  rows.forEach((r, i) => {
    const exact = r[2] + r[3];
    const e = values[i] === r[2] && r[3] === 0 ? 0 : Math.abs((values[i] - r[2] - r[3]) / exact);
    if (e > worst) {
      worst = e;
      at = r;
    }
  });
  return { worst, at };
}

const values = fc.float64Array({ minLength: 0, maxLength: 200 }).map((xs) => xs.map((x) => (Math.abs(x) > 1e3 ? x % 60 : x)));
const probs = fc.float64Array({ minLength: 0, maxLength: 200, min: 0, max: 1, noNaN: true });

describeEachBackend(
  'special functions parity',
  (k) => {
    for (const name of ['normalCdf', 'normalSf', 'normalPdf'] as const) {
      it(`${name}: random and edge values match the reference`, () => {
        expectClose(k[name](Float64Array.from(EDGES)), ref[name](Float64Array.from(EDGES)), Float64Array.from(EDGES), name);
        fc.assert(
          fc.property(values, (x) => expectClose(k[name](x), ref[name](x), x, name)),
          { numRuns: 100 },
        );
      });
    }

    it('normalCdf, normalSf, normalPdf against mpmath: the bounds of the reference (<= 1e-15 relative down to Phi(-37))', () => {
      const rows = NORMAL.filter((r) => Math.abs(r[0]) <= 37);
      const x = Float64Array.from(rows, (r) => r[0]);
      expect(rows.length).toBeGreaterThan(1000);
      expect(worstAgainstFixture(k.normalCdf(x), rows, 1)).toBeLessThanOrEqual(1e-15);
      expect(worstAgainstFixture(k.normalSf(x), rows, 3)).toBeLessThanOrEqual(1e-15);
      expect(worstAgainstFixture(k.normalPdf(x), rows, 5)).toBeLessThanOrEqual(1e-15);
    });

    it('normalQuantile: random and edge probabilities match the reference', () => {
      const edges = Float64Array.from(PROBS);
      expectClose(k.normalQuantile(edges), ref.normalQuantile(edges), edges, 'normalQuantile');
      fc.assert(
        fc.property(probs, (p) => expectClose(k.normalQuantile(p), ref.normalQuantile(p), p, 'normalQuantile')),
        { numRuns: 100 },
      );
    });

    it('studentTCdf and studentTQuantile: nu from 0.1 to 1e30 and Infinity, random and edge values', () => {
      const x = Float64Array.from([...EDGES, -1e3, 1e3, 0.3, -12]);
      const p = Float64Array.from(PROBS);
      const cdf = (t: Float64Array, nu: number) =>
        expectClose(k.studentTCdf(t, nu), ref.studentTCdf(t, nu), t, `studentTCdf nu=${nu}`, studentTCdfTol, SUBNORMAL_FLOOR);
      const quantile = (q: Float64Array, nu: number) =>
        expectClose(k.studentTQuantile(q, nu), ref.studentTQuantile(q, nu), q, `studentTQuantile nu=${nu}`, studentTQuantileTol(nu));
      for (const nu of NUS) {
        cdf(x, nu);
        quantile(p, nu);
      }
      fc.assert(
        fc.property(values, probs, fc.double({ min: 0.1, max: 1e6, noNaN: true }), (t, q, nu) => {
          cdf(t, nu);
          quantile(q, nu);
        }),
        { numRuns: 60 },
      );
    });

    it("studentTQuantile against mpmath in its tails (p from 5e-324 to 1e-3) and beyond: the reference's bounds", () => {
      for (const [label, keep, bound, tails] of [
        ['nu >= 1', (r: number[]) => r[1] >= 1, 2e-15, 300],
        ['nu < 1', (r: number[]) => r[1] < 1, 1e-14, 20],
      ] as const) {
        const rows = T_QUANTILE.filter(keep);
        const byNu = new Map<number, number[][]>();
        for (const r of rows) byNu.set(r[1], [...(byNu.get(r[1]) ?? []), r]);
        let worst = { worst: 0, at: [] as number[] };
        for (const [nu, group] of byNu) {
          const w = worstAgainst(
            k.studentTQuantile(
              Float64Array.from(group, (r) => r[0]),
              nu,
            ),
            group,
          );
          if (w.worst > worst.worst) worst = w;
        }
        expect(rows.filter((r) => r[0] <= 1e-3).length, label).toBeGreaterThan(tails);
        expect(worst.worst, `${label}: worst at p = ${worst.at[0]}, nu = ${worst.at[1]}`).toBeLessThanOrEqual(bound);
      }
    });

    it('reads subarray and SharedArrayBuffer views in place; the scalar form equals the array form', () => {
      const shared = new Float64Array(new SharedArrayBuffer(8 * 12)).fill(NaN);
      shared.set([-3, -1, 0, 1, 3], 4);
      const view = shared.subarray(4, 9);
      expectClose(k.normalCdf(view), ref.normalCdf(Float64Array.from([-3, -1, 0, 1, 3])), view, 'normalCdf');
      expect(k.normalCdf(view)[2]).toBe(0.5);
      expect(k.normalCdf(-1)).toBe(ref.normalCdf(Float64Array.of(-1))[0]);
      expect(() => k.studentTCdf(view, 0)).toThrow('nu: expected a number > 0');
      expect(() => k.normalCdf([1, 2] as never)).toThrow('x: expected a Float64Array, got an Array of length 2');
    });
  },
  'special',
);
