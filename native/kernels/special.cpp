// See special.hpp. Every function follows src/backends/reference/special.ts line by line.
#include "special.hpp"

#include <cmath>

namespace kernelbus {
namespace {

constexpr double kLogSqrt2Pi = 0.9189385332046727418;
constexpr double kPi = 3.141592653589793238463;
constexpr double kNormalSeriesLimit = 1.5;
constexpr double kCfEps = 1e-16;
constexpr double kCfTiny = 1e-300;
constexpr int kCfMaxIter = 2000;

// Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), modified Lentz.
double normalUpperTail(double x) {
  double f = x;
  double c = x;
  double d = 0;
  for (int j = 1; j <= kCfMaxIter; j++) {
    d = x + j * d;
    if (d == 0) d = kCfTiny;
    d = 1 / d;
    c = x + j / c;
    if (c == 0) c = kCfTiny;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1) < kCfEps) break;
  }
  return std::exp(-0.5 * x * x - kLogSqrt2Pi) / f;
}

constexpr double kLanczosG = 7;
constexpr double kLanczos[9] = {
    0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
    771.32342877765313,   -176.61502916214059,   12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
};

// DLMF 8.17.22, modified Lentz.
double betaContinuedFraction(double a, double b, double x) {
  const double qab = a + b;
  const double qap = a + 1;
  const double qam = a - 1;
  double c = 1;
  double d = 1 - (qab * x) / qap;
  if (std::fabs(d) < kCfTiny) d = kCfTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kCfMaxIter; m++) {
    const double m2 = 2.0 * m;
    double aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kCfTiny) d = kCfTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kCfTiny) c = kCfTiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kCfTiny) d = kCfTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kCfTiny) c = kCfTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kCfEps) break;
  }
  return h;
}

}  // namespace

double normalCdf(double x) {
  if (std::isnan(x)) return NAN;
  if (x == INFINITY) return 1;
  if (x == -INFINITY) return 0;
  if (x < -kNormalSeriesLimit) return normalUpperTail(-x);
  if (x > kNormalSeriesLimit) return 1 - normalUpperTail(x);
  const double q = x * x;
  double sum = x;
  double term = x;
  for (int i = 3;; i += 2) {
    term *= q / i;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return 0.5 + sum * std::exp(-0.5 * q - kLogSqrt2Pi);
}

double logGamma(double x) {
  if (x < 0.5) return std::log(kPi / std::fabs(std::sin(kPi * x))) - logGamma(1 - x);
  const double y = x - 1;
  double a = kLanczos[0];
  for (int i = 1; i < 9; i++) a += kLanczos[i] / (y + i);
  const double t = y + kLanczosG + 0.5;
  return kLogSqrt2Pi + (y + 0.5) * std::log(t) - t + std::log(a);
}

double regularizedBeta(double a, double b, double x, double xc) {
  if (x <= 0) return 0;
  if (xc <= 0) return 1;
  const double front =
      std::exp(a * std::log(x) + b * std::log(xc) - (logGamma(a) + logGamma(b) - logGamma(a + b)));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, xc)) / b;
}

double studentTCdf(double t, double nu) {
  if (std::isnan(t)) return NAN;
  if (t == INFINITY) return 1;
  if (t == -INFINITY) return 0;
  const double t2 = t * t;
  const double z = nu / (nu + t2);
  const double zc = t2 / (nu + t2);
  const double tail = 0.5 * regularizedBeta(0.5 * nu, 0.5, z, zc);
  return t > 0 ? 1 - tail : tail;
}

}  // namespace kernelbus
