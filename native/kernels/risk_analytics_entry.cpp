// The analytics kernels' parameters and entries (risk_analytics_entry.hpp).
#include "risk_analytics_entry.hpp"

namespace kernelbus::risk {

Status unpack(Packed packed, VarBacktestParams& out) {
  ParamReader p(packed, kVarBacktestParams);
  out.confidence = p.openUnit();                                        // a number in (0, 1)
  out.window = static_cast<size_t>(p.integer(1));                       // an integer >= 1
  out.dqRegressors = static_cast<DqRegressors>(p.integer(0, kDqHits));  // 'gas' or 'hits' (0 or 1)
  return p.status();
}

Status unpack(Packed packed, RollingParams& out) {
  ParamReader p(packed, kRollingParams);
  out.window = static_cast<size_t>(p.integer(2));                                  // an integer >= 2
  out.stats = static_cast<unsigned>(p.integer(1, (1u << kRollingStatCount) - 1));  // a mask of ROLLING_STATS (1 to 1023)
  out.periodsPerYear = p.positive();                                               // a finite number > 0
  out.riskFree = p.finite();                                                       // a finite number
  out.confidence = p.openUnit();                                                   // a number in (0, 1)
  return p.status();
}

Status unpack(Packed packed, DrawdownsParams& out) {
  ParamReader p(packed, kDrawdownsParams);
  out.top = static_cast<size_t>(p.integer(1));                // an integer >= 1
  out.convention = static_cast<int>(p.integer(0, kPyfolio));  // 'performance-analytics' or 'pyfolio' (0 or 1)
  return p.status();
}

bool analyticsParamNames(std::string_view kernel, ParamNames& out) {
  if (kernel == "drawdownSeries" || kernel == "aggregateReturns") {
    out = ParamNames{nullptr, 0};
  } else if (kernel == "varBacktest") {
    out = paramNamesOf(kVarBacktestParams);
  } else if (kernel == "rolling") {
    out = paramNamesOf(kRollingParams);
  } else if (kernel == "drawdowns") {
    out = paramNamesOf(kDrawdownsParams);
  } else {
    return false;
  }
  return true;
}

namespace entry {

/// The VaR's values are not scanned here: the API (requireLike in src/kernels/risk-analytics.ts)
/// refuses an infinite one; one reaching the kernel gives numbers, never a crash.
Outcome varBacktest(In returns, size_t rows, size_t cols, In var, Packed params, Out out) {
  VarBacktestParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, var, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, varBacktestLength(rows, cols)); !o.ok()) return o;
  return risk::varBacktest(returns.data, rows, cols, var.data, p.confidence, p.window, p.dqRegressors, out.data);
}

Outcome drawdownSeries(In returns, size_t rows, size_t cols, Out out) {
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, out, cells(rows, cols)); !o.ok()) return o;
  return risk::drawdownSeries(returns.data, rows, cols, out.data);
}

Outcome drawdowns(In returns, size_t rows, size_t cols, Packed params, Out out) {
  DrawdownsParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, drawdownsLength(p.top, cols)); !o.ok()) return o;
  return risk::drawdowns(returns.data, rows, cols, p.top, p.convention, out.data);
}

/// The benchmark's values are not scanned here (the API refuses an infinite one, and passes NaN for none).
Outcome rolling(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out) {
  RollingParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, benchmark, rows, "rows"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, rollingLength(rows, cols, p.stats)); !o.ok()) return o;
  return risk::rolling(returns.data, rows, cols, benchmark.data, p.window, p.stats, p.periodsPerYear, p.riskFree, p.confidence, out.data);
}

/// groups are not checked here (the API computes them): a row whose group is out of range is left out.
Outcome aggregateReturns(In returns, size_t rows, size_t cols, In groups, size_t groupCount, Out out) {
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, groups, rows, "rows"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, cells(groupCount, cols)); !o.ok()) return o;
  return risk::aggregateReturns(returns.data, rows, cols, groups.data, groupCount, out.data);
}

}  // namespace entry
}  // namespace kernelbus::risk
