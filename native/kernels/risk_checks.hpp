// The risk kernels' shared data checks (risk.cpp, risk_cov.cpp): the fault of an element, with the
// columns as `previous` so that faults.ts can name its row and column.
#pragma once

#include <cmath>
#include <cstddef>

#include "status.hpp"

namespace kernelbus::risk::detail {

inline Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkReturns(): every return finite or NaN, else the fault at the first infinite one (row-major).
inline Status checkReturns(const double* returns, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
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

}  // namespace kernelbus::risk::detail
