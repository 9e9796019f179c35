/**
 * The parity suite for the portfolio family's optimizers: every backend against the reference on random
 * problems (fast-check: sizes, singular covariances, bounds, sectors, batches), within 1e-10 of the
 * weights' scale (the native solver takes the reference's steps in the same order: most come out bit
 * for bit); the same faults; sync and async alike; the threads do not change a bit.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { kernels, matrix, type Matrix } from '../../src/index.js';
import type { EfficientFrontier, EfficientFrontierResult } from '../../src/kernels/portfolio/portfolio.js';
import { type CovStack, stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { expectColumnsClose, expectSameFault } from '../helpers/compare.js';
import { flatResult, nearTieProblem, randomCov, rng, seedArb } from './kkt.js';

/**
 * The bound is 0: the native solver takes the reference's steps with the same operations in the same order
 * (-ffp-contract=off; sqrt, correctly rounded, its one library function), so every pivot and every number
 * is the same (none differed over 30 seeds of every property here). 1e-10 of the weights' scale is slack.
 */
const RTOL = 1e-10;
const RUNS = 60;

/** A random batch: P covariances of n assets (t dates each: singular when t < n) as a CovStack, bounds and maybe sectors. */
function batchOf(seed: number, n: number, t: number, P: number, sectored: boolean) {
  const rand = rng(seed);
  const stack = stackCovariances(Array.from({ length: P }, () => randomCov(n, t, rand)));
  const cap = Math.min(1, 1 / n + rand());
  const options = {
    bounds: { lower: 0, upper: cap },
    ...(sectored && n >= 3
      ? { sectors: Int32Array.from({ length: n }, (_, j) => j % 3), sectorBounds: { upper: Float64Array.of(0.5, 0.7, 0.9) } }
      : {}),
  };
  return { stack, options };
}

/** minVariance of one covariance (numbers and Vectors) or a stack on k as on the reference, or the same fault. */
const sameAsReference = (k: typeof ref, stack: Matrix | CovStack, options: object) => {
  let expected: object;
  try {
    expected = ref.minVariance(stack, options);
  } catch {
    expectSameFault((kk) => kk.minVariance(stack, options), k);
    return;
  }
  const e = flatResult(expected);
  const volatility = typeof e.volatility === 'number' ? e.volatility : e.volatility[0];
  expectColumnsClose(flatResult(k.minVariance(stack, options)), e, { weights: 1, volatility }, RTOL);
};

/** The same call on the reference and on k: the same numbers (or the same fault). */
function same<T extends object>(k: typeof ref, call: (kk: typeof ref) => T): void {
  let expected: T;
  try {
    expected = call(ref);
  } catch {
    expectSameFault(call, k);
    return;
  }
  const actual = call(k);
  expectColumnsClose(flatResult(actual), flatResult(expected), { weights: 1, expectedReturn: 1e-3, volatility: 1e-3, sharpe: 1 }, RTOL);
}

/** Random means for a batch of P problems of n assets (a row each, or one shared). */
function meansOf(seed: number, n: number, P: number, perProblem: boolean): Float64Array | Matrix {
  const rand = rng(seed + 1);
  const rows = perProblem ? P : 1;
  const data = Float64Array.from({ length: rows * n }, () => 0.01 * (rand() - 0.3));
  return perProblem ? matrix(data, rows, n) : data;
}

/** The same frontiers on the reference and on k (the same turning point counts, the numbers to RTOL of their scale), or the same fault. */
function sameFrontier(k: typeof ref, call: (kk: typeof ref) => EfficientFrontierResult): void {
  let expected: EfficientFrontierResult;
  try {
    expected = call(ref);
  } catch {
    expectSameFault(call, k);
    return;
  }
  const flat = (r: typeof expected) => ({
    offsets: r.turningPoints.offsets,
    lambdas: r.turningPoints.lambdas,
    weights: r.turningPoints.weights.data,
    returns: r.turningPoints.returns,
    volatilities: r.turningPoints.volatilities,
    frontierWeights: r.frontier.weights.data,
    frontierReturns: r.frontier.returns,
    frontierVolatilities: r.frontier.volatilities,
  });
  const scale = { weights: 1, frontierWeights: 1, returns: 1e-3, frontierReturns: 1e-3, volatilities: 1e-3, frontierVolatilities: 1e-3 };
  expectColumnsClose(flat(call(k)), flat(expected), scale, RTOL);
}

describeEachBackend(
  'portfolio optimizers parity',
  (k, _name, supports) => {
    it.runIf(supports('minVariance'))('minVariance: random batches (fast-check)', () => {
      fc.assert(
        fc.property(
          seedArb,
          fc.integer({ min: 1, max: 20 }),
          fc.integer({ min: 2, max: 40 }),
          fc.integer({ min: 1, max: 12 }),
          fc.boolean(),
          (seed, n, t, P, s) => {
            const { stack, options } = batchOf(seed, n, t, P, s);
            sameAsReference(k, stack, options);
          },
        ),
        { numRuns: RUNS },
      );
    });

    it.runIf(supports('minVariance'))('minVariance: unbounded and market-neutral problems, faults alike', () => {
      const rand = rng(3);
      const cov = randomCov(8, 40, rand);
      sameAsReference(k, cov, { bounds: { lower: -Infinity, upper: Infinity } });
      sameAsReference(k, cov, { budget: 0, bounds: { lower: -0.5, upper: 0.5 }, l2Gamma: 0.01 });
      sameAsReference(k, cov, { budget: 3 });
      sameAsReference(k, matrix(Float64Array.of(1, 2, 2, 1), 2, 2), { bounds: { lower: -1, upper: 2 } });
    });

    it.runIf(supports('maxSharpe', 'maxUtility', 'efficientReturn', 'efficientRisk'))(
      'maxSharpe, maxUtility, efficientReturn, efficientRisk: random batches (fast-check)',
      () => {
        fc.assert(
          fc.property(
            seedArb,
            fc.integer({ min: 2, max: 14 }),
            fc.integer({ min: 1, max: 6 }),
            fc.boolean(),
            fc.boolean(),
            (seed, n, P, s, per) => {
              const { stack, options } = batchOf(seed, n, 3 * n, P, s);
              const mean = meansOf(seed, n, P, per);
              const targets = Float64Array.from({ length: P }, (_, p) => 0.002 + 0.001 * p);
              same(k, (kk) => kk.maxSharpe(mean, stack, options));
              same(k, (kk) => kk.maxUtility(mean, stack, { ...options, riskAversion: 2 + (seed % 5), l2Gamma: (seed % 3) * 1e-3 }));
              same(k, (kk) => kk.efficientReturn(mean, stack, targets, options));
              same(k, (kk) =>
                kk.efficientRisk(
                  mean,
                  stack,
                  Float64Array.from({ length: P }, (_, p) => 0.01 + 0.005 * p),
                  options,
                ),
              );
            },
          ),
          { numRuns: 30 },
        );
      },
    );

    it.runIf(supports('efficientReturn'))(
      'efficientReturn, efficientRisk and maxUtility with near or exact ties in the means: targets at and between them, the highest return (fast-check)',
      () => {
        fc.assert(
          fc.property(
            seedArb,
            fc.integer({ min: 2, max: 30 }),
            fc.constantFrom(1e-7, 1e-9, 1e-11, 1e-13, 1e-15, 0),
            fc.boolean(),
            (seed, n, eps, capped) => {
              const { cov, mean, top, other } = nearTieProblem(seed, n, eps);
              const options = { bounds: { lower: 0, upper: capped ? Math.max(0.6, 1.5 / n) : 1 } };
              for (const f of [0, 0.5, 1, 2])
                same(k, (kk) => kk.efficientReturn(mean, cov, mean[top] - f * (mean[top] - mean[other]), options));
              same(k, (kk) => kk.efficientRisk(mean, cov, 1, options));
              // exact ties (the means to 3 decimals) and little risk aversion: a flat direction between them
              const rounded = mean.map((m) => Math.round(m * 1000) / 1000);
              same(k, (kk) => kk.maxUtility(rounded, cov, { ...options, riskAversion: 0.01 }));
            },
          ),
          {
            numRuns: 30,
            examples: [
              [50, 23, 1e-7, false],
              [47, 20, 0, false],
              [44, 17, 1e-15, false],
            ],
          },
        );
      },
    );

    it.runIf(supports('efficientFrontier'))('efficientFrontier: random problems, every turning point (fast-check)', () => {
      fc.assert(
        fc.property(seedArb, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), (seed, n, points, capped) => {
          const rand = rng(seed);
          const cov = randomCov(n, 2 * n + 3, rand);
          const mean = Float64Array.from({ length: n }, () => 0.01 * rand());
          const options = { points, bounds: { lower: 0, upper: capped ? Math.max(1.5 / n, 0.2) : 1 } };
          let expected: EfficientFrontier;
          try {
            expected = ref.efficientFrontier(mean, cov, options);
          } catch {
            expectSameFault((kk) => kk.efficientFrontier(mean, cov, options), k);
            return;
          }
          const actual = k.efficientFrontier(mean, cov, options);
          const flat = (r: typeof expected) => ({
            lambdas: r.turningPoints.lambdas,
            weights: r.turningPoints.weights.data,
            returns: r.turningPoints.returns,
            volatilities: r.turningPoints.volatilities,
            frontierWeights: r.frontier.weights.data,
            frontierReturns: r.frontier.returns,
            frontierVolatilities: r.frontier.volatilities,
          });
          expectColumnsClose(flat(actual), flat(expected), { weights: 1, frontierWeights: 1, returns: 1e-3, frontierReturns: 1e-3 }, RTOL);
        }),
        { numRuns: 60 },
      );
    });

    it.runIf(supports('efficientFrontier'))(
      'efficientFrontier: random batches (a P-stack of covariances, means shared or per problem, bounds per problem), as the reference (fast-check)',
      () => {
        fc.assert(
          fc.property(
            seedArb,
            fc.integer({ min: 1, max: 12 }),
            fc.integer({ min: 1, max: 6 }),
            fc.integer({ min: 1, max: 9 }),
            fc.boolean(),
            fc.boolean(),
            (seed, n, P, points, perMean, perBounds) => {
              const { stack } = batchOf(seed, n, 2 * n + 3, P, false);
              const mean = meansOf(seed, n, P, perMean);
              const rand = rng(seed + 2);
              const caps = Float64Array.from({ length: perBounds ? P * n : n }, () => Math.min(1, 1 / n + rand()));
              const options = { points, bounds: { lower: 0, upper: perBounds ? matrix(caps, P, n) : caps } };
              sameFrontier(k, (kk) => kk.efficientFrontier(mean, stack, options));
            },
          ),
          { numRuns: 40 },
        );
      },
    );

    it.runIf(supports('efficientFrontier'))(
      'efficientFrontier: async gives the same, and a batch the same whatever the threads',
      async () => {
        const { stack } = batchOf(5, 20, 60, 24, false);
        const mean = meansOf(5, 20, 24, true);
        const sync = k.efficientFrontier(mean, stack, { points: 10 });
        expect((await k.efficientFrontierAsync(mean, stack, { points: 10 })).turningPoints).toEqual(sync.turningPoints);
        const one = kernels({ backend: k.backend as never, threads: 1 }).efficientFrontier(mean, stack, { points: 10 });
        const four = kernels({ backend: k.backend as never, threads: 4 }).efficientFrontier(mean, stack, { points: 10 });
        expect(four).toEqual(one);
        expect(one.turningPoints.offsets.length).toBe(25);
      },
    );

    it.runIf(supports('minVariance'))('minVariance: async gives the same, and a batch the same whatever the threads', async () => {
      const { stack, options } = batchOf(11, 12, 30, 40, true);
      const sync = k.minVariance(stack, options);
      const promised = await k.minVarianceAsync(stack, options);
      expect(promised.weights).toEqual(sync.weights);
      const one = kernels({ backend: k.backend as never, threads: 1 }).minVariance(stack, options);
      const four = kernels({ backend: k.backend as never, threads: 4 }).minVariance(stack, options);
      expect(four.weights).toEqual(one.weights);
      expect(four.iterations).toEqual(one.iterations);
    });
  },
  'portfolio',
);
