/**
 * Monte Carlo VaR's reference: the random numbers (Philox4x32-10 against Random123's known-answer
 * vectors, our log and sin/cos against the platform's, the moments of the normals and chi-squares),
 * closed forms (convergence to the Gaussian VaR, square-root-of-time, the projection w'x), the
 * Student-t scenarios' covariance, and KernelInputError naming the argument.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, matrix } from '../../src/index.js';
import { chiSquare, logPositive, normalPair, philox4x32, sinCos2Pi } from '../../src/math/random.js';

const ref = kernels({ backend: 'reference' });

/** A 3-asset model: daily vols 1-2%, correlations 0.3-0.6. */
const cov = matrix(Float64Array.of(0.0001, 0.00006, 0.00009, 0.00006, 0.0004, 0.00018, 0.00009, 0.00018, 0.000225), 3, 3);
const mean = Float64Array.of(0.0004, 0.0002, -0.0001);
const w = Float64Array.of(0.5, 0.3, 0.2);
/** The longest typed array the runtime makes: options.paths beyond it is bad input (checked before any backend runs). */
const MAX_LENGTH = constants.MAX_LENGTH;

describe('random numbers', () => {
  it('Philox4x32-10 matches Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    const kat: [number[], number[], number[]][] = [
      [
        [0, 0, 0, 0],
        [0, 0],
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
      ],
      [
        [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
        [0xffffffff, 0xffffffff],
        [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
      ],
      [
        [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
        [0xa4093822, 0x299f31d0],
        [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
      ],
    ];
    for (const [c, k, expected] of kat) {
      philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], out);
      expect([...out]).toEqual(expected);
    }
  });

  it('logPositive within 1 ulp of Math.log, sinCos2Pi within 1e-15 of Math.sin/cos', () => {
    let s = 11;
    const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 100_000; i++) {
      const x = u() * Math.pow(2, Math.floor(u() * 200) - 150);
      const exact = Math.log(x);
      const ulp = Math.pow(2, Math.floor(Math.log2(Math.abs(exact))) - 52);
      if (Math.abs(exact) > 1e-3) expect(Math.abs(logPositive(x) - exact)).toBeLessThanOrEqual(ulp);
      const v = u();
      const [sin, cos] = sinCos2Pi(v);
      expect(Math.abs(sin - Math.sin(2 * Math.PI * v))).toBeLessThan(1e-15);
      expect(Math.abs(cos - Math.cos(2 * Math.PI * v))).toBeLessThan(1e-15);
    }
  });

  it('normals have mean 0 and variance 1; chi-squares mean nu (within 5 standard errors)', () => {
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    let fourth = 0;
    for (let k = 0; k < n / 2; k++) {
      for (const z of normalPair(7, 0, k, 0, 0)) {
        sum += z;
        squares += z * z;
        fourth += z ** 4;
      }
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(squares / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(fourth / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    for (const nu of [2.5, 5, 30]) {
      let chi = 0;
      for (let k = 0; k < 20_000; k++) chi += chiSquare(3, 0, k, nu);
      expect(Math.abs(chi / 20_000 - nu)).toBeLessThan(5 * Math.sqrt((2 * nu) / 20_000));
    }
  });
});

describe('monteCarloVar closed forms', () => {
  const sigma = Math.sqrt(ref.portfolioVolatility(cov, w) ** 2);
  const mu = w[0] * mean[0] + w[1] * mean[1] + w[2] * mean[2];

  it('converges to the Gaussian VaR and ES: the error shrinks with paths and stays within 4 standard errors', () => {
    const c = 0.99;
    const z = ref.normalQuantile(1 - c);
    const gaussVar = -(mu + z * sigma);
    const gaussEs = -mu + (ref.normalPdf(z) * sigma) / (1 - c);
    const errors = [2_000, 200_000].map((paths) => {
      const r = ref.monteCarloVar({ mean, cov }, w, { paths, confidence: c, seed: 5 });
      // standard error of a sample quantile: sqrt(p (1 - p) / n) / phi(z) sigma
      const se = (Math.sqrt((c * (1 - c)) / paths) / ref.normalPdf(z)) * sigma;
      expect(Math.abs(r.var - gaussVar)).toBeLessThan(4 * se);
      expect(Math.abs(r.es - gaussEs)).toBeLessThan(6 * se);
      return Math.abs(r.var - gaussVar);
    });
    expect(errors[1]).toBeLessThan(errors[0]);
  });

  it('square-root-of-time: with zero mean, VaR over h periods is sqrt(h) times the one-period VaR', () => {
    const zero = new Float64Array(3);
    const one = ref.monteCarloVar({ mean: zero, cov }, w, { paths: 5_000 });
    const ten = ref.monteCarloVar({ mean: zero, cov }, w, { paths: 5_000, horizon: 10 });
    expect(Math.abs(ten.var - Math.sqrt(10) * one.var)).toBeLessThan(1e-14 * ten.var);
  });

  it('projecting the weights first gives the P&L of the full scenarios (the same VaR to 1e-12)', () => {
    const o = { paths: 3_000, seed: 9, confidence: 0.975, horizon: 5, distribution: { studentT: 4 } } as const;
    const scenarios = ref.monteCarloScenarios({ mean, cov }, o);
    expect([scenarios.rows, scenarios.cols]).toEqual([3_000, 3]);
    const weights = matrix(Float64Array.of(0.5, 0.3, 0.2, 1, -1, 0.5), 2, 3);
    const direct = ref.valueAtRisk(ref.portfolioReturns(scenarios, weights), { method: 'historical', confidence: 0.975 });
    const mc = ref.monteCarloVar({ mean, cov }, weights, o);
    for (let p = 0; p < 2; p++) {
      expect(Math.abs(mc.var[p] - direct.var[p])).toBeLessThan(1e-12 * Math.abs(direct.var[p]));
      expect(Math.abs(mc.es[p] - direct.es[p])).toBeLessThan(1e-12 * Math.abs(direct.es[p]));
    }
  });

  it('Student-t scenarios keep the covariance and have fatter tails than the normal', () => {
    const o = { paths: 100_000, seed: 1, distribution: { studentT: 5 } } as const;
    const s = ref.monteCarloScenarios({ mean, cov }, o);
    const sample = ref.covariance(s).data;
    for (let k = 0; k < 9; k++)
      expect(Math.abs(sample[k] - cov.data[k])).toBeLessThan(0.05 * Math.sqrt(cov.data[4 * Math.floor(k / 3)] * cov.data[4 * (k % 3)]));
    const t = ref.monteCarloVar({ mean, cov }, w, { ...o, confidence: 0.999 });
    const normal = ref.monteCarloVar({ mean, cov }, w, { paths: 100_000, seed: 1, confidence: 0.999 });
    expect(t.var).toBeGreaterThan(normal.var);
    expect(t.es / t.var).toBeGreaterThan(normal.es / normal.var);
  });

  it('scenarios do not depend on how many paths are drawn: the first rows repeat', () => {
    const a = ref.monteCarloScenarios({ mean, cov }, { paths: 5, seed: 2 ** 40 + 3 });
    const b = ref.monteCarloScenarios({ mean, cov }, { paths: 17, seed: 2 ** 40 + 3 });
    expect([...b.data.subarray(0, 15)]).toEqual([...a.data]);
    const other = ref.monteCarloScenarios({ mean, cov }, { paths: 5, seed: 2 ** 40 + 4 });
    expect([...other.data]).not.toEqual([...a.data]);
  });
});

describe('monteCarloVar bad input: KernelInputError naming the argument', () => {
  const model = { mean, cov };
  const cases: [string, () => unknown, string][] = [
    [
      'a covariance that is not positive definite',
      () => ref.monteCarloVar({ mean: Float64Array.of(0, 0), cov: matrix(Float64Array.of(1, 2, 2, 1), 2, 2) }, Float64Array.of(1, 1)),
      'cov: expected a positive definite matrix, got Cholesky pivot 1 = -3',
    ],
    [
      'a singular covariance',
      () => ref.monteCarloVar({ mean: Float64Array.of(0, 0), cov: matrix(Float64Array.of(1, 1, 1, 1), 2, 2) }, Float64Array.of(1, 1)),
      'got Cholesky pivot 1 = 0',
    ],
    [
      'an asymmetric covariance',
      () => ref.monteCarloVar({ mean: Float64Array.of(0, 0), cov: matrix(Float64Array.of(1, 0.5, 0.4, 1), 2, 2) }, Float64Array.of(1, 1)),
      'cov: expected a symmetric matrix',
    ],
    [
      'a non-square covariance',
      () => ref.monteCarloVar({ mean, cov: matrix(new Float64Array(6), 2, 3) }, w),
      'cov: expected a square matrix, got 2 x 3',
    ],
    [
      'a mean of the wrong length',
      () => ref.monteCarloVar({ mean: Float64Array.of(0), cov }, w),
      'mean: expected length 3 (the size of cov), got length 1',
    ],
    [
      'a NaN mean',
      () => ref.monteCarloVar({ mean: Float64Array.of(0, NaN, 0), cov }, w),
      'mean: expected finite values, got mean[1] = NaN',
    ],
    ['no model', () => ref.monteCarloVar(null as never, w), 'model: expected { mean, cov }'],
    ['weights of the wrong length', () => ref.monteCarloVar(model, Float64Array.of(1, 1)), 'weights: expected 3 (the size of cov), got 2'],
    [
      'an infinite weight',
      () => ref.monteCarloVar(model, Float64Array.of(1, Infinity, 0)),
      'weights: expected finite weights, got weights[0][1] = Infinity',
    ],
    ['paths 0', () => ref.monteCarloVar(model, w, { paths: 0 }), 'options.paths: expected an integer >= 1, got 0'],
    ['fractional paths', () => ref.monteCarloVar(model, w, { paths: 10.5 }), 'options.paths: expected an integer >= 1'],
    [
      'more paths than an array holds (losses)',
      () => ref.monteCarloVar(model, w, { paths: 2 ** 53 - 1 }),
      `options.paths: expected at most ${MAX_LENGTH} with 1 portfolio`,
    ],
    [
      'more scenarios than an array holds',
      () => ref.monteCarloScenarios(model, { paths: 2 ** 31 }),
      `options.paths: expected at most ${Math.floor(MAX_LENGTH / 3)} with 3 assets`,
    ],
    [
      'more paths than an array holds, on the default backend',
      () => kernels().monteCarloVar(model, w, { paths: 2 ** 40 }),
      `options.paths: expected at most ${MAX_LENGTH} with 1 portfolio`,
    ],
    ['confidence 1', () => ref.monteCarloVar(model, w, { confidence: 1 }), 'options.confidence: expected a number in (0, 1), got 1'],
    ['horizon 0', () => ref.monteCarloVar(model, w, { horizon: 0 }), 'options.horizon: expected a finite number > 0, got 0'],
    ['a negative seed', () => ref.monteCarloVar(model, w, { seed: -1 }), 'options.seed: expected an integer in [0, 2^53), got -1'],
    [
      'Student t with nu = 2',
      () => ref.monteCarloVar(model, w, { distribution: { studentT: 2 } }),
      "options.distribution: expected 'normal' or { studentT: nu } with a finite nu > 2",
    ],
    ['an unknown distribution', () => ref.monteCarloScenarios(model, { distribution: 'cauchy' as never }), 'options.distribution'],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(KernelInputError);
    expect(call).toThrow(message);
  });
});
