// chiSquareSf (special.hpp): src/math/chi-square.ts, the same finite sums in the same order.
#include <cmath>

#include "special.hpp"

namespace kernelbus {

double chiSquareSf(double x, double k) {
  if (!(k >= 1 && std::floor(k) == k && k < 1e9) || x != x) return NAN;
  if (x <= 0) return 1;
  if (x == INFINITY) return 0;
  constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // 1 / Gamma(3/2)
  const double h = x / 2;
  const double m = std::floor(k / 2);
  if (std::fmod(k, 2) == 0) {
    double term = std::exp(-h);  // e^-h h^0 / 0!
    double sum = term;
    for (double i = 1; i < m; i++) {
      term *= h / i;
      sum += term;
    }
    return sum;
  }
  double sum = 2 * normalSf(std::sqrt(x));
  double term = std::exp(-h) * std::sqrt(h) * kTwoOverSqrtPi;  // e^-h h^(1/2) / Gamma(3/2)
  for (double i = 0; i < m; i++) {
    if (i > 0) term *= h / (i + 0.5);
    sum += term;
  }
  return sum;
}

}  // namespace kernelbus
