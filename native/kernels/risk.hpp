// Risk family kernels (risk.cpp: returns, statistics, VaR; risk_cov.cpp: covariance, volatility;
// risk_component.cpp: component VaR; risk_montecarlo.cpp: Monte Carlo VaR): plain
// C++17 over pointers and lengths (row-major matrices: element [r][c] at
// r * cols + c); nothing here knows about N-API. Follows src/backends/reference/risk.ts function for
// function, in the same order of floating-point operations. Faults are reported, never thrown
// (status.hpp: index = the element's row-major position, previous = the columns).
#pragma once

#include <array>
#include <cstddef>

#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::risk {

/// The statistics of performanceStats, in the order of PERFORMANCE_STATS (src/kernels/risk.ts).
constexpr size_t kStatCount = 13;
/// The statistics of relativeStats, in the order of RELATIVE_STATS (src/kernels/risk.ts).
constexpr size_t kRelativeStatCount = 13;

// Each kernel's output layout (the descriptor's `outputs` in src/kernels/risk-kernels.ts), written
// once here: the length risk_entry.cpp requires of `out` (kTooLarge where it cannot fit in memory)
// and, for a kernel of several outputs, the parts of `out` (<kernel>Parts(): their sizes, in order),
// from which <kernel>Length() and the named pointers the kernels write through (<kernel>Out()) derive.
inline size_t returnsLength(size_t rows, size_t cols) { return rows > 0 ? cells(rows - 1, cols) : 0; }
inline size_t cumulativeReturnsLength(size_t rows, size_t cols) { return cells(rows, cols); }
inline size_t portfolioReturnsLength(size_t rows, size_t portfolios) { return cells(rows, portfolios); }
inline size_t portfolioVolatilityLength(size_t portfolios) { return portfolios; }
/// scenarios (paths x n)
inline size_t monteCarloScenariosLength(size_t paths, size_t n) { return cells(paths, n); }

/// performanceStats: one row of cols per statistic, in the order of PERFORMANCE_STATS.
struct PerformanceStatsOut {
  double *annualReturn, *annualVolatility, *sharpe, *sortino, *downsideRisk, *maxDrawdown, *calmar, *skewness, *excessKurtosis, *omega,
      *tailRatio, *stability, *cumulativeReturn;
};
inline std::array<size_t, kStatCount> performanceStatsParts(size_t cols) {
  std::array<size_t, kStatCount> parts;
  parts.fill(cols);
  return parts;
}
inline size_t performanceStatsLength(size_t cols) { return total(performanceStatsParts(cols)); }
inline PerformanceStatsOut performanceStatsOut(double* out, size_t cols) {
  const auto [annualReturn, annualVolatility, sharpe, sortino, downsideRisk, maxDrawdown, calmar, skewness, excessKurtosis, omega,
              tailRatio, stability, cumulativeReturn] = split(out, performanceStatsParts(cols));
  return {annualReturn, annualVolatility, sharpe, sortino,   downsideRisk, maxDrawdown,     calmar,
          skewness,     excessKurtosis,   omega,  tailRatio, stability,    cumulativeReturn};
}

/// relativeStats: one row of cols per statistic, in the order of RELATIVE_STATS.
struct RelativeStatsOut {
  double *beta, *alpha, *upCapture, *downCapture, *capture, *upBeta, *upAlpha, *downBeta, *downAlpha, *excessSharpe, *trackingError,
      *informationRatio, *correlation;
};
inline std::array<size_t, kRelativeStatCount> relativeStatsParts(size_t cols) {
  std::array<size_t, kRelativeStatCount> parts;
  parts.fill(cols);
  return parts;
}
inline size_t relativeStatsLength(size_t cols) { return total(relativeStatsParts(cols)); }
inline RelativeStatsOut relativeStatsOut(double* out, size_t cols) {
  const auto [beta, alpha, upCapture, downCapture, capture, upBeta, upAlpha, downBeta, downAlpha, excessSharpe, trackingError,
              informationRatio, correlation] = split(out, relativeStatsParts(cols));
  return {beta,     alpha,     upCapture,    downCapture,   capture,          upBeta,     upAlpha,
          downBeta, downAlpha, excessSharpe, trackingError, informationRatio, correlation};
}

/// covariance: the cov (cols x cols), then the shrinkage (one value)
struct CovarianceOut {
  double *cov, *shrinkage;
};
inline std::array<size_t, 2> covarianceParts(size_t cols) { return {cells(cols, cols), 1}; }
inline size_t covarianceLength(size_t cols) { return total(covarianceParts(cols)); }
inline CovarianceOut covarianceOut(double* out, size_t cols) {
  const auto [cov, shrinkage] = split(out, covarianceParts(cols));
  return {cov, shrinkage};
}

/// valueAtRisk (per column) and monteCarloVar (per portfolio): var (count), then es (count)
struct VarOut {
  double *var, *es;
};
inline std::array<size_t, 2> varParts(size_t count) { return {count, count}; }
inline VarOut varOut(double* out, size_t count) {
  const auto [var, es] = split(out, varParts(count));
  return {var, es};
}
inline size_t valueAtRiskLength(size_t cols) { return total(varParts(cols)); }
inline VarOut valueAtRiskOut(double* out, size_t cols) { return varOut(out, cols); }
inline size_t monteCarloVarLength(size_t portfolios) { return total(varParts(portfolios)); }
inline VarOut monteCarloVarOut(double* out, size_t portfolios) { return varOut(out, portfolios); }

/// componentVar: var (P), es (P), var contributions (P x cols), es contributions (P x cols)
struct ComponentVarOut {
  double *var, *es, *varContributions, *esContributions;
};
inline std::array<size_t, 4> componentVarParts(size_t portfolios, size_t cols) {
  return {portfolios, portfolios, cells(portfolios, cols), cells(portfolios, cols)};
}
inline size_t componentVarLength(size_t portfolios, size_t cols) { return total(componentVarParts(portfolios, cols)); }
inline ComponentVarOut componentVarOut(double* out, size_t portfolios, size_t cols) {
  const auto [var, es, varContributions, esContributions] = split(out, componentVarParts(portfolios, cols));
  return {var, es, varContributions, esContributions};
}

/// (p[t] - p[t-1]) / p[t-1] per column into out[(rows - 1) * cols]; prices NaN or finite > 0.
Status simpleReturns(const double* prices, size_t rows, size_t cols, double* out);
/// log1p of the simple return per column into out[(rows - 1) * cols].
Status logReturns(const double* prices, size_t rows, size_t cols, double* out);
/// Cumulative returns per column into out[rows * cols] (empyrical cum_returns): w_t = w_(t-1) (1 + r_t),
/// a NaN return counted as 0; w - 1 when startingValue is 0, else startingValue * w. Returns finite or NaN.
Status cumulativeReturns(const double* returns, size_t rows, size_t cols, double startingValue, double* out);
/// out[t * portfolios + p] = sum over c of weights[p * cols + c] * returns[t * cols + c].
Status portfolioReturns(const double* returns, size_t rows, size_t cols, const double* weights, size_t portfolios, double* out);
/// covariance methods (COVARIANCE_METHODS in src/kernels/risk.ts).
enum CovarianceMethod : int {
  kSample = 0,
  kEwma = 1,
  kLedoitWolf = 2,
  kOas = 3,
  kSemi = 4,
  kConstantCorrelation = 5,
  kSingleFactor = 6,
};
/// cols x cols covariance of the complete rows (no NaN), then the shrinkage (NaN for sample and EWMA),
/// into out (covarianceOut()); 0 < lambda < 1 (EWMA).
Status covariance(const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust, double benchmark, double* out);
/// sqrt(w' S w) per portfolio into out[portfolios]: cov n x n, weights portfolios x n (finite).
Status portfolioVolatility(const double* cov, size_t n, const double* weights, size_t portfolios, double* out);
/// valueAtRisk methods (VAR_METHODS in src/kernels/risk.ts).
enum VarMethod : int { kHistorical = 0, kGaussian = 1, kCornishFisher = 2 };
/// VaR then ES per column into out (valueAtRiskOut()); 0 < confidence < 1, ddof >= 0.
Status valueAtRisk(const double* returns, size_t rows, size_t cols, int method, double confidence, double ddof, double* out);
/// componentVar methods (COMPONENT_VAR_METHODS in src/kernels/risk.ts).
enum ComponentVarMethod : int { kComponentGaussian = 0, kComponentCornishFisher = 1 };
/// Component VaR and ES (risk_component.cpp) of `portfolios` portfolios (weights portfolios x cols,
/// finite) over the complete rows, into out (componentVarOut()): var, es, then the var and es
/// contributions (portfolios x cols each); 0 < confidence < 1.
Status componentVar(const double* returns, size_t rows, size_t cols, const double* weights, size_t portfolios, int method,
                    double confidence, double* out);
/// Monte Carlo VaR then ES per portfolio (risk_montecarlo.cpp) into out (monteCarloVarOut()): mean (n),
/// cov (n x n, symmetric and finite; CovNotPositiveDefinite at the first failing Cholesky pivot),
/// weights portfolios x n (finite), paths >= 1, horizon > 0, seed an integer in [0, 2^53), nu = 0
/// (normal) or > 2 (Student t). Memory: portfolios x paths doubles.
Status monteCarloVar(const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios, size_t paths,
                     double confidence, double horizon, double seed, double nu, double* out);
/// The scenarios of monteCarloVar into out[paths * n] (row-major).
Status monteCarloScenarios(const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed, double nu,
                           double* out);
/// kStatCount statistics per column, stat-major, into out (performanceStatsOut(); empyrical, scipy).
Status performanceStats(const double* returns, size_t rows, size_t cols, double periodsPerYear, double riskFree, double requiredReturn,
                        double* out);

/// alphaConvention codes (ALPHA_CONVENTIONS in src/kernels/risk.ts).
enum AlphaConvention : int { kAlphaEmpyrical = 0, kAlphaQuantstats = 1 };
/// kRelativeStatCount statistics of each column of returns against benchmark[rows] (finite or NaN: not
/// checked here, the API's requireBenchmark does), stat-major, into out (relativeStatsOut(); risk_relative.cpp:
/// empyrical, quantstats, PerformanceAnalytics). Memory: rows doubles per thread.
Status relativeStats(const double* returns, size_t rows, size_t cols, const double* benchmark, double periodsPerYear, double riskFree,
                     int alphaConvention, double* out);

}  // namespace kernelbus::risk
