// A dot product in a fixed order that vector lanes compute as written (src/math/interleaved-dot.ts):
// term i in sum i mod 4, the four added as (s0 + s1) + (s2 + s3). Inlined into each simd::run copy
// that calls it (fracDiff's windows) and into plain loops (a margin book's P&L).
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

}  // namespace kernelbus::math
