/**
 * varBacktest's `out` option: a result of an earlier call of the same shape comes back filled with the
 * values of a fresh call (the same object and arrays), on the reference and on every backend, sync and
 * async, matrix and series, reused across calls with other data; anything else is a KernelInputError
 * naming `options.out`, the same message everywhere.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels, type Matrix } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const T = 300;
const N = 3;

/** A seeded T x N panel of returns (a few NaN) and a VaR of 2 % for each date. */
function panel(seed: number): { returns: Matrix; var_: Matrix } {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const data = Float64Array.from({ length: T * N }, (_, i) => (i % 97 === 5 ? NaN : 0.02 * (rand() - 0.5) * 2.2));
  return { returns: { data, rows: T, cols: N }, var_: { data: new Float64Array(T * N).fill(0.02), rows: T, cols: N } };
}

/** Every output of a result as plain arrays (the exceptions' data for a Matrix). */
function plain(result: object): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(result).map(([key, value]) => [
      key,
      typeof value === 'number' ? [value] : [...(value instanceof Float64Array ? value : (value as Matrix).data)],
    ]),
  );
}

function suite(k: Kernels): void {
  it('fills a result of an earlier call: the same object and arrays, the values of a fresh call (matrix, series, async)', async () => {
    const a = panel(3);
    const b = panel(7);
    const out = k.varBacktest(a.returns, a.var_, { confidence: 0.95 });
    const exceptions = out.exceptions;
    const count = out.count;
    const again = k.varBacktest(b.returns, b.var_, { confidence: 0.99, window: 100, out });
    expect(again).toBe(out);
    expect(again.exceptions).toBe(exceptions);
    expect(again.count).toBe(count);
    expect(plain(again)).toEqual(plain(k.varBacktest(b.returns, b.var_, { confidence: 0.99, window: 100 })));
    const back = await k.varBacktestAsync(a.returns, a.var_, { confidence: 0.95, out });
    expect(back).toBe(out);
    expect(plain(back)).toEqual(plain(k.varBacktest(a.returns, a.var_, { confidence: 0.95 })));
    // one series: exceptions a Float64Array
    const r = a.returns.data.filter((_, i) => i % N === 1);
    const v = new Float64Array(T).fill(0.015);
    const seriesOut = k.varBacktest(r, v, { confidence: 0.9 });
    expect(plain(k.varBacktest(r, v, { confidence: 0.95, out: seriesOut }))).toEqual(plain(k.varBacktest(r, v, { confidence: 0.95 })));
  });

  it('refuses anything but such a result, naming options.out', () => {
    const a = panel(3);
    const out = k.varBacktest(a.returns, a.var_, { confidence: 0.95 });
    const wanted = 'a result of varBacktest() of the same shape, its arrays as returned (views of one buffer of 942 values)';
    const fails = (o: unknown, actual: string, returns: Matrix = a.returns) => {
      let error: unknown;
      try {
        k.varBacktest(returns, a.var_, { confidence: 0.95, out: o as never });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).message).toBe(`options.out: expected ${wanted}, got ${actual}`);
    };
    fails(5, '5');
    fails({ ...out, count: new Float64Array(N) }, 'count not at value 900 of one buffer of 942');
    // the result itself with one of its arrays replaced: refused, not filled behind its back
    const changed = k.varBacktest(a.returns, a.var_, { confidence: 0.95 });
    (changed as { count: Float64Array }).count = new Float64Array(N);
    fails(changed, 'count not at value 900 of one buffer of 942');
    fails({ ...out, zone: undefined }, 'zone: undefined');
    fails({ ...out, exceptions: { ...(out.exceptions as Matrix), rows: 10 } }, 'exceptions: 10 x 3');
    const smaller = k.varBacktest(panel(3).returns.data.subarray(0, T), new Float64Array(T).fill(0.02), { confidence: 0.95 });
    fails(smaller, 'exceptions: a Float64Array for 300 x 3');
    // the result's exceptions as the returns: memory shared with an input
    let error: unknown;
    try {
      k.varBacktest(out.exceptions as Matrix, a.var_, { confidence: 0.95, out });
    } catch (e) {
      error = e;
    }
    expect((error as KernelInputError).message).toBe(
      'options.out: expected a Float64Array of length 942 sharing no memory with the inputs, got an array over an input',
    );
  });
}

describe('varBacktest out [reference]', () => suite(ref));
describeEachBackend('varBacktest out', (k: Kernels, _name, supports) => {
  if (supports('varBacktest')) suite(k);
  else it.skip('varBacktest not implemented', () => {});
});
