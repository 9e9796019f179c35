// The reference QP solver (src/backends/reference/portfolio/portfolio-qp.ts) on problems found by the
// fuzzer (native/fuzz/fuzz_portfolio.cpp, part 2); the native solver takes the same steps, and the
// same inputs are kept as seeds in native/fuzz/seeds/fuzz_portfolio/.
import { describe, expect, it } from 'vitest';
import { QpSolver, QpStatus, type QpProblem } from '../../src/backends/reference/portfolio/portfolio-qp.js';

const f64 = (v: number[]) => Float64Array.from(v);

describe('QpSolver', () => {
  it('a variable whose direction is below the ratio test stops at its bound: a nearly singular H, steps of 1e7', () => {
    // two columns of H nearly equal (curvature ~1e-4 along (0, 1, -1, 0)), x1 and x2 unbounded: the
    // optimum has x1 = -x2 ~ 1e7, and x0 (direction ~1e-12 of theirs) crossed its lower bound by 1.1e-9
    const n = 4;
    const p: QpProblem = {
      n,
      H: f64([
        3.0007535563244798, 2.0549012473985258, 2.0549019575082634, 2, 2.0549012473985258, 3.000701581749603, 3.0007274494895388,
        1.0007795439496197, 2.0549019575082634, 3.0007274494895388, 3.0007533178986496, 1.0007536755301492, 2, 1.0007795439496197,
        1.0007536755301492, 3.0007535563244767,
      ]),
      c: f64([-0.40392156862745099, 0.68627450980261528, 0.99994149625737316, 1]),
      lower: f64([0.83593738079071045, -0.70196081002553301, -Infinity, -0.0077514648432835953]),
      upper: f64([1.1339765964769866, Infinity, Infinity, 1.713786780834198]),
      m: 3,
      A: f64([-1, -1, -1, -1, -1, -0.99999999994179234, -0.99999988079071045, 0.999999999999994, 0.9999999995361577, -1, -1, -1]),
      rlo: f64([-2.4242033117558059, -0.43982819257003358, -0.75232855056212822]),
      rhi: f64([-2.4242033117558059, 0.32799951500599933, -0.75232855056212822]),
    };
    const s = new QpSolver(n, p.m);
    const r = s.solve(p, false);
    expect(r.status).toBe(QpStatus.OPTIMAL);
    expect(Math.max(Math.abs(s.x[1]), Math.abs(s.x[2]))).toBeGreaterThan(1e6);
    for (let j = 0; j < n; j++) {
      expect(s.x[j]).toBeGreaterThanOrEqual(p.lower[j]);
      expect(s.x[j]).toBeLessThanOrEqual(p.upper[j]);
    }
    for (let i = 0; i < p.m; i++) {
      let v = 0;
      let scale = 1;
      for (let j = 0; j < n; j++) {
        v += p.A[i * n + j] * s.x[j];
        scale += Math.abs(p.A[i * n + j] * s.x[j]);
      }
      expect(v).toBeGreaterThanOrEqual(p.rlo[i] - 1e-9 * scale);
      expect(v).toBeLessThanOrEqual(p.rhi[i] + 1e-9 * scale);
    }
  });
});
