// The risk kernels' shared data checks and complete-rows filter (risk*.cpp): the fault of an element, with the
// columns as `previous` so that faults.ts can name its row and column. And the historical VaR of one
// sample, shared by valueAtRisk and monteCarloVar.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <vector>

#include "memory.hpp"
#include "parallel.hpp"
#include "status.hpp"

namespace kernelbus::risk::detail {

inline Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkReturns(): every return finite or NaN, else the fault at the first infinite one (row-major);
// `missing`, when given, says whether any is NaN (found in the same pass). Blocks of 256 values are
// tested without a branch (a loop that vectorizes), chunks of 2^18 values on the threads; the block
// with an infinity is scanned again for the first one.
inline Status checkReturns(const double* returns, size_t n, size_t cols, bool* missing = nullptr) {
  constexpr size_t kBlock = 256, kChunk = size_t{1} << 18;
  // a chunk's first infinite value (end: none), and whether it holds a NaN before it
  const auto scan = [returns](size_t begin, size_t end, bool& nan) {
    for (size_t from = begin; from < end; from += kBlock) {
      const size_t to = from + kBlock < end ? from + kBlock : end;
      bool infinite = false;
      for (size_t i = from; i < to; i++) {
        infinite |= std::fabs(returns[i]) == INFINITY;
        nan |= returns[i] != returns[i];
      }
      if (!infinite) continue;
      for (size_t i = from; i < to; i++) {
        if (std::fabs(returns[i]) == INFINITY) return i;
      }
    }
    return end;
  };
  std::atomic<bool> nan{false};  // a chunk that holds one says so (any order: only whether)
  const size_t first = parallelFirst(n, kChunk, [&](size_t begin, size_t end) {
    bool found = false;
    const size_t at = scan(begin, end, found);
    if (found) nan.store(true, std::memory_order_relaxed);
    return at;
  });
  if (first < n) return fault(Fault::ReturnNotFinite, first, returns[first], cols);
  if (missing) *missing = nan.load(std::memory_order_relaxed);
  return Status{};
}

// checkWeights(): every weight finite, else the fault at the first that is not (cols per portfolio).
inline Status checkWeights(const double* weights, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(weights[i])) return fault(Fault::WeightNotFinite, i, weights[i], cols);
  }
  return Status{};
}

/// Rows of returns a kernel works on: written once each (not zeroed first), in huge pages when large.
using Rows = std::vector<double, UninitAllocator<double>>;

// completeRows(): the rows of x without a NaN, copied row-major into `kept`; their count.
inline size_t completeRows(const double* x, size_t rows, size_t cols, Rows& kept) {
  kept.resize(rows * cols);
  size_t n = 0;
  for (size_t t = 0; t < rows; t++) {
    const double* row = x + t * cols;
    bool complete = true;
    for (size_t c = 0; c < cols; c++) complete &= row[c] == row[c];
    if (!complete) continue;
    std::copy(row, row + cols, kept.data() + n * cols);
    n++;
  }
  kept.resize(n * cols);  // exactly the complete rows
  return n;
}

// centreColumns(): the n rows of `from` (n x cols, row-major, n >= 1) less their column means, into `to`
// (which may be `from`), the means into `mean`. Each mean is summed over the rows in order and divided
// by n, as the reference; blocks of columns, then blocks of rows, are shared out between the threads
// (the same bits for any number of threads), and each row of `to` is written once.
inline void centreColumns(const double* from, double* to, size_t n, size_t cols, std::vector<double>& mean) {
  mean.assign(cols, 0.0);
  parallelFor(cols, std::max<size_t>(64, 262144 / (n + 1)), [&](size_t c0, size_t c1) {
    for (size_t t = 0; t < n; t++) {
      const double* row = from + t * cols;
      for (size_t i = c0; i < c1; i++) mean[i] += row[i];
    }
    for (size_t i = c0; i < c1; i++) mean[i] /= static_cast<double>(n);
  });
  parallelFor(n, std::max<size_t>(1, 65536 / (cols + 1)), [&](size_t t0, size_t t1) {
    for (size_t t = t0; t < t1; t++) {
      const double* row = from + t * cols;
      double* out = to + t * cols;
      for (size_t i = 0; i < cols; i++) out[i] = row[i] - mean[i];
    }
  });
}

// historicalVar() of risk-common.ts: VaR and ES of the n >= 1 values of x (reordered), infinities
// included (valueAtRisk checks its returns first; a Monte Carlo P&L that overflowed is not an input fault).
void historicalVar(double* x, size_t n, double c, double& var, double& es, std::vector<double>& scratch);

}  // namespace kernelbus::risk::detail
