// Registration: the addon's exports, and init() that receives the JS error vocabulary.
#include "common.h"
#include "generated/param_names.hpp"
#include "memory.hpp"
#include "parallel.hpp"
#include "simd.hpp"
#if KERNELBUS_HAVE_BLAS
#include "risk_blas.hpp"
#endif

namespace kernelbus::binding {
namespace {

// init({ KernelInputError, inputFault }): called once by src/backends/native/binding.ts (the one loader)
// right after loading.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "init: expected { KernelInputError, inputFault }");
  }
  Napi::Object errors = info[0].As<Napi::Object>();
  Napi::Value kernelInputError = errors.Get("KernelInputError");
  Napi::Value inputFault = errors.Get("inputFault");
  if (!kernelInputError.IsFunction() || !inputFault.IsFunction()) {
    throw Napi::TypeError::New(env, "init: KernelInputError and inputFault must be functions");
  }
  AddonData& data = addonData(env);
  data.kernelInputError = Napi::Persistent(kernelInputError.As<Napi::Function>());
  data.inputFault = Napi::Persistent(inputFault.As<Napi::Function>());
  return env.Undefined();
}

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
#if defined(__APPLE__)
  out.Set("platform", Napi::String::New(env, "apple"));
#else
  out.Set("platform", Napi::String::New(env, "portable"));
#endif
  out.Set("threads", Napi::Number::New(env, static_cast<double>(threadCount())));
  // the instruction set of the vectorized loops (native/kernels/simd.hpp), and the best this CPU has
  out.Set("simd", Napi::String::New(env, simd::name(simd::level())));
  out.Set("simdCpu", Napi::String::New(env, simd::name(simd::cpuLevel())));
  // whether fresh outputs are advised onto 2 MB pages, and why (native/kernels/memory.hpp)
  out.Set("hugePages", Napi::Boolean::New(env, hugePages().advised));
  out.Set("hugePagesReason", Napi::String::New(env, hugePages().reason));
#if KERNELBUS_HAVE_BLAS
  // the BLAS backend's library and the threads it uses, or why the library cannot be called here
  const std::string unavailable = blas::unavailable();
  if (unavailable.empty()) {
    out.Set("blas", Napi::String::New(env, blas::vendor()));
    out.Set("blasThreads", Napi::Number::New(env, static_cast<double>(blas::threads())));
  } else {
    out.Set("blas", Napi::Boolean::New(env, false));
    out.Set("blasUnavailable", Napi::String::New(env, unavailable));
  }
  out.Set("accelerate", Napi::Boolean::New(env, unavailable.empty() && std::string(blas::vendor()) == "accelerate"));
#else
  out.Set("blas", Napi::Boolean::New(env, false));
  out.Set("accelerate", Napi::Boolean::New(env, false));
#endif
  // built with the Metal backend's GPU runner (Apple); metalDevice() says whether it can run here
#if KERNELBUS_HAVE_METAL
  out.Set("metal", Napi::Boolean::New(env, true));
#else
  out.Set("metal", Napi::Boolean::New(env, false));
#endif
  return out;
}

// setThreads(n): the threads later kernel calls may use (0: the default, KERNELBUS_THREADS or the cores),
// and the BLAS library's (0: its default) in an addon built with BLAS.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  const size_t n = countArg(info, 0, "options.threads");
  if (n > 1024) throw inputError(info.Env(), "options.threads", "an integer in [1, 1024] (0: the default)", std::to_string(n));
  setThreadCount(n);
#if KERNELBUS_HAVE_BLAS
  blas::setThreads(n);
#endif
  return info.Env().Undefined();
}

// retainFreedMemory(trimThreshold, mmapThreshold, topPad) -> { applied: true } | { applied: false, reason }:
// the C library's allocator made to keep freed memory (native/kernels/memory.hpp; glibc only, process-wide).
// The values are checked here too (src/api/retain-freed-memory.ts checks them first, with the same messages).
Napi::Value RetainFreedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 3);
  // each an integer number of bytes in [0, max]: the messages of src/api/retain-freed-memory.ts
  const auto bytes = [&](size_t i, const char* name, size_t max) -> size_t {
    const double v = numberArg(info, i, name);
    if (!(v >= 0 && v <= static_cast<double>(max) && std::floor(v) == v)) {
      throw inputError(env, name, "an integer in [0, " + std::to_string(max) + "] (bytes)", describeValue(info[i]));
    }
    return static_cast<size_t>(v);
  };
  const size_t trim = bytes(0, "options.trimThreshold", kRetainMax);
  const size_t mmap = bytes(1, "options.mmapThreshold", kMmapThresholdMax);
  const size_t pad = bytes(2, "options.topPad", kRetainMax);
  const RetainFreed r = retainFreedMemory(trim, mmap, pad);
  Napi::Object out = Napi::Object::New(env);
  out.Set("applied", Napi::Boolean::New(env, r.applied));
  if (!r.applied) out.Set("reason", Napi::String::New(env, r.reason));
  return out;
}

// viewAddress(typedArray) -> BigInt: the address a kernel would read (test hook proving zero-copy:
// it is the caller's memory plus the view's byteOffset, for ArrayBuffer and SharedArrayBuffer views).
Napi::Value ViewAddress(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  const F64View view = float64Arg(info, 0, "array");
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(view.data)));
}

// noop(a, b): reads two Float64Array arguments as a kernel entry does (count, kinds, data pointers and
// lengths) and returns: the floor of a kernel call through the binding, for the bench's 'calls' section.
Napi::Value Noop(const Napi::CallbackInfo& info) {
  requireArgCount(info, 2);
  const F64View a = float64Arg(info, 0, "a");
  const F64View b = float64Arg(info, 1, "b");
  static_cast<void>(a);
  static_cast<void>(b);
  return info.Env().Undefined();
}

// adviseHugePages(typedArray): asks the system to back the array's fresh memory with 2 MB pages
// (native/kernels/memory.hpp): the readers' block buffers, before their first write.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  if (!info[0].IsTypedArray()) throw inputError(info.Env(), "array", "a typed array", describeValue(info[0]));
  Napi::TypedArray array = info[0].As<Napi::TypedArray>();
  Napi::ArrayBuffer buffer = array.ArrayBuffer();
  adviseHugePages(static_cast<uint8_t*>(buffer.Data()) + array.ByteOffset(), array.ByteLength());
  return info.Env().Undefined();
}

// freePageReporting(dir) -> boolean: whether the sysfs virtio devices in `dir` include a balloon that
// reports free pages (native/kernels/memory.hpp); the process's own decision is features().hugePages.
Napi::Value FreePageReporting(const Napi::CallbackInfo& info) {
  requireArgCount(info, 1);
  if (!info[0].IsString()) throw inputError(info.Env(), "dir", "a directory's path", describeValue(info[0]));
  return Napi::Boolean::New(info.Env(), freePageReporting(info[0].As<Napi::String>().Utf8Value().c_str()));
}

// paramNames(kernel) -> string[]: the packed parameter order the C++ layer reads for `kernel` ([] for a
// kernel without parameters): the generated table (native/kernels/generated/param_names.hpp, written
// from the descriptors). A test holds each to its descriptor's keys.
Napi::Value ParamNamesOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 1);
  if (!info[0].IsString()) throw inputError(env, "kernel", "a kernel name", describeValue(info[0]));
  const std::string kernel = info[0].As<Napi::String>().Utf8Value();
  ParamNames names{nullptr, 0};
  if (!generatedParamNames(kernel, names)) {
    throw inputError(env, "kernel", "a risk, factor, portfolio, special or indicators kernel, or 'vpin'", kernel);
  }
  Napi::Array out = Napi::Array::New(env, names.count);
  for (size_t i = 0; i < names.count; i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, names.names[i]));
  return out;
}

// faultCodes() -> { TsNotFinite: 1, ... }: enum class Fault (status.hpp) by name, for a test to hold
// equal to Fault in src/kernels/faults.ts.
Napi::Value FaultCodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  requireArgCount(info, 0);
  Napi::Object out = Napi::Object::New(env);
  for (const FaultName& f : kFaultNames) out.Set(f.name, Napi::Number::New(env, static_cast<int>(f.code)));
  return out;
}

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("init", Napi::Function::New<Init>(env, "init"));
  exports.Set("features", Napi::Function::New<Features>(env, "features"));
  exports.Set("viewAddress", Napi::Function::New<ViewAddress>(env, "viewAddress"));
  exports.Set("setThreads", Napi::Function::New<SetThreads>(env, "setThreads"));
  exports.Set("retainFreedMemory", Napi::Function::New<RetainFreedMemory>(env, "retainFreedMemory"));
  exports.Set("adviseHugePages", Napi::Function::New<AdviseHugePages>(env, "adviseHugePages"));
  exports.Set("freePageReporting", Napi::Function::New<FreePageReporting>(env, "freePageReporting"));
  exports.Set("noop", Napi::Function::New<Noop>(env, "noop"));
  exports.Set("paramNames", Napi::Function::New<ParamNamesOf>(env, "paramNames"));
  exports.Set("faultCodes", Napi::Function::New<FaultCodes>(env, "faultCodes"));
  registerVpin(env, exports);
  registerSpecial(env, exports);
  registerRisk(env, exports);
  registerFactor(env, exports);
  registerPortfolio(env, exports);
  registerFeatures(env, exports);
  registerLabeling(env, exports);
  registerMargin(env, exports);
  registerMl(env, exports);
  registerIndicators(env, exports);
  registerBacktest(env, exports);
  registerVolatility(env, exports);
  registerMetal(env, exports);
  registerIo(env, exports);
  registerParquet(env, exports);
  registerArrow(env, exports);
  registerSplit(env, exports);
  registerMap(env, exports);
  return exports;
}

}  // namespace
}  // namespace kernelbus::binding

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return kernelbus::binding::Register(env, exports); }

NODE_API_MODULE(kernelbus, InitModule)
