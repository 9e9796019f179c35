// expectedReturns (portfolio_alloc.hpp): src/backends/reference/portfolio/portfolio-expected.ts line by line
// (PyPortfolioOpt's expected_returns over pandas' statistics): every statistic over all columns at
// once, row by row, each column's sums in row order.
#include <cfloat>
#include <cmath>
#include <vector>

#include "portfolio_alloc.hpp"
#include "risk_checks.hpp"

namespace kernelbus::portfolio {

namespace {

using risk::detail::fault;

// Per column of r (rows x cols), NaN skipped: the CAGR or mean x frequency; NaN without data.
void annualMeans(const double* r, size_t rows, size_t cols, bool compounding, double frequency, double* out) {
  std::vector<double> count(cols, 0.0), prod(cols, 1.0), sum(cols, 0.0);
  for (size_t t = 0; t < rows; t++) {
    const double* row = r + t * cols;
    for (size_t c = 0; c < cols; c++) {
      const double x = row[c];
      if (x != x) continue;
      count[c]++;
      prod[c] *= 1 + x;
      sum[c] += x;
    }
  }
  for (size_t c = 0; c < cols; c++) {
    if (count[c] == 0)
      out[c] = NAN;
    else
      out[c] = compounding ? std::pow(prod[c], frequency / count[c]) - 1 : (sum[c] / count[c]) * frequency;
  }
}

// pandas' ewm(span).mean() (adjust=True, ignore_na=False) of each column: its last value.
void ewmLasts(const double* r, size_t rows, size_t cols, double span, double* out) {
  if (rows == 0) {
    for (size_t c = 0; c < cols; c++) out[c] = NAN;
    return;
  }
  const double com = (span - 1) / 2;
  const double alpha = 1 / (1 + com);
  const double oldWtFactor = 1 - alpha;
  std::vector<double> weighted(r, r + cols), oldWt(cols, 1.0);
  for (size_t t = 1; t < rows; t++) {
    const double* row = r + t * cols;
    for (size_t c = 0; c < cols; c++) {
      const double cur = row[c];
      if (weighted[c] == weighted[c]) {
        oldWt[c] *= oldWtFactor;
        if (cur == cur) {
          if (weighted[c] != cur) weighted[c] = (oldWt[c] * weighted[c] + cur) / (oldWt[c] + 1);
          oldWt[c] += 1;
        }
      } else if (cur == cur) {
        weighted[c] = cur;
      }
    }
  }
  for (size_t c = 0; c < cols; c++) out[c] = weighted[c];
}

// pandas' nancorr covariance of the last column of a (rows x k, the market) with every column.
void marketCovariances(const double* a, size_t rows, size_t k, double* out) {
  const size_t m = k - 1;
  std::vector<double> nobs(k, 0.0), meanx(k, 0.0), meany(k, 0.0), covxy(k, 0.0);
  for (size_t t = 0; t < rows; t++) {
    const double vx = a[t * k + m];
    if (vx != vx) continue;
    for (size_t c = 0; c < k; c++) {
      const double vy = a[t * k + c];
      if (vy != vy) continue;
      nobs[c] += 1;
      const double dx = vx - meanx[c], dy = vy - meany[c];
      meanx[c] += (1 / nobs[c]) * dx;
      meany[c] += (1 / nobs[c]) * dy;
      covxy[c] += (vx - meanx[c]) * dy;
    }
  }
  for (size_t c = 0; c < k; c++) out[c] = nobs[c] >= 1 && nobs[c] - 1 != 0 ? covxy[c] / (nobs[c] - 1) : NAN;
}

}  // namespace

Status expectedReturns(const double* prices, size_t rows, size_t cols, const double* benchmark, int method, bool compounding, double span,
                       double frequency, double riskFree, bool returnsData, bool logReturns, double* out) {
  std::vector<double> buffer;
  std::vector<size_t> kept;
  const double* r = prices;
  if (returnsData) {
    if (Status s = risk::detail::checkReturns(prices, rows * cols, cols); !s.ok()) return s;
    for (size_t t = 0; t < rows; t++) kept.push_back(t);
  } else {
    for (size_t i = 0; i < rows * cols; i++) {
      const double p = prices[i];
      if (!(p > 0 && p <= DBL_MAX) && !std::isnan(p)) return fault(Fault::PriceNotPositive, i, p, cols);
    }
    buffer.assign(rows > 1 ? (rows - 1) * cols : 0, 0.0);
    size_t t2 = 0;
    for (size_t t = 1; t < rows; t++) {
      bool any = false;
      for (size_t c = 0; c < cols; c++) {
        const double x = prices[t * cols + c] / prices[(t - 1) * cols + c] - 1;
        buffer[t2 * cols + c] = logReturns ? std::log(1 + x) : x;
        any = any || x == x;
      }
      if (any) {
        kept.push_back(t);
        t2++;
      }
    }
    r = buffer.data();
  }
  const size_t T = kept.size();
  if (method == 0) {
    annualMeans(r, T, cols, compounding, frequency, out);
    return Status{};
  }
  if (method == 1) {
    ewmLasts(r, T, cols, span, out);
    for (size_t c = 0; c < cols; c++) out[c] = compounding ? std::pow(1 + out[c], frequency) - 1 : out[c] * frequency;
    return Status{};
  }
  const size_t k = cols + 1;
  std::vector<double> a(T * k);
  for (size_t t = 0; t < T; t++) {
    double s = 0;
    size_t m = 0;
    for (size_t c = 0; c < cols; c++) {
      const double x = r[t * cols + c];
      a[t * k + c] = x;
      if (x == x) {
        s += x;
        m++;
      }
    }
    double market;
    if (benchmark == nullptr)
      market = m > 0 ? s / static_cast<double>(m) : NAN;
    else if (returnsData)
      market = benchmark[kept[t]];
    else {
      const double x = benchmark[kept[t]] / benchmark[kept[t] - 1] - 1;
      market = logReturns ? std::log(1 + x) : x;
    }
    a[t * k + cols] = market;
  }
  std::vector<double> cov(k), means(k);
  marketCovariances(a.data(), T, k, cov.data());
  annualMeans(a.data(), T, k, compounding, frequency, means.data());
  const double marketMean = means[cols];
  for (size_t c = 0; c < cols; c++) out[c] = riskFree + (cov[c] / cov[cols]) * (marketMean - riskFree);
  return Status{};
}

}  // namespace kernelbus::portfolio
