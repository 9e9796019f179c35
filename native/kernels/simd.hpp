// KERNELBUS_VECTOR_CLONES: for the kernels' loops that vectorize.
#pragma once

#include <cstddef>  // (through the C library's headers) __GLIBC__ where it is glibc

// Loops that vectorize get AVX-512 (x86-64-v4: F, DQ, VL, BW, CD: 64-bit integer conversions and
// multiplies in vectors) and AVX2 clones beside the baseline (SSE2) one on x86-64 Linux with
// glibc, picked at load time (GCC/clang target_clones: an ifunc, which musl lacks); elsewhere the
// baseline only (NEON on arm64). The clones round alike: IEEE operations only, no FMA
// (-ffp-contract=off).
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && (defined(__clang__) ? __clang_major__ >= 14 : defined(__GNUC__))
#define KERNELBUS_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define KERNELBUS_VECTOR_CLONES
#endif
