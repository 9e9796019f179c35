/**
 * covariance()'s `out` option: a result of an earlier call of the same size comes back with its buffer
 * filled with the values of a fresh call, on the reference and on every backend, sync and async, every
 * method; anything else is a KernelInputError naming `options.out`.
 */
import { describe, expect, it } from 'vitest';
import type { Kernels, Matrix } from '../../src/index.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';
import { inputError } from '../helpers/errors.js';

const N = 6;

/** A seeded T x N panel of returns with its asset names. */
function returns(seed: number, T = 120): Matrix {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const data = Float64Array.from({ length: T * N }, (_, i) => 0.02 * rand() + 0.004 * ((i % N) - 2) * rand());
  return { data, rows: T, cols: N, columns: ['A', 'B', 'C', 'D', 'E', 'F'] };
}

/** Every output of a result as plain numbers (a Matrix's data, a Vector's values). */
function plain(result: object): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(result)
      .filter(([key]) => key !== 'columns' && key !== 'index')
      .map(([key, value]) => [
        key,
        typeof value === 'number' ? [value] : [...(value instanceof Float64Array ? value : (value as Matrix).data)],
      ]),
  );
}

/** `f` throws a KernelInputError naming options.out with this message. */
function fails(f: () => unknown, actual: string, wanted: string): void {
  const error = inputError(f);
  expect(error.argument).toBe('options.out');
  expect(error.message).toBe(`options.out: expected ${wanted}, got ${actual}`);
}

function suite(k: Kernels, supports: Supports): void {
  it.runIf(supports('covariance'))('covariance: fills a result of an earlier call, every method, sync and async', async () => {
    const first = k.covariance(returns(3));
    const buffer = first.data.buffer;
    for (const method of ['sample', 'ewma', 'ledoit-wolf', 'semi'] as const) {
      const again = k.covariance(returns(11), { method, out: first });
      expect(again.data.buffer).toBe(buffer);
      expect(again.columns).toEqual(first.columns);
      expect(plain(again)).toEqual(plain(k.covariance(returns(11), { method })));
    }
    const back = await k.covarianceAsync(returns(5), { out: first });
    expect(back.data.buffer).toBe(buffer);
    expect(plain(back)).toEqual(plain(k.covariance(returns(5))));
  });

  it.runIf(supports('covariance'))('covariance: refuses anything but such a result, naming options.out', () => {
    const r = returns(3);
    const wanted = 'a result of covariance() of the same shape, its arrays as returned (views of one buffer of 37 values)';
    fails(() => k.covariance(r, { out: 5 as never }), '5', wanted);
    // a Matrix of its own (no room for the shrinkage), one of another size
    fails(
      () => k.covariance(r, { out: { data: new Float64Array(N * N), rows: N, cols: N } }),
      'cov over a buffer of 36 values at value 0',
      wanted,
    );
    const inside = new Float64Array(38);
    fails(
      () => k.covariance(r, { out: { data: inside.subarray(1, 37), rows: N, cols: N } }),
      'cov over a buffer of 38 values at value 1',
      wanted,
    );
    fails(() => k.covariance(r, { out: { data: new Float64Array(N * N), rows: N, cols: N + 1 } }), `cov: ${N} x ${N + 1}`, wanted);
    const five = k.covariance({ data: r.data.subarray(0, 100), rows: 20, cols: 5 });
    fails(() => k.covariance(r, { out: five }), 'cov: 5 x 5', wanted);
    // the returns' own buffer
    const over = { data: new Float64Array(37), rows: N, cols: N };
    const overlapping = { data: over.data.subarray(0, 36), rows: 6, cols: N };
    fails(
      () => k.covariance(overlapping, { out: { ...over, data: over.data.subarray(0, 36) } }),
      'an array over an input',
      'a Float64Array of length 37 sharing no memory with the inputs',
    );
  });
}

describe('covariance out [reference]', () => suite(ref, () => true));
describeEachBackend('covariance out', (k, _name, supports) => suite(k, supports));
