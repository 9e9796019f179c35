// The one place that includes a BLAS/LAPACK library: CBLAS and the few LAPACK routines the BLAS
// backend calls (native/blas/risk_blas.cpp, factor_blas.cpp), over Apple's Accelerate or OpenBLAS, behind one set of
// names, so that the same source compiles on macOS and is built and parity-tested on Linux.
//
// - macOS: <Accelerate/Accelerate.h> with ACCELERATE_NEW_LAPACK and ACCELERATE_LAPACK_ILP64 defined
//   first (the LAPACK 3.9 interface with 64-bit integers, macOS 13.3+; never prototypes of our own,
//   which would bind the deprecated LAPACK 3.2 symbols). Accelerate has no LAPACKE: its Fortran-style
//   routines take no hidden string lengths.
// - Linux: OpenBLAS's <cblas.h> (which also declares openblas_get/set_num_threads), and LAPACK's
//   Fortran entry points declared here with gfortran's ABI (a hidden length after the arguments for
//   each character argument): Debian's liblapack-dev ships no C header (lapack.h comes with
//   liblapacke-dev), and OpenBLAS exports the LAPACK routines itself.
#pragma once

#include <cstddef>
#include <thread>

#if defined(__APPLE__)
#ifndef ACCELERATE_NEW_LAPACK
#define ACCELERATE_NEW_LAPACK
#endif
#ifndef ACCELERATE_LAPACK_ILP64
#define ACCELERATE_LAPACK_ILP64
#endif
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
extern "C" {
void dpotrf_(const char* uplo, const blasint* n, double* a, const blasint* lda, blasint* info, size_t uploLength);
void dpotrs_(const char* uplo, const blasint* n, const blasint* nrhs, const double* a, const blasint* lda, double* b, const blasint* ldb,
             blasint* info, size_t uploLength);
void dsyev_(const char* jobz, const char* uplo, const blasint* n, double* a, const blasint* lda, double* w, double* work,
            const blasint* lwork, blasint* info, size_t jobzLength, size_t uploLength);
}
#endif

namespace kernelbus::blas {

#if defined(__APPLE__)
/// The integer type of the library's BLAS and LAPACK arguments.
using lapack_int = __LAPACK_int;
/// The library, as backends() names it.
constexpr const char* kVendor = "accelerate";
#else
using lapack_int = blasint;  // int, or int64_t in an OpenBLAS built with INTERFACE64
constexpr const char* kVendor = "openblas";
#endif

/// True when the library can be called on this machine: Accelerate's LAPACK 3.9 interface exists from
/// macOS 13.3 (built for an older target, its symbols are weak and null before it); OpenBLAS always.
inline bool libraryAvailable() {
#if defined(__APPLE__)
  if (__builtin_available(macOS 13.3, *)) return true;
  return false;
#else
  return true;
#endif
}

/// Cholesky factorization of the upper triangle of the column-major n x n matrix a (LAPACK dpotrf,
/// uplo 'U': A = U'U, U in place); LAPACK's info (0, or the order of the first minor that is not
/// positive definite).
inline lapack_int potrfUpper(lapack_int n, double* a, lapack_int lda) {
  const char uplo = 'U';
  lapack_int info = 0;
#if defined(__APPLE__)
  dpotrf_(&uplo, &n, a, &lda, &info);
#else
  dpotrf_(&uplo, &n, a, &lda, &info, 1);
#endif
  return info;
}

/// Solves A x = b for nrhs columns of the column-major b (n x nrhs, in place) from potrfUpper()'s
/// factor of A (LAPACK dpotrs, uplo 'U'); LAPACK's info (0, or < 0 for a bad argument).
inline lapack_int potrsUpper(lapack_int n, lapack_int nrhs, const double* a, lapack_int lda, double* b, lapack_int ldb) {
  const char uplo = 'U';
  lapack_int info = 0;
#if defined(__APPLE__)
  dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info);
#else
  dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info, 1);
#endif
  return info;
}

/// The eigenvalues (ascending, into w) of the symmetric column-major n x n matrix whose lower triangle
/// a holds (LAPACK dsyev, jobz 'N', uplo 'L'; a is overwritten), with work of lwork values (lwork -1:
/// only the best lwork, into work[0]); LAPACK's info (0, or > 0 when the QR iteration did not converge).
inline lapack_int eigenvaluesLower(lapack_int n, double* a, lapack_int lda, double* w, double* work, lapack_int lwork) {
  const char jobz = 'N', uplo = 'L';
  lapack_int info = 0;
#if defined(__APPLE__)
  dsyev_(&jobz, &uplo, &n, a, &lda, w, work, &lwork, &info);
#else
  dsyev_(&jobz, &uplo, &n, a, &lda, w, work, &lwork, &info, 1, 1);
#endif
  return info;
}

/// The threads the library uses now (OpenBLAS: its setting; Accelerate chooses per call, up to the cores).
inline int libraryThreads() {
#if defined(__APPLE__)
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
#else
  return openblas_get_num_threads();
#endif
}

/// Sets the library's threads (OpenBLAS; Accelerate has no such setting before macOS 15, so none here).
inline void setLibraryThreads(int n) {
#if defined(__APPLE__)
  (void)n;
#else
  openblas_set_num_threads(n);
#endif
}

}  // namespace kernelbus::blas
