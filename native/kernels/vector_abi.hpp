// For files that use GCC and clang's vector extension (vector_size): their vector helpers are always
// inlined into each simd level's copy of a body (simd.hpp), so the vectors never cross a call and GCC's
// note on their ABI without AVX (-Wpsabi) is moot. Including this silences it for the rest of the file.
#pragma once

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
