/**
 * The `out` option of covariance() and of the mean-variance optimizers: a result of an earlier call of
 * the same shape comes back with its buffer filled with the values of a fresh call, on the reference and
 * on every backend, sync and async, one problem and a batch, through the covariance test's paths
 * (its own test, checkPsd, the repair); anything else is a KernelInputError naming `options.out`.
 */
import { describe, expect, it } from 'vitest';
import { stackCovariances } from '../../src/api/index.js';
import { KernelInputError, type Kernels, type Matrix } from '../../src/index.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

const N = 6;

/** A seeded T x N panel of returns with its asset names. */
function returns(seed: number, T = 120): Matrix {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const data = Float64Array.from({ length: T * N }, (_, i) => 0.02 * rand() + 0.004 * ((i % N) - 2) * rand());
  return { data, rows: T, cols: N, columns: ['A', 'B', 'C', 'D', 'E', 'F'] };
}

const mean = Float64Array.from({ length: N }, (_, i) => 0.0004 * (i + 1));

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

/** The buffer behind a result's first array (its weights, or a covariance's data). */
const bufferOf = (result: { weights?: unknown; data?: unknown }) =>
  (((result.weights as Matrix | undefined)?.data ?? result.weights ?? result.data) as Float64Array).buffer;

function fails(f: () => unknown, actual: string, wanted: string): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KernelInputError);
  expect((error as KernelInputError).message).toBe(`options.out: expected ${wanted}, got ${actual}`);
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
    fails(() => k.covariance(r, { out: { data: new Float64Array(N * N), rows: N, cols: N } }), 'cov not at value 0 of one buffer of 37', wanted);
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

  it.runIf(supports('minVariance', 'maxSharpe', 'efficientReturn'))(
    'the optimizers: fill a result of an earlier call, one problem and a batch, sync and async',
    async () => {
      const cov = ref.covariance(returns(3));
      const other = ref.covariance(returns(9));
      const first = k.minVariance(cov);
      const again = k.minVariance(other, { out: first, bounds: { upper: 0.4 } });
      expect(bufferOf(again)).toBe(bufferOf(first));
      expect(plain(again)).toEqual(plain(k.minVariance(other, { bounds: { upper: 0.4 } })));
      // through checkPsd (assumePsd skips it, repair repairs)
      for (const opts of [{ assumePsd: true }, { repair: true }]) {
        expect(plain(k.minVariance(cov, { ...opts, out: first }))).toEqual(plain(k.minVariance(cov, opts)));
      }
      const sharpe = k.maxSharpe(mean, cov);
      expect(plain(k.maxSharpe(mean, other, { out: sharpe, riskFree: 0.0001 }))).toEqual(
        plain(k.maxSharpe(mean, other, { riskFree: 0.0001 })),
      );
      expect(bufferOf(await k.maxSharpeAsync(mean, cov, { out: sharpe }))).toBe(bufferOf(sharpe));
      expect(plain(sharpe)).toEqual(plain(k.maxSharpe(mean, cov)));
      // a batch of 2: P x N weights
      const stack = stackCovariances([cov, other]);
      const batch = k.efficientReturn(mean, stack, Float64Array.of(0.0012, 0.0015));
      const refilled = await k.efficientReturnAsync(mean, stack, Float64Array.of(0.001, 0.0014), { out: batch });
      expect(bufferOf(refilled)).toBe(bufferOf(batch));
      expect(plain(refilled)).toEqual(plain(k.efficientReturn(mean, stack, Float64Array.of(0.001, 0.0014))));
    },
  );

  it.runIf(supports('minVariance'))('the optimizers: refuse anything but such a result, naming options.out', () => {
    const cov = ref.covariance(returns(3));
    const wanted = 'a result of minVariance() of the same shape, its arrays as returned (views of one buffer of 8 values)';
    const first = k.minVariance(cov);
    fails(() => k.minVariance(cov, { out: { ...first, weights: new Float64Array(N) } }), 'weights not at value 0 of one buffer of 8', wanted);
    fails(() => k.minVariance(cov, { out: { ...first, volatility: undefined } as never }), 'volatility: undefined', wanted);
    // the numbers' places are the buffer's only when the buffer is the result's alone
    const room = new Float64Array(20);
    fails(
      () => k.minVariance(cov, { out: { weights: room.subarray(0, N), volatility: 0, iterations: 0 } }),
      'volatility as a number, its arrays in a buffer of 20 values',
      wanted,
    );
    const five = k.minVariance(ref.covariance({ data: returns(3).data.subarray(0, 100), rows: 20, cols: 5 }));
    fails(() => k.minVariance(cov, { out: five }), 'weights not at value 0 of one buffer of 8', wanted);
    // a covariance over the result's buffer
    const shared = new Float64Array(N * N + 2);
    shared.set(cov.data);
    const overlapping = { weights: shared.subarray(0, N), volatility: 0, iterations: 0 };
    fails(
      () => k.minVariance({ data: shared.subarray(0, N * N), rows: N, cols: N }, { out: overlapping as never }),
      'volatility as a number, its arrays in a buffer of 38 values',
      wanted,
    );
    expect(() => k.efficientFrontier(mean, cov, { out: first } as never)).toThrow(/only the options/);
  });
}

describe('out option [reference]', () => suite(ref, () => true));
describeEachBackend('out option', (k, _name, supports) => suite(k, supports));
