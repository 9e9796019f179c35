// Binding for the risk family: shapes as numbers (rows, cols, portfolios), data as Float64Arrays read
// in place, outputs allocated in JS and passed last. The shapes and options are checked again here
// (never trust the caller); data faults come back from the kernels as KernelInputError. The kernels
// the BLAS backend also computes (covariance, portfolioVolatility, the Monte Carlo kernels) are
// templates over the C++ kernel they call: registered once for the native kernels and, in an addon
// built with BLAS (KERNELBUS_HAVE_BLAS), once more as blas<Name> for native/blas/risk_blas.cpp.
#include <cmath>
#include <cstdint>
#include <string>

#include "async.h"
#include "common.h"
#include "risk.hpp"
#if KERNELBUS_HAVE_BLAS
#include "risk_blas.hpp"
#endif
#include "host.hpp"
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {
namespace {

void throwIfFault(Napi::Env env, const Status& s) {
  if (!s.ok()) throw faultError(env, s);
}

/// options.confidence at argument i: a number in (0, 1).
double confidenceArg(const Napi::CallbackInfo& info, size_t i) {
  const double c = numberArg(info, i, "options.confidence");
  if (!(c > 0 && c < 1)) throw inputError(info.Env(), "options.confidence", "a number in (0, 1)", std::to_string(c));
  return c;
}

/// The returns matrix at argument 0, rows x cols (read after the scalars, as pointers are).
const double* returnsArg(const Napi::CallbackInfo& info, size_t rows, size_t cols) {
  return matrixData(info, 0, "returns", cells(info.Env(), rows, cols, "returns"));
}

/// A covariance at argument i: n x n, symmetric (COV_SYMMETRY_RTOL) and finite.
const double* covArg(const Napi::CallbackInfo& info, size_t i, size_t n) {
  const double* cov = matrixData(info, i, "cov", cells(info.Env(), n, n, "cov"));
  for (size_t r = 0; r < n; r++) {
    for (size_t c = 0; c <= r; c++) {
      const double a = cov[r * n + c], b = cov[c * n + r];
      if (!std::isfinite(a) || std::fabs(a - b) > 1e-10 * std::fmax(std::fabs(a), std::fabs(b))) {
        throw inputError(info.Env(), "cov", "a symmetric matrix of finite values", "[" + std::to_string(r) + "][" + std::to_string(c) + "] = " + std::to_string(a));
      }
    }
  }
  return cov;
}

/// The Monte Carlo model and options at arguments 0.. (mean, cov, n) and the scalars after them.
struct MonteCarloArgs {
  const double* mean;
  const double* cov;
  size_t n, paths;
  double confidence, horizon, seed, nu;
};

MonteCarloArgs monteCarloArgs(const Napi::CallbackInfo& info, size_t pathsAt, bool withConfidence) {
  Napi::Env env = info.Env();
  MonteCarloArgs a{};
  a.n = countArg(info, 2, "n");
  a.paths = countArg(info, pathsAt, "options.paths");
  if (a.paths < 1) throw inputError(env, "options.paths", "an integer >= 1", std::to_string(a.paths));
  size_t at = pathsAt + 1;
  a.confidence = withConfidence ? confidenceArg(info, at++) : 0.5;
  a.horizon = numberArg(info, at++, "options.horizon");
  if (!(a.horizon > 0 && a.horizon < INFINITY)) throw inputError(env, "options.horizon", "a finite number > 0", std::to_string(a.horizon));
  a.seed = static_cast<double>(countArg(info, at++, "options.seed"));
  a.nu = numberArg(info, at, "nu");
  if (!(a.nu == 0 || (a.nu > 2 && a.nu < INFINITY))) throw inputError(env, "nu", "0 (normal) or a finite number > 2", std::to_string(a.nu));
  const F64View mean = float64Arg(info, 0, "mean");
  if (mean.length != a.n) throw inputError(env, "mean", "length " + std::to_string(a.n) + " (n)", "length " + std::to_string(mean.length));
  for (size_t i = 0; i < a.n; i++) {
    if (!std::isfinite(mean.data[i])) throw inputError(env, "mean", "finite values", "mean[" + std::to_string(i) + "] = " + std::to_string(mean.data[i]));
  }
  a.mean = mean.data;
  a.cov = covArg(info, 1, a.n);
  return a;
}

// The signatures of the kernels a backend may replace (risk.hpp).
using CovarianceKernel = Status (*)(const double*, size_t, size_t, int, double, bool, double, double*);
using VolatilityKernel = Status (*)(const double*, size_t, const double*, size_t, double*);
using MonteCarloVarKernel = Status (*)(const double*, const double*, size_t, const double*, size_t, size_t, double, double, double,
                                       double, double*);
using ScenariosKernel = Status (*)(const double*, const double*, size_t, size_t, double, double, double, double*);

// monteCarloVar(mean, cov, n, weights, portfolios, paths, confidence, horizon, seed, nu, out: 2 x portfolios)
template <bool Async, MonteCarloVarKernel Kernel>
Napi::Value MonteCarloVar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 11);
    const size_t portfolios = countArg(info, 4, "portfolios");
    const MonteCarloArgs a = monteCarloArgs(info, 5, true);
    cells(env, portfolios, a.paths, "options.paths");  // the P&L buffer must fit in memory
    const double* weights = matrixData(info, 3, "weights", cells(env, portfolios, a.n, "weights"));
    double* out = float64Out(info, 10, "out", 2 * portfolios);
    return complete<Async>(info, [=] { return Kernel(a.mean, a.cov, a.n, weights, portfolios, a.paths, a.confidence, a.horizon, a.seed, a.nu, out); });
  });
}

// monteCarloScenarios(mean, cov, n, paths, horizon, seed, nu, out: paths x n)
template <bool Async, ScenariosKernel Kernel>
Napi::Value MonteCarloScenarios(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    const MonteCarloArgs a = monteCarloArgs(info, 3, false);
    double* out = float64Out(info, 7, "out", cells(env, a.paths, a.n, "options.paths"));
    return complete<Async>(info, [=] { return Kernel(a.mean, a.cov, a.n, a.paths, a.horizon, a.seed, a.nu, out); });
  });
}

// simpleReturns | logReturns (prices, rows, cols, out: (rows - 1) x cols)
template <Status (*F)(const double*, size_t, size_t, double*)>
Napi::Value Returns(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 4);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t n = cells(env, rows, cols, "prices");
    const double* prices = matrixData(info, 0, "prices", n);
    double* out = float64Out(info, 3, "out", rows > 0 ? n - cols : 0);
    throwIfFault(env, F(prices, rows, cols, out));
    return env.Undefined();
  });
}

// portfolioReturns(returns, rows, cols, weights, portfolios, out: rows x portfolios)
template <bool Async>
Napi::Value PortfolioReturns(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 6);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t portfolios = countArg(info, 4, "portfolios");
    const size_t m = cells(env, portfolios, cols, "weights");
    const size_t outLength = cells(env, rows, portfolios, "out");
    const double* returns = returnsArg(info, rows, cols);
    const double* weights = matrixData(info, 3, "weights", m);
    double* out = float64Out(info, 5, "out", outLength);
    return complete<Async>(info, [=] { return risk::portfolioReturns(returns, rows, cols, weights, portfolios, out); });
  });
}

// performanceStats(returns, rows, cols, periodsPerYear, riskFree, out: kStatCount x cols)
template <bool Async>
Napi::Value PerformanceStats(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 6);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const double periodsPerYear = numberArg(info, 3, "options.periodsPerYear");
    const double riskFree = numberArg(info, 4, "options.riskFree");
    if (!(periodsPerYear > 0)) {
      throw inputError(env, "options.periodsPerYear", "a finite number > 0", std::to_string(periodsPerYear));
    }
    const double* returns = returnsArg(info, rows, cols);
    double* out = float64Out(info, 5, "out", risk::kStatCount * cols);
    return complete<Async>(info, [=] { return risk::performanceStats(returns, rows, cols, periodsPerYear, riskFree, out); });
  });
}

// covariance(returns, rows, cols, method, lambda, adjust, benchmark, out: cols x cols, then the shrinkage)
template <bool Async, CovarianceKernel Kernel>
Napi::Value Covariance(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t method = countArg(info, 3, "options.method");
    const double lambda = numberArg(info, 4, "options.lambda");
    const size_t adjust = countArg(info, 5, "options.adjust");
    const double benchmark = numberArg(info, 6, "options.benchmark");
    if (method > risk::kSingleFactor) throw inputError(env, "options.method", "a covariance method code (0 to 6)", std::to_string(method));
    if (!(lambda > 0 && lambda < 1)) throw inputError(env, "options.lambda", "a number in (0, 1)", std::to_string(lambda));
    if (adjust > 1) throw inputError(env, "options.adjust", "0 or 1", std::to_string(adjust));
    const size_t outLength = cells(env, cols, cols, "out") + 1;  // then the shrinkage
    const double* returns = returnsArg(info, rows, cols);
    double* out = float64Out(info, 7, "out", outLength);
    return complete<Async>(info, [=] { return Kernel(returns, rows, cols, static_cast<int>(method), lambda, adjust == 1, benchmark, out); });
  });
}

// portfolioVolatility(cov, n, weights, portfolios, out: portfolios); cov square and symmetric
template <bool Async, VolatilityKernel Kernel>
Napi::Value PortfolioVolatility(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 5);
    const size_t n = countArg(info, 1, "n");
    const size_t portfolios = countArg(info, 3, "portfolios");
    const size_t weightsLength = cells(env, portfolios, n, "weights");
    const double* cov = covArg(info, 0, n);
    const double* weights = matrixData(info, 2, "weights", weightsLength);
    double* out = float64Out(info, 4, "out", portfolios);
    return complete<Async>(info, [=] { return Kernel(cov, n, weights, portfolios, out); });
  });
}

// valueAtRisk(returns, rows, cols, method, confidence, ddof, out: 2 x cols)
template <bool Async>
Napi::Value ValueAtRisk(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 7);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t method = countArg(info, 3, "options.method");
    const double confidence = confidenceArg(info, 4);
    const size_t ddof = countArg(info, 5, "options.ddof");
    if (method > risk::kCornishFisher) {
      throw inputError(env, "options.method", "'historical', 'gaussian' or 'cornish-fisher' (0, 1 or 2)", std::to_string(method));
    }
    const double* returns = returnsArg(info, rows, cols);
    double* out = float64Out(info, 6, "out", 2 * cols);
    return complete<Async>(info, [=] { return risk::valueAtRisk(returns, rows, cols, static_cast<int>(method), confidence,
                                        static_cast<double>(ddof), out); });
  });
}

// componentVar(returns, rows, cols, weights, portfolios, method, confidence, out: portfolios x (2 + 2 cols))
template <bool Async>
Napi::Value ComponentVar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t portfolios = countArg(info, 4, "portfolios");
    const size_t method = countArg(info, 5, "options.method");
    const double confidence = confidenceArg(info, 6);
    if (method > risk::kComponentCornishFisher) {
      throw inputError(env, "options.method", "'gaussian' or 'cornish-fisher' (0 or 1)", std::to_string(method));
    }
    const double* returns = returnsArg(info, rows, cols);
    const double* weights = matrixData(info, 3, "weights", cells(env, portfolios, cols, "weights"));
    double* out = float64Out(info, 7, "out", cells(env, portfolios, 2 + 2 * cols, "out"));
    return complete<Async>(info, [=] { return risk::componentVar(returns, rows, cols, weights, portfolios, static_cast<int>(method), confidence, out); });
  });
}

}  // namespace

void registerRisk(Napi::Env env, Napi::Object exports) {
  exports.Set("simpleReturns", Napi::Function::New<Returns<risk::simpleReturns>>(env, "simpleReturns"));
  exports.Set("logReturns", Napi::Function::New<Returns<risk::logReturns>>(env, "logReturns"));
  // each kernel and its promise variant (<name>Async: the kernel on the thread pool)
  KERNELBUS_BOTH("portfolioReturns", PortfolioReturns);
  KERNELBUS_BOTH("performanceStats", PerformanceStats);
  KERNELBUS_BOTH("valueAtRisk", ValueAtRisk);
  KERNELBUS_BOTH_OF("covariance", Covariance, risk::covariance);
  KERNELBUS_BOTH_OF("portfolioVolatility", PortfolioVolatility, risk::portfolioVolatility);
  KERNELBUS_BOTH("componentVar", ComponentVar);
  KERNELBUS_BOTH_OF("monteCarloVar", MonteCarloVar, risk::monteCarloVar);
  KERNELBUS_BOTH_OF("monteCarloScenarios", MonteCarloScenarios, risk::monteCarloScenarios);
#if KERNELBUS_HAVE_BLAS
  // the same checks in front of the BLAS backend's kernels
  KERNELBUS_BOTH_OF("blasCovariance", Covariance, blas::covariance);
  KERNELBUS_BOTH_OF("blasPortfolioVolatility", PortfolioVolatility, blas::portfolioVolatility);
  KERNELBUS_BOTH_OF("blasMonteCarloVar", MonteCarloVar, blas::monteCarloVar);
  KERNELBUS_BOTH_OF("blasMonteCarloScenarios", MonteCarloScenarios, blas::monteCarloScenarios);
#endif
  // the same checks in front of the Metal backend's kernels: on the CPU harness (every platform), on the GPU (Apple)
  using Harness = shader::On<shader::cpuRunner>;
  KERNELBUS_BOTH_OF("shaderPortfolioVolatility", PortfolioVolatility, Harness::portfolioVolatility);
  KERNELBUS_BOTH_OF("shaderMonteCarloVar", MonteCarloVar, Harness::monteCarloVar);
  KERNELBUS_BOTH_OF("shaderMonteCarloScenarios", MonteCarloScenarios, Harness::monteCarloScenarios);
#if KERNELBUS_HAVE_METAL
  using Gpu = shader::On<shader::metalRunner>;
  KERNELBUS_BOTH_OF("metalPortfolioVolatility", PortfolioVolatility, Gpu::portfolioVolatility);
  KERNELBUS_BOTH_OF("metalMonteCarloVar", MonteCarloVar, Gpu::monteCarloVar);
  KERNELBUS_BOTH_OF("metalMonteCarloScenarios", MonteCarloScenarios, Gpu::monteCarloScenarios);
#endif
}

}  // namespace kernelbus::binding
