// The risk family's parameters and entries (risk_entry.hpp). The ranges are the descriptors'
// `expected` strings in src/kernels/risk.ts (RISK_KERNELS), checked here once.
#include "risk_entry.hpp"

#include "risk_analytics_entry.hpp"

namespace kernelbus::risk {

Status unpack(Packed packed, CumulativeReturnsParams& out) {
  ParamReader p(packed, kCumulativeReturnsParams);
  out.startingValue = p.finite();  // a finite number
  return p.status();
}

Status unpack(Packed packed, PerformanceStatsParams& out) {
  ParamReader p(packed, kPerformanceStatsParams);
  out.periodsPerYear = p.positive();  // a finite number > 0
  out.riskFree = p.finite();          // a finite number
  out.requiredReturn = p.finite();    // a finite number > -1
  p.require(out.requiredReturn > -1);
  return p.status();
}

Status unpack(Packed packed, RelativeStatsParams& out) {
  ParamReader p(packed, kRelativeStatsParams);
  out.periodsPerYear = p.positive();                                       // a finite number > 0
  out.riskFree = p.finite();                                               // a finite number
  out.alphaConvention = static_cast<int>(p.integer(0, kAlphaQuantstats));  // 'empyrical' or 'quantstats' (0 or 1)
  return p.status();
}

Status unpack(Packed packed, ValueAtRiskParams& out) {
  ParamReader p(packed, kValueAtRiskParams);
  out.method = static_cast<int>(p.integer(0, kCornishFisher));  // 'historical', 'gaussian' or 'cornish-fisher' (0, 1 or 2)
  out.confidence = p.openUnit();                                // a number in (0, 1)
  out.ddof = p.integer(0);                                      // an integer >= 0
  return p.status();
}

Status unpack(Packed packed, CovarianceParams& out) {
  ParamReader p(packed, kCovarianceParams);
  out.method = static_cast<int>(p.integer(0, kSingleFactor));  // a covariance method code (0 to 6)
  out.lambda = p.openUnit();                                   // a number in (0, 1)
  out.adjust = p.integer(0, 1) == 1;                           // 0 or 1
  out.benchmark = p.finite();                                  // a finite number
  return p.status();
}

Status unpack(Packed packed, ComponentVarParams& out) {
  ParamReader p(packed, kComponentVarParams);
  out.method = static_cast<int>(p.integer(0, kComponentCornishFisher));  // 'gaussian' or 'cornish-fisher' (0 or 1)
  out.confidence = p.openUnit();                                         // a number in (0, 1)
  return p.status();
}

namespace {

// The Monte Carlo parameters after `paths` (and confidence, when the kernel has one).
void readMonteCarlo(ParamReader& p, bool withConfidence, MonteCarloParams& out) {
  out.paths = static_cast<size_t>(p.integer(1));         // an integer >= 1
  out.confidence = withConfidence ? p.openUnit() : 0.5;  // a number in (0, 1)
  out.horizon = p.positive();                            // a finite number > 0
  out.seed = p.integer(0);                               // an integer in [0, 2^53)
  out.nu = p.zeroOrAbove(2);                             // 0 (normal) or a finite number > 2
}

}  // namespace

Status unpack(Packed packed, bool withConfidence, MonteCarloParams& out) {
  if (withConfidence) {
    ParamReader p(packed, kMonteCarloVarParams);
    readMonteCarlo(p, true, out);
    return p.status();
  }
  ParamReader p(packed, kMonteCarloScenariosParams);
  readMonteCarlo(p, false, out);
  return p.status();
}

bool paramNames(std::string_view kernel, ParamNames& out) {
  const ParamNames none{nullptr, 0};
  if (kernel == "simpleReturns" || kernel == "logReturns" || kernel == "portfolioReturns" || kernel == "portfolioVolatility") {
    out = none;
  } else if (kernel == "cumulativeReturns") {
    out = paramNamesOf(kCumulativeReturnsParams);
  } else if (kernel == "performanceStats") {
    out = paramNamesOf(kPerformanceStatsParams);
  } else if (kernel == "relativeStats") {
    out = paramNamesOf(kRelativeStatsParams);
  } else if (kernel == "valueAtRisk") {
    out = paramNamesOf(kValueAtRiskParams);
  } else if (kernel == "covariance") {
    out = paramNamesOf(kCovarianceParams);
  } else if (kernel == "componentVar") {
    out = paramNamesOf(kComponentVarParams);
  } else if (kernel == "monteCarloVar") {
    out = paramNamesOf(kMonteCarloVarParams);
  } else if (kernel == "monteCarloScenarios") {
    out = paramNamesOf(kMonteCarloScenariosParams);
  } else {
    return analyticsParamNames(kernel, out);
  }
  return true;
}

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

Outcome prepareMonteCarloVar(In mean, In cov, size_t n, In weights, size_t portfolios, Packed params, Out out, MonteCarloParams& p) {
  if (Outcome o = unpack(params, true, p); !o.ok()) return o;
  // the P&L of every portfolio on every path is held at once
  if (cells(portfolios, p.paths) == kTooLarge) return ArgFault{4, -1, "a size that fits in memory", "portfolios x paths too large"};
  if (Outcome o = requireMean(mean, n); !o.ok()) return o;
  if (Outcome o = requireLength(1, cov, cells(n, n)); !o.ok()) return o;
  if (Outcome o = requireLength(3, weights, cells(portfolios, n)); !o.ok()) return o;
  return requireLength(6, out, monteCarloVarLength(portfolios));
}

Outcome prepareMonteCarloScenarios(In mean, In cov, size_t n, Packed params, Out out, MonteCarloParams& p) {
  if (Outcome o = unpack(params, false, p); !o.ok()) return o;
  if (Outcome o = requireMean(mean, n); !o.ok()) return o;
  if (Outcome o = requireLength(1, cov, cells(n, n)); !o.ok()) return o;
  return requireLength(4, out, monteCarloScenariosLength(p.paths, n));
}

}  // namespace entry
}  // namespace kernelbus::risk
