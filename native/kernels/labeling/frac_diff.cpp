// Fixed-width fractional differences (generated/labeling.hpp declares them): the reference's
// src/backends/reference/labeling/fracdiff.ts in C++. The window's dot product is math::interleavedDot's
// order (four interleaved sums), four rows a pass (math::dotRows, an AVX2 copy through simd::run). Each
// row's window is its own, so a column's rows share out over the pool.
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "math/interleaved_dot.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace kernelbus::labeling {

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
      // row q's window starts at x + q: dotRows over rows one value apart
      simd::run<math::dotRows>(w.data(), column.data() + begin, size_t{1}, w.size(), end - begin, out + (width + begin) * cols + c, cols);
    });
  }
  return Status{};
}

}  // namespace kernelbus::labeling
