/**
 * The realized measures' days and edge cases, worked by hand, and HAR on a series it fits exactly,
 * on the reference and every backend: a gap of days, a day of one trade, no trades, a session with an
 * offset, a day too short for a measure, a bandwidth longer than the day.
 */
import { describe, expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import { describeEachBackend } from '../helpers/backends.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 2);
const f64 = (...v: number[]) => Float64Array.from(v);
const lr = (a: number, b: number) => Math.log(b / a);
/** Equal to 1e-14 relative: the hand values add in another order. */
const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-14 * Math.abs(want));

/** Day 0: 100, 101, 100.5, 102 (4 prices); day 1: none; day 2: one trade at 200; day 3: 50, 49. */
const ts = f64(D0 + 1000, D0 + 2000, D0 + 3000, D0 + 4000, D0 + 2 * DAY + 5, D0 + 3 * DAY, D0 + 3 * DAY + 1);
const prices = f64(100, 101, 100.5, 102, 200, 50, 49);
const r0 = [lr(100, 101), lr(101, 100.5), lr(100.5, 102)];
const r3 = lr(50, 49);

function cases(k: Kernels): void {
  it('a Vector per day labelled by its UTC date: a day without trades has no row, a gap is no return', () => {
    const rv = k.realizedVariance(prices, { ts, period: 'day' });
    expect(Array.from(rv.index as Float64Array)).toEqual([D0, D0 + 2 * DAY, D0 + 3 * DAY]);
    near(rv[0], r0[0] ** 2 + r0[1] ** 2 + r0[2] ** 2);
    expect(rv[1]).toBe(0); // one trade: its return is the day's leading 0
    near(rv[2], r3 ** 2); // not the move from 200 (day 2's close)
  });

  it('bipower, MedRV and MinRV by their formulas, NaN where a day is too short', () => {
    const bv = k.bipowerVariation(prices, { ts });
    near(bv[0], (Math.PI / 2) * (Math.abs(r0[0] * r0[1]) + Math.abs(r0[1] * r0[2])));
    expect(Array.from(bv.subarray(1))).toEqual([0, 0]);
    const med = k.medRV(prices, { ts });
    // |r| = [0, a, b, c]: medians of [0,a,b] and [a,b,c]
    const a = [0, ...r0].map(Math.abs);
    const m1 = [a[0], a[1], a[2]].sort((x, y) => x - y)[1];
    const m2 = [a[1], a[2], a[3]].sort((x, y) => x - y)[1];
    near(med[0], (Math.PI / (6 - 4 * Math.sqrt(3) + Math.PI)) * (4 / 2) * (m1 ** 2 + m2 ** 2));
    expect(med[1]).toBeNaN(); // one price
    expect(med[2]).toBeNaN(); // two prices
    const min = k.minRV(prices, { ts });
    const mins = [Math.min(a[0], a[1]), Math.min(a[1], a[2]), Math.min(a[2], a[3])];
    near(min[0], (Math.PI / (Math.PI - 2)) * (4 / 3) * mins.reduce((s, x) => s + x * x, 0));
    expect(min[1]).toBeNaN();
    expect(min[2]).toBe(0); // min(|0|, |r|)
  });

  it('semivariances split the realized variance by the sign of the return', () => {
    const s = k.realizedSemivariance(prices, { ts });
    const rv = k.realizedVariance(prices, { ts });
    near(s.positive[0], r0[0] ** 2 + r0[2] ** 2);
    near(s.negative[0], r0[1] ** 2);
    for (let d = 0; d < 3; d++) near(s.positive[d] + s.negative[d], rv[d]);
    near(s.negative[2], r3 ** 2);
    expect(Array.from(s.negative.index as Float64Array)).toEqual(Array.from(rv.index as Float64Array));
  });

  it('twoScaleRV: NaN under k prices; with k = 2, j = 1 the formula by hand', () => {
    const t = k.twoScaleRV(prices, { ts, k: 2, j: 1 });
    const nbarK = 3 / 2;
    const nbarJ = 4;
    const sumK = lr(100, 100.5) ** 2 + lr(101, 102) ** 2;
    const sumJ = r0.reduce((s, x) => s + x * x, 0);
    near(t[0], (1 / (1 - nbarK / nbarJ)) * ((1 / 2) * sumK - (nbarK / nbarJ) * sumJ));
    expect(t[1]).toBeNaN();
    expect(k.twoScaleRV(prices, { ts })[0]).toBeNaN(); // k = 300 > 4 prices
  });

  it('realizedKernel: bandwidth 0 is the RV; lags past the day add nothing; bartlett by hand', () => {
    const rv = k.realizedVariance(prices, { ts });
    expect(Array.from(k.realizedKernel(prices, { ts, bandwidth: 0 }))).toEqual(Array.from(rv));
    const g1 = r0[0] * r0[1] + r0[1] * r0[2];
    const g2 = r0[0] * r0[2];
    const bart = k.realizedKernel(prices, { ts, kernel: 'bartlett', bandwidth: 2 });
    // weights K((h-1)/H): 1 at h = 1, 1/2 at h = 2; n/(n-h) with n = 4 returns [0, r...]
    near(bart[0], rv[0] + 1 * 2 * g1 * (4 / 3) + 0.5 * 2 * g2 * (4 / 2));
    const long = k.realizedKernel(prices, { ts, kernel: 'bartlett', bandwidth: 50 });
    expect(Number.isFinite(long[1])).toBe(true); // one price, lag 1 = N: no pair (R: NaN)
    expect(long[1]).toBe(0);
    const noAdj = k.realizedKernel(prices, { ts, bandwidth: 1, adjust: false });
    near(noAdj[0], rv[0] + 2 * g1);
  });

  it("annualize: each day's value times it, every measure; per day by default", () => {
    const o = { ts, annualize: 252 };
    const rv = k.realizedVariance(prices, o);
    expect(Array.from(rv.index as Float64Array)).toEqual([D0, D0 + 2 * DAY, D0 + 3 * DAY]);
    near(rv[0], 252 * (r0[0] ** 2 + r0[1] ** 2 + r0[2] ** 2));
    near(rv[2], 252 * r3 ** 2);
    const perDay = k.realizedVariance(prices, { ts });
    near(perDay[0], r0[0] ** 2 + r0[1] ** 2 + r0[2] ** 2);
    const a = (x: Float64Array) => Array.from(x);
    const times = (x: Float64Array) => Array.from(x, (v) => v * 252);
    expect(a(k.bipowerVariation(prices, o))).toEqual(times(k.bipowerVariation(prices, { ts })));
    expect(a(k.medRV(prices, o))).toEqual(times(k.medRV(prices, { ts })));
    expect(a(k.minRV(prices, o))).toEqual(times(k.minRV(prices, { ts })));
    expect(a(k.twoScaleRV(prices, { ...o, k: 2 }))).toEqual(times(k.twoScaleRV(prices, { ts, k: 2 })));
    expect(a(k.realizedKernel(prices, o))).toEqual(times(k.realizedKernel(prices, { ts })));
    const s = k.realizedSemivariance(prices, o);
    near(s.positive[0], 252 * (r0[0] ** 2 + r0[2] ** 2));
    near(s.negative[0], 252 * r0[1] ** 2);
    expect(Array.from(s.negative.index as Float64Array)).toEqual([D0, D0 + 2 * DAY, D0 + 3 * DAY]);
  });

  it('no trades: no days', () => {
    const rv = k.realizedVariance(new Float64Array(0), { ts: new Float64Array(0) });
    expect(rv.length).toBe(0);
    expect((rv.index as Float64Array).length).toBe(0);
  });

  it('a session: the offset moves the dates, trades outside open..close are left out', () => {
    // New York: offset -5 h, 09:30 to 16:00; one day's trades from 14:00 UTC (09:00 local) to 21:30 UTC
    const base = Date.UTC(2024, 0, 2);
    const h = 3_600_000;
    const t = f64(base + 14 * h, base + 15 * h, base + 16 * h, base + 20 * h, base + 21.5 * h, base + 29 * h);
    const p = f64(10, 11, 12, 11, 20, 30);
    const session = { offset: -5 * h, open: 9.5 * h, close: 16 * h };
    const rv = k.realizedVariance(p, { ts: t, session });
    // kept: 15:00 (10:00), 16:00, 20:00 (15:00) on Jan 2; 21:30 UTC is 16:30 local (out); 29 h is 00:00 Jan 3 local (out)
    expect(Array.from(rv.index as Float64Array)).toEqual([base]);
    near(rv[0], lr(11, 12) ** 2 + lr(12, 11) ** 2);
    const utc = k.realizedVariance(p, { ts: t });
    expect(Array.from(utc.index as Float64Array)).toEqual([base, base + DAY]);
  });

  it('har fits an exact HAR series: its coefficients, and the recursion for the day after', () => {
    const n = 120;
    const rv = new Float64Array(n);
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let t = 0; t < 22; t++) rv[t] = 1e-4 * (0.5 + rand());
    const mean = (t: number, h: number) => rv.subarray(t - h + 1, t + 1).reduce((s, x) => s + x, 0) / h;
    const next = (t: number) => 2e-5 + 0.4 * rv[t] + 0.3 * mean(t, 5) + 0.2 * mean(t, 22) + 1e-5 * Math.sin(t);
    // a small deterministic shock keeps the design full rank; it enters as a regressor-free term
    for (let t = 21; t < n - 1; t++) rv[t + 1] = next(t) - 1e-5 * Math.sin(t);
    const fit = k.har(rv);
    const b = fit.coefficients;
    expect(b[0]).toBeCloseTo(2e-5, 12);
    expect(b[1]).toBeCloseTo(0.4, 8);
    expect(b[2]).toBeCloseTo(0.3, 8);
    expect(b[3]).toBeCloseTo(0.2, 8);
    expect(fit.forecast).toBeCloseTo(next(n - 1) - 1e-5 * Math.sin(n - 1), 14);
    expect(fit.fitted[30]).toBeCloseTo(rv[30], 14);
    expect(Number.isNaN(fit.fitted[21])).toBe(true);
    expect(fit.coefficients.index).toEqual(['const', 'RV1', 'RV5', 'RV22']);
  });

  it('har of a constant series (a collinear design): NaN', () => {
    const fit = k.har(new Float64Array(40).fill(1e-4), { lags: [1, 5] });
    expect(Array.from(fit.coefficients).every(Number.isNaN)).toBe(true);
    expect(fit.forecast).toBeNaN();
  });

  it('har keeps the labels of rv on fitted', () => {
    const days = Float64Array.from({ length: 30 }, (_, i) => D0 + i * DAY);
    const rv = Object.assign(
      Float64Array.from({ length: 30 }, (_, i) => 1e-4 * (1 + 0.3 * Math.sin(i * 1.7))),
      { index: days },
    );
    expect(k.har(rv, { lags: [1, 3] }).fitted.index).toBe(days);
  });
}

describe('realized measures, by hand [reference]', () => cases(kernels({ backend: 'reference' })));
describeEachBackend('realized measures, by hand', (k) => cases(k), 'features');
