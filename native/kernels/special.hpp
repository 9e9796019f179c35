// Special functions for the VPIN classifiers. Mirrors src/backends/reference/special.ts operation for
// operation, so that native and reference results agree to rounding.
#pragma once

namespace kernelbus {

/// Standard normal CDF, ~1e-15 relative in both tails. NaN -> NaN.
double normalCdf(double x);
/// log Gamma(x) for x > 0 (Lanczos, g = 7).
double logGamma(double x);
/// Regularized incomplete beta I_x(a, b), with xc = 1 - x passed separately.
double regularizedBeta(double a, double b, double x, double xc);
/// Student-t CDF with nu > 0 degrees of freedom.
double studentTCdf(double t, double nu);

}  // namespace kernelbus
