// Binding for the risk family: shapes as numbers (rows, cols, portfolios), data as Float64Arrays read
// in place, outputs allocated in JS and passed last. The shapes and options are checked again here
// (never trust the caller); data faults come back from the kernels as KernelInputError.
#include <cmath>
#include <cstdint>
#include <string>

#include "common.h"
#include "risk.hpp"

namespace kernelbus::binding {
namespace {

void throwIfFault(Napi::Env env, const Status& s) {
  if (!s.ok()) throw faultError(env, s);
}

/// A shape argument: an integer >= 0 (below 2^53).
size_t countArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = numberArg(info, i, name);
  if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v)) {
    throw inputError(info.Env(), name, "an integer >= 0", info[i].ToString().Utf8Value());
  }
  return static_cast<size_t>(v);
}

/// rows x cols, or an error when it does not fit in memory's index range.
size_t cells(Napi::Env env, size_t rows, size_t cols, const char* name) {
  if (cols != 0 && rows > SIZE_MAX / 8 / cols) throw inputError(env, name, "a size that fits in memory", "rows x cols too large");
  return rows * cols;
}

/// A row-major matrix of rows x cols values (data checked last).
const double* matrixData(const Napi::CallbackInfo& info, size_t i, const char* name, size_t length) {
  const F64View data = float64Arg(info, i, name);
  if (data.length != length) {
    throw inputError(info.Env(), name, "length " + std::to_string(length) + " (rows x cols)", "length " + std::to_string(data.length));
  }
  return data.data;
}

/// The returns matrix at argument 0, rows x cols (read after the scalars, as pointers are).
const double* returnsArg(const Napi::CallbackInfo& info, size_t rows, size_t cols) {
  return matrixData(info, 0, "returns", cells(info.Env(), rows, cols, "returns"));
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
    throwIfFault(env, risk::portfolioReturns(returns, rows, cols, weights, portfolios, out));
    return env.Undefined();
  });
}

// performanceStats(returns, rows, cols, periodsPerYear, riskFree, out: kStatCount x cols)
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
    throwIfFault(env, risk::performanceStats(returns, rows, cols, periodsPerYear, riskFree, out));
    return env.Undefined();
  });
}

// covariance(returns, rows, cols, method, lambda, adjust, benchmark, out: cols x cols, then the shrinkage)
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
    throwIfFault(env, risk::covariance(returns, rows, cols, static_cast<int>(method), lambda, adjust == 1, benchmark, out));
    return env.Undefined();
  });
}

// portfolioVolatility(cov, n, weights, portfolios, out: portfolios); cov square and symmetric
Napi::Value PortfolioVolatility(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 5);
    const size_t n = countArg(info, 1, "n");
    const size_t portfolios = countArg(info, 3, "portfolios");
    const size_t covLength = cells(env, n, n, "cov");
    const size_t weightsLength = cells(env, portfolios, n, "weights");
    const double* cov = matrixData(info, 0, "cov", covLength);
    const double* weights = matrixData(info, 2, "weights", weightsLength);
    double* out = float64Out(info, 4, "out", portfolios);
    for (size_t i = 0; i < n; i++) {
      for (size_t j = 0; j <= i; j++) {
        const double a = cov[i * n + j], b = cov[j * n + i];
        if (!std::isfinite(a) || std::fabs(a - b) > 1e-10 * std::fmax(std::fabs(a), std::fabs(b))) {
          throw inputError(env, "cov", "a symmetric matrix of finite values", "[" + std::to_string(i) + "][" + std::to_string(j) + "] = " + std::to_string(a));
        }
      }
    }
    throwIfFault(env, risk::portfolioVolatility(cov, n, weights, portfolios, out));
    return env.Undefined();
  });
}

// valueAtRisk(returns, rows, cols, method, confidence, ddof, out: 2 x cols)
Napi::Value ValueAtRisk(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 7);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t method = countArg(info, 3, "options.method");
    const double confidence = numberArg(info, 4, "options.confidence");
    const size_t ddof = countArg(info, 5, "options.ddof");
    if (method > risk::kCornishFisher) {
      throw inputError(env, "options.method", "'historical', 'gaussian' or 'cornish-fisher' (0, 1 or 2)", std::to_string(method));
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw inputError(env, "options.confidence", "a number in (0, 1)", std::to_string(confidence));
    }
    const double* returns = returnsArg(info, rows, cols);
    double* out = float64Out(info, 6, "out", 2 * cols);
    throwIfFault(env, risk::valueAtRisk(returns, rows, cols, static_cast<int>(method), confidence,
                                        static_cast<double>(ddof), out));
    return env.Undefined();
  });
}

// componentVar(returns, rows, cols, weights, portfolios, method, confidence, out: portfolios x (2 + 2 cols))
Napi::Value ComponentVar(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t portfolios = countArg(info, 4, "portfolios");
    const size_t method = countArg(info, 5, "options.method");
    const double confidence = numberArg(info, 6, "options.confidence");
    if (method > risk::kComponentCornishFisher) {
      throw inputError(env, "options.method", "'gaussian' or 'cornish-fisher' (0 or 1)", std::to_string(method));
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw inputError(env, "options.confidence", "a number in (0, 1)", std::to_string(confidence));
    }
    const double* returns = returnsArg(info, rows, cols);
    const double* weights = matrixData(info, 3, "weights", cells(env, portfolios, cols, "weights"));
    double* out = float64Out(info, 7, "out", cells(env, portfolios, 2 + 2 * cols, "out"));
    throwIfFault(env, risk::componentVar(returns, rows, cols, weights, portfolios, static_cast<int>(method), confidence, out));
    return env.Undefined();
  });
}

}  // namespace

void registerRisk(Napi::Env env, Napi::Object exports) {
  exports.Set("simpleReturns", Napi::Function::New<Returns<risk::simpleReturns>>(env, "simpleReturns"));
  exports.Set("logReturns", Napi::Function::New<Returns<risk::logReturns>>(env, "logReturns"));
  exports.Set("portfolioReturns", Napi::Function::New<PortfolioReturns>(env, "portfolioReturns"));
  exports.Set("performanceStats", Napi::Function::New<PerformanceStats>(env, "performanceStats"));
  exports.Set("valueAtRisk", Napi::Function::New<ValueAtRisk>(env, "valueAtRisk"));
  exports.Set("covariance", Napi::Function::New<Covariance>(env, "covariance"));
  exports.Set("portfolioVolatility", Napi::Function::New<PortfolioVolatility>(env, "portfolioVolatility"));
  exports.Set("componentVar", Napi::Function::New<ComponentVar>(env, "componentVar"));
}

}  // namespace kernelbus::binding
