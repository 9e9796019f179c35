// Runtime dispatch of the kernels' loops that vectorize: one choice per process, made by our code.
#pragma once

#include <utility>

// On x86-64 with GCC or clang (Linux with any C library, Windows/MinGW, macOS) a loop that vectorizes is compiled
// three times: for the baseline (SSE2, every x86-64 CPU), for AVX2, and for AVX-512 (F, DQ, VL, BW, CD:
// 64-bit integer conversions and multiplies in vectors). Each run<Body>(...) calls the copy for
// simd::level(), decided once from CPUID after __builtin_cpu_init() (which also checks that the OS
// saves the wider registers). Elsewhere (arm64: NEON; MSVC) the baseline only.
//
// Not target_clones: clang 14 emits only the first clone, AVX-512 code under the plain name with no
// resolver, for a function declared before its target_clones definition (special.hpp, then
// special.cpp), and names its ifunc "<name>.ifunc" so other files cannot call it; an ifunc is also
// glibc-only. A choice of our own behaves the same under every compiler, can be asked for (doctor,
// features().simd) and capped (KERNELBUS_SIMD), which is how tests run every copy on one machine.
//
// The copies round alike: IEEE operations only, no FMA (-ffp-contract=off), so results are the same
// bits at every level.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KERNELBUS_SIMD_DISPATCH 1
#define KERNELBUS_TARGET_AVX2 __attribute__((target("avx2")))
#define KERNELBUS_TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512dq,avx512vl,avx512bw,avx512cd")))
#else
#define KERNELBUS_SIMD_DISPATCH 0
#endif

// A loop's body, inlined into each copy run<> makes of it.
#if defined(__GNUC__) || defined(__clang__)
#define KERNELBUS_VECTOR_BODY inline __attribute__((always_inline))
#else
#define KERNELBUS_VECTOR_BODY inline
#endif

namespace kernelbus::simd {

/// The instruction sets the vectorized loops are compiled for, in order.
enum class Level { baseline = 0, avx2 = 1, avx512 = 2 };

/// The best level this CPU and OS support (baseline where there is no dispatch).
Level cpuLevel();
/// The level the kernels use: cpuLevel(), capped by the environment's KERNELBUS_SIMD ("baseline" or
/// "avx2"; anything else leaves cpuLevel()) as read on the first call. Decided once per process.
Level level();
/// "baseline" ("neon" on arm64), "avx2" or "avx512".
const char* name(Level l);

#if KERNELBUS_SIMD_DISPATCH
template <auto Body, class... A>
KERNELBUS_TARGET_AVX512 decltype(auto) atAvx512(A&&... a) {
  return Body(std::forward<A>(a)...);
}
template <auto Body, class... A>
KERNELBUS_TARGET_AVX2 decltype(auto) atAvx2(A&&... a) {
  return Body(std::forward<A>(a)...);
}
#endif

/// Body(a...) compiled for level(): Body is a KERNELBUS_VECTOR_BODY function.
template <auto Body, class... A>
decltype(auto) run(A&&... a) {
#if KERNELBUS_SIMD_DISPATCH
  switch (level()) {
    case Level::avx512:
      return atAvx512<Body>(std::forward<A>(a)...);
    case Level::avx2:
      return atAvx2<Body>(std::forward<A>(a)...);
    case Level::baseline:
      break;
  }
#endif
  return Body(std::forward<A>(a)...);
}

}  // namespace kernelbus::simd
