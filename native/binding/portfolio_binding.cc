// Binding for the portfolio family: one line per kernel entry (entry.h reads the arguments by the
// entry's C++ types, the optimizers' two records as their fields' arguments; native/kernels/
// portfolio_entry.hpp checks the shapes and runs the kernel), and the generated entries of the calls that
// are data (kernels/generated/portfolio.hpp). Each registers <name> and <name>Async.
#include "common.h"
#include "entry.h"
#include "portfolio/portfolio_alloc_entry.hpp"
#include "portfolio/portfolio_entry.hpp"

namespace kernelbus::binding {

using namespace portfolio::entry;

void registerPortfolio(Napi::Env env, Napi::Object exports) {
  add<minVariance>(env, exports, "minVariance(stack, constraints, params, out)");
  add<maxSharpe>(env, exports, "maxSharpe(stack, constraints, params, out)");
  add<maxUtility>(env, exports, "maxUtility(stack, constraints, params, out)");
  add<efficientReturn>(env, exports, "efficientReturn(stack, constraints, targets, params, out)");
  add<efficientRisk>(env, exports, "efficientRisk(stack, constraints, targets, params, out)");
  add<efficientFrontier>(env, exports, "efficientFrontier(stack, constraints, points, out)");
  add<riskParity>(env, exports, "riskParity(cov, covCount, n, budgets, budgetCount, problems, out)");
  add<hrp>(env, exports, "hrp(data, rows, cols, corr, params, out)");
  add<expectedReturns>(env, exports, "expectedReturns(prices, rows, cols, benchmark, params, out)");
  Registrar registrar{env, exports};
  addEntries(registrar);  // kernels/generated/portfolio.hpp: nearestPsd, checkPsd
}

}  // namespace kernelbus::binding
