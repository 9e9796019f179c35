// mlfinlab's fast EWMA (mlfinlab/util/fast_ewma.py): the last value of ewma(x, window), its weights
// added as (1 - a)^i raised by squaring (numba's int_power). The reference's
// src/simulation/ewma.ts, operation for operation.
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
  if (n < 16) {  // no lanes (a slide by a short bar's few values)
    double sum = 0, magnitude = 0;
    for (; j < n; j++) {
      const double t = w[j] * x[j];
      sum += t;
      magnitude += std::fabs(t);
    }
    out[0] = sum;
    out[1] = magnitude;
    return;
  }
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
  double tail = 0, tailMagnitude = 0;
  for (; j < n; j++) {
    const double t = w[j] * x[j];
    tail += t;
    tailMagnitude += std::fabs(t);
  }
  out[0] = (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))) + tail;
  out[1] = (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))) + tailMagnitude;
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

  /// last()'s value without its serial chain of n multiply-adds: the numerator N as a sum of the values
  /// times a table of (1 - alpha)^i, eight lanes at a time (weightedSums), over the weight in closed form.
  /// `count`: how many values the history has had; where the last call had the same n and window and
  /// fewer than n values came since (L), N slides instead of being summed again: the L new values in
  /// (table times value), (1 - alpha)^L N the older ones, the L that left the window out ((1 - alpha)^n
  /// to ^(n + L - 1) times them: they must still lie before the window, 2n values before `end` readable).
  /// `band` bounds |near - last|, generously, from two bounds kept along: nBound_ of |N - the exact
  /// sum of the table's powers times the values| (the table's entries i roundings off their power, a
  /// sum's roundings: (2i + 2) x 2^-52 of each term's magnitude, taken twice over; a slide scales the
  /// old bound by (1 - alpha)^L and adds its own), and magnitude_ >= that sum over the magnitudes
  /// (the values that left are not taken out of it: an overestimate, by at most (1 - alpha)^n of the
  /// largest values). last()'s Horner chain is within ~(2n + 2) x 2^-53 magnitude_ of the exact sum;
  /// the bound takes 16x that, plus the weights' distance and the divisions' roundings. Infinite or NaN
  /// where the values are (then use last()). n >= 3 (window = n).
  double near(const double* end, size_t n, size_t window, size_t count, double& band) {
    constexpr double u = DBL_EPSILON;
    const double alpha = 2 / (static_cast<double>(window) + 1);
    const double dn = static_cast<double>(n);
    if (powers_.size() != 2 * n || powersWindow_ != window) {
      // powers_[j] = (1 - alpha)^(2n - 1 - j): the weight of the j-th value of the last 2n, the last 1
      powers_.resize(2 * n);
      double p = 1;
      for (size_t i = 0; i < 2 * n; i++, p *= 1 - alpha) powers_[2 * n - 1 - i] = p;
      powersWindow_ = window;
      slides_ = false;
    }
    const double* table = powers_.data();
    const size_t l = count - count_;
    if (slides_ && n == slideN_ && l < n) {
      double in[2], out[2];
      simd::run<weightedSums>(table + 2 * n - l, end - l, l, in);
      simd::run<weightedSums>(table + n - l, end - n - l, l, out);
      const double scale = table[2 * n - 1 - l], dl = static_cast<double>(l);  // (1 - alpha)^L
      const double kept = scale * sum_;
      sum_ = kept - out[0] + in[0];
      nBound_ = scale * nBound_ * (1 + 4 * u) + 4 * u * ((dl + 4) * std::fabs(kept) + (2 * (dn + dl) + 8) * (in[1] + out[1]));
      magnitude_ = (scale * magnitude_ + in[1]) * (1 + 4 * (dn + dl + 8) * u);
    } else {
      double sums[2];
      simd::run<weightedSums>(table + n, end - n, n, sums);
      sum_ = sums[0];
      nBound_ = 4 * u * (dn + 8) * sums[1];
      magnitude_ = sums[1] * (1 + 4 * (dn + 8) * u);
    }
    // a bound grown past 2^-30 of the magnitudes (or not finite): the next call sums afresh
    slides_ = nBound_ <= 0x1p-30 * magnitude_;
    slideN_ = n;
    count_ = count;
    // the weight in closed form, (1 - b^n) / (1 - b) (b = 1 - alpha >= 1/2: 1 - b is exact), not
    // last()'s sum of n powers (n log n multiplies, again at each n): both within 2 (n + 32) x 2^-52
    // of the exact sum of the powers of b (the table's b^n off by n roundings at most; weightOf's
    // powers by 2 log2 n, its sum by n), so the value moves by 4 (n + 32) x 2^-52 of itself at most
    const double beta = 1 - alpha;
    const double w = (1 - table[n - 1]) / (1 - beta), dw = 4 * (dn + 32) * u;
    const double value = sum_ / w;
    band = (nBound_ + 16 * (2 * dn + 8) * u * magnitude_) / w * (1 + dw) + (dw + 8 * u) * std::fabs(value);
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
  // near()'s last numerator, its bounds, its n and count, and whether the next call may slide it
  double sum_ = 0, nBound_ = 0, magnitude_ = 0;
  size_t slideN_ = 0, count_ = 0;
  bool slides_ = false;
};

}  // namespace kernelbus::features
