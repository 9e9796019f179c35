/**
 * The reference relativeStats against empyrical's own expected values (empyrical/tests/test_stats.py,
 * quantopian/empyrical: the numbers below are copied from test_alpha_beta, test_up_alpha_beta,
 * test_down_alpha_beta, test_capture_ratio, test_up_capture, test_down_capture and test_excess_sharpe,
 * with its data sets), closed forms, and values derived by hand from the definitions (empyrical's
 * beta_aligned / alpha_aligned / annual_return, quantstats' greeks, PerformanceAnalytics'
 * TrackingError and InformationRatio) on a four-date series.
 */
import { describe, expect, it } from 'vitest';
import type { RelativeStats } from '../../src/api/index.js';
import { kernels, matrix } from '../../src/index.js';

const ref = kernels({ backend: 'reference' });
const pct = (...xs: number[]) => Float64Array.from(xs, (x) => x / 100);

/** empyrical's data sets (daily). */
const MIXED = pct(NaN, 1, 10, -4, 2, 3, 2, 1, -10);
const POSITIVE = pct(1, 2, 1, 1, 1, 1, 1, 1, 1);
const NEGATIVE = pct(0, -6, -7, -1, -9, -2, -6, -8, -5);
const ALL_NEGATIVE = pct(-2, -6, -7, -1, -9, -2, -6, -8, -5);
const FLAT_LINE_1 = pct(1, 1, 1, 1, 1, 1, 1, 1, 1);
const ONE = pct(1);

function expectRel(actual: number, expected: number, tol = 1e-12): void {
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-300));
}

/** The statistics of one series as plain numbers. */
function one(returns: Float64Array, benchmark: Float64Array, options?: Parameters<typeof ref.relativeStats>[2]) {
  const s: RelativeStats<number> = ref.relativeStats(returns, benchmark, options);
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, (expect(typeof v).toBe('number'), v)])) as Record<
    keyof RelativeStats,
    number
  >;
}

describe('relativeStats against empyrical (test_stats.py)', () => {
  it('alpha and beta, up and down (test_alpha_beta, test_up_alpha_beta, test_down_alpha_beta)', () => {
    // assert_almost_equal to 8 places there: cov sums d r, var d d (d = b - mean b), equal to rounding
    let s = one(MIXED, MIXED);
    expect(Math.abs(s.alpha)).toBeLessThan(1e-15);
    expectRel(s.beta, 1, 1e-15);
    s = one(
      MIXED,
      MIXED.map((x) => -x),
    );
    expect(Math.abs(s.alpha)).toBeLessThan(1e-15);
    expectRel(s.beta, -1, 1e-15);
    // up_alpha_beta(mixed_returns[1:], positive_returns[1:])
    s = one(MIXED.subarray(1), POSITIVE.subarray(1));
    expectRel(s.upAlpha, 0.432961242076658, 1e-8);
    expectRel(s.upBeta, 0.4285714285, 1e-9);
    // down_alpha_beta(mixed_returns[1:], negative_returns[1:])
    s = one(MIXED.subarray(1), NEGATIVE.subarray(1));
    expectRel(s.downAlpha, -0.9997853834885004, 1e-12);
    expectRel(s.downBeta, -0.71296296296296313, 1e-12);
    // alpha_beta(mixed_returns, negative_returns[1:]): pandas aligns by date, dropping the first
    expectRel(s.alpha, -0.9997853834885004, 1e-12);
    expectRel(s.beta, -0.71296296296296313, 1e-12);
    s = one(ONE, ONE);
    expect([s.alpha, s.beta, s.upAlpha, s.upBeta, s.downAlpha, s.downBeta]).toEqual([NaN, NaN, NaN, NaN, NaN, NaN]);
  });

  it('captures (test_capture_ratio, test_up_capture, test_down_capture)', () => {
    let s = one(ALL_NEGATIVE, MIXED);
    expectRel(s.capture, -0.52257643222960259, 1e-12);
    expectRel(s.upCapture, -0.0004336328, 1e-6);
    expectRel(s.downCapture, 0.99956025703798634, 1e-12);
    s = one(POSITIVE, MIXED);
    expectRel(s.upCapture, 0.0076167762, 1e-8);
    expectRel(s.downCapture, -11.27400221, 1e-9);
    s = one(MIXED, MIXED);
    expect([s.capture, s.upCapture, s.downCapture]).toEqual([1, 1, 1]);
    s = one(ONE, ONE);
    expect([s.capture, s.upCapture, s.downCapture]).toEqual([1, 1, NaN]); // no down date
  });

  it('excess Sharpe (test_excess_sharpe)', () => {
    expectRel(one(MIXED, new Float64Array(9)).excessSharpe, 0.10859306069076737, 1e-12);
    expectRel(one(MIXED, FLAT_LINE_1).excessSharpe, -0.06515583641446039, 1e-12);
    expect(one(ONE, ONE).excessSharpe).toBeNaN();
    expect(one(FLAT_LINE_1, FLAT_LINE_1).excessSharpe).toBeNaN(); // 0 / 0
  });
});

describe('relativeStats: closed forms and hand-computed values', () => {
  // b and r on four dates: every statistic below derived by hand from the definitions.
  const b = pct(1, -2, 3, -1);
  const r = pct(2, -1, 1, 0);

  it('beta and alpha (empyrical, and quantstats greeks): beta 26/59, alpha from mean(r - beta b) = 0.23 / 59', () => {
    const s = one(r, b);
    // mean b = 0.0025; residuals 0.0075, -0.0225, 0.0275, -0.0125; cov 0.00065 / 4, var 0.001475 / 4
    expectRel(s.beta, 26 / 59, 1e-14);
    expectRel(s.alpha, (1 + 0.23 / 59) ** 252 - 1, 1e-12);
    const q = one(r, b, { alphaConvention: 'quantstats' });
    expectRel(q.alpha, (252 * 0.23) / 59, 1e-13);
    expect(q.beta).toBe(s.beta);
    // riskFree shifts both series in empyrical's alpha: mean(r - rf - beta (b - rf))
    expectRel(one(r, b, { riskFree: 0.001 }).alpha, (1 + 0.23 / 59 - 0.001 + (26 / 59) * 0.001) ** 252 - 1, 1e-12);
    expectRel(one(r, b, { periodsPerYear: 12 }).alpha, (1 + 0.23 / 59) ** 12 - 1, 1e-13);
  });

  it('up and down: beta and alpha on the dates b > 0 (0, 2) and b < 0 (1, 3)', () => {
    const s = one(r, b);
    expectRel(s.upBeta, -0.5, 1e-14);
    expectRel(s.upAlpha, 1.025 ** 252 - 1, 1e-12); // mean(r + 0.5 b) = 0.025
    expectRel(s.downBeta, 1, 1e-14);
    expectRel(s.downAlpha, 1.01 ** 252 - 1, 1e-12); // mean(r - b) = 0.01
    const q = one(r, b, { alphaConvention: 'quantstats' });
    expectRel(q.upAlpha, 252 * (0.015 + 0.5 * 0.02), 1e-13);
    expectRel(q.downAlpha, 252 * (-0.005 + 1 * 0.015), 1e-12);
  });

  it('captures: CAGRs with years from each subset', () => {
    const s = one(r, b);
    expectRel(s.capture, ((1.02 * 0.99 * 1.01 * 1.0) ** 63 - 1) / ((1.01 * 0.98 * 1.03 * 0.99) ** 63 - 1), 1e-11);
    expectRel(s.upCapture, ((1.02 * 1.01) ** 126 - 1) / ((1.01 * 1.03) ** 126 - 1), 1e-12);
    expectRel(s.downCapture, (0.99 ** 126 - 1) / ((0.98 * 0.99) ** 126 - 1), 1e-12);
  });

  it('excess Sharpe, tracking error, information ratio (PerformanceAnalytics), correlation', () => {
    const s = one(r, b);
    // r - b = 0.01, 0.01, -0.02, 0.01: mean 0.0025, sd (ddof 1) 0.015
    expectRel(s.excessSharpe, 1 / 6, 1e-13);
    expectRel(s.trackingError, 0.015 * Math.sqrt(252), 1e-13);
    const premium = (1.02 * 0.99 * 1.01 * 1.0) ** 63 - (1.01 * 0.98 * 1.03 * 0.99) ** 63;
    expectRel(s.informationRatio, premium / (0.015 * Math.sqrt(252)), 1e-11);
    // dr = 0.015, -0.015, 0.005, -0.005; sxy 0.00065, sxx 0.0005, syy 0.001475
    expectRel(s.correlation, 0.00065 / Math.sqrt(0.0005 * 0.001475), 1e-13);
  });

  it('r = 2b: beta 2, alpha 0, correlation 1; a series against itself: capture 1, tracking error 0', () => {
    const bench = pct(0.5, -1.2, 2.1, 0.3, -0.7, 1.1, -2.2);
    const s = one(
      bench.map((x) => 2 * x),
      bench,
    );
    expectRel(s.beta, 2, 1e-14);
    expect(s.alpha).toBe(0);
    expectRel(s.correlation, 1, 1e-15);
    expectRel(s.upBeta, 2, 1e-14);
    expectRel(s.downBeta, 2, 1e-14);
    const self = one(bench, bench);
    expect([self.beta, self.alpha, self.capture, self.upCapture, self.downCapture, self.trackingError]).toEqual([1, 0, 1, 1, 1, 0]);
    expect(self.correlation).toBe(1);
    expect(self.excessSharpe).toBeNaN(); // 0 / 0
    expect(self.informationRatio).toBeNaN();
    const neg = one(
      bench.map((x) => -3 * x),
      bench,
    );
    expectRel(neg.beta, -3, 1e-14);
    expectRel(neg.correlation, -1, 1e-15);
  });

  it('NaN pairs are skipped (pairwise), captures count a NaN return as 0', () => {
    const bench = pct(1, -2, NaN, 3, -1, 0.5);
    const ret = pct(2, NaN, 4, -1, 0, 1);
    const s = one(ret, bench);
    // the pairs: dates 0, 3, 4, 5
    const p = one(pct(2, -1, 0, 1), pct(1, 3, -1, 0.5));
    for (const k of ['beta', 'alpha', 'excessSharpe', 'trackingError', 'informationRatio', 'correlation'] as const) {
      expect(s[k]).toBe(p[k]);
    }
    // capture over all six dates, each series on its own, NaN as a 0 return
    expectRel(s.capture, ((1.02 * 1.04 * 0.99 * 1.0 * 1.01) ** 42 - 1) / ((1.01 * 0.98 * 1.03 * 0.99 * 1.005) ** 42 - 1), 1e-11);
    // up dates (b > 0: 0, 3, 5; the NaN benchmark in neither): r 2, -1, 1
    expectRel(s.upCapture, ((1.02 * 0.99 * 1.01) ** 84 - 1) / ((1.01 * 1.03 * 1.005) ** 84 - 1), 1e-11);
    // down dates (1, 4): r NaN (as 0) and 0
    expect(s.downCapture === 0).toBe(true); // 0 over a negative annual return: -0
  });

  it('fewer than 2 points, a constant benchmark, no dates: NaN', () => {
    const s = one(ONE, pct(2));
    for (const k of ['beta', 'alpha', 'upBeta', 'upAlpha', 'excessSharpe', 'trackingError', 'informationRatio', 'correlation'] as const) {
      expect(s[k]).toBeNaN();
    }
    expectRel(s.capture, 0.01 ** 0 * ((1.01 ** 252 - 1) / (1.02 ** 252 - 1)), 1e-12);
    // one pair among several dates
    const lone = one(pct(1, NaN, NaN), pct(2, 1, 3));
    expect([lone.beta, lone.excessSharpe, lone.trackingError, lone.correlation]).toEqual([NaN, NaN, NaN, NaN]);
    // a constant benchmark: zero variance, NaN beta and alpha, NaN correlation
    const flat = one(pct(1, 2, 3, 4), FLAT_LINE_1.subarray(0, 4));
    expect([flat.beta, flat.alpha, flat.correlation]).toEqual([NaN, NaN, NaN]);
    expect(flat.downCapture).toBeNaN(); // no down date
    const empty = ref.relativeStats(new Float64Array(0), new Float64Array(0));
    for (const v of Object.values(empty)) expect(v).toBeNaN();
  });

  it('per column of a matrix: each column as its own series; zero columns give empty results', () => {
    const bench = pct(1, -2, 3, -1);
    const cols = [pct(2, -1, 1, 0), pct(-1, 3, NaN, 2), pct(0.5, 0.5, 0.5, 0.5)];
    const m = matrix(
      Float64Array.from({ length: 12 }, (_, i) => cols[i % 3][Math.floor(i / 3)]),
      4,
      3,
    );
    const s = ref.relativeStats(m, bench, { alphaConvention: 'quantstats' });
    cols.forEach((col, c) => {
      const single = one(col, bench, { alphaConvention: 'quantstats' });
      for (const [k, v] of Object.entries(s)) expect(v[c]).toBe(single[k as keyof RelativeStats]);
    });
    expect(Object.keys(s)).toEqual([
      'beta',
      'alpha',
      'upCapture',
      'downCapture',
      'capture',
      'upBeta',
      'upAlpha',
      'downBeta',
      'downAlpha',
      'excessSharpe',
      'trackingError',
      'informationRatio',
      'correlation',
    ]);
    const none = ref.relativeStats(matrix(new Float64Array(0), 4, 0), bench);
    for (const v of Object.values(none)) expect(v.length).toBe(0);
  });
});
