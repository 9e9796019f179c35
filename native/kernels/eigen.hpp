// Dense symmetric linear algebra the portfolio kernels share (src/math/eigen.ts is the same code,
// operation for operation): the eigen-decomposition of a symmetric matrix (Householder tridiagonal
// reduction and implicit QL, EISPACK's tred2 and tql2 as JAMA writes them) and numpy's Cholesky test.
#pragma once

#include <cstddef>

namespace kernelbus::linalg {

/// sqrt(a^2 + b^2) without overflow, written out as eigen.ts's (std::hypot may round differently).
double hypot(double a, double b);

/// The eigenvalues (ascending) into values[n] and the eigenvectors into vectors (row-major n x n, vector
/// k in column k) of the symmetric matrix whose lower triangle `a` (row-major n x n) holds; false when
/// the QL iteration does not converge (a NaN in the input).
bool symmetricEigen(const double* a, size_t n, double* values, double* vectors);

/// Whether numpy's cholesky(a + shift I) succeeds (every pivot finite and > 0), a's lower triangle read.
bool choleskySucceeds(const double* a, size_t n, double shift);

}  // namespace kernelbus::linalg
