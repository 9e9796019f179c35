// The BLAS backend's risk kernels (risk_blas.cpp): the arguments, checks, faults and everything
// around the arithmetic cores of risk.hpp's kernels, with those cores computed by the BLAS/LAPACK
// library (lapack_compat.hpp): covariance's cross-products by dsyrk and dgemm, portfolioVolatility's
// products by dtrmm over the covariance folded into its upper triangle, the Monte Carlo kernels'
// Cholesky factor by dpotrf (the normals and the paths are the native ones). Built only where CMake found BLAS and LAPACK
// (KERNELBUS_HAVE_BLAS). Results differ from the native kernels' in rounding only: the library sums in its own order.
#pragma once

#include <cstddef>

#include "blas_threads.hpp"  // threads(), setThreads(): the library's threads
#include "status.hpp"

namespace kernelbus::blas {

/// risk::covariance() with the cross-products by BLAS (EWMA, a recursion, is the native sweep).
Status covariance(const double* returns, size_t rows, size_t cols, int method, double lambda, bool adjust, double benchmark, double* out);
/// risk::portfolioVolatility() with w'Sw = sum over j of w_j (w'U)_j, U the upper triangle of S + S' with
/// S's diagonal, by dtrmm over blocks of portfolios (half the products of W S).
Status portfolioVolatility(const double* cov, size_t n, const double* weights, size_t portfolios, double* out);
/// risk::monteCarloVar() with L by dpotrf.
Status monteCarloVar(const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios, size_t paths,
                     double confidence, double horizon, double seed, double nu, double* out);
/// risk::monteCarloScenarios() with L by dpotrf.
Status monteCarloScenarios(const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed, double nu,
                           double* out);

/// The library: "openblas" or "accelerate".
const char* vendor();
/// Empty when the library can be called here, else why not (Accelerate before macOS 13.3).
const char* unavailable();
}  // namespace kernelbus::blas
