// APARCH, arch 8.0's APARCH process (volatility.py, recursions.pyx aparch_recursion): its recursion with
// forward derivatives, bounds, starting grid and simulated paths, in one place (the reference's entry
// in src/kernels/volatility/volatility-processes.ts and src/backends/reference/volatility/processes.ts).
#pragma once

#include <cstddef>
#include <vector>

#include "volatility/model.hpp"
#include "volatility/optimize.hpp"
#include "volatility/processes.hpp"

namespace kernelbus::volatility {

/// The power: the model's fixed one, else theta's.
inline double aparchDelta(const Problem& pr, const double* theta) { return pr.m.delta == 0 ? theta[pr.ix] : pr.m.delta; }
/// The recursion at theta over pr.e into pr.sigma2 (pr.ln: sigma^delta); with derivatives, d sigma^2 into pr.ds.
void aparchRecursion(Problem& pr, const double* theta, bool derivatives);
/// arch's omega bounds [0, 10 max(mean |e|^0.5, mean e^2)] of the residuals in pr.e (v their mean square).
void aparchOmegaBounds(const Problem& pr, double v, double& lo, double& hi);
/// arch's bounds and its row sum(alpha) + sum(beta) <= 1 (omega's from aparchOmegaBounds).
void aparchPolytope(const Problem& pr, double v, Polytope& out);
/// arch's starting grid (alpha, gamma, alpha + beta, delta fastest), each candidate's k values appended to grid.
void aparchStarts(const Problem& pr, const double* theta, std::vector<double>& grid);
/// A simulation forecast's paths (processes.hpp Process::paths).
void aparchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums);
/// One path's variances from `ext` (the recursion over the observations and one more) for shocks z (horizon).
struct AparchPaths {
  AparchPaths(const Problem& ext, const double* params, size_t horizon);
  void run(const double* z, double* variance);

 private:
  const Problem& ext;
  const double* params;
  size_t horizon, mx;
  double delta;
  std::vector<double> start, shock, abs, sd;
};

}  // namespace kernelbus::volatility
