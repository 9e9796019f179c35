// The volatility processes, one entry each, indexed by Model::vol (the twin of
// src/kernels/volatility/volatility-processes.ts and the reference's RECURSIONS): GARCH with GJR's terms
// (garch.cpp), EGARCH (egarch.cpp), APARCH (aparch.cpp). The shared passes (model.cpp's recursion(),
// fit.cpp's polytope() and starting grid, filter.cpp's omega check, forecast_simulation.cpp's paths)
// reach a process through its entry; a new process is an entry and a file.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "volatility/model.hpp"
#include "volatility/optimize.hpp"

namespace kernelbus::volatility {

/// One path's standardized shocks (horizon of them), drawn for path `path`.
using Draw = std::function<const double*(size_t path)>;

struct Process {
  /// The recursion at theta over pr.e into pr.sigma2 (and pr.ln, pr.z); with derivatives, pr.ds (EGARCH:
  /// d ln sigma^2, and pr.dz; GARCH's come from the gradient pass itself).
  void (*recursion)(Problem& pr, const double* theta, bool derivatives);
  /// arch's bounds of omega for the OLS residuals in pr.e (v their mean square).
  void (*omegaBounds)(const Problem& pr, double v, double& lo, double& hi);
  /// arch's bounds and constraint rows of the process's parameters (omega's from omegaBounds).
  void (*polytope)(const Problem& pr, double v, Polytope& out);
  /// arch's starting grid in arch's order, each candidate's k values appended to grid (theta's mean part kept).
  void (*starts)(const Problem& pr, const double* theta, std::vector<double>& grid);
  /// A simulation forecast's paths from ext (the recursion over the observations and one more): each
  /// path's variances added into sums (horizon).
  void (*paths)(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums);
};

/// The model's process.
const Process& processOf(const Model& m);

/// A row `a x >= b` appended to out (k values, zero).
double* addRow(Polytope& out, size_t k);

// The entries' functions (garch.cpp, egarch.cpp, aparch.cpp).
void garchValues(Problem& pr, const double* theta, bool derivatives);
void garchOmegaBounds(const Problem& pr, double v, double& lo, double& hi);
void garchPolytope(const Problem& pr, double v, Polytope& out);
void garchStarts(const Problem& pr, const double* theta, std::vector<double>& grid);
void garchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums);
void egarchRecursion(Problem& pr, const double* theta, bool derivatives);
void egarchOmegaBounds(const Problem& pr, double v, double& lo, double& hi);
void egarchPolytope(const Problem& pr, double v, Polytope& out);
void egarchStarts(const Problem& pr, const double* theta, std::vector<double>& grid);
void egarchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums);

}  // namespace kernelbus::volatility
