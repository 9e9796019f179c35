// Binding for the special functions over arrays: f(x[i]) into a caller-supplied out[i]. NaN in, NaN
// out; never an error for a value. The Student-t functions take nu > 0 (Infinity: the normal).
#include <cmath>

#include "common.h"
#include "special.hpp"

namespace kernelbus::binding {
namespace {

/// f over an array, value by value (the kernels with no vectorized form).
template <double (*F)(double)>
void each(const double* x, double* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = F(x[i]);
}

template <void (*Many)(const double*, double*, size_t)>
Napi::Value Map1(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 2);
    const F64View x = float64Arg(info, 0, "x");
    double* out = float64Out(info, 1, "out", x.length);
    Many(x.data, out, x.length);
    return info.Env().Undefined();
  });
}

template <double (*F)(double, double)>
Napi::Value MapNu(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 3);
    const Napi::Value nuArg = info[1];
    const double nu = nuArg.IsNumber() ? nuArg.As<Napi::Number>().DoubleValue() : NAN;
    if (!(nu > 0)) throw inputError(info.Env(), "nu", "a number > 0 (Infinity for the normal)", nuArg.ToString().Utf8Value());
    const F64View x = float64Arg(info, 0, "x");
    double* out = float64Out(info, 2, "out", x.length);
    for (size_t i = 0; i < x.length; i++) out[i] = F(x.data[i], nu);
    return info.Env().Undefined();
  });
}

}  // namespace

void registerSpecial(Napi::Env env, Napi::Object exports) {
  exports.Set("normalCdf", Napi::Function::New<Map1<normalCdfMany>>(env, "normalCdf"));
  exports.Set("normalSf", Napi::Function::New<Map1<each<normalSf>>>(env, "normalSf"));
  exports.Set("normalPdf", Napi::Function::New<Map1<each<normalPdf>>>(env, "normalPdf"));
  exports.Set("normalQuantile", Napi::Function::New<Map1<each<normalQuantile>>>(env, "normalQuantile"));
  exports.Set("studentTCdf", Napi::Function::New<MapNu<studentTCdf>>(env, "studentTCdf"));
  exports.Set("studentTQuantile", Napi::Function::New<MapNu<studentTQuantile>>(env, "studentTQuantile"));
}

}  // namespace kernelbus::binding
