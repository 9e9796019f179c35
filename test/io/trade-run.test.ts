// The addon's goodTradeRun (native/kernels/trade_run.cpp), which the readers scan long chunks with
// (src/io/trade-run.ts), against tradeRun(), the TypeScript reference: the same first bad row and the
// same last times, on runs of every length around its block of 256 rows, one symbol or many; the
// binding's typed errors; readerRun through a reader on a chunk past NATIVE_RUN_FROM.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/public.js';
import { NATIVE_RUN_FROM, readerRun } from '../../src/io/trade-run.js';
import { tradeRun } from '../../src/kernels/trade-check.js';
import { inCI } from '../helpers/backends.js';
import { ODD_BITS, putOdd } from './odd-trades.js';

const native = loadNative().binding;
// without the addon the suite is skipped, but not in CI, where it then fails (native! is undefined)
const suite = native || inCI ? describe : describe.skip;

/** n trades of mostly good rows (times steps of -1 to 3: ties and a few back steps), bad values now and then at `badRate`. */
function trades(seed: number, n: number, badRate: number) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const odd = [Number.NaN, 0, -1, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const value = (good: number) => (rnd() < badRate ? odd[Math.floor(rnd() * odd.length)] : good);
  let t = 1.7e12;
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t += rnd() < badRate ? -1 : Math.floor(rnd() * 4);
    ts[i] = value(t);
    price[i] = value(100 + rnd());
    volume[i] = value(Math.floor(rnd() * 5));
  }
  return { ts, price, volume, codes: Int32Array.from({ length: n }, () => Math.floor(rnd() * 3)) };
}

suite('goodTradeRun (native) = tradeRun (TypeScript)', () => {
  it('the same first bad row and last times, one symbol and three, any length and start (seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 1100 }),
        fc.constantFrom(0, 1e-4, 1e-3, 0.02),
        fc.constantFrom(Number.NEGATIVE_INFINITY, 0, 1.7e12, 1.8e12, Number.NaN),
        fc.boolean(),
        (seed, n, badRate, start, byCode) => {
          const { ts, price, volume, codes } = trades(seed, n, badRate);
          const c = byCode ? codes : undefined;
          const mine = new Float64Array(byCode ? 3 : 1).fill(start);
          const theirs = mine.slice();
          expect(native!.goodTradeRun(ts, price, volume, mine, c)).toBe(tradeRun(ts, price, volume, theirs, c));
          expect(mine).toEqual(theirs);
        },
      ),
      { numRuns: 400, seed: 93 },
    );
  });

  it('a bad row at each place of a block of 256 (the first, the last, the one after it)', () => {
    for (const at of [0, 1, 254, 255, 256, 257, 511, 512, 700]) {
      for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
        for (const column of ['ts', 'price', 'volume'] as const) {
          const t = trades(at, 800, 0);
          t[column][at] = column === 'ts' && bad === -1 ? t.ts[at] - 10 : bad;
          const mine = Float64Array.of(Number.NEGATIVE_INFINITY);
          const theirs = mine.slice();
          const got = native!.goodTradeRun(t.ts, t.price, t.volume, mine);
          expect(got).toBe(tradeRun(t.ts, t.price, t.volume, theirs));
          expect(got).toBe(at === 0 && column === 'ts' && bad === -1 ? 800 : at);
          expect(mine).toEqual(theirs);
        }
      }
    }
  });

  it('values at the edges of the rule (zeros and NaNs of both signs, subnormals, the largest doubles, infinities) at each place of a block', () => {
    for (let k = 0; k < ODD_BITS.length; k++) {
      for (const column of ['ts', 'price', 'volume'] as const) {
        for (const at of [0, 3, 255, 256, 300, 511, 599]) {
          const t = trades(at, 600, 0);
          // in ts the rest of the run too: a time stays >= the one before unless odd itself breaks it
          for (let i = at; i < (column === 'ts' ? 600 : at + 1); i++) putOdd(t[column], i, k);
          const mine = Float64Array.of(Number.NEGATIVE_INFINITY);
          const theirs = mine.slice();
          expect(native!.goodTradeRun(t.ts, t.price, t.volume, mine), `${ODD_BITS[k].toString(16)} in ${column} at ${at}`).toBe(
            tradeRun(t.ts, t.price, t.volume, theirs),
          );
          expect(mine).toEqual(theirs);
        }
      }
    }
  });

  it("across the threads' chunks of 2^18 rows: a bad row before, at and after a boundary, a time back at one", () => {
    const chunk = 2 ** 18;
    const n = 2 * chunk + 5;
    for (const [at, column, bad] of [
      [chunk - 1, 'price', 0],
      [chunk, 'volume', Number.NaN],
      [chunk, 'ts', -1],
      [chunk + 1, 'ts', -1],
      [2 * chunk + 4, 'price', Number.POSITIVE_INFINITY],
      [-1, 'ts', 0],
    ] as const) {
      const t = trades(7, n, 0);
      if (at >= 0) t[column][at] = column === 'ts' ? t.ts[at - 1] - 1 : bad;
      const mine = Float64Array.of(1e12);
      const theirs = mine.slice();
      const got = native!.goodTradeRun(t.ts, t.price, t.volume, mine);
      expect(got).toBe(at >= 0 ? at : n);
      expect(got).toBe(tradeRun(t.ts, t.price, t.volume, theirs));
      expect(mine).toEqual(theirs);
    }
  });

  it('refuses a code outside last, lengths that differ and an empty last, naming the argument', () => {
    const { ts, price, volume } = trades(1, 10, 0);
    expect(() => native!.goodTradeRun(ts, price, volume, new Float64Array(2), Int32Array.of(0, 1, 2, 0, 0, 0, 0, 0, 0, 0))).toThrow(
      'codes: expected codes in [0, 2), got 2 at row 2',
    );
    expect(() => native!.goodTradeRun(ts, price, volume, new Float64Array(2), new Int32Array(10).fill(-1))).toThrow(
      /codes: .* got -1 at row 0/,
    );
    expect(() => native!.goodTradeRun(ts, price.subarray(1), volume, new Float64Array(1))).toThrow(/^price: expected length 10/);
    expect(() => native!.goodTradeRun(ts, price, volume, new Float64Array(1), new Int32Array(9))).toThrow(/^codes: expected length 10/);
    expect(() => native!.goodTradeRun(ts, price, volume, new Float64Array(0))).toThrow(/^last: /);
  });

  it('readerRun: the addon from NATIVE_RUN_FROM rows, the same answer either side of it', () => {
    for (const n of [NATIVE_RUN_FROM - 1, NATIVE_RUN_FROM, 3 * NATIVE_RUN_FROM + 17]) {
      const { ts, price, volume, codes } = trades(n, n, 2e-4);
      for (const c of [undefined, codes]) {
        const mine = new Float64Array(3).fill(Number.NEGATIVE_INFINITY);
        const theirs = mine.slice();
        expect(readerRun(ts, price, volume, mine, c)).toBe(tradeRun(ts, price, volume, theirs, c));
        expect(mine).toEqual(theirs);
      }
    }
  });
});
