// The arithmetic cores of the risk kernels that another backend may compute with its own library (the
// BLAS backend, native/blas/risk_blas.cpp): the cross-products of covariance(), the weighted
// rows of portfolioVolatility(), the Cholesky factor of the Monte Carlo kernels. Everything around
// them (validation, complete rows, centring, shrinkage, the paths) is written once, in risk_cov.cpp
// and risk_montecarlo.cpp, and takes the steps as a parameter; risk.hpp's kernels pass the native ones.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "parallel.hpp"
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

/// For each of `portfolios` portfolios (weights portfolios x n, finite): v = S w by the steps' blocks
/// and q = w' S w = sum_i w_i v_i in index order over the assets of weight other than 0 (their v_i may
/// overflow beside huge covariances), then each(p, w, v, q). The blocks are shared out between the
/// threads or not, as the steps say (a portfolio's sums are the same on any): portfolioVolatility()
/// and riskContributions().
template <typename Each>
void forEachQuadratic(const VolatilitySteps& steps, const double* cov, size_t n, const double* weights, size_t portfolios, Each each) {
  const size_t size = steps.block;
  const size_t blocks = (portfolios + size - 1) / size;
  const size_t minBlocks = steps.shareBlocks ? std::max<size_t>(1, 65536 / (size * n * n + 1)) : blocks + 1;
  parallelFor(blocks, minBlocks, [&](size_t first, size_t end) {
    std::vector<double> v(std::min(size, portfolios) * n);
    for (size_t block = first; block < end; block++) {
      const size_t p0 = block * size;
      const size_t count = std::min(size, portfolios - p0);
      steps.weighted(cov, n, weights + p0 * n, count, v.data());
      for (size_t b = 0; b < count; b++) {
        const double* w = weights + (p0 + b) * n;
        const double* vb = v.data() + b * n;
        double q = 0;
        for (size_t i = 0; i < n; i++) q += w[i] != 0 ? w[i] * vb[i] : 0;
        each(p0 + b, w, vb, q);
      }
    }
  });
}

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
