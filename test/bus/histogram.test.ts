/**
 * The hot-path histogram's fixed (Prometheus) buckets are exact: a value lands in the first bucket
 * whose upper bound it does not exceed, edges and values a rounding away from them included, though
 * record() finds the bucket from the same log2 as its fine buckets.
 */
import { describe, expect, it } from 'vitest';
import { bucketBounds, Histogram, LATENCY_BUCKETS_MS, SIZE_BUCKETS } from '../../src/bus/histogram.js';

describe('Histogram fixed buckets', () => {
  it.each([
    ['latency (ms, 1 us resolution)', 0.001, LATENCY_BUCKETS_MS, 0.1],
    ['frame sizes (rows)', 1, SIZE_BUCKETS, 100],
  ] as const)('%s: cumulative counts equal a direct count of v <= bound', (_, resolution, buckets, scale) => {
    const bounds = bucketBounds(buckets);
    const values = [0, -1, NaN, 1e-300, 1e300, ...bounds.flatMap((b) => [b, b * (1 + 1e-12), b * (1 - 1e-12)])];
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 16807) % 2147483647;
      values.push(Math.exp((seed / 2147483647) * 30 - 15) * scale);
    }
    const all = new Histogram(resolution, buckets);
    for (const v of values) all.record(v);
    const { cumulative, count } = all.buckets();
    expect(count).toBe(values.length);
    const direct = bounds.map((b) => values.filter((v) => (v > 0 ? v : 0) <= b).length);
    expect(cumulative).toEqual(direct);
  });
});

describe('Histogram.add', () => {
  it('gives the histogram of both sets of values, and refuses another resolution', () => {
    const a = new Histogram(0.001);
    const b = new Histogram(0.001);
    const both = new Histogram(0.001);
    for (const [x, n] of [
      [0.5, 3],
      [2, 1],
      [40, 2],
    ] as const) {
      a.record(x, n);
      both.record(x, n);
    }
    for (const [x, n] of [
      [0.01, 1],
      [7, 5],
    ] as const) {
      b.record(x, n);
      both.record(x, n);
    }
    // the same counts and quantiles; the mean the same within a sum's rounding (added in another order)
    const { mean, ...sum } = new Histogram(0.001).add(a).add(b).snapshot();
    const { mean: bothMean, ...rest } = both.snapshot();
    expect(sum).toEqual(rest);
    expect(mean).toBeCloseTo(bothMean, 12);
    expect(() => a.add(new Histogram(0.01))).toThrow('other');
  });
});

describe('Histogram fine buckets', () => {
  it.each([0.001, 1, 0.37])(
    'resolution %s: a value lands in the bucket of floor(log2) and the 16ths above it, powers of two and a rounding away included',
    (resolution) => {
      // the upper edge of the fine bucket of units = v / resolution, by exact arithmetic: the octave
      // corrected in both directions after log2, the sixteenth from a division by a power of two
      const edge = (v: number) => {
        const units = v / resolution;
        if (units < 1) return resolution;
        let octave = Math.floor(Math.log2(units));
        while (2 ** octave > units) octave--;
        while (2 ** (octave + 1) <= units) octave++;
        const sub = Math.floor((units / 2 ** octave - 1) * 16);
        return resolution * 2 ** octave * (1 + (sub + 1) / 16);
      };
      const values: number[] = [];
      for (let k = -3; k < 40; k++) {
        const p = resolution * 2 ** k;
        values.push(p, p * (1 + 2 ** -52), p * (1 - 2 ** -53), p * 1.0625, p * 1.0625 * (1 - 2 ** -53), p * 1.9999);
      }
      let seed = 11;
      for (let i = 0; i < 5000; i++) {
        seed = (seed * 16807) % 2147483647;
        values.push(resolution * Math.exp((seed / 2147483647) * 27));
      }
      for (const v of values) {
        // [v, a larger one]: the median is the upper edge of v's bucket (capped by the maximum)
        const h = new Histogram(resolution);
        h.record(v);
        h.record(resolution * 2 ** 41);
        expect(h.percentile(50)).toBe(edge(v));
      }
    },
  );
});
