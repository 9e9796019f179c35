// Four trades in vector lanes (GCC/Clang vector extensions): what the bar kernels' 4-trade blocks read.
// One register in simd::run's AVX2 and AVX-512 copies (simd.hpp), two SSE2 registers at the baseline.
#pragma once

#include <cfloat>
#include <cstring>

#include "doubles.hpp"

#if defined(__GNUC__)
namespace kernelbus::features {

typedef double D4 __attribute__((vector_size(32)));
typedef long long L4 __attribute__((vector_size(32)));
typedef unsigned long long U4 __attribute__((vector_size(32)));

/// Four values at any alignment.
inline void load4(Doubles at, D4& out) { std::memcpy(&out, at.bytes(), sizeof out); }

/// Trades i..i+3 and their tick signs: `ok` when all four have ts not before the one before them,
/// finite ts, prices finite and > 0, volumes finite and >= 0.
struct Lanes4 {
  D4 t, p, v;
  L4 s;
  bool ok;
  L4 valid;  // ok by lane (-1 or 0): blocks of several Lanes4 test them together
};

/// Trades i..i+3 (i >= 1: the trade before them is read), their signs by mlfinlab's tick rule carried
/// from `sign` (each lane's change, else the nearest change before it, else the carried sign).
__attribute__((always_inline)) inline Lanes4 lanes4(Doubles ts, Doubles price, Doubles volume, size_t i, int sign) {
  const D4 max = D4{0, 0, 0, 0} + DBL_MAX;
  const L4 zero = {0, 0, 0, 0};
  Lanes4 l;
  D4 before, prev;
  load4(ts + i, l.t);
  load4(ts + (i - 1), before);
  load4(price + i, l.p);
  load4(price + (i - 1), prev);
  load4(volume + i, l.v);
  const L4 ok = (l.t >= before) & (l.t <= max) & (l.p > 0) & (l.p <= max) & (l.v >= 0) & (l.v <= max);
  l.valid = ok;
  l.ok = (ok[0] & ok[1] & ok[2] & ok[3]) != 0;
  L4 s = (l.p < prev) - (l.p > prev);  // masks are -1: +1 a rise, -1 a fall, 0 no change
  s |= __builtin_shufflevector(s, zero, 4, 0, 1, 2) & (s == 0);
  s |= __builtin_shufflevector(s, zero, 4, 4, 0, 1) & (s == 0);
  s |= (zero + sign) & (s == 0);
  l.s = s;
  return l;
}

}  // namespace kernelbus::features
#endif
