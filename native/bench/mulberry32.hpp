// The C++ harnesses' seeded uniform numbers: mulberry32, as the TypeScript benches' (src/math/mulberry32.ts).
#pragma once

#include <cstdint>

namespace kernelbus::bench {

/// Uniform in [0, 1) from a 32-bit state.
struct Mulberry32 {
  uint32_t a;
  double operator()() {
    a += 0x6d2b79f5u;
    uint32_t t = a;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return double(t ^ (t >> 14)) / 4294967296.0;
  }
};

}  // namespace kernelbus::bench
