// The risk kernels' shared data checks and complete-rows filter (risk*.cpp): the fault of an element, with the
// columns as `previous` so that faults.ts can name its row and column. And the historical VaR of one
// sample, shared by valueAtRisk and monteCarloVar.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "parallel.hpp"
#include "status.hpp"

namespace kernelbus::risk::detail {

inline Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkReturns(): every return finite or NaN, else the fault at the first infinite one (row-major);
// `missing`, when given, says whether any is NaN (found in the same pass). Blocks of 256 values are
// tested without a branch (a loop that vectorizes); the block with an infinity is scanned again for the
// first one.
inline Status checkReturns(const double* returns, size_t n, size_t cols, bool* missing = nullptr) {
  constexpr size_t kBlock = 256;
  bool nan = false;
  for (size_t from = 0; from < n; from += kBlock) {
    const size_t to = from + kBlock < n ? from + kBlock : n;
    bool infinite = false;
    for (size_t i = from; i < to; i++) {
      infinite |= std::fabs(returns[i]) == INFINITY;
      nan |= returns[i] != returns[i];
    }
    if (!infinite) continue;
    for (size_t i = from; i < to; i++) {
      if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
    }
  }
  if (missing) *missing = nan;
  return Status{};
}

// checkWeights(): every weight finite, else the fault at the first that is not (cols per portfolio).
inline Status checkWeights(const double* weights, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(weights[i])) return fault(Fault::WeightNotFinite, i, weights[i], cols);
  }
  return Status{};
}

// completeRows(): the rows without a NaN, copied row-major into `kept`; their count. `missing`:
// whether any value is NaN (checkReturns'); without one the rows are copied whole, in one pass.
inline size_t completeRows(const double* x, size_t rows, size_t cols, std::vector<double>& kept, bool missing) {
  if (!missing) {
    kept.assign(x, x + rows * cols);
    return rows;
  }
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

// centreColumns(): each column of d (n x cols, row-major, n >= 1) less its mean, into `mean` (cols). Each
// mean is summed over the rows in order and divided by n, as the reference; blocks of columns, then
// blocks of rows, are shared out between the threads (the same bits for any number of threads).
inline void centreColumns(double* d, size_t n, size_t cols, std::vector<double>& mean) {
  mean.assign(cols, 0.0);
  parallelFor(cols, std::max<size_t>(64, 262144 / (n + 1)), [&](size_t c0, size_t c1) {
    for (size_t t = 0; t < n; t++) {
      const double* row = d + t * cols;
      for (size_t i = c0; i < c1; i++) mean[i] += row[i];
    }
    for (size_t i = c0; i < c1; i++) mean[i] /= static_cast<double>(n);
  });
  parallelFor(n, std::max<size_t>(1, 65536 / (cols + 1)), [&](size_t t0, size_t t1) {
    for (size_t t = t0; t < t1; t++) {
      double* row = d + t * cols;
      for (size_t i = 0; i < cols; i++) row[i] -= mean[i];
    }
  });
}

// historicalVar() of risk-common.ts: VaR and ES of the n >= 1 values of x (reordered), infinities
// included (valueAtRisk checks its returns first; a Monte Carlo P&L that overflowed is not an input fault).
void historicalVar(double* x, size_t n, double c, double& var, double& es, std::vector<double>& scratch);

}  // namespace kernelbus::risk::detail
