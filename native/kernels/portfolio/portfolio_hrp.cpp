// hrp (portfolio_alloc.hpp): src/backends/reference/portfolio/portfolio-hrp.ts line by line (PyPortfolioOpt's
// HRPOpt, pandas' nancorr).
#include <cmath>
#include <utility>
#include <vector>

#include "parallel.hpp"
#include "portfolio_alloc.hpp"
#include "portfolio_linkage.hpp"
#include "risk/risk.hpp"
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

// HRP's cov and corr (n x n) from its input (problem p of a stack for a cov): `cov`/`corr` point at the
// caller's or at the buffers.
Status covAndCorr(const double* data, size_t rows, size_t n, const double* given, int source, size_t p, std::vector<double>& covBuffer,
                  std::vector<double>& corrBuffer, const double*& cov, const double*& corr) {
  if (source == 0) {
    bool missing = false;
    if (Status s = risk::detail::checkReturns(data, rows * n, n, &missing); !s.ok()) return s;
    corrBuffer.assign(n * n, 0.0);
    if (missing) {
      covBuffer.assign(n * n, 0.0);
      // rows i of the pairs (i, j <= i) handed out in chunks (the work grows with i): each pair computed whole by one
      parallelForChunks(n, 16, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; i++) {
          for (size_t j = 0; j <= i; j++) {
            const auto [c, r] = pairStats(data, rows, n, i, j);
            covBuffer[i * n + j] = covBuffer[j * n + i] = c;
            corrBuffer[i * n + j] = corrBuffer[j * n + i] = r;
          }
        }
      });
    } else {
      covBuffer.assign(risk::covarianceLength(n), 0.0);
      if (Status s = risk::covariance(data, rows, n, 0, 0.94, false, 0, covBuffer.data()); !s.ok()) return s;
      parallelFor(n, std::max<size_t>(8, 65536 / (n + 1)), [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; i++)
          for (size_t j = 0; j < n; j++)
            corrBuffer[i * n + j] = covBuffer[i * n + j] / std::sqrt(covBuffer[i * n + i] * covBuffer[j * n + j]);
      });
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
  if (Status s = detail::checkCov(data, n, true, p); !s.ok()) return s;
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

// One problem (problem p of a stack): its weights, order (n each) and linkage ((n - 1) x 4).
Status hrpOne(const double* data, size_t rows, size_t n, const double* given, int method, int source, size_t p, double* weights,
              double* order, double* Z) {
  std::vector<double> covBuffer, corrBuffer;
  const double *cov = nullptr, *corr = nullptr;
  if (Status s = covAndCorr(data, rows, n, given, source, p, covBuffer, corrBuffer, cov, corr); !s.ok()) return s;
  std::vector<double> dists(n > 1 ? n * (n - 1) / 2 : 0);
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = i + 1; j < n; j++) {
      const double v = (1.0 - corr[i * n + j]) / 2.0;
      if (v != v) return fault(Fault::CorrelationUndefined, p * n * n + i * n + j, corr[i * n + j], n);
      dists[at++] = std::sqrt(v < 0 ? 0 : v > 1 ? 1 : v);
    }
  }
  if (n == 0) return Status{};
  linkage(dists.data(), n, method, Z);
  leavesOrder(Z, n, order);
  bisect(cov, n, order, weights);
  return Status{};
}

}  // namespace

Status hrp(const double* data, size_t rows, size_t cols, const double* given, int method, int source, double* out) {
  const size_t n = cols;
  const size_t problems = source == 0 || n == 0 ? 1 : rows / n;
  const size_t m = n > 0 ? n - 1 : 0;
  double* weights = out;
  double* order = out + problems * n;
  double* Z = order + problems * n;
  // returns: one problem (its pairs with missing values shared between threads)
  if (source == 0) return hrpOne(data, rows, n, given, method, source, 0, weights, order, Z);
  // a stack of covariances: each problem solved whole by one thread; the first failing problem's fault
  std::vector<Status> faults(problems);
  parallelFor(problems, 1, [&](size_t p0, size_t p1) {
    for (size_t p = p0; p < p1; p++) {
      faults[p] = hrpOne(data + p * n * n, n, n, source == 2 ? given + p * n * n : given, method, source, p, weights + p * n, order + p * n,
                         Z + p * m * 4);
      if (!faults[p].ok()) break;
    }
  });
  for (const Status& s : faults)
    if (!s.ok()) return s;
  return Status{};
}

}  // namespace kernelbus::portfolio
