/**
 * The risk family's results shaped for people (issue 39): one series (or one portfolio) in gives
 * numbers and vectors out, equal to column (row) 0 of the batched call; labels given on the inputs
 * (a Matrix's columns and index, a series' index) reach every per-asset and per-date output without a
 * copy; results chain into the next kernel; the options default as the peers do. On the reference and
 * on every backend; the TypeScript types of both shapes are checked by `npm run typecheck`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Kernels, type Matrix, matrix, series, toRecords, type Vector } from '../../src/index.js';
import { column0, plain, row0 } from '../helpers/shapes.js';
import { describeEachBackend, ref, type Supports } from '../helpers/backends.js';

const T = 80;
const N = 3;
const NAMES = ['AAPL', 'MSFT', 'SPY'];
const DAY = 86_400_000;
const DATES = Float64Array.from({ length: T }, (_, t) => Date.UTC(2024, 0, 2) + t * DAY);

let s = 11;
const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
const DATA = Float64Array.from({ length: T * N }, () => 0.02 * (rand() - 0.48));
const R = matrix(DATA, T, N, { columns: NAMES, index: DATES });
const PLAIN = matrix(DATA, T, N);
/** Column 0 of R as a labelled series (a copy of that column). */
const FUND = series(
  DATA.filter((_, i) => i % N === 0),
  { index: DATES, name: 'AAPL' },
);
const BENCH = DATA.filter((_, i) => i % N === 2);
const W = Float64Array.of(0.5, 0.3, 0.2);
const W2 = matrix(Float64Array.of(0.5, 0.3, 0.2, 0.1, 0.1, 0.8), 2, N);
const VAR = matrix(new Float64Array(T * N).fill(0.01), T, N);

function suite(k: Kernels, supports: Supports = () => true): void {
  it('one series: numbers (statistics) and vectors (per date) equal to column 0 of the matrix call', () => {
    if (supports('performanceStats')) expect(plain(k.performanceStats(FUND))).toEqual(column0(k.performanceStats(R)));
    if (supports('relativeStats')) expect(plain(k.relativeStats(FUND, BENCH))).toEqual(column0(k.relativeStats(R, BENCH)));
    if (supports('valueAtRisk')) {
      for (const method of ['historical', 'gaussian', 'cornish-fisher'] as const) {
        expect(plain(k.valueAtRisk(FUND, { method }))).toEqual(column0(k.valueAtRisk(R, { method })));
      }
    }
    if (supports('varBacktest')) {
      const one = k.varBacktest(FUND, new Float64Array(T).fill(0.01), { window: 50 });
      expect(plain(one)).toEqual(column0(k.varBacktest(R, VAR, { window: 50 })));
      expect(typeof one.kupiecLR).toBe('number');
    }
    if (supports('rolling')) {
      const opts = { window: 20, stats: ['sharpe', 'volatility', 'historicalVar'] as const };
      expect(plain(k.rolling(FUND, opts))).toEqual(column0(k.rolling(R, opts)));
    }
    if (supports('drawdownSeries')) expect([...k.drawdownSeries(FUND)]).toEqual(column0({ d: k.drawdownSeries(R) }).d);
    if (supports('cumulativeReturns')) expect([...k.cumulativeReturns(FUND)]).toEqual(column0({ c: k.cumulativeReturns(R) }).c);
    if (supports('drawdowns')) {
      const one = k.drawdowns(FUND, { top: 20 });
      const all = column0(k.drawdowns(R, { top: 20 }));
      const rows = (all.from as number[]).filter((x) => !Number.isNaN(x)).length; // column 0's drawdowns
      for (const [key, v] of Object.entries(one)) expect([...v], key).toEqual((all[key] as number[]).slice(0, rows));
      expect(one.from.every((x) => !Number.isNaN(x))).toBe(true); // no NaN rows: the drawdowns there are
    }
  });

  it('one portfolio: numbers and vectors of N equal to row 0 of a batch of two', () => {
    const cov = ref.covariance(R);
    if (supports('portfolioVolatility')) {
      const v = k.portfolioVolatility(cov, W);
      expect(typeof v).toBe('number');
      expect(v).toBe(k.portfolioVolatility(cov, W2)[0]);
    }
    if (supports('componentVar')) {
      for (const method of ['gaussian', 'cornish-fisher'] as const) {
        expect(plain(k.componentVar(R, W, { method }))).toEqual(row0(k.componentVar(R, W2, { method })));
      }
    }
    if (supports('monteCarloVar')) {
      const model = { mean: new Float64Array(N), cov };
      expect(plain(k.monteCarloVar(model, W, { paths: 500 }))).toEqual(row0(k.monteCarloVar(model, W2, { paths: 500 })));
    }
    if (supports('portfolioReturns')) {
      const one = k.portfolioReturns(R, W);
      const two = k.portfolioReturns(R, W2);
      expect([...one]).toEqual(Array.from({ length: T }, (_, t) => two.data[t * 2]));
    }
  });

  it('labels reach every per-asset and per-date output, as the arrays given (no copy)', () => {
    if (supports('performanceStats')) {
      const stats = k.performanceStats(R);
      expect(stats.sharpe.index).toBe(NAMES);
      expect(stats.sortino.buffer).toBe(stats.sharpe.buffer); // views of one output array
    }
    if (supports('covariance')) {
      const cov = k.covariance(R, { method: 'ledoit-wolf' });
      expect([cov.columns, cov.index, cov.rows, cov.cols]).toEqual([NAMES, NAMES, N, N]);
      expect(cov.columns).toBe(NAMES);
      expect(cov.shrinkage).toBeGreaterThanOrEqual(0);
    }
    if (supports('simpleReturns', 'cumulativeReturns')) {
      const prices = k.cumulativeReturns(R, { startingValue: 100 });
      expect(prices.index).toBe(DATES);
      const r = k.simpleReturns(prices);
      expect([...(r.index as Float64Array)]).toEqual([...DATES.subarray(1)]);
      expect((r.index as Float64Array).buffer).toBe(DATES.buffer); // a view of the dates
      expect(r.columns).toBe(NAMES);
      expect(k.simpleReturns(k.cumulativeReturns(FUND, { startingValue: 1 })).index).toHaveLength(T - 1);
    }
    if (supports('componentVar')) {
      expect(k.componentVar(R, W).varContributions.index).toBe(NAMES);
      expect(k.componentVar(R, W2).esContributions.columns).toBe(NAMES);
    }
    if (supports('rolling')) {
      const rolled = k.rolling(R, { window: 10, stats: ['volatility'] }).volatility as Matrix;
      expect([rolled.index, rolled.columns]).toEqual([DATES, NAMES]);
      expect(k.rolling(FUND, { window: 10, stats: ['volatility'] }).volatility?.index).toBe(DATES);
    }
    if (supports('drawdownSeries')) expect(k.drawdownSeries(FUND).index).toBe(DATES);
    if (supports('varBacktest')) {
      const b = k.varBacktest(R, VAR);
      expect([b.exceptions.index, b.exceptions.columns, b.count.index]).toEqual([DATES, NAMES, NAMES]);
    }
    if (supports('aggregateReturns')) {
      const monthly = k.aggregateReturns(R, 'monthly');
      expect(monthly.returns.columns).toBe(NAMES);
      expect([...(monthly.returns.index as Float64Array)]).toEqual([Date.UTC(2024, 0, 2), Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)]);
    }
    if (supports('monteCarloScenarios')) {
      const scenarios = k.monteCarloScenarios({ mean: new Float64Array(N), cov: ref.covariance(R) }, { paths: 10 });
      expect(scenarios.columns).toBe(NAMES);
    }
  });

  it('a labelled call gives the values of the unlabelled one', () => {
    if (supports('performanceStats')) expect(plain({ ...k.performanceStats(R) })).toEqual(plain({ ...k.performanceStats(PLAIN) }));
    if (supports('covariance')) expect([...k.covariance(R).data]).toEqual([...k.covariance(PLAIN).data]);
    if (supports('rolling')) {
      const a = k.rolling(R, { window: 10, stats: ['sharpe'] }).sharpe as Matrix;
      expect([...a.data]).toEqual([...(k.rolling(PLAIN, { window: 10, stats: ['sharpe'] }).sharpe as Matrix).data]);
    }
  });

  it('chains: a covariance into portfolioVolatility, a rolling VaR into varBacktest, the returns index into aggregateReturns', () => {
    if (supports('covariance', 'portfolioVolatility')) {
      const cov = k.covariance(R);
      const unchained = k.portfolioVolatility(matrix(Float64Array.from(cov.data), N, N), W);
      expect(k.portfolioVolatility(cov, W)).toBe(unchained);
    }
    if (supports('rolling', 'varBacktest')) {
      const rolled = k.rolling(FUND, { window: 20, stats: ['historicalVar'] }).historicalVar as Vector;
      const chained = k.varBacktest(FUND, rolled, { confidence: 0.95 });
      expect(plain(chained)).toEqual(plain(k.varBacktest(Float64Array.from(FUND), Float64Array.from(rolled), { confidence: 0.95 })));
      expect(chained.exceptions.index).toBe(DATES);
    }
    if (supports('aggregateReturns')) {
      const own = k.aggregateReturns(R, 'quarterly');
      const given = k.aggregateReturns(PLAIN, DATES, 'quarterly');
      expect([...own.returns.data, ...own.year, ...own.period]).toEqual([...given.returns.data, ...given.year, ...given.period]);
    }
  });

  it("defaults as the peers': valueAtRisk historical 95 % (empyrical), componentVar Cornish-Fisher 95 % (PerformanceAnalytics), varBacktest 95 % (rugarch)", () => {
    if (supports('valueAtRisk')) expect(k.valueAtRisk(FUND)).toEqual(k.valueAtRisk(FUND, { method: 'historical', confidence: 0.95 }));
    if (supports('componentVar')) {
      expect(plain(k.componentVar(R, W))).toEqual(plain(k.componentVar(R, W, { method: 'cornish-fisher', confidence: 0.95 })));
    }
    if (supports('varBacktest')) {
      const v = new Float64Array(T).fill(0.01);
      expect(plain(k.varBacktest(FUND, v))).toEqual(plain(k.varBacktest(FUND, v, { confidence: 0.95 })));
    }
  });
}

describe('risk shapes [reference]', () => suite(ref));
describeEachBackend('risk shapes', (k, _name, supports) => suite(k, supports), 'risk');

describe('toRecords', () => {
  it('rows of { name: value } for a statistic per asset, a series, a matrix and one fund', () => {
    const stats = ref.performanceStats(R);
    const rows = toRecords(stats);
    expect(rows).toHaveLength(N);
    expect(rows[1]).toMatchObject({ name: 'MSFT', sharpe: stats.sharpe[1], sortino: stats.sortino[1] });
    expect(toRecords(ref.drawdownSeries(FUND))[3]).toEqual({ date: DATES[3], value: ref.drawdownSeries(FUND)[3] });
    expect(toRecords(ref.covariance(R))[0]).toMatchObject({ name: 'AAPL', AAPL: ref.covariance(R).data[0] });
    expect(toRecords(ref.performanceStats(FUND))).toEqual([{ ...ref.performanceStats(FUND) }]);
    const monthly = toRecords(ref.aggregateReturns(R, 'monthly'));
    expect(monthly[1]).toMatchObject({ date: Date.UTC(2024, 1, 1), year: 2024, period: 2 });
    expect(Object.keys(monthly[1])).toEqual(['date', 'AAPL', 'MSFT', 'SPY', 'year', 'period']);
  });

  it('labels of the wrong length or kind are a KernelInputError naming them', () => {
    const bad = (value: unknown) => ({ data: DATA, rows: T, cols: N, ...(value as object) });
    expect(() => ref.performanceStats(bad({ columns: ['A'] }) as Matrix)).toThrow('returns.columns: expected 3 names, got 1');
    expect(() => ref.performanceStats(bad({ columns: [1, 2, 3] }) as Matrix)).toThrow(/returns\.columns: expected an array of names/);
    expect(() => ref.performanceStats(bad({ index: DATES.subarray(1) }) as Matrix)).toThrow(
      `returns.index: expected ${T} labels, got ${T - 1}`,
    );
    expect(() => series(DATA, { index: DATES })).toThrow(`labels.index: expected ${T * N} labels, got ${T}`);
    expect(() => matrix(DATA, T, N, { index: 'x' as never })).toThrow(/matrix\.index: expected an array of names or a Float64Array/);
  });

  it('refuses what is not a result, naming it', () => {
    expect(() => toRecords(3)).toThrow(/result: expected a kernel result/);
  });
});

describe('the types of both shapes', () => {
  it('one series or portfolio gives numbers and Vectors; a Matrix gives Vectors and Matrices', () => {
    expectTypeOf(ref.performanceStats(FUND).sharpe).toEqualTypeOf<number>();
    expectTypeOf(ref.performanceStats(R).sharpe).toEqualTypeOf<Vector>();
    expectTypeOf(ref.relativeStats(FUND, BENCH).beta).toEqualTypeOf<number>();
    expectTypeOf(ref.valueAtRisk(FUND).var).toEqualTypeOf<number>();
    expectTypeOf(ref.valueAtRisk(R).es).toEqualTypeOf<Vector>();
    expectTypeOf(ref.varBacktest(FUND, FUND).kupiecPValue).toEqualTypeOf<number>();
    expectTypeOf(ref.varBacktest(R, VAR).exceptions).toEqualTypeOf<Matrix>();
    expectTypeOf(ref.drawdownSeries(FUND)).toEqualTypeOf<Vector>();
    expectTypeOf(ref.drawdowns(R).depth).toEqualTypeOf<Matrix>();
    expectTypeOf(ref.simpleReturns(ref.cumulativeReturns(R, { startingValue: 1 }))).toEqualTypeOf<Matrix>();
    expectTypeOf(ref.portfolioVolatility(ref.covariance(R), W)).toEqualTypeOf<number>();
    expectTypeOf(ref.portfolioVolatility(ref.covariance(R), W2)).toEqualTypeOf<Vector>();
    expectTypeOf(ref.componentVar(R, W).varContributions).toEqualTypeOf<Vector>();
    expectTypeOf(ref.componentVar(R, W2).varContributions).toEqualTypeOf<Matrix>();
    expectTypeOf(ref.portfolioReturns(R, W)).toEqualTypeOf<Vector>();
    expectTypeOf(ref.covariance(R)).toMatchTypeOf<Matrix>();
    // the Async forms keep both shapes
    expectTypeOf(ref.performanceStatsAsync(FUND)).resolves.toHaveProperty('sharpe').toEqualTypeOf<number>();
    expectTypeOf(ref.performanceStatsAsync(R)).resolves.toHaveProperty('sharpe').toEqualTypeOf<Vector>();
    expectTypeOf(ref.portfolioVolatilityAsync(ref.covariance(R), W)).resolves.toEqualTypeOf<number>();
    expectTypeOf(ref.componentVarAsync(R, W2)).resolves.toHaveProperty('varContributions').toEqualTypeOf<Matrix>();
    expectTypeOf(ref.drawdownSeriesAsync(FUND)).resolves.toEqualTypeOf<Vector>();
  });
});
