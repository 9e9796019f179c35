// The BLAS/LAPACK library's threads (lapack_compat.hpp), one setting for the whole BLAS backend: the
// threads a call of the library may use, set with the addon's (features().blasThreads), and a guard for
// the kernels that call the library from several of their own threads at once (factor_blas.cpp shares
// the dates out like the native kernel): while one is alive, each library call runs on its caller's
// thread alone. OpenBLAS keeps its thread count process-wide (no per-thread setting before 0.3.27), so
// the first guard sets it to 1 and the last one gives the setting back; a concurrent call of another
// BLAS kernel runs on one library thread meanwhile (slower, and rounded as with threads: 1, within the
// stated tolerances). Accelerate chooses its threads per call: there the guard changes nothing.
#pragma once

#include <cstddef>

namespace kernelbus::blas {

/// The threads the library's calls may use (the setting, not the 1 a guard holds it at meanwhile).
size_t threads();
/// Sets the library's threads for later calls (0: back to its default, read before the first change).
void setThreads(size_t n);

/// While alive, the library runs every call on the calling thread alone (see above). Nests and may be
/// held by several threads at once.
class OneLibraryThread {
 public:
  OneLibraryThread();
  ~OneLibraryThread();
  OneLibraryThread(const OneLibraryThread&) = delete;
  OneLibraryThread& operator=(const OneLibraryThread&) = delete;
};

}  // namespace kernelbus::blas
