// The tick rule at memory speed, shared by tickRule(), classifyTrades() and vpin()'s tick classifier.
//
// The sign of a trade is sign(p_i - p_{i-1}), or the last nonzero sign where the price did not change
// (a zero tick: 30-60% of the trades of a cent-grid tape). A carried sign picked by a branch costs a
// misprediction at each zero tick; a select per trade is a serial chain. Here the carry is a prefix
// scan: the changes d_i of 64 trades are computed side by side, then in each 16, each lane that is 0
// takes the nearest nonzero lane before it (a log-step scan: 4 shifts and selects over 16 lanes), then
// the lanes still 0 take the sign carried from the previous 16. GCC/Clang vector extensions: SSE2 on
// x86-64 (AVX2 and AVX-512 in the copies of signs() simd::run picks from), NEON on arm64; other compilers run the
// scalar loop. (vpin()'s tick classifier runs the same scan over 4 lanes of int64: vpin_bars.cpp TickRun.)
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "doubles.hpp"

namespace kernelbus::tick {

/// The tick rule's state between trades: the last price (NaN before the first) and the carried sign.
struct Carry {
  double last = NAN;
  int sign = 0;
};

/// One trade: its sign from the change against `c.last`, or the carried sign (the scalar definition).
inline int next(Carry& c, double p) {
  const int change = (p > c.last) - (p < c.last);
  c.sign = change != 0 ? change : c.sign;
  c.last = p;
  return c.sign;
}

#if defined(__GNUC__)
#define KERNELBUS_TICK_VECTORS 1
typedef int8_t Lanes __attribute__((vector_size(16)));

/// 16 changes (+1, -1, 0) to 16 signs: each 0 takes the nearest nonzero lane before it, else `carry`
/// (the carried sign in every lane).
inline Lanes carryScan(Lanes s, Lanes carry) {
  const Lanes z = {0};
  s |= __builtin_shufflevector(s, z, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14) & (s == 0);
  s |= __builtin_shufflevector(s, z, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13) & (s == 0);
  s |= __builtin_shufflevector(s, z, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) & (s == 0);
  s |= __builtin_shufflevector(s, z, 16, 16, 16, 16, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7) & (s == 0);
  return s | (carry & (s == 0));
}

/// The last lane in every lane (the carry of the next 16).
inline Lanes lastLane(Lanes s) { return __builtin_shufflevector(s, s, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15); }
constexpr size_t kLanes = sizeof(Lanes);
#endif

/// The signs of price[0..n) after `c` into out[0..n); updates `c`. False when a price is not finite
/// (then `out` and `c` are unspecified: the caller finds the first bad price).
bool signs(Doubles price, size_t n, Carry& c, int8_t* out);

}  // namespace kernelbus::tick
