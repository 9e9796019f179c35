// The portfolio family's allocation entries (entry.hpp): riskParity, hrp, nearestPsd, checkPsd, expectedReturns.
// Parameter names equal to ALLOCATION_KERNELS' keys (src/kernels/portfolio-allocation.ts), unpacked and
// checked once here; each entry checks its lengths, then runs the kernel of portfolio_alloc.hpp.
#pragma once

#include <cstddef>
#include <string_view>

#include "entry.hpp"
#include "portfolio_alloc.hpp"

namespace kernelbus::portfolio {

constexpr const char* kHrpParams[] = {"linkage", "source"};
struct HrpParams {
  int linkage, source;
};
constexpr const char* kNearestPsdParams[] = {"method"};
struct NearestPsdParams {
  int method;
};
constexpr const char* kExpectedReturnsParams[] = {"method", "compounding", "span", "frequency", "riskFree", "returnsData", "logReturns"};
struct ExpectedReturnsParams {
  int method;
  bool compounding;
  double span, frequency, riskFree;
  bool returnsData, logReturns;
};

Status unpack(Packed packed, HrpParams& out);
Status unpack(Packed packed, NearestPsdParams& out);
Status unpack(Packed packed, ExpectedReturnsParams& out);

/// The parameter names of the allocation kernel `kernel`; false when it is not one.
bool allocationParamNames(std::string_view kernel, ParamNames& out);

namespace entry {

/// riskParity(cov, covCount, n, budgets, budgetCount, problems, out)
Outcome riskParity(In cov, size_t covCount, size_t n, In budgets, size_t budgetCount, size_t problems, Out out);
/// hrp(data, rows, cols, corr, params, out)
Outcome hrp(In data, size_t rows, size_t cols, In corr, Packed params, Out out);
/// nearestPsd(cov, n, params, out)
Outcome nearestPsd(In cov, size_t n, Packed params, Out out);
/// checkPsd(cov, covCount, n, out)
Outcome checkPsd(In cov, size_t covCount, size_t n, Out out);
/// expectedReturns(prices, rows, cols, benchmark, params, out)
Outcome expectedReturns(In prices, size_t rows, size_t cols, In benchmark, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::portfolio
