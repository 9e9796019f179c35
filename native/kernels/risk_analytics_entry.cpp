// The analytics kernels' entries (risk_analytics_entry.hpp).
#include "risk_analytics_entry.hpp"

namespace kernelbus::risk {

namespace entry {

/// The VaR's values are not scanned here: the API (requireLike in src/kernels/risk-analytics.ts)
/// refuses an infinite one; one reaching the kernel gives numbers, never a crash.
Outcome varBacktest(In returns, size_t rows, size_t cols, In var, Packed params, Out out) {
  VarBacktestParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, var, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, varBacktestLength(rows, cols)); !o.ok()) return o;
  return risk::varBacktest(returns.data, rows, cols, var.data, p.confidence, p.window, static_cast<DqRegressors>(p.dqRegressors), out.data);
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
