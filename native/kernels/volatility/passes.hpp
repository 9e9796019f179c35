// The likelihood's passes over the observations that model.cpp shares with garch11.cpp.
#pragma once

#include "volatility/dist.hpp"
#include "volatility/model.hpp"

namespace kernelbus::volatility {

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

}  // namespace kernelbus::volatility
