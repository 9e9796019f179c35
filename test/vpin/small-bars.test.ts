/**
 * Small bars (10 ms bars: a bar for every trade or two): native aggregates them 1024 trades at a time
 * without a branch a trade (native/kernels/vpin/vpin_small_bars.cpp), and falls back to its trade-by-
 * trade loop for any chunk where the reference would take another step. The bars must be the
 * reference's to the bit (timeBars, exactly), the buckets' times exactly, and every fault the
 * reference's, wherever it lies in a chunk.
 */
import { expect, it } from 'vitest';
import type { Trades, VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectSameFault } from '../helpers/compare.js';
import { centGrid } from '../helpers/trades.js';

/** 20,000 cent-grid trades, ~100 a second: 10 ms bars give about 14,500 bars. */
const tape = centGrid(20_000, 5, 0.45);
const fractional = centGrid(20_000, 6, 0.45, 3_000);

/** The tape with one long run of trades inside one 10 ms bar (more than the 16 a chunk's passes take). */
function withLongBar(t: Trades, at: number, length: number): Trades {
  const ts = t.ts.slice();
  for (let i = at; i < at + length; i++) ts[i] = ts[at];
  return { ts, price: t.price, volume: t.volume };
}

/** The tape with its times moved down onto the bars' edges now and then (a trade exactly at a bar's end). */
function onEdges(t: Trades, barMs: number): Trades {
  const ts = t.ts.slice();
  for (let i = 1; i < ts.length; i += 7) ts[i] = Math.max(ts[i - 1], Math.floor(ts[i] / barMs) * barMs);
  return { ts, price: t.price, volume: t.volume };
}

const TAPES: [string, Trades, number][] = [
  ['10 ms bars', tape, 10],
  ['10 ms bars, fractional volumes', fractional, 10],
  ['1 ms bars', tape, 1],
  ['7.5 ms bars, trades on the edges', onEdges(tape, 7.5), 7.5],
  ['10 ms bars, a bar of 3,000 trades', withLongBar(tape, 5_000, 3_000), 10],
  ['10 ms bars, a bar of 40 trades', withLongBar(tape, 9_000, 40), 10],
  ['10 ms bars, negative times', { ...tape, ts: tape.ts.map((x) => x - 1.8e12) }, 10],
];

describeEachBackend(
  'small bars',
  (k, _name, supports) => {
    it.runIf(supports('timeBars'))('timeBars equals the reference to the bit', () => {
      for (const [label, trades, barMs] of TAPES) {
        const expected = ref.timeBars(trades, { barMs });
        expect(expected.start.length, label).toBeGreaterThan(trades.ts.length / 20);
        expect(k.timeBars(trades, { barMs }), label).toEqual(expected);
      }
    });

    it.runIf(supports('vpin'))("vpin()'s bucket times and volumes equal the reference's", () => {
      for (const [label, trades, barMs] of TAPES) {
        const options: VpinOptions = { bucketVolume: 3_000, barMs, window: 10 };
        const got = k.vpin(trades, options);
        const expected = ref.vpin(trades, options);
        expect(got.vpin.length, label).toBeGreaterThan(50);
        expect(got.startTs, label).toEqual(expected.startTs);
        expect(got.endTs, label).toEqual(expected.endTs);
        expect(got.buyVolume.length, label).toBe(expected.buyVolume.length);
        for (let i = 0; i < got.buyVolume.length; i++) {
          expect(Math.abs(got.buyVolume[i] - expected.buyVolume[i]), `${label} ${i}`).toBeLessThanOrEqual(1e-9 * 3_000);
        }
      }
    });

    it.runIf(supports('vpin'))('a fault anywhere in a chunk is the one the reference names', () => {
      const options: VpinOptions = { bucketVolume: 3_000, barMs: 10 };
      // first, middle and last trades of chunks of 1024, and a chunk's second trade
      for (const at of [0, 1, 1023, 1024, 1025, 5_000, 19_999]) {
        const cases: [string, (t: { ts: Float64Array; price: Float64Array; volume: Float64Array }) => void][] = [
          ['decreasing time', (t) => (t.ts[Math.max(at, 1)] = t.ts[Math.max(at, 1) - 1] - 1)],
          ['NaN time', (t) => (t.ts[at] = Number.NaN)],
          ['infinite time', (t) => t.ts.fill(Number.POSITIVE_INFINITY, at)],
          ['NaN price', (t) => (t.price[at] = Number.NaN)],
          ['infinite price', (t) => (t.price[at] = Number.NEGATIVE_INFINITY)],
          ['negative volume', (t) => (t.volume[at] = -1)],
          ['infinite volume', (t) => (t.volume[at] = Number.POSITIVE_INFINITY)],
        ];
        for (const [, spoil] of cases) {
          const bad = { ts: tape.ts.slice(), price: tape.price.slice(), volume: tape.volume.slice() };
          spoil(bad);
          expectSameFault((kk) => kk.vpin(bad, options), k);
          expectSameFault((kk) => kk.timeBars(bad, { barMs: 10 }), k);
        }
      }
    });

    it.runIf(supports('vpinStream'))('a stream in batches of any size gives the same buckets, and refuses a closed bar', () => {
      const options: VpinOptions = { bucketVolume: 3_000, barMs: 10, window: 10, sigma: 0.02 };
      const expected = k.vpin(tape, options);
      const stream = k.vpinStream(options);
      const starts: number[] = [];
      for (let at = 0, size = 1; at < tape.ts.length; at += size, size = (size * 7 + 3) % 2_500) {
        const end = Math.min(tape.ts.length, at + size);
        const rows = stream.update({
          ts: tape.ts.subarray(at, end),
          price: tape.price.subarray(at, end),
          volume: tape.volume.subarray(at, end),
        });
        starts.push(...rows.startTs);
      }
      starts.push(...stream.flush().startTs);
      expect(Float64Array.from(starts)).toEqual(expected.startTs);
      const late = { ts: tape.ts.slice(-2_000), price: tape.price.slice(-2_000), volume: tape.volume.slice(-2_000) };
      expect(() => stream.update(late)).toThrow(/ts/);
    });
  },
  'vpin',
);
