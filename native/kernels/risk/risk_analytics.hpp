// The risk family's analytics kernels (issue 31): VaR backtesting (risk_backtest.cpp), drawdowns and
// calendar aggregation (risk_drawdown.cpp). Plain C++17 over pointers and lengths, row-major; follows
// src/backends/reference/risk/risk-backtest.ts and risk-drawdown.ts in the same order of floating-point
// operations. Output layouts: the descriptors in src/kernels/risk/risk-analytics.ts.
#pragma once

#include <array>
#include <cstddef>

#include "generated/risk.hpp"
#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::risk {

/// rolling's statistics, in the order of ROLLING_STATS (src/kernels/risk/risk-analytics.ts): bit s of the mask.
enum RollingStat : unsigned {
  kRollSharpe,
  kRollSortino,
  kRollVolatility,
  kRollMaxDrawdown,
  kRollBeta,
  kRollAlpha,
  kRollUpCapture,
  kRollDownCapture,
  kRollHistoricalVar,
  kRollGaussianVar,
  kRollingStatCount
};
/// The statistics that read the benchmark.
constexpr unsigned kRollBenchmarkMask = (1u << kRollBeta) | (1u << kRollAlpha) | (1u << kRollUpCapture) | (1u << kRollDownCapture);
/// rolling: rows x cols per requested statistic (0 values for one not requested: its pointer is null).
struct RollingOut {
  double *sharpe, *sortino, *volatility, *maxDrawdown, *beta, *alpha, *upCapture, *downCapture, *historicalVar, *gaussianVar;
};
inline std::array<size_t, kRollingStatCount> rollingParts(size_t rows, size_t cols, unsigned mask) {
  std::array<size_t, kRollingStatCount> parts;
  for (size_t s = 0; s < kRollingStatCount; s++) parts[s] = (mask >> s) & 1u ? cells(rows, cols) : 0;
  return parts;
}
inline size_t rollingLength(size_t rows, size_t cols, unsigned mask) { return total(rollingParts(rows, cols, mask)); }
inline RollingOut rollingOut(double* out, size_t rows, size_t cols, unsigned mask) {
  const auto parts = rollingParts(rows, cols, mask);
  auto p = split(out, parts);
  for (size_t s = 0; s < kRollingStatCount; s++)
    if (parts[s] == 0) p[s] = nullptr;
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]};
}

/// Each requested statistic (mask: bits of RollingStat) over the trailing `window` dates of each
/// column, rows x cols, the first window - 1 rows NaN; `benchmark` rows values (all NaN when none was
/// given; null: the same), finite or NaN (the API checks).
Status rolling(const double* returns, size_t rows, size_t cols, const double* benchmark, size_t window, unsigned mask,
               double periodsPerYear, double riskFree, double confidence, double* out);

/// The DQ test's regressor sets (DQ_REGRESSOR_SETS in src/kernels/risk/risk-analytics.ts).
enum DqRegressors : int { kDqGas = 0, kDqHits = 1 };

/// drawdowns' conventions (DRAWDOWN_CONVENTIONS in src/kernels/risk/risk-analytics.ts).
enum DrawdownConvention : int { kPerformanceAnalytics = 0, kPyfolio = 1 };

}  // namespace kernelbus::risk
