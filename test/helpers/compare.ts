/**
 * Parity tolerance: float64 CPU backends agree with the reference to 1e-12 relative, measured against
 * the scale of the quantity (a bucket's volume for buy/sell volumes, 1 for VPIN and CDF, the value
 * itself otherwise). NaN matches NaN only.
 */
import { expect } from 'vitest';

export const PARITY_RTOL = 1e-12;

type Columns = Record<string, ArrayLike<number>>;

/** Asserts two column sets are equal within the parity tolerance, naming the first mismatch. */
export function expectColumnsClose(actual: Columns, expected: Columns, scale: Record<string, number> = {}): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    const a = actual[key];
    const e = expected[key];
    expect(a.length, `${key}.length`).toBe(e.length);
    const s = scale[key] ?? 0;
    for (let i = 0; i < e.length; i++) {
      const x = a[i];
      const y = e[i];
      if (Number.isNaN(y) || Number.isNaN(x)) {
        if (!(Number.isNaN(x) && Number.isNaN(y))) expect.fail(`${key}[${i}]: ${x} vs expected ${y}`);
        continue;
      }
      if (x === y) continue; // equal infinities included
      const tol = PARITY_RTOL * Math.max(Math.abs(x), Math.abs(y), s);
      if (!(Math.abs(x - y) <= tol)) expect.fail(`${key}[${i}]: ${x} vs expected ${y} (tolerance ${tol})`);
    }
  }
}
