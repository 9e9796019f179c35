// Binding for the portfolio family's allocation kernels: one line per entry (entry.h reads the
// arguments by the entry's C++ types; native/kernels/portfolio_alloc_entry.hpp unpacks the parameters,
// checks the lengths and runs the kernel). Each registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "portfolio_alloc_entry.hpp"

namespace kernelbus::binding {

using namespace portfolio::entry;

void registerPortfolioAllocation(Napi::Env env, Napi::Object exports) {
  add<riskParity>(env, exports, "riskParity(cov, n, budgets, out)");
  add<hrp>(env, exports, "hrp(data, rows, cols, corr, params, out)");
  add<nearestPsd>(env, exports, "nearestPsd(cov, n, params, out)");
  add<expectedReturns>(env, exports, "expectedReturns(prices, rows, cols, benchmark, params, out)");
}

}  // namespace kernelbus::binding
