/**
 * The parity suite for the risk family: every function on every available backend against the
 * reference, on random matrices (fast-check: NaN sprinkled, tiny and huge magnitudes, one row, one
 * column, empty) and on subarray and SharedArrayBuffer views, within PARITY_RTOL (1e-12 relative).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { KernelInputError, type Kernels, type Matrix, type PerformanceOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectColumnsClose } from '../helpers/compare.js';

const RUNS = 150;

/** A rows x cols matrix of values from `value`, the data at a random offset in a larger buffer. */
function matrixArb(value: fc.Arbitrary<number>, maxRows = 40, maxCols = 6): fc.Arbitrary<Matrix> {
  return fc
    .record({ rows: fc.integer({ min: 0, max: maxRows }), cols: fc.integer({ min: 1, max: maxCols }), offset: fc.integer({ min: 0, max: 3 }), shared: fc.boolean() })
    .chain(({ rows, cols, offset, shared }) =>
      fc.array(value, { minLength: rows * cols, maxLength: rows * cols }).map((values) => {
        const buffer = shared ? new SharedArrayBuffer(8 * (values.length + offset + 2)) : new ArrayBuffer(8 * (values.length + offset + 2));
        const data = new Float64Array(buffer, 8 * offset, values.length);
        data.set(values);
        return { data, rows, cols };
      }),
    );
}

/** Returns: ordinary daily moves, with NaN (missing), exact zeros, tiny and huge magnitudes. */
const returnArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -0.5, max: 0.5, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 0, -0, 1e-300, -1e-300, 5e-324, 1e150, -0.999999) },
);
/** Prices: positive, NaN (missing), tiny and huge. */
const priceArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 1, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, 1e-300, 5e-324, 1e300, Number.MAX_VALUE) },
);
const weightArb = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(0, 1, 1e-300));
const optionsArb: fc.Arbitrary<PerformanceOptions> = fc.record({ periodsPerYear: fc.constantFrom(1, 12, 52, 252, 365.25), riskFree: fc.constantFrom(0, 0.0001, -0.01, 0.1) });

const columns = (m: Matrix | Float64Array) => ({ data: m instanceof Float64Array ? m : m.data });

describeEachBackend('risk family parity', (k: Kernels) => {
  it('simpleReturns and logReturns', () => {
    fc.assert(
      fc.property(matrixArb(priceArb), (prices) => {
        expectColumnsClose(columns(k.simpleReturns(prices)), columns(ref.simpleReturns(prices)));
        expectColumnsClose(columns(k.logReturns(prices)), columns(ref.logReturns(prices)));
      }),
      { numRuns: RUNS },
    );
  });

  it('portfolioReturns, one portfolio and P portfolios', () => {
    const inputs = matrixArb(returnArb).chain((returns) =>
      fc.tuple(fc.constant(returns), fc.integer({ min: 1, max: 4 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols }))),
    );
    fc.assert(
      fc.property(inputs, ([returns, w]) => {
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        expectColumnsClose(columns(k.portfolioReturns(returns, weights)), columns(ref.portfolioReturns(returns, weights)));
        const one = weights.data.subarray(0, returns.cols);
        expectColumnsClose(columns(k.portfolioReturns(returns, one)), columns(ref.portfolioReturns(returns, one)));
      }),
      { numRuns: RUNS },
    );
  });

  it('performanceStats', () => {
    fc.assert(
      fc.property(matrixArb(returnArb), optionsArb, (returns, options) => {
        expectColumnsClose({ ...k.performanceStats(returns, options) }, { ...ref.performanceStats(returns, options) });
      }),
      { numRuns: RUNS },
    );
  });

  it('valueAtRisk: every method, confidence and ddof', () => {
    const options = fc.record({
      method: fc.constantFrom('historical' as const, 'gaussian' as const, 'cornish-fisher' as const),
      confidence: fc.oneof(fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.999), fc.double({ min: 0.01, max: 0.9999, noNaN: true })),
      ddof: fc.constantFrom(0, 1, 2),
    });
    fc.assert(
      fc.property(matrixArb(returnArb, 60), options, (returns, o) => {
        expectColumnsClose({ ...k.valueAtRisk(returns, o) }, { ...ref.valueAtRisk(returns, o) });
      }),
      { numRuns: RUNS },
    );
  });

  it('covariance: every method (PyPortfolioOpt targets too); NaN rows left out', () => {
    const options = fc.record({ method: fc.constantFrom('sample' as const, 'ewma' as const, 'ledoit-wolf' as const, 'oas' as const, 'semi' as const, 'ledoit-wolf-constant-correlation' as const, 'ledoit-wolf-single-factor' as const), lambda: fc.constantFrom(0.94, 0.97, 0.5, 1e-9), adjust: fc.boolean(), benchmark: fc.constantFrom(0, 0.000079, -0.01, 0.05) });
    fc.assert(
      fc.property(matrixArb(returnArb, 60, 12), options, (returns, o) => {
        const a = k.covariance(returns, o);
        const e = ref.covariance(returns, o);
        expectColumnsClose({ cov: a.cov.data, shrinkage: [a.shrinkage ?? -1] }, { cov: e.cov.data, shrinkage: [e.shrinkage ?? -1] });
      }),
      { numRuns: RUNS },
    );
  });

  it('portfolioVolatility: covariances of random returns, one and P portfolios', () => {
    const inputs = matrixArb(fc.double({ min: -0.2, max: 0.2, noNaN: true }), 40, 12).chain((returns) =>
      fc.tuple(fc.constant(returns), fc.integer({ min: 1, max: 20 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols }))),
    );
    fc.assert(
      fc.property(inputs, ([returns, w]) => {
        const { cov } = ref.covariance(returns, { method: 'ewma' });
        if (cov.data.some((v) => Number.isNaN(v))) return;
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        expectColumnsClose({ vol: k.portfolioVolatility(cov, weights) }, { vol: ref.portfolioVolatility(cov, weights) });
      }),
      { numRuns: RUNS },
    );
  });

  it('componentVar: both methods, one and P portfolios, NaN rows left out', () => {
    const options = fc.record({
      method: fc.constantFrom('gaussian' as const, 'cornish-fisher' as const),
      confidence: fc.oneof(fc.constantFrom(0.9, 0.95, 0.99), fc.double({ min: 0.01, max: 0.9999, noNaN: true })),
    });
    const inputs = matrixArb(returnArb, 60, 8).chain((returns) =>
      fc.tuple(fc.constant(returns), fc.integer({ min: 1, max: 5 }).chain((p) => fc.array(weightArb, { minLength: p * returns.cols, maxLength: p * returns.cols }))),
    );
    fc.assert(
      fc.property(inputs, options, ([returns, w], o) => {
        const weights = { data: Float64Array.from(w), rows: w.length / returns.cols, cols: returns.cols };
        const a = k.componentVar(returns, weights, o);
        const e = ref.componentVar(returns, weights, o);
        // contributions are measured against the totals they sum to (a contribution of 1e-313 beside a
        // total of 1e-146 is rounding noise: the backends' normal quantiles may differ in the last ulp)
        const totals = Math.max(0, ...[...e.var, ...e.es].map(Math.abs).filter(Number.isFinite));
        expectColumnsClose({ var: a.var, es: a.es, vc: a.varContributions.data, ec: a.esContributions.data }, { var: e.var, es: e.es, vc: e.varContributions.data, ec: e.esContributions.data }, { vc: totals, ec: totals });
      }),
      {
        numRuns: RUNS,
        // a found case: returns near 1e-146 and a weight of 1e-275 give subnormal contributions
        examples: [[[{ data: Float64Array.from([0, 0, 0, 0, 0, NaN, 0, 0, 0, 0, 0, -1e-300, -3.673525885671875e-146, 0, -0, 0, 0, 0, 0, -1.2465357264167838e-33]), rows: 10, cols: 2 }, [1, -1.092612829062461e-275]], { method: 'gaussian', confidence: 0.99 }]],
      },
    );
  });

  it('monteCarloVar and monteCarloScenarios: bit-identical scenarios, VaR and ES within 1e-12, normal and Student t', () => {
    const model = fc.integer({ min: 1, max: 9 }).chain((n) =>
      fc.record({
        factors: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: (n + 2) * n, maxLength: (n + 2) * n }),
        mean: fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: n, maxLength: n }),
        weights: fc.integer({ min: 1, max: 4 }).chain((p) => fc.array(weightArb, { minLength: p * n, maxLength: p * n })),
        n: fc.constant(n),
      }),
    );
    const options = fc.record({
      paths: fc.integer({ min: 1, max: 300 }),
      confidence: fc.constantFrom(0.5, 0.9, 0.99),
      horizon: fc.constantFrom(1, 10, 0.25),
      seed: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(2 ** 53 - 1)),
      distribution: fc.constantFrom('normal' as const, { studentT: 2.5 }, { studentT: 30 }),
    });
    fc.assert(
      fc.property(model, options, ({ factors, mean, weights, n }, o) => {
        // a positive definite covariance: X'X / rows + a small ridge, X (n + 2) x n
        const X = { data: Float64Array.from(factors), rows: n + 2, cols: n };
        const cov = ref.covariance(X, { method: 'ledoit-wolf' }).cov;
        for (let i = 0; i < n; i++) cov.data[i * n + i] += 1e-6;
        const m = { mean: Float64Array.from(mean), cov };
        const w = { data: Float64Array.from(weights), rows: weights.length / n, cols: n };
        expect([...k.monteCarloScenarios(m, o).data]).toEqual([...ref.monteCarloScenarios(m, o).data]);
        const a = k.monteCarloVar(m, w, o);
        const e = ref.monteCarloVar(m, w, o);
        expectColumnsClose({ var: a.var, es: a.es }, { var: e.var, es: e.es });
      }),
      { numRuns: 60 },
    );
  });

  it('historical valueAtRisk on long series (the sampled selection and its fallback): sorted, reversed, ties, adversarial', () => {
    const n = 2000;
    const wave = (i: number) => Math.sin(i * 12.9898) * 0.03;
    const patterns: Record<string, (i: number) => number> = {
      random: wave,
      ascending: (i) => i / n - 0.5,
      descending: (i) => 0.5 - i / n,
      'three values': (i) => [-0.01, 0, 0.01][i % 3],
      constant: () => 0.004,
      // the 64 sampled positions (every 31st) hold the largest values: the sample's threshold is too high
      'large at the sampled positions': (i) => (i % 31 === 0 ? 1 + i : wave(i)),
      // the sampled positions hold the smallest values: the threshold keeps too few, the fallback runs
      'small at the sampled positions': (i) => (i % 31 === 0 ? -1 - i / n : wave(i)),
    };
    for (const [name, f] of Object.entries(patterns)) {
      const x = Float64Array.from({ length: n }, (_, i) => f(i));
      for (const confidence of [0.9, 0.95, 0.99, 0.999]) {
        const o = { method: 'historical' as const, confidence };
        const a = k.valueAtRisk(x, o);
        const e = ref.valueAtRisk(x, o);
        expect([a.var[0], a.es[0]], `${name} at ${confidence}`).toEqual([e.var[0], e.es[0]]);
      }
    }
  });

  it('edge cases: empty, one row, one column, all NaN, a constant series, a total loss', () => {
    const series = [new Float64Array(0), Float64Array.of(0.01), Float64Array.of(NaN, NaN), Float64Array.of(0.01, 0.01, 0.01), Float64Array.of(0.1, -1, 0.2), Float64Array.of(1e-300, -1e-300)];
    for (const x of series) {
      expectColumnsClose({ ...k.performanceStats(x) }, { ...ref.performanceStats(x) });
      for (const method of ['historical', 'gaussian', 'cornish-fisher'] as const) {
        expectColumnsClose({ ...k.valueAtRisk(x, { method }) }, { ...ref.valueAtRisk(x, { method }) });
      }
    }
    expect(k.simpleReturns(Float64Array.of(5)).length).toBe(0);
  });

  it('data faults: the same KernelInputError as the reference', () => {
    const calls: ((kk: Kernels) => unknown)[] = [
      (kk) => kk.simpleReturns({ data: Float64Array.of(1, 2, 3, 0), rows: 2, cols: 2 }),
      (kk) => kk.logReturns(Float64Array.of(1, Infinity)),
      (kk) => kk.performanceStats({ data: Float64Array.of(0.1, 0.2, -Infinity, 0), rows: 2, cols: 2 }),
      (kk) => kk.portfolioReturns(Float64Array.of(0.1, 0.2), Float64Array.of(Infinity)),
      (kk) => kk.valueAtRisk({ data: Float64Array.of(0.1, NaN, Infinity, 0), rows: 2, cols: 2 }, { method: 'gaussian' }),
      (kk) => kk.covariance({ data: Float64Array.of(0.1, NaN, -Infinity, 0), rows: 2, cols: 2 }),
      (kk) => kk.componentVar({ data: Float64Array.of(0.1, 0.2, 0.3, Infinity), rows: 2, cols: 2 }, Float64Array.of(1, 1), { method: 'gaussian' }),
      (kk) => kk.componentVar({ data: Float64Array.of(0.1, 0.2), rows: 1, cols: 2 }, Float64Array.of(1, -Infinity), { method: 'cornish-fisher' }),
      (kk) => kk.monteCarloVar({ mean: Float64Array.of(0, 0, 0), cov: { data: Float64Array.of(1, 0, 0, 0, 1, 2, 0, 2, 1), rows: 3, cols: 3 } }, Float64Array.of(1, 1, 1)),
      (kk) => kk.monteCarloScenarios({ mean: Float64Array.of(0, 0), cov: { data: Float64Array.of(0, 0, 0, 1), rows: 2, cols: 2 } }),
    ];
    for (const call of calls) {
      let expected: unknown;
      try {
        call(ref);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(KernelInputError);
      expect(() => call(k)).toThrow((expected as Error).message);
    }
  });
});
