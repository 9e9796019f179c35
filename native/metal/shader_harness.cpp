// The CPU harness: the compute kernels of shaders/*.metal compiled as C++ (through
// shaders/shim/metal_shim.hpp) and run over their grids on the CPU, one call per thread position,
// the positions shared out between the addon's threads (each writes only its own outputs, so the
// results do not depend on the thread count). Compiled on every platform: the parity suite tests the
// shaders' arithmetic through it (the 'metal-cpu' backend) where there is no Apple GPU.
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel.hpp"
#include "shader_runner.hpp"

// The shaders, after every standard header (the shim's macros kernel, device, thread... would break
// them). Their [[buffer(n)]] and [[thread_position_in_grid]] attributes are ignored here.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunknown-attributes"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wattributes"
#endif
#include "vpin.metal"
#include "risk.metal"
#include "factor.metal"
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#undef kernel
#undef device
#undef thread
#undef threadgroup
#undef constant

namespace kernelbus::shader {
namespace {

/// The parameter block of a dispatch, checked against the kernel's type (a host bug, not bad input).
template <typename P>
const P& paramsOf(Kernel kernel, const void* params, size_t bytes) {
  if (bytes != sizeof(P) || params == nullptr) throw std::logic_error(std::string(kernelName(kernel)) + ": wrong parameter block");
  return *static_cast<const P*>(params);
}

/// f(i) for every thread position i < grid.
template <typename F>
void overGrid(size_t grid, F f) {
  parallelFor(grid, 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) f(static_cast<uint>(i));
  });
}

class CpuRunner final : public Runner {
 public:
  Buffer allocate(size_t count) override {
    requireElements(count, "a buffer");
    auto storage = std::make_shared<std::vector<float>>(count);
    return Buffer{storage->data(), count, storage};
  }

  void dispatch(Kernel kernel, std::initializer_list<const Buffer*> buffers, const void* params, size_t paramBytes, size_t grid) override {
    requireElements(grid, "a dispatch");
    std::vector<float*> b;
    for (const Buffer* buffer : buffers) b.push_back(buffer->data);
    const size_t expected = kernel == Kernel::Classify ? 2 : kernel == Kernel::Normals ? 1 : kernel == Kernel::Gram ? 4 : 3;
    if (b.size() != expected) throw std::logic_error(std::string(kernelName(kernel)) + ": wrong number of buffers");
    switch (kernel) {
      case Kernel::Classify: {
        const auto& p = paramsOf<KbClassifyParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_classify(b[0], b[1], p, i); });
        break;
      }
      case Kernel::QuadraticForms: {
        const auto& p = paramsOf<KbQuadraticParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_quadratic_forms(b[0], b[1], b[2], p, i); });
        break;
      }
      case Kernel::Normals: {
        const auto& p = paramsOf<KbNormalsParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_normals(b[0], p, i); });
        break;
      }
      case Kernel::PathDots: {
        const auto& p = paramsOf<KbPathParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_path_dots(b[0], b[1], b[2], p, i); });
        break;
      }
      case Kernel::Scenarios: {
        const auto& p = paramsOf<KbPathParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_scenarios(b[0], b[1], b[2], p, i); });
        break;
      }
      case Kernel::Gram: {
        const auto& p = paramsOf<KbGramParams>(kernel, params, paramBytes);
        overGrid(grid, [&](uint i) { kb_gram(b[0], b[1], b[2], b[3], p, i); });
        break;
      }
    }
  }

  void finish() override {}  // every dispatch ran when it was queued
};

}  // namespace

std::unique_ptr<Runner> cpuRunner() { return std::make_unique<CpuRunner>(); }

}  // namespace kernelbus::shader
