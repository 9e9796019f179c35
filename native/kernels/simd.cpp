// See simd.hpp.
#include "simd.hpp"

#include <cstdlib>
#include <cstring>

namespace kernelbus::simd {
namespace {

Level detect() {
#if KERNELBUS_SIMD_DISPATCH
  // The CPU model is filled in here, not assumed filled by a constructor: this may run before them.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx2")) {
    return Level::avx512;
  }
  if (__builtin_cpu_supports("avx2")) return Level::avx2;
#endif
  return Level::baseline;
}

Level capped(Level cpu) {
  const char* cap = std::getenv("KERNELBUS_SIMD");
  if (cap == nullptr) return cpu;
  const Level l = std::strcmp(cap, "baseline") == 0 ? Level::baseline : std::strcmp(cap, "avx2") == 0 ? Level::avx2 : cpu;
  return l < cpu ? l : cpu;
}

}  // namespace

Level cpuLevel() {
  static const Level cpu = detect();
  return cpu;
}

Level level() {
  static const Level chosen = capped(cpuLevel());
  return chosen;
}

const char* name(Level l) {
  switch (l) {
    case Level::avx512:
      return "avx512";
    case Level::avx2:
      return "avx2";
    case Level::baseline:
      break;
  }
#if defined(__aarch64__) || defined(_M_ARM64)
  return "neon";
#else
  return "baseline";
#endif
}

}  // namespace kernelbus::simd
