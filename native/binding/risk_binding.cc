// Binding for the risk family: the generated entries (native/kernels/generated/risk.hpp: each unpacks
// its parameters, checks the lengths and runs the kernel; addEntries registers them all) and rolling's
// (risk_analytics_entry.hpp); entry.h reads the arguments by the entry's C++ types. Each registers
// <name> and <name>Async. The kernels the BLAS backend also computes are
// registered once more as blas<Name> over native/blas/risk_blas.cpp (an addon built with BLAS), and
// the Metal backend's as shader<Name> (its CPU harness, every platform) and metal<Name> (the GPU, Apple).
#include "common.h"
#include "entry.h"
#include "host.hpp"
#include "risk/risk_analytics_entry.hpp"
#if KERNELBUS_HAVE_BLAS
#include "risk_blas.hpp"
#endif
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {

using namespace risk::entry;

void registerRisk(Napi::Env env, Napi::Object exports) {
  Registrar registrar{env, exports};
  addEntries(registrar);
  add<rolling>(env, exports, "rolling(returns, rows, cols, benchmark, params, out)");
#if KERNELBUS_HAVE_BLAS
  add<covariance<&blas::covariance>>(env, exports, "covariance(returns, rows, cols, params, out)", "blas");
  add<portfolioVolatility<&blas::portfolioVolatility>>(env, exports, "portfolioVolatility(cov, n, weights, portfolios, out)", "blas");
  add<monteCarloVar<&blas::monteCarloVar>>(env, exports, "monteCarloVar(mean, cov, n, weights, portfolios, params, out)", "blas");
  add<monteCarloScenarios<&blas::monteCarloScenarios>>(env, exports, "monteCarloScenarios(mean, cov, n, params, out)", "blas");
#endif
  using Harness = shader::On<shader::cpuRunner>;
  add<portfolioVolatility<Harness::portfolioVolatility>>(env, exports, "portfolioVolatility(cov, n, weights, portfolios, out)", "shader");
  add<monteCarloVar<Harness::monteCarloVar>>(env, exports, "monteCarloVar(mean, cov, n, weights, portfolios, params, out)", "shader");
  add<monteCarloScenarios<Harness::monteCarloScenarios>>(env, exports, "monteCarloScenarios(mean, cov, n, params, out)", "shader");
#if KERNELBUS_HAVE_METAL
  using Gpu = shader::On<shader::metalRunner>;
  add<portfolioVolatility<Gpu::portfolioVolatility>>(env, exports, "portfolioVolatility(cov, n, weights, portfolios, out)", "metal");
  add<monteCarloVar<Gpu::monteCarloVar>>(env, exports, "monteCarloVar(mean, cov, n, weights, portfolios, params, out)", "metal");
  add<monteCarloScenarios<Gpu::monteCarloScenarios>>(env, exports, "monteCarloScenarios(mean, cov, n, params, out)", "metal");
#endif
}

}  // namespace kernelbus::binding
