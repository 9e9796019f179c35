/**
 * Standard bars on hand-derived tapes (mlfinlab's conventions, src/kernels/features/features-kernels.ts):
 * the closing trade included, the partial bar dropped, high and low with the open, the tick rule's
 * buy volume across bars; the edge cases: no trades, one trade, zero volume.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/index.js';
import type { Bars } from '../../src/kernels/features/features.js';

const k = kernels({ backend: 'reference' });
const f64 = (...xs: number[]) => Float64Array.from(xs);
const rows = (b: Bars) =>
  Array.from(b.ts, (_, i) => [
    b.ts[i],
    b.tickNum[i],
    b.open[i],
    b.high[i],
    b.low[i],
    b.close[i],
    b.volume[i],
    b.buyVolume[i],
    b.ticks[i],
    b.dollarValue[i],
  ]);

// signs by the tick rule: 0 (first), +1, +1 (no change), -1, +1
const tape = { ts: f64(1, 2, 2, 3, 4), price: f64(10, 11, 11, 9, 12), volume: f64(1, 2, 3, 4, 5) };

describe('bars', () => {
  it('tick bars: the second trade closes each bar, the fifth is a dropped partial bar', () => {
    expect(rows(k.bars(tape, { by: 'tick', threshold: 2 }))).toEqual([
      // ts, tickNum, open, high, low, close, volume, buyVolume, ticks, dollarValue
      [2, 2, 10, 11, 10, 11, 3, 2, 2, 10 + 22],
      [3, 4, 11, 11, 9, 9, 7, 3, 2, 33 + 36],
    ]);
  });

  it('volume bars close at the trade whose sum reaches the threshold (>=)', () => {
    // running volumes 1, 3 (closes); 3 (closes); 4 (closes); 5 (closes)
    expect(rows(k.bars(tape, { by: 'volume', threshold: 3 }))).toEqual([
      [2, 2, 10, 11, 10, 11, 3, 2, 2, 32],
      [2, 3, 11, 11, 11, 11, 3, 3, 1, 33],
      [3, 4, 9, 9, 9, 9, 4, 0, 1, 36],
      [4, 5, 12, 12, 12, 12, 5, 5, 1, 60],
    ]);
  });

  it('dollar bars sum price x volume', () => {
    // dollar values 10, 22, 33, 36, 60: 65 at the third trade, 96 at the fifth
    expect(rows(k.bars(tape, { by: 'dollar', threshold: 60 }))).toEqual([
      [2, 3, 10, 11, 10, 11, 6, 5, 3, 65],
      [4, 5, 9, 12, 9, 12, 9, 5, 2, 96],
    ]);
  });

  it('no trades, or a total under the threshold: zero bars, every column empty', () => {
    for (const t of [{ ts: f64(), price: f64(), volume: f64() }, tape]) {
      const b = k.bars(t, { by: 'volume', threshold: 1e9 });
      expect(Object.keys(b)).toEqual(['ts', 'tickNum', 'open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue']);
      for (const column of Object.values(b)) expect(column).toEqual(new Float64Array(0));
    }
  });

  it('a single trade: one bar when it reaches the threshold alone (its sign 0: no buy volume), else none', () => {
    const one = { ts: f64(7), price: f64(3), volume: f64(5) };
    expect(rows(k.bars(one, { by: 'volume', threshold: 5 }))).toEqual([[7, 1, 3, 3, 3, 3, 5, 0, 1, 15]]);
    expect(rows(k.bars(one, { by: 'volume', threshold: 5.5 }))).toEqual([]);
    expect(rows(k.bars(one, { by: 'tick', threshold: 0.5 }))).toEqual([[7, 1, 3, 3, 3, 3, 5, 0, 1, 15]]);
  });

  it('zero-volume trades count as ticks and add nothing to the volume', () => {
    const t = { ts: f64(1, 2, 3), price: f64(5, 4, 6), volume: f64(0, 0, 2) };
    expect(rows(k.bars(t, { by: 'volume', threshold: 1 }))).toEqual([[3, 3, 5, 6, 4, 6, 2, 2, 3, 12]]);
  });
});
