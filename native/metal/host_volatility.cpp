// The Metal backend's portfolioVolatility (host.hpp): sqrt(w'Sw) per portfolio, the quadratic forms on
// the runner in float (kb_quadratic_forms), everything around them in double precision. Float has 8
// exponent bits where double has 11, so the host hands over an equilibrated problem: S = D S' D with
// D = diag(2^d_i) and S' correlation-like whatever the assets' scales, and each portfolio's Dw scaled
// by a power of two so that its largest contributions are about 1; then w'Sw = 2^(2 e) (w~' S' w~),
// every scaling exact. A portfolio holding an asset whose variance does not bound its covariances (the
// matrix is not semi-definite there) is computed on the host, in double precision.
#include <algorithm>
#include <cmath>
#include <vector>

#include "host.hpp"
#include "risk_checks.hpp"

namespace kernelbus::shader {
namespace {

/// ceil(e / 2).
int halfUp(int e) { return e >= 0 ? (e + 1) / 2 : -((-e) / 2); }

/// The exponent of x (x = f 2^e, |f| in [1/2, 1)), for x != 0.
int exponentOf(double x) {
  int e;
  std::frexp(x, &e);
  return e;
}

/// The equilibration of a symmetric S: the exponents d_i, and which assets have a variance of their own
/// that bounds their row (S'_ii = S_ii 2^(-2 d_i) in [1/4, 1], every |S'_ij| <= 2^64), and which rows are
/// 0. Only the bounded rows go to the shader (the others' entries are 0 there: a portfolio holding one
/// of their assets is computed on the host, and an asset whose row is 0 adds nothing).
struct Equilibration {
  std::vector<int> d;
  std::vector<char> bounded, zero;
};

/**
 * 2^(2 d_i) at or above S_ii, which bounds the row of a semi-definite S (|S_ij| <= sqrt(S_ii S_jj)) and
 * keeps the digits of small-variance assets. An asset whose row that bound does not hold for by 2^64 (a
 * matrix that is not semi-definite, or a variance rounded away in double's subnormal range, or a 0
 * variance beside covariances that are not 0) is not `bounded`: a portfolio that holds it is computed
 * on the host.
 */
Equilibration equilibrate(const double* cov, size_t n) {
  Equilibration q{std::vector<int>(n), std::vector<char>(n), std::vector<char>(n)};
  for (size_t i = 0; i < n; i++) {
    const double* row = cov + i * n;
    bool zero = true;
    for (size_t j = 0; j < n && zero; j++) zero = row[j] == 0;
    q.zero[i] = zero;
    q.bounded[i] = !zero && row[i] > 0;
    q.d[i] = q.bounded[i] ? halfUp(exponentOf(row[i])) : 0;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n && q.bounded[i]; j++) {
      const double x = cov[i * n + j];
      q.bounded[i] = x == 0 || (q.bounded[j] && exponentOf(x) <= q.d[i] + q.d[j] + 64);
    }
  }
  return q;
}

/**
 * The scale e of portfolio w: its largest |w_i| 2^(d_i - e) is about 1, so its largest contributions
 * w~_i^2 S'_ii are about 1 and what falls below float's range beside them is negligible. False when it
 * holds an asset that is not bounded (the host computes that portfolio); assets whose rows are 0 add
 * nothing and are left out.
 */
bool portfolioExponent(const double* w, size_t n, const Equilibration& q, int& e) {
  bool any = false;
  e = 0;
  for (size_t j = 0; j < n; j++) {
    if (w[j] == 0 || q.zero[j]) continue;
    if (!q.bounded[j]) return false;
    const int ej = exponentOf(w[j]) + q.d[j];
    e = any ? std::max(e, ej) : ej;
    any = true;
  }
  return true;
}

/// sqrt(w'Sw) in double precision, in the reference's order (a portfolio that holds an unbounded asset).
double hostVolatility(const double* cov, size_t n, const double* w) {
  double q = 0;
  for (size_t i = 0; i < n; i++) {
    if (w[i] == 0) continue;
    double v = 0;
    for (size_t j = 0; j < n; j++) v += w[j] * cov[j * n + i];
    q += w[i] * v;
  }
  return std::sqrt(q);
}

}  // namespace

Status portfolioVolatility(Runner& runner, const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
  if (Status s = risk::detail::checkWeights(weights, portfolios * n, n); !s.ok()) return s;
  if (portfolios == 0) return Status{};
  requireElements(n * n, "cov");
  requireElements(portfolios * n, "weights");
  const Equilibration q = equilibrate(cov, n);
  Buffer S = runner.allocate(std::max<size_t>(n * n, 1)), W = runner.allocate(std::max<size_t>(portfolios * n, 1)),
         Q = runner.allocate(portfolios);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) S.data[i * n + j] = q.bounded[i] && q.bounded[j] ? scaled(cov[i * n + j], q.d[i] + q.d[j]) : 0.0f;
  std::vector<int> e(portfolios);
  std::vector<char> onHost(portfolios);
  for (size_t p = 0; p < portfolios; p++) {
    const double* w = weights + p * n;
    onHost[p] = !portfolioExponent(w, n, q, e[p]);
    for (size_t j = 0; j < n; j++) W.data[p * n + j] = onHost[p] || !q.bounded[j] ? 0.0f : scaled(w[j], e[p] - q.d[j]);
  }
  runner.run(Kernel::QuadraticForms, {&S, &W, &Q}, KbQuadraticParams{static_cast<unsigned>(portfolios), static_cast<unsigned>(n)},
             portfolios);
  runner.finish();
  for (size_t p = 0; p < portfolios; p++) {
    out[p] = onHost[p] ? hostVolatility(cov, n, weights + p * n) : std::sqrt(std::ldexp(static_cast<double>(Q.data[p]), 2 * e[p]));
  }
  return Status{};
}

}  // namespace kernelbus::shader
