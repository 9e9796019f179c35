// The likelihood's passes over the observations that model.cpp shares with garch11.cpp.
#pragma once

#include <cmath>

#include "volatility/dist.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

/// arch's bounds_check on the variance s of observation t: below its floor, the floor; above its ceiling,
/// the ceiling plus the log of the excess (1000 past it when s is infinite).
__attribute__((always_inline)) inline double boundVariance(const Problem& pr, size_t t, double s) {
  if (s < pr.lower[t]) return pr.lower[t];
  if (s > pr.upper[t]) return std::isfinite(s) ? pr.upper[t] + ln(s / pr.upper[t]) : pr.upper[t] + 1000;
  return s;
}

/// boundVariance() with the variance's derivatives d (k) carried through it: 0 at the floor and past an
/// infinite s, divided by s where the log takes the excess.
__attribute__((always_inline)) inline double boundVariance(const Problem& pr, size_t t, double s, double* d, size_t k) {
  if (s < pr.lower[t]) {
    for (size_t i = 0; i < k; i++) d[i] = 0.0;
    return pr.lower[t];
  }
  if (s > pr.upper[t]) {
    if (std::isfinite(s)) {
      for (size_t i = 0; i < k; i++) d[i] /= s;
      return pr.upper[t] + ln(s / pr.upper[t]);
    }
    for (size_t i = 0; i < k; i++) d[i] = 0.0;
    return pr.upper[t] + 1000;
  }
  return s;
}

/// The gradient passes' sums over the observations, in their order: -ll's pieces (the LogProducts of
/// sigma^2 and g, q) and the gradient's (each observation's w d and dE d e_t / d theta, the shape
/// parameters' partials g0 and g1), then -ll and the gradient at the end.
struct GradientSums {
  LogProduct s2p, gs;
  double q = 0, g0 = 0, g1 = 0;
  /// Observation t of variance s and partials `part`: w (dl / d the recursion's state) times d (its k
  /// derivatives) and the mean's km terms into gr.
  __attribute__((always_inline)) void add(const Problem& pr, size_t t, double s, const Partials& part, double w, const double* d, size_t k,
                                          size_t km, double* gr) {
    s2p.add(s);
    gs.add(part.g);
    q += part.q;
    for (size_t i = 0; i < k; i++) gr[i] += w * d[i];
    for (size_t i = 0; i < km; i++) gr[i] += part.dE * (i == 0 ? -1 : -pr.y[t + pr.m.lags - i]);
    g0 += part.dA;
    g1 += part.dB;
  }
  /// -ll over the nobs observations; the shape parameters' constants and sums into gr (at id), and
  /// grad = -gr (k values; grad may be gr).
  double finish(const Problem& pr, const Dist& dist, size_t shapes, double* gr, double* grad, size_t k) {
    const double logG = gs.log();
    if (shapes > 0) gr[pr.id] += double(pr.nobs) * dist.constantA() - 0.5 * logG + g0;
    if (shapes > 1) gr[pr.id + 1] += g1;
    for (size_t i = 0; i < k; i++) grad[i] = -gr[i];
    return -(double(pr.nobs) * dist.constant() - 0.5 * s2p.log() - dist.h() * logG + q);
  }
};

/// One observation's score of -l_t into row (k): its terms of the gradient, the shape parameters'
/// constants and log included (model.ts observationScore).
void observationScore(const Problem& pr, const Dist& dist, const Partials& part, double w, const double* d, size_t t, double* row);

/// -ll at theta over pr.e (the residuals set), sigma2 filled: garchValues then distLogLikelihood.
using ValuePass = double (*)(Problem& pr, const double* theta, const Dist& dist);
/// -ll and its gradient (scores too where not null), sigma2 filled: garchGradient.
using GradientPass = double (*)(Problem& pr, const double* theta, const Dist& dist, double* grad, double* scores);

/// GARCH(1,1) and GJR(1,1,1) (mean's parameters <= 3) with their orders fixed at compile time, the
/// generic passes' operations in their order (the same bits): null for other models.
ValuePass garch11Value(const Model& m);
/// The log-likelihoods (not negated) of `count` parameter vectors (thetas count x k) over pr.e, four at a
/// time: the starting values' grid (each value()'s bits; sigma2 left as it was).
using GridPass = void (*)(Problem& pr, const double* thetas, size_t count, const Dist& dist, double* ll);
GridPass garch11Grid(const Model& m);
GradientPass garch11Gradient(const Model& m);

/// The normal's log-likelihoods (not negated) of eight parameter vectors (thetas 8 x k) over pr.e into
/// ll (8), in two vectors' lanes: garch11Grid's bits (lanes.cpp; sigma2 left as it was).
/// Null where the model has none or the compiler no vectors.
using GridLanes = void (*)(Problem& pr, const double* thetas, double* ll);
GridLanes garch11GridLanes(const Model& m);
/// -ll (into f, 4) and its gradient (into grad, 4 x k) at four parameter vectors (thetas 4 x k), each with its own residuals, in a vector's
/// lanes: garch11Gradient's bits (lanes.cpp; pr.e and sigma2 left as they were). GARCH(1,1) and GJR(1,1,1), any distribution (mean's
/// parameters <= 3); null for others.
using GradientLanes = void (*)(Problem& pr, const double* thetas, double* f, double* grad);
GradientLanes garch11GradientLanes(const Model& m);

/// -ll, its gradient and its Hessian (k x k, row-major) over pr.e in one pass, sigma2 filled (hessian.cpp).
using HessianPass = double (*)(Problem& pr, const double* theta, double* grad, double* hess);
/// GARCH(1,1) and GJR(1,1,1) with normal errors (mean's parameters <= 3), the value and the gradient
/// garch11Gradient's bits: null for other models.
HessianPass garch11Hessian(const Model& m);
/// The residuals at theta, then garch11Hessian's pass (the model must have one).
double negLogLikelihoodHessian(Problem& pr, const double* theta, double* grad, double* hess);

}  // namespace kernelbus::volatility
