// Promise variants of the kernels: the same validation on the JS thread, then the kernel on the libuv
// thread pool (N-API async work). The arguments' objects (the caller's typed arrays and the output)
// are held by references until the promise settles, so the garbage collector cannot free them; the
// caller must neither write to them nor transfer their buffers meanwhile (documented in the API).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common.h"

namespace kernelbus::binding {

class KernelWorker : public Napi::AsyncWorker {
 public:
  KernelWorker(const Napi::CallbackInfo& info, std::function<Status()> work)
      : Napi::AsyncWorker(info.Env()), work_(std::move(work)), deferred_(Napi::Promise::Deferred::New(info.Env())) {
    for (size_t i = 0; i < info.Length(); i++) {
      if (info[i].IsObject()) keep_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
    }
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      status_ = work_();
    } catch (const std::bad_alloc&) {
      SetError("kernelbus: out of memory");
    } catch (const std::exception& e) {
      SetError(std::string("kernelbus: ") + e.what());
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (status_.ok()) {
      deferred_.Resolve(Env().Undefined());
    } else {
      deferred_.Reject(faultError(Env(), status_).Value());
    }
  }
  void OnError(const Napi::Error& e) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(Napi::RangeError::New(Env(), e.Message()).Value());
  }

 private:
  std::function<Status()> work_;
  Status status_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keep_;
};

/// Runs `work` (a callable returning Status, capturing only pointers and values) now, throwing its
/// fault (Async false), or on the thread pool, returning a Promise rejected with the fault (true).
template <bool Async, typename Work>
Napi::Value complete(const Napi::CallbackInfo& info, Work work) {
  if constexpr (Async) {
    auto* worker = new KernelWorker(info, std::function<Status()>(std::move(work)));
    const Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  } else {
    const Status s = work();
    if (!s.ok()) throw faultError(info.Env(), s);
    return info.Env().Undefined();
  }
}

/// Registers `Cpp<false>` as `js` and `Cpp<true>` as `js` + "Async" on `exports`.
#define KERNELBUS_BOTH(js, Cpp)                                \
  exports.Set(js, Napi::Function::New<Cpp<false>>(env, js)); \
  exports.Set(js "Async", Napi::Function::New<Cpp<true>>(env, js "Async"))

/// Registers `Cpp<false, kernel>` as `js` and `Cpp<true, kernel>` as `js` + "Async": a binding function
/// templated over the C++ kernel it calls (the same checks in front of another backend's kernel).
#define KERNELBUS_BOTH_OF(js, Cpp, kernel)                              \
  exports.Set(js, Napi::Function::New<Cpp<false, kernel>>(env, js)); \
  exports.Set(js "Async", Napi::Function::New<Cpp<true, kernel>>(env, js "Async"))

}  // namespace kernelbus::binding
