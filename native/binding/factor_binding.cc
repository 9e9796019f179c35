// Binding for the factor family: one line per kernel entry (entry.h reads the arguments by the
// entry's C++ types; native/kernels/factor/factor_entry.hpp unpacks the parameters, checks the shapes and
// runs the kernel). Each registers <name> and <name>Async; factorReturns once more over the BLAS
// backend's kernel (blas<Name>, an addon built with BLAS) and the Metal backend's (shader<Name>: the
// CPU harness, every platform; metal<Name>: the GPU, Apple).
#include "common.h"
#include "entry.h"
#include "factor/factor_entry.hpp"
#include "host.hpp"
#if KERNELBUS_HAVE_BLAS
#include "factor_blas.hpp"
#endif
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {

using namespace factor::entry;

void registerFactor(Napi::Env env, Napi::Object exports) {
  Registrar registrar{env, exports};
  addEntries(registrar);  // kernels/generated/factor.hpp: winsorize, standardize, size, value, riskDecomposition
  add<momentum>(env, exports, "momentum(returns, rows, cols, weights, params, out)");
  add<factorReturns<>>(env, exports, "factorReturns(returns, marketCap, rows, cols, sectors, perDate, m, styles, params, out)");
#if KERNELBUS_HAVE_BLAS
  add<factorReturns<blas::factorReturns>>(
      env, exports, "factorReturns(returns, marketCap, rows, cols, sectors, perDate, m, styles, params, out)", "blas");
#endif
  add<factorReturns<shader::On<shader::cpuRunner>::factorReturns>>(
      env, exports, "factorReturns(returns, marketCap, rows, cols, sectors, perDate, m, styles, params, out)", "shader");
#if KERNELBUS_HAVE_METAL
  add<factorReturns<shader::On<shader::metalRunner>::factorReturns>>(
      env, exports, "factorReturns(returns, marketCap, rows, cols, sectors, perDate, m, styles, params, out)", "metal");
#endif
  add<factorCovariance>(env, exports, "factorCovariance(factorReturns, rows, K, weights, params, out)");
  add<specificRisk>(env, exports, "specificRisk(residuals, rows, cols, weights, out)");
}

}  // namespace kernelbus::binding
