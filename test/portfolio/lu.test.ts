/**
 * The QP solver's dense LU (src/backends/reference/portfolio/portfolio-qp.ts): luSolve solves A x = b and
 * luSolveTransposed A' x = b from the same factors (the vertex solve's multipliers), with row exchanges.
 */
import { expect, it } from 'vitest';
import { luFactor, luSolve, luSolveTransposed } from '../../src/backends/reference/portfolio/portfolio-qp.js';
import { rng } from './kkt.js';

/** max_i |sum_j M(i, j) x_j - b_i|, M = A or its transpose. */
function residual(A: Float64Array, s: number, x: Float64Array, b: Float64Array, transposed: boolean): number {
  let worst = 0;
  for (let i = 0; i < s; i++) {
    let r = -b[i];
    for (let j = 0; j < s; j++) r += (transposed ? A[j * s + i] : A[i * s + j]) * x[j];
    worst = Math.max(worst, Math.abs(r));
  }
  return worst;
}

it("luSolve and luSolveTransposed: A x = b and A' x = b from one factorization, rows exchanged", () => {
  const rand = rng(11);
  for (const s of [1, 2, 5, 9]) {
    // a small diagonal: partial pivoting exchanges rows
    const A = Float64Array.from({ length: s * s }, (_, k) => (k % (s + 1) === 0 ? 1e-3 : 1) * (rand() - 0.5));
    const LU = A.slice();
    const perm = new Int32Array(s);
    expect(luFactor(LU, s, perm)).toBe(true);
    if (s > 1) expect(Array.from(perm)).not.toEqual(Array.from({ length: s }, (_, i) => i));
    const b = Float64Array.from({ length: s }, () => rand() - 0.5);
    const x = new Float64Array(s);
    luSolve(LU, s, perm, b, x);
    expect(residual(A, s, x, b, false)).toBeLessThan(1e-12);
    const scratch = b.slice();
    luSolveTransposed(LU, s, perm, scratch, x);
    expect(residual(A, s, x, b, true)).toBeLessThan(1e-12);
  }
  // singular: refused
  expect(luFactor(Float64Array.of(1, 2, 2, 4), 2, new Int32Array(2))).toBe(false);
});
