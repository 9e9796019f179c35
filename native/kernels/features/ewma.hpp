// mlfinlab's fast EWMA (mlfinlab/util/fast_ewma.py): the last value of ewma(x, window), its weights
// added as (1 - a)^i raised by squaring (numba's int_power). The reference's
// src/backends/reference/features/ewma.ts, operation for operation.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#include "lanes.hpp"
#include "simd.hpp"

namespace kernelbus::features {

/// out[0] = the sum of w[j] x[j], out[1] = of their magnitudes, j < n, in eight lanes (j mod 8; the
/// order does not matter: Ewma::near's band bounds any).
KERNELBUS_VECTOR_BODY void weightedSums(const double* w, const double* x, size_t n, double* out) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
#if defined(__GNUC__)
  typedef double D8 __attribute__((vector_size(64)));
  typedef unsigned long long U8 __attribute__((vector_size(64)));
  const U8 magnitude = U8{0, 0, 0, 0, 0, 0, 0, 0} + 0x7fffffffffffffff;
  // two accumulators of each: the adds' latency overlaps
  D8 sv = {0, 0, 0, 0, 0, 0, 0, 0}, av = sv, sw = sv, aw = sv;
  for (; j + 16 <= n; j += 16) {
    D8 w0, w1, x0, x1;
    std::memcpy(&w0, w + j, sizeof w0);
    std::memcpy(&x0, x + j, sizeof x0);
    std::memcpy(&w1, w + j + 8, sizeof w1);
    std::memcpy(&x1, x + j + 8, sizeof x1);
    const D8 t0 = w0 * x0, t1 = w1 * x1;
    sv += t0;
    av += (D8)((U8)t0 & magnitude);
    sw += t1;
    aw += (D8)((U8)t1 & magnitude);
  }
  sv += sw;
  av += aw;
  std::memcpy(s, &sv, sizeof s);
  std::memcpy(a, &av, sizeof a);
#endif
  for (; j < n; j++) {
    const double t = w[j] * x[j];
    s[j % 8] += t;
    a[j % 8] += std::fabs(t);
  }
  out[0] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  out[1] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/// a^i by squaring, as numba raises a float to an integer power.
inline double powInt(double a, size_t i) {
  double r = 1;
  double base = a;
  for (size_t e = i; e != 0; e /= 2) {
    if (e % 2 == 1) r *= base;
    base *= base;
  }
  return r;
}

/// The EWMA's denominators by (n, window), the last one kept (windows repeat from bar to bar).
class Ewma {
 public:
  /// The EWMA with span `window` of the n values (n >= 1) before `end`, its last value.
  double last(const double* end, size_t n, size_t window) {
    const double* x = end - n;
    const double alpha = 2 / (static_cast<double>(window) + 1);
    double e = x[0];
    for (size_t i = 1; i < n; i++) e = e * (1 - alpha) + x[i];
    return e / weightOf(n, window, alpha);
  }
  double last(const std::vector<double>& x, size_t n, size_t window) { return last(x.data() + x.size(), n, window); }

  /// last()'s value without its serial chain of n multiply-adds: the numerator as a sum of the values
  /// times a table of (1 - alpha)^i, eight lanes at a time (weightedSums), over the same weight. `band` bounds |near - last|, generously:
  /// both numerators are within ~(2n + 2) x 2^-53 of the sum of the terms' magnitudes (the table's i multiplies and the adds; Horner's 2n
  /// operations), the bound takes 16x that, plus the divisions' roundings. Infinite or NaN where the values are (then use last()).
  double near(const double* end, size_t n, size_t window, double& band) {
    const double alpha = 2 / (static_cast<double>(window) + 1);
    if (powers_.size() != n || powersWindow_ != window) {
      // powers_[j] = (1 - alpha)^(n - 1 - j): the weight of the j-th value of the n, the last 1
      powers_.resize(n);
      double p = 1;
      for (size_t i = 0; i < n; i++, p *= 1 - alpha) powers_[n - 1 - i] = p;
      powersWindow_ = window;
    }
    double sums[2];
    simd::run<weightedSums>(powers_.data(), end - n, n, sums);
    const double w = weightOf(n, window, alpha);
    const double value = sums[0] / w;
    band = 16 * (2 * static_cast<double>(n) + 8) * DBL_EPSILON * sums[1] / w + 8 * DBL_EPSILON * std::fabs(value);
    return value;
  }

 private:
  /// 1 + sum over i in [1, n) of (1 - alpha)^i, added in that order.
  double weightOf(size_t n, size_t window, double alpha) {
    if (n != n_ || window != window_) {
      double w = 1;
      for (size_t i = 1; i < n; i++) w += powInt(1 - alpha, i);
      n_ = n;
      window_ = window;
      weight_ = w;
    }
    return weight_;
  }

  size_t n_ = 0;
  size_t window_ = 0;
  double weight_ = 1;
  std::vector<double> powers_;  // near()'s (1 - alpha)^i, i < powers_.size(), for powersWindow_
  size_t powersWindow_ = 0;
};

}  // namespace kernelbus::features
