// Promise variants of the kernel entries (entry.h): the arguments read on the JS thread, then the
// entry (its checks and the kernel) on the libuv thread pool (N-API async work). The arguments'
// objects (the caller's typed arrays, an Array's panels, the output) are held by references until the
// promise settles, so the garbage collector cannot free them; the caller must neither write to them
// nor transfer their buffers meanwhile (documented in the API).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common.h"

namespace kernelbus::binding {

class KernelWorker : public Napi::AsyncWorker {
 public:
  /// `held`: the objects read out of the arguments (an Array's panels), kept as the arguments are.
  /// `resolve`: the promise's value, made on the JS thread once `work` succeeded (none: undefined).
  KernelWorker(const Napi::CallbackInfo& info, const std::vector<Napi::Value>& held, const EntrySignature& sig,
               std::function<Outcome()> work, std::function<Napi::Value(Napi::Env)> resolve = nullptr)
      : Napi::AsyncWorker(info.Env()),
        sig_(sig),
        work_(std::move(work)),
        resolve_(std::move(resolve)),
        deferred_(Napi::Promise::Deferred::New(info.Env())) {
    for (size_t i = 0; i < info.Length(); i++) {
      if (info[i].IsObject()) keep_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
    }
    for (const Napi::Value& v : held) keep_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      outcome_ = work_();
    } catch (const std::bad_alloc&) {
      SetError("kernelbus: out of memory");
    } catch (const std::exception& e) {
      SetError(std::string("kernelbus: ") + e.what());
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (outcome_.ok()) {
      deferred_.Resolve(resolve_ ? resolve_(Env()) : Env().Undefined());
    } else {
      deferred_.Reject(entryError(Env(), sig_, outcome_).Value());
    }
  }
  void OnError(const Napi::Error& e) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value());
  }

 private:
  const EntrySignature& sig_;
  std::function<Outcome()> work_;
  std::function<Napi::Value(Napi::Env)> resolve_;
  Outcome outcome_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keep_;
};

/// Runs `work` (a callable returning Outcome, holding only views and values) now, throwing what it
/// refused (Async false), or on the thread pool, returning a Promise rejected with it (true).
template <bool Async, typename Work>
Napi::Value complete(const Napi::CallbackInfo& info, const std::vector<Napi::Value>& held, const EntrySignature& sig, Work work) {
  if constexpr (Async) {
    auto* worker = new KernelWorker(info, held, sig, std::function<Outcome()>(std::move(work)));
    const Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  } else {
    const Outcome outcome = work();
    if (!outcome.ok()) throw entryError(info.Env(), sig, outcome);
    return info.Env().Undefined();
  }
}

}  // namespace kernelbus::binding
