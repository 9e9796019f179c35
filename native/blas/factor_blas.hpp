// The BLAS backend's factorReturns (factor_blas.cpp): the native kernel's stages (factor_stages.hpp:
// checks, faults, the market + sector stage, the residuals) with each date's style regression by the
// BLAS/LAPACK library (lapack_compat.hpp): the normal equations X'WX and X'Wy of the date's usable
// assets from one dsyrk over their rows [x', y] scaled by sqrt(w), and f = (X'WX)^-1 X'Wy by Cholesky
// (dpotrf, dpotrs) where LAPACK's eigenvalues (dsyev) show X'WX well-conditioned. Elsewhere (collinear
// or nearly collinear styles, graded or degenerate matrices, a single style) the date's style stage is the native one,
// so that the reference's pseudo-inverse and minimum-norm answer hold there bit for bit. Dates are
// shared out between the addon's threads as in the native kernel (each date whole on one thread), the
// library on one thread inside (blas_threads.hpp). Results differ from the native kernel's in rounding
// only (the parity suite's stated tolerance).
#pragma once

#include <cstddef>

#include "status.hpp"

namespace kernelbus::blas {

/// factor::factorReturns() (factor.hpp: same arguments, faults and outputs) with the style stage by BLAS/LAPACK.
Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate, size_t m,
                     const double* const* styles, size_t s, double winsorize, bool residualize, double* out);

}  // namespace kernelbus::blas
