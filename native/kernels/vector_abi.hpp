// For files that use GCC and clang's vector extension (vector_size): their vector helpers are always
// inlined into each simd level's copy of a body (simd.hpp), so the vectors never cross a call and GCC's
// note on their ABI without AVX (-Wpsabi) is moot. Including this silences it for the rest of the file,
// so a helper (a lambda too) that takes or returns a vector must be always inlined: called, it is
// compiled for the baseline and its caller for AVX, two ABIs, and the lanes come out garbage (clang
// called hessian.cpp's splat lambda once its body was a loop: the fuzz seed
// fuzz_volatility/clang-out-of-line-vector-lambda).
#pragma once

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// x in every lane of V (M: V's lanes as integers). GCC: one shuffle, which an AVX copy (simd.hpp) makes
// one vbroadcastsd. V{x, x, ...}, a loop of r[l] = x, or the shuffle in a function of its own are
// expanded for the baseline even inside an AVX copy, vunpcklpd and vinsertf128 or vperm2f128 (GCC 12:
// the GARCH Hessian pass, hessian.cpp, 32.1 -> 25.5 us with simd.hpp's vzeroupper). A macro for that
// reason. The lanes' bits are x's either way.
#if defined(__clang__)
#define KERNELBUS_BROADCAST(V, M, x)                                                              \
  (__extension__({                                                                                \
    V kbBroadcast_;                                                                               \
    const double kbX_ = (x);                                                                      \
    for (unsigned kbL_ = 0; kbL_ < sizeof(V) / sizeof(double); kbL_++) kbBroadcast_[kbL_] = kbX_; \
    kbBroadcast_;                                                                                 \
  }))
#else
#define KERNELBUS_BROADCAST(V, M, x) (__builtin_shuffle(V{(x)}, M{}))
#endif
