// The risk family's entries (risk_entry.hpp).
#include "risk_entry.hpp"

namespace kernelbus::risk {

namespace entry {

namespace {

// Argument positions named in faults: each entry's JS call, in order.
Outcome returnsEntry(Status (*kernel)(const double*, size_t, size_t, double*), In prices, size_t rows, size_t cols, Out out) {
  if (Outcome o = requireLength(0, prices, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, out, returnsLength(rows, cols)); !o.ok()) return o;
  return kernel(prices.data, rows, cols, out.data);
}

/// A return model's mean at argument 0: n values. Their finiteness is the API's check
/// (requireReturnModel in src/kernels/risk.ts, before any backend runs), not scanned again here: a
/// non-finite mean gives NaN (or infinite) results, not a fault.
Outcome requireMean(In mean, size_t n) { return requireLength(0, mean, n, "n"); }

}  // namespace

Outcome simpleReturns(In prices, size_t rows, size_t cols, Out out) { return returnsEntry(risk::simpleReturns, prices, rows, cols, out); }

Outcome logReturns(In prices, size_t rows, size_t cols, Out out) { return returnsEntry(risk::logReturns, prices, rows, cols, out); }

Outcome cumulativeReturns(In returns, size_t rows, size_t cols, Packed params, Out out) {
  CumulativeReturnsParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, cumulativeReturnsLength(rows, cols)); !o.ok()) return o;
  return risk::cumulativeReturns(returns.data, rows, cols, p.startingValue, out.data);
}

Outcome portfolioReturns(In returns, size_t rows, size_t cols, In weights, size_t portfolios, Out out) {
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, cells(portfolios, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, portfolioReturnsLength(rows, portfolios)); !o.ok()) return o;
  return risk::portfolioReturns(returns.data, rows, cols, weights.data, portfolios, out.data);
}

Outcome performanceStats(In returns, size_t rows, size_t cols, Packed params, Out out) {
  PerformanceStatsParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, performanceStatsLength(cols)); !o.ok()) return o;
  return risk::performanceStats(returns.data, rows, cols, p.periodsPerYear, p.riskFree, p.requiredReturn, out.data);
}

/// The benchmark's values are not scanned here: the API's requireBenchmark (src/kernels/risk.ts) refuses
/// an infinite one before any backend runs; one reaching the kernel gives numbers, never a crash.
Outcome relativeStats(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out) {
  RelativeStatsParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, benchmark, rows, "rows"); !o.ok()) return o;
  if (Outcome o = requireLength(5, out, relativeStatsLength(cols)); !o.ok()) return o;
  return risk::relativeStats(returns.data, rows, cols, benchmark.data, p.periodsPerYear, p.riskFree, p.alphaConvention, out.data);
}

Outcome valueAtRisk(In returns, size_t rows, size_t cols, Packed params, Out out) {
  ValueAtRiskParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(4, out, valueAtRiskLength(cols)); !o.ok()) return o;
  return risk::valueAtRisk(returns.data, rows, cols, p.method, p.confidence, p.ddof, out.data);
}

Outcome componentVar(In returns, size_t rows, size_t cols, In weights, size_t portfolios, Packed params, Out out) {
  ComponentVarParams p;
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, cells(portfolios, cols)); !o.ok()) return o;
  if (Outcome o = requireLength(6, out, componentVarLength(portfolios, cols)); !o.ok()) return o;
  return risk::componentVar(returns.data, rows, cols, weights.data, portfolios, p.method, p.confidence, out.data);
}

Outcome prepareCovariance(In returns, size_t rows, size_t cols, Packed params, Out out, CovarianceParams& p) {
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireLength(0, returns, cells(rows, cols)); !o.ok()) return o;
  return requireLength(4, out, covarianceLength(cols));
}

Outcome preparePortfolioVolatility(In cov, size_t n, In weights, size_t portfolios, Out out) {
  if (Outcome o = requireLength(0, cov, cells(n, n)); !o.ok()) return o;
  if (Outcome o = requireLength(2, weights, cells(portfolios, n)); !o.ok()) return o;
  return requireLength(4, out, portfolioVolatilityLength(portfolios));
}

Outcome prepareMonteCarloVar(In mean, In cov, size_t n, In weights, size_t portfolios, Packed params, Out out, MonteCarloVarParams& p) {
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  // the P&L of every portfolio on every path is held at once
  if (cells(portfolios, p.paths) == kTooLarge) return ArgFault{4, -1, "a size that fits in memory", "portfolios x paths too large"};
  if (Outcome o = requireMean(mean, n); !o.ok()) return o;
  if (Outcome o = requireLength(1, cov, cells(n, n)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, cells(portfolios, n)); !o.ok()) return o;
  return requireLength(6, out, monteCarloVarLength(portfolios));
}

Outcome prepareMonteCarloScenarios(In mean, In cov, size_t n, Packed params, Out out, MonteCarloScenariosParams& p) {
  if (Outcome o = unpack(params, p); !o.ok()) return o;
  if (Outcome o = requireMean(mean, n); !o.ok()) return o;
  if (Outcome o = requireLength(1, cov, cells(n, n)); !o.ok()) return o;
  return requireLength(4, out, monteCarloScenariosLength(p.paths, n));
}

}  // namespace entry
}  // namespace kernelbus::risk
