// The Metal backend's kernels: the host's part (checks, double-precision pre- and post-processing,
// Cholesky, the small solves, quantiles) written once over a Runner (shader_runner.hpp) that runs the
// data-parallel part, the compute kernels of shaders/*.metal. Each takes the same arguments and
// reports the same faults as the native kernel of the same name (vpin.hpp, risk.hpp, factor.hpp); the
// results are the reference's to the float tolerances docs/metal.md states.
// host_vpin.cpp: bulkClassify; host_volatility.cpp: portfolioVolatility; host_montecarlo.cpp:
// monteCarloVar, monteCarloScenarios; host_factor.cpp: factorReturns.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>

#include "shader_runner.hpp"
#include "status.hpp"
#include "vpin/vpin.hpp"

namespace kernelbus::shader {

/// Buy volume per bar: the standardized price changes on the host (vpin::standardizedChanges), their
/// CDF on the runner (kb_classify), times the volumes on the host.
Status bulkClassify(Runner& runner, const double* open, const double* close, const double* volume, size_t n, const vpin::Params& params,
                    double* buy);
/// sqrt(w'Sw) per portfolio: the quadratic forms on the runner (kb_quadratic_forms).
Status portfolioVolatility(Runner& runner, const double* cov, size_t n, const double* weights, size_t portfolios, double* out);
/// Monte Carlo VaR then ES per portfolio: normals and the dot products b'z on the runner (kb_normals,
/// kb_path_dots), the Cholesky factor, b = L'w, drifts, Student-t scales and quantiles on the host.
Status monteCarloVar(Runner& runner, const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios,
                     size_t paths, double confidence, double horizon, double seed, double nu, double* out);
/// The scenarios of monteCarloVar (paths x n): normals and L z on the runner (kb_normals, kb_scenarios).
Status monteCarloScenarios(Runner& runner, const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed,
                           double nu, double* out);
/// Factor returns then residuals: the market + sector stage and the style solves on the host
/// (factor_stages.hpp), the styles' normal equations of every date on the runner (kb_gram).
Status factorReturns(Runner& runner, const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors,
                     bool perDate, size_t m, const double* const* styles, size_t s, double winsorize, bool residualize, double* out);

/// The kernels above, each on a fresh runner from `Make` per call, with the native kernels' signatures:
/// what the binding registers (On<cpuRunner>: the CPU harness; On<metalRunner>: the GPU).
template <std::unique_ptr<Runner> (*Make)()>
struct On {
  static Status bulkClassify(const double* open, const double* close, const double* volume, size_t n, const vpin::Params& params,
                             double* buy) {
    return shader::bulkClassify(*Make(), open, close, volume, n, params, buy);
  }
  static Status portfolioVolatility(const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
    return shader::portfolioVolatility(*Make(), cov, n, weights, portfolios, out);
  }
  static Status monteCarloVar(const double* mean, const double* cov, size_t n, const double* weights, size_t portfolios, size_t paths,
                              double confidence, double horizon, double seed, double nu, double* out) {
    return shader::monteCarloVar(*Make(), mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu, out);
  }
  static Status monteCarloScenarios(const double* mean, const double* cov, size_t n, size_t paths, double horizon, double seed, double nu,
                                    double* out) {
    return shader::monteCarloScenarios(*Make(), mean, cov, n, paths, horizon, seed, nu, out);
  }
  static Status factorReturns(const double* returns, const double* cap, size_t rows, size_t cols, const double* sectors, bool perDate,
                              size_t m, const double* const* styles, size_t s, double winsorize, bool residualize, double* out) {
    return shader::factorReturns(*Make(), returns, cap, rows, cols, sectors, perDate, m, styles, s, winsorize, residualize, out);
  }
};

/// The power of two 2^e above every |x[i]| (e = 0 when all are 0): the host scales each row it hands
/// to the shaders by 2^-e, exactly, so that the floats keep the digits of huge and tiny rows.
inline int scaleExponent(const double* x, size_t n) {
  double largest = 0;
  for (size_t i = 0; i < n; i++) largest = std::fabs(x[i]) > largest ? std::fabs(x[i]) : largest;
  int e = 0;
  if (largest > 0) std::frexp(largest, &e);  // largest = f 2^e, f in [1/2, 1)
  return e;
}

/// x 2^-e rounded to the nearest float (|x| <= 2^e: no overflow).
inline float scaled(double x, int e) { return static_cast<float>(std::ldexp(x, -e)); }

}  // namespace kernelbus::shader
