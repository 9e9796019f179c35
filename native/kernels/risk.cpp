// See risk.hpp. Each function names its counterpart in src/backends/reference/risk.ts.
#include "risk.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace kernelbus::risk {
namespace {

Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// checkPrices()
Status checkPrices(const double* prices, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    const double p = prices[i];
    if (!(p > 0 && p <= DBL_MAX) && !std::isnan(p)) return fault(Fault::PriceNotPositive, i, p, cols);
  }
  return Status{};
}

// checkReturns()
Status checkReturns(const double* returns, size_t n, size_t cols) {
  for (size_t i = 0; i < n; i++) {
    if (std::fabs(returns[i]) == INFINITY) return fault(Fault::ReturnNotFinite, i, returns[i], cols);
  }
  return Status{};
}

// scipy's threshold for a zero variance in skew/kurtosis (RESOLUTION).
constexpr double kResolution = 1e-15;

// A column of a row-major matrix.
struct Column {
  const double* x;
  size_t rows, cols, c;
  double at(size_t t) const { return x[t * cols + c]; }
};

// nanMean()
double nanMean(const Column& col, double shift) {
  double sum = 0;
  double n = 0;
  for (size_t t = 0; t < col.rows; t++) {
    const double v = col.at(t);
    if (v == v) {
      sum += v - shift;
      n++;
    }
  }
  return sum / n;
}

// nanMoment()
double nanMoment(const Column& col, double mean, int k) {
  double sum = 0;
  double n = 0;
  for (size_t t = 0; t < col.rows; t++) {
    const double v = col.at(t);
    if (v == v) {
      const double d = v - mean;
      sum += k == 2 ? d * d : k == 3 ? d * d * d : d * d * (d * d);
      n++;
    }
  }
  return sum / n;
}

// nanStd()
double nanStd(const Column& col, double shift) {
  const double mean = nanMean(col, shift);
  double squares = 0;
  double n = 0;
  for (size_t t = 0; t < col.rows; t++) {
    const double v = col.at(t);
    if (v == v) {
      const double d = v - shift - mean;
      squares += d * d;
      n++;
    }
  }
  return std::sqrt(squares / (n - 1));
}

// columnStats()
void columnStats(const Column& col, double ppy, double rf, double* stats) {
  const size_t T = col.rows;
  double wealth = 1;
  for (size_t t = 0; t < T; t++) {
    const double r = col.at(t);
    if (r == r) wealth *= 1 + r;
  }
  const double years = static_cast<double>(T) / ppy;
  const double annualReturn = T < 1 ? NAN : std::pow(wealth, 1 / years) - 1;
  const double annualVolatility = T < 2 ? NAN : nanStd(col, 0) * std::sqrt(ppy);
  const double excessMean = nanMean(col, rf);
  const double sharpe = T < 2 ? NAN : (excessMean / nanStd(col, rf)) * std::sqrt(ppy);
  double downSquares = 0;
  double n = 0;
  for (size_t t = 0; t < T; t++) {
    const double r = col.at(t);
    if (r == r) {
      const double d = std::min(r - rf, 0.0);
      downSquares += d * d;
      n++;
    }
  }
  const double downsideRisk = T < 1 ? NAN : std::sqrt(downSquares / n) * std::sqrt(ppy);
  const double sortino = T < 2 ? NAN : (excessMean * ppy) / downsideRisk;
  double growth = 1;
  double peak = 100;
  double worst = 0;
  for (size_t t = 0; t < T; t++) {
    const double r = col.at(t);
    growth *= 1 + (r == r ? r : 0);
    const double value = growth * 100;
    peak = value > peak ? value : peak;
    const double drawdown = (value - peak) / peak;
    worst = drawdown < worst ? drawdown : worst;
  }
  const double maxDrawdown = T < 1 ? NAN : 0 - worst;
  const double calmarRaw = maxDrawdown > 0 ? annualReturn / maxDrawdown : NAN;
  const double calmar = std::isfinite(calmarRaw) ? calmarRaw : NAN;
  const double mean = nanMean(col, 0);
  const double m2 = nanMoment(col, mean, 2);
  const bool flat = !(m2 > kResolution * mean * (kResolution * mean));
  const double skewness = flat ? NAN : nanMoment(col, mean, 3) / std::pow(m2, 1.5);
  const double excessKurtosis = flat ? NAN : nanMoment(col, mean, 4) / (m2 * m2) - 3;
  const double all[kStatCount] = {annualReturn, annualVolatility, sharpe,        sortino,       downsideRisk,
                                  maxDrawdown,  calmar,           skewness,      excessKurtosis};
  std::copy(all, all + kStatCount, stats);
}

}  // namespace

Status simpleReturns(const double* prices, size_t rows, size_t cols, double* out) {
  const Status s = checkPrices(prices, rows * cols, cols);
  if (!s.ok()) return s;
  for (size_t i = cols; i < rows * cols; i++) out[i - cols] = (prices[i] - prices[i - cols]) / prices[i - cols];
  return Status{};
}

Status logReturns(const double* prices, size_t rows, size_t cols, double* out) {
  const Status s = checkPrices(prices, rows * cols, cols);
  if (!s.ok()) return s;
  for (size_t i = cols; i < rows * cols; i++) {
    out[i - cols] = std::log1p((prices[i] - prices[i - cols]) / prices[i - cols]);
  }
  return Status{};
}

Status portfolioReturns(const double* returns, size_t rows, size_t cols, const double* weights, size_t portfolios,
                        double* out) {
  for (size_t i = 0; i < portfolios * cols; i++) {
    if (!std::isfinite(weights[i])) return fault(Fault::WeightNotFinite, i, weights[i], cols);
  }
  const Status s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  for (size_t t = 0; t < rows; t++) {
    for (size_t p = 0; p < portfolios; p++) {
      double sum = 0;
      for (size_t c = 0; c < cols; c++) sum += weights[p * cols + c] * returns[t * cols + c];
      out[t * portfolios + p] = sum;
    }
  }
  return Status{};
}

Status performanceStats(const double* returns, size_t rows, size_t cols, double periodsPerYear, double riskFree,
                        double* out) {
  const Status s = checkReturns(returns, rows * cols, cols);
  if (!s.ok()) return s;
  double stats[kStatCount];
  for (size_t c = 0; c < cols; c++) {
    columnStats(Column{returns, rows, cols, c}, periodsPerYear, riskFree, stats);
    for (size_t k = 0; k < kStatCount; k++) out[k * cols + c] = stats[k];
  }
  return Status{};
}

}  // namespace kernelbus::risk
