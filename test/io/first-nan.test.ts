/**
 * The trade readers' missing-value check in native code (native/kernels/nan_scan.cpp, binding firstNaN):
 * the first NaN of any kind (quiet, signalling, negative) at any place, block edges included; infinities
 * and the largest numbers are not NaN; views at offsets read in place. And columnSum, the same file's
 * total of a column (`kernelbus vpin`'s default bucket volume): whole numbers exactly, the same bits on
 * one thread and two, NaN and infinities as a sum has them.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { ODD_BITS, putBits } from './odd-trades.js';

const binding = loadNative().binding;
const jsFirstNaN = (v: Float64Array) => v.findIndex((x) => Number.isNaN(x));

describe.skipIf(!binding && !process.env.CI)('firstNaN (native)', () => {
  it('finds the first NaN of every kind where the plain loop does, over random places and block edges', () => {
    const r = mulberry32(5);
    // the NaNs of odd-trades.ts (quiet, negative, signalling next to Infinity's bits of both signs, all
    // ones), written through an integer view: a JavaScript number may not keep their bits
    const nans = ODD_BITS.filter((b) => (b & 0x7fffffffffffffffn) > 0x7ff0000000000000n);
    expect(nans).toHaveLength(5);
    for (const n of [0, 1, 511, 512, 513, 1024, 5000]) {
      const base = Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6);
      if (n > 2) base.set([Infinity, -Infinity, Number.MAX_VALUE], 0);
      expect(binding!.firstNaN(base)).toBe(-1);
      for (const at of new Set([0, n - 1, 511, 512, 1023, Math.floor(r() * n)].filter((i) => i >= 0 && i < n))) {
        for (const nan of nans) {
          const v = base.slice();
          putBits(v, at, nan);
          if (at + 7 < n) v[at + 7] = Number.NaN; // a later one does not count
          expect(binding!.firstNaN(v), `n ${n} at ${at}`).toBe(jsFirstNaN(v));
          expect(binding!.firstNaN(v.subarray(1)), `view, n ${n} at ${at}`).toBe(jsFirstNaN(v.subarray(1)));
        }
      }
    }
    expect(() => binding!.firstNaN([1, Number.NaN] as never)).toThrow('values: expected a Float64Array');
  });

  it('over many chunks of 2^18 values (shared between threads): the lowest NaN wins, wherever the others lie', () => {
    const chunk = 2 ** 18;
    const n = 5 * chunk + 3;
    const v = new Float64Array(n).fill(1);
    expect(binding!.firstNaN(v)).toBe(-1);
    for (const at of [0, chunk - 1, chunk, 2 * chunk + 511, 4 * chunk + 512, n - 1]) {
      const w = v.slice();
      w[at] = Number.NaN;
      for (const later of [at + 1, at + chunk, n - 1]) if (later < n) w[later] = Number.NaN;
      expect(binding!.firstNaN(w), `at ${at}`).toBe(at);
      expect(binding!.firstNaN(w.subarray(1)), `view at ${at}`).toBe(jsFirstNaN(w.subarray(1)));
    }
  });
});

describe.skipIf(!binding && !process.env.CI)('columnSum (native)', () => {
  const chunk = 2 ** 18;
  const exact = (v: Float64Array) => Number(v.reduce((s, x) => s + BigInt(x), 0n));

  it('adds whole numbers exactly at every length around its lanes and chunks, views in place', () => {
    const r = mulberry32(9);
    for (const n of [0, 1, 7, 8, 9, 15, 17, chunk - 1, chunk, chunk + 1, 3 * chunk + 5]) {
      const v = Float64Array.from({ length: n }, () => Math.floor(r() * 1e6));
      expect(binding!.columnSum(v), `n ${n}`).toBe(exact(v));
      expect(binding!.columnSum(v.subarray(3)), `view, n ${n}`).toBe(exact(v.subarray(3)));
    }
  });

  it('is within 1e-12 of the plain loop on fractions, and the same bits on one thread and two', () => {
    const r = mulberry32(10);
    const v = Float64Array.from({ length: 5 * chunk + 11 }, () => r() * 100);
    let plain = 0;
    for (const x of v) plain += x;
    const sums = [1, 2, 0].map((threads) => {
      binding!.setThreads(threads);
      return binding!.columnSum(v);
    });
    expect(Math.abs(sums[0] - plain)).toBeLessThan(1e-12 * plain);
    expect(sums[1]).toBe(sums[0]);
    expect(sums[2]).toBe(sums[0]);
  });

  it('is NaN with a NaN, an infinity with one, and refuses what is not a Float64Array', () => {
    const v = new Float64Array(chunk * 2 + 1).fill(2);
    v[chunk + 5] = Number.NaN;
    expect(binding!.columnSum(v)).toBeNaN();
    v[chunk + 5] = Number.POSITIVE_INFINITY;
    expect(binding!.columnSum(v)).toBe(Number.POSITIVE_INFINITY);
    expect(() => binding!.columnSum([1, 2] as never)).toThrow('values: expected a Float64Array');
  });
});
