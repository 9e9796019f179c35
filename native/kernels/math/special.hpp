// Special functions in double precision: the standard normal distribution and Student's t for any
// real nu > 0. Plain C++17, no N-API. Mirrors src/math/special.ts formula for formula (same
// constants, same order of operations; build with -ffp-contract=off), so the two agree to the last-bit
// differences of exp/atan... between V8 and the C library, or special.cpp's own branch-free exp for the
// normal's Gaussian factor (measured at most 6.4e-16 relative).
// Methods, accuracy and edge values are documented on each function in src/math/special.ts.
#pragma once

#include <cstddef>

namespace kernelbus {

/// Phi(x) = P(Z <= x): Cody's ANORM rational approximations with exp(-x^2/2) from an exact x^2.
/// <= 1e-15 relative for |x| <= 5, <= 1e-13 down to x = -37; NaN -> NaN, -inf -> 0, +inf -> 1.
double normalCdf(double x);
/// Phi(x[i]) into out[i], i < n: the same values as normalCdf, computed without branches for
/// |x| <= sqrt 32 so that the loop vectorizes (simd::run).
void normalCdfMany(const double* x, double* out, size_t n);
/// 1 - Phi(x) = Phi(-x), without cancellation.
double normalSf(double x);
/// phi(x) = exp(-x^2/2) / sqrt(2 pi), <= 1e-15 relative for |x| <= 37.5; NaN -> NaN, +-inf -> 0.
double normalPdf(double x);
/// Phi^-1(p), Wichura's AS 241; p = 0 -> -inf, p = 1 -> +inf, p outside [0, 1] or NaN -> NaN.
double normalQuantile(double p);

/// P(T <= t), nu > 0 real (inf: the normal); NaN t or nu, nu <= 0 -> NaN; t = -inf -> 0, +inf -> 1.
/// Closed forms for nu = 1, 2, 4; otherwise the incomplete beta I_x(nu/2, 1/2) by TOMS 708's bounded
/// series. <= 1e-14 relative where the value is >= 1e-300, nu in [0.1, 1e6] (and beyond).
double studentTCdf(double t, double nu);
/// P(T > t) = studentTCdf(-t, nu).
double studentTSf(double t, double nu);
/// t with P(T <= t) = p; closed forms for nu = 1, 2, 4, otherwise Hill's start and Halley steps.
/// Edges as normalQuantile; nu NaN or <= 0 -> NaN.
double studentTQuantile(double p, double nu);

/// P(X > x), X ~ chi-square(k), k an integer >= 1 (else NaN): Q(k/2, x/2) by its finite sums
/// (special_chi.cpp, src/math/chi-square.ts). NaN x -> NaN, x <= 0 -> 1, +inf -> 0.
double chiSquareSf(double x, double k);

/// log Gamma(x), x >= 0 (Lanczos, g = 7, n = 9; src/math/special.ts logGamma): +inf at 0, NaN below.
double logGamma(double x);
/// log k! for an integer k >= 0 (logGamma(k + 1); 0 for k < 2): PIN's likelihood.
double logFactorial(double k);

/// log Gamma(a), a > 0, by Lanczos on [1, inf) only: below 1, log Gamma(a + 1) - log a (fdlibm's log
/// throughout: src/math/incomplete-gamma.ts's bits, where logGamma's reflection takes the C library's).
double logGammaPositive(double a);
/// The regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P(a, x), a > 0 finite, x >= 0 (else NaN):
/// P's series below x = a + 1, Q's continued fraction above, Q by DiDonato and Morris's sum for a, x < 1
/// (incomplete_gamma.cpp, src/math/incomplete-gamma.ts).
double gammaP(double a, double x);
double gammaQ(double a, double x);
/// x with Q(a, x) = q (scipy's gammainccinv): Newton's steps on log Q (q < 1/2) or Halley's on P; +inf at q = 0,
/// 0 at q = 1 (and where x underflows), NaN outside [0, 1].
double gammaQInverse(double a, double q);

}  // namespace kernelbus
