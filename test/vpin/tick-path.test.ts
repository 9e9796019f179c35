/**
 * The tick path at memory speed (issue 32): native's tick rule takes the carried sign of a zero tick as
 * a prefix scan over 16 or 64 trades at a time, and vpin()'s tick classifier sums a block's volumes
 * side by side where that is exact (integer volumes). These tests hold it to the reference bit for bit
 * on cent-grid tapes (30-60% zero ticks), at every length around the block sizes, with fractional
 * volumes (the ordered fallback), mixed tapes, stream splits at any point and unaligned frames.
 */
import { describe, expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import type { VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { asFrameTrades, asViews, centGrid, split } from '../helpers/trades.js';

/** The first index where two label arrays differ, -1 when equal (toEqual is slow on 10^5+ elements). */
function firstDifference(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const options = (bucketVolume: number, barMs: number): VpinOptions => ({ bucketVolume, barMs, window: 5, classifier: 'tick', sigma: 1 });

describe('centGrid', () => {
  it('has the zero ticks asked for, on a one-cent grid', () => {
    const t = centGrid(20_000, 1, 0.45);
    let zeros = 0;
    for (let i = 1; i < t.price.length; i++) {
      const cents = Math.round((t.price[i] - t.price[i - 1]) * 100);
      expect(Math.abs(cents)).toBeLessThanOrEqual(1);
      zeros += cents === 0 ? 1 : 0;
    }
    expect(zeros / t.price.length).toBeGreaterThan(0.43);
    expect(zeros / t.price.length).toBeLessThan(0.47);
  });
});

describeEachBackend(
  'tick path',
  (k, _name, supports) => {
    it.runIf(supports('tickRule'))('tickRule equals the reference at every length 0..300 and after a long zero run', () => {
      const tape = centGrid(300, 3, 0.6);
      for (let n = 0; n <= 300; n++) expect(k.tickRule(tape.price.subarray(0, n))).toEqual(ref.tickRule(tape.price.subarray(0, n)));
      const flat = new Float64Array(1000).fill(10);
      flat[0] = 9;
      flat[999] = 9.99;
      for (const n of [1, 2, 65, 129, 999, 1000]) expect(k.tickRule(flat.subarray(0, n))).toEqual(ref.tickRule(flat.subarray(0, n)));
      const views = asViews(centGrid(5000, 4), true, 1);
      expect(k.tickRule(views.price)).toEqual(ref.tickRule(views.price));
    });

    const quote = (tape: ReturnType<typeof centGrid>) => ({
      ...tape,
      bid: tape.price.map((p) => p - 0.01),
      ask: tape.price.map((p, i) => p + (i % 3 === 0 ? 0 : 0.01)), // a third at a locked quote: the tick rule
    });

    it.runIf(supports('classifyTrades'))('classifyTrades equals the reference on cent-grid tapes', () => {
      for (const n of [0, 1, 63, 64, 65, 1023, 1025, 70_000]) {
        const quoted = quote(centGrid(n, 7, 0.5));
        for (const algorithm of ['tick', 'lee-ready', 'emo', 'clnv', 'reverse-lee-ready'] as const) {
          expect(k.classifyTrades(quoted, { algorithm })).toEqual(ref.classifyTrades(quoted, { algorithm }));
        }
      }
    });

    it.runIf(supports('classifyTrades'))('a long tape shared out in parts: zero runs across the part boundaries carry the sign', () => {
      // native shares 800 000 trades out in 3 parts (from 2^18 trades a part); the second is one price
      // throughout and the third starts with a zero run: their signs come from the parts before
      const tape = centGrid(800_000, 8, 0.45);
      tape.price.fill(tape.price[260_000], 260_000, 540_000);
      const quoted = quote(tape);
      for (const algorithm of ['tick', 'lee-ready'] as const) {
        expect(firstDifference(k.classifyTrades(quoted, { algorithm }), ref.classifyTrades(quoted, { algorithm }))).toBe(-1);
        // lagged quotes gathered again for the leading trades of a part (a third of them at a locked quote: the tick rule)
        const lagged = { algorithm, quoteLagMs: 7, lagFrom: 'trades' as const };
        expect(firstDifference(k.classifyTrades(quoted, lagged), ref.classifyTrades(quoted, lagged))).toBe(-1);
        const quotes = { ts: quoted.ts, bid: quoted.bid, ask: quoted.ask };
        const bare = { ts: tape.ts, price: tape.price, volume: tape.volume };
        const streamed = { algorithm, quoteLagMs: 3, quotes };
        expect(firstDifference(k.classifyTrades(bare, streamed), ref.classifyTrades(bare, streamed))).toBe(-1);
      }
      expect(k.tickRule(tape.price)[539_999]).not.toBe(0);
    });

    it.runIf(supports('classifyTrades'))('classifyTrades with quote lags and streams equals the reference, over parts too', () => {
      for (const [n, seed] of [
        [0, 1],
        [1, 2],
        [700, 3],
        [600_000, 4],
      ]) {
        const trades = centGrid(n, seed, 0.5);
        const quoted = quote(trades);
        // a stream of about two quotes a trade, some in a trade's millisecond, some missing
        const m = 2 * n;
        const quotes = { ts: new Float64Array(m), bid: new Float64Array(m), ask: new Float64Array(m) };
        for (let j = 0; j < m; j++) {
          const i = Math.min(n - 1, j >> 1);
          quotes.ts[j] = trades.ts[i] - (j % 2) * 3 - (j % 7 === 0 ? 0 : 1);
          quotes.bid[j] = j % 97 === 0 ? NaN : trades.price[i] - 0.01 * (j % 3);
          quotes.ask[j] = trades.price[i] + 0.01 * ((j + 1) % 3);
        }
        quotes.ts.sort();
        const bare = { ts: trades.ts, price: trades.price, volume: trades.volume };
        for (const quoteLagMs of [0, 1, 5, 250]) {
          for (const algorithm of ['lee-ready', 'emo', 'reverse-clnv'] as const) {
            const o = { algorithm, quoteLagMs };
            expect(firstDifference(k.classifyTrades(bare, { ...o, quotes }), ref.classifyTrades(bare, { ...o, quotes }))).toBe(-1);
            for (const lagFrom of ['quotes', 'trades'] as const) {
              expect(firstDifference(k.classifyTrades(quoted, { ...o, lagFrom }), ref.classifyTrades(quoted, { ...o, lagFrom }))).toBe(-1);
            }
          }
          if (n > 100) expect(ref.classifyTrades(bare, { algorithm: 'quote', quotes, quoteLagMs }).some((x) => x !== 0)).toBe(true);
        }
      }
    });

    it.runIf(supports('vpin'))('vpin() with the tick rule: the same bits as the reference, integer, fractional and mixed volumes', () => {
      const sparse = centGrid(50_000, 4, 0.45); // a fraction of a share now and then: the bar's sums are no integers after it
      for (let i = 0; i < sparse.volume.length; i += 997) sparse.volume[i] += 0.3;
      const large = centGrid(50_000, 5, 0.45); // integer volumes up to 2^40 after a fraction: the sums round
      for (let i = 0; i < large.volume.length; i++) large.volume[i] = i % 499 === 0 ? 0.1 : large.volume[i] * 9_999_999_967;
      for (const [tape, V] of [
        [sparse, 5000],
        [large, 2e14],
        [centGrid(50_000, 1, 0.45), 5000],
        [centGrid(50_000, 2, 0.3, 0), 3000.5],
        [centGrid(50_000, 3, 0.6, 20_000), 4000],
      ] as const) {
        for (const barMs of [10, 1000, 60_000]) {
          const o = options(V, barMs);
          const expected = ref.vpin(tape, o);
          expect(expected.vpin.length).toBeGreaterThan(50);
          expect(k.vpin(tape, o)).toEqual(expected);
          expect(k.vpin(asFrameTrades(tape, 3), o)).toEqual(expected);
        }
      }
    });

    it.runIf(supports('vpin', 'vpinStream'))('streams split anywhere give the bits of one vpin() call', () => {
      const tape = centGrid(20_000, 9, 0.5, 15_000);
      const o = options(2000, 1000);
      const expected = ref.vpin(tape, o);
      for (const cuts of [[1], [17, 18, 19], [5000, 5001, 12_345], [16, 32, 48, 64, 19_999]]) {
        const stream = k.vpinStream(o);
        const rows = split(tape, cuts).map((batch) => stream.update(batch));
        rows.push(stream.flush());
        expect(concatBuckets(...rows)).toEqual(expected);
      }
    });
  },
  'vpin',
);
