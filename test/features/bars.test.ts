/**
 * Standard bars on hand-derived tapes (mlfinlab's conventions, src/kernels/features/features-kernels.ts):
 * the closing trade included, the partial bar dropped, high and low with the open, the tick rule's
 * buy volume across bars; the edge cases: no trades, one trade, zero volume.
 */
import { describe, expect, it } from 'vitest';
import { bars as topLevelBars } from '../../src/api/index.js';
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

  it("the top-level bars (the default backend) gives the reference's bars", () => {
    expect(rows(topLevelBars(tape, { by: 'dollar', threshold: 60 }))).toEqual(rows(k.bars(tape, { by: 'dollar', threshold: 60 })));
  });

  it('zero-volume trades count as ticks and add nothing to the volume', () => {
    const t = { ts: f64(1, 2, 3), price: f64(5, 4, 6), volume: f64(0, 0, 2) };
    expect(rows(k.bars(t, { by: 'volume', threshold: 1 }))).toEqual([[3, 3, 5, 6, 4, 6, 2, 2, 3, 12]]);
  });
});

// signs 0, +1, +1, +1, -1, -1, -1, +1, +1, +1
const walk = {
  ts: f64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
  price: f64(10, 11, 12, 13, 12, 11, 10, 11, 12, 13),
  volume: f64(1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
};

describe('imbalanceBars', () => {
  it('tick imbalance, const: E[theta] set at the second trade, one bar at the third', () => {
    // trade 1: history [0, 1], E = EWMA span 2 = (0 (1/3) + 1) / (1 + 1/3) = 0.75; |theta| = 1 > 2 x 0.75? no
    // trade 2: |theta| = 2 > 1.5: a bar of 3 ticks; E = EWMA of [1, 1] = 1, so the threshold 2 x 1:
    // theta then runs +1, 0, -1, -2 (not > 2), -1, 0, +1: no other bar
    const b = k.imbalanceBars(walk, { by: 'tick', kind: 'const', expNumTicksInit: 2, expectedImbalanceWindow: 2 });
    expect(rows(b)).toEqual([[3, 3, 10, 12, 10, 12, 3, 2, 3, 33]]);
  });

  it("ema: expNumTicks becomes the EWMA of the bars' ticks (here 3), so the threshold is 3", () => {
    const b = k.imbalanceBars(walk, { by: 'tick', kind: 'ema', numPrevBars: 3, expNumTicksInit: 2, expectedImbalanceWindow: 2 });
    expect(Array.from(b.tickNum)).toEqual([3]);
  });

  it('no trades: zero bars', () => {
    const b = k.imbalanceBars({ ts: f64(), price: f64(), volume: f64() }, { by: 'dollar' });
    expect(b.ts.length).toBe(0);
  });
});

describe('runBars', () => {
  it('tick runs, const: the first bar waits for a sell, then every trade is a run', () => {
    // E[buy] = 1 from trade 1, E[sell] = 1 at trade 4: P = 3 buys / 5 ticks; max(3, 1) > 1 x max(0.6, 0.4):
    // a bar at trade 4. Then P = 0.6 and one sell (1 > 0.6) closes a bar; P = EWMA([0.6, 0]) = 0.2,
    // and one sell (1 > 0.8) closes the next
    const b = k.runBars(walk, { by: 'tick', kind: 'const', numPrevBars: 3, expNumTicksInit: 1, expectedImbalanceWindow: 1 });
    expect(Array.from(b.tickNum.subarray(0, 3))).toEqual([5, 6, 7]);
    expect(Array.from(b.ticks.subarray(0, 3))).toEqual([5, 1, 1]);
    expect(Array.from(b.buyVolume.subarray(0, 3))).toEqual([3, 0, 0]);
  });

  it('a trade of imbalance 0 (the first, or zero volume) is neither a buy nor a sell: one trade gives no bar', () => {
    const b = k.runBars({ ts: f64(1), price: f64(5), volume: f64(2) }, { by: 'volume', expNumTicksInit: 1 });
    expect(b.ts.length).toBe(0);
  });
});

describe("bars by 'time'", () => {
  it('a trade past the open bar closes it: ts the bar end, tickNum that trade, the open bar at the end dropped', () => {
    // bars of 10 ms: trades at 3, 7 | 12 | 25, 29 (open at the end: dropped)
    const t = { ts: f64(3, 7, 12, 25, 29), price: f64(5, 6, 4, 4, 7), volume: f64(1, 2, 3, 4, 5) };
    expect(rows(k.bars(t, { by: 'time', threshold: 10 }))).toEqual([
      [10, 3, 5, 6, 5, 6, 3, 2, 2, 17],
      [20, 4, 4, 4, 4, 4, 3, 0, 1, 12],
    ]);
  });

  it('one bar of trades, or none: zero bars', () => {
    expect(k.bars({ ts: f64(1, 2), price: f64(1, 2), volume: f64(1, 1) }, { by: 'time', threshold: 60_000 }).ts.length).toBe(0);
    expect(k.bars({ ts: f64(), price: f64(), volume: f64() }, { by: 'time', threshold: 1 }).ts.length).toBe(0);
  });
});
