/**
 * The mean-variance optimizers on the reference backend (the oracle): closed forms, hand-solved
 * two-asset cases, and the KKT conditions of random problems (fast-check: feasibility to 1e-12,
 * stationarity, multipliers' signs; no random feasible portfolio does better).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/index.js';
import { ref } from '../helpers/backends.js';
import { kkt, minVarianceQp, objective, randomCov, rng, seedArb } from './kkt.js';

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

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-14) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i]), `[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
};

describe('minVariance', () => {
  it('unconstrained: S^-1 1 / 1 S^-1 1', () => {
    const r = ref.minVariance(COV3, { bounds: FREE });
    close(r.weights.data, normalisedSolve(COV3, [1, 1, 1]));
    const w = r.weights.data;
    let v = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += w[i] * COV3.data[i * 3 + j] * w[j];
    expect(r.volatility[0]).toBe(Math.sqrt(v));
    expect(r.weights.rows).toBe(1);
  });

  it('two assets by hand: w1 = (s2^2 - s12) / (s1^2 + s2^2 - 2 s12), and the corner when that is negative', () => {
    // s1 = 0.2, s2 = 0.3, rho = 0.5: s12 = 0.03; w1 = (0.09 - 0.03) / (0.04 + 0.09 - 0.06) = 6/7
    const r = ref.minVariance(matrix(f64(0.04, 0.03, 0.03, 0.09), 2, 2));
    close(r.weights.data, [6 / 7, 1 / 7]);
    // s1 = 0.1, s2 = 0.3, s12 = 0.027 (rho 0.9): unconstrained w2 = (0.01 - 0.027) / (0.01 + 0.09 - 0.054) < 0
    const cov = matrix(f64(0.01, 0.027, 0.027, 0.09), 2, 2);
    close(ref.minVariance(cov, { bounds: FREE }).weights.data, [0.063 / 0.046, -0.017 / 0.046]);
    close(ref.minVariance(cov).weights.data, [1, 0], 0);
    expect(ref.minVariance(cov).volatility[0]).toBe(0.1);
  });

  it('l2Gamma adds gamma I to S (PyPortfolioOpt L2_reg: gamma * sum(w^2))', () => {
    const g = 0.05;
    const shifted = matrix(
      COV3.data.map((v, k) => (k % 4 === 0 ? v + g : v)),
      3,
      3,
    );
    close(ref.minVariance(COV3, { bounds: FREE, l2Gamma: g }).weights.data, normalisedSolve(shifted, [1, 1, 1]));
  });

  it('upper bounds bind: two assets at the cap, the third takes the rest', () => {
    // unconstrained [0.329, 0.076, 0.595]; with the cap 0.4 on asset 2 alone the optimum of (w0, w1) on
    // w0 + w1 = 0.6 solves 0.034 w0 - 0.084 w1 = 0.0032 (equal marginal variances): w0 = 0.454 > 0.4,
    // so asset 0 is capped too and w1 = 0.2
    const w0 = (0.0032 + 0.084 * 0.6) / (0.034 + 0.084);
    expect(w0).toBeGreaterThan(0.4);
    close(ref.minVariance(COV3, { bounds: { lower: 0, upper: 0.4 } }).weights.data, [0.4, 0.2, 0.4], 1e-16);
    close(ref.minVariance(COV3, { bounds: { lower: 0, upper: f64(1, 1, 0.4) } }).weights.data, [w0, 0.6 - w0, 0.4]);
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
    const k = kkt(qp, r.weights.data);
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
        const k = kkt(qp, r.weights.data);
        expect(k.feasibility).toBeLessThanOrEqual(1e-12);
        expect(k.stationarity).toBeLessThanOrEqual(1e-11);
        expect(k.sign).toBeLessThanOrEqual(1e-11);
        // no random long-only portfolio within the bounds does better
        const f = objective(qp, r.weights.data);
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
    const stack = matrix(Float64Array.from(covs.flatMap((c) => Array.from(c.data))), 18, 6);
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
      close(batch.weights.data.subarray(p * 6, p * 6 + 6), one.weights.data, 1e-13);
      expect(batch.volatility[p]).toBeCloseTo(one.volatility[0], 14);
    });
  });
});
