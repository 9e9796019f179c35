// relativeStats (risk.hpp): each column of returns against one benchmark series. Follows
// src/backends/reference/risk/risk-relative.ts function for function, in the same order of floating-point
// operations (each column's sums over its dates in row order).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "parallel.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"

namespace kernelbus::risk {
namespace {

// empyrical's beta_aligned threshold: a benchmark variance below it gives a NaN beta.
constexpr double kMinBenchmarkVariance = 1e-30;

// Columns are computed kLanes at a time, interleaved (R[t * kLanes + l]): each column's sums run over
// its dates in row order exactly as the reference's, and the lanes' chains of additions, independent,
// overlap (one column's serial chain waits on every addition). The dates each statistic reads by the
// benchmark alone (b not NaN, b > 0, b < 0) are listed once for all columns. A lane's NaN return adds
// 0 (a product: 1), which leaves its sum as it was: sums start at +0, and x + 0 = x for every x but
// -0, which a sum from +0 never is.
constexpr size_t kLanes = 8;

struct Dates {
  std::vector<uint32_t> all, valid, up, down;  // every date; b not NaN; b > 0; b < 0
};

// annualReturn(): the CAGR of each lane over `dates` (NaN returns as 0).
void annualReturn(const double* R, const std::vector<uint32_t>& dates, double ppy, double* out) {
  double wealth[kLanes];
  for (size_t l = 0; l < kLanes; l++) wealth[l] = 1;
  for (const uint32_t t : dates) {
    const double* x = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) wealth[l] *= 1 + (x[l] == x[l] ? x[l] : 0);
  }
  const double years = static_cast<double>(dates.size()) / ppy;
  for (size_t l = 0; l < kLanes; l++) out[l] = dates.empty() ? NAN : std::expm1(std::log(wealth[l]) / years);
}

// alphaBeta(): each lane's beta and alpha over `dates` (b not NaN there), its NaN returns left out.
void alphaBeta(const double* R, const double* b, const std::vector<uint32_t>& dates, double ppy, double rf, bool quantstats, double* beta,
               double* alpha) {
  double n[kLanes] = {}, sumB[kLanes] = {}, sumR[kLanes] = {};
  for (const uint32_t t : dates) {
    const double* r = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) {
      const bool ok = r[l] == r[l];
      n[l] += ok ? 1 : 0;
      sumB[l] += ok ? b[t] : 0.0;
      sumR[l] += ok ? r[l] : 0.0;
    }
  }
  double meanB[kLanes], cov[kLanes] = {}, variance[kLanes] = {};
  for (size_t l = 0; l < kLanes; l++) meanB[l] = sumB[l] / n[l];
  for (const uint32_t t : dates) {
    const double* r = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) {
      const bool ok = r[l] == r[l];
      const double d = b[t] - meanB[l];  // the benchmark's residual
      cov[l] += ok ? d * r[l] : 0.0;
      variance[l] += ok ? d * d : 0.0;
    }
  }
  for (size_t l = 0; l < kLanes; l++) {
    const double v = variance[l] / n[l];
    beta[l] = n[l] < 2 || v < kMinBenchmarkVariance ? NAN : (cov[l] / n[l]) / v;
    if (quantstats) alpha[l] = n[l] < 2 ? NAN : (sumR[l] / n[l] - beta[l] * meanB[l]) * ppy;
  }
  if (quantstats) return;
  double excess[kLanes] = {};
  for (const uint32_t t : dates) {
    const double* r = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) {
      excess[l] += r[l] == r[l] ? r[l] - rf - beta[l] * (b[t] - rf) : 0.0;
    }
  }
  for (size_t l = 0; l < kLanes; l++) alpha[l] = n[l] < 2 ? NAN : std::expm1(std::log1p(excess[l] / n[l]) * ppy);
}

// pairStats(): excessSharpe, trackingError, informationRatio, correlation of each lane (column c0 + l, of `lanes`).
void pairStats(const double* R, const double* b, const std::vector<uint32_t>& valid, double ppy, const RelativeStatsOut& o, size_t c0,
               size_t lanes) {
  double n[kLanes] = {}, sumA[kLanes] = {}, sumR[kLanes] = {}, sumB[kLanes] = {}, wealthR[kLanes], wealthB[kLanes];
  for (size_t l = 0; l < kLanes; l++) wealthR[l] = wealthB[l] = 1;
  for (const uint32_t t : valid) {
    const double* r = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) {
      const bool ok = r[l] == r[l];
      n[l] += ok ? 1 : 0;
      sumA[l] += ok ? r[l] - b[t] : 0.0;
      sumR[l] += ok ? r[l] : 0.0;
      sumB[l] += ok ? b[t] : 0.0;
      wealthR[l] *= ok ? 1 + r[l] : 1.0;
      wealthB[l] *= ok ? 1 + b[t] : 1.0;
    }
  }
  double meanA[kLanes], meanR[kLanes], meanB[kLanes], squaresA[kLanes] = {}, sxy[kLanes] = {}, sxx[kLanes] = {}, syy[kLanes] = {};
  for (size_t l = 0; l < kLanes; l++) {
    meanA[l] = sumA[l] / n[l];
    meanR[l] = sumR[l] / n[l];
    meanB[l] = sumB[l] / n[l];
  }
  for (const uint32_t t : valid) {
    const double* r = R + t * kLanes;
    for (size_t l = 0; l < kLanes; l++) {
      const bool ok = r[l] == r[l];
      const double a = r[l] - b[t] - meanA[l];
      squaresA[l] += ok ? a * a : 0.0;
      const double dr = r[l] - meanR[l];
      const double db = b[t] - meanB[l];
      sxy[l] += ok ? dr * db : 0.0;
      sxx[l] += ok ? dr * dr : 0.0;
      syy[l] += ok ? db * db : 0.0;
    }
  }
  for (size_t l = 0; l < lanes; l++) {
    const size_t c = c0 + l;
    if (n[l] < 2) {
      o.excessSharpe[c] = o.trackingError[c] = o.informationRatio[c] = o.correlation[c] = NAN;
      continue;
    }
    const double count = n[l];
    const double sd = std::sqrt(squaresA[l] / (count - 1));
    o.excessSharpe[c] = meanA[l] / sd;
    const double trackingError = sd * std::sqrt(ppy);
    o.trackingError[c] = trackingError;
    // ActivePremium as wB^e (exp(e log(wR / wB)) - 1), see the reference.
    const double exponent = ppy / count;
    const double wR = wealthR[l], wB = wealthB[l];
    const double premium = wB > 0 ? std::exp(std::log(wB) * exponent) * std::expm1(std::log(wR / wB) * exponent)
                                  : std::expm1(std::log(wR) * exponent) - std::expm1(std::log(wB) * exponent);
    o.informationRatio[c] = premium / trackingError;
    const double divisor = std::sqrt(sxx[l] * syy[l]);
    const double rho = divisor == 0 ? NAN : sxy[l] / divisor;
    o.correlation[c] = rho > 1 ? 1 : rho < -1 ? -1 : rho;
  }
}

}  // namespace

// relativeStats()
Status relativeStats(const double* returns, size_t rows, size_t cols, const double* benchmark, double periodsPerYear, double riskFree,
                     int alphaConvention, double* out) {
  const Status s = detail::checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  const RelativeStatsOut o = relativeStatsOut(out, cols);
  const double ppy = periodsPerYear;
  const bool quantstats = alphaConvention == kAlphaQuantstats;
  const double* b = benchmark;
  Dates d;
  for (size_t t = 0; t < rows; t++) {
    const auto at = static_cast<uint32_t>(t);
    d.all.push_back(at);
    if (b[t] == b[t]) d.valid.push_back(at);
    if (b[t] > 0) d.up.push_back(at);
    if (b[t] < 0) d.down.push_back(at);
  }
  // The benchmark's own annual returns (the denominators of the captures), the same for every column.
  std::vector<double> B(rows * kLanes);
  for (size_t t = 0; t < rows; t++) B[t * kLanes] = b[t];
  double benchmarkAll[kLanes], benchmarkUp[kLanes], benchmarkDown[kLanes];
  annualReturn(B.data(), d.all, ppy, benchmarkAll);
  annualReturn(B.data(), d.up, ppy, benchmarkUp);
  annualReturn(B.data(), d.down, ppy, benchmarkDown);
  // Columns shared out between threads, each computed whole by one (results independent of the count).
  const size_t minColumns = rows == 0 ? cols : 1 + 32768 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    std::vector<double> block(rows * kLanes);
    double* R = block.data();
    for (size_t c0 = begin; c0 < end; c0 += kLanes) {
      const size_t lanes = std::min(kLanes, end - c0);
      for (size_t t = 0; t < rows; t++) {
        for (size_t l = 0; l < kLanes; l++) R[t * kLanes + l] = l < lanes ? returns[t * cols + c0 + l] : NAN;
      }
      double beta[kLanes], alpha[kLanes], up[kLanes], down[kLanes], all[kLanes];
      alphaBeta(R, b, d.valid, ppy, riskFree, quantstats, beta, alpha);
      for (size_t l = 0; l < lanes; l++) o.beta[c0 + l] = beta[l], o.alpha[c0 + l] = alpha[l];
      annualReturn(R, d.up, ppy, up);
      annualReturn(R, d.down, ppy, down);
      annualReturn(R, d.all, ppy, all);
      for (size_t l = 0; l < lanes; l++) {
        o.upCapture[c0 + l] = up[l] / benchmarkUp[0];
        o.downCapture[c0 + l] = down[l] / benchmarkDown[0];
        o.capture[c0 + l] = all[l] / benchmarkAll[0];
      }
      alphaBeta(R, b, d.up, ppy, riskFree, quantstats, beta, alpha);
      for (size_t l = 0; l < lanes; l++) o.upBeta[c0 + l] = beta[l], o.upAlpha[c0 + l] = alpha[l];
      alphaBeta(R, b, d.down, ppy, riskFree, quantstats, beta, alpha);
      for (size_t l = 0; l < lanes; l++) o.downBeta[c0 + l] = beta[l], o.downAlpha[c0 + l] = alpha[l];
      pairStats(R, b, d.valid, ppy, o, c0, lanes);
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
