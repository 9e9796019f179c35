// The optimizers' covariance test (src/kernels/portfolio/portfolio-psd.ts): a Cholesky factorization of
// S / max(diag S) stopping at the first pivot below -kPsdTolerance, as
// src/backends/reference/portfolio/portfolio-psd.ts computes it, the same pivots to the bit.
#pragma once

#include <cstddef>

#include "generated/portfolio.hpp"
#include "status.hpp"

namespace kernelbus::portfolio {

/// A pivot of S / max(diag S) below minus this fails; one within it is a zero pivot.
constexpr double kPsdTolerance = 1e-8;

/// The first failing pivot of the n x n symmetric S: false and its asset and value (in S's units), or
/// true when S passes. `scratch`: n * n + psdPanelLength(n) doubles. On a pass, with `keepFactor`, its
/// first n * n hold the factor of S / max(diag S), as the reference's `a`: row-major, the pivots d_j on
/// the diagonal (L_jj = sqrt(d_j); a zero pivot, within the tolerance, left as it was with its column of
/// L 0), L below it, the reference's bits (without it, what the factorization left there).
bool psdPivot(const double* S, size_t n, double* scratch, size_t& asset, double& pivot, bool keepFactor = true);
/// The panel's scratch length for n assets.
size_t psdPanelLength(size_t n);

}  // namespace kernelbus::portfolio
