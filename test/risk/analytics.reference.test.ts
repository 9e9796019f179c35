/**
 * The risk analytics (issue 31) on the reference backend against published values and closed forms:
 * empyrical's test_stats.py (quantopian/empyrical, its data sets and expected values copied below) for
 * omega, tail ratio, stability, cum_returns_final and aggregate_returns; the Basel Committee's 1996
 * backtesting table (cumulative binomial probabilities for 250 dates at 99 %); chi-square quantiles;
 * rugarch's product-form likelihoods recomputed here where they do not underflow; the DQ statistic
 * against an independent least-squares projection; drawdown tables worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { kernels, matrix } from '../../src/index.js';
import { chiSquareSf } from '../../src/math/chi-square.js';

const ref = kernels({ backend: 'reference' });
const pct = (...xs: number[]) => Float64Array.from(xs, (x) => x / 100);

/** empyrical's data sets. */
const MIXED = pct(NaN, 1, 10, -4, 2, 3, 2, 1, -10);
const SWINGS = pct(0, 1, 10, -4, 2, 3, 2, 1, -10);
const POSITIVE = pct(1, 2, 1, 1, 1, 1, 1, 1, 1);
const NEGATIVE = pct(0, -6, -7, -1, -9, -2, -6, -8, -5);
const SIMPLE_BENCHMARK = pct(0, 1, 0, 1, 0, 1, 0, 1, 0);
const FLAT_1 = pct(1, 1, 1, 1, 1, 1, 1, 1, 1);
const ONE = pct(1);
const DAY = 86_400_000;

function close(actual: number, expected: number, tol = 1e-12): void {
  if (Number.isNaN(expected)) return void expect(actual).toBeNaN();
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

describe('performanceStats extras against empyrical (test_stats.py)', () => {
  const one = (r: Float64Array, name: 'omega' | 'tailRatio' | 'stability' | 'cumulativeReturn', o = {}) => ref.performanceStats(r, o)[name];

  it('omega_ratio: test_omega (riskFree, requiredReturn, expected)', () => {
    close(one(new Float64Array(0), 'omega'), NaN);
    close(one(ONE, 'omega'), NaN);
    close(one(MIXED, 'omega', { requiredReturn: 10 }), 0.83354263497557934);
    close(one(MIXED, 'omega', { riskFree: 0.01 }), 0.8125); // risk_free = flat_line_1 (0.01 every day)
    close(one(POSITIVE, 'omega', { riskFree: 0.01 }), NaN);
    close(one(POSITIVE, 'omega', { riskFree: 0.011 }), 1.125);
    close(one(POSITIVE, 'omega', { riskFree: 0.02 }), 0);
    close(one(NEGATIVE, 'omega', { riskFree: 0.01 }), 0);
    // periodsPerYear 1: the threshold is requiredReturn itself
    close(one(POSITIVE, 'omega', { periodsPerYear: 1, requiredReturn: 0.011 }), 1.125);
  });

  it('tail_ratio and stability_of_timeseries: test_tail_ratio, test_stability_of_timeseries', () => {
    close(one(new Float64Array(0), 'tailRatio'), NaN);
    close(one(ONE, 'tailRatio'), 1);
    // empyrical's 0.9473684210526313 (asserted there to 1 decimal only) is the ratio with the missing
    // first return as 0 (7.2 / 7.6); over the 8 present values numpy's percentiles are 7.55 and -7.9
    expect(Math.abs(one(MIXED, 'tailRatio') - 0.9473684210526313)).toBeLessThan(1.5 * 10 ** -1);
    close(one(MIXED, 'tailRatio'), 7.55 / 7.9, 1e-14);
    close(one(SWINGS, 'tailRatio'), 0.9473684210526313, 1e-14);
    close(one(new Float64Array(0), 'stability'), NaN);
    close(one(ONE, 'stability'), NaN);
    close(one(MIXED, 'stability'), 0.1529973665111273);
    close(one(FLAT_1, 'stability'), 1); // a constant return: a straight cumsum, R^2 = 1
    close(one(new Float64Array(5), 'stability'), 0); // a constant cumsum: scipy's r = 0
  });

  it('cum_returns_final: test_cum_returns_final (4 decimals there)', () => {
    close(one(new Float64Array(0), 'cumulativeReturn'), NaN);
    close(one(ONE, 'cumulativeReturn'), 0.01);
    expect(one(MIXED, 'cumulativeReturn')).toBeCloseTo(0.03893, 4);
    expect(one(NEGATIVE, 'cumulativeReturn')).toBeCloseTo(-0.3659, 4);
  });
});

describe('aggregateReturns against empyrical (test_aggregate_returns)', () => {
  const days = (start: string, n: number, step = DAY) => Float64Array.from({ length: n }, (_, i) => Date.parse(start) + i * step);
  const monthEnds = Float64Array.from({ length: 9 }, (_, i) => Date.UTC(2000, i + 1, 0)); // 2000-01-31 .. 2000-09-30

  it('simple_benchmark (daily from 2000-01-30), weekly_returns (Sundays), monthly_returns (month ends)', () => {
    const cases = [
      [SIMPLE_BENCHMARK, days('2000-01-30', 9), 'weekly', [0.0, 0.040604010000000024, 0.0]],
      [SIMPLE_BENCHMARK, days('2000-01-30', 9), 'monthly', [0.01, 0.03030099999999991]],
      [SIMPLE_BENCHMARK, days('2000-01-30', 9), 'quarterly', [0.04060401]],
      [SIMPLE_BENCHMARK, days('2000-01-30', 9), 'yearly', [0.040604010000000024]],
      [SWINGS, days('2000-01-30', 9, 7 * DAY), 'monthly', [0.0, 0.087891200000000058, -0.04500459999999995]],
      [SWINGS, days('2000-01-30', 9, 7 * DAY), 'yearly', [0.038931091700480147]],
      [SWINGS, monthEnds, 'yearly', [0.038931091700480147]],
      [SWINGS, monthEnds, 'quarterly', [0.11100000000000021, 0.008575999999999917, -0.072819999999999996]],
    ] as const;
    for (const [returns, dates, period, expected] of cases) {
      const { returns: got } = ref.aggregateReturns(returns, dates, period);
      expect(got).toBeInstanceOf(Float64Array);
      expect((got as Float64Array).length).toBe(expected.length);
      expected.forEach((e, g) => close((got as Float64Array)[g], e, 1e-14));
    }
  });

  it("the weekly key is (calendar year, ISO week): 2024-12-30 joins the first days of 2024's week 1", () => {
    const dates = Float64Array.of(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 11, 30), Date.UTC(2025, 0, 2));
    const r = ref.aggregateReturns(matrix(Float64Array.of(0.1, 1, 0.1, 2, 0.1, 3, 0.1, 4), 4, 2), dates, 'weekly');
    expect([...r.year]).toEqual([2024, 2025]);
    expect([...r.period]).toEqual([1, 1]); // both ISO week 1, of 2024 and of 2025
    const m = r.returns as { data: Float64Array; rows: number; cols: number };
    expect([m.rows, m.cols]).toEqual([2, 2]);
    close(m.data[0], 1.1 ** 3 - 1, 1e-15); // Jan 1, Jan 2 and Dec 30 of 2024
    close(m.data[1], 2 * 3 * 4 - 1, 1e-15);
    close(m.data[2], 0.1, 1e-15);
    close(m.data[3], 4, 1e-15);
  });
});

describe('drawdownSeries and drawdowns', () => {
  it('drawdownSeries: W / cummax(W) - 1 with wealth 1 before the first return, NaN as 0', () => {
    const u = ref.drawdownSeries(Float64Array.of(-0.1, NaN, 0.2, -0.5));
    close(u[0], -0.1);
    close(u[1], -0.1);
    close(u[2], 0); // 0.9 x 1.2 = 1.08 > 1: a new high
    close(u[3], -0.5);
  });

  it('never recovered, with a first-day loss', () => {
    const r = Float64Array.of(-0.1, 0.05, -0.02);
    const pa = ref.drawdowns(r, { top: 2 });
    expect([pa.from[0], pa.trough[0], pa.length[0], pa.peakToTrough[0]]).toEqual([0, 0, 4, 1]);
    expect(pa.to[0]).toBeNaN();
    expect(pa.recovery[0]).toBeNaN();
    close(pa.depth[0] as number, -0.1);
    expect(pa.from.length).toBe(1); // one drawdown only: the table lists the drawdowns there are
    // pyfolio: no point before the first return, so the first-day loss is no drawdown: 0.9 is the peak,
    // then 0.945, then 0.9261 (2 % below it), never recovered
    const py = ref.drawdowns(r, { top: 2, convention: 'pyfolio' });
    expect([py.peak[0], py.valley[0]]).toEqual([1, 2]);
    expect(py.recovery[0]).toBeNaN();
    expect(py.duration[0]).toBeNaN();
    close(py.netDrawdown[0] as number, 2, 1e-12);
    expect(py.peak.length).toBe(1);
  });

  it('recovered on the last day', () => {
    const r = Float64Array.of(0.1, -0.5, 1);
    const pa = ref.drawdowns(r);
    expect([pa.from[0], pa.trough[0], pa.to[0], pa.length[0], pa.peakToTrough[0], pa.recovery[0]]).toEqual([1, 1, 2, 2, 1, 1]);
    close(pa.depth[0] as number, -0.5);
    const py = ref.drawdowns(r, { convention: 'pyfolio' });
    expect([py.peak[0], py.valley[0], py.recovery[0], py.duration[0]]).toEqual([0, 1, 2, 3]);
    close(py.netDrawdown[0] as number, 50);
    expect(py.peak.length).toBe(1);
  });

  it('flat: no drawdown (PerformanceAnalytics), one zero row (pyfolio)', () => {
    const r = new Float64Array(4);
    const pa = ref.drawdowns(r);
    expect(pa.from.length).toBe(0); // no drawdown: no row (top is the most rows, not a count of NaN rows)
    const py = ref.drawdowns(r, { convention: 'pyfolio' });
    expect([py.peak[0], py.valley[0], py.recovery[0], py.netDrawdown[0], py.duration[0]]).toEqual([0, 0, 0, 0, 1]);
    expect(py.peak.length).toBe(1);
  });

  it('deepest first, top limits the table; pyfolio stops at an unrecovered drawdown', () => {
    const r = Float64Array.of(-0.1, 0.2, -0.3, 0.5, -0.05);
    const pa = ref.drawdowns(r, { top: 2 });
    expect([...(pa.from as Float64Array)]).toEqual([2, 0]);
    expect([...(pa.to as Float64Array)]).toEqual([3, 1]);
    close(pa.depth[0] as number, -0.3);
    close(pa.depth[1] as number, -0.1);
    const all = ref.drawdowns(r, { top: 4 });
    expect([...(all.from as Float64Array)]).toEqual([2, 0, 4]); // the three there are, not top = 4 rows
    expect(all.length[2]).toBe(2); // T - from + 1 for an unrecovered drawdown (findDrawdowns)
    const py = ref.drawdowns(r, { top: 4, convention: 'pyfolio' });
    expect([py.peak[0], py.valley[0], py.recovery[0], py.duration[0]]).toEqual([1, 2, 3, 3]);
    close(py.netDrawdown[0] as number, 30, 1e-12);
    expect([py.peak[1], py.valley[1]]).toEqual([3, 4]);
    expect(py.recovery[1]).toBeNaN();
    close(py.netDrawdown[1] as number, 5, 1e-12);
    expect(py.peak.length).toBe(2);
  });

  it('a matrix: one table column per column of returns, as many rows as the column with most drawdowns', () => {
    const m = matrix(Float64Array.of(0.1, -0.1, -0.5, 0.05, 1, 0.2), 3, 2);
    const pa = ref.drawdowns(m, { top: 1 });
    const from = pa.from as { data: Float64Array; rows: number; cols: number };
    expect([from.rows, from.cols]).toEqual([1, 2]);
    expect([...from.data]).toEqual([1, 0]);
    // column 0 has one drawdown, column 1 two: two rows, column 0's second NaN
    const two = ref.drawdowns(matrix(Float64Array.of(0.1, -0.1, -0.5, 0.2, 1, -0.1, 0.1, 0.5), 4, 2), { top: 5 });
    expect([two.from.rows, [...two.from.data]]).toEqual([2, [1, 0, NaN, 2]]);
  });
});

describe('varBacktest', () => {
  /** A series of n returns with exceptions (r = -2 against VaR 1) at the given dates, 0 elsewhere. */
  function series(n: number, at: number[]): { r: Float64Array; v: Float64Array } {
    const r = new Float64Array(n);
    for (const t of at) r[t] = -2;
    return { r, v: new Float64Array(n).fill(1) };
  }

  it('chi-square survival at the 5 % quantiles of 1, 2, 6 and 7 degrees of freedom; edges', () => {
    close(chiSquareSf(3.841458820694124, 1), 0.05, 1e-13);
    close(chiSquareSf(5.991464547107979, 2), 0.05, 1e-13);
    close(chiSquareSf(12.591587243743977, 6), 0.05, 1e-13);
    close(chiSquareSf(14.067140449340167, 7), 0.05, 1e-13);
    close(chiSquareSf(11.070497693516351, 5), 0.05, 1e-13);
    expect([chiSquareSf(0, 1), chiSquareSf(-1, 2), chiSquareSf(Infinity, 6)]).toEqual([1, 1, 0]);
    expect(chiSquareSf(NaN, 1)).toBeNaN();
  });

  it("Kupiec's LR is 0 when the exceptions are exactly T (1 - c); rugarch's product form elsewhere", () => {
    const { r, v } = series(100, [3, 20, 41, 60, 99]);
    const b = ref.varBacktest(r, v, { confidence: 0.95 });
    expect(b.count).toBe(5);
    expect(b.kupiecLR).toBeLessThan(1e-12);
    close(b.kupiecPValue, 1, 1e-6);
    const ten = series(250, [1, 30, 31, 70, 100, 150, 151, 152, 200, 249]);
    const c = ref.varBacktest(ten.r, ten.v, { confidence: 0.99 });
    // rugarch .LR.uc: -2 log((1-p)^(N-x) p^x) + 2 log((1-x/N)^(N-x) (x/N)^x)
    const uc = -2 * Math.log(0.99 ** 240 * 0.01 ** 10) + 2 * Math.log(0.96 ** 240 * 0.04 ** 10);
    close(c.kupiecLR, uc, 1e-12);
    close(c.kupiecPValue, chiSquareSf(uc, 1), 1e-12);
    // Christoffersen: transitions of that series: T01 = 7, T11 = 3 (30-31, 150-151, 151-152), T10 = 6 (the last hit ends it)
    const [t00, t01, t10, t11] = [249 - 7 - 6 - 3, 7, 6, 3];
    const pi = (t01 + t11) / 249;
    const pi0 = t01 / (t00 + t01);
    const pi1 = t11 / (t10 + t11);
    const ind =
      -2 * Math.log((1 - pi) ** (t00 + t10) * pi ** (t01 + t11)) +
      2 * Math.log((1 - pi0) ** t00 * pi0 ** t01 * (1 - pi1) ** t10 * pi1 ** t11);
    close(c.independenceLR, ind, 1e-10);
    close(c.conditionalCoverageLR, uc + ind, 1e-10);
    close(c.conditionalCoveragePValue, Math.exp(-(uc + ind) / 2), 1e-10);
  });

  it('the traffic light at 4/5 and 9/10 exceptions of 250 at 99 % (BCBS 1996 table: 89.22, 95.88, 99.97, 99.99 %)', () => {
    const zoneAt = (x: number) => {
      const { r, v } = series(
        300,
        Array.from({ length: x }, (_, i) => 299 - 7 * i),
      );
      const b = ref.varBacktest(r, v, { confidence: 0.99 });
      expect([b.windowExceptions, b.windowObservations]).toEqual([x, 250]);
      return [b.zone, b.windowProbability];
    };
    const [z4, p4] = zoneAt(4);
    const [z5, p5] = zoneAt(5);
    const [z9, p9] = zoneAt(9);
    const [z10, p10] = zoneAt(10);
    expect([z4, z5, z9, z10]).toEqual([0, 1, 1, 2]);
    expect([p4, p5, p9, p10].map((p) => Math.round(p * 10000) / 100)).toEqual([89.22, 95.88, 99.97, 99.99]);
    // the window is the last 250 rows: exceptions before them do not count
    const early = series(300, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const b = ref.varBacktest(early.r, early.v, { confidence: 0.99 });
    expect([b.windowExceptions, b.zone, b.count]).toEqual([0, 0, 11]);
  });

  it('finite statistics with no exception and with only exceptions (0 log 0 = 0)', () => {
    const none = series(250, []);
    const a = ref.varBacktest(none.r, none.v, { confidence: 0.99 });
    close(a.kupiecLR, -2 * 250 * Math.log(0.99));
    expect(a.independenceLR).toBe(0);
    // no exception: every Hit is -p, in the constant's span: DQ = (n - 4) p^2 / (p (1 - p))
    close(a.dqStat, (246 * 0.01) / 0.99, 1e-9);
    const all = series(
      250,
      Array.from({ length: 250 }, (_, t) => t),
    );
    const b = ref.varBacktest(all.r, all.v, { confidence: 0.99 });
    close(b.kupiecLR, -2 * 250 * Math.log(0.01));
    expect(b.kupiecPValue).toBe(0);
    expect(b.independenceLR).toBe(0);
    expect(b.zone).toBe(2);
    expect(Number.isFinite(b.dqStat)).toBe(true);
  });

  it.each([
    ['gas', 7],
    ['hits', 6],
  ] as const)('DQ %s equals an independent least-squares projection (Gram-Schmidt on X, GAS DQOOStest)', (dqRegressors, k) => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 400;
    const r = Float64Array.from({ length: n }, () => rand() * 0.1 - 0.05);
    const v = Float64Array.from({ length: n }, () => 0.03 + rand() * 0.02);
    const p = 0.05;
    const b = ref.varBacktest(r, v, { confidence: 0.95, dqRegressors });
    const hit = Array.from(r, (x, t) => (x < -v[t] ? 1 : 0) - p);
    // X: 1, VaR_t, Hit_(t-1..t-4) and, for 'gas', r_(t-1)^2 (test/risk/dq.reference.test.ts: against GAS itself)
    const regressor = (j: number, t: number) => (j === 0 ? 1 : j === 1 ? v[t] : j < 6 ? hit[t - (j - 1)] : r[t - 1] ** 2);
    const cols = Array.from({ length: k }, (_, j) => Array.from({ length: n - 4 }, (_, i) => regressor(j, i + 4)));
    const y = hit.slice(4);
    const basis: number[][] = [];
    for (const col of cols) {
      const u = col.slice();
      for (const q of basis) {
        const d = u.reduce((s, x, i) => s + x * q[i], 0);
        for (let i = 0; i < u.length; i++) u[i] -= d * q[i];
      }
      const norm = Math.hypot(...u);
      basis.push(u.map((x) => x / norm));
    }
    const form = basis.reduce((s, q) => s + q.reduce((a, x, i) => a + x * y[i], 0) ** 2, 0);
    close(b.dqStat, form / (p * (1 - p)), 1e-9);
    close(b.dqPValue, chiSquareSf(b.dqStat, k), 1e-15);
  });

  it('a date with a NaN return or VaR is left out; exceptions NaN there; a matrix per column', () => {
    const r = matrix(Float64Array.of(-2, 0, NaN, -2, -2, -2, 0, 0), 4, 2);
    const v = matrix(Float64Array.of(1, 1, 1, NaN, 1, 1, 1, 1), 4, 2);
    const b = ref.varBacktest(r, v, { confidence: 0.9, window: 2 });
    const e = b.exceptions as { data: Float64Array };
    expect([...e.data]).toEqual([1, 0, NaN, NaN, 1, 1, 0, 0]);
    expect([...b.count]).toEqual([2, 1]);
    expect([...b.observations]).toEqual([3, 3]);
    expect([...b.windowObservations]).toEqual([2, 2]);
    expect([...b.windowExceptions]).toEqual([1, 1]);
    expect(b.dqStat[0]).toBeNaN(); // n <= 4
  });
});
