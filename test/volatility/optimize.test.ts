/**
 * The volatility family's optimizer (src/backends/reference/volatility/optimize.ts; the C++ twin is
 * held to it bit for bit by the fits in parity.test.ts) on problems whose answers are known: a
 * quadratic whose optimum lies on a row (the active set), one that curves down across the row it ends on,
 * Rosenbrock's valley inside bounds, and an
 * objective that is not a number off its start (the line search fails: converged false, the start
 * returned, never NaN).
 */
import { describe, expect, it } from 'vitest';
import { FAULT_CONSTANT, FIT_STATUS, fitLayout, resolveModel } from '../../src/kernels/volatility/volatility.js';
import { fitSeries } from '../../src/backends/reference/volatility/fit.js';
import { minimize, type Polytope, qpStep } from '../../src/backends/reference/volatility/optimize.js';

const box = (lo: number[], hi: number[], rows: number[][] = [], b: number[] = []): Polytope => ({
  lo: Float64Array.from(lo),
  hi: Float64Array.from(hi),
  a: Float64Array.from(rows.flat()),
  b: Float64Array.from(b),
  rows: rows.length,
});

describe('volatility optimizer', () => {
  it('a quadratic with its optimum on the row x + y <= 1 (a persistence bound)', () => {
    // min (x - 1)^2 + (y - 1)^2 s.t. -x - y >= -1, x, y in [0, 1]: (0.5, 0.5), the row active
    const r = minimize(
      (x, g) => {
        g[0] = 2 * (x[0] - 1);
        g[1] = 2 * (x[1] - 1);
        return (x[0] - 1) ** 2 + (x[1] - 1) ** 2;
      },
      Float64Array.of(0.1, 0.2),
      box([0, 0], [1, 1], [[-1, -1]], [-1]),
    );
    expect(r.status).toBe(FIT_STATUS.CONVERGED);
    // to the difference Hessian's accuracy (1e-10 relative)
    expect(r.x[0]).toBeCloseTo(0.5, 9);
    expect(r.x[1]).toBeCloseTo(0.5, 9);
    expect(r.x[0] + r.x[1]).toBeLessThanOrEqual(1 + 1e-15);
  });

  it('a bound active at the optimum: min (x + 1)^2 over x >= 0 is 0', () => {
    const r = minimize(
      (x, g) => {
        g[0] = 2 * (x[0] + 1);
        return (x[0] + 1) ** 2;
      },
      Float64Array.of(3),
      box([0], [10]),
    );
    expect(r.status).toBe(FIT_STATUS.CONVERGED);
    expect(r.x[0]).toBe(0);
  });

  it('a start at a vertex that pins every step (no step allowed): converged there at once', () => {
    // min (x + 1)^2 + (y + 2)^2 over x, y >= 0 and x + y <= 1, from (0, 0): both bounds active, the
    // constraints' basis of allowed steps empty (fuzz_volatility's find: the C++ twin read past it)
    const r = minimize(
      (x, g) => {
        g[0] = 2 * (x[0] + 1);
        g[1] = 2 * (x[1] + 2);
        return (x[0] + 1) ** 2 + (x[1] + 2) ** 2;
      },
      Float64Array.of(0, 0),
      box([0, 0], [1, 1], [[-1, -1]], [-1]),
    );
    expect(r.status).toBe(FIT_STATUS.CONVERGED);
    expect(Array.from(r.x)).toEqual([0, 0]);
    expect(r.iterations).toBeLessThanOrEqual(2);
  });

  it("Rosenbrock's valley from (-1.2, 1) to (1, 1)", () => {
    const r = minimize(
      (x, g) => {
        const [a, b] = x;
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      box([-5, -5], [5, 5]),
    );
    expect(r.status).toBe(FIT_STATUS.CONVERGED);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.iterations).toBeLessThan(100);
  });

  it('an objective that is NaN off its start: line search failed, the start returned', () => {
    const x0 = Float64Array.of(0.3, 0.4);
    const r = minimize(
      (x, g) => {
        g[0] = 1;
        g[1] = 1;
        return x[0] === 0.3 && x[1] === 0.4 ? 1 : Number.NaN;
      },
      x0,
      box([0, 0], [1, 1]),
    );
    expect(r.status).toBe(FIT_STATUS.LINE_SEARCH);
    expect(Array.from(r.x)).toEqual([0.3, 0.4]);
  });

  it('negative curvature across an active row, a weakly curved parameter beside it: Newton on the row', () => {
    // min x - x^2/4 + 1e-4 (s - 5)^2 + x s / 100 s.t. x >= 0 (a row, as GJR's alpha + gamma >= 0), x in
    // [-1, 1], s in [0, 10]: (0, 5). The Hessian is indefinite (-1/2 in x) only across the row; a model
    // shifted to positive definite in full by the largest curvature swamps s's (2e-4) and crawls.
    const r = minimize(
      (x, g) => {
        const [a, s] = x;
        g[0] = 1 - a / 2 + s / 100;
        g[1] = 2e-4 * (s - 5) + a / 100;
        return a - (a * a) / 4 + 1e-4 * (s - 5) ** 2 + (a * s) / 100;
      },
      Float64Array.of(0.5, 1),
      box([-1, 0], [1, 10], [[1, 0]], [0]),
    );
    expect(r.status).toBe(FIT_STATUS.CONVERGED);
    expect(r.x[0]).toBe(0);
    expect(r.x[1]).toBeCloseTo(5, 6);
    expect(r.iterations).toBeLessThanOrEqual(5);
  });

  it("garchVar's refits over a tail of equal returns: the QP does not cycle, each refit reaches the same optimum", () => {
    // fuzz_volatility's find (seed qp-cycling): GJR(1,1,1) skew-t, zero mean, windows of 8 over
    // -968, 19, 1 and then -1s, each refit warm-started at the last fit. The QP cycled to its cap, at a
    // degenerate vertex taking back the row it had just dropped, and after a full step stepping again by
    // rounding; its steps were noise, and the refits of one window stopped at the iteration limit at
    // log-likelihoods from -0.61139 to -0.61128. The likelihood is flat there: the fits still take up to
    // the iteration limit, but every refit of the repeated window now gives the same optimum.
    const m = resolveModel({ vol: 'gjr', p: 1, o: 1, q: 1, mean: 'zero', dist: 'skewt' });
    const y = Float64Array.from([-968, 19, 1, ...new Array<number>(12).fill(-1)]);
    const at = fitLayout(m, 8);
    let start: Float64Array | undefined;
    const lls: number[] = [];
    for (let t = 8; t <= y.length; t++) {
      const out = new Float64Array(at.length);
      fitSeries(m, y.subarray(t - 8, t), out, start, false);
      start = out.slice(0, at.k);
      expect(out[at.status]).toBeLessThan(FAULT_CONSTANT);
      lls.push(out[at.ll]);
    }
    // the windows from the fourth on are the same 8 returns
    for (const ll of lls.slice(3)) {
      expect(ll).toBeGreaterThan(-0.6109);
      expect(Math.abs(ll - lls[3])).toBeLessThan(1e-8);
    }
  });

  describe("with an analytic Hessian: the last step taken on the model's word", () => {
    // f = (x - 1)^2 + (y + 2)^2 / 2 + (x - 1)^4 / 10 + exp(x - 1) (y + 2)^2 / 20: its optimum (1, -2), f 0
    const fAt = (p: number[]) => {
      const u = p[0] - 1;
      const v = p[1] + 2;
      return u * u + (v * v) / 2 + u ** 4 / 10 + (Math.exp(u) * v * v) / 20;
    };
    const curved = (bounds: Polytope) => {
      const seen: number[][] = [];
      const value = (x: Float64Array, g: Float64Array) => {
        seen.push(Array.from(x));
        const u = x[0] - 1;
        const v = x[1] + 2;
        const ex = Math.exp(u);
        g[0] = 2 * u + 0.4 * u ** 3 + (ex * v * v) / 20;
        g[1] = v + (ex * v) / 10;
        return u * u + (v * v) / 2 + u ** 4 / 10 + (ex * v * v) / 20;
      };
      const r = minimize(value, Float64Array.of(2.5, 0.5), bounds, (x, g, h) => {
        const u = x[0] - 1;
        const v = x[1] + 2;
        const ex = Math.exp(u);
        h[0] = 2 + 1.2 * u * u + (ex * v * v) / 20;
        h[1] = h[2] = (ex * v) / 10;
        h[3] = 1 + ex / 10;
        return value(x, g);
      });
      return { r, seen, f: value(r.x, new Float64Array(2)) };
    };

    it("inside the bounds: the optimum, its f the model's to 1e-15, the last point never evaluated", () => {
      const { r, seen, f } = curved(box([-10, -10], [10, 10]));
      expect(r.status).toBe(FIT_STATUS.CONVERGED);
      expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-7);
      expect(Math.abs(r.x[1] + 2)).toBeLessThan(1e-7);
      expect(Math.abs(r.f - f)).toBeLessThan(1e-15);
      expect(seen.slice(0, -1).some((p) => p[0] === r.x[0] && p[1] === r.x[1])).toBe(false);
      expect(f).toBeLessThanOrEqual(Math.min(...seen.slice(0, -1).map(fAt)));
    });

    it('with a bound active at the optimum: every point evaluated, the last step too', () => {
      // y <= -2.5: the optimum on the bound, (x*, -2.5)
      const { r, seen } = curved(box([-10, -10], [10, -2.5]));
      expect(r.status).toBe(FIT_STATUS.CONVERGED);
      expect(r.x[1]).toBe(-2.5);
      expect(seen.slice(0, -1).some((p) => p[0] === r.x[0] && p[1] === r.x[1])).toBe(true);
    });
  });

  it('the QP step: a singular B gives no step rather than reading past its working set', () => {
    // B = 0 (singular), no constraints: the KKT system fails with an empty working set
    const d = qpStep(new Float64Array(4), Float64Array.of(1, 1), new Float64Array(0), new Float64Array(0), 0, 2);
    expect(Array.from(d)).toEqual([0, 0]);
  });
});
