/**
 * What native vpin() keeps of its bars (issue 52): prepare() keeps each bar's price change (or buy
 * fraction) and volume, and the times of the bars where a bucket opens or completes; commit() pours from
 * those, its buy fractions under one sigma through a memo of the price changes' values (a tick grid's
 * changes take few values), and the kept blocks go back to a spare that the next call reuses. These
 * tests hold the buckets to the reference where each of those can go wrong: tapes on a grid, off it,
 * leaving it partway (the memo turns itself off), with more distinct changes than the memo's slots,
 * with a bucket completing in every bar (every bar an edge) and bars of no volume; and a call after a
 * larger one, a smaller one or one that failed.
 */
import { expect, it } from 'vitest';
import type { Trades, VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectVpinClose, tolerance } from '../helpers/compare.js';
import { centGrid, walk } from '../helpers/trades.js';

/** 20,000 cent-grid trades, ~100 a second: 10 ms bars give about 14,500 bars (14 chunks of 1024). */
const grid = centGrid(20_000, 21, 0.45);
const offGrid = walk(20_000, 22, 10);

/** `a`'s first half, then `b`'s prices moved to continue it (times kept increasing). */
function joined(a: Trades, b: Trades): Trades {
  const half = a.ts.length / 2;
  const ts = Float64Array.from([...a.ts.subarray(0, half), ...b.ts.subarray(half).map((t) => t - b.ts[half] + a.ts[half - 1] + 5)]);
  const shift = a.price[half - 1] - b.price[half];
  const price = Float64Array.from([...a.price.subarray(0, half), ...b.price.subarray(half).map((p) => p + shift)]);
  return { ts, price, volume: Float64Array.from([...a.volume.subarray(0, half), ...b.volume.subarray(half)]) };
}

/** The grid tape with jumps of up to 40 dollars: thousands of distinct changes, more than the memo's 512 slots. */
const wide: Trades = { ...grid, price: grid.price.map((p, i) => p + ((i * 7919) % 4001) - 2000) };
/** The grid tape with every third trade of no volume (bars of no volume among them). */
const idle: Trades = { ...grid, volume: grid.volume.map((v, i) => (i % 3 === 0 ? 0 : v)) };

const base: VpinOptions = { bucketVolume: 3_000, barMs: 10, window: 10 };
const CASES: [string, Trades, VpinOptions][] = [
  ['on a grid, sample sigma', grid, base],
  ['on a grid, fixed sigma, Student t', grid, { ...base, sigma: 0.02, distribution: { studentT: 3 } }],
  ['on a grid, intra-bar changes', grid, { ...base, priceChange: 'intra' }],
  ['off a grid', offGrid, base],
  ['on a grid, then off it', joined(grid, offGrid), base],
  ['off a grid, then on it', joined(offGrid, grid), base],
  ['more distinct changes than slots', wide, base],
  ['a bucket completing in every bar', grid, { ...base, bucketVolume: 20 }],
  ['bars of no volume', idle, base],
  ['bars of no volume, tick rule', idle, { ...base, classifier: 'tick' }],
];

describeEachBackend(
  "vpin()'s kept bars",
  (k, name, supports) => {
    const rtol = tolerance(name, 'vpin');
    it.runIf(supports('vpin'))('equal the reference on and off a price grid, at every edge', () => {
      for (const [label, trades, options] of CASES) {
        const expected = ref.vpin(trades, options);
        expect(expected.vpin.length, label).toBeGreaterThan(20);
        try {
          expectVpinClose({ ...k.vpin(trades, options) }, { ...expected }, { bucketVolume: options.bucketVolume ?? 1 }, rtol);
        } catch (e) {
          throw new Error(`${label}: ${(e as Error).message}`);
        }
      }
    });

    it.runIf(supports('vpin'))('a call after a larger one, a smaller one or a failed one gives the buckets it gives alone', () => {
      const small = { ts: grid.ts.subarray(0, 5_000), price: grid.price.subarray(0, 5_000), volume: grid.volume.subarray(0, 5_000) };
      const large = centGrid(200_000, 23, 0.45);
      const alone = k.vpin(small, base);
      const afterSmall = k.vpin(large, base);
      expectVpinClose({ ...afterSmall }, { ...ref.vpin(large, base) }, { bucketVolume: 3_000 }, rtol);
      expect(k.vpin(small, base)).toEqual(alone);
      const bad = { ts: large.ts.slice(), price: large.price, volume: large.volume };
      bad.ts[150_000] = Number.NaN;
      expect(() => k.vpin(bad, base)).toThrow(/ts/);
      expect(k.vpin(small, base)).toEqual(alone);
      expect(k.vpin(large, base)).toEqual(afterSmall);
    });
  },
  'vpin',
);
