/**
 * The realized measures on tapes long enough that a day's sums run in several chunks (REALIZED_CHUNK
 * prices each, on the pool's threads) and the native backend finds each day's end by bisection: the
 * reference's days and values, the sums in the documented order (computed here), the same bits on 1,
 * 2 and 3 threads, and with a fault anywhere the reference's error (the first fault's index, where the
 * checks in chunks only say that there is one). And ratios p_i / p_{i-1} that are not normal numbers
 * (infinite, subnormal), in every position of the logs' vector blocks: fdlibm's log of each (V8's
 * Math.log), as a sum of squares computed here in the same order.
 */
import { expect, it } from 'vitest';
import { KernelInputError, type Kernels, kernels } from '../../src/index.js';
import { REALIZED_CHUNK } from '../../src/kernels/features/realized.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 2);
const N = 900_001; // three days of 300,000 trades and one of one trade: several chunks

/** Cent-grid prices around 100, ~1 ms apart with repeated ts, 300,000 trades a day. */
function tape(): { price: Float64Array; ts: Float64Array } {
  let s = 7;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const price = new Float64Array(N);
  const ts = new Float64Array(N);
  let cents = 10_000;
  for (let i = 0; i < N; i++) {
    const x = u();
    if (x > 0.45) cents += x < 0.725 ? 1 : -1;
    price[i] = cents / 100;
    ts[i] = D0 + Math.floor(i / 300_000) * DAY + (i % 300_000) * 250 + (x < 0.1 ? 0 : 1);
  }
  return { price, ts };
}

type Measure = (k: Kernels, price: Float64Array, ts: Float64Array) => unknown;
const MEASURES: [string, Measure][] = [
  ['realizedVariance', (k, p, ts) => k.realizedVariance(p, { ts })],
  ['bipowerVariation', (k, p, ts) => k.bipowerVariation(p, { ts })],
  ['medRV', (k, p, ts) => k.medRV(p, { ts })],
  ['minRV', (k, p, ts) => k.minRV(p, { ts })],
  ['realizedSemivariance', (k, p, ts) => k.realizedSemivariance(p, { ts })],
  ['twoScaleRV', (k, p, ts) => k.twoScaleRV(p, { ts })],
  ['realizedKernel', (k, p, ts) => k.realizedKernel(p, { ts, kernel: 'bartlett', bandwidth: 3 })],
];

/**
 * The sum of the squared returns of the day's prices p[start, end) in the order docs/features.md gives
 * (chunks of REALIZED_CHUNK prices, in each the return at price i to lane (i - chunk start) mod 4, a
 * chunk (l0 + l1) + (l2 + l3), the chunks added in order to 0): an independent copy of the reference's daySum.
 */
function squaresInOrder(p: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let from = start; from < end; from += REALIZED_CHUNK) {
    const l = [0, 0, 0, 0];
    for (let i = Math.max(from, start + 1); i < Math.min(end, from + REALIZED_CHUNK); i++)
      l[(i - from) % 4] += Math.log(p[i] / p[i - 1]) ** 2;
    sum += l[0] + l[1] + (l[2] + l[3]);
  }
  return sum;
}

/** A result's columns as plain arrays (a Vector's values and index, or each part's). */
function columns(result: unknown): Record<string, number[]> {
  const parts = result instanceof Float64Array ? { value: result } : (result as Record<string, Float64Array>);
  const out: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(parts)) {
    out[name] = Array.from(v);
    out[`${name}.index`] = Array.from((v as unknown as { index: Float64Array }).index);
  }
  return out;
}

/** The error `run` throws (its message), or undefined. */
function errorOf(run: () => unknown): { error: unknown; message: string } | undefined {
  try {
    run();
  } catch (error) {
    return { error, message: (error as Error).message };
  }
  return undefined;
}

describeEachBackend(
  'realized measures on long tapes',
  (k, backend, supports) => {
    it.runIf(supports('realizedVariance'))('1, 2 and 3 threads: the same bits, a day split between threads', () => {
      const { price, ts } = tape();
      const day = { price: price.subarray(0, 300_000), ts: ts.subarray(0, 300_000) }; // one day, 5 chunks
      const byThreads = [1, 2, 3].map((threads) => kernels({ backend, threads }));
      for (const input of [{ price, ts }, day]) {
        for (const [name, run] of MEASURES) {
          const one = columns(run(byThreads[0], input.price, input.ts));
          for (const other of byThreads.slice(1)) expect(columns(run(other, input.price, input.ts)), name).toEqual(one);
        }
      }
    });

    it.runIf(supports('realizedVariance'))("900,001 trades over 4 days: the reference's days and values, bit for bit", () => {
      const { price, ts } = tape();
      for (const [name, run] of MEASURES) {
        const got = columns(run(k, price, ts));
        expect(got['value.index'] ?? got['positive.index'], name).toEqual([D0, D0 + DAY, D0 + 2 * DAY, D0 + 3 * DAY]);
        expect(got, name).toEqual(columns(run(ref, price, ts)));
      }
    });

    it.runIf(supports('realizedVariance'))('realizedVariance of 300,000-price days: the sums in the documented order', () => {
      const { price, ts } = tape();
      const rv = k.realizedVariance(price, { ts });
      for (let d = 0; d < 4; d++) {
        const want = squaresInOrder(price, 300_000 * d, Math.min(N, 300_000 * (d + 1)));
        expect(Object.is(rv[d], want), `day ${d}: ${rv[d]} vs ${want}`).toBe(true);
      }
      // not the serial sum (the order matters here): the test can tell
      let serial = 0;
      for (let i = 1; i < 300_000; i++) serial += Math.log(price[i] / price[i - 1]) ** 2;
      expect(rv[0]).not.toBe(serial);
    });

    it.runIf(supports('realizedVariance'))("a fault anywhere: the reference's error, at the first fault's index", () => {
      const { price, ts } = tape();
      const faults: [string, (p: Float64Array, t: Float64Array) => void][] = [
        ['a NaN price late in the tape', (p) => (p[850_003] = Number.NaN)],
        ['a zero price early and a NaN ts later', (p, t) => ((p[12] = 0), (t[700_000] = Number.NaN))],
        ['a ts before the one before it, at a chunk edge', (_, t) => (t[450_000] = t[449_999] - 1)],
        ['the first ts NaN', (_, t) => (t[0] = Number.NaN)],
        ['the last ts infinite', (_, t) => (t[N - 1] = Number.POSITIVE_INFINITY)],
        ['an infinite price in the last 4 trades', (p) => (p[N - 2] = Number.POSITIVE_INFINITY)],
        ['the first price negative', (p) => (p[0] = -1)],
        ['a zero price mid-tape', (p) => (p[600_001] = 0)],
        ['a negative price mid-tape', (p) => (p[300_002] = -100)],
      ];
      for (const [what, spoil] of faults) {
        const p = price.slice();
        const t = ts.slice();
        spoil(p, t);
        const want = errorOf(() => ref.realizedVariance(p, { ts: t }));
        expect(want?.error, what).toBeInstanceOf(KernelInputError);
        const got = errorOf(() => k.realizedVariance(p, { ts: t }));
        expect(got?.error, what).toBeInstanceOf(KernelInputError);
        expect(got?.message, what).toBe(want?.message);
      }
    });

    it.runIf(supports('realizedVariance'))('ratios that are not normal numbers: fdlibm logs, in every lane', () => {
      // day d: 40 prices of 1, then at position 3 + d a pair whose ratios overflow and underflow
      const extremes: [number, number][] = [
        [1e-300, 1e10], // 1e-300, then 1e310: infinite
        [1e300, 1e-10], // 1e300, then 1e-310: subnormal
        [5e-324, 1], // a subnormal price: a subnormal ratio, then an infinite one
        [1.5, 1.5e-309], // 1e-309 (subnormal), then an infinite ratio
      ];
      const price: number[] = [];
      const ts: number[] = [];
      for (let d = 0; d < 16; d++) {
        const [a, b] = extremes[d % extremes.length];
        for (let i = 0; i < 40; i++) {
          price.push(i === 3 + d ? a : i === 4 + d ? b : 1 + i / 64);
          ts.push(D0 + d * DAY + i);
        }
      }
      const p = Float64Array.from(price);
      const rv = k.realizedVariance(p, { ts: Float64Array.from(ts) });
      expect(rv.length).toBe(16);
      for (let d = 0; d < 16; d++) {
        const want = squaresInOrder(p, 40 * d, 40 * (d + 1));
        expect(Object.is(rv[d], want), `day ${d}: ${rv[d]} vs ${want}`).toBe(true);
      }
      expect(rv[0]).toBe(Number.POSITIVE_INFINITY);
      expect(Number.isFinite(rv[1])).toBe(true);
    });
  },
  'features',
);
