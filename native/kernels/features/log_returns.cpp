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

double logScalarNormal(double x, int k0 = 0) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  double y;
  logNormal<double, uint64_t, int64_t>(b, y, k0);
  return y;
}

/// Four returns at r, each log's main path (a ratio not normal: a wrong value, redone by the caller);
/// `normal` and'ed with the ratios' normality, and where `check`, `good` with the trades' checks.
KERNELBUS_VECTOR_BODY void logReturns4(Doubles price, Doubles ts, size_t i, size_t lag, double* r, L4& normal, bool check, L4& good) {
  D4 p, q;
  load4(price + i, p);
  load4(price + (i - lag), q);
  if (check) {
    D4 t, before;
    load4(ts + i, t);
    load4(ts + (i - 1), before);
    good &= (t >= before) & (p > 0) & (p <= DBL_MAX);
  }
  const D4 x = p / q;
  U4 b;
  std::memcpy(&b, &x, sizeof b);
  D4 y;
  logNormal<D4, U4, L4>(b, y);
  normal &= (x >= DBL_MIN) & (x <= DBL_MAX);
  std::memcpy(r, &y, sizeof y);
}

/// The returns [from, to): 8 ratios at a time where `vector` (two blocks of four in flight; where any
/// ratio was not normal, those redone one by one after), the rest one by one; where `check`, whether
/// the trades pass logReturnsChecked's checks.
KERNELBUS_VECTOR_BODY bool logReturnsLoop(Doubles price, Doubles ts, size_t from, size_t to, size_t lag, double* r, bool vector,
                                          bool check) {
  size_t i = from;
  bool ok = true;
#if defined(__GNUC__)
  if (vector) {
    L4 normal = {-1, -1, -1, -1}, good = {-1, -1, -1, -1};
    for (; i + 8 <= to; i += 8) {
      logReturns4(price, ts, i, lag, r + (i - from), normal, check, good);
      logReturns4(price, ts, i + 4, lag, r + (i + 4 - from), normal, check, good);
    }
    ok = (good[0] & good[1] & good[2] & good[3]) != 0;
    if ((normal[0] & normal[1] & normal[2] & normal[3]) == 0) {
      for (size_t j = from; j < i; j++) {
        const double x = price[j] / price[j - lag];
        if (!(x >= DBL_MIN && x <= DBL_MAX)) r[j - from] = fdlibmLog(x);
      }
    }
  }
#endif
  for (; i < to; i++) {
    if (check) ok &= (ts[i] >= ts[i - 1]) & (price[i] > 0) & (price[i] <= DBL_MAX);
    r[i - from] = fdlibmLog(price[i] / price[i - lag]);
  }
  return ok;
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
  simd::run<logReturnsLoop>(price, price, from, to, lag, r, vector, false);  // ts unread
}

bool logReturnsChecked(Doubles price, Doubles ts, size_t from, size_t to, size_t lag, double* r) {
  const bool vector = simd::level() != simd::Level::baseline;
  return simd::run<logReturnsLoop>(price, ts, from, to, lag, r, vector, true);
}

}  // namespace kernelbus::features
