// arch 8.0's fit (src/backends/reference/volatility/fit.ts, function for function).
#pragma once

#include <memory>

#include "volatility/model.hpp"
#include "volatility/optimize.hpp"

namespace kernelbus::volatility {

Polytope polytope(const Problem& pr, double v);
void startingValues(Problem& pr, double* theta);
/// A problem fixed at the OLS mean (theta's mean part set, v its residuals' mean square), or null for a constant series.
std::unique_ptr<Problem> olsProblem(const Model& m, const double* y, size_t T, std::vector<double>& theta, double& v);
/// arch's robust standard errors at theta (fit.ts robustStdErrors: the Hessian by approx_hess3's steps
/// from central differences of the analytic gradient, the analytic scores; arch's own arithmetic where
/// those steps reach EGARCH's kink). Returns -ll at theta when its last pass was the analytic scores'
/// there (pr.e and pr.sigma2 then theta's) on a model whose value pass has the same bits (garch11.cpp),
/// else NaN.
double robustStdErrors(Problem& pr, const double* theta, double* out);
/// The passes an optimum took: value and gradient, with the Hessian (hessian.cpp), four-lane batches of
/// the difference Hessian (lanes.cpp).
struct PassCounts {
  size_t values = 0, hessians = 0, batches = 0;
};
/// fitSeries's optimum from theta (arch's start or a caller's): Newton's model the analytic Hessian
/// where the model has one (the (skew-)t's steps in 1 / eta), else the
/// difference Hessian; `counts`, where given, counts its passes (native/bench/volatility_bench.cpp).
Minimum optimum(Problem& pr, const Polytope& poly, const double* theta, PassCounts* counts = nullptr);

}  // namespace kernelbus::volatility
