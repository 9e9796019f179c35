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

constexpr const char* kMaxSharpeParams[] = {"riskFree", "l2Gamma"};
struct MaxSharpeParams {
  double riskFree, l2Gamma;
};
constexpr const char* kMaxUtilityParams[] = {"riskAversion", "l2Gamma", "riskFree"};
struct MaxUtilityParams {
  double riskAversion, l2Gamma, riskFree;
};
/// efficientReturn's and efficientRisk's
constexpr const char* kEfficientParams[] = {"l2Gamma", "riskFree"};
struct EfficientParams {
  double l2Gamma, riskFree;
};

Status unpack(Packed packed, MinVarianceParams& out);
Status unpack(Packed packed, MaxSharpeParams& out);
Status unpack(Packed packed, MaxUtilityParams& out);
Status unpack(Packed packed, EfficientParams& out);

/// The parameter names of the optimizer `kernel`; false when there is no such kernel here.
bool optimizerParamNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// minVariance(cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, params, out)
Outcome minVariance(In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo, In rhi, In tags, size_t m,
                    size_t problems, Packed params, Out out);

/// maxSharpe(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, params, out)
Outcome maxSharpe(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                  In rhi, In tags, size_t m, size_t problems, Packed params, Out out);
/// maxUtility(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, params, out)
Outcome maxUtility(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                   In rhi, In tags, size_t m, size_t problems, Packed params, Out out);
/// efficientReturn(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, targets, params, out)
Outcome efficientReturn(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows,
                        In rlo, In rhi, In tags, size_t m, size_t problems, In targets, Packed params, Out out);
/// efficientRisk(mean, meanCount, cov, covCount, n, lower, upper, boundCount, rows, rlo, rhi, tags, m, problems, targets, params, out)
Outcome efficientRisk(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount, In rows, In rlo,
                      In rhi, In tags, size_t m, size_t problems, In targets, Packed params, Out out);
/// efficientFrontier(mean, meanCount, cov, covCount, n, lower, upper, boundCount, problems, points, out)
Outcome efficientFrontier(In mean, size_t meanCount, In cov, size_t covCount, size_t n, In lower, In upper, size_t boundCount,
                          size_t problems, size_t points, Out out);

}  // namespace entry
}  // namespace kernelbus::portfolio
