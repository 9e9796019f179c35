// libFuzzer target of every function in native/kernels/risk/risk.hpp (each one's invariants above it): arbitrary matrices (input.hpp's
// columns, so plausible values with arbitrary doubles among them) and arbitrary shapes, options as
// resolvePerformanceOptions() accepts them (periodsPerYear finite > 0, riskFree finite).
// Invariants: a fault exactly at the first bad element (row-major) and only then; outputs written in
// full and nowhere else (a guard value after them); returns of valid prices NaN only next to a NaN
// price; statistics within their ranges (volatility, downside risk and drawdown >= 0, drawdown <= 1
// while wealth stays >= 0).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "risk/risk.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

constexpr double kGuard = 12345.678;

struct Shape {
  size_t rows, cols;
  std::vector<double> data;
};

// `maxCols`: 6 for most kernels; covariance takes up to 40, so that its register tiles (4 x 4, 4 x 8
// and 4 x 24 columns by the vector width, native/kernels/risk/risk_gram.cpp) and their edges are reached.
Shape matrixOf(fuzz::Input& in, size_t maxCols = 6) {
  Shape m;
  m.cols = in.in<size_t>(1, maxCols);
  m.rows = in.count(600) / m.cols;
  m.data = in.column(m.rows * m.cols);
  return m;
}

// The row-major position of the first element failing `ok`, or n.
template <typename Ok>
size_t firstBad(const std::vector<double>& x, Ok ok) {
  size_t i = 0;
  while (i < x.size() && ok(x[i])) i++;
  return i;
}

bool priceOk(double p) { return (p > 0 && p <= DBL_MAX) || std::isnan(p); }
bool returnOk(double r) { return std::fabs(r) != INFINITY; }

// The fault must be exactly `code` at `at` when at < n, and none otherwise.
void requireFault(const Status& s, Fault code, size_t at, size_t n) {
  if (at < n) {
    require(s.fault == code && s.index == static_cast<double>(at));
  } else {
    require(s.ok());
  }
}

void returns(fuzz::Input& in, bool log) {
  const Shape m = matrixOf(in);
  const size_t outN = m.rows > 0 ? (m.rows - 1) * m.cols : 0;
  std::vector<double> out(outN + 1, kGuard);
  const Status s =
      log ? risk::logReturns(m.data.data(), m.rows, m.cols, out.data()) : risk::simpleReturns(m.data.data(), m.rows, m.cols, out.data());
  const size_t bad = firstBad(m.data, priceOk);
  requireFault(s, Fault::PriceNotPositive, bad, m.data.size());
  require(out[outN] == kGuard);
  if (!s.ok()) return;
  for (size_t i = 0; i < outN; i++) {
    const bool nanIn = std::isnan(m.data[i]) || std::isnan(m.data[i + m.cols]);
    require(std::isnan(out[i]) == nanIn || std::isinf(m.data[i + m.cols] / m.data[i]));
    if (!log && !nanIn) require(out[i] >= -1);  // prices > 0: a loss of at most 100 %
  }
}

void portfolio(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  const size_t portfolios = in.in<size_t>(0, 4);
  std::vector<double> weights = in.column(portfolios * r.cols);
  std::vector<double> out(r.rows * portfolios + 1, kGuard);
  const Status s = risk::portfolioReturns(r.data.data(), r.rows, r.cols, weights.data(), portfolios, out.data());
  const size_t badWeight = firstBad(weights, [](double w) { return std::isfinite(w); });
  if (badWeight < weights.size()) {
    requireFault(s, Fault::WeightNotFinite, badWeight, weights.size());
  } else {
    requireFault(s, Fault::ReturnNotFinite, firstBad(r.data, returnOk), r.data.size());
  }
  require(out[r.rows * portfolios] == kGuard);
}

void stats(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  const double periodsPerYear = in.flag() ? 252 : in.positiveFinite();
  const double riskFree = in.flag() ? 0 : in.real(-1, 1);
  std::vector<double> out(risk::kStatCount * r.cols + 1, kGuard);
  const double requiredReturn = in.flag() ? 0 : in.real(-0.99, 1);
  const Status s = risk::performanceStats(r.data.data(), r.rows, r.cols, periodsPerYear, riskFree, requiredReturn, out.data());
  requireFault(s, Fault::ReturnNotFinite, firstBad(r.data, returnOk), r.data.size());
  require(out[risk::kStatCount * r.cols] == kGuard);
  if (!s.ok()) return;
  for (size_t c = 0; c < r.cols; c++) {
    const double vol = out[1 * r.cols + c], downside = out[4 * r.cols + c], drawdown = out[5 * r.cols + c];
    require(!(vol < 0) && !(downside < 0) && !(drawdown < 0));
    bool wealthNonNegative = true;
    for (size_t t = 0; t < r.rows; t++) wealthNonNegative &= !(r.data[t * r.cols + c] < -1);
    if (wealthNonNegative) require(!(drawdown > 1));
  }
}

// valueAtRisk: historical VaR and ES within the column's range of losses (short of overflow); the
// Cornish-Fisher ES never below its VaR (PerformanceAnalytics' operational floor).
void var(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  const int method = in.in(0, 2);
  const double confidence = in.flag() ? 0.95 : in.real(1e-6, 1 - 1e-6);
  const double ddof = in.in(0, 2);
  std::vector<double> out(2 * r.cols + 1, kGuard);
  const Status s = risk::valueAtRisk(r.data.data(), r.rows, r.cols, method, confidence, ddof, out.data());
  requireFault(s, Fault::ReturnNotFinite, firstBad(r.data, returnOk), r.data.size());
  require(out[2 * r.cols] == kGuard);
  if (!s.ok()) return;
  for (size_t c = 0; c < r.cols; c++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < r.rows; t++) {
      const double v = r.data[t * r.cols + c];
      if (v == v) lo = std::fmin(lo, v), hi = std::fmax(hi, v);
    }
    const double v = out[c], es = out[r.cols + c];
    if (lo > hi) {  // no values
      require(std::isnan(v) && std::isnan(es));
    } else if (method == risk::kHistorical && std::fabs(lo) < 1e300 && std::fabs(hi) < 1e300) {
      // (beyond, the sum of the tail may overflow, as numpy's mean does)
      const double tol = 1e-12 * std::fmax(std::fabs(lo), std::fabs(hi));  // a mean of equal values rounds
      require(v >= -hi - tol && v <= -lo + tol && es >= -hi - tol && es <= -lo + tol);
    } else if (method == risk::kCornishFisher) {
      require(!(es < v));
    }
  }
}

// covariance: symmetric, a non-negative diagonal (sums of squares), NaN throughout below 2 complete
// rows for 'sample' and below 1 for the others; the shrinkage in [0, 1] (or NaN) for Ledoit-Wolf and
// OAS, NaN for the others.
void cov(fuzz::Input& in) {
  const Shape r = matrixOf(in, 40);
  const int method = in.in(0, 6);
  const double lambda = in.flag() ? 0.94 : in.real(1e-9, 1 - 1e-9);
  const bool adjust = in.flag();
  const double benchmark = in.flag() ? 0.000079 : in.real(-1, 1);
  std::vector<double> out(r.cols * r.cols + 2, kGuard);
  const Status s = risk::covariance(r.data.data(), r.rows, r.cols, method, lambda, adjust, benchmark, out.data());
  requireFault(s, Fault::ReturnNotFinite, firstBad(r.data, returnOk), r.data.size());
  require(out[r.cols * r.cols + 1] == kGuard);
  const double shrinkage = out[r.cols * r.cols];
  const bool shrunk = method == risk::kLedoitWolf || method == risk::kOas || method >= risk::kConstantCorrelation;
  if (s.ok() && shrunk) require(std::isnan(shrinkage) || (shrinkage >= 0 && shrinkage <= 1));
  if (s.ok() && !shrunk) require(std::isnan(shrinkage));
  if (!s.ok()) return;
  size_t complete = 0;
  for (size_t t = 0; t < r.rows; t++) {
    bool ok = true;
    for (size_t c = 0; c < r.cols; c++) ok &= !std::isnan(r.data[t * r.cols + c]);
    complete += ok ? 1 : 0;
  }
  for (size_t i = 0; i < r.cols; i++) {
    for (size_t j = 0; j < r.cols; j++) {
      const double a = out[i * r.cols + j], b = out[j * r.cols + i];
      require(a == b || (std::isnan(a) && std::isnan(b)));
      const bool ddof1 = method == risk::kSample || method == risk::kConstantCorrelation;
      if (complete < (ddof1 ? 2u : 1u)) require(std::isnan(a));  // none, or 1 where ddof is 1
    }
    require(!(out[i * r.cols + i] < 0));
  }
}

// portfolioVolatility over a covariance the kernel made (the binding refuses asymmetric ones): the
// fault at the first non-finite weight; volatilities >= 0 or NaN.
void vol(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  std::vector<double> cov(r.cols * r.cols + 1);
  if (!risk::covariance(r.data.data(), r.rows, r.cols, risk::kEwma, 0.94, false, 0, cov.data()).ok()) return;
  const size_t portfolios = in.in<size_t>(0, 20);
  const std::vector<double> weights = in.column(portfolios * r.cols);
  std::vector<double> out(portfolios + 1, kGuard);
  const Status s = risk::portfolioVolatility(cov.data(), r.cols, weights.data(), portfolios, out.data());
  requireFault(s, Fault::WeightNotFinite, firstBad(weights, [](double w) { return std::isfinite(w); }), weights.size());
  require(out[portfolios] == kGuard);
  if (!s.ok()) return;
  for (size_t p = 0; p < portfolios; p++) require(!(out[p] < 0));
}

// Every nonzero |x| in [1e-30, 1e30]: no moment up to the fourth (nor a gradient) under- or overflows.
bool moderate(const std::vector<double>& x) {
  for (double v : x) {
    if (v != 0 && !(std::fabs(v) >= 1e-30 && std::fabs(v) <= 1e30) && !std::isnan(v)) return false;
  }
  return true;
}

// componentVar: the fault at the first non-finite weight, else the first infinite return; outputs
// written in full and nowhere else; for moderate data, where the totals are finite, each portfolio's
// contributions sum to its VaR and ES (Euler), to rounding relative to the contributions' magnitudes
// and to the terms they come from (sum |w_i| max_t |r_ti|: a Gaussian total is a difference of the
// mean and the scaled deviation, which may cancel to far below either).
void component(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  const size_t portfolios = in.in<size_t>(0, 6);
  const int method = static_cast<int>(in.in<size_t>(0, 1));
  const double confidence = in.in<size_t>(1, 999) / 1000.0;
  const std::vector<double> weights = in.column(portfolios * r.cols);
  const size_t n = portfolios * (2 + 2 * r.cols);
  std::vector<double> out(n + 1, kGuard);
  const Status s = risk::componentVar(r.data.data(), r.rows, r.cols, weights.data(), portfolios, method, confidence, out.data());
  const size_t badWeight = firstBad(weights, [](double w) { return std::isfinite(w); });
  if (badWeight < weights.size()) {
    requireFault(s, Fault::WeightNotFinite, badWeight, weights.size());
  } else {
    requireFault(s, Fault::ReturnNotFinite, firstBad(r.data, returnOk), r.data.size());
  }
  require(out[n] == kGuard);
  if (!s.ok() || !moderate(r.data) || !moderate(weights)) return;
  std::vector<double> largest(r.cols, 0);  // max_t |r_ti| per asset
  for (size_t t = 0; t < r.rows; t++)
    for (size_t i = 0; i < r.cols; i++) largest[i] = std::fmax(largest[i], std::fabs(r.data[t * r.cols + i]));
  for (size_t p = 0; p < portfolios; p++) {
    double terms = 0;
    for (size_t i = 0; i < r.cols; i++) terms += std::fabs(weights[p * r.cols + i]) * largest[i];
    for (size_t which = 0; which < 2; which++) {
      const double total = out[which * portfolios + p];
      const double* c = out.data() + 2 * portfolios + which * portfolios * r.cols + p * r.cols;
      double sum = 0, size = terms;
      for (size_t i = 0; i < r.cols; i++) {
        sum += c[i];
        size += std::fabs(c[i]);
      }
      if (std::isfinite(total) && std::isfinite(size)) require(std::fabs(sum - total) <= 1e-9 * std::fmax(size, std::fabs(total)));
    }
  }
}

// monteCarloVar and monteCarloScenarios over a covariance the kernel made (EWMA: often singular, so
// both outcomes of the Cholesky check occur): a weight fault first, else either no fault or
// CovNotPositiveDefinite for both functions alike; outputs written in full and nowhere else; ES >= VaR
// (the mean of the tail lies below its quantile); scenarios of fewer paths are the first rows of more.
void monteCarlo(fuzz::Input& in) {
  const Shape r = matrixOf(in);
  const size_t n = r.cols;
  std::vector<double> cov(n * n + 1);
  if (!risk::covariance(r.data.data(), r.rows, n, risk::kEwma, 0.94, false, 0, cov.data()).ok()) return;
  for (size_t k = 0; k < n * n; k++) {
    if (!std::isfinite(cov[k])) return;  // the binding refuses these
  }
  const std::vector<double> mean = in.column(n);
  for (double m : mean) {
    if (!std::isfinite(m)) return;  // the binding refuses these
  }
  const size_t portfolios = in.in<size_t>(0, 4);
  const std::vector<double> weights = in.column(portfolios * n);
  const size_t paths = in.in<size_t>(1, 64);
  const double confidence = in.in<size_t>(1, 999) / 1000.0;
  const double horizon = in.in<size_t>(1, 100) / 10.0;
  const double seed = static_cast<double>(in.in<uint64_t>(0, (uint64_t{1} << 53) - 1));
  const double nu = in.flag() ? 0 : 2 + in.in<size_t>(1, 100) / 10.0;
  std::vector<double> out(2 * portfolios + 1, kGuard);
  const Status s =
      risk::monteCarloVar(mean.data(), cov.data(), n, weights.data(), portfolios, paths, confidence, horizon, seed, nu, out.data());
  require(out[2 * portfolios] == kGuard);
  std::vector<double> many((paths + 3) * n + 1, kGuard), few(paths * n + 1, kGuard);
  const Status sMany = risk::monteCarloScenarios(mean.data(), cov.data(), n, paths + 3, horizon, seed, nu, many.data());
  const Status sFew = risk::monteCarloScenarios(mean.data(), cov.data(), n, paths, horizon, seed, nu, few.data());
  require(many[(paths + 3) * n] == kGuard && few[paths * n] == kGuard);
  require(sMany.fault == sFew.fault && (sMany.ok() || sMany.fault == Fault::CovNotPositiveDefinite));
  const size_t badWeight = firstBad(weights, [](double w) { return std::isfinite(w); });
  if (badWeight < weights.size()) {
    requireFault(s, Fault::WeightNotFinite, badWeight, weights.size());
    return;
  }
  require(s.fault == sMany.fault);
  if (!s.ok()) return;
  for (size_t k = 0; k < paths * n; k++) require(few[k] == many[k] || (std::isnan(few[k]) && std::isnan(many[k])));
  for (size_t p = 0; p < portfolios; p++) {
    if (std::isfinite(out[p]) && std::isfinite(out[portfolios + p])) require(out[portfolios + p] >= out[p] - 1e-12 * std::fabs(out[p]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  switch (in.in(0, 8)) {
    case 0:
      returns(in, false);
      break;
    case 1:
      returns(in, true);
      break;
    case 2:
      portfolio(in);
      break;
    case 3:
      var(in);
      break;
    case 4:
      cov(in);
      break;
    case 5:
      vol(in);
      break;
    case 6:
      component(in);
      break;
    case 7:
      monteCarlo(in);
      break;
    default:
      stats(in);
      break;
  }
  return 0;
}
