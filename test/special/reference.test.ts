/**
 * Accuracy of src/math/special.ts against mpmath (test/fixtures/special-values.json, written by
 * scripts/special-values.py; each value is stored as a double pair [hi, lo] so that errors are measured
 * below one ulp), and its edge values. Every bound is the stated accuracy of the function's JSDoc.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf, normalQuantile, normalSf, studentTCdf, studentTQuantile, studentTSf } from '../../src/math/special.js';

interface Fixture {
  source: string;
  /** [x, Phi(x) hi, lo, 1 - Phi(x) hi, lo, phi(x) hi, lo] */
  normal: number[][];
  /** [p, Phi^-1(p) hi, lo] */
  normalQuantile: number[][];
  /** [t, nu, P(T <= t) hi, lo, P(T > t) hi, lo] */
  studentT: number[][];
  /** [p, nu, t_p hi, lo] */
  studentTQuantile: number[][];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('../fixtures/special-values.json', import.meta.url), 'utf8'));

/** Relative error of v against the reference hi + lo (exact to about 1e-3 ulp); 0 for v === hi === 0. */
function relErr(v: number, hi: number, lo: number): number {
  if (v === hi && lo === 0) return 0;
  return Math.abs((v - hi - lo) / hi);
}

/** The largest relative error over rows (those for which pick returns a triple), and where it is. */
function worst(rows: number[][], pick: (r: number[]) => [number, number, number] | null): { err: number; at: number[] } {
  let err = 0;
  let at: number[] = [];
  let count = 0;
  for (const r of rows) {
    const z = pick(r);
    if (!z) continue;
    count++;
    const e = relErr(...z);
    if (!(e <= err)) {
      err = e;
      at = r;
    }
  }
  expect(count).toBeGreaterThan(0);
  return { err, at };
}

function expectWorst(rows: number[][], bound: number, pick: (r: number[]) => [number, number, number] | null): void {
  const { err, at } = worst(rows, pick);
  expect(err, `worst at ${JSON.stringify(at)}`).toBeLessThanOrEqual(bound);
}

describe('fixture', () => {
  it('says how its values were computed', () => {
    expect(fixture.source).toMatch(/^mpmath 1\.3\.0, mp\.dps = 50, scripts\/special-values\.py/);
    expect(fixture.normal.length).toBeGreaterThan(1000);
    expect(fixture.studentT.length).toBeGreaterThan(3000);
  });
});

describe('normal distribution against mpmath', () => {
  const N = fixture.normal;
  it('normalCdf and normalSf: <= 1e-15 relative for |x| <= 5 (switch points, subnormal x, -0 included)', () => {
    expectWorst(N, 1e-15, (r) => (Math.abs(r[0]) <= 5 ? [normalCdf(r[0]), r[1], r[2]] : null));
    expectWorst(N, 1e-15, (r) => (Math.abs(r[0]) <= 5 ? [normalSf(r[0]), r[3], r[4]] : null));
  });

  it('normalCdf: <= 1e-15 relative in the lower tail down to -37 (stated 1e-13), normalSf the mirror', () => {
    expectWorst(N, 1e-15, (r) => (r[0] < -5 && r[0] >= -37 ? [normalCdf(r[0]), r[1], r[2]] : null));
    expectWorst(N, 1e-15, (r) => (r[0] > 5 && r[0] <= 37 ? [normalSf(r[0]), r[3], r[4]] : null));
    expectWorst(N, 1e-15, (r) => (r[0] > 5 ? [normalCdf(r[0]), r[1], r[2]] : null));
  });

  it('normalCdf: subnormal below -37.5 (to within 8 subnormal ulps), 0 from about -38.5', () => {
    for (const r of N) {
      if (r[0] >= -37) continue;
      const v = normalCdf(r[0]);
      if (r[1] >= 2.2250738585072014e-308) expect(relErr(v, r[1], r[2]), `x = ${r[0]}`).toBeLessThanOrEqual(1e-15);
      else expect(Math.abs(v - r[1] - r[2]), `x = ${r[0]}`).toBeLessThanOrEqual(4e-323);
      if (r[0] <= -38.5) expect(v).toBe(0);
    }
  });

  it('normalPdf: <= 1e-15 relative for |x| <= 37.5', () => {
    expectWorst(N, 1e-15, (r) => (Math.abs(r[0]) <= 37.5 ? [normalPdf(r[0]), r[5], r[6]] : null));
  });

  it('normalQuantile: <= 1e-15 relative for p from 5e-324 to 1 - 2^-53 (switch points included)', () => {
    expectWorst(fixture.normalQuantile, 1e-15, (r) => [normalQuantile(r[0]), r[1], r[2]]);
  });
});

describe('Student t against mpmath', () => {
  const T = fixture.studentT;
  const inRange = (r: number[]) => r[1] <= 1e6;
  it('covers nu from 0.1 to 1e6, the closed forms, and |t| up to 1e3 with tails below 1e-300', () => {
    const nus = new Set(T.map((r) => r[1]));
    for (const nu of [0.1, 0.5, 1, 1.5, 2, 3, 4, 5, 10, 30, 100, 1e3, 1e4, 1e5, 1e6]) expect(nus.has(nu), `nu = ${nu}`).toBe(true);
    expect(T.some((r) => r[2] > 0 && r[2] < 1e-295)).toBe(true);
    expect(T.some((r) => r[0] === -1000)).toBe(true);
  });

  it('studentTCdf and studentTSf: <= 1e-14 relative where the value is >= 1e-300 (stated 1e-13)', () => {
    expectWorst(T, 1e-14, (r) => (inRange(r) && r[2] >= 1e-300 ? [studentTCdf(r[0], r[1]), r[2], r[3]] : null));
    expectWorst(T, 1e-14, (r) => (inRange(r) && r[4] >= 1e-300 ? [studentTSf(r[0], r[1]), r[4], r[5]] : null));
  });

  it('studentTCdf: below 1e-14 relative for nu > 1e6 too (1e7 .. 1e29 by the same series, 1e31 the normal)', () => {
    expectWorst(T, 1e-14, (r) => (r[1] > 1e6 && r[2] >= 1e-300 ? [studentTCdf(r[0], r[1]), r[2], r[3]] : null));
  });

  it('studentTCdf: values below 1e-300 lose only their subnormal digits', () => {
    for (const r of T) {
      if (!(r[2] < 1e-300)) continue;
      expect(Math.abs(studentTCdf(r[0], r[1]) - r[2] - r[3])).toBeLessThanOrEqual(1e-14 * r[2] + 1e-322);
    }
  });

  it('studentTQuantile: <= 1e-14 relative (nu >= 1 measured 7e-16; nu < 1 amplifies the CDF rounding by ~1/nu)', () => {
    const Q = fixture.studentTQuantile;
    expectWorst(Q, 2e-15, (r) => (r[1] >= 1 ? [studentTQuantile(r[0], r[1]), r[2], r[3]] : null));
    expectWorst(Q, 1e-14, (r) => (r[1] < 1 ? [studentTQuantile(r[0], r[1]), r[2], r[3]] : null));
  });

  it('studentTQuantile round trips through studentTCdf to the rounding of t (about |t f(t) / tau| ulps)', () => {
    for (const nu of [0.1, 0.5, 1, 1.5, 2, 3, 4, 5, 10, 30, 100, 1e3, 1e4, 1e5, 1e6, 1e9]) {
      for (const q of [1e-300, 1e-150, 1e-50, 1e-20, 1e-8, 1e-3, 0.01, 0.1, 0.2, 0.25, 0.3, 0.4, 0.49, 0.4999999]) {
        const t = studentTQuantile(q, nu);
        if (!Number.isFinite(t)) continue; // nu < 1: beyond the double range
        const back = studentTCdf(t, nu);
        // |d log P / d log t| is below 2 |log q| + 1 (below nu in the tail of small nu)
        expect(Math.abs(back / q - 1), `q = ${q}, nu = ${nu}`).toBeLessThanOrEqual(2e-15 + 2.5e-16 * (2 * Math.abs(Math.log(q)) + 1));
        const upper = 1 - q; // the mirror image of its exact complement
        expect(studentTQuantile(upper, nu)).toBe(-studentTQuantile(1 - upper, nu));
      }
    }
  });
});

describe('closed forms and the general series agree', () => {
  it('studentTCdf at nu = 1, 2, 4 is continuous with nu (1 +- 1e-12)', () => {
    for (const nu of [1, 2, 4]) {
      for (const t of [-1e3, -30, -3, -1, -0.3, 0.01, 0.5, 2, 10, 200]) {
        const c = studentTCdf(t, nu);
        for (const n2 of [nu * (1 - 1e-12), nu * (1 + 1e-12)]) {
          expect(Math.abs(studentTCdf(t, n2) / c - 1), `t = ${t}, nu = ${n2}`).toBeLessThan(1e-10);
        }
      }
    }
  });

  it('studentTQuantile at nu = 1, 2, 4 is continuous with nu', () => {
    for (const nu of [1, 2, 4]) {
      for (const p of [1e-200, 1e-10, 0.01, 0.2, 0.3, 0.45, 0.55, 0.9, 1 - 1e-12]) {
        const t = studentTQuantile(p, nu);
        expect(Math.abs(studentTQuantile(p, nu * (1 + 1e-12)) / t - 1), `p = ${p}, nu = ${nu}`).toBeLessThan(1e-9);
      }
    }
  });

  it('nu >= 1e30 and nu = Infinity are the normal', () => {
    for (const t of [-37, -5, -0.5, 0, 1e-8, 2, 9]) {
      expect(studentTCdf(t, Infinity)).toBe(normalCdf(t));
      expect(studentTCdf(t, 1e30)).toBe(normalCdf(t));
      expect(Math.abs(studentTCdf(t, 1e29) - normalCdf(t))).toBeLessThanOrEqual(1e-15 * normalCdf(t));
    }
    for (const p of [1e-300, 0.025, 0.5, 0.975]) expect(studentTQuantile(p, Infinity)).toBe(normalQuantile(p));
  });

  it('CDFs are monotone across the switch points of their methods', () => {
    for (const nu of [0.1, 0.7, 1.9, 2.01, 3, 29.9, 30, 30.1, 31, 1e3, 1e6]) {
      let prev = 0;
      for (let k = -4000; k <= 4000; k++) {
        const t = Math.sign(k) * 10 ** (-3 + (6 * Math.abs(k)) / 4000);
        const c = studentTCdf(t, nu);
        expect(c, `t = ${t}, nu = ${nu}`).toBeGreaterThanOrEqual(prev);
        prev = c;
      }
    }
    let prev = 0;
    for (let x = -40; x <= 10; x += 1 / 1024) {
      expect(normalCdf(x)).toBeGreaterThanOrEqual(prev);
      prev = normalCdf(x);
    }
  });
});

describe('edge values', () => {
  it('normal: 0, -0, subnormals, infinities, NaN', () => {
    for (const f of [normalCdf, normalSf]) {
      expect(f(0)).toBe(0.5);
      expect(f(-0)).toBe(0.5);
      expect(f(5e-324)).toBe(0.5);
      expect(f(-5e-324)).toBe(0.5);
      expect(f(NaN)).toBeNaN();
    }
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalSf(-Infinity)).toBe(1);
    expect(normalSf(Infinity)).toBe(0);
    expect(normalCdf(-1e300)).toBe(0);
    expect(normalCdf(1e300)).toBe(1);
    expect(normalPdf(0)).toBe(0.3989422804014327);
    expect(normalPdf(-0)).toBe(0.3989422804014327);
    expect(normalPdf(Infinity)).toBe(0);
    expect(normalPdf(-Infinity)).toBe(0);
    expect(normalPdf(NaN)).toBeNaN();
    for (const x of [-3.7, -0.2, 1.1, 8]) expect(normalSf(x)).toBe(normalCdf(-x));
  });

  it('normalQuantile: 0, 1, 0.5, subnormal p, out of range and NaN', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(5e-324)).toBeCloseTo(-38.4674056, 6);
    for (const p of [-1e-300, -0.5, 1 + 2 ** -52, 2, NaN, Infinity, -Infinity]) expect(normalQuantile(p)).toBeNaN();
  });

  it('studentTCdf: t and nu edges', () => {
    for (const nu of [0.1, 0.5, 1, 2, 3, 4, 1e6, 1e9, Infinity]) {
      expect(studentTCdf(0, nu)).toBe(0.5);
      expect(studentTCdf(-0, nu)).toBe(0.5);
      expect(studentTCdf(5e-324, nu)).toBe(0.5);
      expect(studentTCdf(-Infinity, nu)).toBe(0);
      expect(studentTCdf(Infinity, nu)).toBe(1);
      expect(studentTCdf(NaN, nu)).toBeNaN();
      expect(studentTSf(-Infinity, nu)).toBe(1);
      expect(studentTSf(3, nu)).toBe(studentTCdf(-3, nu));
      for (const t of [-1e300, -1e200, -1e20, 1e20, 1e200]) {
        const c = studentTCdf(t, nu);
        expect(c >= 0 && c <= 1, `t = ${t}, nu = ${nu}`).toBe(true);
      }
    }
    for (const nu of [0, -0, -1, -Infinity, NaN]) expect(studentTCdf(1, nu)).toBeNaN();
    // nu = 0.1: tails so heavy that P(T <= -1e300) is still about 1e-31
    const c = studentTCdf(-1e300, 0.1);
    expect(c).toBeGreaterThan(1e-33);
    expect(c).toBeLessThan(1e-29);
    expect(studentTCdf(-1e-310, 0.1)).toBe(0.5);
  });

  it('studentTQuantile: p and nu edges', () => {
    for (const nu of [0.1, 1, 2, 3, 4, 1e6, Infinity]) {
      expect(studentTQuantile(0, nu)).toBe(-Infinity);
      expect(studentTQuantile(1, nu)).toBe(Infinity);
      expect(studentTQuantile(0.5, nu)).toBe(0);
      for (const p of [-1e-300, 1.5, NaN]) expect(studentTQuantile(p, nu)).toBeNaN();
      expect(Number.isNaN(studentTQuantile(5e-324, nu))).toBe(false);
    }
    for (const nu of [0, -2, NaN]) expect(studentTQuantile(0.3, nu)).toBeNaN();
    // nu = 0.1: the 1e-300 quantile is about -1e3000, beyond the double range
    expect(studentTQuantile(1e-300, 0.1)).toBe(-Infinity);
    expect(studentTQuantile(1 - 1e-16, 0.1)).toBeGreaterThan(1e150);
    // nu < 1: central quantiles lie far out in the tail (found by fuzz_special): F(Q(p)) = p, or +-Infinity
    // exactly where the quantile is beyond the double range.
    for (const [p, nu] of [
      [0.49824277388966948, 1.3953640160730254e-5],
      [0.5446, 1.0002e-6],
      [0.7, 0.05],
      [0.3, 1e-3],
    ]) {
      const t = studentTQuantile(p, nu);
      if (Number.isFinite(t)) expect(Math.abs(studentTCdf(t, nu) - p)).toBeLessThan(1e-12 * Math.min(p, 1 - p));
      else expect(studentTCdf(Math.sign(t) * Number.MAX_VALUE, nu) - p).toSatisfy((d: number) => (t > 0 ? d < 0 : d > 0));
    }
    expect(studentTQuantile(0.7, 1e-6)).toBe(Infinity);
    expect(Number.isFinite(studentTQuantile(0.49824277388966948, 1.3953640160730254e-5))).toBe(true);
  });
});
