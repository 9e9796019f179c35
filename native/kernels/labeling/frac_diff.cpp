// Fixed-width fractional differences (generated/labeling.hpp declares them): the reference's
// src/backends/reference/labeling/fracdiff.ts in C++. The window's dot product is math::interleavedDot's
// order (four interleaved sums), which a vector of four lanes computes as it stands (an AVX2 copy
// through simd::run). Each row's window is its own, so a column's
// rows share out over the pool.
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "math/interleaved_dot.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus::labeling {

namespace {

/// `count` rows' windows (row q's from x + q) into out[q stride], four rows a pass: each row its own four
/// sums in math::interleavedDot's order (the same bits), the four sharing each weight's load, sixteen
/// independent chains of adds. simd::run compiles it per level (four sums: one AVX2 vector a row).
KERNELBUS_VECTOR_BODY void windowRows(const double* w, const double* x, size_t n, size_t count, double* out, size_t stride) {
  size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    double s[4][4] = {};
    const double* y = x + r;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
      for (size_t q = 0; q < 4; q++) {
        for (size_t l = 0; l < 4; l++) s[q][l] += w[k + l] * y[q + k + l];
      }
    }
    for (size_t q = 0; q < 4; q++) {
      if (k < n) s[q][0] += w[k] * y[q + k];
      if (k + 1 < n) s[q][1] += w[k + 1] * y[q + k + 1];
      if (k + 2 < n) s[q][2] += w[k + 2] * y[q + k + 2];
      out[(r + q) * stride] = s[q][0] + s[q][1] + (s[q][2] + s[q][3]);
    }
  }
  for (; r < count; r++) out[r * stride] = math::interleavedDot(w, x + r, n);
}

}  // namespace

Status fracDiff(const double* x, size_t rows, size_t cols, double d, double threshold, double* out) {
  for (size_t i = 0; i < rows * cols; i++) {
    if (std::isinf(x[i])) return valueFault(ValueFault::XInfinite, i, x[i]);
  }
  if (rows > 0) {
    for (size_t c = 0; c < cols; c++) {
      if (std::isnan(x[c])) return valueFault(ValueFault::LeadingNan, c, NAN);
    }
  }
  const std::vector<double> w = fracDiffWeights(d, threshold, rows > 0 ? rows : 1);
  const size_t width = w.size() - 1;
  std::vector<double> column(rows);
  for (size_t c = 0; c < cols; c++) {
    // pandas' ffill: a NaN takes the value before it
    for (size_t r = 0; r < rows; r++) {
      const double v = x[r * cols + c];
      column[r] = std::isnan(v) ? column[r - 1] : v;
    }
    for (size_t r = 0; r < rows && r < width; r++) out[r * cols + c] = NAN;
    if (rows <= width) continue;
    // each row's window is its own: rows share out over the pool (at least ~64k multiply-adds a chunk)
    parallelFor(rows - width, 1 + (1 << 16) / w.size(), [&](size_t begin, size_t end) {
      simd::run<windowRows>(w.data(), column.data() + begin, w.size(), end - begin, out + (width + begin) * cols + c, cols);
    });
  }
  return Status{};
}

}  // namespace kernelbus::labeling
