/** The reference is the oracle: check it against values worked out by hand and closed forms. */
import { describe, expect, it } from 'vitest';
import { normalCdf, studentTCdf } from '../../src/math/special.js';
import { ref } from '../helpers/backends.js';

const trades = {
  ts: Float64Array.from([0, 1000, 60_000, 120_000]),
  price: Float64Array.from([10, 11, 11, 10]),
  volume: Float64Array.from([30, 30, 40, 100]),
};
const PHI_1 = 0.8413447460685429; // Phi(1)
const PHI_M1 = 0.15865525393145707; // Phi(-1)

describe('special functions', () => {
  it('normalCdf matches high-precision values to 1e-14 relative', () => {
    const known: [number, number][] = [
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [-1, PHI_M1],
      [-1.5, 0.066807201268858071],
      [-2, 0.022750131948179207],
      [-3, 0.0013498980316300946],
      [-5, 2.866515718791939e-7],
      [-10, 7.619853024160527e-24],
      [-20, 2.7536241186062337e-89],
      [3, 0.9986501019683699],
    ];
    for (const [x, p] of known) expect(Math.abs(normalCdf(x) - p) / p, `Phi(${x})`).toBeLessThan(1e-14);
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(-40)).toBe(0);
  });

  it('studentTCdf matches the closed forms for nu = 1 and nu = 2, and tends to the normal', () => {
    for (const t of [-50, -3, -0.5, 0, 0.1, 2, 30]) {
      // nu = 1 (Cauchy): lower tail atan(1/|t|)/pi without cancellation
      const cauchyTail = t === 0 ? 0.5 : Math.atan(1 / Math.abs(t)) / Math.PI;
      const cauchy = t <= 0 ? cauchyTail : 1 - cauchyTail;
      expect(Math.abs(studentTCdf(t, 1) - cauchy) / cauchy).toBeLessThan(1e-13);
      // nu = 2: lower tail 1 / (s (s + |t|)) / 1, s = sqrt(2 + t^2)
      const s = Math.sqrt(2 + t * t);
      const nu2Tail = 1 / (s * (s + Math.abs(t)));
      const nu2 = t <= 0 ? nu2Tail : 1 - nu2Tail;
      expect(Math.abs(studentTCdf(t, 2) - nu2) / nu2).toBeLessThan(1e-13);
    }
    expect(Math.abs(studentTCdf(-2, 1e7) - normalCdf(-2))).toBeLessThan(1e-7);
  });
});

describe('VPIN reference, worked by hand', () => {
  it('timeBars aligns bars to multiples of barMs and keeps only non-empty ones', () => {
    const bars = ref.timeBars(trades, { barMs: 60_000 });
    expect(Array.from(bars.start)).toEqual([0, 60_000, 120_000]);
    expect(Array.from(bars.open)).toEqual([10, 11, 10]);
    expect(Array.from(bars.close)).toEqual([11, 11, 10]);
    expect(Array.from(bars.volume)).toEqual([60, 40, 100]);
    expect(Array.from(bars.count)).toEqual([2, 1, 1]);
    const gappy = ref.timeBars({
      ts: Float64Array.from([5, 86_400_000 * 3]),
      price: Float64Array.from([1, 2]),
      volume: Float64Array.from([1, 1]),
    });
    expect(Array.from(gappy.start)).toEqual([0, 86_400_000 * 3]);
  });

  it('tickRule: 0 before the first change, unchanged prices keep the last sign', () => {
    expect(Array.from(ref.tickRule(Float64Array.from([5, 5, 6, 6, 4, 4, 7])))).toEqual([0, 0, 1, 1, -1, -1, 1]);
  });

  it('bulkClassify: volume * Phi(dP / sigma) with the sample sigma, 0.5 where sigma is undefined', () => {
    const bars = ref.timeBars(trades);
    // dP = [11 - 10 (first bar: own open), 11 - 11, 10 - 11] = [1, 0, -1]; sample std = 1
    const buy = ref.bulkClassify(bars);
    expect(buy[0]).toBeCloseTo(60 * PHI_1, 12);
    expect(buy[1]).toBe(20);
    expect(buy[2]).toBeCloseTo(100 * PHI_M1, 12);
    const one = ref.bulkClassify({ open: Float64Array.of(1), close: Float64Array.of(2), volume: Float64Array.of(8) });
    expect(Array.from(one)).toEqual([4]);
    const intra = ref.bulkClassify(bars, { priceChange: 'intra', sigma: 2 });
    expect(intra[1]).toBe(20); // 11 - 11 inside the bar
    expect(intra[2]).toBe(50); // a single-trade bar: open == close
  });

  it('vpin with the tick rule: buckets, pro-rata split, VPIN and CDF', () => {
    // buy fractions per bar: (0.5*30 + 30)/60 = 0.75, 1, 0
    const out = ref.vpin(trades, { bucketVolume: 50, window: 2, classifier: 'tick' });
    expect(Array.from(out.endTs)).toEqual([1000, 60_000, 120_000, 120_000]);
    expect(Array.from(out.buyVolume)).toEqual([37.5, 47.5, 0, 0]);
    expect(Array.from(out.sellVolume)).toEqual([12.5, 2.5, 50, 50]);
    expect(out.vpin[0]).toBeNaN();
    expect(Array.from(out.vpin.subarray(1))).toEqual([(25 + 45) / 100, (45 + 50) / 100, (50 + 50) / 100]);
    expect(out.cdf[0]).toBeNaN();
    expect(Array.from(out.cdf.subarray(1))).toEqual([1, 1, 1]);
  });

  it('vpin with bvc and a fixed sigma; cdf ranks each value among those so far', () => {
    const out = ref.vpin(trades, { bucketVolume: 50, window: 1, sigma: 1 });
    const b0 = 50 * PHI_1;
    const b1 = 10 * PHI_1 + 40 * 0.5;
    expect(out.buyVolume[0]).toBeCloseTo(b0, 12);
    expect(out.buyVolume[1]).toBeCloseTo(b1, 12);
    expect(out.buyVolume[2]).toBeCloseTo(50 * PHI_M1, 12);
    expect(out.vpin[0]).toBeCloseTo(Math.abs(2 * b0 - 50) / 50, 12);
    expect(out.vpin[1]).toBeCloseTo(Math.abs(2 * b1 - 50) / 50, 12);
    // vpin[1] (0.1566) < vpin[0] (0.6827) = vpin[2] = vpin[3]
    expect(Array.from(out.cdf)).toEqual([1, 0.5, 1, 1]);
  });

  it('a partial last bucket is not emitted, and a stream keeps it', () => {
    const options = { bucketVolume: 150, window: 1, sigma: 1 } as const;
    expect(ref.vpin(trades, options).vpin.length).toBe(1); // 200 volume -> 1 bucket + 50 left
    const stream = ref.vpinStream(options);
    expect(stream.update(trades).vpin.length).toBe(0); // the last bar is still open
    expect(stream.flush().vpin.length).toBe(1);
    expect(stream.bucketCount).toBe(1);
    const more = { ts: Float64Array.of(180_000), price: Float64Array.of(10), volume: Float64Array.of(100) };
    expect(stream.update(more).vpin.length).toBe(0);
    expect(stream.flush().vpin.length).toBe(1); // 50 carried + 100
  });

  it('sigma rules: rolling and EWMA follow their definitions', () => {
    const bars = {
      open: Float64Array.from([10, 10, 10, 10]),
      close: Float64Array.from([11, 13, 12, 12.5]),
      volume: Float64Array.from([1, 1, 1, 1]),
    };
    // dP (close rule) = [1, 2, -1, 0.5]
    const rolling = ref.bulkClassify(bars, { sigma: { rolling: 2 } });
    expect(rolling[0]).toBe(0.5); // one value: sigma undefined
    const std = (a: number, b: number) => Math.abs(a - b) / Math.SQRT2;
    expect(rolling[1]).toBeCloseTo(normalCdf(2 / std(1, 2)), 14);
    expect(rolling[2]).toBeCloseTo(normalCdf(-1 / std(2, -1)), 14);
    const ewma = ref.bulkClassify(bars, { sigma: { ewma: 0.5 } });
    const v1 = 1;
    const v2 = 0.5 * v1 + 0.5 * 4;
    const v3 = 0.5 * v2 + 0.5 * 1;
    expect(ewma[0]).toBeCloseTo(normalCdf(1), 14);
    expect(ewma[1]).toBeCloseTo(normalCdf(2 / Math.sqrt(v2)), 14);
    expect(ewma[2]).toBeCloseTo(normalCdf(-1 / Math.sqrt(v3)), 14);
    const t = ref.bulkClassify(bars, { sigma: 2, distribution: { studentT: 2 } });
    expect(t[0]).toBeCloseTo(studentTCdf(0.5, 2), 14);
  });
});
