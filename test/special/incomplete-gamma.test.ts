/**
 * The regularized incomplete gamma functions P(a, x), Q(a, x) and the inverse of Q (src/math/
 * incomplete-gamma.ts: the generalized error distribution's quantile and tail) against mpmath at 50
 * digits (test/fixtures/incomplete-gamma.json, scripts/incomplete-gamma-values.py), for a from 0.002
 * to 100 and x from 1e-300 to 700. Tolerances, relative where the value is above 1e-290 (else 1e-300
 * absolute): P and Q 1e-15 (50 + |a ln x| + x + |log Gamma(a)|), the front factor x^a e^-x / Gamma(a)'s ulps
 * (7e-13 at x = 700), and Q for a < 1 2e-13 (log Gamma(1 + a)'s absolute 1e-15 over a Q of 0.002); the
 * inverse's x 5e-14 (1 + its condition number), and for a < 1 x^a (the GED's quantile) likewise.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gammaP, gammaQ, gammaQInverse, logGammaPositive } from '../../src/math/incomplete-gamma.js';
import { logGamma } from '../../src/math/gamma.js';

const values = JSON.parse(readFileSync(new URL('../fixtures/incomplete-gamma.json', import.meta.url), 'utf8')) as {
  pq: [number, number, number, number][];
  inverse: [number, number, number][];
};

function expectNear(actual: number, expected: number, rtol: number, what: string): void {
  if (Math.abs(expected) < 1e-290) expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(1e-300);
  else expect(Math.abs(actual - expected) / Math.abs(expected), what).toBeLessThanOrEqual(rtol);
}

/** P's and Q's tolerance at (a, x) (see the module comment). */
function pqTolerance(a: number, x: number): number {
  return Math.max(1e-15 * (50 + Math.abs(a * Math.log(x)) + x + Math.abs(logGammaPositive(a))), a < 1 ? 2e-13 : 0);
}

describe('incomplete gamma', () => {
  it.each(values.pq)('P and Q at a = %s, x = %s against mpmath', (a, x, p, q) => {
    expectNear(gammaP(a, x), p, pqTolerance(a, x), 'P');
    expectNear(gammaQ(a, x), q, pqTolerance(a, x), 'Q');
  });

  it.each(values.inverse)('the inverse of Q at a = %s, q = %s against mpmath', (a, q, x) => {
    const got = gammaQInverse(a, q);
    if (x === 0) {
      expect(got).toBeLessThan(1e-300);
      return;
    }
    // x's condition number: Q / (x dQ/dx) = Q Gamma(a) / (x^a e^-x); x^a's is a times it
    const cond = q / Math.exp(a * Math.log(x) - x - logGammaPositive(a));
    expectNear(got, x, 5e-14 * (1 + cond), 'x');
    if (a < 1) expectNear(Math.exp(a * Math.log(got)), Math.exp(a * Math.log(x)), 5e-14 * (1 + a * cond), 'x^a');
  });

  it('has the closed form Q(1, x) = e^-x and its inverse, and P + Q = 1', () => {
    for (const x of [1e-8, 0.1, 1, 5, 40]) {
      expect(Math.abs(gammaQ(1, x) - Math.exp(-x)) / Math.exp(-x)).toBeLessThan(2e-15);
      // q = e^-x rounded: x's condition number 1 / x (the closed form's own)
      expect(Math.abs(gammaQInverse(1, Math.exp(-x)) - x) / x).toBeLessThan(1e-15 * (4 + 1 / x));
      expect(Math.abs(gammaP(0.7, x) + gammaQ(0.7, x) - 1)).toBeLessThan(4e-16);
    }
  });

  it('takes edges and refuses what is not a number of its domain with NaN', () => {
    expect([gammaP(2, 0), gammaQ(2, 0), gammaP(2, Infinity), gammaQ(2, Infinity)]).toEqual([0, 1, 1, 0]);
    expect([gammaQInverse(2, 0), gammaQInverse(2, 1)]).toEqual([Infinity, 0]);
    // the fuzz target's finds (native/fuzz/seeds/fuzz_special/gamma-*): a subnormal a (P's series took
    // 1 / a, Infinity) and an infinite a (NaN inside the domain: it is now outside)
    expect(gammaP(5e-324, 4.3368086899420177e-15)).toBe(1);
    expect(gammaQ(5e-324, 4.3368086899420177e-15)).toBeLessThan(1e-300);
    expect(gammaP(5e-324, 5e-324)).toBeGreaterThanOrEqual(0);
    expect([gammaP(Infinity, 1), gammaQ(Infinity, 1), gammaQInverse(Infinity, 0.5)]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    for (const [a, x] of [
      [0, 1],
      [-1, 1],
      [1, -1],
      [Number.NaN, 1],
      [1, Number.NaN],
    ])
      expect([gammaP(a, x), gammaQ(a, x)]).toEqual([Number.NaN, Number.NaN]);
    for (const [a, q] of [
      [0, 0.5],
      [1, -0.1],
      [1, 1.1],
      [1, Number.NaN],
    ])
      expect(gammaQInverse(a, q)).toBeNaN();
  });

  it('takes log Gamma below 1 by the recurrence: logGamma within rounding, Lanczos only', () => {
    for (const a of [0.002, 0.1, 0.3, 0.5, 0.9, 1, 3.5])
      expect(Math.abs(logGammaPositive(a) - logGamma(a))).toBeLessThan(4e-15 * Math.max(1, Math.abs(logGamma(a))));
  });
});
