// relativeStats (risk.hpp): each column of returns against one benchmark series. Follows
// src/backends/reference/risk-relative.ts function for function, in the same order of floating-point
// operations (each column's sums over its dates in row order, from a contiguous copy of the column).
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"

namespace kernelbus::risk {
namespace {

// empyrical's beta_aligned threshold: a benchmark variance below it gives a NaN beta.
constexpr double kMinBenchmarkVariance = 1e-30;

// Which dates a statistic reads, by the benchmark's value: all of them, b > 0 (up) or b < 0 (down).
enum Subset : int { kAll = 0, kUp = 1, kDown = 2 };

inline bool inSubset(double b, Subset subset) { return subset == kAll || (subset == kUp ? b > 0 : b < 0); }

// annualReturn()
double annualReturn(const double* x, const double* b, size_t rows, Subset subset, double ppy) {
  size_t dates = 0;
  double wealth = 1;
  for (size_t t = 0; t < rows; t++) {
    if (!inSubset(b[t], subset)) continue;
    dates++;
    const double v = x[t];
    wealth *= 1 + (v == v ? v : 0);
  }
  return dates < 1 ? NAN : std::expm1(std::log(wealth) / (static_cast<double>(dates) / ppy));
}

// alphaBeta()
void alphaBeta(const double* r, const double* b, size_t rows, Subset subset, double ppy, double rf, bool quantstats, double& beta,
               double& alpha) {
  size_t n = 0;
  double sumB = 0, sumR = 0;
  for (size_t t = 0; t < rows; t++) {
    if (r[t] != r[t] || b[t] != b[t] || !inSubset(b[t], subset)) continue;
    n++;
    sumB += b[t];
    sumR += r[t];
  }
  if (n < 2) {
    beta = NAN;
    alpha = NAN;
    return;
  }
  const double count = static_cast<double>(n);
  const double meanB = sumB / count;
  double cov = 0, variance = 0;
  for (size_t t = 0; t < rows; t++) {
    if (r[t] != r[t] || b[t] != b[t] || !inSubset(b[t], subset)) continue;
    const double d = b[t] - meanB;  // the benchmark's residual
    cov += d * r[t];
    variance += d * d;
  }
  const double covariance = cov / count;
  const double v = variance / count;
  beta = v < kMinBenchmarkVariance ? NAN : covariance / v;
  if (quantstats) {
    alpha = (sumR / count - beta * meanB) * ppy;
    return;
  }
  double excess = 0;
  for (size_t t = 0; t < rows; t++) {
    if (r[t] != r[t] || b[t] != b[t] || !inSubset(b[t], subset)) continue;
    excess += r[t] - rf - beta * (b[t] - rf);
  }
  alpha = std::expm1(std::log1p(excess / count) * ppy);
}

// pairStats(): excessSharpe, trackingError, informationRatio, correlation of column c.
void pairStats(const double* r, const double* b, size_t rows, double ppy, const RelativeStatsOut& o, size_t c) {
  size_t n = 0;
  double sumA = 0, sumR = 0, sumB = 0, wealthR = 1, wealthB = 1;
  for (size_t t = 0; t < rows; t++) {
    if (r[t] != r[t] || b[t] != b[t]) continue;
    n++;
    sumA += r[t] - b[t];
    sumR += r[t];
    sumB += b[t];
    wealthR *= 1 + r[t];
    wealthB *= 1 + b[t];
  }
  if (n < 2) {
    o.excessSharpe[c] = o.trackingError[c] = o.informationRatio[c] = o.correlation[c] = NAN;
    return;
  }
  const double count = static_cast<double>(n);
  const double meanA = sumA / count, meanR = sumR / count, meanB = sumB / count;
  double squaresA = 0, sxy = 0, sxx = 0, syy = 0;
  for (size_t t = 0; t < rows; t++) {
    if (r[t] != r[t] || b[t] != b[t]) continue;
    const double a = r[t] - b[t] - meanA;
    squaresA += a * a;
    const double dr = r[t] - meanR;
    const double db = b[t] - meanB;
    sxy += dr * db;
    sxx += dr * dr;
    syy += db * db;
  }
  const double sd = std::sqrt(squaresA / (count - 1));
  o.excessSharpe[c] = meanA / sd;
  const double trackingError = sd * std::sqrt(ppy);
  o.trackingError[c] = trackingError;
  // ActivePremium as wB^e (exp(e log(wR / wB)) - 1), see the reference.
  const double exponent = ppy / count;
  const double premium = wealthB > 0 ? std::exp(std::log(wealthB) * exponent) * std::expm1(std::log(wealthR / wealthB) * exponent)
                                     : std::expm1(std::log(wealthR) * exponent) - std::expm1(std::log(wealthB) * exponent);
  o.informationRatio[c] = premium / trackingError;
  const double divisor = std::sqrt(sxx * syy);
  const double rho = divisor == 0 ? NAN : sxy / divisor;
  o.correlation[c] = rho > 1 ? 1 : rho < -1 ? -1 : rho;
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
  // The benchmark's own annual returns (the denominators of the captures), the same for every column.
  const double benchmarkAll = annualReturn(b, b, rows, kAll, ppy);
  const double benchmarkUp = annualReturn(b, b, rows, kUp, ppy);
  const double benchmarkDown = annualReturn(b, b, rows, kDown, ppy);
  // Columns shared out between threads, each computed whole by one (results independent of the count).
  const size_t minColumns = rows == 0 ? cols : 1 + 32768 / rows;
  parallelFor(cols, minColumns, [&](size_t begin, size_t end) {
    std::vector<double> column(rows);
    double* r = column.data();
    for (size_t c = begin; c < end; c++) {
      for (size_t t = 0; t < rows; t++) r[t] = returns[t * cols + c];
      alphaBeta(r, b, rows, kAll, ppy, riskFree, quantstats, o.beta[c], o.alpha[c]);
      o.upCapture[c] = annualReturn(r, b, rows, kUp, ppy) / benchmarkUp;
      o.downCapture[c] = annualReturn(r, b, rows, kDown, ppy) / benchmarkDown;
      o.capture[c] = annualReturn(r, b, rows, kAll, ppy) / benchmarkAll;
      alphaBeta(r, b, rows, kUp, ppy, riskFree, quantstats, o.upBeta[c], o.upAlpha[c]);
      alphaBeta(r, b, rows, kDown, ppy, riskFree, quantstats, o.downBeta[c], o.downAlpha[c]);
      pairStats(r, b, rows, ppy, o, c);
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
