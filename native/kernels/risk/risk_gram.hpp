// covariance()'s native cross-product sweeps (risk_gram.cpp): each output element's sum over the rows t
// in ascending order, exactly as the reference's loop over t (src/backends/reference/risk/risk.ts).
#pragma once

#include <cstddef>

namespace kernelbus::risk::detail {

/// out[i][j] (j >= i, and some j < i: the lower triangle is left to be overwritten) += sum over t of
/// d[t][i] d[t][j]; d is n x p row-major, out p x p.
void sampleSweep(const double* d, size_t n, size_t p, double* out);
/// The EWMA recursion c = t == 0 ? a b : lambda c + (1 - lambda) a b over the upper triangle, as sampleSweep.
void ewmaSweep(const double* d, size_t n, size_t p, double lambda, double* out);
/// out[i][j] += sum over t of w[t] (d[t][i] d[t][j]) over the upper triangle, as sampleSweep.
void weightedSweep(const double* d, size_t n, size_t p, const double* w, double* out);
/// out = a'b (p x p, the whole matrix): sum over t of a[t][i] b[t][j].
void crossSweep(const double* a, const double* b, size_t n, size_t p, double* out);

}  // namespace kernelbus::risk::detail
