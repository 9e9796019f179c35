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

using fdlibm::logNormal;
constexpr double kTwo54 = 1.80143985094819840000e+16;

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
  simd::run<logReturnsLoop>(price, price, from, to, lag, r, vector, false);
}

bool logReturnsChecked(Doubles price, Doubles ts, size_t from, size_t to, size_t lag, double* r) {
  const bool vector = simd::level() != simd::Level::baseline;
  return simd::run<logReturnsLoop>(price, ts, from, to, lag, r, vector, true);
}

}  // namespace kernelbus::features
