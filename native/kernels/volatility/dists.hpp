// The error distributions as parts, one entry each (src/kernels/volatility/volatility-dists.ts, entry
// for entry): a model's `dist` code is the entry's index. Each its shape parameters (count and arch's
// bounds), whether the fit's Newton steps take the first as its reciprocal, its starting values, its
// quantile (arch's ppf) and its tail (the quantile q at alpha and E[z | z <= q]: VaR and ES). The
// likelihood's terms of each are dist.hpp's Dist, by the same code.
#pragma once

#include <cstddef>

namespace kernelbus::volatility {

struct Distribution {
  /// The shape parameters (after the process's in the parameter vector) and arch's bounds of each.
  size_t shapes;
  double lo[2], hi[2];
  /// Whether the fit's Newton steps take the first shape parameter as its reciprocal ((skew-)t's nu).
  bool reciprocalShape;
  /// Whether the analytic Hessian (hessian.cpp: GARCH(1,1) and GJR(1,1,1)) and the passes specialized by
  /// distribution (garch11.cpp, lanes.cpp) have its terms; where not, the generic passes.
  bool curvature;
  /// Whether the starting values take the kurtosis of the standardized residuals at the variance's start.
  bool kurtosisStart;
  /// arch's starting values of the shape parameters into out (shapes), from that kurtosis where it takes one.
  void (*start)(double kurtosis, double* out);
  /// The standardized distribution's quantile at u.
  double (*ppf)(const double* shape, double u);
  /// The quantile q at alpha and E[z | z <= q].
  void (*tail)(const double* shape, double alpha, double& q, double& eq);
};

/// The distributions by code (0 normal, 1 Student's t, 2 skew-t, 3 GED).
constexpr int kDistCount = 4;
const Distribution& distribution(int code);

}  // namespace kernelbus::volatility
