// The portfolio family's optimizer entries (entry.hpp): each kernel's packed parameters (the
// descriptors of src/kernels/portfolio-optimizers.ts, OPTIMIZER_KERNELS, say the same and a test holds
// the names equal) and its call as the addon makes it, arguments in the order of the JS call: counts,
// lengths and the constraints checked, then the kernel (portfolio.hpp).
#pragma once

#include <cstddef>
#include <string_view>

#include "entry.hpp"
#include "portfolio.hpp"

namespace kernelbus::portfolio {

constexpr const char* kMinVarianceParams[] = {"l2Gamma"};
struct MinVarianceParams {
  double l2Gamma;
};

Status unpack(Packed packed, MinVarianceParams& out);

/// The parameter names of the optimizer `kernel`; false when there is no such kernel here.
bool optimizerParamNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// minVariance(cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, params, out)
Outcome minVariance(In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo, In rhi, In tags, size_t m,
                    size_t problems, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::portfolio
