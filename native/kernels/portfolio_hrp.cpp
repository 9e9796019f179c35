// hrp and expectedReturns (portfolio_alloc.hpp): src/backends/reference/portfolio-hrp.ts line by line
// (PyPortfolioOpt's HRPOpt and expected_returns, pandas' nancorr and ewma).
#include <cfloat>
#include <cmath>
#include <utility>
#include <vector>

#include "portfolio_alloc.hpp"
#include "portfolio_linkage.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"

namespace kernelbus::portfolio {

namespace {

using risk::detail::fault;

// pandas' nancorr of columns x and y of a (rows x cols) over the rows where both are present (Welford):
// {covxy / (nobs - 1), covxy / sqrt(ssqdmx ssqdmy)}, NaN where the divisor is 0 or no row.
std::pair<double, double> pairStats(const double* a, size_t rows, size_t cols, size_t x, size_t y) {
  double nobs = 0, ssqdmx = 0, ssqdmy = 0, covxy = 0, meanx = 0, meany = 0;
  for (size_t t = 0; t < rows; t++) {
    const double vx = a[t * cols + x], vy = a[t * cols + y];
    if (vx != vx || vy != vy) continue;
    nobs += 1;
    const double dx = vx - meanx, dy = vy - meany;
    meanx += (1 / nobs) * dx;
    meany += (1 / nobs) * dy;
    ssqdmx += (vx - meanx) * dx;
    ssqdmy += (vy - meany) * dy;
    covxy += (vx - meanx) * dy;
  }
  if (nobs < 1) return {NAN, NAN};
  const double c = nobs - 1 != 0 ? covxy / (nobs - 1) : NAN;
  const double divisor = std::sqrt(ssqdmx * ssqdmy);
  return {c, divisor != 0 ? covxy / divisor : NAN};
}

// numpy's round(x, 6): rint(x * 1e6) / 1e6 (nearbyint: ties to even in the default rounding mode).
double round6(double x) { return std::nearbyint(x * 1e6) / 1e6; }

// HRP's cov and corr (n x n) from its input: `cov`/`corr` point at the caller's or at the buffers.
Status covAndCorr(const double* data, size_t rows, size_t n, const double* given, int source, std::vector<double>& covBuffer,
                  std::vector<double>& corrBuffer, const double*& cov, const double*& corr) {
  if (source == 0) {
    if (Status s = risk::detail::checkReturns(data, rows * n, n); !s.ok()) return s;
    corrBuffer.assign(n * n, 0.0);
    bool missing = false;
    for (size_t i = 0; i < rows * n && !missing; i++) missing = data[i] != data[i];
    if (missing) {
      covBuffer.assign(n * n, 0.0);
      for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j <= i; j++) {
          const auto [c, r] = pairStats(data, rows, n, i, j);
          covBuffer[i * n + j] = covBuffer[j * n + i] = c;
          corrBuffer[i * n + j] = corrBuffer[j * n + i] = r;
        }
      }
    } else {
      covBuffer.assign(risk::covarianceLength(n), 0.0);
      if (Status s = risk::covariance(data, rows, n, 0, 0.94, false, 0, covBuffer.data()); !s.ok()) return s;
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
          corrBuffer[i * n + j] = covBuffer[i * n + j] / std::sqrt(covBuffer[i * n + i] * covBuffer[j * n + j]);
      // a constant column has no correlation (pandas: a zero divisor), whatever the centring left of its variance
      for (size_t c = 0; c < n; c++) {
        bool constant = true;
        for (size_t t = 1; t < rows && constant; t++) constant = data[t * n + c] == data[c];
        if (constant)
          for (size_t k = 0; k < n; k++) corrBuffer[c * n + k] = corrBuffer[k * n + c] = NAN;
      }
    }
    cov = covBuffer.data();
    corr = corrBuffer.data();
    return Status{};
  }
  if (Status s = detail::checkCov(data, n, true); !s.ok()) return s;
  cov = data;
  if (source == 2) {
    corr = given;
    return Status{};
  }
  std::vector<double> dinv(n);
  for (size_t i = 0; i < n; i++) dinv[i] = 1 / std::sqrt(data[i * n + i]);
  corrBuffer.assign(n * n, 0.0);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) corrBuffer[i * n + j] = round6(dinv[i] * (data[i * n + j] * dinv[j]));
  corr = corrBuffer.data();
  return Status{};
}

// HRPOpt._get_cluster_var of the assets order[from..to): the inverse-variance portfolio's w'(S w).
double clusterVariance(const double* cov, size_t n, const double* order, size_t from, size_t to, double* w) {
  double total = 0;
  for (size_t k = from; k < to; k++) {
    const size_t a = static_cast<size_t>(order[k]);
    w[k] = 1 / cov[a * n + a];
    total += w[k];
  }
  for (size_t k = from; k < to; k++) w[k] /= total;
  double v = 0;
  for (size_t k = from; k < to; k++) {
    double s = 0;
    const double* row = cov + static_cast<size_t>(order[k]) * n;
    for (size_t l = from; l < to; l++) s += row[static_cast<size_t>(order[l])] * w[l];
    v += w[k] * s;
  }
  return v;
}

// HRPOpt._raw_hrp_allocation: the order bisected level by level, each pair scaled by alpha and 1 - alpha.
void bisect(const double* cov, size_t n, const double* order, double* weights) {
  std::vector<double> w(n, 1.0), scratch(n);
  std::vector<std::pair<size_t, size_t>> clusters{{0, n}}, halves;
  while (!clusters.empty()) {
    halves.clear();
    for (const auto& [a, b] : clusters) {
      if (b - a <= 1) continue;
      const size_t mid = a + (b - a) / 2;
      halves.emplace_back(a, mid);
      halves.emplace_back(mid, b);
    }
    std::swap(clusters, halves);
    for (size_t c = 0; c < clusters.size(); c += 2) {
      const size_t a = clusters[c].first, mid = clusters[c].second, b = clusters[c + 1].second;
      const double v1 = clusterVariance(cov, n, order, a, mid, scratch.data());
      const double v2 = clusterVariance(cov, n, order, mid, b, scratch.data());
      const double alpha = 1 - v1 / (v1 + v2);
      for (size_t k = a; k < mid; k++) w[k] *= alpha;
      for (size_t k = mid; k < b; k++) w[k] *= 1 - alpha;
    }
  }
  for (size_t k = 0; k < n; k++) weights[static_cast<size_t>(order[k])] = w[k];
}

// Annualised mean of column c (NaN skipped): CAGR or mean x frequency; NaN without data.
double annualMean(const double* r, size_t rows, size_t cols, size_t c, bool compounding, double frequency) {
  size_t count = 0;
  double prod = 1, sum = 0;
  for (size_t t = 0; t < rows; t++) {
    const double x = r[t * cols + c];
    if (x != x) continue;
    count++;
    prod *= 1 + x;
    sum += x;
  }
  if (count == 0) return NAN;
  return compounding ? std::pow(prod, frequency / static_cast<double>(count)) - 1 : (sum / static_cast<double>(count)) * frequency;
}

// pandas' ewm(span).mean() (adjust=True, ignore_na=False) of column c: its last value.
double ewmLast(const double* r, size_t rows, size_t cols, size_t c, double span) {
  if (rows == 0) return NAN;
  const double com = (span - 1) / 2;
  const double alpha = 1 / (1 + com);
  const double oldWtFactor = 1 - alpha;
  double weighted = r[c], oldWt = 1;
  for (size_t t = 1; t < rows; t++) {
    const double cur = r[t * cols + c];
    if (weighted == weighted) {
      oldWt *= oldWtFactor;
      if (cur == cur) {
        if (weighted != cur) weighted = (oldWt * weighted + cur) / (oldWt + 1);
        oldWt += 1;
      }
    } else if (cur == cur) {
      weighted = cur;
    }
  }
  return weighted;
}

}  // namespace

Status hrp(const double* data, size_t rows, size_t cols, const double* given, int method, int source, double* out) {
  const size_t n = cols;
  double* weights = out;
  double* order = out + n;
  double* Z = out + 2 * n;
  std::vector<double> covBuffer, corrBuffer;
  const double *cov = nullptr, *corr = nullptr;
  if (Status s = covAndCorr(data, rows, n, given, source, covBuffer, corrBuffer, cov, corr); !s.ok()) return s;
  std::vector<double> dists(n > 1 ? n * (n - 1) / 2 : 0);
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = i + 1; j < n; j++) {
      const double v = (1.0 - corr[i * n + j]) / 2.0;
      if (v != v) return fault(Fault::CorrelationUndefined, i * n + j, corr[i * n + j], n);
      dists[at++] = std::sqrt(v < 0 ? 0 : v > 1 ? 1 : v);
    }
  }
  if (n == 0) return Status{};
  linkage(dists.data(), n, method, Z);
  leavesOrder(Z, n, order);
  bisect(cov, n, order, weights);
  return Status{};
}

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
    for (size_t c = 0; c < cols; c++) out[c] = annualMean(r, T, cols, c, compounding, frequency);
    return Status{};
  }
  if (method == 1) {
    for (size_t c = 0; c < cols; c++) {
      const double e = ewmLast(r, T, cols, c, span);
      out[c] = compounding ? std::pow(1 + e, frequency) - 1 : e * frequency;
    }
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
  const double varMarket = pairStats(a.data(), T, k, cols, cols).first;
  const double marketMean = annualMean(a.data(), T, k, cols, compounding, frequency);
  for (size_t c = 0; c < cols; c++) {
    const double covMarket = pairStats(a.data(), T, k, cols, c).first;
    out[c] = riskFree + (covMarket / varMarket) * (marketMean - riskFree);
  }
  return Status{};
}

}  // namespace kernelbus::portfolio
