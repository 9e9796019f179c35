/**
 * The allocation kernels (riskParity, hrp, nearestPsd, expectedReturns) against closed forms, scipy's
 * published linkages and PyPortfolioOpt's published test values (each cited where it is used), on the
 * reference backend; test/portfolio/allocation.parity.test.ts holds the other backends to it.
 */
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/index.js';
import { weightsByName } from '../../src/api/index.js';
import { linkage } from '../../src/backends/reference/portfolio/portfolio-linkage.js';
import { stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { symmetricEigen } from '../../src/math/eigen.js';
import { ref } from '../helpers/backends.js';
import { hrpWeights, spyOnStockDates, stockReturns, stocks } from './pypfopt-data.js';

const f64 = (...xs: number[]) => Float64Array.from(xs);

/** A seeded LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** T x n returns with a common factor, and their covariance (1/T, positive definite for T > n). */
function factorReturns(n: number, T: number, seed: number): { returns: Matrix; cov: Matrix } {
  const r = lcg(seed);
  const x = new Float64Array(T * n);
  for (let t = 0; t < T; t++) {
    const m = r() - 0.5;
    for (let i = 0; i < n; i++) x[t * n + i] = 0.01 * (m * (i % 4) + (r() - 0.5) * (1 + (i % 3)));
  }
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += x[t * n + i] * x[t * n + j];
      c[i * n + j] = c[j * n + i] = s / T;
    }
  }
  return { returns: matrix(x, T, n), cov: matrix(c, n, n) };
}

/** w_i (S w)_i / w'Sw. */
function contributions(cov: Matrix, w: Float64Array): Float64Array {
  const n = w.length;
  const Sw = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Sw[i] += cov.data[i * n + j] * w[j];
  const v = w.reduce((s, wi, i) => s + wi * Sw[i], 0);
  return w.map((wi, i) => (wi * Sw[i]) / v);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('riskParity', () => {
  it('a diagonal covariance with equal budgets: inverse volatility', () => {
    const { weights, riskContributions, volatility } = ref.riskParity(matrix(f64(0.04, 0, 0, 0, 0.01, 0, 0, 0, 0.0025), 3, 3));
    // one problem: Vectors of N and numbers, as minVariance; 1 / sigma = 5, 10, 20 over their sum 35
    expect([weights.length, riskContributions.length, typeof volatility]).toEqual([3, 3, 'number']);
    expect(maxAbsDiff(weights, [5 / 35, 10 / 35, 20 / 35])).toBeLessThan(1e-15);
    expect(maxAbsDiff(riskContributions, [1 / 3, 1 / 3, 1 / 3])).toBeLessThan(1e-15);
    // w'Sw = 3 (1/35)^2: each asset contributes (w_i sigma_i)^2 = (1/35)^2
    expect(Math.abs(volatility - Math.sqrt(3) / 35)).toBeLessThan(1e-16);
  });

  it('two assets with equal budgets: w1 sigma1 = w2 sigma2 whatever the correlation', () => {
    for (const rho of [-0.9, -0.3, 0, 0.5, 0.95]) {
      const s1 = 0.2;
      const s2 = 0.35;
      const { weights } = ref.riskParity(matrix(f64(s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2), 2, 2));
      expect(maxAbsDiff(weights, [s2 / (s1 + s2), s1 / (s1 + s2)])).toBeLessThan(1e-14);
    }
  });

  it('random factor covariances, equal and given budgets: the contributions are the budgets to 1e-12', () => {
    for (const [n, seed] of [
      [2, 1],
      [7, 2],
      [40, 3],
      [150, 4],
    ]) {
      const { cov } = factorReturns(n, 3 * n + 20, seed);
      const equal = ref.riskParity(cov);
      const w = equal.weights;
      expect(w.every((x) => x > 0)).toBe(true);
      expect(Math.abs(w.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-14);
      expect(maxAbsDiff(contributions(cov, w), new Float64Array(n).fill(1 / n))).toBeLessThan(1e-12);
      expect(maxAbsDiff(equal.riskContributions, new Float64Array(n).fill(1 / n))).toBeLessThan(1e-12);
      const budgets = Float64Array.from({ length: n }, (_, i) => 1 + (i % 5)); // scaled to sum 1
      const total = budgets.reduce((s, b) => s + b, 0);
      const given = ref.riskParity(cov, { budgets });
      expect(
        maxAbsDiff(
          contributions(cov, given.weights),
          budgets.map((b) => b / total),
        ),
      ).toBeLessThan(1e-12);
    }
  });

  it('batched: a stack of P covariances and/or P budget rows gives row p = the problem solved alone', () => {
    const n = 12;
    const covs = [1, 2, 3].map((seed) => factorReturns(n, 60, seed).cov);
    const stack = stackCovariances(covs);
    const budgets = matrix(
      Float64Array.from({ length: 3 * n }, (_, k) => 1 + ((k * 7) % 5)),
      3,
      n,
    );
    const row = (m: Matrix, p: number) => m.data.subarray(p * n, (p + 1) * n);
    const cases = [
      { batch: ref.riskParity(stack), alone: (p: number) => ref.riskParity(covs[p]) },
      { batch: ref.riskParity(covs[1], { budgets }), alone: (p: number) => ref.riskParity(covs[1], { budgets: row(budgets, p) }) },
      { batch: ref.riskParity(stack, { budgets }), alone: (p: number) => ref.riskParity(covs[p], { budgets: row(budgets, p) }) },
    ];
    for (const { batch, alone } of cases) {
      expect([
        batch.weights.rows,
        batch.weights.cols,
        batch.riskContributions.rows,
        batch.volatility.length,
        batch.iterations.length,
      ]).toEqual([3, n, 3, 3, 3]);
      for (let p = 0; p < 3; p++) {
        const one = alone(p);
        expect(Array.from(row(batch.weights, p))).toEqual(Array.from(one.weights));
        expect(Array.from(row(batch.riskContributions, p))).toEqual(Array.from(one.riskContributions));
        expect([batch.volatility[p], batch.iterations[p]]).toEqual([one.volatility, one.iterations]);
        expect(one.iterations).toBeGreaterThan(0);
      }
    }
    // the problems differ: the batch did not reuse one answer
    expect(maxAbsDiff(row(cases[0].batch.weights, 0), row(cases[0].batch.weights, 1))).toBeGreaterThan(1e-3);
  });

  it('batched: a fault names the failing problem', () => {
    const good = f64(0.04, 0.01, 0.01, 0.09);
    const stack = (...ms: Float64Array[]) => matrix(Float64Array.from(ms.flatMap((m) => Array.from(m))), 2 * ms.length, 2);
    expect(() => ref.riskParity(stack(good, good, f64(0.04, 0, 0, 0)))).toThrow(
      'cov: expected variances > 0 on the diagonal, got cov[2][1][1] = 0',
    );
    expect(() => ref.riskParity(stack(good, f64(1, -1, -1, 1)))).toThrow(
      'cov: expected a covariance for which risk parity converges (positive definite), got max |y_i (S y)_i - b_i| = 0.5 after 100 Newton steps (problem 1)',
    );
  });

  it('a singular covariance whose null vector is positive has no risk-parity portfolio: NOT_CONVERGED', () => {
    // y = t (1, 1) drives 1/2 y'Sy - sum b log y to -Infinity
    expect(() => ref.riskParity(matrix(f64(1, -1, -1, 1), 2, 2))).toThrow(/cov: expected a covariance for which risk parity converges/);
  });
});

describe('hrp', () => {
  it("PyPortfolioOpt's test_hrp_portfolio and test_quasi_dag: its stock data, single linkage", () => {
    const h = ref.hrp(stockReturns, { linkage: 'single' });
    const [weights, order, Z] = [h.weights, h.order, h.linkage];
    expect([weights.length, order.length]).toEqual([20, 20]);
    // tests/test_hrp.py: HRPOpt._get_quasi_diag(clusters)[:5] == [12, 6, 15, 14, 2]; the order's index: their tickers
    expect(Array.from(order.subarray(0, 5))).toEqual([12, 6, 15, 14, 2]);
    expect(order.index?.slice(0, 5)).toEqual([12, 6, 15, 14, 2].map((i) => stocks.columns[i]));
    // tests/resources/weights_hrp.csv by ticker (their test allows rtol 1e-2; we agree to rounding): the
    // weights carry the returns' columns
    const byTicker = weightsByName(h);
    expect(Object.keys(byTicker)).toEqual(stocks.columns);
    for (const [ticker, w] of hrpWeights) expect(Math.abs(byTicker[ticker] - w)).toBeLessThan(1e-13);
    expect(Z.rows).toBe(19);
    expect(Z.data[19 * 4 - 1]).toBe(20); // the root holds every asset
    // test_portfolio_performance: expected return 0.21353402380950973 = w . (returns.mean() x 252)
    const mu = ref.expectedReturns(stockReturns, { returnsData: true, compounding: false });
    expect(weights.reduce((s, w, i) => s + w * mu[i], 0)).toBeCloseTo(0.21353402380950973, 14);
  });

  it('a block-diagonal correlation: the blocks are the halves, each weighted by its inverse-variance variance', () => {
    // blocks {0, 2} (variances 1, correlation 0.5) and {1, 3} (variances 4, correlation 0.5), uncorrelated
    const cov = matrix(f64(1, 0, 0.5, 0, 0, 4, 0, 2, 0.5, 0, 1, 0, 0, 2, 0, 4), 4, 4);
    for (const method of ['single', 'complete', 'average', 'weighted', 'ward'] as const) {
      const h = ref.hrp({ cov }, { linkage: method });
      const [weights, order] = [h.weights, h.order];
      expect(new Set([order[0], order[1]])).toEqual(Math.min(order[0], order[1]) === 0 ? new Set([0, 2]) : new Set([1, 3]));
      // cluster variances 0.75 and 3: alpha = 1 - 0.75 / 3.75 = 0.8, then halves of 1-asset clusters
      expect(maxAbsDiff(weights, [0.4, 0.1, 0.4, 0.1])).toBeLessThan(1e-15);
    }
  });

  it('{ cov, corr }: the given correlation clusters, the covariance weighs', () => {
    const cov = matrix(f64(1, 0, 0, 0, 1, 0, 0, 0, 2), 3, 3);
    const corr = matrix(f64(1, 0.9, 0, 0.9, 1, 0, 0, 0, 1), 3, 3);
    const h = ref.hrp({ cov, corr });
    const [weights, order] = [h.weights, h.order];
    expect(Array.from(order)).toEqual([2, 0, 1]);
    // [2] (variance 2) against [0, 1] (0.5): alpha = 1 - 2 / 2.5 = 0.2
    expect(maxAbsDiff(weights, [0.4, 0.4, 0.2])).toBeLessThan(1e-15);
  });

  it('batched: a stack of P covariances (and correlations) gives row p = the problem solved alone, bit for bit', () => {
    const n = 12;
    const covs = [1, 2, 3].map((seed) => factorReturns(n, 60, seed).cov);
    const stack = stackCovariances(covs);
    const part = (m: Matrix, p: number, size: number) => Array.from(m.data.subarray(p * size, (p + 1) * size));
    for (const linkage of ['single', 'ward'] as const) {
      const cases = [
        { batch: ref.hrp({ cov: stack }, { linkage }), alone: (p: number) => ref.hrp({ cov: covs[p] }, { linkage }) },
        // each problem's cov as its own corr: the given-correlation path, per problem
        {
          batch: ref.hrp({ cov: stack, corr: stack }, { linkage }),
          alone: (p: number) => ref.hrp({ cov: covs[p], corr: covs[p] }, { linkage }),
        },
      ];
      for (const { batch, alone } of cases) {
        expect([batch.weights.rows, batch.weights.cols, batch.order.rows, batch.order.cols, batch.linkage.rows]).toEqual([
          3,
          n,
          3,
          n,
          3 * (n - 1),
        ]);
        for (let p = 0; p < 3; p++) {
          const one = alone(p);
          expect(part(batch.weights, p, n)).toEqual(Array.from(one.weights));
          expect(part(batch.order, p, n)).toEqual(Array.from(one.order));
          expect(part(batch.linkage, p, (n - 1) * 4)).toEqual(Array.from(one.linkage.data));
          expect(one.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 14);
        }
        // the problems differ: the batch did not reuse one answer
        expect(maxAbsDiff(part(batch.weights, 0, n), part(batch.weights, 1, n))).toBeGreaterThan(1e-3);
      }
    }
  });

  it('batched: a fault names the failing problem', () => {
    const good = f64(0.04, 0.01, 0.01, 0.09);
    const stack = (...ms: Float64Array[]) => matrix(Float64Array.from(ms.flatMap((m) => Array.from(m))), 2 * ms.length, 2);
    expect(() => ref.hrp({ cov: stack(good, good, f64(0.04, 0, 0, 0)) })).toThrow(
      'cov: expected variances > 0 on the diagonal, got cov[2][1][1] = 0',
    );
    expect(() => ref.hrp({ cov: stack(good, good), corr: stack(f64(1, 0, 0, 1), f64(1, NaN, NaN, 1)) })).toThrow(
      'corr: expected a correlation for every pair of assets (from returns: two or more common dates, no constant asset), got corr[1][0][1] = NaN',
    );
  });

  it('one asset: all of the weight', () => {
    const { weights, order, linkage: Z } = ref.hrp(matrix(f64(0.01, -0.02, 0.03), 3, 1));
    expect(Array.from(weights)).toEqual([1]);
    expect(Array.from(order)).toEqual([0]);
    expect(Z.rows).toBe(0);
  });
});

describe("scipy's linkage (scipy/cluster/hierarchy/tests/hierarchy_test_data.py)", () => {
  const ytdist = f64(662, 877, 255, 412, 996, 295, 468, 268, 400, 754, 564, 138, 219, 869, 669);
  const cases: [number, string, number[][]][] = [
    [
      0,
      'single',
      [
        [2, 5, 138, 2],
        [3, 4, 219, 2],
        [0, 7, 255, 3],
        [1, 8, 268, 4],
        [6, 9, 295, 6],
      ],
    ],
    [
      1,
      'complete',
      [
        [2, 5, 138, 2],
        [3, 4, 219, 2],
        [1, 6, 400, 3],
        [0, 7, 412, 3],
        [8, 9, 996, 6],
      ],
    ],
    [
      2,
      'average',
      [
        [2, 5, 138, 2],
        [3, 4, 219, 2],
        [0, 7, 333.5, 3],
        [1, 6, 347.5, 3],
        [8, 9, 680.77777778, 6],
      ],
    ],
    [
      3,
      'weighted',
      [
        [2, 5, 138, 2],
        [3, 4, 219, 2],
        [0, 7, 333.5, 3],
        [1, 6, 347.5, 3],
        [8, 9, 670.125, 6],
      ],
    ],
  ];
  for (const [method, name, expected] of cases) {
    it(`linkage_ytdist_${name}`, () => {
      const Z = new Float64Array(20);
      linkage(ytdist, 6, method, Z);
      expect(maxAbsDiff(Z, expected.flat())).toBeLessThan(1e-8);
    });
  }

  it('linkage_X_ward (the euclidean distances of X)', () => {
    const X = [
      [1.43054825, -7.5693489],
      [6.95887839, 6.82293382],
      [2.87137846, -9.68248579],
      [7.87974764, -6.05485803],
      [8.24018364, -6.09495602],
      [7.39020262, 8.54004355],
    ];
    const d: number[] = [];
    for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) d.push(Math.hypot(X[i][0] - X[j][0], X[i][1] - X[j][1]));
    const Z = new Float64Array(20);
    linkage(Float64Array.from(d), 6, 4, Z);
    const expected = [
      [3, 4, 0.36265956, 2],
      [1, 5, 1.77045373, 2],
      [0, 2, 2.55760419, 2],
      [6, 8, 9.10208346, 4],
      [7, 9, 24.7784379, 6],
    ];
    expect(maxAbsDiff(Z, expected.flat())).toBeLessThan(1e-7);
  });

  it('test_linkage_ties: X = (-1, -1), (0, 0), (1, 1), ties broken as scipy', () => {
    const d = f64(Math.SQRT2, 2 * Math.SQRT2, Math.SQRT2);
    const expected: Record<number, number> = { 0: Math.SQRT2, 1: 2 * Math.SQRT2, 2: 2.12132034, 3: 2.12132034, 4: 2.44948974 };
    for (let method = 0; method < 5; method++) {
      const Z = new Float64Array(8);
      linkage(d, 3, method, Z);
      expect(maxAbsDiff(Z, [0, 1, Math.SQRT2, 2, 2, 3, expected[method], 3])).toBeLessThan(1e-8);
    }
  });
});

describe('nearestPsd', () => {
  // PyPortfolioOpt tests/test_risk_models.py test_sample_cov_npd: this matrix is not PSD; both fixes make it so
  const S = matrix(f64(0.03818144, 0.04182824, 0.04182824, 0.04149209), 2, 2);
  const lambda = (0.03818144 + 0.04149209) / 2 - Math.hypot((0.03818144 - 0.04149209) / 2, 0.04182824);

  it("'spectral': the negative eigenvalue clipped to 0, a rank-one matrix", () => {
    const cov = ref.nearestPsd(S);
    expect(cov.repaired).toBe(true);
    const [a, b, , d] = cov.data;
    expect(Math.abs(a * d - b * b)).toBeLessThan(1e-17); // determinant 0
    expect(a + d).toBeCloseTo(0.03818144 + 0.04149209 - lambda, 15); // the trace less the clipped eigenvalue
    expect(cov.data[1]).toBe(cov.data[2]);
  });

  it("'diag': -1.1 x the smallest eigenvalue on the diagonal", () => {
    const cov = ref.nearestPsd(S, { method: 'diag' });
    expect(cov.repaired).toBe(true);
    expect(cov.data[0]).toBeCloseTo(0.03818144 - 1.1 * lambda, 15);
    expect(cov.data[3]).toBeCloseTo(0.04149209 - 1.1 * lambda, 15);
    expect(cov.data[1]).toBe(0.04182824);
  });

  it('a positive semidefinite matrix is returned as it is (test_is_positive_semidefinite: zeros pass)', () => {
    const zeros = matrix(new Float64Array(100 * 100), 100, 100);
    const cov = ref.nearestPsd(zeros);
    expect(cov.repaired).toBe(false);
    expect(cov.data.every((x) => x === 0)).toBe(true);
    const { cov: c } = factorReturns(30, 100, 9);
    const same = ref.nearestPsd(c);
    expect(same.repaired).toBe(false);
    expect(Array.from(same.data)).toEqual(Array.from(c.data));
  });

  it('a large indefinite matrix: the spectral fix is the nearest PSD matrix in the Frobenius norm (Higham 1988)', () => {
    const n = 60;
    const { cov: c } = factorReturns(n, 200, 5);
    const bad = Float64Array.from(c.data);
    for (let i = 0; i < n; i++) bad[i * n + i] *= 0.2;
    const q = new Float64Array(n);
    const V = new Float64Array(n * n);
    expect(symmetricEigen(bad, n, q, V)).toBe(true);
    expect(q[0]).toBeLessThan(0);
    const cov = ref.nearestPsd(matrix(bad, n, n));
    expect(cov.repaired).toBe(true);
    // ||F - S||_F^2 = the sum of the squared negative eigenvalues
    const distance = Math.sqrt(cov.data.reduce((s, f, k) => s + (f - bad[k]) ** 2, 0));
    const negative = Math.sqrt(q.reduce((s, x) => s + (x < 0 ? x * x : 0), 0));
    expect(Math.abs(distance - negative) / negative).toBeLessThan(1e-10);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(cov.data[i * n + j]).toBe(cov.data[j * n + i]); // exactly symmetric
    expect(ref.minVariance(cov).weights.length).toBe(n); // so the optimizers take it
    const fixedQ = new Float64Array(n);
    symmetricEigen(cov.data, n, fixedQ, V);
    expect(fixedQ[0]).toBeGreaterThan(-1e-15 * fixedQ[n - 1]);
  });
});

describe('symmetricEigen (tred2 + tql2)', () => {
  it('A V = V diag(q), V orthonormal, q ascending, on a random symmetric matrix', () => {
    const n = 40;
    const r = lcg(3);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = r() - 0.5;
    const q = new Float64Array(n);
    const V = new Float64Array(n * n);
    expect(symmetricEigen(A, n, q, V)).toBe(true);
    let residual = 0;
    let orthogonality = 0;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j] * V[j * n + k];
        residual = Math.max(residual, Math.abs(s - q[k] * V[i * n + k]));
      }
      for (let l = 0; l < n; l++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += V[i * n + k] * V[i * n + l];
        orthogonality = Math.max(orthogonality, Math.abs(s - (k === l ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
    for (let k = 1; k < n; k++) expect(q[k]).toBeGreaterThanOrEqual(q[k - 1]);
  });
});

describe('expectedReturns', () => {
  // PyPortfolioOpt tests/test_expected_returns.py test_mean_historical_returns_dummy (rtol 1e-3 there)
  const dummy = matrix(
    f64(4.0, 2.0, 0.6, -12, 4.2, 2.1, 0.59, -13.2, 3.9, 2.0, 0.58, -11.3, 4.3, 2.1, 0.62, -11.7, 4.1, 2.2, 0.63, -10.1),
    5,
    4,
  );

  it('mean, on the dummy prices (a negative price column refused: prices must be > 0)', () => {
    const three = matrix(
      Float64Array.from({ length: 15 }, (_, k) => dummy.data[Math.floor(k / 3) * 4 + (k % 3)]),
      5,
      3,
    );
    const geometric = ref.expectedReturns(three, { frequency: 1 });
    expect(maxAbsDiff(geometric, [0.0061922, 0.0241137, 0.0122722])).toBeLessThan(5e-8);
    const arithmetic = ref.expectedReturns(three, { frequency: 1, compounding: false });
    expect(maxAbsDiff(arithmetic, [0.008656, 0.025, 0.0128697])).toBeLessThan(5e-8);
    expect(() => ref.expectedReturns(dummy)).toThrow('prices: expected finite prices > 0 (NaN for a missing one), got prices[0][3] = -12');
    // returnsData: the negative-price column's returns are returns like any other (-0.0421775, -0.03632333)
    const r = matrix(
      Float64Array.from({ length: 4 }, (_, t) => dummy.data[(t + 1) * 4 + 3] / dummy.data[t * 4 + 3] - 1),
      4,
      1,
    );
    expect(ref.expectedReturns(r, { frequency: 1, returnsData: true })[0]).toBeCloseTo(-0.0421775, 7);
    expect(ref.expectedReturns(r, { frequency: 1, returnsData: true, compounding: false })[0]).toBeCloseTo(-0.03632333, 8);
  });

  it('logReturns: the arithmetic mean of log(p_t / p_(t-1)) x frequency, by hand', () => {
    const p = f64(100, 110, 99, 104.5, 120);
    const logs = [1, 2, 3, 4].map((t) => Math.log(1 + (p[t] / p[t - 1] - 1)));
    const mu = ref.expectedReturns(p, { logReturns: true, compounding: false, frequency: 12 }); // one series: a number
    expect(mu).toBeCloseTo((logs.reduce((s, x) => s + x, 0) / 4) * 12, 15);
  });

  it('mean, test_mean_historical_returns on its stock data', () => {
    // prettier-ignore
    const correct = [
      0.247967, 0.294304, 0.284037, 0.1923164, 0.371327, 0.1360093, 0.0328503, 0.1200115, 0.10554, 0.0423457, 0.1002559, 0.1442237,
      -0.0792602, 0.1430506, 0.0736356, 0.238835, 0.388665, 0.226717, 0.1561701, 0.2318153,
    ];
    // numpy's assert_array_almost_equal: decimal 6
    expect(maxAbsDiff(ref.expectedReturns(stocks.data), correct)).toBeLessThan(1.5e-6);
  });

  it('capm without a benchmark (test_capm_no_benchmark: the mean of the assets is the market)', () => {
    // prettier-ignore
    const correct = [
      0.22148462799238577, 0.2835429647498704, 0.14693081977908462, 0.1488989354304723, 0.4162399750335195, 0.22716772604184535,
      0.3970337136813829, 0.16733214988182069, 0.31791477659742146, 0.17279931642386534, 0.15271750464365566, 0.351778014382922,
      0.32859883451716376, 0.1501938182844417, 0.268295486802897, 0.31632339201710874, 0.27753479916328516, 0.16959588523287855,
      0.3089119447773357, 0.2558719211959501,
    ];
    expect(maxAbsDiff(ref.expectedReturns(stocks.data, { method: 'capm', riskFree: 0.02 }), correct)).toBeLessThan(1e-12);
  });

  it('capm against SPY (test_capm_with_benchmark), and not compounding is higher', () => {
    // prettier-ignore
    const correct = [
      0.09115799375654746, 0.09905386632033128, 0.05676282405265752, 0.06291827346436336, 0.13147799781014877, 0.10239088012000815,
      0.1311567086884512, 0.07339649698626659, 0.1301248935078549, 0.07620949056643983, 0.07629095442513395, 0.12163575425541985,
      0.10400070536161658, 0.0781736030988492, 0.09185177050469516, 0.10245700691271296, 0.11268307946677197, 0.07870087187919145,
      0.1275598841214107, 0.09536788741392595,
    ];
    const mu = ref.expectedReturns(stocks.data, { method: 'capm', benchmark: spyOnStockDates, riskFree: 0.02 });
    expect(maxAbsDiff(mu, correct)).toBeLessThan(1e-12);
    const mu2 = ref.expectedReturns(stocks.data, { method: 'capm', benchmark: spyOnStockDates, riskFree: 0.02, compounding: false });
    expect(mu2.every((m, i) => m >= mu[i])).toBe(true);
  });

  it('ema: test_ema_historical_return_limit (span 1e10 is the arithmetic mean) and frequency scaling', () => {
    const sma = ref.expectedReturns(stocks.data, { compounding: false });
    const ema = ref.expectedReturns(stocks.data, { method: 'ema', compounding: false, span: 1e10 });
    expect(maxAbsDiff(ema, sma)).toBeLessThan(1.5e-6);
    const e252 = ref.expectedReturns(stocks.data, { method: 'ema', compounding: false });
    const e52 = ref.expectedReturns(stocks.data, { method: 'ema', compounding: false, frequency: 52 });
    expect(
      maxAbsDiff(
        e252.map((x) => x / 252),
        e52.map((x) => x / 52),
      ),
    ).toBeLessThan(1e-18);
  });

  it("ema by hand: pandas' adjust=True weights (1 - alpha)^k over the observed dates, NaN dates keeping their place", () => {
    const r = matrix(f64(0.01, NaN, 0.03, -0.02), 4, 1);
    const a = 2 / (3 + 1); // span 3
    const w = [(1 - a) ** 3, 0, 1 - a, 1];
    const ewm = (w[0] * 0.01 + w[2] * 0.03 + w[3] * -0.02) / (w[0] + w[2] + w[3]);
    const [mu] = ref.expectedReturns(r, { method: 'ema', span: 3, returnsData: true, compounding: false, frequency: 1 });
    expect(mu).toBeCloseTo(ewm, 16);
  });
});
