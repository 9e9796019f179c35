// log, log1p and exp from IEEE operations only, the same bits as src/math/elementary.ts: kernels
// whose result depends on the path of an iteration (PIN's Nelder-Mead) compute through these, so
// that the native backend takes the reference's path (the C library's and V8's differ in the last bit
// for some arguments). Inline and branch-free where they sit in loops.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "random.hpp"

namespace kernelbus::elementary {

/// ln x for x >= 0: -inf at 0, inf at inf, NaN below 0 (fdlibm's log, random::logOf).
inline double logNonNegative(double x) { return x == 0 ? -INFINITY : random::logOf(x); }

/// ln(1 + u) for u >= 0: u where 1 + u rounds to 1, else log(w) u / (w - 1), w = 1 + u (Goldberg).
inline double log1pNonNegative(double u) {
  const double w = 1 + u;
  if (w == 1) return u;
  if (w == INFINITY) return u;
  return random::logOf(w) * (u / (w - 1));
}

constexpr double kLog2e = 1.4426950408889634074;
constexpr double kLn2Hi = 6.9314718036912381649e-1;  // fdlibm's ln2_hi (32 bits: k * kLn2Hi is exact)
constexpr double kLn2Lo = 1.9082149292705877e-10;    // ln 2 - kLn2Hi
constexpr double kShifter = 6755399441055744.0;      // 1.5 * 2^52
constexpr double kExpTaylor[14] = {1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040,
                                   1.0 / 720,        1.0 / 120,       1.0 / 24,       1.0 / 6,       0.5,          1,           1};

/// A double's bits without the sign (bitsOf(x) & kAbsBits): above kInfBits for a NaN, equal for an infinity.
constexpr uint64_t kAbsBits = 0x7fffffffffffffffULL;
constexpr uint64_t kInfBits = 0x7ff0000000000000ULL;

inline uint64_t bitsOf(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

inline double fromBits(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

/// e^x for x <= 0, branch-free so that loops over it vectorize; within 1 ulp of the C library's
/// (measured 2.2e-16 relative over [-708, 0]). Cody-Waite reduction x = k ln 2 + r, |r| <= ln 2 / 2,
/// with k rounded by the 1.5 * 2^52 shifter; e^r by its Taylor series to degree 13 (truncation
/// < 2e-17); 2^k applied as 2^(k + 64) 2^-64, both factors normal for k >= -1077, so that a subnormal
/// result rounds once. NaN stays NaN.
inline double expNonPositive(double x) {
  x = x < -746 ? -746 : x;  // exp(-746) rounds to 0 like anything below it
  const double kd = x * kLog2e + kShifter;
  const double k = kd - kShifter;
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = kExpTaylor[0];
  for (int i = 1; i < 14; i++) p = p * r + kExpTaylor[i];
  const uint64_t scale = (bitsOf(kd) - bitsOf(kShifter) + 1023 + 64) << 52;  // 2^(k + 64)
  return p * fromBits(scale) * 0x1p-64;
}

/// e^x for any x: expNonPositive of -|x|, inverted for x > 0 (src/math/elementary.ts expOf, the same bits).
inline double expOf(double x) { return x <= 0 ? expNonPositive(x) : 1 / expNonPositive(-x); }

/// x^y for x >= 0 as e^(y ln x) of these (src/math/elementary.ts powerOf, the same bits): 0^y 0 for y > 0
/// and 1 for y = 0; NaN for x < 0.
inline double powerOf(double x, double y) {
  if (x == 0) return y > 0 ? 0 : y == 0 ? 1 : INFINITY;
  return expOf(y * random::logOf(x));
}

}  // namespace kernelbus::elementary
