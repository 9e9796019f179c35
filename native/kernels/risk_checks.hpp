// The risk kernels' shared data checks and complete-rows filter (risk*.cpp): the fault of an element, with the
// columns as `previous` so that faults.ts can name its row and column. And the historical VaR of one
// sample, shared by valueAtRisk and monteCarloVar.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "status.hpp"

namespace kernelbus::risk::detail {

inline Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkReturns(): every return finite or NaN, else the fault at the first infinite one (row-major).
// Blocks of 256 values are tested without a branch (a loop that vectorizes); the block with an
// infinity is scanned again for the first one.
inline Status checkReturns(const double* returns, size_t n, size_t cols) {
  constexpr size_t kBlock = 256;
  for (size_t from = 0; from < n; from += kBlock) {
    const size_t to = from + kBlock < n ? from + kBlock : n;
    bool infinite = false;
    for (size_t i = from; i < to; i++) infinite |= std::fabs(returns[i]) == INFINITY;
    if (!infinite) continue;
    for (size_t i = from; i < to; i++) {
      if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
    }
  }
  return Status{};
}

// checkWeights(): every weight finite, else the fault at the first that is not (cols per portfolio).
inline Status checkWeights(const double* weights, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(weights[i])) return fault(Fault::WeightNotFinite, i, weights[i], cols);
  }
  return Status{};
}

// completeRows(): the rows without a NaN, copied row-major into `kept`; their count.
inline size_t completeRows(const double* x, size_t rows, size_t cols, std::vector<double>& kept) {
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

// historicalVar() of risk-common.ts: VaR and ES of the n >= 1 values of x (reordered), infinities
// included (valueAtRisk checks its returns first; a Monte Carlo P&L that overflowed is not an input fault).
void historicalVar(double* x, size_t n, double c, double& var, double& es, std::vector<double>& scratch);

}  // namespace kernelbus::risk::detail
