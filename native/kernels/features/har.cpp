// The HAR model (generated/features.hpp declares it): src/backends/reference/features/har.ts in C++,
// the same arithmetic (modified Gram-Schmidt on [X | y], then highfrequency's fitted values).
#include <cmath>
#include <vector>

#include "generated/features.hpp"

namespace kernelbus::features {

namespace {

double harMean(const double* rv, size_t t, size_t h) {
  double sum = 0;
  for (size_t i = t + 1 - h; i <= t; i++) sum += rv[i];
  return sum / static_cast<double>(h);
}

double dot(const double* x, const double* y, size_t m) {
  double s = 0;
  for (size_t r = 0; r < m; r++) s += x[r] * y[r];
  return s;
}

constexpr double kRankTol = 1e-7;

/// The API's checks again: terms [0, increasing integer lags], rv finite and long enough.
Status checkHar(const double* rv, size_t n, const double* terms, size_t k) {
  if (k < 2) return Status{Fault::HarInputInvalid, 2, static_cast<double>(n), 1};
  for (size_t j = 0; j < k; j++) {
    const double h = terms[j];
    const bool ok = j == 0 ? h == 0 : h > terms[j - 1] && h == std::floor(h) && h <= 1e9;
    if (!ok) return Status{Fault::HarInputInvalid, static_cast<double>(j), h, 1};
  }
  const double need = terms[k - 1] + static_cast<double>(k);
  if (static_cast<double>(n) < need) return Status{Fault::HarInputInvalid, need, static_cast<double>(n), 2};
  for (size_t i = 0; i < n; i++) {
    if (!std::isfinite(rv[i])) return Status{Fault::HarInputInvalid, static_cast<double>(i), rv[i], 0};
  }
  return Status{};
}

}  // namespace

Status har(const double* rv, size_t n, const double* terms, size_t k, double* out) {
  if (Status s = checkHar(rv, n, terms, k); !s.ok()) return s;
  const HarOut o = harOut(out, k, n);
  const size_t maxp = static_cast<size_t>(terms[k - 1]);
  const size_t m = n - maxp;
  std::vector<double> a((k + 1) * m);
  for (size_t r = 0; r < m; r++) {
    const size_t t = maxp - 1 + r;
    a[r] = 1;
    for (size_t j = 1; j < k; j++) a[j * m + r] = harMean(rv, t, static_cast<size_t>(terms[j]));
    a[k * m + r] = rv[t + 1];
  }
  std::vector<double> R(k * k), z(k);
  bool ok = true;
  for (size_t j = 0; j <= k && ok; j++) {
    double* col = a.data() + j * m;
    const double norm0 = std::sqrt(dot(col, col, m));
    for (size_t i = 0; i < j; i++) {
      const double* q = a.data() + i * m;
      const double rij = dot(q, col, m);
      for (size_t r = 0; r < m; r++) col[r] -= rij * q[r];
      if (j < k) {
        R[i * k + j] = rij;
      } else {
        z[i] = rij;
      }
    }
    if (j == k) break;
    const double rjj = std::sqrt(dot(col, col, m));
    if (!(rjj > kRankTol * norm0)) ok = false;
    R[j * k + j] = rjj;
    for (size_t r = 0; r < m; r++) col[r] /= rjj;
  }
  for (size_t t = 0; t < n; t++) o.fitted[t] = NAN;
  if (!ok) {
    for (size_t j = 0; j < k; j++) o.coefficients[j] = NAN;
    o.forecast[0] = NAN;
    return Status{};
  }
  for (size_t j = k; j-- > 0;) {
    double s = z[j];
    for (size_t i = j + 1; i < k; i++) s -= R[j * k + i] * o.coefficients[i];
    o.coefficients[j] = s / R[j * k + j];
  }
  double lo = 0, hi = -INFINITY, sum = 0;
  for (size_t t = maxp; t < n; t++) {
    if (rv[t] < lo) lo = rv[t];
    if (rv[t] > hi) hi = rv[t];
    sum += rv[t];
  }
  const double mean = sum / static_cast<double>(m);
  for (size_t t = maxp - 1; t < n; t++) {
    double f = o.coefficients[0];
    for (size_t j = 1; j < k; j++) f += o.coefficients[j] * harMean(rv, t, static_cast<size_t>(terms[j]));
    if (t == n - 1) {
      o.forecast[0] = f;
    } else {
      o.fitted[t + 1] = f < lo || f > hi ? mean : f;
    }
  }
  return Status{};
}

}  // namespace kernelbus::features
