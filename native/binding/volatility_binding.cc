// Binding for the volatility family: garch(returns, rows, cols, model, start), garchFilter(returns,
// rows, model, params), garchForecast(returns, rows, model, params, horizon, simulations, seed),
// garchVar(returns, rows, cols, model, options) and their Async forms,
// each returning the Float64Array of its layout (src/kernels/volatility/volatility.ts). The arguments
// are checked again here (the model unpacked, the lengths, finite returns); the kernels are
// native/kernels/volatility/.
#include <cmath>
#include <memory>
#include <string>

#include "async.h"
#include "common.h"
#include "volatility/volatility.hpp"

namespace kernelbus::binding {

namespace {

namespace vol = kernelbus::volatility;

/// The arguments every call shares: the returns (rows x cols), the model.
struct Read {
  vol::Model m;
  const double* returns = nullptr;
  size_t rows = 0, cols = 1;
};

Read readCommon(const Napi::CallbackInfo& info, bool matrix, size_t modelAt) {
  const Napi::Env env = info.Env();
  Read r;
  r.rows = countArg(info, 1, "rows");
  if (matrix) r.cols = countArg(info, 2, "cols");
  const F64View model = float64Arg(info, modelAt, "model");
  if (!vol::unpackModel(model.data, model.length, r.m))
    throw inputError(env, "model", "a packed model [egarch, p, o, q, mean, lags, dist]", "a value out of range");
  const F64View returns = float64Arg(info, 0, "returns");
  if (r.cols == 0 || returns.length / r.cols != r.rows || returns.length % r.cols != 0)
    throw inputError(env, "returns", "rows x cols values", std::to_string(returns.length));
  if (r.rows < vol::minReturns(r.m))
    throw inputError(env, "returns", "at least " + std::to_string(vol::minReturns(r.m)) + " returns for this model",
                     std::to_string(r.rows));
  for (size_t i = 0; i < returns.length; i++) {
    if (!std::isfinite(returns.data[i])) {
      const std::string at =
          r.cols == 1 ? "row " + std::to_string(i) : "row " + std::to_string(i / r.cols) + ", column " + std::to_string(i % r.cols);
      throw inputError(env, "returns", "finite returns", describeValue(Napi::Number::New(env, returns.data[i])) + " at " + at);
    }
  }
  r.returns = returns.data;
  return r;
}

/// The parameters (k values, finite) of argument i.
const double* paramsArg(const Napi::CallbackInfo& info, size_t i, const vol::Model& m) {
  const F64View p = float64Arg(info, i, "params");
  if (p.length != vol::paramCount(m))
    throw inputError(info.Env(), "params", std::to_string(vol::paramCount(m)) + " parameters", std::to_string(p.length));
  for (size_t j = 0; j < p.length; j++)
    if (!std::isfinite(p.data[j])) throw inputError(info.Env(), "params", "finite parameters", "a value that is not");
  return p.data;
}

struct Call {
  size_t length = 0;
  std::function<void(double*)> run;
};

Call garchCall(const Napi::CallbackInfo& info) {
  requireArgCount(info, 5);
  const Read r = readCommon(info, true, 3);
  const F64View start = float64Arg(info, 4, "start");
  const size_t k = vol::paramCount(r.m);
  if (start.length != 0 && start.length != r.cols * k)
    throw inputError(info.Env(), "start", "0 or cols x k values", std::to_string(start.length));
  const double* s = start.length ? start.data : nullptr;
  return {r.cols * vol::fitLength(r.m, r.rows), [r, s](double* out) { vol::fitColumns(r.m, r.returns, r.rows, r.cols, s, out); }};
}

Call filterCall(const Napi::CallbackInfo& info) {
  requireArgCount(info, 4);
  const Read r = readCommon(info, false, 2);
  const double* params = paramsArg(info, 3, r.m);
  return {vol::filterLength(r.rows), [r, params](double* out) { vol::filterSeries(r.m, r.returns, r.rows, params, out); }};
}

Call forecastCall(const Napi::CallbackInfo& info) {
  requireArgCount(info, 7);
  const Read r = readCommon(info, false, 2);
  const double* params = paramsArg(info, 3, r.m);
  const size_t horizon = countArg(info, 4, "horizon");
  if (horizon < 1 || horizon > 100000) throw inputError(info.Env(), "horizon", "an integer in [1, 100000]", std::to_string(horizon));
  const size_t simulations = countArg(info, 5, "simulations");
  const size_t seed = countArg(info, 6, "seed");
  if (simulations > 1000000) throw inputError(info.Env(), "simulations", "an integer in [0, 1000000]", std::to_string(simulations));
  if (r.m.egarch && horizon > 1 && simulations == 0)
    throw inputError(info.Env(), "horizon", "1 for EGARCH's analytic forecast", std::to_string(horizon));
  return {vol::forecastLength(horizon), [r, params, horizon, simulations, seed](double* out) {
            vol::forecastSeries(r.m, r.returns, r.rows, params, horizon, out, simulations, double(seed));
          }};
}

Call varCall(const Napi::CallbackInfo& info) {
  requireArgCount(info, 5);
  const Read r = readCommon(info, true, 3);
  const F64View o = float64Arg(info, 4, "options");
  vol::VarOptions options;
  const bool ok = o.length == 4 && o.data[0] >= double(vol::minReturns(r.m)) && o.data[0] <= double(r.rows) &&
                  std::floor(o.data[0]) == o.data[0] && o.data[1] >= 1 && o.data[1] <= 9007199254740991.0 &&
                  std::floor(o.data[1]) == o.data[1] && o.data[2] > 0 && o.data[2] < 1 && (o.data[3] == 0 || o.data[3] == 1);
  if (!ok) throw inputError(info.Env(), "options", "[window, refit, confidence, method] in range", "a value out of range");
  options.window = size_t(o.data[0]);
  options.refit = size_t(o.data[1]);
  options.confidence = o.data[2];
  options.method = int(o.data[3]);
  return {r.cols * vol::varLength(r.rows), [r, options](double* out) { vol::varColumns(r.m, r.returns, r.rows, r.cols, options, out); }};
}

template <Call (*Read)(const Napi::CallbackInfo&)>
Napi::Value sync(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Call call = Read(info);
    double* out = nullptr;
    Napi::Float64Array result = newFloat64Array(info.Env(), call.length, out);
    call.run(out);
    return result;
  });
}

/// The Async form: the arguments are kept referenced by the worker; the output is filled off the JS thread.
template <Call (*Read)(const Napi::CallbackInfo&)>
Napi::Value async(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Call call = Read(info);
    double* out = nullptr;
    Napi::Float64Array result = newFloat64Array(info.Env(), call.length, out);
    auto held = std::make_shared<Napi::Reference<Napi::Float64Array>>(Napi::Persistent(result));
    const auto* sig = static_cast<const EntrySignature*>(info.Data());
    auto* worker = new KernelWorker(
        info, {}, *sig,
        [call, out]() {
          call.run(out);
          return Outcome{};
        },
        [held](Napi::Env) -> Napi::Value { return held->Value(); });
    worker->Queue();
    return worker->promise();
  });
}

template <Call (*Read)(const Napi::CallbackInfo&)>
void add(Napi::Env env, Napi::Object exports, const char* name, const char* signature, size_t arity) {
  const EntrySignature& sig = addSignature(env, signature, arity);
  exports.Set(name, Napi::Function::New(env, sync<Read>, name));
  const std::string asyncName = std::string(name) + "Async";
  exports.Set(asyncName, Napi::Function::New(env, async<Read>, asyncName, const_cast<EntrySignature*>(&sig)));
}

}  // namespace

void registerVolatility(Napi::Env env, Napi::Object exports) {
  add<garchCall>(env, exports, "garch", "garch(returns, rows, cols, model, start)", 5);
  add<filterCall>(env, exports, "garchFilter", "garchFilter(returns, rows, model, params)", 4);
  add<forecastCall>(env, exports, "garchForecast", "garchForecast(returns, rows, model, params, horizon, simulations, seed)", 7);
  add<varCall>(env, exports, "garchVar", "garchVar(returns, rows, cols, model, options)", 5);
}

}  // namespace kernelbus::binding
