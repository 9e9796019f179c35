// The GPU runner's entry points (metal_runner.mm, compiled only on Apple, where CMake defines
// KERNELBUS_HAVE_METAL): the system's Metal device and a Runner on it.
#pragma once

#include <memory>
#include <string>

#include "shader_runner.hpp"

namespace kernelbus::shader {

/// The system's default Metal device as the backend sees it.
struct MetalDevice {
  /// The device's name ("Apple M2", "Apple Paravirtual device"...), empty when there is none.
  std::string name;
  /// It supports the Apple7 family (A14, M1) or later.
  bool apple7 = false;
  /// The embedded shaders compiled and every pipeline was built: a runner can be made.
  bool ready = false;
  /// Why it is not ready (no device, a compile error...).
  std::string error;
};

/// The device, found and its shaders compiled once per process (the first call does it; thread-safe).
const MetalDevice& metalDevice();

/// A runner on the device; std::runtime_error when it is not ready (with the reason).
std::unique_ptr<Runner> metalRunner();

}  // namespace kernelbus::shader
