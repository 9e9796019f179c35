/**
 * vpin() over many small bars (issues 44, 52): native aggregates the trades 2^12 at a time into bars
 * that stay in cache and keeps 16 bytes of each (its price change or buy fraction, its volume), and
 * the times of the bars where a bucket opens or completes, instead of 64 bytes a bar (460 MB for 10^7
 * trades in 10 ms bars) or aggregating the trades twice. These tests take tapes of many chunks in every
 * classifier and sigma, a fault after the first chunk, a stream fed in large batches and the async call
 * and the Lee-Ready labels, and hold native to the reference's buckets and messages. */
import { expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import type { Trades, VpinBuckets, VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectColumnsClose, expectSameFault, tolerance } from '../helpers/compare.js';
import { centGrid, split, withQuotes } from '../helpers/trades.js';

/** 200,000 cent-grid trades: 10 ms bars give about 145,000 bars, in 49 chunks. */
const tape = centGrid(200_000, 11, 0.45);
const sparse = centGrid(200_000, 12, 0.45, 7_000); // fractional volumes now and then
/** The tape with quotes a cent or two around each trade, at the bid, at the ask or inside. */
const quoted = withQuotes(tape);
const base: VpinOptions = { bucketVolume: 4000, barMs: 10, window: 20 };

const CASES: [string, Trades, VpinOptions][] = [
  ['bvc, sample sigma', tape, base],
  ['bvc, sample sigma, intra-bar changes', tape, { ...base, priceChange: 'intra' }],
  ['bvc, ewma sigma, Student t', tape, { ...base, sigma: { ewma: 0.94 }, distribution: { studentT: 4 } }],
  ['bvc, rolling sigma, 100 ms bars', sparse, { ...base, barMs: 100, sigma: { rolling: 20 } }],
  ['tick rule', tape, { ...base, classifier: 'tick' }],
  ['tick rule, fractional volumes', sparse, { ...base, classifier: 'tick' }],
];

/** Bucket columns as expectColumnsClose takes them. */
const columns = (b: VpinBuckets): Record<string, Float64Array> => ({ ...b });

describeEachBackend(
  'vpin() over many small bars',
  (k, name, supports) => {
    const rtol = tolerance(name, 'vpin');
    it.runIf(supports('vpin'))('equals the reference in every classifier and sigma', () => {
      for (const [label, trades, options] of CASES) {
        const expected = ref.vpin(trades, options);
        expect(expected.vpin.length, label).toBeGreaterThan(100);
        expectColumnsClose(columns(k.vpin(trades, options)), columns(expected), {}, rtol);
      }
      const lee: VpinOptions = { ...base, classifier: { algorithm: 'lee-ready' } };
      expectColumnsClose(columns(k.vpin(quoted, lee)), columns(ref.vpin(quoted, lee)), {}, rtol);
    });

    it.runIf(supports('vpin'))('a fault after the first chunk names the trade the reference names', () => {
      const late = { ts: tape.ts.slice(), price: tape.price.slice(), volume: tape.volume.slice() };
      late.ts[150_001] = late.ts[150_000] - 1; // decreasing, in the 37th chunk
      expectSameFault((kk) => kk.vpin(late, base), k);
      const badPrice = { ...tape, price: tape.price.slice() };
      badPrice.price[99_999] = Number.NaN;
      expectSameFault((kk) => kk.vpin(badPrice, base), k);
    });

    it.runIf(supports('vpin', 'vpinStream'))('a stream fed large batches gives one vpin() call', () => {
      const options: VpinOptions = { ...base, sigma: { ewma: 0.9 } };
      const expected = ref.vpin(tape, options);
      const stream = k.vpinStream(options);
      const rows = split(tape, [1, 90_000, 190_000]).map((batch) => stream.update(batch));
      rows.push(stream.flush());
      expectColumnsClose(columns(concatBuckets(...rows)), columns(expected), {}, rtol);
    });

    it.runIf(supports('vpin'))('vpinAsync over many bars equals vpin()', async () => {
      expectColumnsClose(columns(await k.vpinAsync(tape, base)), columns(k.vpin(tape, base)), {}, 0);
    });
  },
  'vpin',
);
