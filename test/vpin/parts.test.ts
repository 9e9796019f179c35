/**
 * vpin() and vpinStream() over 2^19 trades or more in long bars: native aggregates the trades in parts
 * on its threads (native/kernels/vpin/vpin_parts.cpp), cut where a bar ends for certain. Held here on
 * 1.5 * 10^6 trades: the same bits on 1, 2 and 3 threads (BVC, the tick rule with its sign carried over
 * each cut and a price held flat past the carry's reach, Lee-Ready labels; a stream's buckets and
 * snapshot), the reference's buckets within the parity tolerance, and the reference's message for a
 * fault in any part (at a cut, on each side of one, two faults in two parts).
 */
import { expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import { kernels, type Trades, type VpinBuckets, type VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectColumnsClose, expectSameFault, tolerance } from '../helpers/compare.js';
import { centGrid, split, withQuotes } from '../helpers/trades.js';

/** About 4 hours of trades, ~9.5 ms apart: 240 bars of 60 s, 14,000 of 1 s (both long enough for parts). */
const N = 1_500_000;
const tape = centGrid(N, 31, 0.45);

const CASES: [string, VpinOptions][] = [
  ['60 s bars, sample sigma', { bucketVolume: 400_000, barMs: 60_000, window: 10 }],
  [
    '1 s bars, ewma sigma, intra-bar changes',
    { bucketVolume: 20_000, barMs: 1_000, window: 50, sigma: { ewma: 0.94 }, priceChange: 'intra' },
  ],
  ['1 s bars, rolling sigma, Student t', { bucketVolume: 20_000, barMs: 1_000, sigma: { rolling: 30 }, distribution: { studentT: 5 } }],
  ['60 s bars, tick rule (its sign carried over each cut)', { bucketVolume: 400_000, barMs: 60_000, window: 10, classifier: 'tick' }],
  ['1 s bars, tick rule', { bucketVolume: 20_000, barMs: 1_000, classifier: 'tick' }],
];

/** The tape with quotes a cent or two around each trade (Lee-Ready labels: a label a trade, nothing carried). */
const quoted = withQuotes(tape);
/** The tape with its price held for 400,000 trades around the middle: no change within reach of a cut there. */
const flat = { ...tape, price: tape.price.map((p, i) => (Math.abs(i - N / 2) < 200_000 ? tape.price[N / 2 - 200_000] : p)) };

const columns = (b: VpinBuckets): Record<string, Float64Array> => ({ ...b });
const bits = (b: VpinBuckets) =>
  Object.fromEntries(Object.entries(b).map(([name, x]) => [name, Array.from(new Uint32Array((x as Float64Array).slice().buffer))]));
const copy = (t: Trades): Trades => ({ ts: t.ts.slice(), price: t.price.slice(), volume: t.volume.slice() });

describeEachBackend(
  'vpin() over long bars in parts',
  (_k, name, supports) => {
    const rtol = tolerance(name, 'vpin');
    const threads = [1, 2, 3].map((t) => kernels({ backend: name, threads: t }));

    it.runIf(supports('vpin'))('1, 2 and 3 threads give the same bits, the reference within the tolerance', () => {
      for (const [label, options] of CASES) {
        const [one, ...more] = threads.map((kk) => kk.vpin(tape, options));
        expect(one.vpin.length, label).toBeGreaterThan(30);
        for (const other of more) expect(bits(other), label).toEqual(bits(one));
        expectColumnsClose(columns(one), columns(ref.vpin(tape, options)), {}, rtol);
      }
    });

    it.runIf(supports('vpin'))(
      'the Lee-Ready labels and a tick rule held flat across the middle: the same bits on any thread count',
      () => {
        for (const [trades, options] of [
          [quoted, { ...CASES[0][1], classifier: { algorithm: 'lee-ready' } }],
          [flat, CASES[3][1]],
          [flat, CASES[4][1]],
        ] as const) {
          const [one, ...more] = threads.map((kk) => kk.vpin(trades, options));
          for (const other of more) expect(bits(other)).toEqual(bits(one));
          expectColumnsClose(columns(one), columns(ref.vpin(trades, options)), {}, rtol);
        }
      },
    );

    it.runIf(supports('vpinStream'))('a stream fed a long batch: the same buckets and snapshot on any thread count', () => {
      const options = CASES[1][1];
      const runs = threads.map((kk) => {
        const stream = kk.vpinStream(options);
        const rows = split(tape, [1_200_000, 1_300_000]).map((batch) => stream.update(batch));
        const snapshot = stream.snapshot();
        rows.push(stream.flush());
        return { buckets: concatBuckets(...rows), snapshot };
      });
      for (const run of runs.slice(1)) {
        expect(bits(run.buckets)).toEqual(bits(runs[0].buckets));
        expect(run.snapshot).toEqual(runs[0].snapshot);
      }
      expectColumnsClose(columns(runs[0].buckets), columns(ref.vpin(tape, options)), {}, rtol);
    });

    // a fault in any part names the trade the reference names
    const faults: [string, (t: Trades) => void][] = [
      ['ts decreasing at the middle (the first cut looked for there)', (t) => (t.ts[N / 2] = t.ts[N / 2 - 1] - 1)],
      ['NaN ts just after the middle', (t) => (t.ts[N / 2 + 3] = Number.NaN)],
      ['negative volume in the last part', (t) => (t.volume[N - 10] = -1)],
      ['infinite price in the first part', (t) => (t.price[N / 2 - 1000] = Number.POSITIVE_INFINITY)],
      [
        'two faults in two parts: the first',
        (t) => {
          t.price[700_000] = Number.NaN;
          t.ts[800_000] = t.ts[799_999] - 5;
        },
      ],
      ['a time a minute back, in the last part', (t) => (t.ts[1_000_000] = t.ts[999_000] - 60_000)],
    ];
    for (const [label, spoil] of faults) {
      it.runIf(supports('vpin'))(`a fault, ${label}: the reference's message on 1, 2 and 3 threads`, () => {
        const bad = copy(tape);
        spoil(bad);
        for (const kk of threads) expectSameFault((x) => x.vpin(bad, CASES[0][1]), kk);
      });
    }
  },
  'vpin',
);
