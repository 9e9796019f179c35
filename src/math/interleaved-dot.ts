/**
 * A dot product in a fixed order that vector lanes compute as written: term i in sum i mod 4, the four
 * added as (s0 + s1) + (s2 + s3). The C++ twin is native/kernels/math/interleaved_dot.hpp; kernels that
 * sum this way (fracDiff's windows, a margin book's P&L) give the same bits on every backend.
 */
export function interleavedDot(a: Float64Array, aFrom: number, b: Float64Array, bFrom: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[aFrom + i] * b[bFrom + i];
    s1 += a[aFrom + i + 1] * b[bFrom + i + 1];
    s2 += a[aFrom + i + 2] * b[bFrom + i + 2];
    s3 += a[aFrom + i + 3] * b[bFrom + i + 3];
  }
  if (i < n) s0 += a[aFrom + i] * b[bFrom + i];
  if (i + 1 < n) s1 += a[aFrom + i + 1] * b[bFrom + i + 1];
  if (i + 2 < n) s2 += a[aFrom + i + 2] * b[bFrom + i + 2];
  return s0 + s1 + (s2 + s3);
}
