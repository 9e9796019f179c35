/**
 * A synchronous native call whose output has at most 8 values writes into the kernel's own off-heap
 * array and returns a fresh copy (src/backends/native/index.ts ON_HEAP_VALUES): every size up to it and
 * one past it equals the reference, and no two results share memory.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { kernels, matrix } from '../../src/index.js';
import { inCI } from '../helpers/backends.js';

const suite = loadNative().binding || inCI ? describe : describe.skip;

suite('small native outputs', () => {
  it('are fresh arrays with the reference values, sizes 0 to 9', () => {
    const native = kernels({ backend: 'native' });
    const reference = kernels({ backend: 'reference' });
    const results: Float64Array[] = [];
    for (let n = 0; n <= 9; n++) {
      const x = Float64Array.from({ length: n }, (_, i) => (i - 4) / 3 + n / 10);
      const got = native.normalCdf(x);
      expect(Array.from(got)).toEqual(Array.from(reference.normalCdf(x)));
      results.push(got);
    }
    const before = results.map((r) => Array.from(r));
    native.normalCdf(Float64Array.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5)); // writes the kernel's own array again
    expect(results.map((r) => Array.from(r))).toEqual(before);
    const buffers = new Set(results.filter((r) => r.length > 0).map((r) => r.buffer));
    expect(buffers.size).toBe(9);
  });
});

suite('small native inputs', () => {
  it("are read from a copy: the reference values, two small inputs in one call, the caller's arrays untouched", () => {
    const native = kernels({ backend: 'native' });
    const reference = kernels({ backend: 'reference' });
    for (let n = 1; n <= 9; n++) {
      // a covariance of n x n and n weights: two small inputs of one call (n <= 2), then larger ones
      const cov = native.covariance(
        matrix(
          Float64Array.from({ length: 6 * n }, (_, i) => Math.sin(i * 1.7 + n) / 50),
          6,
          n,
        ),
      );
      const weights = Float64Array.from({ length: n }, (_, i) => (i + 1) / ((n * (n + 1)) / 2));
      const kept = Array.from(weights);
      expect(native.portfolioVolatility(cov, weights)).toBe(reference.portfolioVolatility(cov, weights));
      expect(Array.from(weights)).toEqual(kept);
      const x = Float64Array.from({ length: n }, (_, i) => i / 4 - 1);
      expect(Array.from(native.normalCdf(x))).toEqual(Array.from(reference.normalCdf(x)));
      expect(Array.from(x)).toEqual(Array.from({ length: n }, (_, i) => i / 4 - 1));
    }
  });
});
