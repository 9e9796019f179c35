/**
 * The mean-variance optimizers on the reference backend (the oracle): closed forms, hand-solved
 * two-asset cases, and the KKT conditions of random problems (fast-check: feasibility to 1e-12,
 * stationarity, multipliers' signs; no random feasible portfolio does better).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frontierOf } from '../../src/api/index.js';
import { matrix, type Matrix } from '../../src/index.js';
import { stackCovariances } from '../../src/kernels/portfolio/portfolio-shapes.js';
import { ref } from '../helpers/backends.js';
import { kkt, minVarianceQp, nearTieProblem, objective, randomCov, rng, seedArb } from './kkt.js';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const COV3 = matrix(f64(0.04, 0.006, 0.002, 0.006, 0.09, 0.01, 0.002, 0.01, 0.0225), 3, 3);
const FREE = { lower: -Infinity, upper: Infinity };

/** The inverse of a small matrix (Gauss-Jordan). */
function inverse(m: Matrix): number[][] {
  const n = m.rows;
  const a = Array.from({ length: n }, (_, i) => [
    ...Array.from(m.data.subarray(i * n, (i + 1) * n)),
    ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const d = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r) => r.slice(n));
}

/** S^-1 v normalised to sum 1. */
function normalisedSolve(S: Matrix, v: number[]): number[] {
  const inv = inverse(S);
  const x = inv.map((r) => r.reduce((s, a, j) => s + a * v[j], 0));
  const t = x.reduce((a, b) => a + b, 0);
  return x.map((a) => a / t);
}

/** S^-1 v. */
function solve(S: Matrix, v: number[]): number[] {
  return inverse(S).map((r) => r.reduce((s, a, j) => s + a * v[j], 0));
}
const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);
const dotOf = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);
const MU = f64(0.08, 0.12, 0.06);

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-14) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i]), `[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
};

// The tolerances of the random problems (fast-check), each against what bounds it; measured: the largest
// over 20,000 problems of each property. kkt() is relative to the problem's scale: feasibility 1e-12, what
// the solver's steps keep (a row ends within 1e-13 (1 + its scale) of its bound, portfolio-qp.ts; measured
// 5.6e-15); stationarity and the multipliers' signs 1e-11, 10x the solver's multiplier tolerance (1e-12 of
// the gradient's scale) for kkt()'s own least squares (measured 2.4e-15 and 7.2e-16). A random portfolio's
// objective, Sharpe ratio or score may not beat the optimum's by more than the rounding of evaluating both,
// n^2 eps of the value (1e-17 absolute for variances under 2e-4 and n <= 25, 1.6e-14 relative for n <= 12),
// with margin (the nearest a random portfolio came: a Sharpe ratio 5.9e-12 below the optimum's).

describe('minVariance', () => {
  it('unconstrained: S^-1 1 / 1 S^-1 1', () => {
    const r = ref.minVariance(COV3, { bounds: FREE });
    close(r.weights, normalisedSolve(COV3, [1, 1, 1]));
    const w = r.weights;
    let v = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += w[i] * COV3.data[i * 3 + j] * w[j];
    // to an ulp: the kernel sums w'Sw in another order
    expect(Math.abs(r.volatility - Math.sqrt(v))).toBeLessThanOrEqual(Number.EPSILON * Math.sqrt(v));
    expect(r.weights.length).toBe(3);
  });

  it('two assets by hand: w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12), and the corner when that is negative', () => {
    // s1 = 0.2, s2 = 0.3, rho = 0.5: s12 = 0.03; w1 = (0.09 - 0.03) / (0.04 + 0.09 - 0.06) = 6/7
    const r = ref.minVariance(matrix(f64(0.04, 0.03, 0.03, 0.09), 2, 2));
    close(r.weights, [6 / 7, 1 / 7]);
    // s1 = 0.1, s2 = 0.3, s12 = 0.027 (rho 0.9): unconstrained w2 = (0.01 - 0.027) / (0.01 + 0.09 - 0.054) < 0
    const cov = matrix(f64(0.01, 0.027, 0.027, 0.09), 2, 2);
    close(ref.minVariance(cov, { bounds: FREE }).weights, [0.063 / 0.046, -0.017 / 0.046]);
    close(ref.minVariance(cov).weights, [1, 0], 0);
    expect(ref.minVariance(cov).volatility).toBe(0.1);
  });

  it('l2Gamma adds gamma I to S (PyPortfolioOpt L2_reg: gamma * sum(w^2))', () => {
    const g = 0.05;
    const shifted = matrix(
      COV3.data.map((v, k) => (k % 4 === 0 ? v + g : v)),
      3,
      3,
    );
    close(ref.minVariance(COV3, { bounds: FREE, l2Gamma: g }).weights, normalisedSolve(shifted, [1, 1, 1]));
  });

  it('upper bounds bind: two assets at the cap, the third takes the rest', () => {
    // unconstrained [0.329, 0.076, 0.595]; with the cap 0.4 on asset 2 alone the optimum of (w0, w1) on
    // w0 + w1 = 0.6 solves 0.034 w0 - 0.084 w1 = 0.0032 (equal marginal variances): w0 = 0.454 > 0.4,
    // so asset 0 is capped too and w1 = 0.2
    const w0 = (0.0032 + 0.084 * 0.6) / (0.034 + 0.084);
    expect(w0).toBeGreaterThan(0.4);
    close(ref.minVariance(COV3, { bounds: { lower: 0, upper: 0.4 } }).weights, [0.4, 0.2, 0.4], 1e-16);
    close(ref.minVariance(COV3, { bounds: { lower: 0, upper: f64(1, 1, 0.4) } }).weights, [w0, 0.6 - w0, 0.4]);
  });

  it('budget 0 (market neutral) with a sector bound and an equality row', () => {
    const r = ref.minVariance(COV3, {
      budget: 0,
      bounds: { lower: -1, upper: 1 },
      equality: { A: matrix(f64(1, 0, -1), 1, 3), b: f64(0.5) },
    });
    const qp = minVarianceQp(
      COV3,
      f64(-1, -1, -1),
      f64(1, 1, 1),
      [
        [1, 1, 1],
        [1, 0, -1],
      ],
      [0, 0.5],
      [0, 0.5],
    );
    const k = kkt(qp, r.weights);
    expect(k.feasibility).toBeLessThanOrEqual(1e-15);
    expect(k.stationarity).toBeLessThanOrEqual(1e-13);
    expect(k.sign).toBeLessThanOrEqual(0);
  });

  it('KKT conditions of random problems: bounds, sectors, inequality rows, singular covariances (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 2, max: 60 }), fc.boolean(), (seed, n, t, sectored) => {
        const rand = rng(seed);
        const cov = randomCov(n, t, rand);
        const hi = Math.max(1 / n, rand());
        const lower = new Float64Array(n);
        const upper = new Float64Array(n).fill(Math.min(1, hi + 1 / n));
        const rows: number[][] = [new Array(n).fill(1)];
        const rlo = [1];
        const rhi = [1];
        const sectors = Int32Array.from({ length: n }, (_, j) => j % 3);
        let sectorBounds: { upper: Float64Array } | undefined;
        if (sectored && n >= 3) {
          sectorBounds = { upper: f64(0.5, 0.6, 0.9) };
          for (let s = 0; s < 3; s++) {
            rows.push(Array.from(sectors, (code) => (code === s ? 1 : 0)));
            rlo.push(-Infinity);
            rhi.push(sectorBounds.upper[s]);
          }
        }
        const gamma = rand() < 0.3 ? 0.001 : 0;
        let r: ReturnType<typeof ref.minVariance>;
        try {
          r = ref.minVariance(cov, { bounds: { lower, upper }, l2Gamma: gamma, ...(sectorBounds ? { sectors, sectorBounds } : {}) });
        } catch (error) {
          // the only refusal of a random problem: sector caps below the budget the bounds force
          expect(String(error)).toMatch(/infeasible/);
          return;
        }
        const qp = minVarianceQp(cov, lower, upper, rows, rlo, rhi, gamma);
        const k = kkt(qp, r.weights);
        expect(k.feasibility).toBeLessThanOrEqual(1e-12);
        expect(k.stationarity).toBeLessThanOrEqual(1e-11);
        expect(k.sign).toBeLessThanOrEqual(1e-11);
        // no random long-only portfolio within the bounds does better
        const f = objective(qp, r.weights);
        for (let trial = 0; trial < 20; trial++) {
          const e = Array.from({ length: n }, () => -Math.log(1 - rand()));
          const s = e.reduce((a, b) => a + b, 0);
          const x = e.map((v) => v / s);
          if (x.some((v) => v > upper[0])) continue;
          if (
            sectorBounds &&
            [0, 1, 2].some((sec) => x.reduce((a, v, j) => a + (sectors[j] === sec ? v : 0), 0) > sectorBounds!.upper[sec])
          )
            continue;
          expect(f).toBeLessThanOrEqual(objective(qp, x) + 1e-15);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a batch: a stack of covariances and a stack of bounds give each problem its own optimum', () => {
    const rand = rng(7);
    const covs = [randomCov(6, 30, rand), randomCov(6, 4, rand), randomCov(6, 50, rand)];
    const stack = stackCovariances(covs);
    const lower = matrix(new Float64Array(18), 3, 6);
    const upper = matrix(
      Float64Array.from({ length: 18 }, (_, k) => [1, 0.3, 0.5][Math.floor(k / 6)]),
      3,
      6,
    );
    const batch = ref.minVariance(stack, { bounds: { lower, upper } });
    expect(batch.weights.rows).toBe(3);
    covs.forEach((cov, p) => {
      const one = ref.minVariance(cov, { bounds: { lower: 0, upper: [1, 0.3, 0.5][p] } });
      close(batch.weights.data.subarray(p * 6, p * 6 + 6), one.weights, 1e-13);
      expect(batch.volatility[p]).toBeCloseTo(one.volatility, 14);
    });
  });
});

describe('maxSharpe', () => {
  it('unconstrained: the tangency portfolio S^-1 (mu - rf) normalised', () => {
    const r = ref.maxSharpe(MU, COV3, { bounds: FREE, riskFree: 0.02 });
    close(
      r.weights,
      normalisedSolve(
        COV3,
        Array.from(MU, (m) => m - 0.02),
      ),
    );
    expect(r.expectedReturn).toBeCloseTo(dotOf(MU, r.weights), 15);
    expect(r.sharpe).toBe((r.expectedReturn - 0.02) / r.volatility);
  });

  it('two assets by hand, and a long-only corner: an asset below the risk-free rate gets no weight', () => {
    // uncorrelated: w_i proportional to (mu_i - rf) / s_i^2
    const cov = matrix(f64(0.04, 0, 0, 0.09), 2, 2);
    const r = ref.maxSharpe(f64(0.1, 0.1), cov);
    close(r.weights, [0.09 / 0.13, 0.04 / 0.13]);
    const corner = ref.maxSharpe(f64(0.1, 0.01), cov, { riskFree: 0.02 });
    close(corner.weights, [1, 0], 0);
    // unconstrained, the same asset is shorted
    expect(ref.maxSharpe(f64(0.1, 0.01), cov, { riskFree: 0.02, bounds: FREE }).weights[1]).toBeLessThan(0);
  });

  it('is the highest Sharpe ratio of the efficient frontier and of random long-only portfolios (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 12 }), (seed, n) => {
        const rand = rng(seed);
        const cov = randomCov(n, 3 * n, rand);
        const mean = Float64Array.from({ length: n }, () => 0.001 * (rand() - 0.2));
        if (Math.max(...mean) <= 0) return;
        const r = ref.maxSharpe(mean, cov);
        const w = r.weights;
        expect(Math.abs(sum(w) - 1)).toBeLessThanOrEqual(1e-14); // n eps from normalising (n <= 12); 4.4e-16 measured
        expect(Math.min(...w)).toBeGreaterThanOrEqual(0);
        const sharpeOf = (x: ArrayLike<number>) => {
          let v = 0;
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v += x[i] * cov.data[i * n + j] * x[j];
          return dotOf(mean, x) / Math.sqrt(v);
        };
        // w'Sw and mu'w summed in another order: n^2 eps (1.6e-14); 7e-16 measured
        expect(Math.abs(r.sharpe - sharpeOf(w))).toBeLessThanOrEqual(1e-12 * Math.abs(r.sharpe));
        for (let trial = 0; trial < 30; trial++) {
          const e = Array.from({ length: n }, () => -Math.log(1 - rand()));
          const t = sum(e);
          expect(sharpeOf(e.map((v) => v / t))).toBeLessThanOrEqual(r.sharpe * (1 + 1e-12));
        }
        // the tangency portfolio is on the frontier: efficientReturn at its return gives it back
        // (the QP's optimum at the same return: the same volatility to the solve's rounding; 1.2e-15 measured)
        const back = ref.efficientReturn(mean, cov, r.expectedReturn);
        expect(back.volatility).toBeLessThanOrEqual(r.volatility * (1 + 1e-12));
        expect(Math.abs(back.volatility - r.volatility)).toBeLessThanOrEqual(1e-9 * r.volatility);
      }),
      { numRuns: 100 },
    );
  });
});

describe('maxUtility', () => {
  it('unconstrained: w = S^-1 (mu - lambda 1) / delta with lambda making sum(w) = 1', () => {
    const delta = 3;
    const a = solve(COV3, Array.from(MU));
    const b = solve(COV3, [1, 1, 1]);
    const lambda = (sum(a) - delta) / sum(b);
    const expected = a.map((x, i) => (x - lambda * b[i]) / delta);
    close(ref.maxUtility(MU, COV3, { bounds: FREE, riskAversion: delta }).weights, expected);
  });

  it('KKT conditions of random problems with bounds, sectors and l2Gamma (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 20 }), fc.integer({ min: 2, max: 50 }), (seed, n, t) => {
        const rand = rng(seed);
        const cov = randomCov(n, t, rand);
        const mean = Float64Array.from({ length: n }, () => 0.01 * (rand() - 0.3));
        const delta = 0.5 + 10 * rand();
        const gamma = rand() < 0.5 ? 0 : 0.01 * rand();
        const lower = new Float64Array(n).fill(-0.5);
        const upper = new Float64Array(n).fill(0.8);
        const r = ref.maxUtility(mean, cov, { riskAversion: delta, l2Gamma: gamma, bounds: { lower, upper } });
        const qp = minVarianceQp(cov, lower, upper, [new Array(n).fill(1)], [1], [1], gamma);
        // H = delta S + 2 gamma I, c = -mu
        for (let k = 0; k < n * n; k++) qp.H[k] = delta * cov.data[k];
        for (let i = 0; i < n; i++) qp.H[i * n + i] += 2 * gamma;
        qp.c.set(mean.map((m) => -m));
        const k = kkt(qp, r.weights);
        expect(k.feasibility).toBeLessThanOrEqual(1e-12);
        expect(k.stationarity).toBeLessThanOrEqual(1e-11);
        expect(k.sign).toBeLessThanOrEqual(1e-11);
      }),
      { numRuns: 150 },
    );
  });

  it('means with exact ties (3 decimals) and little risk aversion: the KKT conditions hold (fast-check)', () => {
    // Before: the two tied assets' flat direction turned the gradient's rounding into steps above the
    // solver's step tolerance after each full step, until the iteration limit (28 of 5,400 probes refused)
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 30 }), fc.constantFrom(0.01, 0.005, 0.002), fc.boolean(), (seed, n, delta, capped) => {
        const rand = rng(seed);
        const cov = randomCov(n, 3 * n + 5, rand);
        const mean = Float64Array.from({ length: n }, () => Math.round(10 * rand()) / 1000);
        const lower = new Float64Array(n);
        const upper = new Float64Array(n).fill(capped ? Math.max(0.3, 1.5 / n) : 1);
        const r = ref.maxUtility(mean, cov, { riskAversion: delta, bounds: { lower, upper } });
        const qp = minVarianceQp(cov, lower, upper, [new Array(n).fill(1)], [1], [1]);
        for (let k = 0; k < n * n; k++) qp.H[k] = delta * cov.data[k];
        qp.c.set(mean.map((m) => -m));
        const k = kkt(qp, r.weights);
        expect(k.feasibility).toBeLessThanOrEqual(1e-12);
        expect(k.stationarity).toBeLessThanOrEqual(1e-11);
        expect(k.sign).toBeLessThanOrEqual(1e-11);
      }),
      // three of the probes refused before
      {
        numRuns: 150,
        examples: [
          [50, 23, 0.01, false],
          [62, 6, 0.01, true],
          [77, 21, 0.005, true],
        ],
      },
    );
  });
});

describe('efficientReturn', () => {
  it('unconstrained: the two-fund solution S^-1 (a mu + b 1) with mu w = r and 1 w = 1', () => {
    const r = 0.1;
    const x = solve(COV3, Array.from(MU));
    const y = solve(COV3, [1, 1, 1]);
    const [A, B, C] = [dotOf(MU, x), sum(x), sum(y)];
    // [A B; B C] [a; b] = [r; 1]
    const det = A * C - B * B;
    const a = (r * C - B) / det;
    const b = (A - r * B) / det;
    const result = ref.efficientReturn(MU, COV3, r, { bounds: FREE });
    close(
      result.weights,
      x.map((v, i) => a * v + b * y[i]),
    );
    expect(Math.abs(result.expectedReturn - r)).toBeLessThanOrEqual(1e-16);
  });

  it('a target below the minimum-variance return gives the minimum-variance portfolio (mu w >= target, as PyPortfolioOpt)', () => {
    const mv = ref.minVariance(COV3);
    // to rounding: minVariance takes the budget row's closed form (a Cholesky of S), efficientReturn the QP
    close(ref.efficientReturn(MU, COV3, 0).weights, mv.weights, 1e-15);
  });

  it('KKT conditions of random problems, and one call with P targets equals P calls (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 20 }), (seed, n) => {
        const rand = rng(seed);
        const cov = randomCov(n, 2 * n, rand);
        // expected returns at least 0.006 / n apart: two nearly equal ones make the budget and return rows
        // nearly dependent, and kkt()'s multipliers (normal equations, condition number squared) then
        // certify stationarity only to about 1e-10 (n = 2, means 5e-6 apart: 1.2e-10)
        const mean = Float64Array.from({ length: n }, (_, i) => (0.01 * (i + 0.2 + 0.6 * rand())) / n);
        const lo = Math.min(...mean);
        const hi = Math.max(...mean);
        const targets = Float64Array.from({ length: 5 }, (_, k) => lo + ((hi - lo) * k) / 5);
        const batch = ref.efficientReturn(mean, cov, targets);
        targets.forEach((target, p) => {
          const one = ref.efficientReturn(mean, cov, target);
          // the same problem in a batch and alone: 4.4e-15 measured
          close(batch.weights.data.subarray(p * n, (p + 1) * n), one.weights, 1e-12);
          const qp = minVarianceQp(
            cov,
            new Float64Array(n),
            new Float64Array(n).fill(1),
            [new Array(n).fill(1), Array.from(mean)],
            [1, target],
            [1, Infinity],
          );
          const k = kkt(qp, one.weights);
          expect(k.feasibility).toBeLessThanOrEqual(1e-12);
          expect(k.stationarity).toBeLessThanOrEqual(1e-11);
          expect(k.sign).toBeLessThanOrEqual(1e-11);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('efficientRisk', () => {
  it('the volatility binds to 1e-12 and the portfolio is the efficient one of its return', () => {
    for (const sigma of [0.125, 0.15, 0.2, 0.25]) {
      const r = ref.efficientRisk(MU, COV3, sigma);
      expect(Math.abs(r.volatility - sigma)).toBeLessThanOrEqual(1e-12 * sigma);
      close(ref.efficientReturn(MU, COV3, r.expectedReturn).weights, r.weights, 1e-9);
    }
  });

  it('above the highest-return portfolio volatility: that portfolio (the constraint does not bind)', () => {
    const r = ref.efficientRisk(MU, COV3, 0.5);
    close(r.weights, [0, 1, 0], 1e-15);
  });

  it('with l2Gamma: the return is the highest of the volatility among l2-regularised portfolios (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 12 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (seed, n, at) => {
        const rand = rng(seed);
        const cov = randomCov(n, 3 * n, rand);
        const mean = Float64Array.from({ length: n }, () => 0.01 * rand());
        const gamma = rand() < 0.5 ? 0 : 1e-4;
        const vmin = ref.minVariance(cov).volatility;
        const top = ref.efficientRisk(mean, cov, 10, { l2Gamma: gamma }).volatility;
        const sigma = vmin + at * (top - vmin);
        const r = ref.efficientRisk(mean, cov, sigma, { l2Gamma: gamma });
        // the false position stops at 1e-14 of sigma^2 (portfolio-mean.ts) or where t runs out of digits:
        // 3.3e-13 measured, 30x below
        expect(Math.abs(r.volatility - sigma)).toBeLessThanOrEqual(1e-11 * sigma);
        // no random long-only portfolio within the volatility does better on mu'w - gamma |w|^2
        const score = (x: ArrayLike<number>) => dotOf(mean, x) - gamma * dotOf(x, x);
        for (let trial = 0; trial < 30; trial++) {
          const e = Array.from({ length: n }, () => -Math.log(1 - rand()));
          const t = sum(e);
          const x = e.map((v) => v / t);
          let v = 0;
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v += x[i] * cov.data[i * n + j] * x[j];
          if (Math.sqrt(v) <= sigma) expect(score(x)).toBeLessThanOrEqual(score(r.weights) + 1e-15);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe('efficientFrontier (critical line algorithm)', () => {
  it('three assets: the highest-return asset, the turning points, the minimum-variance end', () => {
    const f = ref.efficientFrontier(MU, COV3, { points: 5 });
    const t = f.turningPoints;
    expect(Array.from(t.lambdas)).toEqual([Infinity, t.lambdas[1], t.lambdas[2], 0]);
    close(t.weights.data.subarray(0, 3), [0, 1, 0], 0);
    // asset 0 enters where its multiplier reaches 0 on w = e1: lambda (mu1 - mu0) = S11 - S01 -> lambda = (0.09 - 0.006) / 0.04 = 2.1
    expect(t.lambdas[1]).toBeCloseTo(2.1, 14);
    // the last turning point is the (here unconstrained) minimum-variance portfolio
    close(t.weights.data.subarray(9, 12), normalisedSolve(COV3, [1, 1, 1]));
    expect(f.frontier.returns[0]).toBe(0.12);
    expect(f.frontier.returns[4]).toBe(t.returns[3]);
  });

  it('every turning point satisfies the KKT conditions of its lambda, none is dropped, the frontier lies on efficientReturn (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 30 }), fc.boolean(), (seed, n, capped) => {
        const rand = rng(seed);
        const cov = randomCov(n, 3 * n + 5, rand);
        const mean = Float64Array.from({ length: n }, () => 0.01 * rand());
        const upper = new Float64Array(n).fill(capped ? Math.max(2 / n, 0.3) : 1);
        const lower = new Float64Array(n);
        const f = ref.efficientFrontier(mean, cov, { points: 7, bounds: { lower, upper } });
        const t = f.turningPoints;
        const K = t.lambdas.length;
        expect(t.lambdas[0]).toBe(Infinity);
        expect(t.lambdas[K - 1]).toBe(0);
        const qp = minVarianceQp(cov, lower, upper, [new Array(n).fill(1)], [1], [1]);
        for (let k = 1; k < K; k++) {
          expect(t.lambdas[k]).toBeLessThanOrEqual(t.lambdas[k - 1]);
          // the rounding of two mu'w: 2 n eps max|mu| (7e-17); 4.8e-17 measured
          expect(t.returns[k]).toBeLessThanOrEqual(t.returns[k - 1] + 1e-15);
          // min 1/2 w'Sw - lambda mu'w: H = S, c = -lambda mu
          qp.H.set(cov.data);
          qp.c.set(mean.map((m) => -t.lambdas[k] * m));
          const kk = kkt(qp, t.weights.data.subarray(k * n, (k + 1) * n));
          expect(kk.feasibility).toBeLessThanOrEqual(1e-12);
          expect(kk.stationarity).toBeLessThanOrEqual(1e-11);
          expect(kk.sign).toBeLessThanOrEqual(1e-11);
        }
        // consecutive turning points differ by one asset entering or leaving the free set: an asset
        // leaving is a turning point too (PyPortfolioOpt's purge drops some of these)
        // the last turning point is minVariance's optimum, found by another algorithm: to the solves'
        // rounding (6.7e-16 measured); the frontier's points efficientReturn's (2.7e-11 measured, 37x below)
        const last = ref.minVariance(cov, { bounds: { lower, upper } });
        expect(Math.abs(t.volatilities[K - 1] - last.volatility)).toBeLessThanOrEqual(1e-10 * last.volatility);
        for (let p = 0; p < 7; p++) {
          const r = f.frontier.returns[p];
          const v = ref.efficientReturn(mean, cov, r, { bounds: { lower, upper } }).volatility;
          expect(Math.abs(f.frontier.volatilities[p] - v)).toBeLessThanOrEqual(1e-9 * v);
        }
      }),
      { numRuns: 100 },
    );
  });

  // Found by `npm run test:explore` (2026-12-04, fast-check seed -986534457, path "24": seed 504783524,
  // 25 assets, uncapped): assets 3 and 7 have means 8.3e-10 apart (0.009923479501 and 0.009923478672).
  // At the highest return the only portfolio is asset 3 alone; the solver's working set there (the
  // budget and return rows over assets 3 and 7) has a KKT matrix of determinant (mu7 - mu3)^2, which
  // the LU refused ('no optimum after 6 iterations'): at such a vertex it now solves through the rows alone.
  it('efficientReturn at the highest return with a near tie in the means: the top asset alone; targets between the two', () => {
    const rand = rng(504783524);
    const n = 25;
    const cov = randomCov(n, 3 * n + 5, rand);
    const mean = Float64Array.from({ length: n }, () => 0.01 * rand());
    expect(mean[3] - mean[7]).toBeCloseTo(8.29e-10, 11);
    const w = ref.efficientReturn(mean, cov, mean[3]).weights;
    expect(w[3]).toBeCloseTo(1, 12);
    expect(w[7]).toBeCloseTo(0, 12);
    // between the two means the optimum mixes them (the frontier is steep there, not cut)
    for (const f of [0.25, 0.5, 1]) {
      const target = mean[3] - f * (mean[3] - mean[7]);
      const r = ref.efficientReturn(mean, cov, target);
      expect(r.expectedReturn).toBeGreaterThanOrEqual(target - 1e-17);
      expect(r.weights[3]).toBeCloseTo(0.804, 3);
      expect(r.weights[7]).toBeCloseTo(0.196, 3);
    }
  });

  it('efficientReturn and efficientRisk with two means a relative 1e-13 to 1e-7 apart: the highest return and the one between are met (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 30 }), fc.constantFrom(1e-7, 1e-9, 1e-11, 1e-13), (seed, n, eps) => {
        const { cov, mean, top, other } = nearTieProblem(seed, n, eps);
        const S = (i: number, j: number) => cov.data[i * n + j];
        // met to 1e-12: the ratio test sees a row's change from 1e-12 of a unit step (the other tests' feasibility)
        const highest = ref.efficientReturn(mean, cov, mean[top]);
        expect(highest.expectedReturn).toBeGreaterThanOrEqual(mean[top] - 1e-12);
        let rest = 0;
        for (let i = 0; i < n; i++) if (i !== top && i !== other) rest += Math.abs(highest.weights[i]);
        // only the two tied assets reach a return that high
        expect(rest).toBeLessThan(1e-6);
        expect(highest.weights[top] + highest.weights[other]).toBeCloseTo(1, 6);
        // halfway between their means: no worse than the best mix of the two (a <= 1/2 of the other)
        const target = (mean[top] + mean[other]) / 2;
        const between = ref.efficientReturn(mean, cov, target);
        expect(between.expectedReturn).toBeGreaterThanOrEqual(target - 1e-12);
        const curvature = S(top, top) + S(other, other) - 2 * S(top, other);
        const a = Math.min(0.5, Math.max(0, (S(top, top) - S(top, other)) / curvature));
        const mix = (1 - a) ** 2 * S(top, top) + 2 * a * (1 - a) * S(top, other) + a ** 2 * S(other, other);
        // to the problem's conditioning: the mix's share is (mu_top - target) / (mu_top - mu_other), each side
        // known to 1e-16 of the means, so to 1e-16 / eps (measured 1.2e-8 of the variance at eps 1e-9)
        expect(between.volatility ** 2).toBeLessThanOrEqual(mix * (1 + 1e-15 / eps));
        // a volatility no portfolio reaches: the highest return (half of these were refused before)
        const most = ref.efficientRisk(mean, cov, 1);
        expect(most.expectedReturn).toBeGreaterThanOrEqual(mean[other] - 1e-12);
        expect(most.weights[top] + most.weights[other]).toBeCloseTo(1, 6);
      }),
      { numRuns: 40 },
    );
  });

  // Two means equal, or a relative 1e-15 apart: the budget and return rows are (or are to rounding)
  // dependent over the two assets, and a third asset's bound joining the working set beside them left it
  // singular ('no optimum after 8 iterations': 9 of 12,000 probes, seeds 44 and 47 below). Such a
  // constraint now does not block (the ratio test passes over it).
  it('efficientReturn and efficientRisk with two means equal or a relative 1e-15 apart: every target solved, the highest return by the two alone (fast-check)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 30 }), fc.constantFrom(0, 1e-15), (seed, n, eps) => {
        const { cov, mean, top, other } = nearTieProblem(seed, n, eps);
        const S = (i: number, j: number) => cov.data[i * n + j];
        for (const target of [mean[top], mean[other], (mean[top] + mean[other]) / 2, 0.9 * mean[top]]) {
          const r = ref.efficientReturn(mean, cov, target);
          expect(r.expectedReturn).toBeGreaterThanOrEqual(target - 1e-12);
          // the budget to the KKT solves' rounding (a direction's is up to 1.8e-11 of it; a variable whose
          // bound was passed over stops there): at most 1.4e-12 over 32,000 probes, 9.8e-13 before
          expect(Math.abs(r.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-11);
        }
        // the highest return: only the two reach it, the best mix of them (any share: their returns agree to 1e-15)
        const highest = ref.efficientReturn(mean, cov, mean[top]);
        let rest = 0;
        for (let i = 0; i < n; i++) if (i !== top && i !== other) rest += Math.abs(highest.weights[i]);
        expect(rest).toBeLessThan(1e-6);
        const curvature = S(top, top) + S(other, other) - 2 * S(top, other);
        const a = Math.min(1, Math.max(0, (S(top, top) - S(top, other)) / curvature));
        const mix = (1 - a) ** 2 * S(top, top) + 2 * a * (1 - a) * S(top, other) + a ** 2 * S(other, other);
        expect(highest.volatility ** 2).toBeLessThanOrEqual(mix * (1 + 1e-9));
        const most = ref.efficientRisk(mean, cov, 1);
        expect(most.expectedReturn).toBeGreaterThanOrEqual(mean[other] - 1e-12);
        expect(most.weights[top] + most.weights[other]).toBeCloseTo(1, 6);
      }),
      {
        numRuns: 40,
        examples: [
          [47, 20, 0],
          [47, 20, 1e-15],
          [44, 17, 1e-15],
        ],
      },
    );
  });

  it('a batch: each problem of a P-stack (its covariance, mean row and bounds row) is its one-problem frontier, stacked with offsets', () => {
    const rand = rng(17);
    const n = 6;
    const P = 4;
    const covs = Array.from({ length: P }, () => randomCov(n, 20, rand));
    const stack = stackCovariances(covs);
    const means = Float64Array.from({ length: P * n }, () => 0.01 * rand());
    const caps = Float64Array.from({ length: P * n }, (_, k) => [1, 0.5, 0.3, 0.25][Math.floor(k / n)]);
    const batch = ref.efficientFrontier(matrix(means, P, n), stack, { points: 5, bounds: { upper: matrix(caps, P, n) } });
    const t = batch.turningPoints;
    expect(t.offsets.length).toBe(P + 1);
    expect(t.weights.rows).toBe(t.offsets[P]);
    expect(batch.frontier.weights.rows).toBe(P * 5);
    for (let p = 0; p < P; p++) {
      const one = ref.efficientFrontier(means.subarray(p * n, (p + 1) * n), covs[p], { points: 5, bounds: { upper: caps[p * n] } });
      expect(frontierOf(batch, p)).toEqual(one);
      expect(t.offsets[p + 1] - t.offsets[p]).toBe(one.turningPoints.lambdas.length);
    }
    // one problem: no offsets, and it is frontierOf of a batch of one
    const single = ref.efficientFrontier(means.subarray(0, n), covs[0], { points: 5 });
    expect(single.turningPoints).not.toHaveProperty('offsets');
    const ofOne = ref.efficientFrontier(means.subarray(0, n), stackCovariances([covs[0]]), { points: 5 });
    expect(Array.from(ofOne.turningPoints.offsets)).toEqual([0, single.turningPoints.lambdas.length]);
    expect(frontierOf(ofOne, 0)).toEqual(single);
    expect(() => frontierOf(batch, 4)).toThrow('p: expected a problem index in [0, 3], got 4');
  });

  it('one covariance with P bound sets: P frontiers of the same assets', () => {
    const cov = randomCov(5, 30, rng(3));
    const mean = Float64Array.of(0.01, 0.02, 0.015, 0.005, 0.012);
    const upper = matrix(
      Float64Array.from({ length: 15 }, (_, k) => [1, 0.4, 0.25][Math.floor(k / 5)]),
      3,
      5,
    );
    const batch = ref.efficientFrontier(mean, cov, { points: 3, bounds: { upper } });
    for (let p = 0; p < 3; p++) {
      const w = frontierOf(batch, p).turningPoints.weights;
      for (const x of w.data) expect(x).toBeLessThanOrEqual(upper.data[p * 5] + 1e-15);
      expect(frontierOf(batch, p)).toEqual(ref.efficientFrontier(mean, cov, { points: 3, bounds: { upper: upper.data[p * 5] } }));
    }
  });
});
