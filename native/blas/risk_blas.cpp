// See risk_blas.hpp. The BLAS steps of risk_steps.hpp: each hands its product to the library, or to the
// native step where a dimension does not fit the library's integers or is 0 (BLAS rejects a leading
// dimension of 0). portfolioVolatility's product needs a square n x n and blocks of at most 1,024
// portfolios: n fits wherever n x n does.
#include "risk_blas.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "lapack_compat.hpp"
#include "risk/risk.hpp"
#include "risk/risk_steps.hpp"

namespace kernelbus::blas {
namespace {

// True when every dimension is > 0 and fits in lapack_int.
bool fits(size_t a, size_t b) {
  constexpr size_t kMax = static_cast<size_t>(std::numeric_limits<lapack_int>::max());
  return a > 0 && b > 0 && a <= kMax && b <= kMax;
}

// The upper triangle of d'd by dsyrk (row-major, C = A'A with A n x p).
void gram(const double* d, size_t n, size_t p, double* out) {
  if (!fits(n, p)) return risk::kNativeCovarianceSteps.gram(d, n, p, out);
  const auto P = static_cast<lapack_int>(p), N = static_cast<lapack_int>(n);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, P, N, 1.0, d, P, 0.0, out, P);
}

// a'b by dgemm.
void cross(const double* a, const double* b, size_t n, size_t p, double* out) {
  if (!fits(n, p)) return risk::kNativeCovarianceSteps.cross(a, b, n, p, out);
  const auto P = static_cast<lapack_int>(p), N = static_cast<lapack_int>(n);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, P, P, N, 1.0, a, P, b, P, 0.0, out, P);
}

// The folded covariance of portfolioVolatility: U upper triangular, U_jj = S_jj and U_ij = S_ij + S_ji
// for i < j, so that w'Sw = sum over j of w_j (w'U)_j: half the products of W S, and exact for an S
// that is symmetric only to the tolerance the binding allows. False when a sum overflows (covariances
// near the largest double): 0 times that infinity would make a volatility NaN, so the native kernel
// takes the call.
bool folded(const double* cov, size_t n, std::vector<double>& u) {
  u.assign(n * n, 0.0);
  for (size_t i = 0; i < n; i++) {
    u[i * n + i] = cov[i * n + i];
    for (size_t j = i + 1; j < n; j++) {
      u[i * n + j] = cov[i * n + j] + cov[j * n + i];
      if (std::isinf(u[i * n + j])) return false;
    }
  }
  return true;
}

// v = W U for `count` portfolios by dtrmm on a copy of their weights (`u` the folded covariance):
// sum over i of w_i v_i is then w'Sw, as the shared loop sums it.
void weighted(const double* u, size_t n, const double* weights, size_t count, double* v) {
  if (n == 0) return;
  std::copy(weights, weights + count * n, v);
  const auto M = static_cast<lapack_int>(count), N = static_cast<lapack_int>(n);
  cblas_dtrmm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, M, N, 1.0, u, N, v, N);
}

// L by dpotrf: the row-major lower triangle of L is the column-major upper triangle dpotrf('U')
// factors in place (A = U'U, L = U'). Where dpotrf stops, or leaves a diagonal that is not finite and
// > 0, the native factorization runs: it reports the fault with the same pivot and value as every
// backend (or, at the margin where the two round differently, gives the factor).
Status cholesky(const double* cov, size_t n, std::vector<double>& L) {
  if (!fits(n, n)) return risk::nativeCholesky(cov, n, L);
  L.assign(n * n, 0.0);
  for (size_t i = 0; i < n; i++) std::copy(cov + i * n, cov + i * n + i + 1, L.data() + i * n);
  const auto N = static_cast<lapack_int>(n);
  bool factored = potrfUpper(N, L.data(), N) == 0;
  for (size_t k = 0; k < n && factored; k++) factored = L[k * n + k] > 0 && L[k * n + k] < INFINITY;
  return factored ? Status{} : risk::nativeCholesky(cov, n, L);
}

// 1,024 portfolios a product: their weights and v of 1,024 x n stay a few MB, and BLAS runs near its peak.
const risk::CovarianceSteps kCovarianceSteps{gram, cross};
const risk::VolatilitySteps kVolatilitySteps{1024, false, weighted};

}  // namespace

Status covariance(const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust, double benchmark, double* out) {
  return risk::covariance(kCovarianceSteps, returns, rows, cols, method, lambda, adjust, benchmark, out);
}

Status portfolioVolatility(const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
  std::vector<double> u;
  if (!folded(cov, n, u)) return risk::portfolioVolatility(cov, n, weights, portfolios, out);
  return risk::portfolioVolatility(kVolatilitySteps, u.data(), n, weights, portfolios, out);
}

Status monteCarloVar(const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios, size_t paths,
                     double confidence, double horizon, double seed, double nu, double* out) {
  return risk::monteCarloVar(cholesky, mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu, out);
}

Status monteCarloScenarios(const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed, double nu,
                           double* out) {
  return risk::monteCarloScenarios(cholesky, mean, cov, n, paths, horizon, seed, nu, out);
}

const char* vendor() { return kVendor; }

const char* unavailable() {
  return libraryAvailable() ? "" : "Accelerate's LAPACK 3.9 interface (ACCELERATE_NEW_LAPACK) needs macOS 13.3 or later";
}

}  // namespace kernelbus::blas
