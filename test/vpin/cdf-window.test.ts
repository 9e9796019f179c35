/**
 * `cdfWindow`: the VPIN CDF over the last n VPIN values (counted the slow way), equal on every backend,
 * a stream's state bounded by it, and incremental snapshots (`snapshot({ history: false })` restored
 * with `restore(bytes, { append })`) that resume exactly, within a backend and across backends.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, type Kernels, type Trades, type VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { split, walk } from '../helpers/trades.js';

const BASE: VpinOptions = { bucketVolume: 300, window: 3, sigma: { ewma: 0.8 } };
const trades = walk(20_000, 5, 50);

/** cdf_j = #{values among the last w (all: every one) up to j that are <= vpin_j} / their count. */
function bruteCdf(vpin: Float64Array, w: number | 'all'): Float64Array {
  const values: number[] = [];
  return vpin.map((v) => {
    if (Number.isNaN(v)) return NaN;
    values.push(v);
    const last = w === 'all' ? values : values.slice(-w);
    return last.filter((x) => x <= v).length / last.length;
  });
}

const part = (t: Trades, from: number, to: number): Trades => ({
  ts: t.ts.subarray(from, to),
  price: t.price.subarray(from, to),
  volume: t.volume.subarray(from, to),
});

/** A stream fed `trades` in three parts, checkpointed whole after the first and incrementally after the second, restored on `to`. */
function resumed(from: Kernels, to: Kernels, options: VpinOptions) {
  const a = from.vpinStream(options);
  const [p1, p2, p3] = [part(trades, 0, 6000), part(trades, 6000, 13_000), part(trades, 13_000, trades.ts.length)];
  a.update(p1);
  const whole = a.snapshot();
  const mid = a.update(p2);
  const delta = a.snapshot({ history: false });
  const b = to.vpinStream(options);
  b.restore(whole);
  b.restore(delta, { append: mid.vpin.filter((x) => !Number.isNaN(x)) });
  return { expected: a.update(p3), got: b.update(p3), whole, delta };
}

describe('cdfWindow [reference]', () => {
  it.each([1, 7, 500, 'all'] as const)('cdfWindow %s: each CDF ranks the VPIN among the last cdfWindow values', (cdfWindow) => {
    const out = ref.vpin(trades, { ...BASE, cdfWindow });
    expect(out.vpin.length).toBeGreaterThan(1000);
    expect(Array.from(out.cdf)).toEqual(Array.from(bruteCdf(out.vpin, cdfWindow)));
  });

  it('the default is 50,000 values: equal to all of them below that', () => {
    expect(Array.from(ref.vpin(trades, BASE).cdf)).toEqual(Array.from(ref.vpin(trades, { ...BASE, cdfWindow: 'all' }).cdf));
  });

  it("a stream's snapshot stays the same size once the window is full, and holds every value with 'all'", () => {
    const sizes = (cdfWindow: number | 'all') => {
      const s = ref.vpinStream({ ...BASE, cdfWindow });
      return split(trades, [5000, 10_000, 15_000]).map((t) => (s.update(t), s.snapshot().byteLength));
    };
    const bounded = sizes(50);
    expect(new Set(bounded.slice(1)).size).toBe(1);
    const all = sizes('all');
    expect(all[3] - all[0]).toBeGreaterThan(8 * 1000);
    const s = ref.vpinStream({ ...BASE, cdfWindow: 50 });
    s.update(trades);
    expect(s.snapshot({ history: false }).byteLength).toBe(s.snapshot().byteLength - 8 * 50);
  });

  it('refuses a bad cdfWindow, a snapshot of another cdfWindow and an append onto a whole snapshot', () => {
    for (const bad of [0, 1.5, -3, 'some', Infinity]) {
      expect(() => ref.vpinStream({ ...BASE, cdfWindow: bad as number })).toThrow(
        new KernelInputError(
          'options.cdfWindow',
          "an integer in [1, 1000000000] or 'all'",
          typeof bad === 'string' ? '"some"' : String(bad),
        ),
      );
    }
    const s = ref.vpinStream({ ...BASE, cdfWindow: 10 });
    s.update(trades);
    expect(() => ref.vpinStream({ ...BASE, cdfWindow: 11 }).restore(s.snapshot())).toThrow(
      'bytes: expected a snapshot of a stream with cdfWindow = 11, got cdfWindow = 10',
    );
    expect(() => ref.vpinStream({ ...BASE, cdfWindow: 'all' }).restore(s.snapshot())).toThrow(
      "bytes: expected a snapshot of a stream with cdfWindow = 'all', got cdfWindow = 10",
    );
    expect(() => ref.vpinStream({ ...BASE, cdfWindow: 10 }).restore(s.snapshot(), { append: new Float64Array(1) })).toThrow(
      'bytes: expected a snapshot({ history: false }) when options.append is given, got one with a CDF history',
    );
  });
});

describeEachBackend(
  'cdfWindow',
  (k, _name, supports) => {
    it.runIf(supports('vpin'))('every window gives the reference values', () => {
      for (const cdfWindow of [1, 7, 500, 'all'] as const) {
        const options = { ...BASE, cdfWindow };
        expect(Array.from(k.vpin(trades, options).cdf)).toEqual(Array.from(ref.vpin(trades, options).cdf));
      }
    });

    it.runIf(supports('vpinStream'))('a whole snapshot and a delta resume exactly, here, to and from the reference', () => {
      for (const cdfWindow of [7, 500, 'all'] as const) {
        const options = { ...BASE, cdfWindow };
        for (const [from, to] of [
          [k, k],
          [k, ref],
          [ref, k],
        ] as const) {
          const { expected, got, whole, delta } = resumed(from, to, options);
          expect(expected.vpin.length).toBeGreaterThan(100);
          expect(got).toEqual(expected);
          expect(delta.byteLength).toBeLessThan(whole.byteLength);
        }
      }
    });
  },
  'vpin',
);
