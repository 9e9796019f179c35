// Binding for the factor family: shapes as numbers, panels as Float64Arrays read in place, outputs
// allocated in JS and passed last. Shapes and options are checked again here (never trust the
// caller); data faults come back from the kernels as KernelInputError.
#include <cmath>
#include <string>
#include <vector>

#include "async.h"
#include "common.h"
#include "factor.hpp"
#include "host.hpp"
#if KERNELBUS_HAVE_BLAS
#include "factor_blas.hpp"
#endif
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {
namespace {

/// A percentile in [lo, hi] at argument i (or -1, off, when `orOff`).
double percentileArg(const Napi::CallbackInfo& info, size_t i, const char* name, double hi, bool orOff = false) {
  const double v = numberArg(info, i, name);
  if (!(v >= 0 && v <= hi) && !(orOff && v == -1)) {
    throw inputError(info.Env(), name, "a number in [0, " + std::to_string(hi) + "]" + (orOff ? " or -1 (off)" : ""), std::to_string(v));
  }
  return v;
}

/// lower <= upper, both in [0, 1], at arguments i and i + 1.
void bandArgs(const Napi::CallbackInfo& info, size_t i, double& lower, double& upper) {
  lower = percentileArg(info, i, "options.lower", 1);
  upper = percentileArg(info, i + 1, "options.upper", 1);
  if (lower > upper) throw inputError(info.Env(), "options.upper", "a number >= options.lower", std::to_string(upper));
}

/// A 0/1 flag at argument i.
bool flagArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const size_t v = countArg(info, i, name);
  if (v > 1) throw inputError(info.Env(), name, "0 or 1", std::to_string(v));
  return v == 1;
}

// winsorize(x, rows, cols, lower, upper, out) | size(cap, rows, cols, lower, upper, out)
template <bool Size, bool Async>
Napi::Value Banded(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 6);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    double lower, upper;
    bandArgs(info, 3, lower, upper);
    const size_t n = cells(env, rows, cols, Size ? "marketCap" : "x");
    const double* x = matrixData(info, 0, Size ? "marketCap" : "x", n);
    double* out = float64Out(info, 5, "out", n);
    return complete<Async>(info, [=] {
      if constexpr (Size) {
        return factor::size(x, rows, cols, lower, upper, out);
      } else {
        factor::winsorize(x, rows, cols, lower, upper, out);
        return Status{};
      }
    });
  });
}

// standardize(x, rows, cols, out)
template <bool Async>
Napi::Value Standardize(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 4);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t n = cells(env, rows, cols, "x");
    const double* x = matrixData(info, 0, "x", n);
    double* out = float64Out(info, 3, "out", n);
    return complete<Async>(info, [=] {
      factor::standardize(x, rows, cols, out);
      return Status{};
    });
  });
}

// momentum(returns, rows, cols, weights, lag, winsorize, out)
template <bool Async>
Napi::Value Momentum(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 7);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const size_t lag = countArg(info, 4, "options.lag");
    const double p = percentileArg(info, 5, "options.winsorize", 0.5);
    const size_t n = cells(env, rows, cols, "returns");
    const double* returns = matrixData(info, 0, "returns", n);
    const F64View weights = float64Arg(info, 3, "weights");
    if (weights.length < 1) throw inputError(env, "weights", "at least one weight (window >= 1)", "none");
    for (size_t k = 0; k < weights.length; k++) {
      if (!(weights.data[k] > 0 && weights.data[k] <= 1)) {
        throw inputError(env, "weights", "weights in (0, 1] (expWeights)", "weights[" + std::to_string(k) + "] = " + std::to_string(weights.data[k]));
      }
    }
    double* out = float64Out(info, 6, "out", n);
    return complete<Async>(info, [=] { return factor::momentum(returns, rows, cols, weights.data, weights.length, lag, p, out); });
  });
}

// value(book, sales, cashFlow, rows, cols, winsorize, out)
template <bool Async>
Napi::Value Value(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 7);
    const size_t rows = countArg(info, 3, "rows");
    const size_t cols = countArg(info, 4, "cols");
    const double p = percentileArg(info, 5, "options.winsorize", 0.5, true);
    const size_t n = cells(env, rows, cols, "bookPrice");
    const double* book = matrixData(info, 0, "bookPrice", n);
    const double* sales = matrixData(info, 1, "salesPrice", n);
    const double* cashFlow = matrixData(info, 2, "cashFlowPrice", n);
    double* out = float64Out(info, 6, "out", n);
    return complete<Async>(info, [=] {
      factor::value(book, sales, cashFlow, rows, cols, p, out);
      return Status{};
    });
  });
}

// The signature of a factorReturns kernel (factor::factorReturns, the BLAS backend's, or the Metal backend's, host.hpp).
using FactorReturnsKernel = Status (*)(const double*, const double*, size_t, size_t, const double*, bool, size_t, const double* const*,
                                       size_t, double, bool, double*);

// factorReturns(returns, cap, rows, cols, sectors, perDate, m, styles[], winsorize, residualize, out)
template <bool Async, FactorReturnsKernel Kernel>
Napi::Value FactorReturns(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 11);
    const size_t rows = countArg(info, 2, "rows");
    const size_t cols = countArg(info, 3, "cols");
    const bool perDate = flagArg(info, 5, "perDate");
    const size_t m = countArg(info, 6, "m");
    if (m < 1 || m > 100000) throw inputError(env, "m", "a number of sectors in [1, 100000]", std::to_string(m));
    const double p = percentileArg(info, 8, "options.winsorize", 0.5, true);
    const bool residualize = flagArg(info, 9, "options.residualizeStyles");
    if (!info[7].IsArray()) throw inputError(env, "styles", "an array of Float64Array panels", info[7].ToString().Utf8Value());
    const Napi::Array list = info[7].As<Napi::Array>();
    const size_t s = list.Length();
    if (s > 1000) throw inputError(env, "styles", "at most 1000 style panels", std::to_string(s));
    const size_t n = cells(env, rows, cols, "returns");
    const size_t K = 1 + m + s;
    const size_t outLength = cells(env, rows, K + cols, "out");
    // pointers last: nothing below runs JS
    std::vector<const double*> styles(s);
    for (size_t k = 0; k < s; k++) {
      const Napi::Value v = list.Get(static_cast<uint32_t>(k));
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
        throw inputError(env, "styles[" + std::to_string(k) + "]", "a Float64Array", v.ToString().Utf8Value());
      }
      const Napi::Float64Array a = v.As<Napi::Float64Array>();
      if (a.ElementLength() != n) throw inputError(env, "styles[" + std::to_string(k) + "]", "length " + std::to_string(n) + " (rows x cols)", "length " + std::to_string(a.ElementLength()));
      if (a.ArrayBuffer().ByteLength() == 0 && n > 0) throw inputError(env, "styles[" + std::to_string(k) + "]", "an attached buffer", "a detached one");
      styles[k] = a.Data();  // non-finite scores are missing values (the kernel leaves the asset out)
    }
    const double* returns = matrixData(info, 0, "returns", n);
    const double* cap = matrixData(info, 1, "marketCap", n);
    const double* sectors = matrixData(info, 4, "sectors", perDate ? n : cols);
    double* out = float64Out(info, 10, "out", outLength);
    return complete<Async>(info, [=] { return Kernel(returns, cap, rows, cols, sectors, perDate, m, styles.data(), s, p, residualize, out); });
  });
}

/// Date weights at argument i: `rows` values in (0, 1] (expWeights).
const double* dateWeightsArg(const Napi::CallbackInfo& info, size_t i, size_t rows) {
  const F64View w = float64Arg(info, i, "weights");
  if (w.length != rows) throw inputError(info.Env(), "weights", "length " + std::to_string(rows) + " (one per date)", "length " + std::to_string(w.length));
  for (size_t t = 0; t < rows; t++) {
    if (!(w.data[t] > 0 && w.data[t] <= 1)) throw inputError(info.Env(), "weights", "weights in (0, 1] (expWeights)", "weights[" + std::to_string(t) + "] = " + std::to_string(w.data[t]));
  }
  return w.data;
}

// factorCovariance(f, rows, K, weights, lags, out: K x K)
template <bool Async>
Napi::Value FactorCovariance(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 6);
    const size_t rows = countArg(info, 1, "rows");
    const size_t K = countArg(info, 2, "K");
    const size_t lags = countArg(info, 4, "options.neweyWestLags");
    if (lags > 10000) throw inputError(env, "options.neweyWestLags", "an integer in [0, 10000]", std::to_string(lags));
    const double* f = matrixData(info, 0, "factorReturns", cells(env, rows, K, "factorReturns"));
    const double* weights = dateWeightsArg(info, 3, rows);
    double* out = float64Out(info, 5, "out", cells(env, K, K, "out"));
    return complete<Async>(info, [=] {
      factor::factorCovariance(f, rows, K, weights, lags, out);
      return Status{};
    });
  });
}

// specificRisk(residuals, rows, cols, weights, out: cols)
template <bool Async>
Napi::Value SpecificRisk(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 5);
    const size_t rows = countArg(info, 1, "rows");
    const size_t cols = countArg(info, 2, "cols");
    const double* residuals = matrixData(info, 0, "residuals", cells(env, rows, cols, "residuals"));
    const double* weights = dateWeightsArg(info, 3, rows);
    double* out = float64Out(info, 4, "out", cols);
    return complete<Async>(info, [=] {
      factor::specificRisk(residuals, rows, cols, weights, out);
      return Status{};
    });
  });
}

// riskDecomposition(exposures, N, K, cov, specificVar, weights, portfolios, out: 3P + 2PK)
template <bool Async>
Napi::Value RiskDecomposition(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    requireArgCount(info, 8);
    const size_t N = countArg(info, 1, "N");
    const size_t K = countArg(info, 2, "K");
    const size_t P = countArg(info, 6, "portfolios");
    const double* X = matrixData(info, 0, "model.exposures", cells(env, N, K, "model.exposures"));
    const double* cov = matrixData(info, 3, "model.factorCov", cells(env, K, K, "model.factorCov"));
    for (size_t a = 0; a < K; a++) {
      for (size_t b = 0; b <= a; b++) {
        const double x = cov[a * K + b], y = cov[b * K + a];
        if (!std::isfinite(x) || std::fabs(x - y) > 1e-10 * std::fmax(std::fabs(x), std::fabs(y))) {
          throw inputError(env, "model.factorCov", "a symmetric matrix of finite values", "[" + std::to_string(a) + "][" + std::to_string(b) + "] = " + std::to_string(x));
        }
      }
    }
    const double* specificVar = matrixData(info, 4, "model.specificVar", N);
    const double* weights = matrixData(info, 5, "weights", cells(env, P, N, "weights"));
    double* out = float64Out(info, 7, "out", cells(env, P, 3 + 2 * K, "out"));
    return complete<Async>(info, [=] { return factor::riskDecomposition(X, N, K, cov, specificVar, weights, P, out); });
  });
}

}  // namespace

void registerFactor(Napi::Env env, Napi::Object exports) {
  // each kernel and its promise variant (<name>Async: the kernel on the thread pool)
  exports.Set("winsorize", Napi::Function::New<Banded<false, false>>(env, "winsorize"));
  exports.Set("winsorizeAsync", Napi::Function::New<Banded<false, true>>(env, "winsorizeAsync"));
  exports.Set("size", Napi::Function::New<Banded<true, false>>(env, "size"));
  exports.Set("sizeAsync", Napi::Function::New<Banded<true, true>>(env, "sizeAsync"));
  KERNELBUS_BOTH("standardize", Standardize);
  KERNELBUS_BOTH("momentum", Momentum);
  KERNELBUS_BOTH("value", Value);
  KERNELBUS_BOTH_OF("factorReturns", FactorReturns, factor::factorReturns);
#if KERNELBUS_HAVE_BLAS
  // the same checks in front of the BLAS backend's kernel
  KERNELBUS_BOTH_OF("blasFactorReturns", FactorReturns, blas::factorReturns);
#endif
  // the same checks in front of the Metal backend's kernel: on the CPU harness (every platform), on the GPU (Apple)
  KERNELBUS_BOTH_OF("shaderFactorReturns", FactorReturns, shader::On<shader::cpuRunner>::factorReturns);
#if KERNELBUS_HAVE_METAL
  KERNELBUS_BOTH_OF("metalFactorReturns", FactorReturns, shader::On<shader::metalRunner>::factorReturns);
#endif
  KERNELBUS_BOTH("factorCovariance", FactorCovariance);
  KERNELBUS_BOTH("specificRisk", SpecificRisk);
  KERNELBUS_BOTH("riskDecomposition", RiskDecomposition);
}

}  // namespace kernelbus::binding
