/**
 * The trade readers' missing-value check in native code (native/kernels/nan_scan.cpp, binding firstNaN):
 * the first NaN of any kind (quiet, signalling, negative) at any place, block edges included; infinities
 * and the largest numbers are not NaN; views at offsets read in place.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { mulberry32 } from '../../src/math/mulberry32.js';

const binding = loadNative().binding;
const jsFirstNaN = (v: Float64Array) => v.findIndex((x) => Number.isNaN(x));

describe.skipIf(!binding && !process.env.CI)('firstNaN (native)', () => {
  it('finds the first NaN of every kind where the plain loop does, over random places and block edges', () => {
    const r = mulberry32(5);
    const nans = [Number.NaN, -Number.NaN];
    const bits = new BigUint64Array([0x7ff0000000000001n, 0xfff8000000000000n, 0x7fffffffffffffffn]); // signalling, negative, all ones
    nans.push(...new Float64Array(bits.buffer));
    for (const n of [0, 1, 511, 512, 513, 1024, 5000]) {
      const base = Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6);
      if (n > 2) base.set([Infinity, -Infinity, Number.MAX_VALUE], 0);
      expect(binding!.firstNaN(base)).toBe(-1);
      for (const at of new Set([0, n - 1, 511, 512, 1023, Math.floor(r() * n)].filter((i) => i >= 0 && i < n))) {
        for (const nan of nans) {
          const v = base.slice();
          v[at] = nan;
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
