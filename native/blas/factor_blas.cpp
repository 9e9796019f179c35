// See factor_blas.hpp. A date whose normal equations the library cannot solve as the reference does
// (choleskySolve()) has the native style stage instead, with the native normal equations: the reference's
// answer, bit for bit, on collinear or nearly collinear styles, graded or degenerate Gram matrices.
#include "factor_blas.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "blas_threads.hpp"
#include "factor/factor_solve.hpp"
#include "factor/factor_stages.hpp"
#include "lapack_compat.hpp"

namespace kernelbus::blas {
namespace {

using factor::FactorDate;
using factor::FactorInputs;

// True when every dimension is > 0 and fits in lapack_int.
bool fits(size_t a, size_t b) {
  constexpr size_t kMax = static_cast<size_t>(std::numeric_limits<lapack_int>::max());
  return a > 0 && b > 0 && a <= kMax && b <= kMax;
}

// One thread's scratch, reused across its dates.
struct StyleWork {
  std::vector<double> z;                        // (s + 1) x n, row-major: sqrt(w) x_k over the usable assets, then sqrt(w) y
  std::vector<double> gram;                     // (s + 1) x (s + 1): Z Z', its upper triangle (row-major)
  std::vector<double> A, c;                     // X'WX (s x s, both triangles) and X'Wy
  std::vector<double> factor, lambda, work, f;  // LAPACK's matrix, eigenvalues, workspace; the solution
  factor::StyleScratch native;
};

// The normal equations of date t: Z Z' by dsyrk, Z = [X | y]' with each usable asset's column scaled
// by sqrt(w), so that A = sum w x x' and c = sum w x y (the products rounded as sqrt(w) x times
// sqrt(w) x' rather than (w x) x').
void styleGram(const FactorInputs& in, size_t t, const FactorDate& d, StyleWork& work) {
  const size_t s = in.s, n = d.use.size(), N = in.cols;
  const std::vector<double>& y = d.y(in.residualize);
  work.z.resize((s + 1) * n);
  work.gram.resize((s + 1) * (s + 1));
  double* z = work.z.data();
  for (size_t a = 0; a < n; a++) z[s * n + a] = std::sqrt(d.w[a]);  // the scales first, in y's row
  for (size_t k = 0; k < s; k++) {
    const double* x = in.styles[k] + t * N;
    for (size_t a = 0; a < n; a++) z[k * n + a] = z[s * n + a] * x[d.use[a]];
  }
  for (size_t a = 0; a < n; a++) z[s * n + a] *= y[a];
  const auto S = static_cast<lapack_int>(s + 1), M = static_cast<lapack_int>(n);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, S, M, 1.0, z, M, 0.0, work.gram.data(), S);
  work.A.resize(s * s);
  work.c.resize(s);
  for (size_t i = 0; i < s; i++) {
    for (size_t j = i; j < s; j++) work.A[i * s + j] = work.A[j * s + i] = work.gram[i * (s + 1) + j];
    work.c[i] = work.gram[i * (s + 1) + s];
  }
}

// The smallest eigenvalue of X'WX, relative to the largest, from which the library's solve is used:
// far above pinvSolve()'s cut-off (kPinvRtol, 1e-10), so that neither drops a direction and the
// pseudo-inverse is the inverse, and a condition number small enough that the Cholesky solve's
// rounding stays near 1e-10 of the result. Below it (collinear styles, styles of very different
// scales, a date nearly rank-deficient) the native solve runs: the reference's cut-off, its
// minimum-norm answer, and the accuracy of its Jacobi rotations on graded matrices.
constexpr double kWellConditioned = 1e-6;
static_assert(kWellConditioned >= 1e3 * factor::kPinvRtol, "well above the cut-off");

// f = (X'WX)^-1 X'Wy by a Cholesky solve (dpotrf, dpotrs: it keeps the small couplings of a
// well-conditioned matrix to their relative precision, where an eigendecomposition would round them
// against the largest eigenvalue), after dsyev's eigenvalues showed every one at least
// kWellConditioned times the largest. False (f unset) where the native solve must run instead:
// pinvSolve() would stop before its first rotation (its sums of squares not finite, or underflowing: a
// Gram matrix of entries below 1e-154 counts as diagonal there, so the reference solves it as one), a
// date below kWellConditioned, or a LAPACK routine that fails.
bool choleskySolve(size_t s, StyleWork& work) {
  const double* A = work.A.data();
  double off = 0, diagonal = 0;  // the sums of pinvSolve()'s first convergence test
  for (size_t p = 0; p < s; p++) {
    diagonal += A[p * s + p] * A[p * s + p];
    for (size_t q = p + 1; q < s; q++) off += A[p * s + q] * A[p * s + q];
  }
  if (!std::isfinite(off) || !std::isfinite(diagonal) || !(off > 1e-32 * diagonal)) return false;
  const auto S = static_cast<lapack_int>(s);
  work.factor.assign(work.A.begin(), work.A.end());  // symmetric: row-major is column-major
  work.lambda.resize(s);
  if (work.work.empty()) {
    double best = 0;
    if (eigenvaluesLower(S, work.factor.data(), S, work.lambda.data(), &best, -1) != 0) return false;
    work.work.resize(std::max<size_t>(static_cast<size_t>(best), 3 * s));
  }
  if (eigenvaluesLower(S, work.factor.data(), S, work.lambda.data(), work.work.data(), static_cast<lapack_int>(work.work.size())) != 0)
    return false;
  const double smallest = work.lambda[0], largest = work.lambda[s - 1];  // ascending
  if (!(smallest > 0 && smallest >= kWellConditioned * largest)) return false;
  work.factor.assign(work.A.begin(), work.A.end());
  if (potrfUpper(S, work.factor.data(), S) != 0) return false;
  work.f.assign(work.c.begin(), work.c.end());
  return potrsUpper(S, 1, work.factor.data(), S, work.f.data(), S) == 0;
}

// The style stage of date t (factor::styleStage()'s outputs) by the library; where it cannot decide it
// as the reference does (choleskySolve() false) or a dimension does not fit, the native stage from the
// native normal equations: the reference's bits on those dates (its sums in its order, its solve). One
// style is native too: its normal equation is two dot products, nothing for the library to do (and
// pinvSolve()'s first test never passes for a 1 x 1 matrix).
void styleStage(const FactorInputs& in, size_t t, const FactorDate& d, double* fr, double* resid, StyleWork& work) {
  const size_t s = in.s;
  if (s == 0) return factor::styleResiduals(in, t, d, nullptr, fr, resid);
  if (s > 1 && fits(s + 1, d.use.size())) {
    styleGram(in, t, d, work);
    if (choleskySolve(s, work)) return factor::styleResiduals(in, t, d, work.f.data(), fr, resid);
  }
  work.A.resize(s * s);
  work.c.resize(s);
  factor::styleGram(in, t, d, work.A.data(), work.c.data());
  factor::styleStage(in, t, d, work.A.data(), work.c.data(), fr, resid, work.native);
}

}  // namespace

Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate, size_t m,
                     const double* const* styles, size_t s, double winsorize, bool residualize, double* out) {
  const FactorInputs in{returns, cap, rows, cols, sectors, perDate, m, styles, s, winsorize, residualize};
  const OneLibraryThread oneLibraryThread;  // the dates are shared out here: the library stays on its caller's thread
  return factor::runDates<StyleWork>(in, out, [&](size_t t, const FactorDate& date, double* fr, double* resid, StyleWork& work) {
    styleStage(in, t, date, fr, resid, work);
  });
}

}  // namespace kernelbus::blas
