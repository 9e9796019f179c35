// One model on one series (src/backends/reference/volatility/model.ts, function for function): the
// residuals, backcast, variance bounds, the recursions with forward derivatives, the likelihood.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "elementary.hpp"
#include "random.hpp"
#include "volatility/volatility.hpp"

namespace kernelbus::volatility {

/// log and exp of the same bits as the reference's (src/backends/reference/volatility/numbers.ts):
/// fdlibm's log, and Cody-Waite's exp of -|x| inverted for x > 0.
inline double ln(double x) { return random::logOf(x); }
inline double exp(double x) { return elementary::expOf(x); }

/// A model over one series with what stays fixed while its parameters move, and its work arrays.
struct Problem {
  Model m;
  const double* y = nullptr;
  size_t T = 0, nobs = 0, k = 0;
  size_t iw = 0, ia = 0, ig = 0, ib = 0, ix = 0, id = 0;
  double backcast = 0;
  /// ln: the process's own state (EGARCH ln sigma^2, APARCH sigma^delta); z EGARCH's standardized residuals.
  std::vector<double> lower, upper, e, sigma2, ln, z;
  /// The gradient's work (nobs x k): d sigma^2 (EGARCH: d ln sigma^2) and EGARCH's d z.
  std::vector<double> ds, dz;
  std::vector<double> individual;

  Problem(const Model& model, const double* series, size_t length);
};

/// d e_t / d theta_i for a mean parameter i (the others' are 0).
inline double residualDerivative(const Problem& pr, size_t t, size_t i) { return i == 0 ? -1 : -pr.y[t + pr.m.lags - i]; }

void residuals(const Problem& pr, const double* theta, double* e);
/// The mean's OLS estimate; false where the normal equations are singular (a constant series). With
/// ySq, the sum of the squares of y over the observations (in t's order) too.
bool olsMean(const Problem& pr, double* out, double* ySq = nullptr);
bool solveLinear(double* a, double* b, size_t n);
double backcastOf(const Model& m, const double* e, size_t nobs);
double meanSquare(const double* e, size_t nobs);
/// arch's variance bounds of each step from the residuals e; returns their mean square (meanSquare's bits).
double varianceBounds(const double* e, size_t nobs, double* lower, double* upper);
/// Sets the backcast and bounds from the residuals at theta; returns their mean square (arch's v).
double fixAt(Problem& pr, const double* theta);
/// The recursion at theta over pr.e into pr.sigma2 (with derivatives when `derivatives`).
void recursion(Problem& pr, const double* theta, bool derivatives);
/// -ll at theta; with grad, its gradient; with individual, -l_t into pr.individual; with scores (and
/// grad), each observation's gradient of -l_t into scores (nobs x k).
double negLogLikelihood(Problem& pr, const double* theta, double* grad = nullptr, bool individual = false, double* scores = nullptr);
/// The residual variances of a forecast by simulation (forecast_simulation.cpp): `ext` the recursion over the
/// observations and one more; the paths' shocks the distribution's quantiles of Philox uniforms.
void simulateVariance(const Problem& ext, const double* params, size_t horizon, size_t simulations, double seed, double* vf);

}  // namespace kernelbus::volatility
