// A select of doubles without a branch, for the kernels whose branch on the data's sign a random
// walk mispredicts half the time (GARCH's residuals, obv's and mfi's moves).
#pragma once

namespace kernelbus {

/// x < y ? a : b without a branch (the sign of a residual or of z + a / b is the data's: a branch on it
/// mispredicts half the time, and compilers turn a plain select of doubles into one): a vector compare
/// and its mask, the same bits as the branch (NaN compares false).
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline)) inline double selectLess(double x, double y, double a, double b) {
  typedef double V2 __attribute__((vector_size(16)));
  typedef long long M2 __attribute__((vector_size(16)));
  const M2 mask = V2{x, x} < V2{y, y};
  const V2 r = (V2)(((M2)(V2{a, a}) & mask) | ((M2)(V2{b, b}) & ~mask));
  return r[0];
}
#else
inline double selectLess(double x, double y, double a, double b) { return x < y ? a : b; }
#endif

}  // namespace kernelbus
