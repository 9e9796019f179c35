// The entries of the risk family's analytics kernels (risk_analytics.hpp), as risk_entry.hpp's: the
// packed parameters (names equal to the descriptors' keys in src/kernels/risk-analytics.ts, ranges
// their `expected`), unpacking, and each call in the order of the JS call.
#pragma once

#include <cstddef>
#include <string_view>

#include "entry.hpp"
#include "risk_analytics.hpp"

namespace kernelbus::risk {

constexpr const char* kVarBacktestParams[] = {"confidence", "window", "dqRegressors"};
struct VarBacktestParams {
  double confidence;
  size_t window;
  DqRegressors dqRegressors;
};
constexpr const char* kDrawdownsParams[] = {"top", "convention"};
struct DrawdownsParams {
  size_t top;
  int convention;
};

constexpr const char* kRollingParams[] = {"window", "stats", "periodsPerYear", "riskFree", "confidence"};
struct RollingParams {
  size_t window;
  unsigned stats;
  double periodsPerYear, riskFree, confidence;
};

Status unpack(Packed packed, VarBacktestParams& out);
Status unpack(Packed packed, RollingParams& out);
Status unpack(Packed packed, DrawdownsParams& out);

/// paramNames() of the analytics kernels; false for any other name.
bool analyticsParamNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// varBacktest(returns, rows, cols, var, params, out)
Outcome varBacktest(In returns, size_t rows, size_t cols, In var, Packed params, Out out);
/// drawdownSeries(returns, rows, cols, out)
Outcome drawdownSeries(In returns, size_t rows, size_t cols, Out out);
/// drawdowns(returns, rows, cols, params, out)
Outcome drawdowns(In returns, size_t rows, size_t cols, Packed params, Out out);
/// rolling(returns, rows, cols, benchmark, params, out): benchmark of rows values (NaN: none)
Outcome rolling(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out);
/// aggregateReturns(returns, rows, cols, groups, groupCount, out)
Outcome aggregateReturns(In returns, size_t rows, size_t cols, In groups, size_t groupCount, Out out);

}  // namespace entry
}  // namespace kernelbus::risk
