// The QP solver on the fuzzer's reproducers of a feasible problem called infeasible (issue 67; kept as
// seeds in native/fuzz/seeds/fuzz_portfolio/, which native/fuzz/run.sh replays through the native
// solver): 2 variables and 3 rows, two of them nearly parallel (1 - 1e-9 apart), or one with a
// coefficient of 1.8e-12 or 4e-10 (an equality, or a range 9e-13 wide). Phase 1 ended at a vertex of the
// wrong pair of rows, whose rounding the pair amplified into a shortfall of the third (1.3e-10, 3.3e-9,
// 1.4e-6, 2e-9), because a row's artificial could correct it from one side only: for an equality, the
// side of the start; for a range, the side it left. The reference solver directly, and every backend through
// maxUtility on the same rows (plus the budget row, sum(w) = sum(x0)).
import { describe, expect, it } from 'vitest';
import { QpSolver, QpStatus, type QpProblem } from '../../src/backends/reference/portfolio/portfolio-qp.js';
import { matrix } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';

const f64 = (v: number[]) => Float64Array.from(v);

/** Each reproducer: the problem the fuzzer built through the point x0 (inside its bounds and rows). */
const CASES: { seed: string; x0: number[]; p: QpProblem }[] = [
  {
    seed: 'qp-parallel-rows-1',
    x0: [0.027450980392156765, 0.027450980392156765],
    p: {
      n: 2,
      H: f64([3.9844360351598596, 3.992156982423693, 3.992156982423693, 3.999938965775071]),
      c: f64([0.027450980392156765, 0.9933483600616455]),
      lower: f64([-Infinity, -Infinity]),
      upper: f64([Infinity, Infinity]),
      m: 3,
      A: f64([-0.999999999998181, 0.9999999995343458, 0.9999998807907104, -1, 1, 0.99993896484375]),
      rlo: f64([-1.2732731535791686e-11, -3.2724118692595283e-9, 0.05490028530943608]),
      rhi: f64([-1.2732731535791686e-11, -3.2724118692595283e-9, 0.05490028530943608]),
    },
  },
  {
    seed: 'qp-parallel-rows-2',
    x0: [0.027450980392156765, 0.027450980392156765],
    p: {
      n: 2,
      H: f64([3.999938965775087, 3.9999693632125926, 3.9999693632125926, 3.999999761581435]),
      c: f64([0.027450980392156765, 0.9999740170314908]),
      lower: f64([-Infinity, -Infinity]),
      upper: f64([Infinity, Infinity]),
      m: 3,
      A: f64([-0.9999999999999929, 0.999999999998181, 0.9999999995343387, -1, 0.99993896484375, 0.9999997615814209]),
      rlo: f64([-4.973799150320701e-14, -1.2782858105353512e-11, 0.05490027876461234]),
      rhi: f64([-4.973799150320701e-14, -1.2782858105353512e-11, 0.05490027876461234]),
    },
  },
  {
    seed: 'qp-tiny-coefficient-row',
    x0: [0.027435302734375, 1],
    p: {
      n: 2,
      H: f64([0.0030142252868337054, -0.02073962175727725, -0.02073962175727725, 0.3374490224499323]),
      c: f64([-0.9999999995343387, 0.9999999999991154]),
      lower: f64([0.027435302734375, -Infinity]),
      upper: f64([0.03070068615488708, Infinity]),
      m: 3,
      A: f64([0.18751811981309174, -0.999999571314045, -0.9999992847442627, -1.7905676941154525e-12, -1, -1]),
      rlo: f64([-1.5909333863013426, -0.027435283112907882, -1.027435302734375]),
      rhi: f64([-0.9909420068568354, -0.027435283112907882, -1.027435302734375]),
    },
  },
  {
    seed: 'qp-narrow-range-row',
    x0: [0.027435302734375, 1],
    p: {
      n: 2,
      H: f64([0.004116209046351869, -0.026110716413043876, -0.026110716413043876, 0.3374490224499323]),
      c: f64([-0.9999999995343387, 0.9999999999991154]),
      lower: f64([0.027435302734375, -Infinity]),
      upper: f64([1.0274353025015444, Infinity]),
      m: 3,
      A: f64([0.18751811981309174, -0.999999571314045, -0.9999992847442627, -4.256435204297304e-10, -1, -1]),
      rlo: f64([-1.5909333863013426, -0.027435283536760835, -1.027435302734375]),
      rhi: f64([-0.9909420068568354, -0.027435283535851354, -1.027435302734375]),
    },
  },
];
/** x within the bounds and every row to 1e-9 of the row's scale (the fuzz target's invariant). */
function expectWithin(p: QpProblem, x: ArrayLike<number>): void {
  for (let j = 0; j < p.n; j++) {
    expect(x[j]).toBeGreaterThanOrEqual(p.lower[j] - 1e-9);
    expect(x[j]).toBeLessThanOrEqual(p.upper[j] + 1e-9);
  }
  for (let i = 0; i < p.m; i++) {
    let v = 0;
    let scale = 1;
    for (let j = 0; j < p.n; j++) {
      v += p.A[i * p.n + j] * x[j];
      scale += Math.abs(p.A[i * p.n + j] * x[j]);
    }
    expect(v).toBeGreaterThanOrEqual(p.rlo[i] - 1e-9 * scale);
    expect(v).toBeLessThanOrEqual(p.rhi[i] + 1e-9 * scale);
  }
}

describe('QpSolver on the reproducers of issue 67', () => {
  for (const { seed, x0, p } of CASES) {
    it(`${seed}: optimal, at the one point the rows allow (x0), within the rows to 1e-9`, () => {
      const s = new QpSolver(p.n, p.m);
      const r = s.solve(p, false);
      expect(r.status).toBe(QpStatus.OPTIMAL);
      expectWithin(p, s.x);
      // two independent rows (equalities, or a range 9e-13 wide) in two variables: x0 is the only feasible point, to 1e-12
      for (let j = 0; j < p.n; j++) expect(Math.abs(s.x[j] - x0[j])).toBeLessThan(1e-9);
    });
  }
});

describeEachBackend(
  'the reproducers of issue 67 through maxUtility',
  (k) => {
    for (const { seed, x0, p } of CASES) {
      it(`${seed}: the weights are x0`, () => {
        const eq: number[] = [];
        const b: number[] = [];
        const ineq: number[] = [];
        const ub: number[] = [];
        for (let i = 0; i < p.m; i++) {
          const row = Array.from(p.A.subarray(i * p.n, (i + 1) * p.n));
          if (p.rlo[i] === p.rhi[i]) {
            eq.push(...row);
            b.push(p.rlo[i]);
          } else {
            ineq.push(...row, ...row.map((v) => -v));
            ub.push(p.rhi[i], -p.rlo[i]);
          }
        }
        const r = k.maxUtility(
          p.c.map((v) => -v),
          matrix(p.H, p.n, p.n),
          {
            riskAversion: 1,
            budget: x0[0] + x0[1],
            bounds: { lower: p.lower, upper: p.upper },
            equality: { A: matrix(f64(eq), b.length, p.n), b: f64(b) },
            ...(ub.length ? { inequality: { A: matrix(f64(ineq), ub.length, p.n), b: f64(ub) } } : {}),
            assumePsd: true,
          },
        );
        expectWithin(p, r.weights);
        for (let j = 0; j < p.n; j++) expect(Math.abs(r.weights[j] - x0[j])).toBeLessThan(1e-9);
      });
    }
  },
  'portfolio',
);
