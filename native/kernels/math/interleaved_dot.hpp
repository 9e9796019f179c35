// A dot product in a fixed order that vector lanes compute as written (src/math/interleaved-dot.ts):
// term i in sum i mod 4, the four added as (s0 + s1) + (s2 + s3). dotRows() computes it for many rows
// at once, four a pass (fracDiff's windows, a margin book's P&L), through simd::run.
#pragma once

#include <cstddef>

#include "simd.hpp"

namespace kernelbus::math {

KERNELBUS_VECTOR_BODY double interleavedDot(const double* a, const double* b, size_t n) {
  double s0 = 0;
  double s1 = 0;
  double s2 = 0;
  double s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  if (i < n) s0 += a[i] * b[i];
  if (i + 1 < n) s1 += a[i + 1] * b[i + 1];
  if (i + 2 < n) s2 += a[i + 2] * b[i + 2];
  return s0 + s1 + (s2 + s3);
}

/// out[r outStride] = interleavedDot(a, rows + r rowStride, n) for r < count, the same bits, four rows a
/// pass: each row's four sums one vector of four lanes, the four rows sharing each load of a: four
/// independent chains of vector adds (a single row's four sums wait on one add's latency per four terms).
/// For simd::run: GCC and clang's vector extension, whose four lanes are one AVX2 register in that copy
/// (written as plain arrays, GCC kept the sums in memory: 1.6 G multiply-adds/s against 6.2 G).
/// rowStride 1 is a sliding window (fracDiff), rowStride n a matrix's rows (a margin book's P&L).
KERNELBUS_VECTOR_BODY void dotRows(const double* a, const double* rows, size_t rowStride, size_t n, size_t count, double* out,
                                   size_t outStride) {
  size_t r = 0;
#if defined(__GNUC__) || defined(__clang__)
  typedef double Lanes __attribute__((vector_size(32)));
  for (; r + 4 <= count; r += 4) {
    const double* y[4] = {rows + r * rowStride, rows + (r + 1) * rowStride, rows + (r + 2) * rowStride, rows + (r + 3) * rowStride};
    Lanes s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
      Lanes w, v0, v1, v2, v3;
      __builtin_memcpy(&w, a + k, sizeof w);
      __builtin_memcpy(&v0, y[0] + k, sizeof w);
      __builtin_memcpy(&v1, y[1] + k, sizeof w);
      __builtin_memcpy(&v2, y[2] + k, sizeof w);
      __builtin_memcpy(&v3, y[3] + k, sizeof w);
      s0 += w * v0;
      s1 += w * v1;
      s2 += w * v2;
      s3 += w * v3;
    }
    const Lanes sums[4] = {s0, s1, s2, s3};
    for (size_t q = 0; q < 4; q++) {
      double t[4] = {sums[q][0], sums[q][1], sums[q][2], sums[q][3]};
      for (size_t l = 0; k + l < n; l++) t[l] += a[k + l] * y[q][k + l];
      out[(r + q) * outStride] = t[0] + t[1] + (t[2] + t[3]);
    }
  }
#endif
  for (; r < count; r++) out[r * outStride] = interleavedDot(a, rows + r * rowStride, n);
}

}  // namespace kernelbus::math
