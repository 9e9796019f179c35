// efficientFrontier: the critical line algorithm, as src/backends/reference/portfolio/portfolio-cla.ts (its
// comment says how), step for step: every turning point kept, then `points` frontier portfolios.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "parallel.hpp"
#include "portfolio.hpp"
#include "portfolio_qp.hpp"

namespace kernelbus::portfolio {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kBudgetTag = 0;

Status fault(Fault f, double index, double value, double previous) { return Status{f, index, value, previous}; }

/// `points` portfolios evenly spaced in expected return along the turning points.
void frontierPoints(const FrontierOut& o, const double* mean, const double* cov, size_t n, size_t count, size_t points) {
  const double top = o.returns[0], bottom = o.returns[count - 1];
  std::vector<double> w(n);
  size_t s = 0;
  for (size_t k = 0; k < points; k++) {
    const double r = points == 1 ? top : top - ((top - bottom) * static_cast<double>(k)) / static_cast<double>(points - 1);
    while (s + 2 < count && o.returns[s + 1] > r) s++;
    const size_t s1 = s + 1 < count ? s + 1 : s;
    const double r0 = o.returns[s], r1 = o.returns[s1];
    const double t = r0 == r1 ? 1 : std::min(std::max((r - r1) / (r0 - r1), 0.0), 1.0);
    const double* w0 = o.weights + s * n;
    const double* w1 = o.weights + s1 * n;
    double ret = 0;
    for (size_t j = 0; j < n; j++) {
      w[j] = t * w0[j] + (1 - t) * w1[j];
      ret += mean[j] * w[j];
    }
    std::copy(w.begin(), w.end(), o.frontierWeights + k * n);
    o.frontierReturns[k] = ret;
    o.frontierVolatilities[k] = std::sqrt(std::max(quadratic(cov, w.data(), n), 0.0));
  }
}

/// The first of a turning point's weights, return and volatility that is not finite; 0 when all are.
double notFinite(const std::vector<double>& w, double r, double vol) {
  for (double x : w)
    if (!std::isfinite(x)) return x;
  if (!std::isfinite(r)) return r;
  return std::isfinite(vol) ? 0 : vol;
}

/// Problem p's frontier (its inputs checked) into o.
Status frontierOne(const double* mean, const double* cov, size_t n, const double* lower, const double* upper, size_t points, size_t p,
                   const FrontierOut& o) {
  const size_t capacity = turningPointCapacity(n);
  std::vector<double> w(lower, lower + n);
  double left = 1, room = 0;
  for (size_t j = 0; j < n; j++) {
    left -= lower[j];
    room += upper[j] - lower[j];
  }
  if (left < -1e-12 || left > room + 1e-12)
    return fault(Fault::PortfolioInfeasible, static_cast<double>(p), left < 0 ? -left : left - room, kBudgetTag);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return mean[j] < mean[i]; });
  std::vector<uint8_t> free(n, 0);
  for (size_t j : order) {
    const double add = std::min(upper[j] - lower[j], left);
    w[j] = add == upper[j] - lower[j] ? upper[j] : lower[j] + add;
    left -= add;
    if (left <= 0 || j == order[n - 1]) {
      free[j] = 1;
      break;
    }
  }
  size_t count = 0;
  // a covariance that is not PSD (assumePsd: true skipped the test) can give NaN here: a fault, not a result
  auto record = [&](double lambda) {
    o.lambdas[count] = lambda;
    std::copy(w.begin(), w.end(), o.weights + count * n);
    double r = 0;
    for (size_t j = 0; j < n; j++) r += mean[j] * w[j];
    const double vol = std::sqrt(std::max(quadratic(cov, w.data(), n), 0.0));
    o.returns[count] = r;
    o.volatilities[count] = vol;
    const double bad = notFinite(w, r, vol);
    if (!std::isfinite(bad)) return fault(Fault::PortfolioNotPsd, static_cast<double>(p), bad, static_cast<double>(count));
    count++;
    return Status{};
  };
  if (Status s = record(kInf); !s.ok()) return s;
  double lambda = kInf;
  long last = -1;
  std::vector<size_t> F;
  std::vector<double> alpha(n), beta(n), cs(n), ds(n), K, rhsA, rhsB, solA, solB;
  std::vector<size_t> perm;
  for (;;) {
    if (count >= capacity) return fault(Fault::PortfolioNotConverged, static_cast<double>(p), static_cast<double>(count), 0);
    F.clear();
    for (size_t j = 0; j < n; j++)
      if (free[j]) F.push_back(j);
    const size_t nf = F.size(), s = nf + 1;
    K.assign(s * s, 0.0);
    for (size_t r = 0; r < nf; r++) {
      for (size_t c = 0; c < nf; c++) K[r * s + c] = cov[F[r] * n + F[c]];
      K[r * s + nf] = 1;
      K[nf * s + r] = 1;
    }
    perm.assign(s, 0);
    if (!luFactor(K.data(), s, perm.data()))
      return fault(Fault::PortfolioNotConverged, static_cast<double>(p), static_cast<double>(count), 0);
    rhsA.assign(s, 0.0);
    rhsB.assign(s, 0.0);
    double bound = 0;
    for (size_t j = 0; j < n; j++)
      if (!free[j]) bound += w[j];
    for (size_t r = 0; r < nf; r++) {
      double v = 0;
      for (size_t j = 0; j < n; j++)
        if (!free[j]) v += cov[F[r] * n + j] * w[j];
      rhsA[r] = -v;
      rhsB[r] = mean[F[r]];
    }
    rhsA[nf] = 1 - bound;
    solA.assign(s, 0.0);
    solB.assign(s, 0.0);
    luSolve(K.data(), s, perm.data(), rhsA.data(), solA.data());
    luSolve(K.data(), s, perm.data(), rhsB.data(), solB.data());
    double bmax = 0;
    for (size_t r = 0; r < nf; r++) {
      alpha[F[r]] = solA[r];
      beta[F[r]] = solB[r];
      bmax = std::max(bmax, std::fabs(solB[r]));
    }
    const double ga = solA[nf], gb = solB[nf];
    double next = -kInf, toBound = 0;
    long asset = -1;
    // the asset of the last turning point does not turn back at it (rounding)
    auto near = [&](double t, size_t j) { return static_cast<long>(j) == last && t >= lambda * (1 - 1e-9); };
    for (size_t i : F) {
      double t = -kInf, b = 0;
      if (beta[i] > 1e-13 * bmax && lower[i] > -kInf) {
        t = (lower[i] - alpha[i]) / beta[i];
        b = lower[i];
      } else if (beta[i] < -1e-13 * bmax && upper[i] < kInf) {
        t = (upper[i] - alpha[i]) / beta[i];
        b = upper[i];
      }
      // a weight already at its bound and moving out of it leaves now (a degenerate turning point)
      if (t > lambda) t = lambda;
      if (t > next && !near(t, i)) {
        next = t;
        asset = static_cast<long>(i);
        toBound = b;
      }
    }
    double dmax = 0;
    for (size_t j = 0; j < n; j++) {
      if (free[j] || lower[j] == upper[j]) continue;
      double c = ga, d = gb - mean[j];
      for (size_t i : F) {
        c += cov[j * n + i] * alpha[i];
        d += cov[j * n + i] * beta[i];
      }
      for (size_t k = 0; k < n; k++)
        if (!free[k]) c += cov[j * n + k] * w[k];
      cs[j] = c;
      ds[j] = d;
      dmax = std::max(dmax, std::fabs(d));
    }
    for (size_t j = 0; j < n; j++) {
      if (free[j] || lower[j] == upper[j]) continue;
      const bool atLower = w[j] == lower[j];
      const double d = ds[j];
      if (!(atLower ? d > 1e-13 * dmax : d < -1e-13 * dmax)) continue;
      const double t = std::min(-cs[j] / d, lambda);
      if (t > next && !near(t, j)) {
        next = t;
        asset = static_cast<long>(j);
        toBound = std::numeric_limits<double>::quiet_NaN();
      }
    }
    if (!(next > 0)) {
      for (size_t i : F) w[i] = alpha[i];
      if (Status s = record(0); !s.ok()) return s;
      break;
    }
    for (size_t i : F) w[i] = alpha[i] + next * beta[i];
    const size_t a = static_cast<size_t>(asset);
    if (std::isnan(toBound)) {
      free[a] = 1;
    } else {
      free[a] = 0;
      w[a] = toBound;
    }
    lambda = next;
    last = asset;
    if (Status s = record(lambda); !s.ok()) return s;
  }
  o.count[0] = static_cast<double>(count);
  frontierPoints(o, mean, cov, n, count, points);
  return Status{};
}

}  // namespace

Status efficientFrontier(const MeanBatch& b, const double* lower, const double* upper, size_t boundCount, size_t points, double* out) {
  const size_t n = b.n, P = b.problems;
  std::vector<Status> faults(P);
  // one frontier a chunk, handed out as threads come free (frontiers cost unevenly)
  parallelForChunks(P, 1, [&](size_t p0, size_t p1) {
    for (size_t p = p0; p < p1; p++) {
      const size_t mo = b.meanCount == 1 ? 0 : p * n, bo = boundCount == 1 ? 0 : p * n;
      const double* mean = b.mean + mo;
      Status& s = faults[p];
      for (size_t k = 0; k < n && s.ok(); k++)
        if (!std::isfinite(mean[k]))
          s = fault(Fault::PortfolioMeanNotFinite, static_cast<double>(mo + k), mean[k], b.meanCount == 1 ? 1.0 : static_cast<double>(n));
      if (s.ok()) s = checkCovAt(b.cov, b.covCount == 1 ? 0 : p, n);
      if (s.ok())
        s = frontierOne(mean, b.cov + (b.covCount == 1 ? 0 : p * n * n), n, lower + bo, upper + bo, points, p,
                        frontierOut(out, P, n, points, p));
      if (!s.ok()) break;
    }
  });
  for (const Status& s : faults)
    if (!s.ok()) return s;
  return Status{};
}

}  // namespace kernelbus::portfolio
