// riskParity and nearestPsd (portfolio_alloc.hpp): src/backends/reference/portfolio/portfolio-riskparity.ts line
// by line, in the same order of operations; riskParity's problems shared between threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "eigen.hpp"
#include "parallel.hpp"
#include "portfolio_alloc.hpp"
#include "portfolio_rows.hpp"

namespace kernelbus::portfolio {

namespace {

Status fault(Fault f, size_t index, double value, size_t cols) {
  return Status{f, static_cast<double>(index), value, static_cast<double>(cols)};
}

// out = S v, row j of S (as column j) scaled by v_j and added, j in order (portfolio_rows.hpp).
void symmetricProduct(const double* S, size_t n, const double* v, double* out) {
  std::fill(out, out + n, 0.0);
  addRows(out, S, v, n);
}

double dot(const double* a, const double* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

// (S + diag(h)) x = rhs by diagonal-preconditioned conjugate gradients from 0 to ||residual|| <= tol.
void conjugateGradients(const double* S, size_t n, const double* h, const double* rhs, double tol, double* x) {
  std::vector<double> r(rhs, rhs + n), z(n), p(n), Hp(n);
  std::fill(x, x + n, 0.0);
  for (size_t i = 0; i < n; i++) z[i] = r[i] / (S[i * n + i] + h[i]);
  p = z;
  double rz = dot(r.data(), z.data(), n);
  for (size_t k = 0; k < 2 * n + 20; k++) {
    symmetricProduct(S, n, p.data(), Hp.data());
    for (size_t i = 0; i < n; i++) Hp[i] += h[i] * p[i];
    const double pHp = dot(p.data(), Hp.data(), n);
    if (!(pHp > 0)) return;
    const double alpha = rz / pHp;
    for (size_t i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * Hp[i];
    }
    if (std::sqrt(dot(r.data(), r.data(), n)) <= tol) return;
    for (size_t i = 0; i < n; i++) z[i] = r[i] / (S[i * n + i] + h[i]);
    const double rzNext = dot(r.data(), z.data(), n);
    const double beta = rzNext / rz;
    rz = rzNext;
    for (size_t i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
}

// 1/2 y'Sy - sum b_i log y_i given Sy.
double barrier(const double* y, const double* Sy, const double* b, size_t n) {
  double q = 0, l = 0;
  for (size_t i = 0; i < n; i++) {
    q += y[i] * Sy[i];
    l += b[i] * std::log(y[i]);
  }
  return 0.5 * q - l;
}

}  // namespace

namespace detail {
Status checkCov(const double* cov, size_t n, bool variances, size_t problem) {
  for (size_t i = 0; i < n * n; i++)
    if (!std::isfinite(cov[i])) return fault(Fault::PortfolioCovInvalid, problem * n * n + i, cov[i], n);
  if (variances)
    for (size_t i = 0; i < n; i++)
      if (!(cov[i * n + i] > 0)) return fault(Fault::VarianceNotPositive, problem * n + i, cov[i * n + i], n);
  return Status{};
}
}  // namespace detail

namespace {

// One problem's scratch (n values each), reused across the problems of a thread.
struct RiskParityScratch {
  std::vector<double> b, y, Sy, g, h, d, Sd, trial, Strial;
  explicit RiskParityScratch(size_t n) : b(n), y(n), Sy(n), g(n), h(n), d(n), Sd(n), trial(n), Strial(n) {}
};

// Problem p: its weights w, contributions rc (n each), volatility and Newton steps.
Status riskParityOne(const double* cov, size_t n, const double* budgets, size_t p, RiskParityScratch& s, double* w, double* rc,
                     double* volatility, double* iterations) {
  if (Status st = detail::checkCov(cov, n, true, p); !st.ok()) return st;
  for (size_t i = 0; i < n; i++)
    if (!(budgets[i] > 0 && budgets[i] < INFINITY)) return fault(Fault::BudgetInvalid, p * n + i, budgets[i], n);
  double total = 0;
  for (size_t i = 0; i < n; i++) total += budgets[i];
  std::vector<double>&b = s.b, &y = s.y, &Sy = s.Sy, &g = s.g, &h = s.h, &d = s.d, &Sd = s.Sd, &trial = s.trial, &Strial = s.Strial;
  double bMin = INFINITY;
  for (size_t i = 0; i < n; i++) {
    b[i] = budgets[i] / total;
    bMin = std::min(bMin, b[i]);
  }
  for (size_t i = 0; i < n; i++) y[i] = std::sqrt(b[i] / cov[i * n + i]);
  symmetricProduct(cov, n, y.data(), Sy.data());
  const double start = dot(y.data(), Sy.data(), n);  // 0 when S is singular along the start: then not scaled
  const double scale = start > 0 ? 1 / std::sqrt(start) : 1;
  for (size_t i = 0; i < n; i++) y[i] *= scale;
  int steps = 0;
  double r = INFINITY;
  for (;;) {
    symmetricProduct(cov, n, y.data(), Sy.data());
    r = 0;
    for (size_t i = 0; i < n; i++) {
      g[i] = Sy[i] - b[i] / y[i];
      h[i] = b[i] / (y[i] * y[i]);
      const double e = std::fabs(y[i] * Sy[i] - b[i]);
      if (!(e <= r)) r = e;  // NaN stays
    }
    if (r <= kRiskParityTolerance || steps == kRiskParityMaxSteps || !(r < INFINITY)) break;
    steps++;
    for (size_t i = 0; i < n; i++) trial[i] = -g[i];
    conjugateGradients(cov, n, h.data(), trial.data(), std::min(0.1, r) * std::sqrt(dot(g.data(), g.data(), n)), d.data());
    const double slope = dot(g.data(), d.data(), n);
    if (!(slope < 0)) break;
    double t = 1;
    for (size_t i = 0; i < n; i++)
      while (y[i] + t * d[i] <= 0) t *= 0.5;
    if (-slope >= 0.01 * bMin || t < 1) {
      symmetricProduct(cov, n, d.data(), Sd.data());
      const double f = barrier(y.data(), Sy.data(), b.data(), n);
      for (int k = 0; k < 60; k++) {
        for (size_t i = 0; i < n; i++) {
          trial[i] = y[i] + t * d[i];
          Strial[i] = Sy[i] + t * Sd[i];
        }
        if (barrier(trial.data(), Strial.data(), b.data(), n) <= f + 1e-4 * t * slope) break;
        t *= 0.5;
      }
    }
    for (size_t i = 0; i < n; i++) y[i] += t * d[i];
  }
  if (!(r <= 1e-10)) return Status{Fault::RiskParityNotConverged, static_cast<double>(steps), r, static_cast<double>(p)};
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += y[i];
  for (size_t i = 0; i < n; i++) w[i] = y[i] / sum;
  symmetricProduct(cov, n, w, Sy.data());
  const double variance = dot(w, Sy.data(), n);
  for (size_t i = 0; i < n; i++) rc[i] = (w[i] * Sy[i]) / variance;
  *volatility = std::sqrt(variance);
  *iterations = steps;
  return Status{};
}

}  // namespace

Status riskParity(const double* cov, size_t covCount, size_t n, const double* budgets, size_t budgetCount, size_t problems, double* out) {
  double* weights = out;
  double* contributions = out + problems * n;
  double* volatility = contributions + problems * n;
  double* iterations = volatility + problems;
  // a fault per problem: each chunk stops at its first, the first chunk's first is the first overall
  std::vector<Status> faults(problems);
  parallelFor(problems, 1, [&](size_t p0, size_t p1) {
    RiskParityScratch scratch(n);
    for (size_t p = p0; p < p1; p++) {
      const double* S = cov + (covCount == 1 ? 0 : p * n * n);
      const double* b = budgets + (budgetCount == 1 ? 0 : p * n);
      faults[p] = riskParityOne(S, n, b, p, scratch, weights + p * n, contributions + p * n, volatility + p, iterations + p);
      if (!faults[p].ok()) break;
    }
  });
  for (const Status& s : faults)
    if (!s.ok()) return s;
  return Status{};
}

/// PyPortfolioOpt fix_nonpositive_semidefinite (method 0 spectral, 1 diag) into out (nearestPsdOut()).
Status nearestPsd(const double* cov, size_t n, int method, double* out) {
  if (Status s = detail::checkCov(cov, n, false); !s.ok()) return s;
  double* fixed = out;
  double* repaired = nearestPsdOut(out, n).repaired;
  if (linalg::choleskySucceeds(cov, n, 1e-16)) {
    std::copy(cov, cov + n * n, fixed);
    *repaired = 0;
    return Status{};
  }
  std::vector<double> q(n), V(n * n);
  linalg::symmetricEigen(cov, n, q.data(), V.data());
  if (method == 0) {
    for (size_t k = 0; k < n; k++) q[k] = q[k] > 0 ? q[k] : 0;
    // the upper triangle, mirrored: an exactly symmetric matrix (what the optimizers require)
    for (size_t i = 0; i < n; i++) {
      for (size_t j = i; j < n; j++) {
        double s = 0;
        for (size_t k = 0; k < n; k++) s += V[i * n + k] * q[k] * V[j * n + k];
        fixed[i * n + j] = fixed[j * n + i] = s;
      }
    }
  } else {
    const double shift = 1.1 * q[0];
    std::copy(cov, cov + n * n, fixed);
    for (size_t i = 0; i < n; i++) fixed[i * n + i] = cov[i * n + i] - shift;
  }
  *repaired = 1;
  return Status{};
}

}  // namespace kernelbus::portfolio
