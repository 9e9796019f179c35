// The optimizers' covariance test (src/kernels/portfolio-psd.ts): a Cholesky factorization of
// S / max(diag S) stopping at the first pivot below -kPsdTolerance, as
// src/backends/reference/portfolio-psd.ts computes it, the same pivots to the bit.
#pragma once

#include <cstddef>

#include "status.hpp"

namespace kernelbus::portfolio {

/// A pivot of S / max(diag S) below minus this fails; one within it is a zero pivot.
constexpr double kPsdTolerance = 1e-8;

/// The first failing pivot of the n x n symmetric S: false and its asset and value (in S's units), or
/// true when S passes. `scratch`: n * n + psdPanelLength(n) doubles.
bool psdPivot(const double* S, size_t n, double* scratch, size_t& asset, double& pivot);
/// The panel's scratch length for n assets.
size_t psdPanelLength(size_t n);

/// checkPsd(cov, covCount, n) into out (3 values: the first failing covariance, its asset, its pivot;
/// -1, -1, 0 when all pass), the covariances shared between threads. Fault: PortfolioCovInvalid (the
/// lowest covariance's, when no lower one failed the test).
Status checkPsd(const double* cov, size_t covCount, size_t n, double* out);

}  // namespace kernelbus::portfolio
