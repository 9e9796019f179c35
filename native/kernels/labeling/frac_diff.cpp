// Fixed-width fractional differences (generated/labeling.hpp declares them): the reference's
// src/backends/reference/labeling/fracdiff.ts in C++. The window's dot product keeps four interleaved sums (weight k in sum
// k mod 4), added as (s0 + s1) + (s2 + s3): the reference's order, which a vector of four lanes
// computes as it stands. Each row's window is its own, so a column's rows share out over the pool.
#include <cmath>
#include <vector>

#include "labeling.hpp"
#include "parallel.hpp"

namespace kernelbus::labeling {

namespace {

/// sum over k < n of w[k] x[k], in the four sums' order (fracdiff.ts weightedWindow).
double weightedWindow(const double* w, const double* x, size_t n) {
  double s0 = 0;
  double s1 = 0;
  double s2 = 0;
  double s3 = 0;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += w[k] * x[k];
    s1 += w[k + 1] * x[k + 1];
    s2 += w[k + 2] * x[k + 2];
    s3 += w[k + 3] * x[k + 3];
  }
  if (k < n) s0 += w[k] * x[k];
  if (k + 1 < n) s1 += w[k + 1] * x[k + 1];
  if (k + 2 < n) s2 += w[k + 2] * x[k + 2];
  return s0 + s1 + (s2 + s3);
}

/// Rows r .. r + 3's windows at once (x = the column from row r's window start): each row its own four
/// sums in weightedWindow's order, so the same bits; the four rows share each weight's load and give
/// the adds sixteen independent chains.
void weightedWindows4(const double* w, const double* x, size_t n, double* out, size_t stride) {
  double s[4][4] = {};
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    for (size_t q = 0; q < 4; q++) {
      for (size_t l = 0; l < 4; l++) s[q][l] += w[k + l] * x[q + k + l];
    }
  }
  for (size_t q = 0; q < 4; q++) {
    if (k < n) s[q][0] += w[k] * x[q + k];
    if (k + 1 < n) s[q][1] += w[k + 1] * x[q + k + 1];
    if (k + 2 < n) s[q][2] += w[k + 2] * x[q + k + 2];
    out[q * stride] = s[q][0] + s[q][1] + (s[q][2] + s[q][3]);
  }
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
      for (size_t r = width + begin; r < width + end; r++)
        out[r * cols + c] = weightedWindow(w.data(), column.data() + r - width, w.size());
    });
  }
  return Status{};
}

}  // namespace kernelbus::labeling
