// The regularized incomplete gamma functions and the inverse of Q (special.hpp): src/math/incomplete-gamma.ts,
// the same operations in the same order with the same log and exp (fdlibm's, Cody-Waite's), so the same bits.
#include <algorithm>
#include <cmath>

#include "elementary.hpp"
#include "math/special.hpp"
#include "random.hpp"

namespace kernelbus {

using elementary::expOf;

namespace {

constexpr double kEps = 0x1p-53;
constexpr double kTiny = 1e-300;
constexpr int kMaxTerms = 5000;

/// e^t - 1 without cancellation: its Taylor series for |t| < 1/2 (to degree 18, Horner), else expOf.
double expm1Of(double t) {
  if (!(std::fabs(t) < 0.5)) return expOf(t) - 1;
  double s = 1;
  for (int n = 18; n >= 2; n--) s = 1 + (t * s) / n;
  return t * s;
}

/// log(x^a e^-x / Gamma(a)): the log of the factor P's series and Q's fraction share.
double logFront(double a, double x) { return a * random::logOf(x) - x - logGammaPositive(a); }

/// sum over n >= 0 of x^n / ((a + 1) ... (a + n)): P(a, x) / (x^a e^-x / Gamma(a + 1)) (no 1 / a, which
/// overflows for a subnormal a).
double series(double a, double x) {
  double term = 1, sum = 1, ap = a;
  for (int n = 0; n < kMaxTerms; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEps) break;
  }
  return sum;
}

/// Legendre's continued fraction of Q(a, x) / front, by the modified Lentz method.
double fraction(double a, double x) {
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < kMaxTerms; i++) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEps) break;
  }
  return h;
}

/// Q(a, x) for a < 1, x < 1: 1 - x^a / Gamma(a + 1) and the series' defect, every term of one sign
/// (incomplete-gamma.ts smallQ).
double smallQ(double a, double x) {
  const double t = a * random::logOf(x) - logGamma(a + 1);
  double term = 1, d = 0, sum = 0;
  for (int n = 1; n < kMaxTerms; n++) {
    term *= x / n;
    d = (n * d - a) / (a + n);
    const double add = term * d;
    sum += add;
    if (std::fabs(add) < std::fabs(sum) * kEps) break;
  }
  return -expm1Of(t) - expOf(t) * expOf(-x) * sum;
}

/// Where P's series serves (else Q's fraction).
bool bySeries(double a, double x) { return x < a + 1 && !(a < 1 && x >= 1); }

/// log Q(a, x), x > 0, finite where Q underflows (the inverse's far tails).
double logQ(double a, double x) { return bySeries(a, x) ? random::logOf(gammaQ(a, x)) : logFront(a, x) + random::logOf(fraction(a, x)); }

}  // namespace

double logGammaPositive(double a) { return a < 1 ? logGamma(a + 1) - random::logOf(a) : logGamma(a); }

double gammaP(double a, double x) {
  if (!(a > 0 && a < INFINITY && x >= 0)) return NAN;
  if (x == 0) return 0;
  if (x == INFINITY) return 1;
  return bySeries(a, x) ? expOf(a * random::logOf(x) - x - logGamma(a + 1)) * series(a, x) : 1 - expOf(logFront(a, x)) * fraction(a, x);
}

double gammaQ(double a, double x) {
  if (!(a > 0 && a < INFINITY && x >= 0)) return NAN;
  if (x == 0) return 1;
  if (x == INFINITY) return 0;
  if (!bySeries(a, x)) return expOf(logFront(a, x)) * fraction(a, x);
  return a < 1 ? smallQ(a, x) : 1 - expOf(a * random::logOf(x) - x - logGamma(a + 1)) * series(a, x);
}

double gammaQInverse(double a, double q) {
  if (!(a > 0 && a < INFINITY && q >= 0 && q <= 1)) return NAN;
  if (q == 0) return INFINITY;
  if (q == 1) return 0;
  const double p = 1 - q;
  const bool upper = q < 0.5;
  const double lg = logGammaPositive(a);
  const double lq = random::logOf(q);
  // the deep upper tail: Q = x^(a - 1) e^-x / Gamma(a) (1 + O(a / x))
  const double x0 = -lq - lg;
  double x;
  if (upper && x0 > 3 * a + 10) {
    x = x0 + (a - 1) * random::logOf(x0);
  } else if (a > 1) {
    const double pp = upper ? q : p;
    const double t = std::sqrt(-2 * random::logOf(pp));
    double z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t;
    if (!upper) z = -z;
    const double w = 1 - 1 / (9 * a) - z / (3 * std::sqrt(a));
    x = std::max(1e-3, a * w * w * w);
  } else {
    const double t = 1 - a * (0.253 + a * 0.12);
    x = p < t ? expOf(random::logOf(p / t) / a) : 1 - random::logOf(q / (1 - t));
  }
  for (int j = 0; j < 100; j++) {
    if (!(x > 0)) return 0;
    const double logDensity = (a - 1) * random::logOf(x) - x - lg;  // of P (and -Q) in x
    double step;
    if (upper) {
      // d log Q / dx = -density / Q
      const double l = logQ(a, x);
      step = (l - lq) / -expOf(logDensity - l);
    } else {
      const double u = (gammaP(a, x) - p) / expOf(logDensity);
      step = u / (1 - 0.5 * std::min(1.0, u * ((a - 1) / x - 1)));
    }
    if (!std::isfinite(step)) break;
    const double next = x - step;
    x = next <= 0 ? 0.5 * x : next;
    if (std::fabs(step) <= 4 * kEps * x) break;
  }
  return x;
}

}  // namespace kernelbus
