// See log_returns.hpp. fdlibm's e_log.c: x = 2^k (1 + f), log(1 + f) = f - hfsq + s (hfsq + R(z)),
// s = f / (2 + f), R a polynomial in z = s^2, k ln 2 added in two parts. The k == 0 and f == 0
// returns of e_log.c are the general expressions' values exactly (0 x ln2 parts, negations exact), so
// a normal x takes two selects: |f| < 2^-20, and which of e_log.c's two sums.
#include "log_returns.hpp"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "lanes.hpp"
#include "simd.hpp"

namespace kernelbus::features {

namespace {

constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10, kTwo54 = 1.80143985094819840000e+16;
constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01, kLg3 = 2.857142874366239149e-01,
                 kLg4 = 2.222219843214978396e-01, kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01,
                 kLg7 = 1.479819860511658591e-01;

/// e_log.c's main path for a normal x > 0 (its bits b; k0: -54 for a subnormal scaled by 2^54), in
/// either lane type: T double (I int64_t), or D4 (I L4: four lanes, each select a blend).
template <typename T, typename I>
KERNELBUS_VECTOR_BODY void logNormal(const I& b, T& out, int k0 = 0) {
  I hx = b >> 32;
  I k = (hx >> 20) - 1023 + k0;
  hx &= 0x000fffff;
  const I i = (hx + 0x95f64) & 0x100000;
  const I nb = ((hx | (i ^ 0x3ff00000)) << 32) | (b & 0xffffffffLL);
  T xn;
  std::memcpy(&xn, &nb, sizeof xn);
  k += i >> 20;
  const T f = xn - 1.0;
  T dk;
  if constexpr (sizeof(T) == sizeof(double)) {
    dk = static_cast<double>(k);
  } else {
    dk = __builtin_convertvector(k, T);
  }
  const T ra = f * f * (0.5 - 0.33333333333333333 * f);
  const T small = dk * kLn2Hi - ((ra - dk * kLn2Lo) - f);
  const T s = f / (2.0 + f), z = s * s, w = z * z;
  const T t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const T t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const T r = t2 + t1;
  const T hfsq = 0.5 * f * f;
  const T first = dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  const T second = dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
  const auto isFirst = ((hx - 0x6147a) | (0x6b851 - hx)) > 0;
  const auto isSmall = (0x000fffff & (2 + hx)) < 3;
  const T big = isFirst ? first : second;
  out = isSmall ? small : big;
}

double logScalarNormal(double x, int k0 = 0) {
  int64_t b;
  std::memcpy(&b, &x, sizeof b);
  double y;
  logNormal<double, int64_t>(b, y, k0);
  return y;
}

/// The returns [from, to): 4 ratios at a time where `vector` (a lane not normal: fdlibmLog), the rest one by one.
KERNELBUS_VECTOR_BODY void logReturnsLoop(Doubles price, size_t from, size_t to, size_t lag, double* r, bool vector) {
  size_t i = from;
#if defined(__GNUC__)
  if (vector) {
    for (; i + 4 <= to; i += 4) {
      D4 p, q;
      load4(price + i, p);
      load4(price + (i - lag), q);
      const D4 x = p / q;
      const L4 normal = (x >= DBL_MIN) & (x <= DBL_MAX);
      L4 b;
      std::memcpy(&b, &x, sizeof b);
      D4 y;
      logNormal<D4, L4>(b, y);
      for (int l = 0; l < 4; l++) r[i - from + l] = normal[l] ? y[l] : fdlibmLog(x[l]);
    }
  }
#endif
  for (; i < to; i++) r[i - from] = fdlibmLog(price[i] / price[i - lag]);
}

}  // namespace

double fdlibmLog(double x) {
  if (x >= DBL_MIN && x <= DBL_MAX) return logScalarNormal(x);
  if (x == 0) return -INFINITY;
  if (!(x > 0)) return NAN;                 // negative, NaN
  if (x > DBL_MAX) return x;                // +inf
  return logScalarNormal(x * kTwo54, -54);  // subnormal: scaled up, k from -54 (e_log.c)
}

void logReturns(Doubles price, size_t from, size_t to, size_t lag, double* r) {
  const bool vector = simd::level() != simd::Level::baseline;
  simd::run<logReturnsLoop>(price, from, to, lag, r, vector);
}

}  // namespace kernelbus::features
