// mlfinlab's fast EWMA (mlfinlab/util/fast_ewma.py): the last value of ewma(x, window), its weights
// added as (1 - a)^i raised by squaring (numba's int_power). The reference's
// src/backends/reference/features/ewma.ts, operation for operation.
#pragma once

#include <cstddef>
#include <vector>

namespace kernelbus::features {

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
};

}  // namespace kernelbus::features
