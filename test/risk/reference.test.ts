/**
 * The risk family's reference against the numbers its conventions come from: empyrical's own test
 * suite (empyrical/tests/test_stats.py, quantopian/empyrical: the expected values below are copied
 * from it, with its data sets), scipy.stats' biased skew and Fisher kurtosis (values computed once with
 * numpy 2.4 from their definitions), and closed forms for returns and portfolios.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix, type PerformanceStats } from '../../src/index.js';

const ref = kernels({ backend: 'reference' });
const pct = (...xs: number[]) => Float64Array.from(xs, (x) => x / 100);

/** empyrical's data sets (daily unless stated). */
const MIXED = pct(NaN, 1, 10, -4, 2, 3, 2, 1, -10);
const SWINGS = pct(0, 1, 10, -4, 2, 3, 2, 1, -10); // weekly_returns / monthly_returns
const POSITIVE = pct(1, 2, 1, 1, 1, 1, 1, 1, 1);
const NEGATIVE = pct(0, -6, -7, -1, -9, -2, -6, -8, -5);
const SIMPLE_BENCHMARK = pct(0, 1, 0, 1, 0, 1, 0, 1, 0);
const ONE = pct(1);

function stat(returns: Float64Array, name: keyof PerformanceStats, options?: { periodsPerYear?: number; riskFree?: number }): number {
  const s = ref.performanceStats(returns, options);
  expect(typeof s[name]).toBe('number');
  return s[name];
}

function expectRel(actual: number, expected: number, tol = 1e-12): void {
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-300));
}

describe('performanceStats against empyrical (test_stats.py)', () => {
  it('annual return, volatility and Calmar ratio for daily, weekly and monthly periods', () => {
    for (const [returns, ppy, annual, vol, calmar] of [
      [MIXED, 252, 1.9135925373194231, 0.9136465399704637, 19.135925373194233],
      [SWINGS, 52, 0.24690830513998208, 0.38851569394870583, 2.4690830513998208],
      [SWINGS, 12, 0.052242061386048144, 0.18663690238892558, 0.52242061386048144],
    ] as const) {
      expectRel(stat(returns, 'annualReturn', { periodsPerYear: ppy }), annual);
      expectRel(stat(returns, 'annualVolatility', { periodsPerYear: ppy }), vol);
      expectRel(stat(returns, 'calmar', { periodsPerYear: ppy }), calmar);
    }
  });

  it('Sharpe ratio', () => {
    expectRel(stat(MIXED, 'sharpe'), 1.7238613961706866);
    expectRel(stat(POSITIVE, 'sharpe'), 52.915026221291804);
    expectRel(stat(NEGATIVE, 'sharpe'), -24.406808633910085);
    expect(stat(ONE, 'sharpe')).toBeNaN();
  });

  it('downside risk and Sortino ratio, with a required return', () => {
    expectRel(stat(MIXED, 'downsideRisk'), 0.60448325038829653);
    expectRel(stat(MIXED, 'downsideRisk', { riskFree: 0.1 }), 1.7161730681956295);
    expectRel(stat(SWINGS, 'downsideRisk', { periodsPerYear: 52 }), 0.25888650451930134);
    expectRel(stat(SWINGS, 'downsideRisk', { periodsPerYear: 52, riskFree: 0.1 }), 0.7733045971672482);
    expectRel(stat(SWINGS, 'downsideRisk', { periodsPerYear: 12, riskFree: 0.1 }), 0.37148351242013422);
    expectRel(stat(ONE, 'downsideRisk'), 0);
    expectRel(stat(MIXED, 'sortino'), 2.605531251673693);
    expectRel(stat(NEGATIVE, 'sortino'), -13.532743075043401);
    expectRel(stat(SWINGS, 'sortino', { periodsPerYear: 52 }), 1.1158901056866439);
    expectRel(stat(SWINGS, 'sortino', { periodsPerYear: 12 }), 0.53605626741889756);
    expect(stat(POSITIVE, 'sortino')).toBe(Infinity);
    expect(stat(SIMPLE_BENCHMARK, 'sortino')).toBe(Infinity);
    expect(stat(ONE, 'sortino')).toBeNaN();
  });

  it('max drawdown as a positive loss; the first return counts (wealth starts at 1)', () => {
    expectRel(stat(MIXED, 'maxDrawdown'), 0.1);
    expectRel(stat(pct(10, -10, 10), 'maxDrawdown'), 0.1);
    expectRel(stat(NEGATIVE, 'maxDrawdown'), 0.365907303498736); // -cum_returns_final(negative_returns)
    expect(stat(SIMPLE_BENCHMARK, 'maxDrawdown')).toBe(0);
    expect(stat(POSITIVE, 'maxDrawdown')).toBe(0);
    expect(stat(ONE, 'maxDrawdown')).toBe(0);
    expectRel(stat(pct(-20), 'maxDrawdown'), 0.2);
    expect(stat(ONE, 'calmar')).toBeNaN();
  });

  it("skewness and excess kurtosis: scipy's biased estimators (numpy 2.4 from their definitions)", () => {
    expectRel(stat(MIXED, 'skewness'), -0.3650572690177865);
    expectRel(stat(MIXED, 'excessKurtosis'), 0.11953473165699213);
    expectRel(stat(SWINGS, 'skewness'), -0.3455243970460116);
    expectRel(stat(SWINGS, 'excessKurtosis'), 0.47899864929832114);
    expect(stat(pct(1, 1, 1), 'skewness')).toBeNaN(); // no variance
  });

  it('an empty series: every statistic NaN; a matrix: one value per column, as each column alone', () => {
    const empty = ref.performanceStats(new Float64Array(0));
    for (const value of Object.values(empty)) expect(value).toBeNaN();
    const data = new Float64Array(9 * 3);
    [MIXED, POSITIVE, NEGATIVE].forEach((col, c) => col.forEach((v, t) => (data[t * 3 + c] = v)));
    const byColumn = ref.performanceStats(matrix(data, 9, 3));
    [MIXED, POSITIVE, NEGATIVE].forEach((col, c) => {
      const alone = ref.performanceStats(col);
      for (const name of Object.keys(alone) as (keyof PerformanceStats)[]) expect(byColumn[name][c]).toBe(alone[name]);
    });
  });
});

describe('valueAtRisk', () => {
  const var1 = (returns: Float64Array, options: Parameters<typeof ref.valueAtRisk>[1]) => {
    const r = ref.valueAtRisk(returns, options);
    return [r.var, r.es];
  };

  it("historical: numpy's linear quantile (empyrical's value_at_risk tests), as a positive loss", () => {
    expectRel(var1(Float64Array.of(1, 2), { method: 'historical', confidence: 0.7 })[0], -1.3, 1e-14);
    expectRel(var1(Float64Array.of(1, 81, 82, 83, 84, 85), { method: 'historical', confidence: 0.9 })[0], -41, 1e-14);
    expectRel(var1(Float64Array.of(1, 81, 82, 83, 84, 85), { method: 'historical', confidence: 0.8 })[0], -81, 1e-14);
    expectRel(var1(Float64Array.of(1, 81, 82, 83, 84, 85), { method: 'historical', confidence: 0.7 })[0], -81.5, 1e-14);
  });

  // A sample with skew and fat tails; expected values computed once with numpy 2.4 (numpy.quantile,
  // statistics.NormalDist) from the formulas of empyrical and PerformanceAnalytics named in the reference.
  const SAMPLE = pct(1, 10, -4, 2, 3, 2, 1, -10, 0.5, -2.5, 4, -1);

  it('historical, Gaussian (ddof 1 and 0) and Cornish-Fisher at 95 %', () => {
    const [hv, hes] = var1(SAMPLE, { method: 'historical' });
    expectRel(hv, 0.06699999999999998);
    expectRel(hes, 0.1);
    const [gv, ges] = var1(SAMPLE, { method: 'gaussian' });
    expectRel(gv, 0.07427319577496645);
    expectRel(ges, 0.0944117856675957);
    const [pv, pes] = var1(SAMPLE, { method: 'gaussian', ddof: 0 });
    expectRel(pv, 0.07089830655342809);
    expectRel(pes, 0.09017953842861913);
    const [cv, ces] = var1(SAMPLE, { method: 'cornish-fisher' });
    expectRel(cv, 0.07398229703408456);
    expectRel(ces, 0.10436988674402826);
  });

  it("historical ES is the mean of the returns at or below the VaR quantile (empyrical's property)", () => {
    const x = Float64Array.from({ length: 21 }, (_, i) => Math.sin(i * 12.9898) * 0.02);
    for (const confidence of [0.5001, 0.8, 0.95, 0.999]) {
      const { var: v, es } = ref.valueAtRisk(x, { method: 'historical', confidence });
      const tail = [...x].filter((r) => r <= -v);
      expectRel(es, -tail.reduce((a, b) => a + b, 0) / tail.length, 1e-14);
    }
  });

  it('Cornish-Fisher is the Gaussian (ddof 0) where PerformanceAnalytics zeroes skew and kurtosis (m2 <= 1.5e-8)', () => {
    const calm = Float64Array.from({ length: 50 }, (_, i) => 1e-5 * Math.sin(i * 1.7) + (i % 7 === 0 ? 3e-5 : 0));
    const [cv, ces] = var1(calm, { method: 'cornish-fisher', confidence: 0.99 });
    const [gv, ges] = var1(calm, { method: 'gaussian', confidence: 0.99, ddof: 0 });
    expectRel(cv, gv);
    expectRel(ces, ges);
  });

  it('NaN returns are dropped per column; an all-NaN column gives NaN; one return is its own VaR', () => {
    const withNaN = ref.valueAtRisk(matrix(Float64Array.of(NaN, 0.01, -0.02, NaN, 0.03, NaN), 3, 2), { method: 'historical' });
    expect(ref.valueAtRisk(Float64Array.of(-0.02, 0.03), { method: 'historical' }).var).toBe(withNaN.var[0]);
    expect(withNaN.var[1]).toBe(-0.01);
    expect(ref.valueAtRisk(Float64Array.of(NaN, NaN), { method: 'gaussian' }).var).toBeNaN();
    expect([...var1(Float64Array.of(-0.05), { method: 'historical' })]).toEqual([0.05, 0.05]);
  });
});

describe('covariance', () => {
  // Five dates x three assets; expected values computed once with numpy 2.4: numpy.cov(ddof=1), the
  // RiskMetrics recursion written out, and the normalised lambda^(n-1-t) weights.
  const X = matrix(Float64Array.of(0.01, 0.02, -0.01, 0.03, -0.01, 0, -0.02, 0.015, 0.02, 0.005, 0, -0.005, 0.012, -0.02, 0.01), 5, 3);
  const expectMatrix = (actual: Float64Array, expected: number[]) => expected.forEach((e, i) => expectRel(actual[i], e));

  it("'sample': numpy.cov with ddof 1", () => {
    const cov = ref.covariance(X);
    expect([cov.rows, cov.cols]).toEqual([3, 3]);
    expectMatrix(
      cov.data,
      [
        0.00032379999999999996, -0.00016925, -0.000129, -0.00016925, 0.00028000000000000003, -2.875000000000001e-5, -0.000129,
        -2.875000000000001e-5, 0.00014500000000000003,
      ],
    );
  });

  it("'ewma': S_0 = r_0 r_0', S_t = lambda S_{t-1} + (1 - lambda) r_t r_t' (RiskMetrics, zero mean); adjust: normalised weights", () => {
    expectMatrix(
      ref.covariance(X, { method: 'ewma' }).data,
      [
        0.00015418283200000003, 0.00011089447999999996, -9.349129599999999e-5, 0.00011089447999999996, 0.00035321168799999994,
        -0.00015224499199999997, -9.349129599999999e-5, -0.00015224499199999997, 0.00010669129600000001,
      ],
    );
    expectMatrix(
      ref.covariance(X, { method: 'ewma', adjust: true }).data,
      [
        0.00030362138687210283, -0.00013486233352217347, -7.554001357441038e-5, -0.00013486233352217347, 0.0002241675337523028,
        -2.053464907392874e-5, -7.554001357441038e-5, -2.053464907392874e-5, 0.00012514617492662166,
      ],
    );
  });

  // scikit-learn's ledoit_wolf and oas, run as its own code (its blocked Ledoit-Wolf sums and its OAS
  // formula, 1.3+) with numpy 2.4 on the same data.
  it("'ledoit-wolf' and 'oas': scikit-learn's shrinkage and shrunk matrix", () => {
    const lw = ref.covariance(X, { method: 'ledoit-wolf' });
    expectRel(lw.shrinkage!, 0.880089903748463);
    expectMatrix(
      lw.data,
      [
        0.00020679786331349127, -1.623582703245811e-5, -1.237472193315862e-5, -1.623582703245811e-5, 0.0002025962135408374,
        -2.757932213785353e-6, -1.237472193315862e-5, -2.757932213785353e-6, 0.0001896459231456714,
      ],
    );
    const oas = ref.covariance(X, { method: 'oas' });
    expect(oas.shrinkage).toBe(1); // five dates, three assets: fully shrunk to mu I
    expectMatrix(oas.data, [0.00019968, 0, 0, 0, 0.00019968, 0, 0, 0, 0.00019968]);
    const Y = matrix(
      Float64Array.from({ length: 240 }, (_, k) => {
        const [t, i] = [Math.floor(k / 4), k % 4];
        return 0.01 * Math.sin(t * 1.7 + i * 0.3) + (i === 1 ? 0.01 * Math.sin(t * 1.7) : 0) + 0.002 * Math.cos(t * t * 0.1 + i);
      }),
      60,
      4,
    );
    const lwY = ref.covariance(Y, { method: 'ledoit-wolf' });
    expectRel(lwY.shrinkage!, 0.014825046186949917, 1e-10);
    expectRel(lwY.data[1], 9.886609216883703e-5, 1e-10);
    expectRel(lwY.data[10], 5.1432826776901734e-5, 1e-10);
    const oasY = ref.covariance(Y, { method: 'oas' });
    expectRel(oasY.shrinkage!, 0.05148419988706108, 1e-10);
    expectRel(oasY.data[13], 6.601247102237066e-5, 1e-10);
    expect(ref.covariance(X).shrinkage).toBeUndefined();
  });

  it("PyPortfolioOpt's Ledoit-Wolf targets, constant correlation and single factor (its code run with numpy, frequency 1)", () => {
    const Y = matrix(
      Float64Array.from({ length: 240 }, (_, k) => {
        const [t, i] = [Math.floor(k / 4), k % 4];
        return 0.01 * Math.sin(t * 1.7 + i * 0.3) + (i === 1 ? 0.01 * Math.sin(t * 1.7) : 0) + 0.002 * Math.cos(t * t * 0.1 + i);
      }),
      60,
      4,
    );
    const cc = ref.covariance(Y, { method: 'ledoit-wolf-constant-correlation' });
    expectRel(cc.shrinkage!, 0.1546885653523105, 1e-10);
    [
      [1, 9.944891285120763e-5],
      [10, 5.175509490333396e-5],
      [13, 7.229983178551614e-5],
    ].forEach(([k, e]) => expectRel(cc.data[k], e, 1e-10));
    const sf = ref.covariance(Y, { method: 'ledoit-wolf-single-factor' });
    expectRel(sf.shrinkage!, 0.034522987538051116, 1e-10);
    [
      [1, 0.0001000965839100216],
      [10, 5.0892509988278394e-5],
      [13, 6.996005598983201e-5],
    ].forEach(([k, e]) => expectRel(sf.data[k], e, 1e-10));
  });

  it("'semi': PyPortfolioOpt's semicovariance below its default benchmark 0.000079 (frequency 1; numpy)", () => {
    expectMatrix(
      ref.covariance(X, { method: 'semi' }).data,
      [8.063324820000001e-5, 0, 0, 0, 0.00010095174459999999, 2.3949639999999996e-7, 0, 2.3949639999999996e-7, 2.54777446e-5],
    );
  });

  it('complete rows only: a row with a NaN is left out; fewer than 2 rows give NaN (sample)', () => {
    const withNaN = Float64Array.from([...X.data, NaN, 0.5, 0.5]);
    expect([...ref.covariance(matrix(withNaN, 6, 3)).data]).toEqual([...ref.covariance(X).data]);
    expect([...ref.covariance(matrix(Float64Array.of(0.01, 0.02), 1, 2)).data]).toEqual([NaN, NaN, NaN, NaN]);
    expect([...ref.covariance(matrix(Float64Array.of(0.01, 0.02), 1, 2), { method: 'ewma' }).data]).toEqual([
      0.0001, 0.0002, 0.0002, 0.0004,
    ]);
  });
});

describe('portfolioVolatility', () => {
  const S = matrix(Float64Array.of(0.04, 0.006, 0.006, 0.09), 2, 2);

  it("sqrt(w' S w): 0.6^2 0.04 + 2 (0.6)(0.4) 0.006 + 0.4^2 0.09 = 0.03168; P portfolios in one call", () => {
    expectRel(ref.portfolioVolatility(S, Float64Array.of(0.6, 0.4)), Math.sqrt(0.03168), 1e-15);
    const batch = ref.portfolioVolatility(S, matrix(Float64Array.of(1, 0, 0, 1, 0.6, 0.4), 3, 2));
    expect(batch.length).toBe(3);
    expectRel(batch[0], 0.2, 1e-15);
    expectRel(batch[1], 0.3, 1e-15);
    expectRel(batch[2], Math.sqrt(0.03168), 1e-15);
  });

  it('a covariance from covariance() and the volatility of the portfolio returns agree', () => {
    const r = matrix(
      Float64Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.3) * 0.02),
      100,
      3,
    );
    const w = Float64Array.of(0.5, 0.3, 0.2);
    const direct = ref.performanceStats(ref.portfolioReturns(r, w), { periodsPerYear: 1 }).annualVolatility;
    expectRel(ref.portfolioVolatility(ref.covariance(r), w), direct, 1e-12);
  });
});

describe('returns and portfolios', () => {
  it('simpleReturns and logReturns of a series and of a matrix; NaN prices give NaN returns', () => {
    const prices = Float64Array.of(100, 110, 99, NaN, 99);
    expect([...ref.simpleReturns(prices)]).toEqual([0.1, (99 - 110) / 110, NaN, NaN]);
    const log = ref.logReturns(prices);
    expectRel(log[0], Math.log(1.1), 1e-15);
    expectRel(log[1], Math.log(0.9), 1e-15);
    const m = ref.simpleReturns(matrix(Float64Array.of(1, 10, 2, 5, 4, 5), 3, 2));
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(2);
    expect([...m.data]).toEqual([1, -0.5, 1, 0]);
    expect(ref.simpleReturns(new Float64Array(0)).length).toBe(0);
    expect(ref.simpleReturns(matrix(Float64Array.of(1, 2), 1, 2)).data.length).toBe(0);
  });

  it('cumulativeReturns: prod(1 + r) - 1 per column, a NaN return counted as 0, or the wealth of startingValue (empyrical cum_returns)', () => {
    const r = Float64Array.of(0.1, -0.1, NaN, 0.5);
    const cum = ref.cumulativeReturns(r);
    expectRel(cum[0], 0.1, 1e-15);
    expectRel(cum[1], 1.1 * 0.9 - 1, 1e-15); // -0.01
    expect(cum[2]).toBe(cum[1]); // a missing return leaves the wealth as it was
    expectRel(cum[3], 1.1 * 0.9 * 1.5 - 1, 1e-15); // 0.485
    expect([...ref.cumulativeReturns(r, { startingValue: 100 })].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([110, 99, 99, 148.5]);
    const m = ref.cumulativeReturns(matrix(Float64Array.of(0.01, -0.5, 0.02, 1), 2, 2));
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(2);
    expectRel(m.data[2], 1.01 * 1.02 - 1, 1e-15);
    expect(m.data[3]).toBe(0); // (1 - 0.5) x (1 + 1) - 1: the loss made back
    expect(ref.cumulativeReturns(new Float64Array(0)).length).toBe(0);
    expect(() => ref.cumulativeReturns(Float64Array.of(0.1, Infinity))).toThrow(
      'returns: expected finite returns (NaN for a missing one), got returns[1] = Infinity',
    );
  });

  it('portfolioReturns: w . r per date, for one portfolio (a series) or P (a T x P matrix)', () => {
    const returns = matrix(Float64Array.of(0.1, -0.1, 0.02, 0.04), 2, 2);
    expect([...ref.portfolioReturns(returns, Float64Array.of(0.5, 0.5))]).toEqual([0, 0.03]);
    const both = ref.portfolioReturns(returns, matrix(Float64Array.of(1, 0, 0.25, 0.75), 2, 2));
    expect(both.rows).toBe(2);
    expect(both.cols).toBe(2);
    expect([...both.data]).toEqual([0.1, 0.1 * 0.25 + -0.1 * 0.75, 0.02, 0.02 * 0.25 + 0.04 * 0.75]);
  });
});

describe('bad input: KernelInputError naming the argument', () => {
  const X1 = matrix(Float64Array.of(0.01, 0.02, 0.03, 0.04), 2, 2);
  const cases: [string, () => unknown, string][] = [
    [
      'a price of 0',
      () => ref.simpleReturns(Float64Array.of(1, 0)),
      'prices: expected finite prices > 0 (NaN for a missing one), got prices[1] = 0',
    ],
    ['a negative price in a matrix', () => ref.logReturns(matrix(Float64Array.of(1, 2, 3, -4), 2, 2)), 'got prices[1][1] = -4'],
    [
      'an infinite return',
      () => ref.performanceStats(Float64Array.of(0.1, Infinity)),
      'returns: expected finite returns (NaN for a missing one), got returns[1] = Infinity',
    ],
    [
      'a NaN weight',
      () => ref.portfolioReturns(Float64Array.of(0.1), Float64Array.of(NaN)),
      'weights: expected finite weights, got weights[0] = NaN',
    ],
    [
      'weights of the wrong length',
      () => ref.portfolioReturns(matrix(new Float64Array(4), 2, 2), Float64Array.of(1)),
      'weights: expected 2 (the columns of returns), got 1',
    ],
    [
      'a matrix whose data is short',
      () => ref.performanceStats({ data: new Float64Array(5), rows: 2, cols: 3 }),
      'returns.data: expected length 6 (rows 2 x cols 3), got length 5',
    ],
    ['rows not an integer', () => matrix(new Float64Array(3), 1.5, 2), 'matrix.rows: expected an integer >= 0, got 1.5'],
    [
      'a plain array',
      () => ref.simpleReturns([1, 2] as never),
      'prices: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 2',
    ],
    [
      'periodsPerYear 0',
      () => ref.performanceStats(ONE, { periodsPerYear: 0 }),
      'options.periodsPerYear: expected a finite number > 0, got 0',
    ],
    ['riskFree NaN', () => ref.performanceStats(ONE, { riskFree: NaN }), 'options.riskFree: expected a finite number, got NaN'],
    [
      'an unknown VaR method',
      () => ref.valueAtRisk(ONE, { method: 'modified' as never }),
      `options.method: expected 'historical', 'gaussian' or 'cornish-fisher', got "modified"`,
    ],
    ['VaR options not an object', () => ref.valueAtRisk(ONE, 0.95 as never), 'options: expected an object, got 0.95'],
    [
      'confidence 1',
      () => ref.valueAtRisk(ONE, { method: 'gaussian', confidence: 1 }),
      'options.confidence: expected a number in (0, 1), got 1',
    ],
    ['ddof 0.5', () => ref.valueAtRisk(ONE, { method: 'gaussian', ddof: 0.5 }), 'options.ddof: expected an integer >= 0, got 0.5'],
    ['lambda 1', () => ref.covariance(X1, { method: 'ewma', lambda: 1 }), 'options.lambda: expected a number in (0, 1), got 1'],
    [
      'covariance method',
      () => ref.covariance(X1, { method: 'shrunk' as never }),
      "options.method: expected 'sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation' or 'ledoit-wolf-single-factor', got \"shrunk\"",
    ],
    [
      'a benchmark of Infinity',
      () => ref.covariance(X1, { method: 'semi', benchmark: Infinity }),
      'options.benchmark: expected a finite number, got Infinity',
    ],
    [
      'a non-square cov',
      () => ref.portfolioVolatility(matrix(new Float64Array(6), 2, 3), Float64Array.of(1, 1, 1)),
      'cov: expected a square matrix, got 2 x 3',
    ],
    [
      'an asymmetric cov',
      () => ref.portfolioVolatility(matrix(Float64Array.of(1, 0.5, 0.4, 1), 2, 2), Float64Array.of(1, 1)),
      'cov: expected a symmetric matrix, got [1][0] = 0.4 but [0][1] = 0.5',
    ],
    [
      'weights of the wrong size for cov',
      () => ref.portfolioVolatility(matrix(Float64Array.of(1, 0, 0, 1), 2, 2), Float64Array.of(1)),
      'weights: expected 2 (the size of cov), got 1',
    ],
    [
      'an infinite return for VaR',
      () => ref.valueAtRisk(Float64Array.of(-Infinity), { method: 'historical' }),
      'got returns[0] = -Infinity',
    ],
  ];
  for (const [title, call, message] of cases) {
    it(title, () => {
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(message);
    });
  }
});
