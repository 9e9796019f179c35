/**
 * varBacktest's dynamic quantile test in both forms (`dqRegressors`) against GAS's `DQOOStest`
 * (R/Testing.R of GAS 0.3.x, the regression on a constant, the VaR, 4 lagged hits and, in the current
 * form, the lagged squared return; MASS::ginv for the inverse) and against an independent least-squares
 * fit written here: X'X and X'Hit from the rows of X, solved by Gaussian elimination.
 *
 * The GAS values below were computed by GAS's DQOOStest as published (and the same function without
 * `vY2_lag` for 'hits'), run in R 4.2.2 with MASS 7.3-58 on these very series: the generator is exact
 * integer arithmetic (a Lehmer generator), so R drew the same doubles. GAS's VaR is the quantile, a
 * negative number: it was given -v.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/index.js';
import { chiSquareSf } from '../../src/math/chi-square.js';

const ref = kernels({ backend: 'reference' });
const P = 0.05;
const LAGS = 4;

/** u in (0, 1) from the Lehmer generator (seed * 16807 mod 2^31 - 1): exact in doubles. */
function uniforms(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 16807) % 2147483647;
    out[i] = seed / 2147483647;
  }
  return out;
}

/** n dates: r_t = a (2u - 1), v_t = v0 + dv u' (u, u' the generator's draws 2t and 2t + 1). */
function series(seed: number, n: number, a: number, v0: number, dv: number): { r: Float64Array; v: Float64Array } {
  const u = uniforms(seed, 2 * n);
  const r = new Float64Array(n);
  const v = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    r[t] = a * (2 * u[2 * t] - 1);
    v[t] = v0 + dv * u[2 * t + 1];
  }
  return { r, v };
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * y' X (X'X)^-1 X' y for X of the given columns (full rank): each column scaled to unit length (the
 * projection is the same, the normal equations better conditioned), X'X | X'y reduced by Gauss-Jordan
 * elimination with partial pivoting, then beta' X'y.
 */
function olsForm(columns: readonly number[][], y: readonly number[]): number {
  const X = columns.map((c) => {
    const norm = Math.sqrt(dot(c, c));
    return c.map((x) => x / norm);
  });
  const k = X.length;
  const Xy = X.map((c) => dot(c, y));
  const A = X.map((a, i) => [...X.map((b) => dot(a, b)), Xy[i]]);
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[pivot][c])) pivot = r;
    [A[c], A[pivot]] = [A[pivot], A[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  return A.reduce((s, row, c) => s + (row[k] / row[c]) * Xy[c], 0);
}

/**
 * GAS's regression written out from the series: Hit_t = 1{r_t < -v_t} - p over t = 4 .. n - 1, and the
 * columns 1, v_t, Hit_(t-1..t-4), r_(t-1)^2 (the last only for 'gas'), those in `drop` left out.
 */
function regression(r: Float64Array, v: Float64Array, gas: boolean, drop: readonly number[] = []) {
  const hit = Array.from(r, (x, t) => (x < -v[t] ? 1 : 0) - P);
  const rows = Array.from({ length: r.length - LAGS }, (_, i) => i + LAGS);
  const columns = [
    rows.map(() => 1),
    rows.map((t) => v[t]),
    ...[1, 2, 3, 4].map((lag) => rows.map((t) => hit[t - lag])),
    ...(gas ? [rows.map((t) => r[t - 1] ** 2)] : []),
  ].filter((_, j) => !drop.includes(j));
  return { columns, y: rows.map((t) => hit[t]) };
}

/** The statistic by olsForm over GAS's regression. */
function olsStat(r: Float64Array, v: Float64Array, gas: boolean, drop: readonly number[] = []): number {
  const { columns, y } = regression(r, v, gas, drop);
  return olsForm(columns, y) / (P * (1 - P));
}

function close(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected)));
}

/** varBacktest's DQ statistic and p-value of one series in one form, its p-value checked against its df. */
function dq(r: Float64Array, v: Float64Array, dqRegressors?: 'gas' | 'hits'): { stat: number; p: number } {
  const b = ref.varBacktest(r, v, dqRegressors ? { confidence: 1 - P, dqRegressors } : { confidence: 1 - P });
  const df = (dqRegressors ?? 'gas') === 'gas' ? 7 : 6;
  expect(b.dqPValue).toBe(chiSquareSf(b.dqStat, df));
  return { stat: b.dqStat, p: b.dqPValue };
}

// 500 dates of returns within +-6 % (26 exceptions): every regressor varies enough for ginv to keep it.
const WIDE = series(11, 500, 0.06, 0.05, 0.006);
// 500 dates within +-1 % (39 exceptions): y^2 varies so little that ginv leaves its direction out.
const NARROW = series(12, 500, 0.01, 0.006, 0.006);
// 300 dates within +-1 % against a constant VaR of 0.9 % (21 exceptions): X is singular.
const CONSTANT_VAR = series(13, 300, 0.01, 0.009, 0);

describe("varBacktest's DQ test against GAS's DQOOStest", () => {
  it("'gas' (the default) and 'hits' on a series where X'X is well conditioned: GAS's values, and least squares", () => {
    const { r, v } = WIDE;
    const gas = dq(r, v);
    expect(dq(r, v, 'gas')).toEqual(gas);
    const hits = dq(r, v, 'hits');
    // GAS: DQOOStest(y, -v, 0.05, 4) and its form without vY2_lag
    close(gas.stat, 15.811303552751401, 1e-9);
    close(gas.p, 0.026897353535675499, 1e-9);
    close(hits.stat, 15.2730284653765, 1e-9);
    close(hits.p, 0.018236218382164, 1e-9);
    close(gas.stat, olsStat(r, v, true), 1e-9);
    close(hits.stat, olsStat(r, v, false), 1e-9);
  });

  it("on a series with returns within 1 %: GAS's ginv leaves y^2's direction out, and so does varBacktest", () => {
    const { r, v } = NARROW;
    const gas = dq(r, v, 'gas');
    const hits = dq(r, v, 'hits');
    close(gas.stat, 70.654987356082799, 1e-9);
    close(hits.stat, 70.655039118831397, 1e-9);
    // R's 1 - pchisq loses the digits of p-values this small: the statistics above are the check
    close(gas.p, 1.08912878715728e-12, 1e-15);
    close(hits.p, 3.0009328355618001e-13, 1e-15);
    close(hits.stat, olsStat(r, v, false), 1e-9);
    // the least-squares statistic with y^2 is another number (71.027...): GAS's is not the full fit
    expect(olsStat(r, v, true) - gas.stat).toBeGreaterThan(0.3);
  });

  it('a constant VaR (X singular): the projection without the VaR column, the degrees of freedom still ncol(X)', () => {
    const { r, v } = CONSTANT_VAR;
    const gas = dq(r, v, 'gas');
    const hits = dq(r, v, 'hits');
    close(gas.stat, 9.0374470145550791, 1e-9);
    close(gas.p, 0.249978677431516, 1e-9);
    close(hits.stat, 9.03744703239642, 1e-9);
    close(hits.p, 0.171483003592379, 1e-9);
    close(hits.stat, olsStat(r, v, false, [1]), 1e-9);
    // y^2 of returns within 1 % is left out here too: the 'gas' statistic is the 'hits' one to 1e-8
    close(gas.stat, hits.stat, 1e-8);
  });

  it('no exception: every Hit is -p, in the constant span; y^2 of zero returns is a zero column', () => {
    const r = new Float64Array(250);
    const v = new Float64Array(250).fill(0.01);
    for (const form of ['gas', 'hits'] as const) close(dq(r, v, form).stat, (246 * P * P) / (P * (1 - P)), 1e-9);
  });

  it('a date with a NaN return or VaR is left out: the lag of y^2 is the date present before', () => {
    const { r, v } = WIDE;
    const missing = new Set([0, 7, 8, 100, 250, 499]);
    const r2 = new Float64Array(r.length + missing.size);
    const v2 = new Float64Array(r2.length);
    let t = 0;
    for (let i = 0; i < r2.length; i++) {
      if (missing.has(i)) {
        r2[i] = i % 2 === 0 ? NaN : -1;
        v2[i] = i % 2 === 0 ? 0.05 : NaN;
      } else {
        r2[i] = r[t];
        v2[i] = v[t++];
      }
    }
    for (const form of ['gas', 'hits'] as const) expect(dq(r2, v2, form)).toEqual(dq(r, v, form));
  });

  it('fewer than 5 dates: NaN in both forms', () => {
    const { r, v } = WIDE;
    for (const form of ['gas', 'hits'] as const) {
      const b = ref.varBacktest(r.subarray(0, 4), v.subarray(0, 4), { confidence: 0.95, dqRegressors: form });
      expect([b.dqStat, b.dqPValue]).toEqual([NaN, NaN]);
    }
  });
});
