// Binding for the Metal backend's device and shader source (its kernels are registered by the family
// files, beside the native kernels they share their checks with: shader<Name> runs the CPU harness,
// metal<Name> the GPU). metalDevice() finds the device and compiles the shaders (once per process).
#include <string>

#include "common.h"
#include "kb_shader_source.h"
#if KERNELBUS_HAVE_METAL
#include "metal_runner.hpp"
#endif

namespace kernelbus::binding {
namespace {

// metalDevice() -> { built, name, apple7, ready, reason? }: built false where the addon has no GPU
// runner (every platform but Apple's); else the system's device (name '' when there is none), whether
// it is of the Apple7 family or later, and whether the shaders compiled on it (reason: why not).
Napi::Value MetalDevice(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    requireArgCount(info, 0);
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
#if KERNELBUS_HAVE_METAL
    const shader::MetalDevice& device = shader::metalDevice();
    out.Set("built", true);
    out.Set("name", device.name);
    out.Set("apple7", device.apple7);
    out.Set("ready", device.ready);
    if (!device.ready) out.Set("reason", device.error);
#else
    out.Set("built", false);
    out.Set("name", "");
    out.Set("apple7", false);
    out.Set("ready", false);
    out.Set("reason", "the addon was built without the Metal GPU runner");
#endif
    return out;
  });
}

// metalShaderSource() -> string: the shader source embedded in the binary (what the GPU compiles).
Napi::Value MetalShaderSource(const Napi::CallbackInfo& info) {
  requireArgCount(info, 0);
  return Napi::String::New(info.Env(), reinterpret_cast<const char*>(shader::kShaderSource), shader::kShaderSourceSize);
}

}  // namespace

void registerMetal(Napi::Env env, Napi::Object exports) {
  exports.Set("metalDevice", Napi::Function::New<MetalDevice>(env, "metalDevice"));
  exports.Set("metalShaderSource", Napi::Function::New<MetalShaderSource>(env, "metalShaderSource"));
}

}  // namespace kernelbus::binding
