// libFuzzer target of every function in native/kernels/math/special.hpp. One input byte picks a check from
// kChecks; each check decodes its arguments (anything where the function takes any double, its domain
// otherwise), calls the function (twice where a pair of arguments shows an invariant) and traps on a
// violation. To cover a new function of special.hpp: write its check below and add it to kChecks.
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "input.hpp"
#include "invariants.hpp"
#include "math/special.hpp"

using namespace kernelbus;
using kernelbus::fuzz::require;

namespace {

bool isProbability(double p) { return p >= 0 && p <= 1; }

// a == b (infinities included), or |a - b| <= rel * |b| + abs.
bool near(double a, double b, double rel, double abs = 0) { return a == b || std::fabs(a - b) <= rel * std::fabs(b) + abs; }

// Same value, NaN included.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// x1 <= x2 implies f(x1) <= f(x2) for a probability f, give or take its rounding errors (64 ulp of 1,
// 1.4e-14): x1 and x2 may be 1 ulp apart, and values computed as 1 - tail are only good to a few
// 1e-16 absolute (I_x(22.5, 22.5) near x = 0.49 and I_x(1, 1e-6) near 1e-6 wobble by 1.7e-15, 3e-16).
bool nonDecreasing(double x1, double x2, double f1, double f2) { return !(x1 <= x2) || f1 <= f2 + 64 * DBL_EPSILON; }

// Student's nu: any positive finite value, or +inf (the normal).
double anyNu(fuzz::Input& in) { return in.in(0, 15) == 0 ? INFINITY : in.flag() ? in.real(0.1, 100) : in.positiveFinite(); }

// A CDF F at x1 and x2: NaN exactly for NaN, in [0, 1], non-decreasing, F(-inf) = 0, F(inf) = 1.
template <typename F>
void checkCdf(fuzz::Input& in, F cdf) {
  const double x1 = in.anyDouble(), x2 = in.anyDouble();
  const double c1 = cdf(x1), c2 = cdf(x2);
  require(std::isnan(c1) == std::isnan(x1) && std::isnan(c2) == std::isnan(x2));
  if (std::isnan(x1) || std::isnan(x2)) return;
  require(isProbability(c1) && isProbability(c2));
  require(nonDecreasing(x1, x2, c1, c2) && nonDecreasing(x2, x1, c2, c1));
  require(cdf(-INFINITY) == 0 && cdf(INFINITY) == 1);
}

// A quantile Q of the CDF F: NaN outside [0, 1], Q(0) = -inf, Q(1) = inf, non-decreasing, and
// F(Q(p)) = p to `rel` (relative to min(p, 1 - p), plus a few ulp of 1 above 1/2); Q(p) = +-inf only
// where the quantile is beyond +-DBL_MAX (Student's t with a tiny nu).
template <typename Q, typename F>
void checkQuantile(fuzz::Input& in, Q quantile, F cdf, double rel) {
  const double p1 = in.flag() ? in.anyDouble() : in.real(0, 1), p2 = in.real(0, 1);
  const double q1 = quantile(p1), q2 = quantile(p2);
  require(std::isnan(q1) == !(p1 >= 0 && p1 <= 1) && !std::isnan(q2));
  require(quantile(0.0) == -INFINITY && quantile(1.0) == INFINITY);
  if (std::isnan(q1)) return;
  // Non-decreasing, up to the conditioning of Q: where an ulp of p moves Q far (Student's t with a tiny
  // nu: nu = 1e-9, p = 0.4999997 moves Q by 1e-7 relative per ulp), out-of-order neighbours must at
  // least have CDF values within a few ulps.
  require(!(p1 <= p2) || q1 <= q2 || near(q1, q2, 1e-12) || !(cdf(q1) - cdf(q2) > 8 * DBL_EPSILON));
  if (!(p2 > 0 && p2 < 1)) return;
  const double target = std::isinf(q2) ? std::copysign(DBL_MAX, q2) : q2;  // F there is short of p
  const double tolerance = rel * std::fmin(p2, 1 - p2) + 4 * DBL_EPSILON;
  if (q2 == INFINITY) require(cdf(target) <= p2 + tolerance);
  if (q2 == -INFINITY) require(cdf(target) >= p2 - tolerance);
  if (std::isfinite(q2)) require(near(cdf(q2), p2, 0, tolerance));
}

void normalCdf(fuzz::Input& in) {
  checkCdf(in, [](double x) { return kernelbus::normalCdf(x); });
  // The array form (vectorized, branch-free) gives exactly the scalar values.
  double xs[5] = {in.anyDouble(), in.anyDouble(), in.real(-8, 8), in.real(-8, 8), in.real(-40, 40)};
  double many[5];
  kernelbus::normalCdfMany(xs, many, 5);
  for (int i = 0; i < 5; i++) require(same(many[i], kernelbus::normalCdf(xs[i])));
  // Against libm where the value is a normal double: <= 1e-15 relative for |x| <= 5 and 1e-13 down to
  // -37 (special.hpp); glibc's erfc is itself off by up to 2.6e-15 (x = -4.18) and 1.2e-13 (x = -37).
  const double x = in.real(-37, 8);
  require(near(kernelbus::normalCdf(x), 0.5 * std::erfc(-x / std::sqrt(2.0)), std::fabs(x) <= 5 ? 5e-15 : 2.5e-13));
}

void normalSf(fuzz::Input& in) {
  const double x = in.anyDouble();
  require(same(kernelbus::normalSf(x), kernelbus::normalCdf(-x)));
  checkCdf(in, [](double y) { return kernelbus::normalSf(-y); });
}

void normalPdf(fuzz::Input& in) {
  const double x = in.anyDouble();
  const double y = kernelbus::normalPdf(x);
  require(std::isnan(y) == std::isnan(x));
  if (std::isnan(x)) return;
  require(y >= 0 && y <= 0.3989422804014328 && same(y, kernelbus::normalPdf(-x)));
  // Against exp(-x^2 / 2) / sqrt(2 pi) from libm, which is itself off by about x^2 / 2 ulp.
  const double z = in.real(-37.5, 37.5);
  require(near(kernelbus::normalPdf(z), std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI), 2e-15 + 2.5e-16 * z * z));
}

void normalQuantile(fuzz::Input& in) {
  checkQuantile(
      in, [](double p) { return kernelbus::normalQuantile(p); }, [](double x) { return kernelbus::normalCdf(x); }, 1e-14);
  // Q(Phi(x)) = x in the central range, to the conditioning of Q: an ulp of p moves x by ulp / phi(x).
  const double x = in.real(-37, 8);
  const double p = kernelbus::normalCdf(x);
  require(near(kernelbus::normalQuantile(p), x, 1e-13, 1e-13 + 4 * DBL_EPSILON * p / kernelbus::normalPdf(x)));
}

void studentTCdf(fuzz::Input& in) {
  const double nu = anyNu(in);
  checkCdf(in, [nu](double t) { return kernelbus::studentTCdf(t, nu); });
  require(std::isnan(kernelbus::studentTCdf(1, -nu)) && std::isnan(kernelbus::studentTCdf(1, NAN)));
  const double t = in.real(-50, 50);
  const double f = kernelbus::studentTCdf(t, nu);
  require(near(kernelbus::studentTCdf(-t, nu), 1 - f, 0, 1e-14));              // symmetry
  if (nu >= 10) require(near(f, kernelbus::normalCdf(t), 0, 1 / nu + 1e-14));  // |F_nu - Phi| = O(1 / nu)
}

void studentTSf(fuzz::Input& in) {
  const double nu = anyNu(in), t = in.anyDouble();
  require(same(kernelbus::studentTSf(t, nu), kernelbus::studentTCdf(-t, nu)));
}

void studentTQuantile(fuzz::Input& in) {
  const double nu = anyNu(in);
  require(std::isnan(kernelbus::studentTQuantile(0.5, -nu)));
  checkQuantile(
      in, [nu](double p) { return kernelbus::studentTQuantile(p, nu); }, [nu](double t) { return kernelbus::studentTCdf(t, nu); }, 1e-12);
}

// The incomplete gamma's a: where it keeps about 1e-15 relative, [1e-3, 10] (the GED's 1/nu and 2/nu
// within it; the front factor's exponent loses a ln a ulps beyond: P off by 1e-12 at a = 1000), else any
// double (NaN where not > 0).
constexpr double kGammaAMax = 10;
double gammaA(fuzz::Input& in) { return in.flag() ? in.real(1e-3, kGammaAMax) : in.anyDouble(); }

// NaN exactly off the domain (a > 0 finite, x >= 0); within a's range, P and Q in [0, 1], P + Q = 1 and
// P non-decreasing in x (beyond it, any value but no crash).
void incompleteGamma(fuzz::Input& in) {
  const double a = gammaA(in), x1 = in.flag() ? in.real(0, 2e3) : in.anyDouble(), x2 = in.real(0, 2e3);
  const double p1 = gammaP(a, x1), q1 = gammaQ(a, x1), p2 = gammaP(a, x2);
  if (!(a > 0 && std::isfinite(a) && x1 >= 0)) {
    require(std::isnan(p1) && std::isnan(q1));
    return;
  }
  if (!(a >= 1e-3 && a <= kGammaAMax)) return;
  require(isProbability(p1) && isProbability(q1) && near(p1 + q1, 1, 0, 1e-13));
  require(nonDecreasing(x1, x2, p1, p2));
}

// The inverse of Q: x >= 0 with Q(a, x) = q to Q's rounding over the steps' last ulps, NaN off [0, 1].
void gammaQInverse(fuzz::Input& in) {
  const double a = gammaA(in), q = in.flag() ? in.anyDouble() : in.real(0, 1);
  const double x = kernelbus::gammaQInverse(a, q);
  if (!(a > 0 && std::isfinite(a) && isProbability(q))) {
    require(std::isnan(x));
    return;
  }
  require(x >= 0);
  // x below the normal doubles is quantized (the GED takes x^a from (1 - q) Gamma(a + 1) there)
  if (!(a >= 1e-3 && a <= kGammaAMax) || x < DBL_MIN || std::isinf(x)) return;
  require(near(gammaQ(a, x), q, 1e-9, 1e-290));
}

constexpr void (*kChecks[])(fuzz::Input&) = {
    normalCdf, normalSf, normalPdf, normalQuantile, studentTCdf, studentTSf, studentTQuantile, incompleteGamma, gammaQInverse,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  kChecks[in.in<size_t>(0, sizeof kChecks / sizeof kChecks[0] - 1)](in);
  return 0;
}
