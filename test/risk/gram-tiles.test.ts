/**
 * covariance()'s native sweeps by register tiles (native/kernels/risk/risk_gram.cpp): the reference's
 * bits at the tiles' edges, which the parity suite's panels (up to 12 columns) do not reach: columns
 * fewer than a tile, a multiple of one and one past (4, 8 and 24 wide at the three vector levels), rows
 * not a multiple of a tile's four nor of the 64-row blocks, one column, and rows with NaN left out.
 * Every method whose sums are the sweeps' and whose other operations round alike (the adjusted EWMA's
 * weights come from pow, an ulp apart from V8's: not here).
 */
import { expect, it } from 'vitest';
import type { CovarianceOptions, Matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

/** A seeded rows x cols panel of returns, every 17th row holding a NaN when `gaps`. */
function panel(rows: number, cols: number, seed: number, gaps: boolean): Matrix {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const data = Float64Array.from({ length: rows * cols }, (_, k) => 0.02 * rand() + 0.001 * (k % cols) * rand());
  if (gaps) for (let t = 5; t < rows; t += 17) data[t * cols + (t % cols)] = Number.NaN;
  return { data, rows, cols };
}

/** The first index where the two arrays' bits differ (Object.is), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

const METHODS: CovarianceOptions[] = [
  { method: 'sample' },
  { method: 'semi', benchmark: 0.001 },
  { method: 'ewma', lambda: 0.94, adjust: false },
  { method: 'ledoit-wolf-constant-correlation' },
  { method: 'ledoit-wolf-single-factor' },
];

describeEachBackend('covariance by register tiles', (k, name, supports) => {
  it.runIf(name === 'native' && supports('covariance'))('the reference bits at every tile edge', () => {
    for (const cols of [1, 3, 4, 5, 8, 9, 23, 24, 25, 47, 49, 73]) {
      for (const rows of [2, 63, 64, 65, 130]) {
        for (const gaps of [false, true]) {
          const returns = panel(rows, cols, rows * 1000 + cols, gaps);
          for (const options of METHODS) {
            const a = k.covariance(returns, options);
            const e = ref.covariance(returns, options);
            const at = `${rows} x ${cols}${gaps ? ' with NaN rows' : ''}, ${JSON.stringify(options)}`;
            expect(firstDifference(a.data, e.data), at).toBe(-1);
            expect(Object.is(a.shrinkage ?? Number.NaN, e.shrinkage ?? Number.NaN), at).toBe(true);
          }
        }
      }
    }
  });
});
