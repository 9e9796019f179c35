/**
 * componentVar's reference against PerformanceAnalytics' component method (R/PortfolioRisk.R:
 * VaR.Gaussian.portfolio, ES.Gaussian.portfolio, VaR.CornishFisher.portfolio,
 * operES.CornishFisher.portfolio with mu = colMeans, sigma = cov, M3.MM and M4.MM): the expected values
 * were computed once with numpy 2.4 by a literal transcription of those functions that forms the full
 * p x p^2 and p x p^3 co-moment matrices (Kronecker products), so they also check our O(T N) gradients.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError, kernels, type Matrix, matrix } from '../../src/index.js';

const ref = kernels({ backend: 'reference' });

const R = matrix(
  Float64Array.of(
    0.012,
    -0.004,
    0.02,
    -0.031,
    0.006,
    -0.012,
    0.004,
    0.011,
    0.003,
    0.018,
    -0.022,
    0.009,
    -0.007,
    0.015,
    -0.027,
    0.025,
    0.003,
    0.014,
    -0.045,
    -0.019,
    -0.038,
    0.009,
    0.008,
    0.001,
    0.002,
    -0.013,
    0.017,
    0.015,
    0.021,
    0.006,
    -0.011,
    0.002,
    -0.004,
    0.006,
    -0.007,
    0.022,
  ),
  12,
  3,
);
const W = matrix(Float64Array.of(0.5, 0.3, 0.2, 1, -0.6, 0.4), 2, 3);

/** [method, confidence, portfolio, VaR, VaR contributions, ES, ES contributions] from PerformanceAnalytics' formulas. */
const PA: [string, number, number, number, number[], number, number[]][] = [
  [
    'gaussian',
    0.95,
    0,
    0.023642694348039544,
    [0.016376476653552265, 0.0025258600971223874, 0.0047403575973648925],
    0.02967006257238478,
    [0.02050500736656379, 0.0031738814726607993, 0.0059911737331602],
  ],
  [
    'gaussian',
    0.95,
    1,
    0.044478167936090204,
    [0.03132111430673545, 0.0024825934956950835, 0.010674460133659672],
    0.05579435302400354,
    [0.03921443086113051, 0.003100570383170966, 0.013479351779702076],
  ],
  [
    'gaussian',
    0.99,
    0,
    0.0334728403903389,
    [0.023109773564980004, 0.0035827301145114933, 0.006780336710847393],
    0.03836078432710009,
    [0.026457839572443693, 0.0041082483897449135, 0.007794696364911487],
  ],
  [
    'gaussian',
    0.99,
    1,
    0.06293394298009165,
    [0.04419446990734362, 0.0034904634031808555, 0.015249009669567187],
    0.07211089654073831,
    [0.050595620020780295, 0.003991616853204964, 0.017523659666753063],
  ],
  [
    'cornish-fisher',
    0.95,
    0,
    0.02787067139466031,
    [0.019021042901872825, 0.0030049572558300767, 0.005844671236957415],
    0.03240013739397325,
    [0.020284469575559863, 0.005991084661980419, 0.006124583156433002],
  ],
  [
    'cornish-fisher',
    0.95,
    1,
    0.04866680881799877,
    [0.036755754913193446, -0.0006267750879902346, 0.012537828992795555],
    0.051823635433541945,
    [0.040011133888697335, -0.0003858192400429408, 0.012198320784887544],
  ],
  [
    'cornish-fisher',
    0.99,
    0,
    0.04039803410188926,
    [0.025893947985732437, 0.006321371498828006, 0.00818271461732884],
    0.07204784678658392,
    [0.039388117705551166, 0.014173115722897527, 0.01848661335813528],
  ],
  [
    'cornish-fisher',
    0.99,
    1,
    0.06210657188462762,
    [0.05145421107462202, -0.00553804781016119, 0.016190408620166775],
    0.072485725643176,
    [0.0552290199449938, -0.0019525384342629652, 0.01920924413244517],
  ],
];

function expectRel(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

/** Row sums of the contributions against the totals, relative to the sum of their magnitudes. */
function expectEuler(result: ReturnType<typeof ref.componentVar>, tol = 1e-12): void {
  // one portfolio (numbers and vectors) as the batch of one it is
  const one = typeof result.var === 'number';
  const asMatrix = (c: Float64Array | Matrix) => (c instanceof Float64Array ? { data: c, rows: 1, cols: c.length } : c);
  const r = {
    var: one ? [result.var as number] : (result.var as Float64Array),
    es: one ? [result.es as number] : (result.es as Float64Array),
    varContributions: asMatrix(result.varContributions),
    esContributions: asMatrix(result.esContributions),
  };
  const { rows, cols } = r.varContributions;
  for (let p = 0; p < rows; p++) {
    for (const [total, c] of [
      [r.var[p], r.varContributions.data],
      [r.es[p], r.esContributions.data],
    ] as const) {
      let sum = 0;
      let size = 0;
      for (let i = 0; i < cols; i++) {
        sum += c[p * cols + i];
        size += Math.abs(c[p * cols + i]);
      }
      expect(Math.abs(sum - total)).toBeLessThanOrEqual(tol * Math.max(size, Math.abs(total)));
    }
  }
}

/** A seeded T x N matrix of skewed returns (occasional crashes). */
function skewed(T: number, N: number, seed: number) {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return matrix(
    Float64Array.from({ length: T * N }, () => (u() - 0.5) * 0.04 - (u() < 0.05 ? 0.08 * u() : 0)),
    T,
    N,
  );
}

describe('componentVar against PerformanceAnalytics', () => {
  it.each(PA)('%s at %f, portfolio %i', (method, confidence, p, v, vc, e, ec) => {
    const r = ref.componentVar(R, W, { method: method as 'gaussian' | 'cornish-fisher', confidence });
    expectRel(r.var[p], v, 1e-12);
    expectRel(r.es[p], e, 1e-12);
    for (let i = 0; i < 3; i++) {
      expectRel(r.varContributions.data[p * 3 + i], vc[i], 1e-11);
      expectRel(r.esContributions.data[p * 3 + i], ec[i], 1e-11);
    }
  });

  it('shapes: P values and P x N contributions; a vector of weights is one portfolio', () => {
    const r = ref.componentVar(R, W, { method: 'gaussian' });
    expect([r.var.length, r.es.length, r.varContributions.rows, r.varContributions.cols, r.esContributions.rows]).toEqual([2, 2, 2, 3, 2]);
    const one = ref.componentVar(R, Float64Array.of(0.5, 0.3, 0.2), { method: 'gaussian' });
    expect(one.var).toBe(r.var[0]);
    expect([...one.varContributions]).toEqual([...r.varContributions.data.subarray(0, 3)]);
  });
});

describe('componentVar closed forms', () => {
  it('contributions sum to the total (1e-12), both methods, both ES branches', () => {
    for (const seed of [1, 7, 99]) {
      const X = skewed(500, 8, seed);
      const w = skewed(5, 8, seed + 1);
      for (const method of ['gaussian', 'cornish-fisher'] as const) {
        for (const confidence of [0.9, 0.95, 0.99]) expectEuler(ref.componentVar(X, w, { method, confidence }));
      }
    }
    // operES's floor (ES = VaR): a positively skewed series at 90%
    const x = Float64Array.from({ length: 40 }, (_, i) => (i % 10 === 0 ? 0.2 : -0.01 + 0.001 * (i % 7)));
    const floored = ref.componentVar(matrix(Float64Array.from([...x].flatMap((v) => [v, v / 2])), 40, 2), Float64Array.of(0.7, 0.6), {
      method: 'cornish-fisher',
      confidence: 0.9,
    });
    expect(floored.es).toBe(floored.var);
    expect([...floored.esContributions]).toEqual([...floored.varContributions]);
    expectEuler(floored);
  });

  it('Gaussian totals equal the Gaussian VaR and ES (ddof 1) of the portfolio returns', () => {
    const X = skewed(300, 6, 3);
    const w = skewed(3, 6, 4);
    const c = ref.componentVar(X, w, { method: 'gaussian', confidence: 0.975 });
    const direct = ref.valueAtRisk(ref.portfolioReturns(X, w), { method: 'gaussian', confidence: 0.975, ddof: 1 });
    for (let p = 0; p < 3; p++) {
      expectRel(c.var[p], direct.var[p], 1e-12);
      expectRel(c.es[p], direct.es[p], 1e-12);
    }
  });

  it('one asset: its contribution is the total', () => {
    const x = skewed(100, 1, 5);
    const r = ref.componentVar(x, Float64Array.of(2), { method: 'cornish-fisher' });
    expectRel(r.varContributions[0], r.var, 1e-14);
    expectRel(r.esContributions[0], r.es, 1e-14);
  });

  it('a portfolio of zero variance: VaR = ES = -w mu, contributions -w_i mu_i', () => {
    const X = matrix(Float64Array.of(0.01, 0.02, 0.01, 0.02, 0.01, 0.02), 3, 2);
    const r = ref.componentVar(X, Float64Array.of(0.5, 0.25), { method: 'cornish-fisher' });
    expect(r.var).toBe(-0.01);
    expect(r.es).toBe(-0.01);
    expect([...r.varContributions]).toEqual([-0.005, -0.005]);
    const zero = ref.componentVar(R, Float64Array.of(0, 0, 0), { method: 'gaussian' });
    expect([zero.var, zero.es, ...zero.varContributions].every((v) => v === 0)).toBe(true);
  });

  it('complete rows only: a row with a NaN is left out; fewer than 2 rows give NaN', () => {
    const withNaN = matrix(Float64Array.from([...R.data.subarray(0, 6), NaN, 0.01, 0.02, ...R.data.subarray(6)]), 13, 3);
    const a = ref.componentVar(withNaN, W, { method: 'cornish-fisher' });
    const b = ref.componentVar(R, W, { method: 'cornish-fisher' });
    expect([...a.var, ...a.es, ...a.varContributions.data]).toEqual([...b.var, ...b.es, ...b.varContributions.data]);
    const short = ref.componentVar(matrix(Float64Array.of(0.01, 0.02, NaN, 0.01), 2, 2), Float64Array.of(1, 1), { method: 'gaussian' });
    expect([short.var, short.es, ...short.varContributions].every(Number.isNaN)).toBe(true);
  });
});

describe('componentVar bad input: KernelInputError naming the argument', () => {
  const cases: [string, () => unknown, string][] = [
    ['options not an object', () => ref.componentVar(R, W, 'gaussian' as never), 'options: expected an object'],
    [
      'an unknown method',
      () => ref.componentVar(R, W, { method: 'historical' as never }),
      `options.method: expected 'gaussian' or 'cornish-fisher', got "historical"`,
    ],
    [
      'confidence 1',
      () => ref.componentVar(R, W, { method: 'gaussian', confidence: 1 }),
      'options.confidence: expected a number in (0, 1), got 1',
    ],
    [
      'weights of the wrong length',
      () => ref.componentVar(R, Float64Array.of(1, 2), { method: 'gaussian' }),
      'weights: expected 3 (the columns of returns), got 2',
    ],
    [
      'a P x N weights matrix of the wrong width',
      () => ref.componentVar(R, matrix(new Float64Array(4), 2, 2), { method: 'gaussian' }),
      'weights.cols: expected 3',
    ],
    [
      'a NaN weight',
      () => ref.componentVar(R, Float64Array.of(1, NaN, 0), { method: 'gaussian' }),
      'weights: expected finite weights, got weights[0][1] = NaN',
    ],
    [
      'an infinite return',
      () => ref.componentVar(matrix(Float64Array.of(0.1, -Infinity), 1, 2), Float64Array.of(1, 1), { method: 'gaussian' }),
      'got returns[0][1] = -Infinity',
    ],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(KernelInputError);
    expect(call).toThrow(message);
  });
});
