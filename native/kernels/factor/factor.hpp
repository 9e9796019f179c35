// Factor family kernels (factor_scores.cpp: the panel scores; factor_returns.cpp: the regressions, factorReturns; factor_model.cpp:
// the risk model; factor_rows.hpp: what the first two share): plain C++17 over pointers and lengths,
// panels row-major T x N (rows = dates, cols = assets). Follows src/backends/reference/factor/factor.ts function for function, in the same
// order of floating-point operations (its header states toraniko's conventions). Faults are reported, never thrown (status.hpp: index = the
// element's row-major position, previous = the columns).
#pragma once

#include <array>
#include <cstddef>

#include "generated/factor.hpp"
#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::factor {

// Each kernel's output layout (the descriptor's `outputs` in src/kernels/factor/factor-kernels.ts), written
// once here: the length factor_entry.cpp requires of `out` (kTooLarge where it cannot fit in memory)
// and, for a kernel of several outputs, the parts of `out` (<kernel>Parts(): their sizes, in order),
// from which <kernel>Length() and the named pointers the kernels write through (<kernel>Out()) derive.
/// momentum: one panel (rows x cols); winsorize, standardize, size, value: generated/factor.hpp
inline size_t panelLength(size_t rows, size_t cols) { return cells(rows, cols); }
/// cov (K x K)
inline size_t factorCovarianceLength(size_t K) { return cells(K, K); }
/// variance (cols)
inline size_t specificRiskLength(size_t cols) { return cols; }

/// factorReturns: factor returns (rows x (1 + m + s): the market, m sectors, s styles), then residuals (rows x cols)
struct FactorReturnsOut {
  double *factorReturns, *residuals;
};
inline std::array<size_t, 2> factorReturnsParts(size_t rows, size_t cols, size_t m, size_t s) {
  return {cells(rows, plus(plus(1, m), s)), cells(rows, cols)};
}
inline size_t factorReturnsLength(size_t rows, size_t cols, size_t m, size_t s) { return total(factorReturnsParts(rows, cols, m, s)); }
inline FactorReturnsOut factorReturnsOut(double* out, size_t rows, size_t cols, size_t m, size_t s) {
  const auto [factorReturns, residuals] = split(out, factorReturnsParts(rows, cols, m, s));
  return {factorReturns, residuals};
}

/// Momentum scores (weights[window], oldest first; returns NaN or finite) into out[rows * cols].
Status momentum(const double* returns, size_t rows, size_t cols, const double* weights, size_t window, size_t lag, double winsorize,
                double* out);
/// Factor returns (rows x (1 + m + s)) then residuals (rows x cols) into out (factorReturnsOut()); sectors: cols codes, or
/// rows x cols when perDate; styles: s panels; winsorize < 0: off.
Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate, size_t m,
                     const double* const* styles, size_t s, double winsorize, bool residualize, double* out);

/// Factor covariance (factor_model.cpp) of the complete rows of f (rows x K) into out[K * K];
/// weights[rows] by date, `lags` Newey-West lags.
void factorCovariance(const double* f, size_t rows, size_t K, const double* weights, size_t lags, double* out);
/// Specific variance per asset into out[cols].
void specificRisk(const double* residuals, size_t rows, size_t cols, const double* weights, double* out);

}  // namespace kernelbus::factor
