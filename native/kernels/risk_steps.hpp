// The arithmetic cores of the risk kernels that another backend may compute with its own library (the
// BLAS backend, native/blas/risk_blas.cpp): the cross-products of covariance(), the weighted
// rows of portfolioVolatility(), the Cholesky factor of the Monte Carlo kernels. Everything around
// them (validation, complete rows, centring, shrinkage, the paths) is written once, in risk_cov.cpp
// and risk_montecarlo.cpp, and takes the steps as a parameter; risk.hpp's kernels pass the native ones.
#pragma once

#include <cstddef>
#include <vector>

#include "status.hpp"

namespace kernelbus::risk {

/// covariance()'s cross-products over n rows of p columns (row-major), sums over the rows.
struct CovarianceSteps {
  /// The upper triangle (j >= i) of d'd into out (p x p, zeroed by the caller; the lower triangle is not read).
  void (*gram)(const double* d, size_t n, size_t p, double* out);
  /// a'b into out (p x p, the whole matrix).
  void (*cross)(const double* a, const double* b, size_t n, size_t p, double* out);
};

/// portfolioVolatility()'s products: v = W S for blocks of `block` portfolios.
struct VolatilitySteps {
  /// Portfolios per call of `weighted`.
  size_t block;
  /// True: the blocks are shared out between the kernels' threads (parallel.hpp); false: one after the
  /// other (the step has threads of its own).
  bool shareBlocks;
  /// v[b * n + i] = sum over j of weights[b * n + j] cov[j * n + i] for b < count.
  void (*weighted)(const double* cov, size_t n, const double* weights, size_t count, double* v);
};

/// The Monte Carlo kernels' factorization: L (n x n, row-major, lower triangular, zeros above) with
/// L L' = the covariance whose lower triangle `cov` holds, or CovNotPositiveDefinite at the first pivot
/// that is not finite and > 0 (index = the pivot, value = its remaining diagonal).
using CholeskyStep = Status (*)(const double* cov, size_t n, std::vector<double>& L);

/// The native steps (risk_cov.cpp, risk_montecarlo.cpp).
extern const CovarianceSteps kNativeCovarianceSteps;
extern const VolatilitySteps kNativeVolatilitySteps;
Status nativeCholesky(const double* cov, size_t n, std::vector<double>& L);

/// Monte Carlo's projection of P portfolios on the Cholesky factor L (n x n, lower): b_p = L' w_p into
/// b (P x n) and the drifts h w_p' mu into drift (P), in the order every backend forms them.
void projectWeights(const double* L, size_t n, const double* weights, size_t portfolios, const double* mean, double horizon, double* b,
                    double* drift);

/// risk.hpp's covariance(), portfolioVolatility(), monteCarloVar() and monteCarloScenarios() over the
/// given steps (same arguments, same faults).
Status covariance(const CovarianceSteps& steps, const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust,
                  double benchmark, double* out);
Status portfolioVolatility(const VolatilitySteps& steps, const double* cov, size_t n, const double* weights, size_t portfolios,
                           double* out);
Status monteCarloVar(CholeskyStep cholesky, const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios,
                     size_t paths, double confidence, double horizon, double seed, double nu, double* out);
Status monteCarloScenarios(CholeskyStep cholesky, const double* mean, const double* cov, size_t n, size_t paths, double horizon,
                           double seed, double nu, double* out);

}  // namespace kernelbus::risk
