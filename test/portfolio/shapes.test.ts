/**
 * One problem in, plain numbers and Vectors out; labels travel with the data; one kernel's result feeds
 * the next (issue #39, the portfolio family). On the reference and native backends:
 * - every kernel's one-problem call gives numbers and Vectors of N equal to row 0 of a batch of two
 *   whose first problem is the same; a batch keeps P-row matrices and Vectors of P, also a batch of one;
 * - the asset names of the inputs (cov.columns, else cov.index of names, else mean's or budgets' names,
 *   the returns' columns) label every per-asset output, as references to the caller's arrays, and
 *   the labelled call copies no data;
 * - results chain: minVariance(covariance(R)), efficientFrontier(expectedReturns(prices),
 *   covariance(returns)), minVariance(nearestPsd(cov)), portfolioVolatility(covariance(R), weights);
 * - the result types follow the inputs (expectTypeOf, checked by tsc).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { backends, kernels, type Kernels, matrix, type Matrix, type Vector } from '../../src/index.js';
import { weightsByName } from '../../src/api/index.js';
import { outputLength } from '../../src/kernels/descriptor.js';
import {
  type EfficientFrontier,
  type EfficientFrontierResult,
  frontierOf,
  type MinVarianceResult,
  type PortfolioResult,
  type ProblemStack,
} from '../../src/kernels/portfolio/portfolio.js';
import type { HrpResult, NearestPsdResult, RiskParityResult } from '../../src/kernels/portfolio/portfolio-allocation.js';
import type { PortfolioAsyncKernels } from '../../src/kernels/portfolio/portfolio-kernels.js';
import { OPTIMIZER_KERNELS } from '../../src/kernels/portfolio/portfolio-optimizers.js';
import type { CheckPsdResult, CheckPsdStackResult } from '../../src/kernels/portfolio/portfolio-psd.js';
import { type CovStack, stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { randomCov, rng } from './kkt.js';

const NAMES = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'] as const;
const N = NAMES.length;

/** T x N returns of a one-factor model (seeded), labelled by NAMES. */
function returnsOf(T: number, seed: number): Matrix {
  const rand = rng(seed);
  const data = new Float64Array(T * N);
  for (let t = 0; t < T; t++) {
    const m = rand() - 0.5;
    for (let i = 0; i < N; i++) data[t * N + i] = 0.01 * (m * (1 + (i % 3)) + (rand() - 0.5) * (1 + i)) + 0.0005 * i;
  }
  return matrix(data, T, N, { columns: [...NAMES] });
}

/** Prices from returns: 100 compounded, labelled as them. */
function pricesOf(returns: Matrix): Matrix {
  const { rows, cols } = returns;
  const p = new Float64Array((rows + 1) * cols).fill(100);
  for (let t = 1; t <= rows; t++)
    for (let c = 0; c < cols; c++) p[t * cols + c] = p[(t - 1) * cols + c] * (1 + returns.data[(t - 1) * cols + c]);
  return matrix(p, rows + 1, cols, { columns: returns.columns });
}

const rand = rng(39);
/** Two covariances of N assets (unlabelled) and the first labelled by NAMES (the same data: a view, no copy). */
const COV0 = randomCov(N, 40, rand);
const COV1 = randomCov(N, 40, rand);
const LABELLED = matrix(COV0.data, N, N, { columns: [...NAMES] });
const STACK = stackCovariances([COV0, COV1]);
const MEAN0 = Float64Array.of(0.08, 0.05, 0.11, 0.07, 0.09);
const MEANS = matrix(Float64Array.of(...MEAN0, 0.06, 0.1, 0.04, 0.12, 0.08), 2, N);
const BOUNDS = { bounds: { lower: 0, upper: 0.6 } };

const row = (m: Matrix, p: number) => m.data.subarray(p * m.cols, (p + 1) * m.cols);

/** The one-problem result `one` is row 0 of `batch`: each number its statistic's [0], each Vector its matrix's row 0. */
function expectRowZero(one: object, batch: object): void {
  const b = batch as Record<string, unknown>;
  for (const [key, v] of Object.entries(one)) {
    const w = b[key];
    if (typeof v === 'number') {
      expect(w, key).toBeInstanceOf(Float64Array);
      expect(v, key).toBe((w as Float64Array)[0]);
    } else if (v instanceof Float64Array) {
      expect((w as Matrix).rows, key).toBe(2);
      expect(Array.from(v), key).toEqual(Array.from(row(w as Matrix, 0)));
    } else {
      expect(v, key).toEqual(w); // a matrix (hrp's linkage): compared by the caller
    }
  }
}

const available = backends()
  .filter((b) => (b.name === 'reference' || b.name === 'native') && b.available)
  .map((b) => b.name);

describe.each(available)('one problem, a batch, labels [%s]', (backend) => {
  const k: Kernels = kernels({ backend });

  it('minVariance: numbers and a Vector of N, row 0 of a batch of two; a batch keeps P rows', () => {
    const one = k.minVariance(COV0, BOUNDS);
    expect(typeof one.volatility).toBe('number');
    expect(one.weights).toBeInstanceOf(Float64Array);
    expect(one.weights.length).toBe(N);
    const batch = k.minVariance(STACK, BOUNDS);
    expect([batch.weights.rows, batch.weights.cols, batch.volatility.length]).toEqual([2, N, 2]);
    const { weights, volatility } = one;
    expectRowZero({ weights, volatility }, batch);
    expect(one.iterations).toBe(batch.iterations[0]);
  });

  it('maxSharpe, maxUtility, efficientReturn, efficientRisk: one problem is row 0 of a batch of two (stacked cov, mean rows, targets)', () => {
    const sharpe = k.maxSharpe(MEAN0, COV0, BOUNDS);
    expectRowZero(sharpe, k.maxSharpe(MEANS, STACK, BOUNDS));
    expectRowZero(sharpe, k.maxSharpe(MEANS, COV0, BOUNDS)); // mean rows alone make the batch
    expectRowZero(k.maxUtility(MEAN0, COV0, { riskAversion: 3 }), k.maxUtility(MEAN0, STACK, { riskAversion: 3 }));
    const target = sharpe.expectedReturn;
    expectRowZero(k.efficientReturn(MEAN0, COV0, target), k.efficientReturn(MEAN0, COV0, Float64Array.of(target, target + 0.005)));
    const sigma = Math.max(...k.maxSharpe(MEANS, STACK).volatility); // feasible in both problems
    expectRowZero(k.efficientRisk(MEAN0, COV0, sigma), k.efficientRisk(MEANS, STACK, sigma));
    expect(typeof sharpe.sharpe).toBe('number');
  });

  it('the batch form makes a batch, also of one problem: a CovStack, P·N rows, mean as a Matrix, targets as a Float64Array, bounds as a Matrix', () => {
    const isBatch = (r: { weights: unknown; volatility: unknown }) =>
      r.volatility instanceof Float64Array && (r.weights as Matrix).rows === 1;
    expect(isBatch(k.minVariance(stackCovariances([COV0])))).toBe(true);
    expect(
      isBatch(k.minVariance(matrix(COV0.data, N, N), { bounds: { lower: 0, upper: matrix(new Float64Array(N).fill(0.6), 1, N) } })),
    ).toBe(true);
    expect(isBatch(k.maxSharpe(matrix(MEAN0, 1, N), COV0))).toBe(true);
    expect(isBatch(k.efficientReturn(MEAN0, COV0, Float64Array.of(0.08)))).toBe(true);
    expect(isBatch(k.riskParity(COV0, { budgets: matrix(new Float64Array(N).fill(1), 1, N) }))).toBe(true);
    // P·N rows without `problems`: a stack too
    expect(k.minVariance(matrix(STACK.data, 2 * N, N)).weights).toEqual(k.minVariance(STACK).weights);
    expect(() => k.minVariance({ ...STACK, problems: 3 })).toThrow('cov.problems: expected 2 (rows / cols), got 3');
  });

  it('efficientFrontier: one problem is its frontier (no offsets), frontierOf(batch, 0)', () => {
    const one = k.efficientFrontier(MEAN0, COV0, { points: 7 });
    expect(one.turningPoints).not.toHaveProperty('offsets');
    expect(one.frontier.weights.rows).toBe(7);
    const batch = k.efficientFrontier(MEANS, STACK, { points: 7 });
    expect(batch.turningPoints.offsets.length).toBe(3);
    expect(frontierOf(batch, 0)).toEqual(one);
  });

  it('riskParity and hrp: one problem is row 0 of a batch of two', () => {
    expectRowZero(k.riskParity(COV0), k.riskParity(STACK));
    const budgets = Float64Array.of(1, 2, 3, 4, 5);
    expectRowZero(
      k.riskParity(COV0, { budgets }),
      k.riskParity(COV0, { budgets: matrix(Float64Array.of(...budgets, 5, 4, 3, 2, 1), 2, N) }),
    );
    const h = k.hrp({ cov: COV0 }, { linkage: 'average' });
    const hb = k.hrp({ cov: STACK }, { linkage: 'average' });
    expectRowZero({ weights: h.weights, order: h.order }, hb);
    expect(Array.from(h.linkage.data)).toEqual(Array.from(hb.linkage.data.subarray(0, (N - 1) * 4)));
    expect([h.linkage.rows, hb.linkage.rows]).toEqual([N - 1, 2 * (N - 1)]);
  });

  it('checkPsd: { psd, asset, pivot } for one covariance, with `problem` for a stack', () => {
    const bad = matrix(Float64Array.of(1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1), 3, 3);
    const one = k.checkPsd(bad);
    expect(Object.keys(one).sort()).toEqual(['asset', 'pivot', 'psd']);
    expect(one.psd).toBe(false);
    const good = matrix(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3, 3);
    expect(k.checkPsd(stackCovariances([bad, good]))).toEqual({ ...one, problem: 0 });
    expect(k.checkPsd(stackCovariances([good, bad]))).toEqual({ ...one, problem: 1 });
  });

  it('expectedReturns: a Vector of N labelled by the columns; a series gives a number', () => {
    const prices = pricesOf(returnsOf(60, 1));
    const mu = k.expectedReturns(prices);
    expect(mu.length).toBe(N);
    expect(mu.index).toBe(prices.columns);
    const first = Float64Array.from({ length: prices.rows }, (_, t) => prices.data[t * N]);
    expect(k.expectedReturns(first)).toBe(mu[0]);
  });

  it('labels: cov.columns on weights, risk contributions, hrp weights and order, nearestPsd; by name', () => {
    const mv = k.minVariance(LABELLED);
    expect(mv.weights.index).toBe(LABELLED.columns); // the caller's array, not a copy
    expect(weightsByName(mv)).toEqual(Object.fromEntries(NAMES.map((name, i) => [name, mv.weights[i]])));
    expect(Array.from(mv.weights)).toEqual(Array.from(k.minVariance(COV0).weights)); // the labels change no number
    expect(k.minVariance(stackCovariances([LABELLED, COV1])).weights.columns).toEqual(NAMES);
    const rp = k.riskParity(LABELLED);
    expect([rp.weights.index, rp.riskContributions.index]).toEqual([NAMES, NAMES]);
    const h = k.hrp({ cov: LABELLED });
    expect(h.weights.index).toEqual(NAMES);
    expect(h.order.index).toEqual(Array.from(h.order, (j) => NAMES[j])); // the names in the quasi-diagonal order
    const fixed = k.nearestPsd(LABELLED);
    expect([fixed.columns, fixed.index, fixed.repaired]).toEqual([NAMES, NAMES, false]);
    const f = k.efficientFrontier(MEAN0, LABELLED, { points: 3 });
    expect([f.turningPoints.weights.columns, f.frontier.weights.columns]).toEqual([NAMES, NAMES]);
  });

  it('labels: else cov.index of names, else the names of mean, of budgets, the returns’ columns', () => {
    const byIndex = matrix(COV0.data, N, N, { index: [...NAMES] });
    expect(k.minVariance(byIndex).weights.index).toEqual(NAMES);
    const named = Object.defineProperty(Float64Array.from(MEAN0), 'index', { value: [...NAMES] });
    expect(k.maxSharpe(named, COV0).weights.index).toEqual(NAMES);
    expect(k.maxSharpe(matrix(MEANS.data, 2, N, { columns: [...NAMES] }), COV0).weights.columns).toEqual(NAMES);
    const budgets = Object.defineProperty(new Float64Array(N).fill(1), 'index', { value: [...NAMES] });
    expect(k.riskParity(COV0, { budgets }).weights.index).toEqual(NAMES);
    expect(k.hrp(returnsOf(60, 2)).weights.index).toEqual(NAMES);
    expect(k.minVariance(COV0).weights.index).toBeUndefined(); // none given, none made
  });

  it('the labelled call copies no data: the input passed as it is, the outputs views of one buffer of the same size', () => {
    const plain = k.minVariance(COV0);
    const labelled = k.minVariance(LABELLED);
    const size = outputLength(OPTIMIZER_KERNELS.minVariance.outputs, { P: 1, N });
    expect([labelled.weights.buffer.byteLength, plain.weights.buffer.byteLength]).toEqual([8 * size, 8 * size]);
    expect(labelled.weights.byteOffset).toBe(plain.weights.byteOffset);
    const batch = k.minVariance(stackCovariances([LABELLED, COV1]));
    expect(batch.weights.data.buffer).toBe(batch.volatility.buffer);
    // what the backend receives: the caller's data itself (assumePsd: the call without the guard)
    const call = OPTIMIZER_KERNELS.minVariance.api(LABELLED, { assumePsd: true });
    expect('args' in call && (call.args[0] as ProblemStack).cov).toBe(COV0.data);
    expect(stackCovariances(matrix(STACK.data, 2 * N, N)).data).toBe(STACK.data); // a stack of P·N rows: a view
  });

  it('chains: minVariance(covariance(R)), portfolioVolatility of its weights, efficientFrontier(expectedReturns(prices), covariance(returns)), minVariance(nearestPsd(cov))', () => {
    const R = returnsOf(80, 3);
    const cov = k.covariance(R);
    const mv = k.minVariance(cov);
    const plainCov = matrix(Float64Array.from(cov.data), N, N);
    expect(Array.from(mv.weights)).toEqual(Array.from(k.minVariance(plainCov).weights));
    expect(mv.volatility).toBe(k.minVariance(plainCov).volatility);
    expect(weightsByName(mv)).toEqual(Object.fromEntries(NAMES.map((name, i) => [name, mv.weights[i]])));
    const vol = k.portfolioVolatility(cov, mv.weights);
    expect(Math.abs(vol - mv.volatility)).toBeLessThanOrEqual(1e-14 * mv.volatility);
    const prices = pricesOf(R);
    const frontier = k.efficientFrontier(k.expectedReturns(prices), k.covariance(k.simpleReturns(prices)), { points: 4 });
    expect(frontier.frontier.weights.columns).toEqual(NAMES);
    expect(frontier.turningPoints.lambdas[0]).toBe(Infinity);
    const bad = matrix(Float64Array.of(1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1), 3, 3, { columns: ['x', 'y', 'z'] });
    const repaired = k.minVariance(k.nearestPsd(bad), { bounds: { lower: -1, upper: 1 } });
    expect(repaired).toEqual(k.minVariance(bad, { bounds: { lower: -1, upper: 1 }, repair: true }));
    expect(repaired.weights.index).toEqual(['x', 'y', 'z']);
  });
});

describe('result types follow the inputs (tsc)', () => {
  it('one problem: numbers and Vectors; a batch: Vectors of P and matrices', () => {
    const k = kernels({ backend: 'reference' });
    expectTypeOf(k.minVariance(COV0)).toEqualTypeOf<MinVarianceResult<number, Vector>>();
    expectTypeOf(k.minVariance(COV0, BOUNDS)).toEqualTypeOf<MinVarianceResult<number, Vector>>();
    expectTypeOf(k.minVariance(STACK)).toEqualTypeOf<MinVarianceResult>();
    expectTypeOf(
      k.minVariance(COV0, { bounds: { upper: matrix(new Float64Array(2 * N).fill(1), 2, N) } }),
    ).toEqualTypeOf<MinVarianceResult>();
    expectTypeOf(k.maxSharpe(MEAN0, COV0)).toEqualTypeOf<PortfolioResult<number, Vector>>();
    expectTypeOf(k.maxSharpe(MEANS, COV0)).toEqualTypeOf<PortfolioResult>();
    expectTypeOf(k.efficientReturn(MEAN0, COV0, 0.08)).toEqualTypeOf<PortfolioResult<number, Vector>>();
    expectTypeOf(k.efficientRisk(MEAN0, COV0, Float64Array.of(0.1, 0.2))).toEqualTypeOf<PortfolioResult>();
    expectTypeOf(k.efficientFrontier(MEAN0, COV0)).toEqualTypeOf<EfficientFrontier>();
    expectTypeOf(k.efficientFrontier(MEAN0, STACK)).toEqualTypeOf<EfficientFrontierResult>();
    expectTypeOf(k.riskParity(COV0)).toEqualTypeOf<RiskParityResult<number, Vector>>();
    expectTypeOf(k.riskParity(STACK)).toEqualTypeOf<RiskParityResult>();
    expectTypeOf(k.hrp(returnsOf(10, 1))).toEqualTypeOf<HrpResult<Vector>>();
    expectTypeOf(k.hrp({ cov: STACK })).toEqualTypeOf<HrpResult>();
    expectTypeOf(k.checkPsd(COV0)).toEqualTypeOf<CheckPsdResult>();
    expectTypeOf(k.checkPsd(STACK)).toEqualTypeOf<CheckPsdStackResult>();
    expectTypeOf(k.nearestPsd(COV0)).toEqualTypeOf<NearestPsdResult>();
    expectTypeOf(k.expectedReturns(MEAN0)).toEqualTypeOf<number>();
    expectTypeOf(k.expectedReturns(pricesOf(returnsOf(10, 1)))).toEqualTypeOf<Vector>();
    expectTypeOf(stackCovariances([COV0, COV1])).toEqualTypeOf<CovStack>();
    // results chain: a covariance(), a nearestPsd() and an expectedReturns() go in as one problem's inputs
    expectTypeOf(k.minVariance(k.covariance(returnsOf(10, 1)))).toEqualTypeOf<MinVarianceResult<number, Vector>>();
    expectTypeOf(k.minVariance(k.nearestPsd(COV0))).toEqualTypeOf<MinVarianceResult<number, Vector>>();
    expectTypeOf(k.maxSharpe(k.expectedReturns(pricesOf(returnsOf(10, 1))), COV0)).toEqualTypeOf<PortfolioResult<number, Vector>>();
  });

  it('the Async forms keep the generic signatures (PortfolioAsyncKernels)', () => {
    // types only: never called
    const typed = (a: PortfolioAsyncKernels) => {
      expectTypeOf(a.minVarianceAsync(COV0)).resolves.toEqualTypeOf<MinVarianceResult<number, Vector>>();
      expectTypeOf(a.minVarianceAsync(STACK)).resolves.toEqualTypeOf<MinVarianceResult>();
      expectTypeOf(a.efficientFrontierAsync(MEANS, COV0)).resolves.toEqualTypeOf<EfficientFrontierResult>();
      expectTypeOf(a.checkPsdAsync(STACK)).resolves.toEqualTypeOf<CheckPsdStackResult>();
    };
    expect(typeof typed).toBe('function');
  });
});
