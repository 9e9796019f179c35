// Runtime dispatch of the kernels' loops that vectorize: one choice per process, made by our code.
#pragma once

#include <type_traits>
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

// A loop's body, inlined into each copy run<> makes of it (and each copy kept whole: inlined into its
// caller, it would lose its restrict parameters).
#if defined(__GNUC__) || defined(__clang__)
#define KERNELBUS_VECTOR_BODY inline __attribute__((always_inline))
#define KERNELBUS_NOINLINE __attribute__((noinline))
#else
#define KERNELBUS_VECTOR_BODY inline
#define KERNELBUS_NOINLINE
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

/// A copy's parameter type: pointers restrict-qualified. A body's pointer arguments never overlap where
/// one is written (every caller passes distinct arrays); GCC forgets the body's own restrict parameters
/// when it inlines the body, so each copy declares them again, and the loops vectorize without
/// run-time overlap checks.
template <class T>
struct NoAlias {
  using type = T;
};
template <class T>
struct NoAlias<T*> {
  using type = T* __restrict;
};

/// The copies of one body: one per level, with the body's own parameter types (so each call site,
/// whatever its argument types, runs the same three functions).
template <auto Body, class F = decltype(Body)>
struct Copies;
template <auto Body, class R, class... P>
struct Copies<Body, R (*)(P...)> {
  KERNELBUS_NOINLINE static R baseline(typename NoAlias<P>::type... p) { return Body(p...); }
#if KERNELBUS_SIMD_DISPATCH
  // Each AVX copy ends with vzeroupper of its own, whatever GCC's placement of it does: GCC 12 leaves
  // some copies' exits without one (the GARCH Hessian pass, hessian.cpp, once its broadcasts were single
  // vbroadcastsd), and the legacy-SSE code after it (the baseline code that calls the copies) then waits
  // on the dirty upper state: a value and gradient pass after that Hessian pass took 59 us, not 17.
  KERNELBUS_NOINLINE KERNELBUS_TARGET_AVX2 static R avx2(typename NoAlias<P>::type... p) {
    if constexpr (std::is_void_v<R>) {
      Body(p...);
      __asm__ volatile("vzeroupper" ::: "memory");
    } else {
      R r = Body(p...);
      __asm__ volatile("vzeroupper" ::: "memory");
      return r;
    }
  }
  KERNELBUS_NOINLINE KERNELBUS_TARGET_AVX512 static R avx512(typename NoAlias<P>::type... p) {
    if constexpr (std::is_void_v<R>) {
      Body(p...);
      __asm__ volatile("vzeroupper" ::: "memory");
    } else {
      R r = Body(p...);
      __asm__ volatile("vzeroupper" ::: "memory");
      return r;
    }
  }
#endif
  static R run(P... p) {
#if KERNELBUS_SIMD_DISPATCH
    switch (level()) {
      case Level::avx512:
        return avx512(p...);
      case Level::avx2:
        return avx2(p...);
      case Level::baseline:
        break;
    }
#endif
    return baseline(p...);
  }
};

/// Body(a...) compiled for level(): Body is a KERNELBUS_VECTOR_BODY function.
template <auto Body, class... A>
decltype(auto) run(A&&... a) {
  return Copies<Body>::run(std::forward<A>(a)...);
}

}  // namespace kernelbus::simd
