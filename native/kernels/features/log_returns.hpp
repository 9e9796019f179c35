// Log returns log(p_i / p_{i-lag}) with fdlibm's log (e_log.c), the algorithm V8's Math.log runs
// (v8/src/base/ieee754.cc): the same bits as the reference's Math.log, where the C library's log differs
// in the last bit now and then (measured: 1,824 of 4 million ratios). On AVX2 and AVX-512 four at a
// time (simd::run), branch-free: every path of e_log.c's for a normal ratio computed and the lane's
// chosen; a ratio that is not normal (0, subnormal, infinite) redone after the block by fdlibmLog.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "doubles.hpp"
#include "simd.hpp"

namespace kernelbus::features {

namespace fdlibm {

constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01, kLg3 = 2.857142874366239149e-01,
                 kLg4 = 2.222219843214978396e-01, kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01,
                 kLg7 = 1.479819860511658591e-01;

/// e_log.c's main path for a normal x > 0 (its bits b; k0: -54 for a subnormal scaled by 2^54), in
/// either lane type: T double (I uint64_t, S int64_t), or D4 (I U4, S L4: four lanes, each select a
/// blend). Unsigned shifts (x > 0: its sign bit is 0) and k converted through 2^52 + 2^51 (exact for
/// |k| < 2^51), so the AVX2 copy needs no 64-bit arithmetic shift or conversion, which AVX2 lacks.
template <typename T, typename I, typename S>
KERNELBUS_VECTOR_BODY void logNormal(const I& b, T& out, int k0 = 0) {
  constexpr uint64_t kMagicBits = 0x4338000000000000;  // 2^52 + 2^51
  constexpr double kMagic = 6755399441055744.0;
  I hx = b >> 32;
  const I e = hx >> 20;
  hx &= 0x000fffff;
  const I i = (hx + 0x95f64) & 0x100000;
  const I nb = ((hx | (i ^ 0x3ff00000)) << 32) | (b & 0xffffffff);
  // k = e - 1023 + k0 + (i >> 20), as a double
  const I kb = e + (i >> 20) + (kMagicBits - 1023 + k0);
  T xn, km;
  std::memcpy(&xn, &nb, sizeof xn);
  std::memcpy(&km, &kb, sizeof km);
  const T dk = km - kMagic;
  const T f = xn - 1.0;
  const T dkLo = dk * kLn2Lo;
  const T ra = f * f * (0.5 - 0.33333333333333333 * f);
  const T s = f / (2.0 + f), z = s * s, w = z * z;
  const T t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const T t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const T r = t2 + t1;
  const T hfsq = 0.5 * f * f;
  // each of e_log.c's three returns is dk ln2_hi - (X - f): its X chosen, then the common end
  const T small = ra - dkLo;
  const T first = hfsq - (s * (hfsq + r) + dkLo);
  const T second = s * (f - r) - dkLo;
  // e_log.c's branches: (i | j) > 0 for i = hx - 0x6147a, j = 0x6b851 - hx (both >= 0, not both 0), and |f| < 2^-20
  const S h = S(hx);
  const auto isFirst = (h >= 0x6147a) & (h <= 0x6b851);
  const auto isSmall = (S((2 + hx) & 0x000fffff)) < 3;
  const T big = isFirst ? first : second;
  const T x = isSmall ? small : big;
  out = dk * kLn2Hi - (x - f);
}

}  // namespace fdlibm

/// fdlibm's log(x), every x (0, subnormal, infinite, NaN, negative included).
double fdlibmLog(double x);

/// r[i - from] = fdlibmLog(price[i] / price[i - lag]) for i in [from, to) (from >= lag).
void logReturns(Doubles price, size_t from, size_t to, size_t lag, double* r);

/// logReturns, and in the same loop whether every trade i in [from, to) (from >= 1) has ts[i] not
/// before ts[i - 1] and price[i] finite and > 0 (the realized measures' checks).
bool logReturnsChecked(Doubles price, Doubles ts, size_t from, size_t to, size_t lag, double* r);

}  // namespace kernelbus::features
