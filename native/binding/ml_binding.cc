// Binding for the ml family: every kernel over a packed model is a generated entry
// (kernels/generated/ml.hpp), registered with its Async by the generated addEntries(). The prepared
// model (kernels/ml/prepared.hpp: checked once, walked with no check per call) is glued here:
//   mlPrepare(model: Float64Array) -> a handle (an External, type-tagged) owning the prepared model,
//     freed by its finalizer; a damaged model throws lightgbmPredict's KernelInputError
//   mlPredictPrepared(handle, x, rows, cols, iterations, raw, out) and mlPredictPreparedAsync(...)
//   mlContributionsPrepared(handle, x, rows, cols, iterations, out) and mlContributionsPreparedAsync(...)
// Arguments in the fixed guard order: the count, the numbers, the handle's kind, then the arrays' kinds
// and pointers. A promise's work holds the model (shared), and KernelWorker the arrays.
#include <memory>
#include <utility>

#include "async.h"
#include "common.h"
#include "entry.h"
#include "generated/ml.hpp"
#include "ml/prepared.hpp"

namespace kernelbus::binding {

namespace {

/// What a handle owns: the prepared model (shared with the promises reading it) and its bytes, told
/// to V8 so that its collector counts them.
struct PreparedHandle {
  std::shared_ptr<const ml::Prepared> model;
  int64_t bytes;
};
constexpr napi_type_tag kPreparedTag = {0x6b62756d6c707265ULL, 0x7061726564763031ULL};

/// The model of handle argument 0, else the KernelInputError naming `model`.
const PreparedHandle& handleArg(const Napi::CallbackInfo& info) {
  const Napi::Value v = info[0];
  if (!v.IsExternal() || !v.As<Napi::External<PreparedHandle>>().CheckTypeTag(&kPreparedTag)) {
    throw inputError(info.Env(), "model", "a prepared LightGBM model (mlPrepare())", describeValue(v));
  }
  return *v.As<Napi::External<PreparedHandle>>().Data();
}

/// A flag argument: 0 or 1.
bool flagArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const size_t v = countArg(info, i, name);
  if (v > 1) throw inputError(info.Env(), name, "0 or 1", describeValue(info[i]));
  return v == 1;
}

// mlPrepare(model)
Napi::Value MlPrepare(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const EntrySignature& sig = *static_cast<const EntrySignature*>(info.Data());
    requireArgCount(info, 1);
    const F64View model = float64Arg(info, 0, "model");
    auto prepared = std::make_shared<ml::Prepared>();
    if (const Status s = ml::prepare(model.data, model.length, *prepared, true); !s.ok()) throw faultError(env, s, sig.kernel.c_str());
    const auto bytes = static_cast<int64_t>(ml::bytesOf(*prepared));
    auto* handle = new PreparedHandle{std::move(prepared), bytes};
    Napi::External<PreparedHandle> external = Napi::External<PreparedHandle>::New(env, handle, [](Napi::Env e, PreparedHandle* h) {
      Napi::MemoryManagement::AdjustExternalMemory(e, -h->bytes);
      delete h;
    });
    external.TypeTag(&kPreparedTag);
    Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
    return external;
  });
}

/// The answer to a call of `entry` over `values` (the entry's arguments after the model): now, or a
/// promise with the model held.
template <bool Async, typename Entry, typename... A>
Napi::Value run(const Napi::CallbackInfo& info, const PreparedHandle& handle, Entry entry, A... values) {
  const EntrySignature& sig = *static_cast<const EntrySignature*>(info.Data());
  if constexpr (Async) {
    return complete<true>(info, {}, sig, [model = handle.model, entry, values...]() { return entry(*model, values...); });
  } else {
    const Outcome outcome = entry(*handle.model, values...);
    if (!outcome.ok()) throw entryError(info.Env(), sig, outcome);
    return info.Env().Undefined();
  }
}

// mlPredictPrepared(handle, x, rows, cols, iterations, raw, out)
template <bool Async>
Napi::Value MlPredictPrepared(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 7);
    const size_t rows = countArg(info, 2, "rows");
    const size_t cols = countArg(info, 3, "cols");
    const size_t iterations = countArg(info, 4, "iterations");
    const bool raw = flagArg(info, 5, "raw");
    const PreparedHandle& handle = handleArg(info);
    const F64View x = float64Arg(info, 1, "x");
    const F64OutView out = float64OutArg(info, 6, "out");
    return run<Async>(info, handle, &ml::predictEntry, In{x.data, x.length}, rows, cols, iterations, raw, Out{out.data, out.length});
  });
}

// mlContributionsPrepared(handle, x, rows, cols, iterations, out)
template <bool Async>
Napi::Value MlContributionsPrepared(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 6);
    const size_t rows = countArg(info, 2, "rows");
    const size_t cols = countArg(info, 3, "cols");
    const size_t iterations = countArg(info, 4, "iterations");
    const PreparedHandle& handle = handleArg(info);
    const F64View x = float64Arg(info, 1, "x");
    const F64OutView out = float64OutArg(info, 5, "out");
    return run<Async>(info, handle, &ml::contributionsEntry, In{x.data, x.length}, rows, cols, iterations, Out{out.data, out.length});
  });
}

/// Registers `fn` as `name`, its signature (the descriptor's kernel name: faults are formatted from it) as its data.
void addFunction(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn, const char* signature, size_t arity) {
  void* sig = const_cast<EntrySignature*>(&addSignature(env, signature, arity));
  exports.Set(name, Napi::Function::New(env, fn, name, sig));
}

}  // namespace

void registerMl(Napi::Env env, Napi::Object exports) {
  using namespace ml::entry;  // NOLINT: the family's entries
  Registrar registrar{env, exports};
  addEntries(registrar);
  const char* predict = "lightgbmPredict(model, x, rows, cols, iterations, raw, out)";
  const char* contributions = "lightgbmContributions(model, x, rows, cols, iterations, out)";
  addFunction(env, exports, "mlPrepare", MlPrepare, "lightgbmPredict(model)", 1);
  addFunction(env, exports, "mlPredictPrepared", MlPredictPrepared<false>, predict, 7);
  addFunction(env, exports, "mlPredictPreparedAsync", MlPredictPrepared<true>, predict, 7);
  addFunction(env, exports, "mlContributionsPrepared", MlContributionsPrepared<false>, contributions, 6);
  addFunction(env, exports, "mlContributionsPreparedAsync", MlContributionsPrepared<true>, contributions, 6);
}

}  // namespace kernelbus::binding
