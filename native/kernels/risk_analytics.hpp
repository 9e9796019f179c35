// The risk family's analytics kernels (issue 31): VaR backtesting (risk_backtest.cpp), drawdowns and
// calendar aggregation (risk_drawdown.cpp). Plain C++17 over pointers and lengths, row-major; follows
// src/backends/reference/risk-backtest.ts and risk-drawdown.ts in the same order of floating-point
// operations. Output layouts: the descriptors in src/kernels/risk-analytics.ts.
#pragma once

#include <array>
#include <cstddef>

#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::risk {

/// varBacktest: the exceptions (rows x cols), then one row of cols per statistic.
struct VarBacktestOut {
  double *exceptions, *count, *observations, *kupiecLR, *kupiecPValue, *independenceLR, *independencePValue, *conditionalCoverageLR,
      *conditionalCoveragePValue, *dqStat, *dqPValue, *windowExceptions, *windowObservations, *windowProbability, *zone;
};
inline std::array<size_t, 15> varBacktestParts(size_t rows, size_t cols) {
  std::array<size_t, 15> parts;
  parts.fill(cols);
  parts[0] = cells(rows, cols);
  return parts;
}
inline size_t varBacktestLength(size_t rows, size_t cols) { return total(varBacktestParts(rows, cols)); }
inline VarBacktestOut varBacktestOut(double* out, size_t rows, size_t cols) {
  const auto p = split(out, varBacktestParts(rows, cols));
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
}

/// drawdowns: seven top x cols tables (start, trough, end, depth, length, peakToTrough, recovery).
struct DrawdownsOut {
  double *start, *trough, *end, *depth, *length, *peakToTrough, *recovery;
};
inline std::array<size_t, 7> drawdownsParts(size_t top, size_t cols) {
  std::array<size_t, 7> parts;
  parts.fill(cells(top, cols));
  return parts;
}
inline size_t drawdownsLength(size_t top, size_t cols) { return total(drawdownsParts(top, cols)); }
inline DrawdownsOut drawdownsOut(double* out, size_t top, size_t cols) {
  const auto p = split(out, drawdownsParts(top, cols));
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
}

/// rolling's statistics, in the order of ROLLING_STATS (src/kernels/risk-analytics.ts): bit s of the mask.
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

/// The DQ test's regressor sets (DQ_REGRESSOR_SETS in src/kernels/risk-analytics.ts).
enum DqRegressors : int { kDqGas = 0, kDqHits = 1 };

/// The exceptions of each column's VaR and their backtests (Kupiec, Christoffersen, DQ with the
/// regressors `dq`, traffic light). `var` has the shape of returns, finite or NaN (the API checks; an
/// infinite one gives numbers here).
Status varBacktest(const double* returns, size_t rows, size_t cols, const double* var, double confidence, size_t window, DqRegressors dq,
                   double* out);

/// W / cummax(W) - 1 per column (wealth 1 before the first return, a NaN return as 0): rows x cols.
Status drawdownSeries(const double* returns, size_t rows, size_t cols, double* out);

/// drawdowns' conventions (DRAWDOWN_CONVENTIONS in src/kernels/risk-analytics.ts).
enum DrawdownConvention : int { kPerformanceAnalytics = 0, kPyfolio = 1 };
/// The `top` deepest drawdowns per column (drawdownsOut()), NaN past the last.
Status drawdowns(const double* returns, size_t rows, size_t cols, size_t top, int convention, double* out);

/// prod(1 + r) - 1 per group and column, groups[t] the group of row t (a row whose group is not an
/// integer in [0, groupCount) is left out: the API computes them); groupCount x cols.
Status aggregateReturns(const double* returns, size_t rows, size_t cols, const double* groups, size_t groupCount, double* out);

}  // namespace kernelbus::risk
