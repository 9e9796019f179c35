// One model on one series (src/backends/reference/volatility/model.ts, function for function).
#include "volatility/model.hpp"

#include <algorithm>
#include <cmath>

#include "volatility/processes.hpp"
#include "volatility/garch_terms.hpp"
#include "volatility/passes.hpp"

namespace kernelbus::volatility {

namespace {}  // namespace

Problem::Problem(const Model& model, const double* series, size_t length) : m(model), y(series), T(length) {
  nobs = length > m.lags ? length - m.lags : 0;
  k = paramCount(m);
  const size_t km = meanCount(m);
  iw = km;
  ia = km + 1;
  ig = ia + m.p;
  ib = ig + m.o;
  ix = ib + m.q;
  id = ix + extraCount(m);
  lower.assign(nobs, 0);
  upper.assign(nobs, 0);
  e.assign(nobs, 0);
  sigma2.assign(nobs, 0);
  ln.assign(nobs, 0);
  z.assign(nobs, 0);
}

void residuals(const Problem& pr, const double* theta, double* e) {
  const size_t L = pr.m.lags;
  if (pr.m.mean == kMeanZero) {
    for (size_t t = 0; t < pr.nobs; t++) e[t] = pr.y[t];
    return;
  }
  const double c = theta[0];
  for (size_t t = 0; t < pr.nobs; t++) {
    double fit = c;
    for (size_t j = 1; j <= L; j++) fit += theta[j] * pr.y[t + L - j];
    e[t] = pr.y[t + L] - fit;
  }
}

bool solveLinear(double* a, double* b, size_t n) {
  for (size_t c = 0; c < n; c++) {
    size_t piv = c;
    for (size_t r = c + 1; r < n; r++)
      if (std::fabs(a[r * n + c]) > std::fabs(a[piv * n + c])) piv = r;
    if (!(std::fabs(a[piv * n + c]) > 0)) return false;
    if (piv != c) {
      for (size_t j = 0; j < n; j++) std::swap(a[c * n + j], a[piv * n + j]);
      std::swap(b[c], b[piv]);
    }
    for (size_t r = c + 1; r < n; r++) {
      const double f = a[r * n + c] / a[c * n + c];
      if (f == 0) continue;
      for (size_t j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  for (size_t c = n; c-- > 0;) {
    double s = b[c];
    for (size_t j = c + 1; j < n; j++) s -= a[c * n + j] * b[j];
    b[c] = s / a[c * n + c];
  }
  return true;
}

bool olsMean(const Problem& pr, double* out, double* ySq) {
  const size_t L = pr.m.lags, n = 1 + L;
  double sq = 0;
  if (pr.m.mean != kMeanZero && n == 1) {  // the mean of y; its sum beside y's squares (two chains a step)
    double b = 0;
    for (size_t t = 0; t < pr.nobs; t++) {
      b += pr.y[t];
      sq += pr.y[t] * pr.y[t];
    }
    out[0] = b / double(pr.nobs);
    if (ySq) *ySq = sq;
    return true;
  }
  for (size_t t = L; t < pr.T; t++) sq += pr.y[t] * pr.y[t];
  if (ySq) *ySq = sq;
  if (pr.m.mean == kMeanZero) return true;
  std::vector<double> a(n * n, 0), b(n, 0), row(n, 0);
  for (size_t t = 0; t < pr.nobs; t++) {
    row[0] = 1;
    for (size_t j = 1; j <= L; j++) row[j] = pr.y[t + L - j];
    const double yt = pr.y[t + L];
    for (size_t i = 0; i < n; i++) {
      b[i] += row[i] * yt;
      for (size_t j = 0; j <= i; j++) a[i * n + j] += row[i] * row[j];
    }
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i];
  if (!solveLinear(a.data(), b.data(), n)) return false;
  for (size_t i = 0; i < n; i++) out[i] = b[i];
  return true;
}

/// 0.94^i normalized to sum 1, i < min(75, nobs) (the powers by repeated products, as the reference).
static std::vector<double> ewmaWeights(size_t nobs) {
  const size_t tau = std::min<size_t>(75, nobs);
  std::vector<double> w(tau);
  double power = 1, sum = 0;
  for (size_t i = 0; i < tau; i++) {
    w[i] = power;
    sum += power;
    power *= 0.94;
  }
  for (size_t i = 0; i < tau; i++) w[i] /= sum;
  return w;
}

double backcastOf(const Model& m, const double* e, size_t nobs) {
  const std::vector<double> w = ewmaWeights(nobs);
  double s = 0;
  for (size_t i = 0; i < w.size(); i++) s += e[i] * e[i] * w[i];
  return (m.vol == kVolEgarch) ? ln(s) : s;
}

double meanSquare(const double* e, size_t nobs) {
  double s2 = 0;
  for (size_t t = 0; t < nobs; t++) s2 += e[t] * e[t];
  return s2 / double(nobs);
}

double varianceBounds(const double* e, size_t nobs, double* lower, double* upper) {
  const std::vector<double> w = ewmaWeights(nobs);
  double init = 0;
  for (size_t i = 0; i < w.size(); i++) init += w[i] * (e[i] * e[i]);
  // Independent chains, each in t's order, run side by side in one loop: the bits of one loop each.
  double maxSq = 0, s = 0, s2 = 0;
  for (size_t t = 0; t < nobs; t++) {
    const double sq = e[t] * e[t];
    maxSq = std::max(maxSq, sq);
    s += e[t];
    s2 += sq;
  }
  const double mean = s / double(nobs);
  double var = 0, prev = 0;
  for (size_t t = 0; t < nobs; t++) {  // the variance beside the EWMA (kept in upper until clamped)
    var += (e[t] - mean) * (e[t] - mean);
    double v = 0;
    v += t == 0 ? 0.06 * init : 0.06 * (e[t - 1] * e[t - 1]);
    v += t == 0 ? 0.94 * init : 0.94 * prev;
    prev = v;
    upper[t] = v;
  }
  const double lo = var / double(nobs) / 1e8, minUpper = 1 + maxSq, hi = 1e7 * (1 + maxSq);
  for (size_t t = 0; t < nobs; t++) {
    const double v = upper[t];
    double l = v / 1e6, u = v * 1e6;
    if (l < lo) l = lo;
    if (u < minUpper) u = minUpper;
    if (u > hi) u = hi;
    lower[t] = l;
    upper[t] = u;
  }
  return s2 / double(nobs);
}

double fixAt(Problem& pr, const double* theta) {
  residuals(pr, theta, pr.e.data());
  pr.backcast = backcastOf(pr.m, pr.e.data(), pr.nobs);
  return varianceBounds(pr.e.data(), pr.nobs, pr.lower.data(), pr.upper.data());
}

void recursion(Problem& pr, const double* theta, bool derivatives) {
  if (derivatives) {
    pr.ds.resize(pr.nobs * pr.k);
    if (pr.m.vol == kVolEgarch) pr.dz.resize(pr.nobs * pr.k);
  }
  processOf(pr.m).recursion(pr, theta, derivatives);  // GARCH's derivatives: garchGradient, in the likelihood's pass
}

namespace {

/// The GARCH family's -ll and gradient in one pass: each step's derivatives (the reference's
/// same operations) kept for the last q steps only and folded into the gradient at once (what
/// recursion() then the partials' loop compute, without the nobs x k array).
double garchGradient(Problem& pr, const double* theta, const Dist& dist, double* grad, double* scores) {
  const Model& m = pr.m;
  const size_t k = pr.k, km = pr.iw, nobs = pr.nobs, rows = m.q + 1;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  double* sigma2 = pr.sigma2.data();
  std::vector<double> ring(rows * k, 0.0);
  size_t at = 0;
  std::fill(grad, grad + k, 0.0);
  GradientSums sums;
  Partials part;
  // zeros stored one by one: memset's wide stores, then this row's narrow loads, stall store forwarding
  const double zero = pr.lower.empty() ? 0.0 : pr.lower[0] * 0.0;
  const auto rd = [&](size_t t, size_t i) { return residualDerivative(pr, t, i); };
  for (size_t t = 0; t < nobs; t++) {
    const size_t row = t == 0 ? 0 : (at + 1 == rows ? 0 : at + 1);  // t % rows, without a division
    at = row;
    double* d = ring.data() + row * k;
    for (size_t i = 0; i < k; i++) d[i] = zero;
    d[pr.iw] = 1;
    double s = theta[pr.iw];
    for (size_t j = 0; j < m.p; j++) {
      const double a = theta[pr.ia + j];
      if (t < j + 1) {
        s += a * bc;
        d[pr.ia + j] += bc;
      } else {
        archTerm(s, d, pr.ia + j, a, e[t - 1 - j], km, t - 1 - j, rd);
      }
    }
    for (size_t j = 0; j < m.o; j++) {
      const double g = theta[pr.ig + j];
      if (t < j + 1) {
        s += g * 0.5 * bc;
        d[pr.ig + j] += 0.5 * bc;
      } else {
        gjrTerm(s, d, pr.ig + j, g, e[t - 1 - j], km, t - 1 - j, rd, branchNegative);
      }
    }
    for (size_t j = 0; j < m.q; j++) {
      const double b = theta[pr.ib + j];
      if (t < j + 1) {
        s += b * bc;
        d[pr.ib + j] += bc;
      } else {
        const double* l = ring.data() + (row >= j + 1 ? row - j - 1 : row + rows - j - 1) * k;  // lag % rows
        garchTerm(s, d, pr.ib + j, b, sigma2[t - 1 - j], l, k);
      }
    }
    s = boundVariance(pr, t, s, d, k);
    sigma2[t] = s;
    dist.partials(e[t], s, part);
    const double w = part.dSigma2;
    sums.add(pr, t, s, part, w, d, k, km, grad);
    if (scores) observationScore(pr, dist, part, w, d, t, scores + t * k);
  }
  return sums.finish(pr, dist, distCount(m), grad, grad, k);
}

}  // namespace

void observationScore(const Problem& pr, const Dist& dist, const Partials& part, double w, const double* d, size_t t, double* row) {
  const size_t k = pr.k, km = pr.iw;
  for (size_t i = 0; i < k; i++) row[i] = w * d[i];
  for (size_t i = 0; i < km; i++) row[i] += part.dE * (i == 0 ? -1 : -pr.y[t + pr.m.lags - i]);
  const size_t shapes = distCount(pr.m);
  if (shapes > 0) row[pr.id] += dist.constantA() - 0.5 * ln(part.g) + part.dA;
  if (shapes > 1) row[pr.id + 1] += part.dB;
  for (size_t i = 0; i < k; i++) row[i] = -row[i];
}

double negLogLikelihood(Problem& pr, const double* theta, double* grad, bool individual, double* scores) {
  residuals(pr, theta, pr.e.data());
  const Dist dist(pr.m.dist, theta, pr.id);
  const size_t nobs = pr.nobs, k = pr.k, km = pr.iw;
  if (!individual && pr.m.vol == kVolGarch) {
    if (grad) {
      const GradientPass fixed = garch11Gradient(pr.m);
      return fixed ? fixed(pr, theta, dist, grad, scores) : garchGradient(pr, theta, dist, grad, scores);  // sigma2 too
    }
    if (const ValuePass fixed = garch11Value(pr.m)) return fixed(pr, theta, dist);
  }
  double garchValue = 0;
  if (grad && pr.m.vol == kVolGarch)
    garchValue = garchGradient(pr, theta, dist, grad, scores);  // sigma2 too
  else
    recursion(pr, theta, grad != nullptr);
  if (individual) {
    pr.individual.resize(nobs);
    for (size_t t = 0; t < nobs; t++) pr.individual[t] = -dist.ll(pr.e[t], pr.sigma2[t]);
  }
  if (!grad) return -distLogLikelihood(dist, pr.e.data(), pr.sigma2.data(), nobs);
  if (pr.m.vol == kVolGarch) return garchValue;
  // EGARCH: the chain rule over the recursion's derivatives of ln sigma^2 (dl/d ln sigma^2 = sigma^2 dl/d
  // sigma^2); APARCH's are of sigma^2 itself
  GradientSums sums;
  Partials part;
  std::fill(grad, grad + k, 0.0);
  for (size_t t = 0; t < nobs; t++) {
    dist.partials(pr.e[t], pr.sigma2[t], part);
    const double w = pr.m.vol == kVolEgarch ? part.dSigma2 * pr.sigma2[t] : part.dSigma2;
    const double* d = pr.ds.data() + t * k;
    sums.add(pr, t, pr.sigma2[t], part, w, d, k, km, grad);
    if (scores) observationScore(pr, dist, part, w, d, t, scores + t * k);
  }
  return sums.finish(pr, dist, distCount(pr.m), grad, grad, k);
}

}  // namespace kernelbus::volatility
