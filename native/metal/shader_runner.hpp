// What the Metal backend's host code (host_*.cpp) needs from whatever runs the compute kernels of
// shaders/*.metal, so that the host code is written once and runs over two runners: the CPU harness
// (shader_harness.cpp: the same shader source compiled as C++ through shaders/shim/metal_shim.hpp,
// on every platform; it is what the parity suite tests on Linux) and the GPU (metal_runner.mm:
// Objective-C++, Apple only, the source embedded in the binary and compiled at run time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>

#include "kb_types.h"

namespace kernelbus::shader {

/// The compute kernels of shaders/*.metal.
enum class Kernel { Classify, QuadraticForms, Normals, PathDots, Scenarios, Gram };

/// The function name of a kernel in the shader source.
inline const char* kernelName(Kernel kernel) {
  switch (kernel) {
    case Kernel::Classify:
      return "kb_classify";
    case Kernel::QuadraticForms:
      return "kb_quadratic_forms";
    case Kernel::Normals:
      return "kb_normals";
    case Kernel::PathDots:
      return "kb_path_dots";
    case Kernel::Scenarios:
      return "kb_scenarios";
    case Kernel::Gram:
      return "kb_gram";
  }
  return "";
}

/// Every kernel, in declaration order (the GPU runner builds a pipeline for each).
constexpr Kernel kKernels[] = {Kernel::Classify, Kernel::QuadraticForms, Kernel::Normals,
                               Kernel::PathDots, Kernel::Scenarios,      Kernel::Gram};

/// Most elements of one buffer and threads of one dispatch: the shaders index with 32-bit integers.
constexpr size_t kMaxElements = UINT32_MAX;

/// Floats that the host and the kernels both read and write, with what keeps them alive (on the GPU
/// an MTLBuffer in shared storage: Apple silicon's unified memory, no copies; on the CPU plain memory).
struct Buffer {
  float* data = nullptr;
  size_t size = 0;
  std::shared_ptr<void> owner;
};

/// Runs the kernels. One runner serves one kernel call (the GPU's holds the command buffer being
/// encoded): make a fresh one per call; calls on several threads each use their own.
class Runner {
 public:
  virtual ~Runner() = default;
  /// `count` floats (at most kMaxElements), contents undefined until written.
  virtual Buffer allocate(size_t count) = 0;
  /// Queues `kernel` over `grid` threads (thread positions 0 to grid - 1; at most kMaxElements) with
  /// `buffers` bound at indices 0, 1, ... and the parameter block after them. Kernels queued before
  /// finish() run in order, each seeing what the previous ones wrote.
  virtual void dispatch(Kernel kernel, std::initializer_list<const Buffer*> buffers, const void* params, size_t paramBytes,
                        size_t grid) = 0;
  /// Runs what was queued and waits for it; std::runtime_error when the device reports an error.
  virtual void finish() = 0;

  /// dispatch() with a parameter block of type P.
  template <typename P>
  void run(Kernel kernel, std::initializer_list<const Buffer*> buffers, const P& params, size_t grid) {
    dispatch(kernel, buffers, &params, sizeof(P), grid);
  }
};

/// Throws when `count` elements do not fit one buffer or dispatch (the 32-bit indices of the shaders).
inline void requireElements(size_t count, const char* what) {
  if (count > kMaxElements) {
    throw std::length_error(std::string("the metal backend indexes with 32-bit integers: ") + what + " has " + std::to_string(count) +
                            " elements, at most " + std::to_string(kMaxElements));
  }
}

/// The CPU harness: every kernel over its grid on the CPU (threads of parallel.hpp).
std::unique_ptr<Runner> cpuRunner();

}  // namespace kernelbus::shader
